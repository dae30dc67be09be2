#pragma once
/// `plan` says, for each `actions/setup-*` step, which installed binary and version satisfy the
/// version it asks for, or that none does and the step will fail (step_api/tool_versions.h).
/// It runs the tools (`python3 --version`), so it is done after BuildPlan, like the local
/// action previews, and only when PlanOptions::probe_tools is set.

namespace slipway::plan {

struct Plan;

/// Appends the check's answer to each setup step's `local_equivalent` line. `work_dir` is where
/// version files (.python-version, .nvmrc, go.mod) are read.
void PreviewSetupTools(const char* work_dir, Plan& plan);

}  // namespace slipway::plan
