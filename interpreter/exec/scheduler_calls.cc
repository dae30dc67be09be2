// Reusable-workflow calls in the scheduler (scheduler.h): a calling job's leg takes no worker;
// when it may run, its `with:` and `secrets:` are evaluated (plan/workflow_call.h) and the
// called workflow's jobs of that leg become decidable; when the last of them has a result, the
// leg ends with theirs — failure if one failed, cancelled if one was cancelled, else success —
// and with the called workflow's `on.workflow_call.outputs`, which `needs.<call>.outputs`
// then reads, as on GitHub.
#include <fmt/format.h>

#include "interpreter/exec/call_leg.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/run.h"
#include "interpreter/exec/scheduler.h"
#include "interpreter/exec/scheduler_state.h"
#include "interpreter/exec/secrets.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/eval_scope.h"
#include "interpreter/plan/workflow_call.h"

namespace slipway::exec {

using nlohmann::ordered_json;

Scheduler::CallLeg* Scheduler::LegOf(uint32_t job) {
  const plan::PlannedJob& planned = plan_.jobs[job];
  if (!planned.caller) return nullptr;
  auto it = calls_.find({plan::ToInt(*planned.caller), planned.caller_leg});
  return it == calls_.end() ? nullptr : &it->second;
}

const Scheduler::CallLeg* Scheduler::LegOf(uint32_t job) const {
  return const_cast<Scheduler*>(this)->LegOf(job);
}

std::map<std::string, std::string> Scheduler::SecretsOf(uint32_t job) const {
  if (const CallLeg* leg = LegOf(job)) {
    return leg->frame ? leg->frame->secrets : std::map<std::string, std::string>{};
  }
  // A calling job has no environment: the repository's secrets.
  return request_ ? SecretsForJob(request_->secrets, "") : std::map<std::string, std::string>{};
}

void Scheduler::StartWaitingCalls(uint32_t job) {
  JobState& state = jobs_[job];
  const std::optional<int>& max = state.max_parallel;
  while (!state.waiting_calls.empty() &&
         (!max || *max <= 0 || state.calling < static_cast<size_t>(*max))) {
    size_t next = state.waiting_calls.front();
    state.waiting_calls.pop_front();
    if (instances_[next].state == InstanceState::kPending) StartCall(next);  // not cancelled
  }
}

void Scheduler::StartCall(size_t i) {
  Instance& instance = instances_[i];
  const uint32_t c = instance.job;
  const plan::PlannedJob& job = plan_.jobs[c];
  CallLeg& leg = calls_[{c, instance.ordinal}];
  instance.state = InstanceState::kCalling;
  ++jobs_[c].calling;
  JobRecord& rec = Touch(instance.key);
  rec.status = JobRecordStatus::kRunning;
  rec.started_at = FormatUtc(clock_.WallNow());
  important_ = true;
  if (observer_) observer_->JobStarted(instance.key);

  std::string error;
  const model::Workflow* callee = nullptr;
  if (request_ && request_->workflows && job.callee < request_->workflows->sources.size()) {
    callee = request_->workflows->sources[job.callee].workflow;
  }
  auto frame = std::make_shared<CallFrame>();
  if (!request_) {
    // Scheduler tests (no request): the call's jobs run with no inputs or secrets.
  } else if (!callee || !request_->workflow) {
    error = fmt::format("the workflow \"{}\" calls was not loaded", job.uses);
  } else {
    plan::Scope scope;
    FillJobScope(c, scope);
    scope.Set("matrix", instance.matrix);  // null without a matrix, as on GitHub
    scope.Set("strategy",
              ordered_json{{"fail-fast", jobs_[c].fail_fast},
                           {"job-index", instance.ordinal},
                           {"job-total", jobs_[c].instances.size()},
                           {"max-parallel", jobs_[c].max_parallel.value_or(
                                                static_cast<int>(jobs_[c].instances.size()))}});
    Expected<CallFrame> started =
        StartCallFrame(ModelJobOf(*request_, job), *callee, scope, plan_.vars, SecretsOf(c));
    if (started) {
      *frame = std::move(started).value();
    } else {
      error = started.error();
    }
  }
  if (!error.empty()) {
    leg.why_not = fmt::format("its calling job \"{}\" failed", instance.key);
    Finish(i, JobOutcome{JobResult::kFailure, {}, {},
                         fmt::format("cannot call \"{}\": {}", job.uses, error), false});
    ReleaseCall(leg);
    return;
  }
  leg.frame = std::move(frame);
  leg.ran = true;
  ReleaseCall(leg);
}

void Scheduler::ReleaseCall(CallLeg& leg) {
  if (leg.members.empty()) {
    if (leg.ran) FinishCall(leg);
    return;
  }
  // The worklist pops from the back: pushed in reverse, the called jobs are decided in file
  // order.
  for (auto it = leg.members.rbegin(); it != leg.members.rend(); ++it) {
    if (--unfinished_needs_[*it] == 0) decidable_.push_back(*it);
  }
  DecideReadyJobs();  // returns at once when called from inside its own loop
}

void Scheduler::CallMemberFinished(uint32_t job) {
  CallLeg* leg = LegOf(job);
  if (!leg || leg->unfinished == 0) return;
  if (--leg->unfinished == 0 && leg->ran) FinishCall(*leg);
}

void Scheduler::FinishCall(CallLeg& leg) {
  const plan::PlannedJob& caller = plan_.jobs[leg.caller];
  std::vector<CalledJobResult> jobs;
  for (uint32_t member : leg.members) {
    const plan::PlannedJob& planned = plan_.jobs[member];
    const JobState& state = jobs_[member];
    CalledJobResult& job = jobs.emplace_back();
    job.id = planned.id;
    job.local_id = planned.local_id;
    job.result = state.result;
    for (const auto& [key, value] : state.outputs) job.outputs[key] = value;
  }
  const model::Workflow* callee = nullptr;
  if (request_ && request_->workflows && caller.callee < request_->workflows->sources.size()) {
    callee = request_->workflows->sources[caller.callee].workflow;
  }
  plan::EvaluationContexts contexts;
  contexts.github = &plan_.github;
  contexts.run_id = record_.id;
  contexts.vars = &plan_.vars;
  Finish(leg.instance, EndCall(callee, leg.frame.get(), jobs, contexts));
}

void Scheduler::CancelCall(CallLeg& leg, const std::string& why) {
  leg.cancelled = true;
  if (leg.why_not.empty()) leg.why_not = why;
  for (uint32_t member : leg.members) {
    std::vector<size_t> instances = jobs_[member].instances;
    for (size_t i : instances) {
      Instance& instance = instances_[i];
      if (instance.state == InstanceState::kRunning && instance.control) {
        instance.control->Cancel();
      } else if (instance.state == InstanceState::kReady) {
        Finish(i, JobOutcome{JobResult::kCancelled, {}, {}, why, false});
      } else if (instance.state == InstanceState::kCalling) {
        CancelCall(calls_[{member, instance.ordinal}], why);
      }
    }
  }
}

}  // namespace slipway::exec
