#include "interpreter/model/load_workflow.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "interpreter/model/build_model.h"
#include "interpreter/model/literal_templates.h"
#include "interpreter/yaml/loader.h"

namespace slipway::model {

bool ReadWholeFile(const std::string& path, std::string* text, std::string* error) {
  struct stat info;
  if (stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    *error = "is a directory";  // an ifstream opens one and reads nothing
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::strerror(errno);
    return false;
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) {
    *error = "read error";
    return false;
  }
  *text = std::move(out).str();
  return true;
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
