#include "interpreter/model/load_workflow.h"

#include "interpreter/base/fd_io.h"
#include "interpreter/model/build_model.h"
#include "interpreter/model/literal_templates.h"
#include "interpreter/yaml/loader.h"

namespace slipway::model {

bool ReadWholeFile(const std::string& path, std::string* text, std::string* error) {
  return slipway::ReadWholeFile(path, FileKinds::kRegularOrPipe, text, error);
}

std::optional<Workflow> LoadWorkflowText(const SourceManager& sources, FileId file,
                                         Diagnostics& diagnostics) {
  std::optional<yaml::Node> root = yaml::LoadYaml(sources, file, diagnostics);
  if (!root) return std::nullopt;
  FoldLiteralTemplates(*root);
  return BuildModel(std::make_shared<const yaml::Node>(std::move(*root)), file);
}

std::optional<Workflow> LoadWorkflowFile(SourceManager& sources, const std::string& path,
                                         Diagnostics& diagnostics) {
  std::string text, error;
  if (!ReadWholeFile(path, &text, &error)) {
    FileId file = sources.Add(path, "");
    diagnostics.Error("io", SourceRange{file, {}, 0}, "cannot read file: " + error);
    return std::nullopt;
  }
  FileId file = sources.Add(path, std::move(text));
  return LoadWorkflowText(sources, file, diagnostics);
}

}  // namespace slipway::model
