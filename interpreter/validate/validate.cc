#include "interpreter/validate/validate.h"

#include <algorithm>
#include <atomic>
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

void RunChecks(const model::Workflow& workflow, std::string_view path,
               const step_api::StepCatalog& catalog, Diagnostics& diagnostics,
               const ValidateOptions& options) {
  // On two threads, the expression index is built in two halves, then the schema pass and the
  // rules are shared out one at a time.
  const bool parallel = workflow.jobs.size() >= options.two_threads_from_jobs;
  const ExpressionIndex expressions(workflow, parallel);
  const model::JobGraph graph(workflow);
  const std::vector<Rule>& rules = Rules();
  // Task 0 is the schema pass, task i + 1 is rule i. Each writes its own findings, appended in
  // task order (the schema's first), so the output does not depend on which thread ran what.
  std::vector<Diagnostics> found(rules.size() + 1);
  auto run = [&](size_t task) {
    if (task == 0) {
      if (workflow.yaml) CheckAgainstSchema(*workflow.yaml, schemas::Embedded("workflow"), found[0]);
      return;
    }
    RuleContext context{workflow,    path,  catalog,          found[task],
                        expressions, graph, options.portable, &options.read_callee};
    rules[task - 1].check(context);
  };
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t task = next++; task < found.size(); task = next++) run(task);
  };
  std::future<void> other;
  if (parallel) other = std::async(std::launch::async, worker);
  worker();
  if (other.valid()) other.get();
  for (const Diagnostics& d : found) diagnostics.Append(d);
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

bool CallLeavesItsRepository(std::string_view uses) {
  if (model::LeavesRepository(uses)) return true;
  const size_t at = uses.rfind('@');
  const size_t owner_end = uses.find('/');
  const size_t repo_end =
      owner_end == std::string_view::npos ? owner_end : uses.find('/', owner_end + 1);
  if (at == std::string_view::npos || repo_end == std::string_view::npos || repo_end > at) {
    return false;
  }
  return model::LeavesRepository("./" + std::string(uses.substr(repo_end + 1, at - repo_end - 1)));
}

std::optional<std::string> CalleePath(std::string_view uses, const std::string& root,
                                      const std::map<std::string, std::string>& workflow_paths,
                                      std::string* repo_root) {
  if (uses.substr(0, 2) == "./") {
    if (uses.find('@') != std::string_view::npos) return std::nullopt;
    if (CallLeavesItsRepository(uses)) return std::nullopt;  // never read: uses-format says why
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
  if (CallLeavesItsRepository(uses)) return std::nullopt;
  const std::string in_repository(uses.substr(repo_end + 1, at - repo_end - 1));
  auto it = workflow_paths.find(std::string(uses.substr(0, repo_end)));
  if (it == workflow_paths.end()) return std::nullopt;
  if (repo_root) *repo_root = it->second;
  return it->second + "/" + in_repository;
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
