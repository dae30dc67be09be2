// The `uses:` executors of the table (step_executor.h): built-in steps (in-process, through
// the StepCatalog), local composite actions (composite_action.h), third-party actions with a
// local equivalent (their row of step_api/local_equivalents.h), and every other action.
#include <fmt/format.h>

#include <filesystem>
#include <mutex>

#include "interpreter/exec/audit.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/composite_action.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/masking_log.h"
#include "interpreter/exec/orphans.h"
#include "interpreter/exec/process.h"
#include "interpreter/exec/real_job_runner.h"
#include "interpreter/exec/run_overrides.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/exec/shell.h"
#include "interpreter/exec/step_executor.h"
#include "interpreter/exec/step_log.h"
#include "interpreter/model/step.h"
#include "interpreter/plan/env_gate.h"
#include "interpreter/plan/event.h"
#include "interpreter/plan/plan.h"
#include "interpreter/step_api/local_equivalents.h"
#include "interpreter/step_api/step_api.h"

namespace slipway::exec {
namespace {

/// What a built-in step sees of the run (step_api.h).
class BuiltinContext final : public step_api::StepContext {
 public:
  BuiltinContext(StepIo& io, const std::map<std::string, std::string>& env,
                 const std::string& working_directory)
      : io_(io), run_(io.run()), env_(env), working_directory_(working_directory) {}
  bool cancelled() const override { return io_.cancel().is_cancelled(); }
  void Log(std::string_view line) override { io_.Log(line); }
  void AddMask(std::string_view value) override { run_.masker->Add(value); }
  std::string Mask(std::string_view text) const override { return run_.masker->Mask(text); }
  MaskingLog MaskingLogCommand(const std::string& log_file) override {
    std::string error;
    MaskingLog log =
        exec::MaskingLogCommand(*run_.masker, run_.store->temp_dir(), log_file, &error);
    if (!error.empty()) io_.Log("warning: " + error + "; the log is written unmasked");
    return log;
  }
  /// The job's own secrets: an environment's secrets reach only its jobs (secrets.h).
  std::optional<std::string> Secret(std::string_view name) const override {
    return io_.Secret(name);
  }
  step_api::RunOrigin origin() const override {
    const plan::Plan& plan = *run_.request->plan;
    return {run_.run_id, plan.workflow_path, io_.job_key(),    plan.ref,
            plan.sha,    plan.actor,         io_.environment()};
  }
  step_api::RefPolicy DeploymentPolicy(std::string_view environment,
                                       std::string_view ref) const override;
  bool Sleep(std::chrono::milliseconds duration) override {
    return run_.clock->SleepFor(duration, io_.cancel());
  }
  std::string state_dir() const override { return run_.store->state_dir(); }
  std::string run_dir() const override { return run_.store->run_dir(); }
  std::string artifacts_dir() const override { return run_.store->artifacts_dir(); }
  std::string workspace() const override { return run_.workspace; }
  int RunCommand(const std::string& script, std::string* output) override {
    return Command(script, output, /*log_stdout=*/true);
  }
  int RunCommandQuietly(const std::string& script, std::string* output) override {
    return Command(script, output, /*log_stdout=*/false);
  }
  void KeepRunning(int pid) override { exec::KeepRunning(pid); }
  void AppendAudit(const nlohmann::json& entry) override;
  int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               run_.clock->WallNow().time_since_epoch())
        .count();
  }
  /// Why an audit entry the step asked for could not be written; "" when all were.
  const std::string& audit_error() const { return audit_error_; }

 private:
  StepIo& io_;
  const RunEnvironment& run_;
  const std::map<std::string, std::string>& env_;
  const std::string& working_directory_;
  int Command(const std::string& script, std::string* output, bool log_stdout);

  std::string audit_error_;
};

step_api::RefPolicy BuiltinContext::DeploymentPolicy(std::string_view environment,
                                                     std::string_view ref) const {
  const model::EnvironmentConfig* config =
      run_.request->environments && !environment.empty()
          ? run_.request->environments->Find(std::string(environment))
          : nullptr;
  if (!config) return step_api::RefPolicy::kNone;
  // The recorded ref as such (not a pull request's head branch): what deployed from it.
  plan::Event event;
  event.ref = std::string(ref);
  plan::SplitRef(event);
  plan::EnvironmentGate gate = plan::EvaluateGate(*config, *run_.request->environments, event);
  if (!gate.has_ref_policy) return step_api::RefPolicy::kNone;
  return gate.ref_allowed ? step_api::RefPolicy::kAdmits : step_api::RefPolicy::kRefuses;
}

void BuiltinContext::AppendAudit(const nlohmann::json& entry) {
  if (!run_.audit) return;
  nlohmann::json full = entry.is_object() ? entry : nlohmann::json{{"what", entry}};
  if (!full.contains("kind")) full["kind"] = "step";
  full["time"] = FormatUtc(run_.clock->WallNow());
  full["run_id"] = run_.run_id;
  full["actor"] = run_.request->plan->actor;
  full["workflow"] = run_.request->plan->workflow_path;
  Expected<bool> appended = run_.audit->Append(std::move(full));
  if (!appended && audit_error_.empty()) {
    audit_error_ = "cannot write the audit log: " + appended.error();
    io_.Log("error: " + audit_error_);
  }
}

int BuiltinContext::Command(const std::string& script, std::string* output, bool log_stdout) {
  // The script goes to a file (0600) as a `run:` step's does, not to `bash -c`: a command line
  // is readable by every local user (/proc/PID/cmdline), and a step's script may hold secrets
  // (a backup command's token, a health command's header). The file goes when the command ends.
  static const ShellTemplate kBash{{"bash", "--noprofile", "--norc", "-eo", "pipefail", "{0}"},
                                   ".sh", "", ""};
  Expected<ShellCommand> prepared = PrepareScript(kBash, script, io_.temp_dir());
  if (!prepared) {
    io_.Log("cannot write the step's command to a script file: " + prepared.error());
    return 127;
  }
  struct RemoveScript {
    std::string path;
    ~RemoveScript() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  } remove_script{prepared->script_path};
  ProcessOptions options;
  options.argv = prepared->argv;
  options.env = env_;
  options.working_directory = working_directory_;
  options.record_dir = run_.store->processes_dir();
  options.interrupt_grace = run_.interrupt_grace;
  options.terminate_grace = run_.terminate_grace;
  LineSplitter lines(
      [&](std::string_view line) {
        if (output) {
          output->append(line);
          output->push_back('\n');
        }
        if (log_stdout) io_.Log(line);
      },
      *run_.masker);
  LineSplitter errors([&](std::string_view line) { io_.Log(line); }, *run_.masker);
  ProcessResult result = RunProcess(
      options,
      [&](OutputStream stream, std::string_view chunk) {
        if (stream == OutputStream::kStderr && !log_stdout) {
          errors.Write(stream, chunk);
        } else {
          lines.Write(stream, chunk);
        }
      },
      &io_.cancel());
  lines.Flush();
  errors.Flush();
  if (result.end == ProcessEnd::kSpawnFailed) {
    io_.Log(result.error);
    return 127;
  }
  if (result.end == ProcessEnd::kExited) return result.exit_code;
  return result.end == ProcessEnd::kSignaled ? 128 + result.signal : 130;
}

class BuiltinExecutor final : public StepExecutor {
 public:
  StepOutcome Run(const ResolvedStep& step, StepIo& io) override {
    return RunBuiltinStep(step.uses, step.with, step, io);
  }
};

/// Runs a local composite action's steps with the job's own machinery.
class CompositeExecutor final : public StepExecutor {
 public:
  StepOutcome Run(const ResolvedStep& step, StepIo& io) override {
    CompositeHost& host = io.composite();
    CompositeCall call;
    call.uses = step.uses;
    call.step = step.step;
    call.caller_file = host.frame() ? host.frame()->file : io.run().request->plan->workflow_path;
    call.with = step.with;
    call.env = step.env;
    call.action = step.action;
    call.timeout_minutes = step.timeout_minutes;
    call.now = io.run().clock->Now();
    return RunCompositeAction(host, call);
  }
};

/// A tool's version banner (stdout and stderr), for the setup-* rows; nullopt when it cannot run.
std::optional<std::string> ProbeTool(const std::string& binary,
                                     const std::vector<std::string>& args,
                                     const std::map<std::string, std::string>& env) {
  ProcessOptions options;
  options.argv = {binary};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = env;
  options.timeout = std::chrono::milliseconds(10000);
  std::string output;
  ProcessResult result = RunProcess(
      options, [&](OutputStream, std::string_view chunk) { output.append(chunk); }, nullptr);
  if (result.end != ProcessEnd::kExited) return std::nullopt;
  return output;
}

/// A local equivalent's command (checkout's `git rev-parse`, `aws sts assume-role`), found on
/// the step's PATH (a rehearsal's shims answer it) and run in the workspace: its standard
/// output when it exited 0. Its standard error is not kept: the caller says what failed.
std::optional<std::string> CaptureCommand(const std::vector<std::string>& argv,
                                          std::map<std::string, std::string> env,
                                          const std::map<std::string, std::string>& extra_env,
                                          const std::string& workspace) {
  for (const auto& [key, value] : extra_env) env[key] = value;
  ProcessOptions options;
  options.argv = argv;
  options.env = std::move(env);
  options.working_directory = workspace;
  options.timeout = std::chrono::milliseconds(60000);
  std::string output;
  ProcessResult result = RunProcess(
      options,
      [&](OutputStream stream, std::string_view chunk) {
        if (stream == OutputStream::kStdout) output.append(chunk);
      },
      nullptr);
  if (!result.succeeded()) return std::nullopt;
  return output;
}

/// The artifacts directory of another run of this state directory (download-artifact's
/// `run-id`), or why there is none to read.
Expected<std::string> OtherRunArtifacts(const RunEnvironment& run, const std::string& run_id) {
  if (run.request->groups_taken_by_queue) {
    return MakeUnexpected(fmt::format(
        "run-id \"{}\": a worker of the PostgreSQL backend has only this run's artifacts; "
        "another run's cannot be downloaded",
        run_id));
  }
  std::error_code error;
  if (!IsValidRunId(run_id) ||
      !std::filesystem::is_directory(RunDirectory(run.store->state_dir(), run_id), error)) {
    return MakeUnexpected(fmt::format("run-id \"{}\": no such run in the state directory \"{}\"",
                                      run_id, run.store->state_dir()));
  }
  return RunDirectory(run.store->state_dir(), run_id) + "/artifacts";
}

/// A third-party action done by its row of the local-equivalents table.
class LocalEquivalentExecutor final : public StepExecutor {
 public:
  StepOutcome Run(const ResolvedStep& step, StepIo& io) override {
    const step_api::LocalEquivalentRow* row = step_api::FindLocalEquivalent(step.uses);
    if (!row) return StepOutcome::Failure("no local equivalent for \"" + step.uses + "\"");
    const RunEnvironment& run = io.run();
    if (row->as_builtin) {
      std::map<std::string, std::string> env = io.ProcessEnv(step, nullptr);
      step_api::BuiltinCall call = row->as_builtin(step.with, env, run.workspace);
      if (!call.error.empty()) return StepOutcome::Failure(call.error);
      io.Log(fmt::format("{}: done locally by {}", step.uses, call.uses));
      return RunBuiltinStep(call.uses, call.with, step, io);
    }
    step_api::LocalActionContext local;
    local.workspace = run.workspace;
    local.artifacts_dir = run.store->artifacts_dir();
    local.log = [&](std::string_view line) { io.Log(line); };
    local.set_env = [&](const std::string& key, const std::string& value) {
      io.SetEnv(key, value);
    };
    local.add_mask = [&](std::string_view value) { run.masker->Add(value); };
    local.staging_dir = run.store->temp_dir();
    local.mask = [&](std::string_view text) { return run.masker->Mask(text); };
    local.run_artifacts = [&run](const std::string& run_id) {
      return OtherRunArtifacts(run, run_id);
    };
    std::map<std::string, std::string> env = io.ProcessEnv(step, nullptr);
    if (auto path = env.find("PATH"); path != env.end()) local.path = path->second;
    local.env = env;
    local.run = [&env, &run](const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& extra_env)
        -> std::optional<std::string> {
      return CaptureCommand(argv, env, extra_env, run.workspace);
    };
    if (!run.request->overrides) {  // a rehearsal's tools are stubs: nothing to ask
      local.probe = [&env](const std::string& binary, const std::vector<std::string>& args)
          -> std::optional<std::string> { return ProbeTool(binary, args, env); };
    }
    step_api::StepOutcome done = row->run(step.uses, step.with, local);
    StepOutcome outcome;
    outcome.outputs = std::move(done.outputs);
    if (done.status != step_api::StepStatus::kSuccess) {
      outcome.outcome = StepConclusion::kFailure;
      outcome.message = done.message.empty() ? step.uses + " failed" : done.message;
    }
    return outcome;
  }
};

class UnknownActionExecutor final : public StepExecutor {
 public:
  StepOutcome Run(const ResolvedStep& step, StepIo& io) override {
    if (io.run().request->skip_unknown_actions) {
      io.Log(fmt::format(
          "SKIPPED: action \"{}\" has no local equivalent (--skip-unknown-actions)", step.uses));
      StepOutcome outcome;
      outcome.outcome = StepConclusion::kSkipped;
      return outcome;
    }
    return StepOutcome::Failure(fmt::format(
        "action \"{}\" has no local equivalent; rerun with --skip-unknown-actions to skip it",
        step.uses));
  }
};

}  // namespace

StepOutcome RunBuiltinStep(const std::string& uses, const nlohmann::json& with,
                           const ResolvedStep& step, StepIo& io) {
  const RunEnvironment& run = io.run();
  const step_api::StepTypeInfo* type = run.request->catalog ? run.request->catalog->FindByUses(uses) : nullptr;
  if (!type) {
    return StepOutcome::Failure(
        fmt::format("unknown built-in step \"{}\"; see `slipway steps`", uses));
  }
  std::map<std::string, std::string> env = io.ProcessEnv(step, nullptr);
  std::unique_ptr<step_api::StepImpl> impl = type->make();
  step_api::StepInputs inputs;
  inputs.with = with;
  if (run.request->overrides) run.request->overrides->RouteInputs(uses, &inputs.with);
  inputs.env = env;
  if (step.step && uses == step.uses) {
    for (const auto& [key, value] : step.step->with) inputs.with_written[key.value] = value.value;
  }
  BuiltinContext context(io, env, step.working_directory);
  step_api::StepOutcome done = impl->Run(inputs, context);
  StepOutcome outcome;
  outcome.outputs = std::move(done.outputs);
  switch (done.status) {
    case step_api::StepStatus::kSuccess:
      break;
    case step_api::StepStatus::kCancelled:
      outcome.outcome = StepConclusion::kCancelled;
      return outcome;
    case step_api::StepStatus::kFailure:
      outcome.outcome = StepConclusion::kFailure;
      outcome.message = done.message.empty() ? fmt::format("{} failed", uses) : done.message;
      return outcome;
  }
  if (!context.audit_error().empty()) {
    outcome.outcome = StepConclusion::kFailure;
    outcome.message = context.audit_error();
  }
  return outcome;
}

std::unique_ptr<StepExecutor> MakeBuiltinExecutor() { return std::make_unique<BuiltinExecutor>(); }
std::unique_ptr<StepExecutor> MakeCompositeExecutor() {
  return std::make_unique<CompositeExecutor>();
}
std::unique_ptr<StepExecutor> MakeLocalEquivalentExecutor() {
  return std::make_unique<LocalEquivalentExecutor>();
}
std::unique_ptr<StepExecutor> MakeUnknownActionExecutor() {
  return std::make_unique<UnknownActionExecutor>();
}

}  // namespace slipway::exec
