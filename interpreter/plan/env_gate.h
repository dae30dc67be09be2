#pragma once
/// The protection rules a job meets before it starts: required reviewers, wait
/// timer, and the deployment branch/tag policy, from the environments configuration.
/// https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment#deployment-protection-rules

#include <string>

#include "interpreter/model/environments.h"
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

/// "5m", "1h30m", "48h", "0s".
std::string FormatDuration(int64_t seconds);

}  // namespace slipway::plan
