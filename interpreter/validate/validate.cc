#include "interpreter/validate/validate.h"

#include <algorithm>
#include <future>
#include <string_view>
#include <vector>

#include "interpreter/model/action.h"
#include "interpreter/model/load_workflow.h"
#include "interpreter/validate/ignore_comments.h"
#include "interpreter/validate/rule.h"
#include "interpreter/validate/schema_pass.h"
#include "interpreter/yaml/loader.h"
#include "schemas/embedded.h"

namespace slipway::validate {
namespace {

/// From this many jobs on, the schema pass runs on a thread of its own beside the rules (both
/// only read the workflow): a file of the maximum size takes both cores instead of one.
constexpr size_t kJobsForParallelSchemaPass = 256;

void RunChecks(const model::Workflow& workflow, std::string_view path,
               const step_api::StepCatalog& catalog, Diagnostics& diagnostics,
               const ValidateOptions& options) {
  Diagnostics schema_found;
  std::future<void> schema_pass;
  if (workflow.yaml) {
    auto check = [&] {
      CheckAgainstSchema(*workflow.yaml, schemas::Embedded("workflow"), schema_found);
    };
    if (workflow.jobs.size() >= kJobsForParallelSchemaPass) {
      schema_pass = std::async(std::launch::async, check);
    } else {
      check();
    }
  }
  Diagnostics rules_found;
  const ExpressionIndex expressions(workflow);
  const model::JobGraph graph(workflow);
  RuleContext context{workflow,    path,  catalog,          rules_found,
                      expressions, graph, options.portable, &options.read_callee};
  for (const Rule& rule : Rules()) rule.check(context);
  if (schema_pass.valid()) schema_pass.get();
  // The schema's findings first, then the rules', whichever thread finished first.
  diagnostics.Append(schema_found);
  diagnostics.Append(rules_found);
}

/// True for an action's metadata file: named action.yml / action.yaml, without `jobs:` (a
/// workflow could have that name too).
bool IsActionMetadata(const SourceManager& sources, FileId file) {
  std::string_view path = sources.path(file);
  std::string_view name = path.substr(path.find_last_of('/') + 1);
  if (name != "action.yml" && name != "action.yaml") return false;
  Diagnostics ignored;
  std::optional<yaml::Node> root = yaml::LoadYaml(sources, file, ignored);
  return !root || !root->is_mapping() || !root->Find("jobs");
}

}  // namespace

std::optional<std::string> CalleePath(std::string_view uses, const std::string& root,
                                      const std::map<std::string, std::string>& workflow_paths,
                                      std::string* repo_root) {
  if (uses.substr(0, 2) == "./") {
    if (uses.find('@') != std::string_view::npos) return std::nullopt;
    if (repo_root) *repo_root = root;
    return root + "/" + std::string(uses.substr(2));
  }
  // owner/repo/path/file.yml@ref
  const size_t at = uses.rfind('@');
  const size_t owner_end = uses.find('/');
  const size_t repo_end = owner_end == std::string_view::npos ? owner_end
                                                              : uses.find('/', owner_end + 1);
  if (at == std::string_view::npos || repo_end == std::string_view::npos || repo_end > at) {
    return std::nullopt;
  }
  auto it = workflow_paths.find(std::string(uses.substr(0, repo_end)));
  if (it == workflow_paths.end()) return std::nullopt;
  if (repo_root) *repo_root = it->second;
  return it->second + "/" + std::string(uses.substr(repo_end + 1, at - repo_end - 1));
}

std::function<std::optional<std::string>(std::string_view uses)> LocalCalleeReader(
    std::string root) {
  return LocalCalleeReader(std::move(root), {});
}

std::function<std::optional<std::string>(std::string_view uses)> LocalCalleeReader(
    std::string root, std::map<std::string, std::string> workflow_paths) {
  return [root = std::move(root),
          paths = std::move(workflow_paths)](std::string_view uses) -> std::optional<std::string> {
    std::optional<std::string> path = CalleePath(uses, root, paths);
    if (!path) return std::nullopt;
    std::string text, error;
    if (!model::ReadWholeFile(*path, &text, &error)) return std::nullopt;
    return text;
  };
}

void ValidateWorkflow(const model::Workflow& workflow, const SourceManager& sources,
                      const step_api::StepCatalog& catalog, Diagnostics& diagnostics) {
  Diagnostics found;
  RunChecks(workflow, workflow.file != kNoFile ? sources.path(workflow.file) : "", catalog, found,
            ValidateOptions{});
  if (workflow.file != kNoFile) ApplyIgnoreComments(sources.text(workflow.file), found);
  diagnostics.Append(found);
}

std::optional<model::Workflow> ValidateText(const SourceManager& sources, FileId file,
                                            const step_api::StepCatalog& catalog,
                                            Diagnostics& diagnostics) {
  return ValidateText(sources, file, catalog, diagnostics, ValidateOptions{});
}

std::optional<model::Workflow> ValidateText(const SourceManager& sources, FileId file,
                                            const step_api::StepCatalog& catalog,
                                            Diagnostics& diagnostics,
                                            const ValidateOptions& options) {
  Diagnostics found;
  if (IsActionMetadata(sources, file)) {
    // A local action's action.yml (e.g. met when validating .github/): checked as one.
    (void)model::LoadActionText(sources, file, found, /*composite_only=*/false);
    ApplyIgnoreComments(sources.text(file), found);
    diagnostics.Append(found);
    return std::nullopt;
  }
  std::optional<model::Workflow> workflow = model::LoadWorkflowText(sources, file, found);
  if (workflow) RunChecks(*workflow, sources.path(file), catalog, found, options);
  ApplyIgnoreComments(sources.text(file), found);
  diagnostics.Append(found);
  return workflow;
}

std::optional<model::Workflow> ValidateFile(SourceManager& sources, const std::string& path,
                                            const step_api::StepCatalog& catalog,
                                            Diagnostics& diagnostics) {
  std::string text, error;
  if (!model::ReadWholeFile(path, &text, &error)) {
    FileId file = sources.Add(path, "");
    diagnostics.Error("io", SourceRange{file, {}, 0}, "cannot read file: " + error);
    return std::nullopt;
  }
  FileId file = sources.Add(path, std::move(text));
  return ValidateText(sources, file, catalog, diagnostics);
}

}  // namespace slipway::validate
