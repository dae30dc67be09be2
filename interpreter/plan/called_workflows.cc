#include "interpreter/plan/called_workflows.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "interpreter/model/load_workflow.h"
#include "interpreter/plan/plan_file.h"
#include "interpreter/validate/validate.h"

namespace slipway::plan {
namespace {

namespace fs = std::filesystem;

std::string Canonical(const std::string& path) {
  std::error_code error;
  fs::path canonical = fs::weakly_canonical(path, error);
  return error ? fs::path(path).lexically_normal().string() : canonical.string();
}

class Loader {
 public:
  Loader(SourceManager& sources, const WorkflowPaths& workflow_paths,
         const step_api::StepCatalog& catalog, Diagnostics& diagnostics, WorkflowSet& set)
      : sources_(sources),
        workflow_paths_(workflow_paths),
        catalog_(catalog),
        diagnostics_(diagnostics),
        set_(set) {}

  /// Visits the calls of source `index` (at `level`: 1 for the main workflow), `root` being the
  /// root of its repository. `chain` holds the canonical paths of the files calling it.
  void Visit(uint32_t index, const std::string& root, int level, std::vector<std::string>& chain,
             std::vector<std::string>& names);

 private:
  /// The source for the file at `path` (read once); nullopt when it cannot be read.
  std::optional<uint32_t> Load(const std::string& uses, const std::string& path,
                               const std::string& canonical, const model::Job& job,
                               const std::string& root);

  SourceManager& sources_;
  const WorkflowPaths& workflow_paths_;
  const step_api::StepCatalog& catalog_;
  Diagnostics& diagnostics_;
  WorkflowSet& set_;
  std::map<std::string, uint32_t> by_path_;  // canonical path → source
};

std::optional<uint32_t> Loader::Load(const std::string& uses, const std::string& path,
                                     const std::string& canonical, const model::Job& job,
                                     const std::string& root) {
  if (auto it = by_path_.find(canonical); it != by_path_.end()) return it->second;
  std::string text, error;
  if (!model::ReadWholeFile(path, &text, &error)) {
    diagnostics_.Error("reusable-call", job.uses->where,
                       fmt::format("cannot read the workflow \"{}\" that job \"{}\" calls "
                                   "(\"{}\"): {}",
                                   uses, job.id.value, path, error));
    return std::nullopt;
  }
  const std::string sha256 = Sha256Hex(text);
  const FileId file = sources_.Add(path, std::move(text));
  validate::ValidateOptions options;
  options.read_callee = validate::LocalCalleeReader(root, workflow_paths_);
  std::optional<model::Workflow> workflow =
      validate::ValidateText(sources_, file, catalog_, diagnostics_, options);
  if (!workflow) return std::nullopt;
  if (!workflow->FindTrigger("workflow_call")) return std::nullopt;  // validate said so
  auto owned = std::make_unique<model::Workflow>(std::move(*workflow));
  WorkflowSource source;
  source.uses = uses;
  source.path = path;
  source.sha256 = sha256;
  source.workflow = owned.get();
  set_.owned.push_back(std::move(owned));
  const uint32_t index = static_cast<uint32_t>(set_.sources.size());
  set_.sources.push_back(std::move(source));
  by_path_[canonical] = index;
  return index;
}

void Loader::Visit(uint32_t index, const std::string& root, int level,
                   std::vector<std::string>& chain, std::vector<std::string>& names) {
  // Copied: Load() appends to set_.sources, which may move the source being visited.
  const model::Workflow* workflow = set_.sources[index].workflow;
  for (uint32_t j = 0; j < workflow->jobs.size(); ++j) {
    const model::Job& job = workflow->jobs[j];
    if (!job.uses || job.uses->has_expr) continue;
    const std::string& uses = job.uses->value;
    std::string callee_root;
    std::optional<std::string> path =
        validate::CalleePath(uses, root, workflow_paths_, &callee_root);
    if (!path) {
      // Outside its repository: validate's uses-format says so, and it is never read.
      if (validate::CallLeavesItsRepository(uses)) continue;
      const size_t at = uses.rfind('@');
      const size_t owner = uses.find('/');
      const size_t repo = owner == std::string::npos ? owner : uses.find('/', owner + 1);
      std::string repository = repo == std::string::npos ? uses : uses.substr(0, repo);
      diagnostics_.Error(
          "reusable-call", job.uses->where,
          at == std::string::npos
              ? fmt::format("job \"{}\" calls \"{}\", which is neither a local workflow "
                            "(\"./.github/workflows/x.yml\") nor \"owner/repo/path@ref\"",
                            job.id.value, uses)
              : fmt::format("job \"{}\" calls \"{}\" in another repository, which slipway does "
                            "not fetch; name a local checkout of it with --workflow-path "
                            "{}=DIR",
                            job.id.value, uses, repository));
      continue;
    }
    const std::string canonical = Canonical(*path);
    for (size_t k = 0; k < chain.size(); ++k) {
      if (chain[k] != canonical) continue;
      std::string cycle;
      for (size_t m = k; m < names.size(); ++m) cycle += "\"" + names[m] + "\" -> ";
      diagnostics_.Error("reusable-call", job.uses->where,
                         fmt::format("reusable workflow calls form a cycle: {}\"{}\"", cycle,
                                     uses));
      break;
    }
    if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) continue;
    if (level + 1 > kMaxWorkflowLevels) {
      diagnostics_.Error(
          "reusable-call", job.uses->where,
          fmt::format("job \"{}\" calls \"{}\" at level {} of nested workflows; GitHub connects "
                      "at most {} levels (the caller and nine levels of reusable workflows)",
                      job.id.value, uses, level + 1, kMaxWorkflowLevels));
      continue;
    }
    std::optional<uint32_t> callee = Load(uses, *path, canonical, job, callee_root);
    if (!callee) continue;
    set_.sources[index].calls[j] = *callee;
    chain.push_back(canonical);
    names.push_back(uses);
    Visit(*callee, callee_root, level + 1, chain, names);
    chain.pop_back();
    names.pop_back();
  }
}

}  // namespace

WorkflowSet LoadCalledWorkflows(SourceManager& sources, const model::Workflow& main,
                                const std::string& main_path, const std::string& work_dir,
                                const WorkflowPaths& workflow_paths,
                                const step_api::StepCatalog& catalog, Diagnostics& diagnostics) {
  WorkflowSet set;
  WorkflowSource top;
  top.path = main_path;
  top.sha256 = main.file != kNoFile ? Sha256Hex(sources.text(main.file)) : "";
  top.workflow = &main;
  set.sources.push_back(std::move(top));
  Loader loader(sources, workflow_paths, catalog, diagnostics, set);
  std::vector<std::string> chain{Canonical(main_path)};
  std::vector<std::string> names{main_path};
  loader.Visit(0, work_dir, 1, chain, names);
  return set;
}

}  // namespace slipway::plan
