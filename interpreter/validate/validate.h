#pragma once
/// `slipway validate` as a library call: load a workflow, check it against the workflow JSON
/// Schema and every built-in step's input schema, run the semantic rules (rules.cc), and drop
/// findings silenced with `# slipway-ignore: rule-id` (on the line or the line above).

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/workflow.h"
#include "interpreter/step_api/step_api.h"

namespace slipway::validate {

/// How a file is validated.
struct ValidateOptions {
  /// The file is meant for GitHub too (`--portable`): slipway's extensions (an input's
  /// `pattern:`, built-in `slipway/*` steps) are warned about as not portable. Without it they
  /// are warned about only in files under .github/workflows/, which GitHub reads.
  bool portable = false;
  /// The text of the workflow a job calls (`jobs.<id>.uses`), or nullopt when it is not at
  /// hand; with it, the call is checked against the callee's `on.workflow_call` (inputs,
  /// secrets, outputs). Unset: calls are checked for syntax only.
  std::function<std::optional<std::string>(std::string_view uses)> read_callee;
  /// From this many jobs on, the checks run on two threads (the findings are the same, in the
  /// same order): a file of the maximum size takes both cores instead of one.
  size_t two_threads_from_jobs = 256;
};

/// A read_callee for local calls (`./.github/workflows/x.yml`, `./path/x.yml`), read relative to
/// `root` (the repository root, where slipway runs). Remote calls are not read.
std::function<std::optional<std::string>(std::string_view uses)> LocalCalleeReader(
    std::string root);
/// The same, also reading calls into another repository (`owner/repo/path@ref`) from the local
/// checkout `workflow_paths` names for owner/repo (`--workflow-path owner/repo=DIR`).
std::function<std::optional<std::string>(std::string_view uses)> LocalCalleeReader(
    std::string root, std::map<std::string, std::string> workflow_paths);

/// Where the file a job calls is on this machine: `./path` under `root` (the root of the
/// repository the calling file is in), `owner/repo/path@ref` under the checkout
/// `workflow_paths` names for "owner/repo"; nullopt when neither (a remote call with no
/// checkout named, or not a workflow call). `repo_root` (optional) receives the root of the
/// callee's repository, against which its own `./` calls resolve.
/// True when a call of a reusable workflow names a path outside its repository: "./../x.yml"
/// (model::LeavesRepository) or "owner/repo/../../x.yml@ref". Such a file is never read.
bool CallLeavesItsRepository(std::string_view uses);

std::optional<std::string> CalleePath(std::string_view uses, const std::string& root,
                                      const std::map<std::string, std::string>& workflow_paths,
                                      std::string* repo_root = nullptr);

/// Reads `path` into `sources`, loads and validates it. Returns the model whenever the file
/// could be read as YAML (even if it has errors: check `diagnostics.has_errors()` before
/// planning or running it); nullopt when there is nothing to build a model from.
std::optional<model::Workflow> ValidateFile(SourceManager& sources, const std::string& path,
                                            const step_api::StepCatalog& catalog,
                                            Diagnostics& diagnostics);

/// The same for a file already in `sources`. Only reads `sources`, so several threads may
/// validate different files of one SourceManager at once (nobody may Add meanwhile).
std::optional<model::Workflow> ValidateText(const SourceManager& sources, FileId file,
                                            const step_api::StepCatalog& catalog,
                                            Diagnostics& diagnostics);
std::optional<model::Workflow> ValidateText(const SourceManager& sources, FileId file,
                                            const step_api::StepCatalog& catalog,
                                            Diagnostics& diagnostics,
                                            const ValidateOptions& options);

/// Validates an already loaded workflow: schema pass, built-in step inputs, semantic rules, then
/// slipway-ignore comments. Appends to `diagnostics`.
void ValidateWorkflow(const model::Workflow& workflow, const SourceManager& sources,
                      const step_api::StepCatalog& catalog, Diagnostics& diagnostics);

}  // namespace slipway::validate
