#pragma once
/// JobRunner: the process boundary of the scheduler (ninja's CommandRunner). The scheduler
/// hands it one job instance at a time; the runner executes it on a worker and reports back
/// only through the EventQueue (StepUpdate, JobStatusUpdate, JobFinished); the worker tells
/// the user about its job's waits and steps itself (RunObserver, below). RealJobRunner
/// (real_job_runner.h) runs steps for real; tests/support/fake_job_runner.h records what would
/// run and finishes jobs on command.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "interpreter/exec/cancel_token.h"
#include "interpreter/exec/event_queue.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/plan/plan.h"

namespace slipway::exec {


/// The two stop signals of a running job: `cancel` (the run was cancelled, fail-fast, a job
/// timeout: stop the current step, still run always()/cancelled() steps) and `force` (a second
/// interrupt: stop everything now). Setting `force` also sets `cancel`.
struct JobControl {
  CancelTokenPtr cancel = CancelToken::Make();
  CancelTokenPtr force = CancelToken::Make();
  void Cancel() { cancel->RequestCancel(); }
  void Force() {
    cancel->RequestCancel();
    force->RequestCancel();
  }
};

/// What the jobs of one called workflow see of their call (one leg of the calling job), made
/// when the call starts: the typed `inputs` and the secrets passed (workflow_call.h).
struct CallFrame {
  nlohmann::ordered_json inputs = nlohmann::ordered_json::object();
  std::map<std::string, std::string> secrets;
};

/// One job instance to run: a planned job, or one combination of its matrix.
struct JobAssignment {
  std::string key;  // the run.json key: the job id, or "id (v1, v2)" for a matrix instance
  plan::JobIndex index{};
  const plan::PlannedJob* job = nullptr;
  nlohmann::ordered_json matrix;    // this instance's values; null without a matrix
  nlohmann::ordered_json strategy;  // {"fail-fast", "job-index", "job-total", "max-parallel"}
  nlohmann::ordered_json needs;     // the needs context: {id: {"result", "outputs"}}
  std::shared_ptr<JobControl> control;
  /// A job of a called workflow: its call's inputs and secrets; null for the main workflow's.
  std::shared_ptr<const CallFrame> call;
};

/// What a job produced.
struct JobOutcome {
  JobResult result = JobResult::kSuccess;
  std::map<std::string, std::string> outputs;
  std::vector<StepRecord> steps;
  std::string message;  // why it failed / was cancelled; "" on success
  /// The job's `continue-on-error`, evaluated for this instance (a matrix leg may differ from
  /// its siblings): a failure then neither fails the run nor cancels siblings (fail-fast).
  bool continue_on_error = false;
};

/// Events that workers send to the scheduler thread.
struct StepUpdate {
  std::string job_key;
  size_t index = 0;
  StepRecord step;
};
/// Where a started job is.
enum class JobPhase {
  kWaitingForGroup,  // for its concurrency group
  kWaitingAtGate,    // at its environment's gate (reviewers, wait timer)
  kRunning,
};
struct JobStatusUpdate {
  std::string job_key;
  JobPhase phase = JobPhase::kRunning;
  std::string environment;  // kWaitingAtGate: which one
};
struct JobFinished {
  std::string job_key;
  JobOutcome outcome;
};
/// SIGINT/SIGTERM (count: how many so far; the second one forces).
struct Interrupted {
  int signal = 0;
  int count = 1;
};
using RunEvent = std::variant<StepUpdate, JobStatusUpdate, JobFinished, Interrupted>;
using RunEventQueue = EventQueue<RunEvent>;

/// What the user is told as things happen (console, live view, event stream). A job's own
/// events (JobWaiting, JobRunning, StepStarted, StepFinished) are reported by the worker running
/// it, in the order they happen and in line with its output; the scheduler thread reports
/// JobStarted (before the worker starts), JobFinished, Interrupted and WriteFailed. So
/// implementations are called from several threads at once and must be thread-safe.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void JobStarted(const std::string& /*key*/) {}
  /// A wait at the job's environment's gate began (the reviewers', then the wait timer's: each
  /// is reported). A wait for the job's concurrency group is not reported.
  virtual void JobWaiting(const std::string& /*key*/) {}
  /// The job's worker reports it running (at its start, and again after its gate).
  virtual void JobRunning(const std::string& /*key*/) {}
  /// A step began (the record has no outcome yet).
  virtual void StepStarted(const std::string& /*key*/, const StepRecord& /*step*/) {}
  virtual void StepFinished(const std::string& /*key*/, const StepRecord& /*step*/) {}
  virtual void JobFinished(const std::string& /*key*/, const JobOutcome& /*outcome*/) {}
  virtual void Interrupted(int /*signal*/, int /*count*/) {}
  /// The run record or the audit log could not be written (once per distinct error).
  virtual void WriteFailed(const std::string& /*error*/) {}
};

/// Runs job instances; Start() returns at once and the outcome arrives later as JobFinished.
class JobRunner {
 public:
  virtual ~JobRunner() = default;
  /// True when another job may start now (fewer than --jobs running).
  virtual bool CanStartMore() const = 0;
  /// Starts `job`. Exactly one JobFinished with its key must follow.
  virtual void Start(JobAssignment job) = 0;
};

}  // namespace slipway::exec
