#include "interpreter/exec/scheduler.h"

#include <fmt/format.h>

#include <algorithm>

#include "interpreter/exec/audit.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/run.h"
#include "interpreter/exec/scheduler_state.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/matrix.h"
#include "interpreter/plan/resolve.h"
#include "interpreter/plan/workflow_call.h"

namespace slipway::exec {

using nlohmann::ordered_json;

bool IsRestorable(const JobRecord& record) {
  return record.status == JobRecordStatus::kCompleted && record.result == JobResult::kSuccess &&
         !record.started_after_cancel;
}

Scheduler::Scheduler(const plan::Plan& plan, JobRunner& runner, RunEventQueue& events, Clock& clock,
                     RunRecord& record, const RunStore* store, const AuditLog* audit,
                     RunObserver* observer, const RunRequest* request)
    : plan_(plan),
      runner_(runner),
      events_(events),
      clock_(clock),
      record_(record),
      store_(store),
      audit_(audit),
      observer_(observer),
      request_(request) {}

Scheduler::~Scheduler() = default;

std::string Scheduler::InstanceKey(const std::string& job_id, const ordered_json& matrix) {
  return plan::InstanceKey(job_id, matrix);
}

void Scheduler::Expand() {
  jobs_.resize(plan_.jobs.size());
  // --job: the named jobs and everything they need.
  if (request_ && !request_->only_jobs.empty()) {
    const std::vector<std::string>& only_jobs = request_->only_jobs;
    std::vector<bool> wanted(plan_.jobs.size(), false);
    std::vector<uint32_t> stack;
    for (const plan::PlannedJob& job : plan_.jobs) {
      if (std::find(only_jobs.begin(), only_jobs.end(), job.id) != only_jobs.end()) {
        stack.push_back(plan::ToInt(job.index));
      }
    }
    while (!stack.empty()) {
      uint32_t j = stack.back();
      stack.pop_back();
      if (wanted[j]) continue;
      wanted[j] = true;
      for (plan::JobIndex need : plan_.jobs[j].needs) stack.push_back(plan::ToInt(need));
      // A call runs whole: its calling job and every job of the called workflow.
      if (plan_.jobs[j].caller) stack.push_back(plan::ToInt(*plan_.jobs[j].caller));
      for (const plan::PlannedJob& other : plan_.jobs) {
        if (other.caller && plan::ToInt(*other.caller) == j) {
          stack.push_back(plan::ToInt(other.index));
        }
      }
    }
    for (size_t j = 0; j < jobs_.size(); ++j) jobs_[j].selected = wanted[j];
  }
  for (const plan::PlannedJob& job : plan_.jobs) {
    uint32_t j = plan::ToInt(job.index);
    std::vector<ordered_json> combos = job.matrix;
    jobs_[j].run_time_matrix = !job.matrix_known;
    jobs_[j].fail_fast = job.fail_fast;
    jobs_[j].max_parallel = job.max_parallel;
    if (combos.empty()) combos.push_back(ordered_json());
    for (size_t k = 0; k < combos.size(); ++k) {
      Instance instance;
      instance.job = j;
      instance.ordinal = k;
      instance.matrix = combos[k];
      instance.key = InstanceKey(job.id, combos[k]);
      jobs_[j].instances.push_back(instances_.size());
      instances_.push_back(std::move(instance));
    }
  }
  unfinished_ = instances_.size();
  dependants_.assign(plan_.jobs.size(), {});
  unfinished_needs_.assign(plan_.jobs.size(), 0);
  for (const plan::PlannedJob& job : plan_.jobs) {
    uint32_t j = plan::ToInt(job.index);
    // A called job also waits for its call to start (StartCall / ReleaseCall).
    unfinished_needs_[j] = job.needs.size() + (job.caller ? 1 : 0);
    for (plan::JobIndex need : job.needs) dependants_[plan::ToInt(need)].push_back(j);
    if (unfinished_needs_[j] == 0) decidable_.push_back(j);
    if (job.caller) {
      CallLeg& leg = calls_[{plan::ToInt(*job.caller), job.caller_leg}];
      leg.caller = plan::ToInt(*job.caller);
      leg.members.push_back(j);
      ++leg.unfinished;
    }
  }
  for (auto& [key, leg] : calls_) {
    const std::vector<size_t>& legs = jobs_[key.first].instances;
    // A calling job whose matrix is known only at run time is refused before the run starts.
    leg.instance = legs.at(std::min(key.second, legs.size() - 1));
  }
  // Decide in file order (the worklist pops from the back).
  std::reverse(decidable_.begin(), decidable_.end());
  for (size_t i = 0; i < instances_.size(); ++i) instance_by_key_[instances_[i].key] = i;
  // --resume: successful instances keep their result and outputs and are not run again.
  for (size_t i = 0; i < instances_.size(); ++i) {
    Instance& instance = instances_[i];
    auto it = record_.jobs.find(instance.key);
    if (it == record_.jobs.end()) continue;
    // A calling job is not restored itself: its called jobs are, and its result and outputs
    // are made from theirs again.
    if (IsRestorable(it->second) && plan_.jobs[instance.job].callee == 0) {
      instance.restored = true;
    } else {
      // Anything else runs again from the start: forget the old attempt's partial record.
      it->second = JobRecord{};
    }
  }
  for (const plan::PlannedJob& job : plan_.jobs) {
    for (size_t i : jobs_[plan::ToInt(job.index)].instances) {
      JobRecord& rec = Touch(instances_[i].key);
      if (!instances_[i].restored) rec.status = JobRecordStatus::kQueued;
    }
  }
}

bool Scheduler::TryStart(size_t i) {
  Instance& instance = instances_[i];
  const plan::PlannedJob& job = plan_.jobs[instance.job];
  JobState& state = jobs_[instance.job];
  if (state.max_parallel && *state.max_parallel > 0 &&
      state.running >= static_cast<size_t>(*state.max_parallel)) {
    return false;
  }
  JobAssignment assignment;
  assignment.key = instance.key;
  assignment.index = job.index;
  assignment.job = &job;
  assignment.matrix = instance.matrix;
  assignment.needs = NeedsContext(instance.job);
  if (const CallLeg* leg = LegOf(instance.job)) assignment.call = leg->frame;
  if (!job.matrix.empty() || !job.matrix_known) {
    assignment.strategy = {
        {"fail-fast", state.fail_fast},
        {"job-index", instance.ordinal},
        {"job-total", state.instances.size()},
        {"max-parallel", state.max_parallel.value_or(static_cast<int>(state.instances.size()))}};
  } else {
    assignment.strategy = {
        {"fail-fast", state.fail_fast}, {"job-index", 0}, {"job-total", 1}, {"max-parallel", 1}};
  }
  instance.control = std::make_shared<JobControl>();
  if (forced_) instance.control->Force();
  assignment.control = instance.control;
  instance.state = InstanceState::kRunning;
  ++state.running;
  ++running_;
  JobRecord& rec = Touch(instance.key);
  rec.status = JobRecordStatus::kRunning;
  rec.started_at = FormatUtc(clock_.WallNow());
  rec.started_after_cancel = cancelled_;
  if (observer_) observer_->JobStarted(instance.key);
  runner_.Start(std::move(assignment));
  return true;
}

void Scheduler::StartReady() {
  for (auto it = ready_.begin(); it != ready_.end();) {
    if (!runner_.CanStartMore()) break;
    if (TryStart(*it)) {
      it = ready_.erase(it);
    } else {
      ++it;
    }
  }
}

void Scheduler::Finish(size_t i, JobOutcome outcome) {
  Instance& instance = instances_[i];
  const plan::PlannedJob& job = plan_.jobs[instance.job];
  JobState& state = jobs_[instance.job];
  if (instance.state == InstanceState::kDone) return;
  bool was_running = instance.state == InstanceState::kRunning;
  bool was_calling = instance.state == InstanceState::kCalling;
  if (instance.state == InstanceState::kReady) {
    ready_.erase(std::remove(ready_.begin(), ready_.end(), i), ready_.end());
  }
  instance.state = InstanceState::kDone;
  if (was_running) {
    --state.running;
    --running_;
  }
  ++state.done;
  --unfinished_;
  important_ = true;

  JobRecord& rec = Touch(instance.key);
  rec.status = JobRecordStatus::kCompleted;
  rec.result = outcome.result;
  rec.outputs = outcome.outputs;
  if (!outcome.steps.empty() || !instance.restored) rec.steps = outcome.steps;
  if (!instance.restored) rec.finished_at = FormatUtc(clock_.WallNow());
  for (const auto& [key, value] : outcome.outputs) state.outputs[key] = value;
  if (observer_) observer_->JobFinished(instance.key, outcome);
  if (!instance.restored) {
    Audit({{"kind", "job-result"},
           {"job", instance.key},
           {"result", JobResultName(outcome.result)},
           {"message", outcome.message}});
  }
  // A leg that fails with continue-on-error (evaluated for that leg, or a literal `true` the
  // plan knows) cancels nothing.
  outcome.continue_on_error = outcome.continue_on_error || job.continue_on_error;
  bool failed = outcome.result == JobResult::kFailure && !outcome.continue_on_error;
  instance.outcome = std::move(outcome);

  // fail-fast: a failed matrix instance cancels its siblings.
  if (failed && state.fail_fast && state.instances.size() > 1) {
    for (size_t sibling : state.instances) {
      Instance& other = instances_[sibling];
      if (other.state == InstanceState::kRunning && other.control) {
        other.control->Cancel();
      } else if (other.state == InstanceState::kCalling) {
        CancelCall(calls_[{instance.job, other.ordinal}],
                   "by fail-fast after " + instance.key + " failed");
      } else if (other.state == InstanceState::kReady || other.state == InstanceState::kPending) {
        if (other.state == InstanceState::kPending) {
          other.state = InstanceState::kReady;  // Finish() bookkeeping
        }
        Finish(sibling, JobOutcome{JobResult::kCancelled,
                                   {},
                                   {},
                                   "by fail-fast after " + instance.key + " failed",
                                   false});
      }
    }
  }

  if (was_calling) {
    --state.calling;
    StartWaitingCalls(instance.job);  // after fail-fast, which finishes the legs it cancels
  }

  if (state.done == state.instances.size() && !state.finished) {
    state.finished = true;
    // continue-on-error (AggregateResult): the job's failure does not fail its dependants or
    // the run.
    state.result = AggregateResult(state);
    state.upstream_failed = state.upstream_failed || state.result == JobResult::kFailure;
    state.chain_success = state.chain_success && state.result == JobResult::kSuccess;
    for (uint32_t dependant : dependants_[instance.job]) {
      if (--unfinished_needs_[dependant] == 0) decidable_.push_back(dependant);
    }
    if (job.caller) CallMemberFinished(instance.job);
    DecideReadyJobs();  // returns at once when called from inside its own loop
  }
}

void Scheduler::CancelRunning(bool force) {
  // GitHub evaluates each job's `if` again when a run is cancelled: a job whose condition still
  // holds (one that calls always() or cancelled()) is not cancelled, whether it is running or
  // about to start; only a second interrupt (force-cancel) stops it.
  auto runs_anyway = [&](const plan::PlannedJob& job) {
    plan::References refs = plan::FindReferences(job.if_condition);
    return !job.if_condition.empty() && (refs.Calls("always") || refs.Calls("cancelled"));
  };
  for (Instance& instance : instances_) {
    if (instance.state == InstanceState::kRunning && instance.control) {
      if (force) {
        instance.control->Force();
      } else if (!runs_anyway(plan_.jobs[instance.job])) {
        instance.control->Cancel();
      }
    }
  }
  std::vector<size_t> ready = ready_;
  for (size_t i : ready) {
    const plan::PlannedJob& job = plan_.jobs[instances_[i].job];
    if (force || !runs_anyway(job)) {
      Finish(i, JobOutcome{JobResult::kCancelled, {}, {}, "the run was cancelled", false});
    }
  }
}

void Scheduler::Apply(const RunEvent& event) {
  if (const auto* update = std::get_if<StepUpdate>(&event)) {
    JobRecord& rec = Touch(update->job_key);
    if (rec.steps.size() <= update->index) rec.steps.resize(update->index + 1);
    rec.steps[update->index] = update->step;
  } else if (const auto* status = std::get_if<JobStatusUpdate>(&event)) {
    bool running = status->phase == JobPhase::kRunning;
    Touch(status->job_key).status =
        running ? JobRecordStatus::kRunning : JobRecordStatus::kWaiting;
    important_ = true;
  } else if (const auto* finished = std::get_if<JobFinished>(&event)) {
    auto it = instance_by_key_.find(finished->job_key);
    if (it != instance_by_key_.end() && instances_[it->second].state == InstanceState::kRunning) {
      Finish(it->second, finished->outcome);
    }
  } else if (const auto* interrupted = std::get_if<Interrupted>(&event)) {
    if (observer_) observer_->Interrupted(interrupted->signal, interrupted->count);
    bool force = interrupted->count >= 2;
    if (!cancelled_) {
      Audit({{"kind", "run-cancel"}, {"signal", interrupted->signal}});
    }
    cancelled_ = true;
    important_ = true;
    forced_ = forced_ || force;
    CancelRunning(force);
  }
}

JobRecord& Scheduler::Touch(const std::string& key) {
  changed_.insert(key);
  return record_.jobs[key];
}

void Scheduler::Save(bool durable, bool whole) {
  if (!store_) return;
  // A failed write does not stop a deployment half-way (the next change retries), but it is
  // reported, and the run fails at its end (write_error()).
  Expected<bool> saved =
      whole ? store_->Save(record_, durable) : store_->SaveJobs(record_, changed_, durable);
  if (saved) changed_.clear();
  if (!saved) NoteWriteError("cannot write the run record: " + saved.error());
}

void Scheduler::Audit(nlohmann::json entry) {
  if (!audit_) return;
  entry["time"] = FormatUtc(clock_.WallNow());
  entry["run_id"] = record_.id;
  Expected<bool> appended = audit_->Append(std::move(entry));
  if (!appended) NoteWriteError("cannot write the audit log: " + appended.error());
}

void Scheduler::NoteWriteError(const std::string& error) {
  if (error == write_error_) return;
  if (write_error_.empty()) write_error_ = error;
  if (observer_) observer_->WriteFailed(error);
}

RunStatus Scheduler::Run() {
  Expand();
  DecideReadyJobs();
  Save(/*durable=*/true, /*whole=*/true);
  // run.json is rewritten at once (and fsynced) when a job starts, waits or ends; step
  // progress is written at most every kStepSaveInterval and not fsynced, so a job of many
  // short steps does not wait on the disk. Every rewrite is a rename, atomic for a process
  // killed at any point (kill -9, then --resume); only a power loss can cost the unsynced
  // step progress, never a job's result, which --resume relies on.
  constexpr auto kStepSaveInterval = std::chrono::milliseconds(200);
  auto last_save = std::chrono::steady_clock::now();
  bool dirty = false;
  while (unfinished_ > 0) {
    size_t started_before = running_;
    StartReady();
    if (unfinished_ == 0) break;
    if (running_ == 0 && ready_.empty()) break;  // nothing can make progress (cannot happen)
    if (running_ != started_before) dirty = important_ = true;
    std::optional<RunEvent> event;
    if (dirty && !important_) {
      event = events_.WaitUntil(last_save + kStepSaveInterval);
    } else if (!important_) {
      // Step updates are queued without waking this thread (JobExecution::ReportStep): one
      // may be waiting already, and any queued later is seen within the interval.
      event = events_.WaitUntil(std::chrono::steady_clock::now() + kStepSaveInterval);
    }
    if (event) {
      Apply(*event);
      dirty = true;
      // Apply whatever else is already queued before writing run.json once for the batch.
      while (std::optional<RunEvent> more = events_.TryPop()) Apply(*more);
    }
    auto now = std::chrono::steady_clock::now();
    if (dirty && (important_ || now - last_save >= kStepSaveInterval)) {
      Save(/*durable=*/important_);
      last_save = now;
      dirty = important_ = false;
    }
  }
  bool any_failure = false;
  bool any_cancelled = false;  // e.g. by a newer job of its concurrency group
  for (const JobState& job : jobs_) {
    any_failure = any_failure || job.result == JobResult::kFailure;
    any_cancelled = any_cancelled || job.result == JobResult::kCancelled;
  }
  RunStatus status = cancelled_      ? RunStatus::kCancelled
                     : any_failure   ? RunStatus::kFailure
                     : any_cancelled ? RunStatus::kCancelled
                                     : RunStatus::kSuccess;
  // A run whose record or audit could not be written fails loudly: its trail is incomplete.
  if (!write_error_.empty() && status == RunStatus::kSuccess) status = RunStatus::kFailure;
  record_.status = status;
  record_.finished_at = FormatUtc(clock_.WallNow());
  Save(/*durable=*/true, /*whole=*/true);
  return status;
}

}  // namespace slipway::exec
