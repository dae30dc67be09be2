// JobExecution (job_execution.h): the contexts, the step loop and the job's outputs. The gate
// and the concurrency group are in job_gate.cc; how each step runs is in the executors
// (step_executor.h).
#include "interpreter/exec/job_execution.h"
#include "interpreter/plan/eval_scope.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "interpreter/base/ascii.h"
#include "interpreter/exec/concurrency.h"
#include "interpreter/exec/console.h"
#include "interpreter/exec/job_containers.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/orphans.h"
#include "interpreter/exec/run_overrides.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/exec/secrets.h"
#include "interpreter/exec/shell.h"
#include "interpreter/exec/step_log.h"
#include "interpreter/model/step_ids.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/resolve.h"

namespace slipway::exec {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// GitHub's defaults: a job may run 360 minutes; steps that run after a cancellation get 5.
constexpr double kDefaultJobTimeoutMinutes = 360;
constexpr double kCancelTimeoutMinutes = 5;

std::chrono::milliseconds Minutes(double minutes) {
  return std::chrono::milliseconds(static_cast<int64_t>(minutes * 60'000));
}

// Minutes as a person writes them: 5, 0.5, 2.498 (never 2.4979999999999998).
std::string FormatMinutes(double minutes) { return fmt::format("{:g}", minutes); }

// A rehearsal's answer (step_api's outcome) as an executor's.
StepOutcome FromRehearsal(const step_api::StepOutcome& forced) {
  StepOutcome outcome;
  outcome.outputs = forced.outputs;
  switch (forced.status) {
    case step_api::StepStatus::kSuccess:
      break;
    case step_api::StepStatus::kCancelled:
      outcome.outcome = StepConclusion::kCancelled;
      break;
    case step_api::StepStatus::kFailure:
      outcome.outcome = StepConclusion::kFailure;
      outcome.message = forced.message;
      break;
  }
  return outcome;
}

}  // namespace

JobExecution::JobExecution(const RunEnvironment& run, const JobAssignment& job)
    : run_(run),
      job_(job),
      planned_(*job.job),
      model_(ModelJobOf(*run.request, *job.job)),
      executors_(run.request->executors ? run.request->executors->ForJob() : MakeRealExecutors()) {}

JobExecution::~JobExecution() = default;

void JobExecution::Log(std::string_view line) {
  if (log_) {
    log_->Line(line);
  } else {
    run_.console->Line(job_.key, line);
  }
}

double JobExecution::CancelTimeoutMinutes() const {
  return cancel_timeout_minutes_.value_or(kCancelTimeoutMinutes);
}

std::chrono::milliseconds JobExecution::StepTimeout(std::optional<double> minutes,
                                                    bool job_step) const {
  auto now = run_.clock->Now();
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - now);
  if (cancelled_at_start_of_step_) remaining = Minutes(CancelTimeoutMinutes());
  if (remaining.count() <= 0) remaining = std::chrono::milliseconds(1);
  if (minutes && *minutes > 0) remaining = std::min(remaining, Minutes(*minutes));
  if (!job_step && frame_ && frame_->deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*frame_->deadline - now);
    remaining = std::min(remaining, std::max(left, std::chrono::milliseconds(1)));
  }
  return remaining;
}

std::string JobExecution::Resolve(const model::Step& step, const plan::PlannedStep* planned,
                                  ResolvedStep* resolved) {
  std::string error;
  std::string at = fmt::format("steps[{}]", step.index);
  const ordered_json& env = resolved->env;
  resolved->step = &step;
  resolved->planned = planned;
  if (planned && step.timeout_minutes) {
    std::string timeout_error;
    resolved->timeout_minutes = StepTimeoutMinutes(step, env, &timeout_error);
    if (!timeout_error.empty()) {
      Log("error: An error occurred when attempting to determine the step timeout.");
      Log("error: " + timeout_error);
    }
  }
  resolved->timeout = StepTimeout(resolved->timeout_minutes, planned != nullptr);
  if (step.run) {
    resolved->kind = StepKind::kShell;
    resolved->script = EvaluateAt(at + ".run", *step.run, env, &error);
    // defaults.run applies to `run:` steps of the job itself, not inside composite actions
    // (GitHub's ScriptHandler: only when the step has no scope), job level over workflow level.
    const model::RunDefaults& job = model_.defaults;
    const model::RunDefaults& workflow = WorkflowOf(*run_.request, planned_).defaults;
    bool in_action = frame_ != nullptr;
    if (step.shell) {
      resolved->shell = EvaluateAt(at + ".shell", *step.shell, env, &error);
    } else if (!in_action && job.shell) {
      resolved->shell = EvaluateAt("defaults.run.shell", *job.shell, env, &error);
    } else if (!in_action && workflow.shell) {
      resolved->shell = EvaluateAt("defaults.run.shell", *workflow.shell, env, &error);
    }
    std::string wd;
    if (step.working_directory) {
      wd = EvaluateAt(at + ".working-directory", *step.working_directory, env, &error);
    } else if (!in_action && job.working_directory) {
      wd = EvaluateAt("defaults.run.working-directory", *job.working_directory, env, &error);
    } else if (!in_action && workflow.working_directory) {
      wd = EvaluateAt("defaults.run.working-directory", *workflow.working_directory, env,
                      &error);
    }
    // Relative to the workspace, as the runner's Path.Combine(workspace, dir): an absolute
    // directory stays as it is.
    resolved->working_directory = wd.empty()                     ? run_.workspace
                                  : fs::path(wd).is_absolute() ? wd
                                                               : run_.workspace + "/" + wd;
    return error;
  }
  resolved->working_directory = run_.workspace;
  if (!step.uses) return at + ": the step has neither run nor uses";
  resolved->uses = EvaluateAt(at + ".uses", *step.uses, env, &error);
  for (const auto& [key, value] : step.with) {
    std::unique_ptr<plan::Scope> scope = MakeScope(env);
    plan::Evaluation evaluated = plan::EvaluateValue(value.value, *scope);
    if (evaluated.kind == plan::Evaluation::Kind::kError) {
      if (error.empty()) {
        error = fmt::format("{}:{}:{}: {}.with.{}: {}", FileOf(*run_.request, planned_),
                            value.where.begin.line, value.where.begin.col, at, key.value,
                            evaluated.error);
      }
      continue;
    }
    resolved->with[key.value] = evaluated.value;
  }
  resolved->kind = ClassifyStep(false, resolved->uses, run_.request->catalog);
  return error;
}

StepOutcome JobExecution::Execute(const ResolvedStep& step) {
  // A rehearsal may answer for an action (run_overrides.h).
  if (!step.uses.empty() && run_.request->overrides) {
    if (std::optional<step_api::StepOutcome> forced =
            run_.request->overrides->ForceAction(step.uses)) {
      Log(fmt::format("{}: answered by the rehearsal", step.uses));
      return FromRehearsal(*forced);
    }
  }
  StepOutcome outcome = executors_->For(step.kind).Run(step, *this);
  if (outcome.timed_out) {
    outcome.outcome = StepConclusion::kFailure;
    if (run_.clock->Now() >= deadline_) timed_out_ = true;
    outcome.message =
        timed_out_
            ? fmt::format("the job exceeded its timeout ({} minutes)",
                          FormatMinutes(timeout_minutes_.value_or(kDefaultJobTimeoutMinutes)))
            // The runner's words (StepsRunner.RunStepAsync).
            : fmt::format("The action '{}' has timed out after {} minutes.", step.name,
                          FormatMinutes(step.timeout_minutes && *step.timeout_minutes > 0
                                            ? *step.timeout_minutes
                                        : frame_ && frame_->deadline ? frame_->timeout_minutes
                                                                     : CancelTimeoutMinutes()));
  }
  return outcome;
}

StepOutcome JobExecution::RunStep(const model::Step& step, const ordered_json& env,
                                  const std::string& action) {
  ResolvedStep resolved;
  resolved.env = env;
  resolved.action = action;
  // A step of a composite action runs under its own name; the calling step's comes back after.
  ordered_json outer = github_.value("action", ordered_json(""));
  github_["action"] = action;
  ordered_json outer_repository = github_.value("action_repository", ordered_json(""));
  ordered_json outer_ref = github_.value("action_ref", ordered_json(""));
  SetActionRepository(step);
  std::string error = Resolve(step, nullptr, &resolved);
  StepOutcome outcome = error.empty() ? Execute(resolved) : StepOutcome::Failure(error);
  github_["action"] = std::move(outer);
  github_["action_repository"] = std::move(outer_repository);
  github_["action_ref"] = std::move(outer_ref);
  return outcome;
}

StepRecord JobExecution::RunJobStep(const model::Step& step, const plan::PlannedStep* planned,
                                    size_t index) {
  StepRecord record;
  record.id = step.id ? step.id->value : "";
  ResolvedStep resolved;
  resolved.action = index < step_ids_.size() ? step_ids_[index] : record.id;
  // Set before anything of the step is evaluated (StepsRunner.cs), so `${{ github.action }}`
  // names the step.
  github_["action"] = resolved.action;
  SetActionRepository(step);
  // The step's env comes first (StepsRunner.cs): an error there fails the step at once, its
  // `if:` unasked and continue-on-error not applied.
  std::string env_error;
  resolved.env = StepEnv(step, &env_error);
  // The name is best effort (ActionRunner.TryUpdateDisplayName): an error leaves it as written
  // and is a warning.
  // The name or the whole script is evaluated, then trimmed and cut to its first line.
  model::Step::NameSource source = step.DisplayNameSource();
  std::string name_error;
  std::string name =
      EvaluateAt(fmt::format("steps[{}].name", index), source.text, resolved.env, &name_error);
  if (!name_error.empty()) {
    name = source.text.value;
    if (!step.name) name_error.clear();  // the script's own evaluation reports it as an error
  }
  resolved.name = model::FormatDisplayName(source.prefix, name);
  record.name = resolved.name;
  record.log = run_.store->StepLogPath(job_.key, index, record.id);
  cancelled_at_start_of_step_ = cancelled();

  plan::Condition condition;
  condition.kind = plan::Condition::Kind::kTrue;
  std::string condition_text;
  if (!env_error.empty()) {
    // Failed before its condition.
  } else if (step.if_condition) {
    condition_text = step.if_condition->value;
    condition = EvaluateCondition(condition_text, resolved.env);
  } else {
    // The implicit success(), without building a scope of every context for it.
    condition.kind =
        !failed_ && !cancelled() ? plan::Condition::Kind::kTrue : plan::Condition::Kind::kFalse;
  }
  if (condition.kind == plan::Condition::Kind::kFalse) {
    record.outcome = record.conclusion = StepConclusion::kSkipped;
    return record;
  }
  // When the job is cancelled while this step runs, the runner evaluates its `if:` again and
  // stops it only if that is now false: an always()/cancelled() step runs on. The contexts it
  // reads cannot change while it runs, so asking now with the job cancelled gives the answer.
  survives_cancel_ = false;
  // Only always() and cancelled() can be true once the job is cancelled (the implicit success()
  // is not), so other conditions are not evaluated twice.
  const std::string lowered = AsciiLower(condition_text);
  if (step.if_condition && env_error.empty() && !cancelled_at_start_of_step_ &&
      (lowered.find("always") != std::string::npos ||
       lowered.find("cancelled") != std::string::npos)) {
    assume_cancelled_ = true;
    survives_cancel_ = EvaluateCondition(condition_text, resolved.env).kind ==
                       plan::Condition::Kind::kTrue;
    assume_cancelled_ = false;
  }
  ReportStep(index, record);
  StepLog log(*run_.masker, *run_.console, job_.key, run_.store->run_dir() + "/" + record.log);
  log_ = &log;
  // Inside GitHub Actions each step is a collapsible group in the real runner's log.
  if (run_.console->github_actions()) {
    run_.console->Raw(fmt::format("::group::{} / {}", job_.key, record.name));
  }
  log.Line("> " + record.name);

  if (!name_error.empty()) log.Line("warning: " + name_error);
  StepOutcome outcome;
  bool final_failure = true;  // failed before it ran: continue-on-error does not apply
  if (!env_error.empty()) {
    outcome = StepOutcome::Failure(env_error);
  } else if (condition.kind != plan::Condition::Kind::kTrue) {
    outcome = StepOutcome::Failure(fmt::format(
        "steps[{}].if: cannot evaluate \"{}\": {}", index, condition_text,
        condition.error.empty() ? "unknown value " + condition.unknown : condition.error));
  } else {
    final_failure = false;
    if (std::optional<step_api::StepOutcome> forced =
            run_.request->overrides && !record.id.empty()
                ? run_.request->overrides->ForceStep(planned_.id, record.id)
                : std::nullopt) {
      log.Line("forced by the rehearsal");
      outcome = FromRehearsal(*forced);
    } else if (std::string resolve_error = Resolve(step, planned, &resolved);
               !resolve_error.empty()) {
      outcome = StepOutcome::Failure(resolve_error);
    } else {
      outcome = Execute(resolved);
    }
  }

  bool continue_on_error = false;
  std::string coe_error;
  if (outcome.outcome == StepConclusion::kFailure && !final_failure) {
    record.outputs = outcome.outputs;
    continue_on_error = ContinueOnError(step, planned, resolved.env, record, &coe_error);
  }
  StepConclusion conclusion =
      continue_on_error ? StepConclusion::kSuccess : outcome.outcome;
  if (outcome.outcome == StepConclusion::kFailure) {
    log.Line("error: " + outcome.message + (continue_on_error ? " (continue-on-error)" : ""));
  }
  if (!coe_error.empty()) {
    log.Line(
        "error: The step failed and an error occurred when attempting to determine whether to "
        "continue on error: " + coe_error);
  }
  log.Finish();  // the kept end of a truncated log, before the step's end is reported
  if (std::string log_error = log.error(); !log_error.empty()) {
    run_.console->Line(job_.key, "error: " + log_error);
    if (conclusion == StepConclusion::kSuccess) {
      outcome = StepOutcome::Failure(log_error);
      conclusion = StepConclusion::kFailure;
    }
  }
  if (run_.console->github_actions()) {
    run_.console->Raw("::endgroup::");
    if (conclusion == StepConclusion::kFailure) {
      run_.console->Raw(fmt::format("::error title={}::{}", job_.key, outcome.message));
    }
  }
  log_ = nullptr;
  record.outputs = std::move(outcome.outputs);
  record.outcome = outcome.outcome;
  record.conclusion = conclusion;
  if (conclusion == StepConclusion::kFailure) {
    failed_ = true;
    if (first_failure_.empty()) {
      first_failure_ = outcome.message.empty()
                           ? fmt::format("step \"{}\" failed", record.name)
                           : fmt::format("step \"{}\" failed: {}", record.name, outcome.message);
    }
  }
  return record;
}

void JobExecution::SetActionRepository(const model::Step& step) {
  // ActionRunner.cs: `owner/repo[/path]@ref` sets github.action_repository and action_ref;
  // every other step (run:, ./local, docker://) sets both to null, which steps see as empty
  // GITHUB_ACTION_REPOSITORY / GITHUB_ACTION_REF variables.
  std::string repository, ref;
  if (step.uses) {
    const std::string& uses = step.uses->value;
    size_t at = uses.find('@');
    if (at != std::string::npos && uses.rfind("./", 0) != 0 && uses.rfind("docker://", 0) != 0) {
      std::string_view name(uses.data(), at);
      size_t slash = name.find('/');
      if (slash != std::string_view::npos) name = name.substr(0, name.find('/', slash + 1));
      repository = std::string(name);
      ref = uses.substr(at + 1);
    }
  }
  github_["action_repository"] = repository;
  github_["action_ref"] = ref;
}

void JobExecution::SetUpContexts() {
  github_ = run_.github;
  github_["job"] = planned_.local_id.empty() ? planned_.id : planned_.local_id;
  // github.token is the GITHUB_TOKEN secret, as on GitHub (often an action input's default).
  if (auto token = run_.request->secrets.find("GITHUB_TOKEN");
      token != run_.request->secrets.end()) {
    github_["token"] = token->second;
  }
  vars_ = run_.request->plan->vars;
  runner_ctx_ = run_.runner;
  runner_ctx_["temp"] = temp_dir_;
  // runner.workspace is the directory that holds the workspace (JobExtension.cs: the runner's
  // <work>/<repo>, GITHUB_WORKSPACE being <work>/<repo>/<repo>): the checkout's parent here.
  if (auto workspace = github_.find("workspace"); workspace != github_.end() && workspace->is_string()) {
    runner_ctx_["workspace"] = fs::path(workspace->get<std::string>()).parent_path().string();
  }
}

void JobExecution::EvaluateJobOutputs(JobOutcome* outcome) {
  // As GitHub's runner (JobExtension.cs): an empty value is not set, so a later matrix leg
  // that leaves it empty does not overwrite an earlier leg's; a value that carries a secret
  // is not passed on. The values are strings, and the whole mapping is one evaluation
  // (EvaluateJobOutput): any error, a mapping or sequence included, fails the job and sets no
  // output. The env context is the job's with what its steps wrote to GITHUB_ENV (FinalizeJob
  // rebuilds it).
  const ordered_json env = CurrentEnv();
  for (const auto& [key, value] : model_.outputs) {
    std::string error;
    std::string text = EvaluateEnvAt("outputs." + key.value, value, env, &error);
    if (!error.empty()) {
      run_.console->Line(job_.key, "error: cannot evaluate the job's outputs: " + error);
      failed_ = true;
      if (outcome->message.empty()) outcome->message = error;
      outcome->outputs.clear();
      return;
    }
    if (text.empty()) continue;
    if (run_.masker->Mask(text) != text) {
      run_.console->Line(job_.key, fmt::format("warning: output \"{}\" is not passed on: it "
                                               "contains a secret",
                                               key.value));
      continue;
    }
    outcome->outputs[key.value] = text;
  }
}

JobOutcome JobExecution::Run() {
  if (std::optional<ForcedJob> forced = run_.request->overrides
                                            ? run_.request->overrides->ForceJob(planned_.id)
                                            : std::nullopt) {
    return JobOutcome{forced->result, forced->outputs, {}, "forced by the rehearsal"};
  }
  ReportPhase(JobPhase::kRunning);
  // The job's scratch directory: RUNNER_TEMP, its scripts and step files; outside the state
  // directory, so nothing a step is handed leads into it.
  temp_dir_ = run_.scratch_dir + "/" + SafeFileName(job_.key);
  if (::mkdir(temp_dir_.c_str(), 0700) != 0 && errno != EEXIST) {
    return JobOutcome{JobResult::kFailure,
                      {},
                      {},
                      fmt::format("cannot create \"{}\": {}", temp_dir_, std::strerror(errno))};
  }
  SetUpContexts();
  tracking_id_ = NewTrackingId();
  // Until the job's end, what carries its tracking id is the job's (StopOrphans leaves it).
  std::optional<RunningJob> running(std::in_place, tracking_id_);
  JobOutcome outcome;
  if (std::string error = EvaluateJobKeys(); !error.empty()) {
    run_.console->Line(job_.key, "error: " + error);
    return JobOutcome{JobResult::kFailure, {}, {}, error, false};
  }
  outcome.continue_on_error = continue_on_error_;

  std::optional<ConcurrencyLock> group_lock;
  if (std::optional<JobOutcome> refused = TakeConcurrencyGroup(&group_lock)) {
    refused->continue_on_error = outcome.continue_on_error;
    return *refused;
  }
  ConcurrencyWatch watch(group_lock ? &*group_lock : nullptr, *job_.control, [this] {
    cancel_reason_ = fmt::format(
        "a newer job took concurrency group \"{}\" (cancel-in-progress)", group_);
    run_.console->Line(job_.key, "cancelled: " + cancel_reason_);
  });
  Expected<DeployTarget> target = EvaluateEnvironment();
  if (!target) {
    run_.console->Line(job_.key, "error: " + target.error());
    return JobOutcome{JobResult::kFailure, {}, {}, target.error(), outcome.continue_on_error};
  }
  if (target->gate) {
    environment_ = target->gate->name;
    for (const auto& [key, value] : target->gate->vars) vars_[key] = value;
  }
  if (job_.call) {
    // A called job sees only the secrets passed to its call, and its own environment's.
    for (const auto& [key, value] : job_.call->secrets) {
      run_.masker->Add(value);
      secrets_[key] = value;
    }
    for (const auto& [key, value] : EnvironmentSecrets(run_.request->secrets, environment_)) {
      secrets_[key] = value;
    }
  } else {
    for (const auto& [key, value] : SecretsForJob(run_.request->secrets, environment_)) {
      secrets_[key] = value;
    }
  }
  WarnAboutMissingSecrets(target->gate ? &*target->gate : nullptr);
  if (target->gate) {
    if (std::optional<JobOutcome> refused = PassGate(*target->gate)) {
      refused->continue_on_error = outcome.continue_on_error;
      return *refused;
    }
  }

  // timeout-minutes counts from when the job may run: the environment's approvals and wait
  // timer come first, as on GitHub, where no runner takes the job before its gate opens.
  deadline_ =
      run_.clock->Now() + Minutes(timeout_minutes_.value_or(kDefaultJobTimeoutMinutes));

  std::string error;
  ordered_json workflow_env = ordered_json::object();
  for (const auto& [key, value] : WorkflowOf(*run_.request, planned_).env) {
    workflow_env[key.value] = EvaluateEnvAt("env." + key.value, value, workflow_env, &error);
  }
  job_env_ = workflow_env;
  for (const auto& [key, value] : model_.env) {
    job_env_[key.value] =
        EvaluateEnvAt("jobs." + planned_.id + ".env." + key.value, value, workflow_env, &error);
  }
  if (!error.empty()) {
    return JobOutcome{JobResult::kFailure, {}, {}, error, outcome.continue_on_error};
  }

  if (Expected<bool> made = run_.store->CreateStepLogDir(job_.key); !made) {
    return JobOutcome{JobResult::kFailure, {}, {}, made.error(), outcome.continue_on_error};
  }
  if (std::optional<JobOutcome> failed = StartContainers()) {
    failed->continue_on_error = outcome.continue_on_error;
    return *failed;
  }

  // Creating a file is the costliest filesystem call of a step on some filesystems (ext4 walks
  // recently freed inodes), so the later steps' logs are created beside the first steps.
  std::jthread log_maker;
  if (model_.steps.size() > 1) {
    log_maker = std::jthread([this] {
      for (size_t i = 1; i < model_.steps.size(); ++i) {
        const model::Step& step = model_.steps[i];
        std::string path = run_.store->run_dir() + "/" +
                           run_.store->StepLogPath(job_.key, i, step.id ? step.id->value : "");
        int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) close(fd);
      }
    });
  }
  step_ids_ = model::StepIds(model_.steps);
  for (size_t i = 0; i < model_.steps.size(); ++i) {
    const model::Step& step = model_.steps[i];
    const plan::PlannedStep* planned = i < planned_.steps.size() ? &planned_.steps[i] : nullptr;
    StepRecord record = RunJobStep(step, planned, i);
    if (!record.id.empty()) {
      ordered_json outputs = ordered_json::object();
      for (const auto& [key, value] : record.outputs) outputs[key] = value;
      // A finished step always has both; a missing one would read as a failure.
      steps_[record.id] = {
          {"outputs", outputs},
          {"outcome", StepConclusionName(record.outcome.value_or(StepConclusion::kFailure))},
          {"conclusion", StepConclusionName(record.conclusion.value_or(StepConclusion::kFailure))}};
    }
    ReportStep(i, record);
    outcome.steps.push_back(std::move(record));
  }

  EvaluateJobOutputs(&outcome);
  EvaluateEnvironmentUrl(&outcome);
  background_.clear();  // stops what the steps left running
  if (started_processes_) {
    // And what left the steps' process groups (setsid), as the runner's orphan clean-up.
    for (const std::string& orphan : StopTrackedProcesses(tracking_id_)) {
      run_.console->Line(job_.key, "Terminate orphan process: " + orphan);
    }
  }
  containers_.reset();  // removes the job's containers and network
  running.reset();
  if (started_processes_) {
    // Then what dropped RUNNER_TRACKING_ID to escape it: no running job accounts for it.
    for (const std::string& orphan : StopOrphans()) {
      run_.console->Line(job_.key, "Terminate orphan process: " + orphan);
    }
  }
  std::error_code removed;
  fs::remove_all(temp_dir_, removed);

  if (timed_out_) {
    outcome.result = JobResult::kFailure;
    outcome.message = fmt::format(
        "the job exceeded its timeout ({} minutes)",
        FormatMinutes(timeout_minutes_.value_or(kDefaultJobTimeoutMinutes)));
  } else if (job_.control->cancel->is_cancelled()) {
    outcome.result = JobResult::kCancelled;
    outcome.message = cancel_reason_;
  } else if (failed_) {
    outcome.result = JobResult::kFailure;
    if (outcome.message.empty()) outcome.message = first_failure_;
  }
  return outcome;
}

JobOutcome RunJob(const RunEnvironment& run, const JobAssignment& job) {
  JobExecution execution(run, job);
  return execution.Run();
}

}  // namespace slipway::exec
