#pragma once
/// The protection rules a job meets before it starts: required reviewers, wait
/// timer, and the deployment branch/tag policy, from the environments configuration.
/// https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment#deployment-protection-rules

#include <optional>
#include <string>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/environments.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/event.h"
#include "interpreter/plan/plan.h"

namespace slipway::plan {

/// The gate of environment `config` for `event`: who must approve, the wait
/// timer, and whether `event.ref` may deploy (a branch must match
/// `deployment_branches.branches`, a tag `deployment_branches.tags`; without
/// `deployment_branches` every ref may).
EnvironmentGate EvaluateGate(const model::EnvironmentConfig& config,
                             const model::EnvironmentsConfig& all, const Event& event);

/// One sentence for the plan: "waits for 2 approvals (alice, bob, carol, dave;
/// self-review not allowed), then a 5m wait timer", or the refusal.
std::string DescribeGate(const EnvironmentGate& gate);

/// A run or plan in which a job uses an environment while no environments file was found
/// must not start (its rules are unknown, so nothing would gate it): the refusal naming the
/// environment and `looked_at` (where the file was looked for); nullopt when no job uses one.
std::optional<std::string> RefuseUnconfiguredGates(const Plan& plan, const std::string& looked_at);

/// `validate`'s check of the environments a workflow uses: a warning (rule "env-gate", at the
/// job's `environment:`) for each literal name the environments file found from the workflow's
/// repository root does not configure, or for every name when no such file exists (run and plan
/// would refuse the job). Names decided at run time (`${{ }}`) are not checked.
void WarnUnconfiguredEnvironments(const model::Workflow& workflow, const std::string& workflow_path,
                                  Diagnostics& diagnostics);

/// "5m", "1h30m", "48h", "0s".
std::string FormatDuration(int64_t seconds);

}  // namespace slipway::plan
