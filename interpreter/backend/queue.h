#pragma once
/// Queue: the work queue of the PostgreSQL backend, as River, graphile-worker and pg-boss do
/// it. A run is stored with one row per job instance; a job is `pending` until every job it
/// needs is `completed`, then (its `if:` decided from the stored results) `ready`, or
/// `waiting` at its environment's gate. Workers claim ready jobs whose `runs-on` labels they
/// serve, one statement per claim (FOR UPDATE SKIP LOCKED LIMIT n: one job, or one for each of
/// a worker's slots asking at once), and hold a lease per job they renew by heartbeat. The claim increments the job's `attempt`: that number is the fencing token,
/// and every later write for the job names it, so a worker whose lease expired (and whose job
/// was marked `lost` by a sweep) can write nothing any more. Completing a job stores its
/// result, outputs, steps and step logs and decides the jobs whose needs are now met, in one
/// transaction whose BEGIN and COMMIT travel with its statements (two round trips when no
/// dependant needs deciding). The hot paths are PL/pgSQL functions (schema version 3). A lost job is never re-run by itself: the run ends as failed, and resuming is
/// an explicit act.
///
/// Time is the database's (clock_timestamp()): leases, wait timers and approval timeouts hold
/// when no worker is alive. Wake-ups go through LISTEN/NOTIFY (channel slipway_work), and
/// workers also poll, since notifications are not durable.

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/exec/approvals.h"
#include "interpreter/exec/artifacts_index.h"
#include "interpreter/exec/job_runner.h"

namespace slipway::backend {

/// One job instance as submitted.
struct JobSpec {
  std::string key;     // "build" or "build (linux, 18)"
  std::string job_id;  // "build"
  int position = 0;    // file order, for a stable claim order within a run
  std::vector<std::string> needs;
  std::string if_condition;  // "" → success()
  std::vector<std::string> labels;
  nlohmann::json matrix;  // null without a matrix
  int max_parallel = 0;   // strategy.max-parallel of a matrix job; 0: no limit
  bool fail_fast = false;  // strategy.fail-fast of a matrix job
  std::string environment;
  /// The environment gate when it holds the job before it starts, else null:
  /// {"required", "users": [...], "prevent_self_review", "wait_timer_s", "approval_timeout_s"}.
  nlohmann::json gate;
  /// Job-level `concurrency.group` as planned: resolved text, or text whose `${{ }}` (reading
  /// needs, matrix or strategy) is evaluated when the job is decided. "" without one.
  std::string concurrency_group;
  bool cancel_in_progress = false;
  /// Its `cancel-in-progress` as written when known only at run time: evaluated when the job
  /// is decided, with its group. "" when `cancel_in_progress` says it.
  std::string cancel_in_progress_expression;
  /// A matrix known only at run time: this spec is the job's placeholder, and this its matrix
  /// as written (plan::MatrixDefinitionToJson), expanded into legs when the job is decided.
  std::string matrix_definition;
  /// A job of a called workflow: its call leg (the calling job's instance key); "" otherwise.
  std::string caller;
  /// It has `container:` or `services:`: only a worker with a container runtime claims it.
  bool needs_container = false;
};

/// Positions left free after a placeholder for the legs of its run-time matrix.
inline constexpr int kLegPositions = 256;  // plan::kMaxMatrixCombinations

/// A whole run as submitted (plan.h's facts, stored so that any worker can plan it again).
struct RunSpec {
  std::string id;
  std::string workflow;
  std::string workflow_sha256;
  std::string event, ref, sha, actor;
  nlohmann::json inputs = nlohmann::json::object();
  nlohmann::json vars = nlohmann::json::object();
  nlohmann::json github = nlohmann::json::object();
  nlohmann::json plan_options = nlohmann::json::object();
  std::string environments_file;
  std::string concurrency_group;  // "" → none
  bool cancel_in_progress = false;
  std::vector<JobSpec> jobs;
};

enum class RunState { kQueued, kRunning, kSuccess, kFailure, kCancelled };
const char* RunStateName(RunState state);
bool IsFinal(RunState state);

/// Who claims.
struct WorkerIdentity {
  std::string name;                 // host:pid by default
  std::vector<std::string> labels;  // a job is served when all its labels are in here
  bool any_labels = false;          // no --labels: serve every job
  std::chrono::milliseconds lease{15000};
  /// This host has a container runtime (podman or docker): only then are jobs with
  /// `container:` or `services:` claimed (RunWorker sets it from WorkerOptions).
  bool has_container_runtime = false;
};

/// A claimed job. `attempt` is the fencing token.
struct Claim {
  std::string run_id;
  std::string key;
  std::string job_id;
  int attempt = 0;
  std::string worker;
  nlohmann::json matrix;
  nlohmann::json needs;  // the needs context: {id: {"result", "outputs"}}
  double latency_ms = 0;  // from ready to claimed, in database time
  /// A matrix instance's strategy.job-index and job-total among its job's instances (as
  /// stored, so also for a matrix known only at run time); job_total 0 without a matrix.
  int job_index = 0;
  int job_total = 0;
};

/// A step's log as far as it is written (masked), pushed while the job runs.
struct LiveLog {
  size_t index = 0;  // 0-based
  std::string name;  // the step's id (or "step")
  std::string text;
};

/// What a job produced, as stored.
struct Completion {
  exec::JobResult result = exec::JobResult::kSuccess;
  std::map<std::string, std::string> outputs;
  std::vector<exec::StepRecord> steps;
  std::string message;
  std::vector<LiveLog> logs;  // masked
  /// What the steps stored under the run's artifacts/ on this worker (exec/artifacts_index.h),
  /// written with the completion to the artifacts table.
  std::vector<exec::ArtifactFile> artifacts;
};

/// A worker's next jobs, asked for along with a completion: claimed (as ClaimUpTo would) in the
/// completion's last round trip, once it committed.
struct NextClaims {
  const WorkerIdentity* worker = nullptr;
  int limit = 1;
  std::string only_run;
  /// Filled as soon as the completion committed, even when Complete then reports an error:
  /// these jobs are this worker's to run.
  std::vector<Claim> claimed;
};

/// Answer of a fenced write.
enum class Fence { kHeld, kCancelRequested, kLost };

/// What a worker needs to plan a stored run again.
struct StoredRun {
  nlohmann::json plan_options;
  std::string workflow_sha256;
};

/// A row of a call chain (Queue::CallChain): a job, and the frame of its call when it is a
/// calling job whose call started (null otherwise).
struct CallChainRow {
  std::string key;
  std::string job_id;
  nlohmann::json frame;
};

/// What `run --resume` did to an ended run.
struct ResumeReport {
  RunState state = RunState::kRunning;  // kQueued while its concurrency group is held
  std::vector<std::string> notices;     // lost jobs, said as a local resume says interrupted ones
};

/// The state of a run as `wait` and `show` need it.
struct RunStatusInfo {
  RunState state = RunState::kRunning;
  std::map<std::string, std::string> jobs;  // key → state or result
};

class Queue {
 public:
  /// Connects (and checks that `backend init` brought the schema to this version).
  /// `audit_key` (may be empty: no audit entries) signs the entries the queue writes.
  static Expected<std::unique_ptr<Queue>> Connect(const std::string& dsn,
                                                  const std::string& audit_key);
  ~Queue();

  /// Stores a run. Its root jobs become ready at once, unless its concurrency group is held
  /// (then the run is queued). Returns the run's state.
  Expected<RunState> Submit(const RunSpec& run);

  /// Claims the oldest ready job this worker serves (of `only_run` when set), or none.
  Expected<std::optional<Claim>> ClaimNext(const WorkerIdentity& worker,
                                           const std::string& only_run = "");
  /// The same for up to `limit` jobs at once (a worker with that many free slots), in one
  /// statement: each job is claimed by one worker only, with its own lease and attempt.
  Expected<std::vector<Claim>> ClaimUpTo(const WorkerIdentity& worker, int limit,
                                         const std::string& only_run = "");
  /// Renews the lease; kLost when it had expired or the job is no longer this attempt's.
  Expected<Fence> Heartbeat(const Claim& claim, std::chrono::milliseconds lease);
  /// Stores the logs of the claimed job's steps as far as they are written (fenced: nothing is
  /// written once the lease is lost).
  Expected<Fence> PushLogs(const Claim& claim, const std::vector<LiveLog>& logs);
  /// Completes the job and decides its dependants; kLost (nothing written, nothing claimed)
  /// when fenced out. With `next`, claims the worker's next jobs in the same round trip.
  Expected<Fence> Complete(const Claim& claim, const Completion& completion,
                           NextClaims* next = nullptr);

  /// Starts the call of a claimed calling job (calls.cc): stores its frame, and its called
  /// jobs become decidable while the row waits, pending, for them to end (then it is ready to
  /// be claimed again, to end the call). Fenced like Complete.
  Expected<Fence> StartCall(const Claim& claim, const nlohmann::json& frame);
  /// Job `key` and its callers outward: [0] the job, [1] the calling job whose call it is in,
  /// ... up to a job of the main workflow.
  Expected<std::vector<CallChainRow>> CallChain(const std::string& run_id, const std::string& key);

  /// Why claimed job `claim` must not start although it was claimed, "" when it may: the
  /// approvals the reviewers' roles stored for its run and `environment` since the job began to
  /// wait do not meet `policy` — the claiming worker's own plan's reviewers, not the stored
  /// row's, so that a job row edited or inserted to skip its gate is refused here (gates.cc).
  Expected<std::string> GateRefusal(const Claim& claim, const std::string& environment,
                                    const exec::ReviewerPolicy& policy);

  /// Marks jobs whose lease expired as lost, moves gates whose approvals arrived (or whose
  /// timeout passed), and ends runs with nothing left to do. Any process may call it.
  Expected<int> Sweep();

  /// Blocks until a notification arrives or `timeout` passes; true when one arrived.
  Expected<bool> WaitForNotification(std::chrono::milliseconds timeout);

  Expected<RunStatusInfo> Status(const std::string& run_id);
  Expected<StoredRun> Stored(const std::string& run_id);
  /// The artifacts the run's jobs stored so far, content included, in job (file) order: what
  /// a worker puts in place before a job that downloads artifacts runs.
  Expected<std::vector<exec::ArtifactFile>> RunArtifacts(const std::string& run_id);
  /// Asks a run to stop: pending and waiting jobs are cancelled, running ones told at their
  /// next heartbeat.
  Expected<bool> Cancel(const std::string& run_id);

  /// `run --resume`: jobs of an ended (failed or cancelled) run that did not succeed run again
  /// from their first step; successful ones keep their results and are not run again.
  Expected<ResumeReport> Resume(const std::string& run_id);

  /// The database role this queue connected as.
  const std::string& role() const;

 private:
  struct Impl;
  explicit Queue(std::unique_ptr<Impl> impl);
  /// Complete's transaction: nullopt when fenced out (nothing written), else whether the run
  /// has nothing left to do once it committed.
  std::optional<bool> CompleteInTx(const Claim& claim, const Completion& completion,
                                   NextClaims* next);
  /// Ends the run when nothing is left to do (after a completion committed and found the
  /// run drained).
  void EndRun(const std::string& run_id);
  std::unique_ptr<Impl> impl_;
};

}  // namespace slipway::backend
