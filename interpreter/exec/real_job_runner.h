#pragma once
/// RealJobRunner: runs job instances for real, each on its own worker thread (at most --jobs at
/// once). A job passes its environment's gate (deployment branch policy, required reviewers,
/// wait timer), then runs its steps in order: `run:` steps as processes (shell.h, process.h),
/// `uses: slipway/...` through the StepCatalog in-process, the common third-party actions
/// through their local equivalents (local_actions.h). Workers report only through the
/// EventQueue.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "interpreter/exec/job_runner.h"
#include "interpreter/exec/shell.h"

namespace slipway::model {
struct Workflow;
}
namespace slipway::step_api {
class StepCatalog;
}

namespace slipway::exec {

class ApprovalInbox;
class AuditLog;
class Clock;
class Console;
class Masker;
class RunOverrides;
class RunStore;

/// Everything jobs share during a run. Read-only while jobs run, except the Masker (which is
/// thread-safe) and the console/audit/store (which serialise their own writes).
struct RunEnvironment {
  const plan::Plan* plan = nullptr;
  const model::Workflow* workflow = nullptr;
  const step_api::StepCatalog* catalog = nullptr;
  Masker* masker = nullptr;
  const RunStore* store = nullptr;
  const AuditLog* audit = nullptr;  // may be null
  Clock* clock = nullptr;
  Console* console = nullptr;
  RunEventQueue* events = nullptr;
  std::string run_id;
  std::map<std::string, std::string> secrets;
  /// --approve ENV --as NAME, as (environment, reviewer).
  std::vector<std::pair<std::string, std::string>> approvals;
  /// Approvals typed at the terminal (null when stdin is not a TTY).
  std::shared_ptr<ApprovalInbox> inbox;
  std::string workspace;                        // absolute
  std::map<std::string, std::string> base_env;  // slipway's environment minus its own secrets
  RunnerInfo runner;                            // the fields common to every job
  bool skip_unknown_actions = false;
  const RunOverrides* overrides = nullptr;  // rehearsals only (run_overrides.h)
  std::chrono::milliseconds approval_poll{500};
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
