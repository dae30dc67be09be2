#pragma once
/// RealJobRunner: runs job instances for real, each on its own worker thread (at most --jobs at
/// once), through JobExecution (job_execution.h): the environment gate, then the steps in
/// order, each by its executor (step_executor.h). Workers report only through the EventQueue.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "interpreter/exec/container_runtime.h"
#include "interpreter/exec/job_runner.h"
#include "interpreter/exec/run.h"


namespace slipway::exec {

class ApprovalInbox;
class AuditLog;
class Clock;
class Console;
class Masker;
class RunOverrides;
class RunStore;

/// Everything jobs share during a run: the request (what the run was asked to do) and the
/// objects the run made for it. Read-only while jobs run, except the Masker (which is
/// thread-safe) and the console/audit/store (which serialise their own writes).
struct RunEnvironment {
  const RunRequest* request = nullptr;  // plan, workflow, catalog, secrets, approvals, ...
  Masker* masker = nullptr;
  const RunStore* store = nullptr;
  const AuditLog* audit = nullptr;  // may be null
  Clock* clock = nullptr;
  Console* console = nullptr;
  RunEventQueue* events = nullptr;
  /// Told of each job's waits and steps by the job's worker (may be null: nobody watches).
  RunObserver* observer = nullptr;
  std::string run_id;
  /// Approvals typed at the terminal (null when stdin is not a TTY).
  std::shared_ptr<ApprovalInbox> inbox;
  std::string workspace;  // absolute
  /// The run's scratch directory (absolute, 0700, outside the state directory): each job's
  /// RUNNER_TEMP, step scripts and step files live below it.
  std::string scratch_dir;
  std::map<std::string, std::string> base_env;  // slipway's environment minus its own secrets
  /// The `github` context every job starts from (the plan's, plus run_id, run_number,
  /// run_attempt, workspace, event_path) and the `runner` context (but `temp`, per job).
  nlohmann::ordered_json github = nlohmann::ordered_json::object();
  nlohmann::ordered_json runner = nlohmann::ordered_json::object();
  bool debug = false;  // RUNNER_DEBUG=1: ::debug:: lines are shown
  std::chrono::milliseconds approval_poll{500};
  /// The container runtime jobs with `container:`/`services:` and `docker://` steps use;
  /// nullopt: none (such jobs were refused, or run on the host with --no-containers).
  std::optional<ContainerRuntime> container_runtime;
  std::chrono::milliseconds interrupt_grace{7500};
  std::chrono::milliseconds terminate_grace{2500};
};

/// Runs one job instance to completion on the calling thread (gate, steps, outputs).
JobOutcome RunJob(const RunEnvironment& run, const JobAssignment& job);

class RealJobRunner final : public JobRunner {
 public:
  RealJobRunner(const RunEnvironment& run, size_t max_jobs);
  /// Joins every worker (the scheduler has already seen every JobFinished).
  ~RealJobRunner() override;

  bool CanStartMore() const override { return running_.load() < max_jobs_; }
  void Start(JobAssignment job) override;

 private:
  const RunEnvironment& run_;
  size_t max_jobs_;
  std::atomic<size_t> running_{0};
  std::mutex threads_mutex_;
  std::vector<std::thread> threads_;
};

}  // namespace slipway::exec
