#pragma once
/// What `slipway approve` and `slipway reject` do: check a reviewer's decision against the
/// state of the run it is for, and record it only when it will count. Nothing is recorded that
/// the waiting gate would refuse (an environment the run is not waiting on, a non-reviewer,
/// the run's own actor under prevent_self_review, a repeat, a gate already satisfied), so
/// "recorded" means counted.

#include <string>

#include "interpreter/exec/approvals.h"

namespace slipway::exec {

enum class DecisionOutcome {
  kRecorded,    // exit 0
  kNotRunning,  // exit 1: the run ended (or its process is gone)
  kRefused,     // exit 2: the decision would not count; `message` says why
};

struct DecisionResult {
  DecisionOutcome outcome = DecisionOutcome::kRefused;
  std::string message;
};

/// Checks and records `decision` (an approval, or a rejection when `decision.rejected`) for
/// `environment` of run `run_id` in `state_dir`, and audits it.
DecisionResult SubmitDecision(const std::string& state_dir, const std::string& run_id,
                              const std::string& environment, const Approval& decision);

}  // namespace slipway::exec
