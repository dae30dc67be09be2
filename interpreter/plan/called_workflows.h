#pragma once
/// Reading the workflows a run calls (`jobs.<id>.uses`), before planning: every local call
/// (`./.github/workflows/x.yml`, `./path/x.yml`, from the root of the calling file's
/// repository, as GitHub resolves them) and every call into another repository whose checkout
/// is named (`--workflow-path owner/repo=DIR`), transitively. Each file is read once, validated
/// like the main workflow (its problems are diagnostics with its own positions) and digested
/// (a callee that changes after a plan was reviewed is refused like a changed workflow).
///
/// Refused, each at the `uses:` of the call (rule "reusable-call"): a call into another
/// repository with no checkout named, a file that cannot be read, a cycle of calls, and more
/// than GitHub's ten levels of workflows.

#include <map>
#include <string>

#include "interpreter/base/diagnostic.h"
#include "interpreter/plan/workflow_call.h"
#include "interpreter/step_api/step_api.h"

namespace slipway::plan {

/// owner/repo → the directory of a local checkout of it (--workflow-path owner/repo=DIR).
using WorkflowPaths = std::map<std::string, std::string>;

/// Loads what `main` (read from `main_path`, in `sources`) calls. `work_dir` is the root of the
/// main workflow's repository. sources[0] of the result is `main` itself.
WorkflowSet LoadCalledWorkflows(SourceManager& sources, const model::Workflow& main,
                                const std::string& main_path, const std::string& work_dir,
                                const WorkflowPaths& workflow_paths,
                                const step_api::StepCatalog& catalog, Diagnostics& diagnostics);

}  // namespace slipway::plan
