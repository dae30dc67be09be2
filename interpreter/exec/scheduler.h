#pragma once
/// The scheduler: ninja's build loop over the plan's job graph. Only the scheduler thread
/// touches the run's state (the RunRecord and which jobs are done); job instances run on the
/// JobRunner's workers, which talk back through the EventQueue (STYLE.md §8).
///
///   start every ready instance that fits (--jobs, max-parallel); wait for one event; apply it
///   (run.json is rewritten atomically); repeat until every instance has a result.
///
/// GitHub's rules: a job is ready when all its needs have results; its `if` (default
/// `success()`) decides whether it runs — success() is true when every need succeeded,
/// failure() when any ancestor failed, cancelled() once the run is cancelled; a job that does
/// not run is "skipped" ("cancelled" when the run was cancelled). Matrix instances are jobs;
/// fail-fast cancels the siblings of a failed instance; continue-on-error turns a failed job
/// into a success for its dependants.

#include <cstdint>
#include <map>
#include <set>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/exec/job_runner.h"
#include "interpreter/plan/plan.h"
#include "interpreter/plan/resolve.h"

namespace slipway::model {
struct Workflow;
}

namespace slipway::exec {

class AuditLog;
class Clock;
struct RunRequest;

/// Whether a job of an earlier attempt is kept by --resume: completed with success.
bool IsRestorable(const JobRecord& record);

/// Runs `plan` to completion. `record` is the run record (jobs restored from a previous
/// attempt with result "success" are not run again; their outputs are reused). `store`,
/// `audit` and `request` may be null (tests).
class Scheduler {
 public:
  Scheduler(const plan::Plan& plan, JobRunner& runner, RunEventQueue& events, Clock& clock,
            RunRecord& record, const RunStore* store, const AuditLog* audit, RunObserver* observer,
            const RunRequest* request = nullptr);
  ~Scheduler();

  RunStatus Run();

  /// The first failure to write the run record or the audit log; "" when none. Such a run
  /// does not end as a success.
  const std::string& write_error() const { return write_error_; }

  /// The key of a job instance: the job id, or "id (v1, v2)" with the matrix values in order.
  static std::string InstanceKey(const std::string& job_id, const nlohmann::ordered_json& matrix);

 private:
  struct Instance;
  struct JobState;
  struct CallLeg;

  void Expand();
  void StartReady();
  bool TryStart(size_t instance);
  void Apply(const RunEvent& event);
  void Finish(size_t instance, JobOutcome outcome);
  void DecideReadyJobs();
  void DecideJob(uint32_t job);
  /// strategy.fail-fast and max-parallel written as expressions, evaluated when the job is
  /// decided (they may read needs, as on GitHub, which decides them when it creates the job):
  /// a boolean and a number, never a string from an expression; "" or why not.
  std::string DecideStrategy(uint32_t job);
  /// Replaces the placeholder instance of a run-time matrix job; false (and `error`) when the
  /// matrix cannot be expanded.
  bool ExpandRunTimeMatrix(uint32_t job, const plan::Scope& scope, std::string* error);
  void CancelRunning(bool force);
  // Reusable-workflow calls (scheduler_calls.cc).
  /// The call a job of a called workflow belongs to; null for the main workflow's jobs.
  CallLeg* LegOf(uint32_t job);
  const CallLeg* LegOf(uint32_t job) const;
  /// A calling job's leg may run: evaluates its inputs and secrets, then releases its jobs.
  void StartCall(size_t instance);
  /// Starts the legs of calling job `job` that max-parallel held back, while it allows.
  void StartWaitingCalls(uint32_t job);
  /// Lets the leg's jobs be decided (they run when `ran`, else are skipped).
  void ReleaseCall(CallLeg& leg);
  void CallMemberFinished(uint32_t job);
  /// Every job of the leg has a result: the calling instance ends with theirs and the outputs.
  void FinishCall(CallLeg& leg);
  void CancelCall(CallLeg& leg, const std::string& why);
  /// The secrets a job sees (a called job: those passed to its call).
  std::map<std::string, std::string> SecretsOf(uint32_t job) const;
  JobResult AggregateResult(const JobState& job) const;

  nlohmann::ordered_json NeedsContext(uint32_t job) const;
  void FillJobScope(uint32_t job, plan::Scope& scope) const;
  /// Records the jobs changed since the last save (RunStore::SaveJobs); `whole`: run.json is
  /// rewritten whole (the run's start and end); `durable` also flushes it to the disk.
  void Save(bool durable = true, bool whole = false);
  /// The run record of job `key`, marked as changed for the next Save.
  JobRecord& Touch(const std::string& key);
  void Audit(nlohmann::json entry);
  void NoteWriteError(const std::string& error);
  /// Why a job whose `if` is false is skipped: "needs build failed", or its `if`.
  std::string WhySkipped(uint32_t job) const;

  const plan::Plan& plan_;
  JobRunner& runner_;
  RunEventQueue& events_;
  Clock& clock_;
  RunRecord& record_;
  const RunStore* store_;
  const AuditLog* audit_;
  RunObserver* observer_;
  /// The run's request: its --job selection (only_jobs: these jobs and what they need) and the
  /// workflow model, for matrices known only at run time (`fromJSON(needs.x.outputs.y)`),
  /// expanded when the job becomes ready. Null (tests): every job, no run-time matrices.
  const RunRequest* request_;
  std::vector<Instance> instances_;
  std::vector<JobState> jobs_;
  std::vector<size_t> ready_;                      // instance indices ready to start, in plan order
  std::vector<std::vector<uint32_t>> dependants_;  // job → the jobs that need it
  std::vector<size_t> unfinished_needs_;           // job → needs without a result yet
  std::vector<uint32_t> decidable_;                // jobs whose needs all finished
  std::map<std::string, size_t> instance_by_key_;
  std::map<std::pair<uint32_t, size_t>, CallLeg> calls_;  // (calling job, leg) → the call
  std::set<std::string> changed_;  // job keys changed since the last Save
  bool important_ = false;  // a job-level change not yet written to run.json
  bool deciding_ = false;   // inside DecideReadyJobs (Finish must not recurse into it)
  std::string write_error_;
  bool cancelled_ = false;
  bool forced_ = false;
  size_t running_ = 0;
  size_t unfinished_ = 0;
};

}  // namespace slipway::exec
