#pragma once
/// Where a run's plan options come from when the command line is not the whole story:
/// `--from-plan FILE` (run exactly what was reviewed) and `--resume RUN_ID` (continue a run with
/// exactly what it started with). A flag given beside them must agree with what they record;
/// one that differs is an error (exit 2), never silently overridden.

#include <nlohmann/json.hpp>
#include <string>

#include "interpreter/base/expected.h"
#include "interpreter/plan/plan.h"
#include "interpreter/plan/plan_file.h"
#include "interpreter/exec/run_store.h"

namespace slipway::exec {

/// Replaces `options` (the flags as given) by what the reviewed plan file `path` records.
/// Returns the reviewed plan (for CheckReviewedPlan).
Expected<nlohmann::ordered_json> OptionsFromReviewedPlan(const std::string& path,
                                                         plan::PlanOptions* options);

/// After planning: the plan made now must be the reviewed one (same workflow bytes, same
/// environments file, same jobs).
Expected<bool> CheckReviewedPlan(const nlohmann::ordered_json& reviewed, const std::string& path,
                                 const plan::Plan& plan);

/// Replaces `options` (the flags as given) by what run `run_id` under `state_dir` started with.
Expected<bool> OptionsFromRunRecord(const std::string& state_dir, const std::string& run_id,
                                    plan::PlanOptions* options);

/// --resume runs exactly what the run started with: `plan` (made from the resume's flags)
/// must have the same workflow, event, ref, commit, actor, inputs, vars and environments file
/// (path and bytes) as `record`; otherwise an error naming what differs (a usage error).
/// What a resume trusts is what the audit log (MAC-chained, its key outside the workspace)
/// says, not the run record a process of the same user could edit: the run's run-start entry
/// must name the same workflow and environments file digests as now, and a job the record
/// calls successful is restored only when the log holds its success; any other is reset to run
/// again (a line in `notices` each). An error when the log does not verify or lacks the run,
/// or when the run's origin differs from now (CheckResumeMatches).
Expected<bool> CheckResume(RunRecord* record, const plan::Plan& plan,
                                       const std::string& state_dir,
                                       std::vector<std::string>* notices);


}  // namespace slipway::exec
