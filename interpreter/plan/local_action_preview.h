#pragma once
/// What `plan` can say about local actions (`uses: ./path`) before anything runs: it reads each
/// one's action.yml from the working tree (BuildPlan itself does no I/O, so MakePlan calls this
/// afterwards). A composite action is listed with its steps; a metadata file that `run` would
/// refuse (YAML errors, unknown keys, `using: node20`, ...) becomes a positioned warning, so
/// the problem shows in the plan rather than halfway through the run. A directory that does
/// not exist yet is only noted: an earlier step (a checkout) may create it.

#include <string>

#include "interpreter/base/diagnostic.h"
#include "interpreter/plan/plan.h"

namespace slipway::plan {

/// Fills in `uses_note` and the preview of every `uses: ./...` step of `plan`; action files
/// are read relative to `work_dir` into `sources`, and their problems go to `diagnostics`.
void PreviewLocalActions(SourceManager& sources, const std::string& work_dir, Plan& plan,
                         Diagnostics& diagnostics);

}  // namespace slipway::plan
