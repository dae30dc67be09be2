#pragma once
/// RunOverrides: the seam through which a rehearsal (`slipway test`, interpreter/rehearse/) has
/// its say over a run before work happens: a job or step forced to an outcome without running,
/// an action answered without running, a built-in step's URLs routed to loopback stubs. A real
/// run has none (RunRequest::overrides is null) and nothing here is reachable from the CLI's
/// `run` flags, so no protection rule can be bypassed through it: gates run before any step.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "interpreter/exec/job_runner.h"
#include "interpreter/step_api/step_api.h"

namespace slipway::exec {

/// A forced job: its result and outputs.
struct ForcedJob {
  JobResult result = JobResult::kSuccess;
  std::map<std::string, std::string> outputs;
};

class RunOverrides {
 public:
  virtual ~RunOverrides() = default;
  /// Consulted when job `job_id` starts, after its `if:` passed and before its gate: a value
  /// ends the job with that result and outputs, running nothing.
  virtual std::optional<ForcedJob> ForceJob(const std::string& job_id) const = 0;
  /// Consulted before a job-level step with id `step_id` runs (after its `if:` passed).
  virtual std::optional<step_api::StepOutcome> ForceStep(const std::string& job_id,
                                                         const std::string& step_id) const = 0;
  /// Consulted before a `uses:` step runs, with `uses` evaluated (any depth, composite actions
  /// included): a value answers the action instead of running it.
  virtual std::optional<step_api::StepOutcome> ForceAction(const std::string& uses) const = 0;
  /// Rewrites a built-in step's resolved inputs just before it runs.
  virtual void RouteInputs(const std::string& uses, nlohmann::json* with) const = 0;
};

}  // namespace slipway::exec
