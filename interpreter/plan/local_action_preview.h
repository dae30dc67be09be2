#pragma once
/// What `plan` can say about local actions (`uses: ./path`) before anything runs: it reads each
/// one's action.yml from the working tree (BuildPlan itself does no I/O, so MakePlan calls this
/// afterwards). A composite action is listed with its steps; one that `run` would refuse (YAML
/// errors, unknown keys, `using: node20`, ...) is marked so (validate's local-action rule
/// reports the problems with positions). An action.yml that is not there yet is only noted: an
/// earlier step (a checkout) may bring it.

#include <string>

#include "interpreter/plan/plan.h"

namespace slipway::plan {

/// Fills in `uses_note` and the preview of every `uses: ./...` step of `plan`, reading action
/// files relative to `work_dir`.
void PreviewLocalActions(const std::string& work_dir, Plan& plan);

}  // namespace slipway::plan
