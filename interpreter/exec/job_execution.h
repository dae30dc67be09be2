#pragma once
/// JobExecution: one job instance on a worker thread — ninja's Builder for one job. It owns the
/// job's contexts (github, env, vars, secrets, needs, matrix, steps, runner), the environment
/// gate and the step loop; how a step runs is its executor's business (step_executor.h), so it
/// never spawns a process itself. RunJob (real_job_runner.h) is its entry point.
///
/// The loop, as GitHub's runner does it: for each step, layer its env (workflow → job →
/// GITHUB_ENV → step), decide its `if` (default success()), resolve it, run it, record its
/// outcome and conclusion (continue-on-error), then the job's outputs (empty ones are not set)
/// and its result.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/composite_action.h"
#include "interpreter/exec/problem_matchers.h"
#include "interpreter/exec/process.h"
#include "interpreter/exec/real_job_runner.h"
#include "interpreter/exec/step_executor.h"

namespace slipway::model {
struct Job;
struct Str;
}  // namespace slipway::model

namespace slipway::exec {

class ConcurrencyLock;
class JobContainers;
class StepLog;

/// While a job holds a job-level concurrency group, watches for a newer job of the group that
/// asks it to stop (cancel-in-progress) and then cancels this job only (job_gate.cc).
class ConcurrencyWatch {
 public:
  ConcurrencyWatch(const ConcurrencyLock* lock, JobControl& control,
                   std::function<void()> on_cancel);
  ~ConcurrencyWatch();
  ConcurrencyWatch(const ConcurrencyWatch&) = delete;
  ConcurrencyWatch& operator=(const ConcurrencyWatch&) = delete;

 private:
  CancelTokenPtr stop_;
  std::thread thread_;
};

class JobExecution final : public StepIo, public CompositeHost {
 public:
  JobExecution(const RunEnvironment& run, const JobAssignment& job);
  ~JobExecution() override;

  JobOutcome Run();

  // StepIo
  const RunEnvironment& run() const override { return run_; }
  void Log(std::string_view line) override;
  std::string ShellSearchPath() const override;
  std::map<std::string, std::string> ProcessEnv(const ResolvedStep& step,
                                                const StepFiles* files) override {
    return StepEnvironment(step, files, /*host=*/true);
  }
  std::map<std::string, std::string> ContainerEnv(const ResolvedStep& step,
                                                  const StepFiles* files) override;
  JobContainers* containers(bool make) override;
  void SetEnv(const std::string& key, const std::string& value) override {
    github_env_[key] = value;
  }
  /// A directory added again moves to the front instead of appearing twice (the runner's
  /// AddPathFileCommand removes it first).
  void AddPath(const std::vector<std::string>& dirs) override {
    for (const std::string& dir : dirs) {
      std::erase(path_additions_, dir);
      path_additions_.insert(path_additions_.begin(), dir);
    }
  }
  void KeepAlive(ChildProcess child) override { background_.push_back(std::move(child)); }
  CancelToken& cancel() override {
    return cancelled_at_start_of_step_ || survives_cancel_ ? *job_.control->force
                                                           : *job_.control->cancel;
  }
  const std::string& temp_dir() const override { return temp_dir_; }
  CompositeHost& composite() override { return *this; }
  ProblemMatchers& matchers() override { return matchers_; }
  std::optional<std::string> Secret(std::string_view name) const override {
    auto it = secrets_.find(std::string(name));
    if (it == secrets_.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  }
  const std::string& job_key() const override { return job_.key; }
  const std::string& environment() const override { return environment_; }

  // CompositeHost
  const CompositeFrame* frame() const override { return frame_; }
  void SetFrame(const CompositeFrame* frame) override { frame_ = frame; }
  std::string EvaluateText(const std::string& text, const nlohmann::ordered_json& env,
                           std::string* error) override;
  plan::Condition EvaluateCondition(const std::string& text,
                                    const nlohmann::ordered_json& env) override;
  nlohmann::ordered_json github_env() const override { return github_env_; }
  bool ContinueOnError(const std::string& text, const nlohmann::ordered_json& env,
                       std::string* error) override;
  std::string EvaluateString(const std::string& text, const nlohmann::ordered_json& env,
                             std::string* error) override;
  StepOutcome RunStep(const model::Step& step, const nlohmann::ordered_json& env,
                      const std::string& action) override;
  const std::string& workspace() const override { return run_.workspace; }

 private:
  /// The environment a job deploys to, evaluated when it is about to start.
  struct DeployTarget {
    std::optional<plan::EnvironmentGate> gate;  // nullopt: no environment
  };

  bool cancelled() const { return job_.control->cancel->is_cancelled() || timed_out_; }
  void SetUpContexts();
  /// What a step that starts after the job was cancelled may take (cancel-timeout-minutes).
  double CancelTimeoutMinutes() const;
  /// github.action_repository / action_ref for the step about to run.
  void SetActionRepository(const model::Step& step);
  std::unique_ptr<plan::Scope> MakeScope(const nlohmann::ordered_json& env) const;
  /// Substitutes `value`; the first error names where it is: "wf.yml:12:15: steps[2].name: ...".
  std::string EvaluateAt(const std::string& key, const model::Str& value,
                         const nlohmann::ordered_json& env, std::string* error);
  /// "wf.yml:12:15: KEY: MESSAGE" (without the position when `value` has none).
  std::string Positioned(const std::string& key, const model::Str& value,
                         const std::string& message) const;
  /// An env value (a string; a mapping or sequence is an error), as EvaluateAt.
  std::string EvaluateEnvAt(const std::string& key, const model::Str& value,
                            const nlohmann::ordered_json& env, std::string* error);
  /// The job's env with what its steps wrote to GITHUB_ENV so far.
  nlohmann::ordered_json CurrentEnv() const;
  nlohmann::ordered_json StepEnv(const model::Step& step, std::string* error);
  /// Fills in what `step`'s executor needs; "" or the first evaluation error.
  std::string Resolve(const model::Step& step, const plan::PlannedStep* planned,
                      ResolvedStep* resolved);
  /// Runs a resolved step through the executor table and words its timeout.
  StepOutcome Execute(const ResolvedStep& step);
  StepRecord RunJobStep(const model::Step& step, const plan::PlannedStep* planned, size_t index);
  /// Whether the failed step `record` continues on error; `error`: why it could not be told.
  bool ContinueOnError(const model::Step& step, const plan::PlannedStep* planned,
                       const nlohmann::ordered_json& env, const StepRecord& record,
                       std::string* error);
  /// The job's continue-on-error, timeout-minutes and cancel-timeout-minutes, evaluated when it
  /// starts; "" or why one cannot be (the job then fails).
  std::string EvaluateJobKeys();
  /// A job step's `timeout-minutes`, evaluated as the runner's EvaluateStepTimeout does when
  /// the step starts: a number, cut to whole minutes; nullopt when there is none, or when it is
  /// not a number (`error` says why: the runner logs it and runs the step without a timeout).
  std::optional<double> StepTimeoutMinutes(const model::Step& step,
                                           const nlohmann::ordered_json& env, std::string* error);
  /// What a step may take: its own timeout (minutes, when set), the job's time left, or the
  /// cancel timeout for a step that starts after the job was cancelled.
  std::chrono::milliseconds StepTimeout(std::optional<double> minutes, bool job_step) const;
  void EvaluateJobOutputs(JobOutcome* outcome);
  std::map<std::string, std::string> StepEnvironment(const ResolvedStep& step,
                                                     const StepFiles* files, bool host);

  // job_container_setup.cc: `container:` and `services:`.
  /// Starts the job's containers, if it has any; a failure ends the job.
  std::optional<JobOutcome> StartContainers();
  /// The `job` context: status, and container/services when they run.
  nlohmann::ordered_json JobContext() const;

  // job_gate.cc: what a job passes before its first step.
  std::optional<JobOutcome> TakeConcurrencyGroup(std::optional<ConcurrencyLock>* lock);
  Expected<DeployTarget> EvaluateEnvironment();
  /// `environment.url`, evaluated when the job ends (GitHub: with the steps context).
  void EvaluateEnvironmentUrl(JobOutcome* outcome);
  std::optional<JobOutcome> PassGate(const plan::EnvironmentGate& gate);
  void WarnAboutMissingSecrets(const plan::EnvironmentGate* gate);
  void AuditGate(const plan::EnvironmentGate& gate, nlohmann::json entry);
  /// Where the job is: told to the observer now and to the scheduler (the run record).
  void ReportPhase(JobPhase phase);
  /// Step `index` started (its record has no outcome) or ended: told to the observer now, in
  /// line with the step's output, and queued for the run record without waking the scheduler
  /// (it saves step progress at most every 200 ms anyway).
  void ReportStep(size_t index, const StepRecord& record);

  const RunEnvironment& run_;
  const JobAssignment& job_;
  const plan::PlannedJob& planned_;
  const model::Job& model_;
  std::unique_ptr<StepExecutors> executors_;
  nlohmann::ordered_json github_;
  std::vector<std::string> step_ids_;  // GITHUB_ACTION of each step (model::StepIds)
  nlohmann::ordered_json vars_;
  nlohmann::ordered_json secrets_ = nlohmann::ordered_json::object();
  nlohmann::ordered_json runner_ctx_;
  nlohmann::ordered_json job_env_ = nlohmann::ordered_json::object();  // workflow + job env
  nlohmann::ordered_json github_env_ = nlohmann::ordered_json::object();  // GITHUB_ENV
  nlohmann::ordered_json steps_ = nlohmann::ordered_json::object();
  std::vector<std::string> path_additions_;  // GITHUB_PATH, newest first
  std::string PathAdditions() const;          // joined with ':', newest first
  std::string temp_dir_;
  /// The job's problem matchers (::add-matcher:: lasts until the job ends, for every step).
  ProblemMatchers matchers_;
  std::string environment_;    // the evaluated environment name; "" when none
  std::string first_failure_;  // the first failed step and why
  bool failed_ = false;
  bool timed_out_ = false;
  // RUNNER_TRACKING_ID of the job's processes, and whether any was started (orphans.h).
  std::string tracking_id_;
  bool started_processes_ = false;
  // EvaluateJobKeys: the job's own values, decided when it starts.
  bool continue_on_error_ = false;
  std::optional<double> timeout_minutes_;
  std::optional<double> cancel_timeout_minutes_;
  bool cancelled_at_start_of_step_ = false;
  // The running step's `if:` is still true once the job is cancelled (always(), cancelled()):
  // only a forced stop ends it.
  bool survives_cancel_ = false;
  bool assume_cancelled_ = false;  // MakeScope answers cancelled() with true
  bool audit_failed_ = false;  // a gate entry could not be written: the gate does not open
  Clock::TimePoint deadline_;
  std::vector<ChildProcess> background_;  // groups kept alive until the job ends
  std::unique_ptr<JobContainers> containers_;  // removed when the job ends
  std::string cancel_reason_;             // why the job was cancelled, when not by the run
  std::string group_;                     // the job-level concurrency group it holds, if any
  StepLog* log_ = nullptr;                // the running step's log
  // The composite action whose steps are running now (composite_action.h); null at job level.
  const CompositeFrame* frame_ = nullptr;
};

}  // namespace slipway::exec
