// Deciding whether a ready job runs (scheduler.h): its needs' results, its `if` (default
// success()), a matrix known only at run time, and why a job that does not run is skipped.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "interpreter/exec/run.h"
#include "interpreter/exec/scheduler.h"
#include "interpreter/exec/scheduler_state.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/matrix.h"
#include "interpreter/plan/eval_scope.h"
#include "interpreter/plan/resolve.h"

namespace slipway::exec {

using nlohmann::ordered_json;

// The contexts a job-level `if:` or run-time matrix is evaluated in: github (with this run's id
// and the job), inputs, vars and needs — through the one scope builder (plan/eval_scope.h).
void Scheduler::FillJobScope(uint32_t job, plan::Scope& scope) const {
  static const ordered_json kNoInputs = ordered_json::object();
  const plan::PlannedJob& planned = plan_.jobs[job];
  const CallLeg* leg = LegOf(job);
  const ordered_json needs = NeedsContext(job);
  plan::EvaluationContexts contexts;
  contexts.github = &plan_.github;
  contexts.run_id = record_.id;
  // A called job's github context is its caller's (GitHub), but for the job's own id.
  contexts.job_id = planned.local_id.empty() ? planned.id : planned.local_id;
  contexts.inputs = leg ? (leg->frame ? &leg->frame->inputs : &kNoInputs) : &plan_.inputs;
  contexts.vars = &plan_.vars;
  contexts.needs = &needs;
  plan::FillScope(scope, contexts);
}

ordered_json Scheduler::NeedsContext(uint32_t job) const {
  ordered_json needs = ordered_json::object();
  for (plan::JobIndex need : plan_.jobs[job].needs) {
    uint32_t n = plan::ToInt(need);
    ordered_json outputs = ordered_json::object();
    for (const auto& [key, value] : jobs_[n].outputs) outputs[key] = value;
    const plan::PlannedJob& need_job = plan_.jobs[n];
    needs[need_job.local_id.empty() ? need_job.id : need_job.local_id] = {
        {"result", JobResultName(jobs_[n].result)}, {"outputs", std::move(outputs)}};
  }
  return needs;
}

JobResult Scheduler::AggregateResult(const JobState& job) const {
  bool any_failure = false, any_cancelled = false, all_skipped = true;
  for (size_t i : job.instances) {
    JobResult r = instances_[i].outcome.result;
    // A leg that failed with continue-on-error counts as a success for the job's result.
    if (r == JobResult::kFailure && instances_[i].outcome.continue_on_error) {
      r = JobResult::kSuccess;
    }
    any_failure = any_failure || r == JobResult::kFailure;
    any_cancelled = any_cancelled || r == JobResult::kCancelled;
    all_skipped = all_skipped && r == JobResult::kSkipped;
  }
  if (any_failure) return JobResult::kFailure;
  if (any_cancelled) return JobResult::kCancelled;
  if (all_skipped) return JobResult::kSkipped;
  return JobResult::kSuccess;
}

void Scheduler::DecideReadyJobs() {
  // A worklist, not a scan: deciding a job can finish it (skipped), which makes its
  // dependants decidable in turn.
  if (deciding_) return;
  deciding_ = true;
  while (!decidable_.empty()) {
    uint32_t j = decidable_.back();
    decidable_.pop_back();
    DecideJob(j);
  }
  deciding_ = false;
}

void Scheduler::DecideJob(uint32_t j) {
  const plan::PlannedJob& job = plan_.jobs[j];
  JobState& state = jobs_[j];
  if (state.decided) return;
  state.decided = true;

  bool all_success = true;
  bool upstream_failed = false;
  for (plan::JobIndex n : job.needs) {
    const JobState& need = jobs_[plan::ToInt(n)];
    all_success = all_success && need.chain_success;
    upstream_failed = upstream_failed || need.upstream_failed;
  }
  state.upstream_failed = upstream_failed;
  state.chain_success = all_success;  // and its own result, when it finishes
  // A job of a called workflow whose call did not start (or was cancelled) does not run.
  const CallLeg* leg = LegOf(j);
  const bool call_stopped = leg && (!leg->ran || leg->cancelled);
  plan::Condition condition;
  if (call_stopped) {
    condition.kind = plan::Condition::Kind::kTrue;  // decided below
  } else if (!job.if_condition.empty() || !all_success || cancelled_ || upstream_failed) {
    plan::Scope scope;
    FillJobScope(j, scope);
    scope.status = {all_success && !cancelled_, upstream_failed, cancelled_};
    condition =
        plan::EvaluateCondition(job.if_condition.empty() ? "success()" : job.if_condition, scope);
  }  // else: the implicit success() is true; no need to build contexts (the common case)

  std::optional<JobOutcome> decided;
  std::string matrix_error;
  if (!state.selected) {
    decided = JobOutcome{JobResult::kSkipped, {}, {}, "not selected with --job", false};
  } else if (call_stopped) {
    decided = JobOutcome{leg->cancelled || cancelled_ ? JobResult::kCancelled : JobResult::kSkipped,
                         {},
                         {},
                         leg->why_not,
                         false};
  } else if (condition.kind == plan::Condition::Kind::kError ||
             condition.kind == plan::Condition::Kind::kUnknown) {
    decided = JobOutcome{JobResult::kFailure,
                         {},
                         {},
                         fmt::format("cannot evaluate \"if: {}\": {}", job.if_condition,
                                     condition.kind == plan::Condition::Kind::kError
                                         ? condition.error
                                         : "unknown value " + condition.unknown)};
  } else if (condition.kind == plan::Condition::Kind::kFalse) {
    decided = JobOutcome{cancelled_ ? JobResult::kCancelled : JobResult::kSkipped,
                         {},
                         {},
                         cancelled_ ? "the run was cancelled" : WhySkipped(j),
                         false};
  } else if (std::string error = DecideStrategy(j); !error.empty()) {
    decided = JobOutcome{JobResult::kFailure, {}, {}, error, job.continue_on_error};
  } else if (state.run_time_matrix) {
    plan::Scope scope;
    FillJobScope(j, scope);
    if (!ExpandRunTimeMatrix(j, scope, &matrix_error)) {
      decided = JobOutcome{JobResult::kFailure, {}, {}, matrix_error, job.continue_on_error};
    }
  }
  std::vector<size_t> instances = state.instances;
  for (size_t i : instances) {
    Instance& instance = instances_[i];
    if (instance.restored) {
      const JobRecord& rec = record_.jobs[instance.key];
      JobOutcome outcome{JobResult::kSuccess, rec.outputs, rec.steps, "restored", false};
      instance.state = InstanceState::kRunning;  // Finish() expects a started instance
      ++state.running;
      ++running_;
      Finish(i, std::move(outcome));
      continue;
    }
    if (decided) {
      instance.state = InstanceState::kRunning;
      ++state.running;
      ++running_;
      Finish(i, *decided);
    } else if (job.callee != 0) {
      // A leg of a call takes no worker (its called jobs do), but max-parallel still bounds
      // how many legs' workflows run at once.
      state.waiting_calls.push_back(i);
    } else {
      instance.state = InstanceState::kReady;
      // Kept in instance (file) order, so jobs start in a stable order.
      ready_.insert(std::lower_bound(ready_.begin(), ready_.end(), i), i);
    }
  }
  if (!decided && job.callee != 0) StartWaitingCalls(j);
  if (decided && job.callee != 0) {
    // The call does not start: its jobs are skipped (cancelled with the run), saying why.
    for (auto& [key, call] : calls_) {
      if (key.first != j) continue;
      call.why_not = fmt::format("its calling job \"{}\" {}", job.id,
                                 decided->result == JobResult::kSkipped     ? "was skipped"
                                 : decided->result == JobResult::kCancelled ? "was cancelled"
                                                                            : "failed");
      ReleaseCall(call);
    }
  }
}

std::string Scheduler::DecideStrategy(uint32_t j) {
  if (!request_ || !request_->workflow) return "";
  const plan::PlannedJob& job = plan_.jobs[j];
  const model::Strategy& strategy = ModelJobOf(*request_, job).strategy;
  auto expression = [](const std::optional<model::Str>& text) {
    return text && text->value.find("${{") != std::string::npos;
  };
  if (!expression(strategy.fail_fast) && !expression(strategy.max_parallel)) return "";
  plan::Scope scope;
  FillJobScope(j, scope);
  JobState& state = jobs_[j];
  if (expression(strategy.fail_fast)) {
    Expected<ordered_json> value = plan::EvaluateTyped(strategy.fail_fast->value, scope, false);
    if (!value) return fmt::format("jobs.{}.strategy.fail-fast: {}", job.id, value.error());
    state.fail_fast = value->get<bool>();
  }
  if (expression(strategy.max_parallel)) {
    Expected<ordered_json> value = plan::EvaluateTyped(strategy.max_parallel->value, scope, true);
    if (!value) return fmt::format("jobs.{}.strategy.max-parallel: {}", job.id, value.error());
    const double number = value->get<double>();
    state.max_parallel = std::isfinite(number) && number >= 1 && number < 1e9
                             ? std::optional<int>(static_cast<int>(number))
                             : std::nullopt;
  }
  return "";
}

bool Scheduler::ExpandRunTimeMatrix(uint32_t j, const plan::Scope& scope, std::string* error) {
  const plan::PlannedJob& job = plan_.jobs[j];
  JobState& state = jobs_[j];
  if (!request_ || !request_->workflow) {
    *error = fmt::format("the matrix of \"{}\" is only known at run time ({})", job.id,
                         job.matrix_expression);
    return false;
  }
  Diagnostics diagnostics;
  plan::MatrixExpansion expansion =
      plan::ExpandMatrix(ModelJobOf(*request_, job).strategy, scope, diagnostics);
  if (diagnostics.has_errors() || !expansion.known || expansion.instances.empty()) {
    *error =
        fmt::format("cannot expand the matrix of \"{}\": {}", job.id,
                    diagnostics.has_errors()      ? diagnostics.items().front().message
                    : expansion.instances.empty() ? std::string("it has no combinations")
                                                  : "it reads " + expansion.unknown_expression);
    return false;
  }
  // The placeholder becomes the first combination; the others are appended.
  size_t placeholder = state.instances.front();
  changed_.insert(instances_[placeholder].key);
  record_.jobs.erase(instances_[placeholder].key);
  instance_by_key_.erase(instances_[placeholder].key);
  for (size_t k = 0; k < expansion.instances.size(); ++k) {
    size_t i = placeholder;
    if (k > 0) {
      i = instances_.size();
      instances_.emplace_back();
      instances_[i].job = j;
      state.instances.push_back(i);
      ++unfinished_;
    }
    Instance& instance = instances_[i];
    instance.ordinal = k;
    instance.matrix = expansion.instances[k];
    instance.key = InstanceKey(job.id, instance.matrix);
    instance_by_key_[instance.key] = i;
    auto old = record_.jobs.find(instance.key);
    instance.restored = old != record_.jobs.end() && IsRestorable(old->second);
    if (!instance.restored) Touch(instance.key) = JobRecord{};
  }
  state.run_time_matrix = false;
  return true;
}

std::string Scheduler::WhySkipped(uint32_t j) const {
  const plan::PlannedJob& job = plan_.jobs[j];
  // Only when the job's `if` is the implicit success() (or does not call a status function):
  // then the needs decided it.
  if (job.if_condition.empty() || !plan::FindReferences(job.if_condition).UsesStatusFunction()) {
    for (plan::JobIndex n : job.needs) {
      const JobState& need = jobs_[plan::ToInt(n)];
      if (need.result == JobResult::kSuccess) continue;
      const std::string& id = plan_.jobs[plan::ToInt(n)].id;
      switch (need.result) {
        case JobResult::kFailure:
          return "needs " + id + " failed";
        case JobResult::kCancelled:
          return "needs " + id + " was cancelled";
        case JobResult::kSkipped:
          return "needs " + id + " was skipped";
        case JobResult::kSuccess:
          break;
      }
    }
  }
  return "its if (" + job.if_condition + ") is false";
}

}  // namespace slipway::exec
