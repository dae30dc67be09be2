#pragma once
/// The planner's private state (planner.h), shared by planner.cc (the plan, each job's status
/// and gate) and plan_job.cc (one job's settings, and the jobs of the workflows it calls). Not
/// for use outside the planner.

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/model/job_graph.h"
#include "interpreter/plan/plan_steps.h"
#include "interpreter/plan/planner.h"
#include "interpreter/plan/resolve.h"

namespace slipway::plan::detail {

/// A job's result on the plan's success path, as its dependants see it.
enum class Outcome { kSuccess, kSkipped, kFailure, kUnknown };
const char* ResultName(Outcome outcome);

/// The per-job state carried to dependants (indexed by plan index).
struct JobState {
  Outcome outcome = Outcome::kSuccess;
  bool upstream_failed = false;  // some ancestor fails on the success path
  bool chain_broken = false;     // some ancestor fails or is skipped (the implicit success())
  int done_wave = 0;  // the wave its result is known in (a calling job: its last called job's)
};

/// One workflow file's jobs planned together: the main workflow, or one leg of a call.
struct Unit {
  const model::Workflow* workflow = nullptr;
  uint32_t source = 0;              // WorkflowSet index
  uint32_t base = 0;                // plan index of its first job
  std::string prefix;               // "" or "<calling job's instance key>/"
  std::optional<uint32_t> caller;   // plan index of the calling job
  size_t leg = 0;                   // the calling job's matrix leg
  int first_wave = 1;
  const Scope* scope = nullptr;     // workflow level: github, inputs, vars, env
  const EnvLayer* env = nullptr;    // the workflow's env
  int level = 1;                    // 1: the main workflow
};

class Planner {
 public:
  Planner(const model::Workflow& workflow, const PlanRequest& request, Diagnostics& diagnostics)
      : workflow_(workflow), request_(request), diagnostics_(diagnostics) {}

  Plan Build();

 private:
  /// Appends (or, for the main workflow, fills) the unit's jobs and plans them.
  void PlanUnit(Unit unit, Plan& plan);
  void PlanJob(const Unit& unit, uint32_t local, const model::JobGraph& graph, Plan& plan);
  /// The jobs of the workflow that job `index` calls, one unit per leg of its matrix.
  void PlanCall(const Unit& unit, uint32_t index, const Scope& job_scope, Plan& plan);
  void DecideStatus(const model::Job& job, const std::vector<uint32_t>& needs, const Scope& scope,
                    PlannedJob& planned, JobState& state);
  Condition EvaluateJobIf(const model::Job& job, const std::vector<uint32_t>& needs,
                          const std::vector<Outcome>& results, const Scope& scope,
                          StatusAssumption status);
  void ApplyGate(const model::Job& job, const Scope& scope, PlannedJob& planned);
  void CheckRunner(const model::Job& job, const Scope& scope, PlannedJob& planned);

  const model::Workflow& workflow_;
  const PlanRequest& request_;
  Diagnostics& diagnostics_;
  Scope root_;
  std::deque<std::unique_ptr<Scope>> scopes_;  // workflow-level scopes of the units
  std::deque<EnvLayer> envs_;
  std::vector<JobState> states_;
  std::vector<std::string> ids_;        // plan index → display id
  std::vector<std::string> local_ids_;  // plan index → id in its file (needs.<id>)
};

}  // namespace slipway::plan::detail
