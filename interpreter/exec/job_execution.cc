// RunJob (real_job_runner.h): one job instance, on a worker thread — the environment gate, the
// steps in order, then the job's outputs. Everything a step prints goes through the workflow
// command parser and the Masker before it reaches the step log or the console.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "interpreter/exec/approvals.h"
#include "interpreter/exec/audit.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/composite_action.h"
#include "interpreter/exec/concurrency.h"
#include "interpreter/exec/console.h"
#include "interpreter/exec/local_actions.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/process.h"
#include "interpreter/exec/real_job_runner.h"
#include "interpreter/exec/run_overrides.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/exec/secrets.h"
#include "interpreter/exec/workflow_commands.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/env_gate.h"
#include "interpreter/plan/resolve.h"
#include "interpreter/step_api/step_api.h"

namespace slipway::exec {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// GitHub's defaults: a job may run 360 minutes; steps that run after a cancellation get 5.
constexpr double kDefaultJobTimeoutMinutes = 360;
constexpr double kCancelTimeoutMinutes = 5;

// The whole file, "" when it cannot be read. Plain POSIX: it runs four times per `run:` step.
std::string ReadText(const std::string& path) {
  std::string text;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[16384];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  close(fd);
  return text;
}

std::chrono::milliseconds Minutes(double minutes) {
  return std::chrono::milliseconds(static_cast<int64_t>(minutes * 60'000));
}

/// Appends masked lines to one step's log file (and the console).
class StepLog {
 public:
  StepLog(const RunEnvironment& run, std::string job_key, const std::string& path)
      : run_(run), job_key_(std::move(job_key)), file_(std::fopen(path.c_str(), "ab")) {}
  ~StepLog() {
    if (file_) std::fclose(file_);
  }
  StepLog(const StepLog&) = delete;
  StepLog& operator=(const StepLog&) = delete;

  void Line(std::string_view text) {
    std::string masked = run_.masker->Mask(text);
    masked.push_back('\n');
    std::lock_guard<std::mutex> lock(mutex_);
    if (file_) {
      std::fwrite(masked.data(), 1, masked.size(), file_);
      std::fflush(file_);
    }
    masked.pop_back();
    run_.console->Line(job_key_, masked);
  }

 private:
  const RunEnvironment& run_;
  std::string job_key_;
  std::FILE* file_;
  std::mutex mutex_;
};

/// Splits a child's output into lines (per stream) without ever cutting a secret: a line is
/// only processed once complete.
class LineSplitter {
 public:
  /// A line longer than this is passed on in pieces, keeping back the longest secret's length
  /// (minus one) so a secret is never cut, and memory stays bounded.
  static constexpr size_t kMaxLine = 1 << 20;

  LineSplitter(std::function<void(std::string_view)> on_line, const Masker& masker)
      : on_line_(std::move(on_line)), masker_(masker) {}
  void Write(OutputStream stream, std::string_view chunk) {
    std::string& pending = stream == OutputStream::kStdout ? out_ : err_;
    pending.append(chunk);
    size_t start = 0;
    for (size_t nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
      std::string_view line(pending.data() + start, nl - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      on_line_(line);
      start = nl + 1;
    }
    pending.erase(0, start);
    if (pending.size() > kMaxLine) {
      std::shared_ptr<const Masker::Patterns> patterns = masker_.patterns();
      size_t keep = patterns->empty() ? 0 : patterns->front().size() - 1;
      on_line_(std::string_view(pending).substr(0, pending.size() - keep));
      pending.erase(0, pending.size() - keep);
    }
  }
  void Flush() {
    for (std::string* pending : {&out_, &err_}) {
      if (!pending->empty()) on_line_(*pending);
      pending->clear();
    }
  }

 private:
  std::function<void(std::string_view)> on_line_;
  const Masker& masker_;
  std::string out_;
  std::string err_;
};

class JobExecution;
class CompositeAdapter;

/// What a built-in step sees of the run (step_api.h).
class BuiltinContext final : public step_api::StepContext {
 public:
  BuiltinContext(JobExecution& job, StepLog& log, const std::map<std::string, std::string>& env,
                 CancelToken& cancel)
      : job_(job), log_(log), env_(env), cancel_(cancel) {}
  bool cancelled() const override { return cancel_.is_cancelled(); }
  void Log(std::string_view line) override { log_.Line(line); }
  void AddMask(std::string_view value) override;
  std::string Mask(std::string_view text) const override;
  bool Sleep(std::chrono::milliseconds duration) override;
  std::string state_dir() const override;
  std::string run_dir() const override;
  std::string artifacts_dir() const override;
  std::string workspace() const override;
  int RunCommand(const std::string& script, std::string* output) override;
  void AppendAudit(const nlohmann::json& entry) override;
  int64_t NowMs() const override;
  std::optional<std::string> Secret(std::string_view name) const override;

 private:
  JobExecution& job_;
  StepLog& log_;
  const std::map<std::string, std::string>& env_;
  CancelToken& cancel_;
};

class JobExecution {
 public:
  JobExecution(const RunEnvironment& run, const JobAssignment& job)
      : run_(run),
        job_(job),
        planned_(*job.job),
        model_(run.workflow->jobs.at(plan::ToInt(job.index))) {}

  JobOutcome Run();

  const RunEnvironment& run() const { return run_; }
  CancelToken& StepCancelToken() {
    return cancelled_at_start_of_step_ ? *job_.control->force : *job_.control->cancel;
  }
  std::chrono::milliseconds interrupt_grace() const { return run_.interrupt_grace; }

 private:
  bool cancelled() const { return job_.control->cancel->is_cancelled() || timed_out_; }
  std::optional<JobOutcome> TakeConcurrencyGroup(std::optional<ConcurrencyLock>* lock);
  std::optional<JobOutcome> PassGate();
  std::unique_ptr<plan::Scope> MakeScope(const ordered_json& env) const;
  std::string EvaluateText(const std::string& text, const ordered_json& env, std::string* error);
  ordered_json StepEnv(const model::Step& step, std::string* error);
  std::map<std::string, std::string> ProcessEnv(const ordered_json& env, const StepFiles* files,
                                                const std::string& action);
  StepRecord RunStep(const model::Step& step, const plan::PlannedStep* planned, size_t index);
  std::string RunShellStep(const model::Step& step, const plan::PlannedStep* planned,
                           const ordered_json& env, StepLog& log, const std::string& action,
                           std::map<std::string, std::string>* outputs);
  std::string RunUsesStep(const model::Step& step, const ordered_json& env, StepLog& log,
                          std::map<std::string, std::string>* outputs, bool* skipped);
  void HandleCommand(const WorkflowCommand& command, StepLog& log,
                     std::map<std::string, std::string>* outputs, std::string* failure);
  std::chrono::milliseconds StepTimeout(const plan::PlannedStep* planned) const;

  const RunEnvironment& run_;
  const JobAssignment& job_;
  const plan::PlannedJob& planned_;
  const model::Job& model_;
  ordered_json github_;
  ordered_json vars_;
  ordered_json secrets_ = ordered_json::object();
  ordered_json runner_ctx_;
  ordered_json job_env_ = ordered_json::object();     // workflow env + job env, evaluated
  ordered_json github_env_ = ordered_json::object();  // GITHUB_ENV from earlier steps
  ordered_json steps_ = ordered_json::object();
  std::vector<std::string> path_additions_;  // GITHUB_PATH, newest first
  std::string temp_dir_;
  // The previous `run:` step's script and files, reused by the next one (shell.h).
  std::string used_script_;
  std::optional<StepFiles> used_files_;
  bool failed_ = false;
  bool timed_out_ = false;
  bool cancelled_at_start_of_step_ = false;
  Clock::TimePoint deadline_;
  std::vector<ChildProcess> background_;  // groups kept alive until the job ends
  std::string cancel_reason_;             // why the job was cancelled, when not by the run
  std::string group_;                     // the job-level concurrency group it holds, if any
  // The composite action whose steps are running now (composite_action.h); null at job level.
  const CompositeFrame* frame_ = nullptr;
  friend class BuiltinContext;
  friend class CompositeAdapter;
};

/// Runs a local composite action's steps with this job's own machinery (composite_action.h).
class CompositeAdapter final : public CompositeHost {
 public:
  CompositeAdapter(JobExecution& job, StepLog& log) : job_(job), log_(log) {}
  const CompositeFrame* frame() const override { return job_.frame_; }
  void SetFrame(const CompositeFrame* frame) override { job_.frame_ = frame; }
  std::string EvaluateText(const std::string& text, const ordered_json& env,
                           std::string* error) override {
    return job_.EvaluateText(text, env, error);
  }
  plan::Condition EvaluateCondition(const std::string& text, const ordered_json& env) override {
    return plan::EvaluateCondition(text, *job_.MakeScope(env));
  }
  ordered_json github_env() const override { return job_.github_env_; }
  std::string RunStepBody(const model::Step& step, const ordered_json& env,
                          const std::string& action, std::map<std::string, std::string>* outputs,
                          bool* skipped) override {
    if (step.run) return job_.RunShellStep(step, nullptr, env, log_, action, outputs);
    return job_.RunUsesStep(step, env, log_, outputs, skipped);
  }
  void Log(std::string_view line) override { log_.Line(line); }
  const std::string& workspace() const override { return job_.run_.workspace; }

 private:
  JobExecution& job_;
  StepLog& log_;
};

void BuiltinContext::AddMask(std::string_view value) { job_.run().masker->Add(value); }
std::string BuiltinContext::Mask(std::string_view text) const {
  return job_.run().masker->Mask(text);
}

bool BuiltinContext::Sleep(std::chrono::milliseconds duration) {
  return job_.run().clock->SleepFor(duration, cancel_);
}

std::string BuiltinContext::state_dir() const { return job_.run().store->state_dir(); }
std::string BuiltinContext::run_dir() const { return job_.run().store->run_dir(); }
std::string BuiltinContext::artifacts_dir() const { return job_.run().store->artifacts_dir(); }
std::string BuiltinContext::workspace() const { return job_.run().workspace; }

void BuiltinContext::AppendAudit(const nlohmann::json& entry) {
  const RunEnvironment& run = job_.run();
  if (!run.audit) return;
  nlohmann::json full = entry.is_object() ? entry : nlohmann::json{{"what", entry}};
  if (!full.contains("kind")) full["kind"] = "step";
  full["time"] = FormatUtc(run.clock->WallNow());
  full["run_id"] = run.run_id;
  full["actor"] = run.plan->actor;
  full["workflow"] = run.plan->workflow_path;
  (void)run.audit->Append(std::move(full));
}

int64_t BuiltinContext::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             job_.run().clock->WallNow().time_since_epoch())
      .count();
}

std::optional<std::string> BuiltinContext::Secret(std::string_view name) const {
  auto it = job_.secrets_.find(std::string(name));
  if (it == job_.secrets_.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

int BuiltinContext::RunCommand(const std::string& script, std::string* output) {
  ProcessOptions options;
  options.argv = {"bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script};
  options.env = env_;
  options.working_directory = job_.run().workspace;
  options.record_dir = job_.run().store->processes_dir();
  options.interrupt_grace = job_.run().interrupt_grace;
  options.terminate_grace = job_.run().terminate_grace;
  LineSplitter lines(
      [&](std::string_view line) {
        if (output) {
          output->append(line);
          output->push_back('\n');
        }
        log_.Line(line);
      },
      *job_.run().masker);
  ProcessResult result = RunProcess(
      options, [&](OutputStream stream, std::string_view chunk) { lines.Write(stream, chunk); },
      &cancel_);
  lines.Flush();
  if (result.end == ProcessEnd::kSpawnFailed) {
    log_.Line(result.error);
    return 127;
  }
  if (result.end == ProcessEnd::kExited) return result.exit_code;
  return result.end == ProcessEnd::kSignaled ? 128 + result.signal : 130;
}

std::unique_ptr<plan::Scope> JobExecution::MakeScope(const ordered_json& env) const {
  auto scope = std::make_unique<plan::Scope>();
  // Inside a composite action: its own inputs and steps, github.action_path, and no
  // secrets/vars/needs (action.yml loading has already refused expressions that read them).
  // Its status functions follow the action's own steps (github.action_status), as on GitHub,
  // so an action called by an always() step after a failure still runs its steps.
  bool failed = frame_ ? frame_->failed : failed_;
  if (frame_) {
    ordered_json github = github_;
    github["action_path"] = frame_->action_path;
    github["action_status"] = failed ? "failure" : "success";
    scope->Set("github", std::move(github));
    scope->Set("inputs", frame_->inputs);
    scope->Set("steps", frame_->steps);
  } else {
    scope->Set("github", github_);
    scope->Set("inputs", run_.plan->inputs);
    scope->Set("vars", vars_);
    scope->Set("needs", job_.needs);
    scope->Set("secrets", secrets_);
    scope->Set("steps", steps_);
  }
  scope->Set("matrix", job_.matrix.is_null() ? ordered_json::object() : job_.matrix);
  scope->Set("strategy", job_.strategy);
  scope->Set("runner", runner_ctx_);
  scope->Set("job", ordered_json{{"status", failed_ ? "failure" : "success"}});
  scope->Set("env", env);
  bool cancel = cancelled();
  scope->status = {!failed && !cancel, failed, cancel};
  return scope;
}

std::string JobExecution::EvaluateText(const std::string& text, const ordered_json& env,
                                       std::string* error) {
  if (text.find("${{") == std::string::npos) return text;
  std::unique_ptr<plan::Scope> scope = MakeScope(env);
  plan::Substitution result = plan::Substitute(text, *scope);
  if (!result.error.empty() && error && error->empty()) *error = result.error;
  return result.text;
}

ordered_json JobExecution::StepEnv(const model::Step& step, std::string* error) {
  ordered_json env = job_env_;
  for (auto it = github_env_.begin(); it != github_env_.end(); ++it) env[it.key()] = *it;
  ordered_json layered = env;
  for (const auto& [key, value] : step.env) {
    layered[key.value] = EvaluateText(value.value, env, error);
  }
  return layered;
}

std::map<std::string, std::string> JobExecution::ProcessEnv(const ordered_json& env,
                                                            const StepFiles* files,
                                                            const std::string& action) {
  std::map<std::string, std::string> out = run_.base_env;
  RunnerInfo info = run_.runner;
  info.job = planned_.id;
  info.action = action;
  info.runner_temp = temp_dir_;
  if (files) {
    for (auto& [key, value] : RunnerEnvironment(info, *files)) {
      out.insert_or_assign(key, std::move(value));
    }
  } else {
    for (auto& [key, value] : RunnerEnvironment(info, StepFiles{})) {
      if (!value.empty()) out[key] = value;
    }
  }
  for (auto it = env.begin(); it != env.end(); ++it) {
    out[it.key()] = it->is_string() ? it->get<std::string>() : plan::ValueToTemplateString(*it);
  }
  if (frame_) out["GITHUB_ACTION_PATH"] = frame_->action_path;
  if (!path_additions_.empty()) {
    std::string path;
    for (const std::string& dir : path_additions_) path += dir + ":";
    out["PATH"] = path + out["PATH"];
  }
  return out;
}

std::chrono::milliseconds JobExecution::StepTimeout(const plan::PlannedStep* planned) const {
  auto now = run_.clock->Now();
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - now);
  if (cancelled_at_start_of_step_) remaining = Minutes(kCancelTimeoutMinutes);
  if (remaining.count() <= 0) remaining = std::chrono::milliseconds(1);
  if (planned && planned->timeout_minutes && *planned->timeout_minutes > 0) {
    remaining = std::min(remaining, Minutes(*planned->timeout_minutes));
  }
  if (!planned && frame_ && frame_->deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*frame_->deadline - now);
    remaining = std::min(remaining, std::max(left, std::chrono::milliseconds(1)));
  }
  return remaining;
}

/// While a job holds a job-level concurrency group, watches for a newer job of the group that
/// asks it to stop (cancel-in-progress) and then cancels this job only.
class ConcurrencyWatch {
 public:
  ConcurrencyWatch(const ConcurrencyLock* lock, JobControl& control,
                   std::function<void()> on_cancel)
      : stop_(CancelToken::Make()) {
    if (!lock) return;
    thread_ = std::thread([lock, &control, on_cancel = std::move(on_cancel), stop = stop_] {
      while (!stop->WaitFor(std::chrono::milliseconds(200))) {
        if (lock->CancelRequested()) {
          on_cancel();
          control.Cancel();
          return;
        }
      }
    });
  }
  ~ConcurrencyWatch() {
    stop_->RequestCancel();
    if (thread_.joinable()) thread_.join();
  }
  ConcurrencyWatch(const ConcurrencyWatch&) = delete;
  ConcurrencyWatch& operator=(const ConcurrencyWatch&) = delete;

 private:
  CancelTokenPtr stop_;
  std::thread thread_;
};

std::optional<JobOutcome> JobExecution::TakeConcurrencyGroup(std::optional<ConcurrencyLock>* lock) {
  if (!model_.concurrency.present) return std::nullopt;
  std::string error;
  ordered_json no_env = ordered_json::object();
  std::string group = EvaluateText(model_.concurrency.group.value, no_env, &error);
  bool cancel_in_progress =
      model_.concurrency.cancel_in_progress &&
      EvaluateText(model_.concurrency.cancel_in_progress->value, no_env, &error) == "true";
  if (!error.empty()) {
    return JobOutcome{
        JobResult::kFailure, {}, {}, "cannot evaluate the job's concurrency: " + error};
  }
  if (group.empty()) return std::nullopt;
  run_.events->Push(JobStatusUpdate{job_.key, "waiting"});
  Expected<ConcurrencyLock> taken = ConcurrencyLock::Acquire(
      run_.store->state_dir(), group, ConcurrencyHolder{run_.run_id, job_.key}, cancel_in_progress,
      [this] { return job_.control->cancel->is_cancelled(); },
      [this](const std::string& line) { run_.console->Line(job_.key, line); });
  if (!taken) {
    if (taken.error() == "cancelled") {
      return JobOutcome{
          JobResult::kCancelled, {}, {}, "cancelled while waiting for its concurrency group"};
    }
    return JobOutcome{JobResult::kFailure, {}, {}, taken.error()};
  }
  lock->emplace(std::move(taken).value());
  group_ = group;
  run_.events->Push(JobStatusUpdate{job_.key, "running"});
  return std::nullopt;
}

std::optional<JobOutcome> JobExecution::PassGate() {
  if (!planned_.environment) return std::nullopt;
  const plan::EnvironmentGate& gate = *planned_.environment;
  auto audit = [&](nlohmann::json entry) {
    if (!run_.audit) return;
    entry["time"] = FormatUtc(run_.clock->WallNow());
    entry["run_id"] = run_.run_id;
    entry["job"] = job_.key;
    entry["environment"] = gate.name;
    (void)run_.audit->Append(std::move(entry));
  };
  if (!gate.ref_allowed) {
    std::string message = fmt::format(
        "environment \"{}\" does not allow ref \"{}\": it matches none of "
        "deployment_branches.{} ({})",
        gate.name, run_.plan->ref, gate.refused_by, fmt::join(gate.refused_patterns, ", "));
    run_.console->Line(job_.key, message);
    audit({{"kind", "gate"}, {"decision", "refused"}, {"reason", message}});
    return JobOutcome{JobResult::kFailure, {}, {}, message};
  }
  if (gate.required_reviewers > 0) {
    run_.events->Push(JobStatusUpdate{job_.key, "waiting"});
    ReviewerPolicy policy;
    policy.required = gate.required_reviewers;
    policy.users = gate.eligible_reviewers;
    policy.prevent_self_review = gate.prevent_self_review;
    run_.console->Line(
        job_.key,
        fmt::format("waiting for {} approval(s) for environment \"{}\" from {}{}; approve with "
                    "`slipway approve {} {} --as NAME`",
                    gate.required_reviewers, gate.name, fmt::join(gate.eligible_reviewers, ", "),
                    gate.prevent_self_review ? " (self-review not allowed)" : "", run_.run_id,
                    gate.name));
    if (run_.inbox) {
      run_.console->Line(job_.key, fmt::format("or type here: approve {} NAME", gate.name));
    }
    auto approvals = [&] {
      std::vector<Approval> all;
      for (const auto& [environment, reviewer] : run_.approvals) {
        if (environment == gate.name) all.push_back({reviewer, "", "command line"});
      }
      for (Approval& a : ReadApprovals(run_.store->run_dir(), gate.name)) all.push_back(a);
      if (run_.inbox) {
        for (Approval& a : run_.inbox->For(gate.name)) all.push_back(a);
      }
      return all;
    };
    std::vector<std::string> reported;
    auto on_change = [&](const ApprovalTally& tally) {
      for (size_t k = 0; k < tally.counted.size(); ++k) {
        const std::string& name = tally.counted[k];
        std::string line = "approved by \"" + name + "\"";
        if (std::find(reported.begin(), reported.end(), line) != reported.end()) continue;
        reported.push_back(line);
        run_.console->Line(job_.key, fmt::format("{} ({} of {})", line, k + 1, tally.required));
        audit({{"kind", "approval"}, {"reviewer", name}, {"counted", true}});
      }
      for (const std::string& refusal : tally.refused) {
        if (std::find(reported.begin(), reported.end(), refusal) != reported.end()) continue;
        reported.push_back(refusal);
        run_.console->Line(job_.key, "approval not counted: " + refusal);
        audit({{"kind", "approval"}, {"counted", false}, {"reason", refusal}});
      }
    };
    ApprovalTally tally;
    WaitingMark waiting(run_.store->run_dir(), {gate.name, run_.plan->actor, policy});
    GateDecision decision = WaitForApprovals(
        policy, gate.name, run_.plan->actor, approvals, *run_.clock, *job_.control->cancel,
        std::chrono::seconds(gate.approval_timeout_s), run_.approval_poll, on_change, &tally);
    if (decision == GateDecision::kCancelled) {
      audit({{"kind", "gate"}, {"decision", "cancelled"}});
      return JobOutcome{JobResult::kCancelled, {}, {}, "cancelled while waiting for approval"};
    }
    if (decision == GateDecision::kRejected) {
      std::string message = RejectionMessage(gate.name, tally);
      run_.console->Line(job_.key, message);
      audit({{"kind", "gate"}, {"decision", "rejected"}, {"reviewer", tally.rejected_by},
             {"comment", tally.rejection_comment}});
      return JobOutcome{JobResult::kFailure, {}, {}, message};
    }
    if (decision == GateDecision::kTimedOut) {
      std::string message = fmt::format(
          "approval for environment \"{}\" timed out after {} ({} of {} approvals)", gate.name,
          plan::FormatDuration(gate.approval_timeout_s), tally.counted.size(), tally.required);
      run_.console->Line(job_.key, message);
      audit({{"kind", "gate"}, {"decision", "timed-out"}, {"reason", message}});
      return JobOutcome{JobResult::kFailure, {}, {}, message};
    }
    audit({{"kind", "gate"}, {"decision", "approved"}, {"reviewers", tally.counted}});
  }
  if (gate.wait_timer_s > 0) {
    run_.events->Push(JobStatusUpdate{job_.key, "waiting"});
    run_.console->Line(job_.key, fmt::format("wait timer of {} for environment \"{}\"",
                                             plan::FormatDuration(gate.wait_timer_s), gate.name));
    if (!run_.clock->SleepFor(std::chrono::seconds(gate.wait_timer_s), *job_.control->cancel)) {
      return JobOutcome{JobResult::kCancelled, {}, {}, "cancelled during the wait timer"};
    }
  }
  run_.events->Push(JobStatusUpdate{job_.key, "running"});
  return std::nullopt;
}

void JobExecution::HandleCommand(const WorkflowCommand& command, StepLog& log,
                                 std::map<std::string, std::string>* outputs,
                                 std::string* failure) {
  switch (command.kind) {
    case WorkflowCommandKind::kAddMask:
      run_.masker->Add(command.data);
      log.Line("::add-mask::***");
      return;
    case WorkflowCommandKind::kError:
    case WorkflowCommandKind::kWarning:
    case WorkflowCommandKind::kNotice: {
      std::string where;
      if (auto f = command.properties.find("file"); f != command.properties.end()) {
        where = f->second;
        if (auto l = command.properties.find("line"); l != command.properties.end()) {
          where += ":" + l->second;
          if (auto c = command.properties.find("col"); c != command.properties.end()) {
            where += ":" + c->second;
          }
        }
        where += ": ";
      }
      log.Line(fmt::format("{}: {}{}", command.name, where, command.data));
      if (run_.console->github_actions()) {
        std::string props;
        for (const auto& [key, value] : command.properties) {
          props += (props.empty() ? " " : ",") + key + "=" + value;
        }
        run_.console->Raw(fmt::format("::{}{}::{}", command.name, props, command.data));
      }
      return;
    }
    case WorkflowCommandKind::kDebug:
      if (run_.runner.debug) log.Line("debug: " + command.data);
      return;
    case WorkflowCommandKind::kGroup:
      log.Line("> " + command.data);
      return;
    case WorkflowCommandKind::kEndGroup:
      return;
    case WorkflowCommandKind::kSetOutput: {
      auto name = command.properties.find("name");
      if (name != command.properties.end() && outputs) (*outputs)[name->second] = command.data;
      log.Line("warning: the set-output command is deprecated; write to $GITHUB_OUTPUT");
      return;
    }
    case WorkflowCommandKind::kDisabled:
      log.Line(
          fmt::format("error: the {} command is disabled; use the GITHUB_ENV / GITHUB_PATH "
                      "files",
                      command.name));
      if (failure && failure->empty()) {
        *failure = fmt::format("the {} command is disabled", command.name);
      }
      return;
    case WorkflowCommandKind::kSaveState:
    case WorkflowCommandKind::kEcho:
    case WorkflowCommandKind::kStopCommands:
    case WorkflowCommandKind::kUnknown:
      return;
  }
}

std::string JobExecution::RunShellStep(const model::Step& step, const plan::PlannedStep* planned,
                                       const ordered_json& env, StepLog& log,
                                       const std::string& action,
                                       std::map<std::string, std::string>* outputs) {
  std::string error;
  std::string script = EvaluateText(step.run->value, env, &error);
  if (!error.empty()) return "cannot evaluate the script: " + error;
  std::string shell_name = planned ? planned->shell : "";
  if (step.shell) shell_name = EvaluateText(step.shell->value, env, &error);
  Expected<StepFiles> files =
      CreateStepFiles(temp_dir_, action, used_files_ ? &*used_files_ : nullptr);
  used_files_.reset();
  if (!files) return files.error();
  used_files_ = *files;
  ProcessOptions options;
  options.env = ProcessEnv(env, &*files, action);
  Expected<ShellTemplate> shell = ResolveShell(shell_name, options.env["PATH"]);
  if (!shell) return shell.error();
  Expected<ShellCommand> command = PrepareScript(*shell, script, temp_dir_, used_script_);
  used_script_.clear();
  if (!command) return command.error();
  used_script_ = command->script_path;
  options.argv = command->argv;
  std::string wd = planned ? planned->working_directory : "";
  if (step.working_directory) wd = EvaluateText(step.working_directory->value, env, &error);
  options.working_directory =
      wd.empty() ? run_.workspace : (fs::path(wd).is_absolute() ? wd : run_.workspace + "/" + wd);
  options.timeout = StepTimeout(planned);
  options.record_dir = run_.store->processes_dir();
  options.interrupt_grace = run_.interrupt_grace;
  options.terminate_grace = run_.terminate_grace;

  std::string failure;
  WorkflowCommandParser parser;
  LineSplitter lines(
      [&](std::string_view line) {
        std::optional<WorkflowCommand> cmd = parser.ParseLine(line);
        if (cmd && cmd->kind != WorkflowCommandKind::kUnknown &&
            cmd->kind != WorkflowCommandKind::kStopCommands) {
          HandleCommand(*cmd, log, outputs, &failure);
          return;
        }
        log.Line(line);
      },
      *run_.masker);
  Expected<ChildProcess> child = ChildProcess::Spawn(options);
  if (!child) return child.error();
  ProcessResult result =
      child->Wait([&](OutputStream stream, std::string_view chunk) { lines.Write(stream, chunk); },
                  &StepCancelToken());
  lines.Flush();
  // Background processes the step started live until the job ends, as on GitHub.
  background_.push_back(std::move(child).value());

  Expected<std::vector<std::pair<std::string, std::string>>> written =
      ParseFileCommands(ReadText(files->output));
  if (!written) return "GITHUB_OUTPUT: " + written.error();
  for (auto& [key, value] : *written) (*outputs)[key] = value;
  Expected<std::vector<std::pair<std::string, std::string>>> env_file =
      ParseFileCommands(ReadText(files->env));
  if (!env_file) return "GITHUB_ENV: " + env_file.error();
  for (auto& [key, value] : *env_file) github_env_[key] = value;
  std::vector<std::string> paths = ParsePathFile(ReadText(files->path));
  path_additions_.insert(path_additions_.begin(), paths.rbegin(), paths.rend());
  std::string summary = ReadText(files->step_summary);
  if (!summary.empty()) (void)run_.store->AppendSummary(summary);

  switch (result.end) {
    case ProcessEnd::kExited:
      if (result.exit_code != 0) {
        return fmt::format("process completed with exit code {}", result.exit_code);
      }
      return failure;
    case ProcessEnd::kSignaled:
      return Describe(result);
    case ProcessEnd::kTimedOut:
      if (run_.clock->Now() >= deadline_) timed_out_ = true;
      return timed_out_
                 ? fmt::format("the job exceeded its timeout ({} minutes)",
                               planned_.timeout_minutes.value_or(kDefaultJobTimeoutMinutes))
                 : fmt::format("the step exceeded its timeout ({} minutes)",
                               planned && planned->timeout_minutes ? *planned->timeout_minutes
                               : frame_ && frame_->deadline        ? frame_->timeout_minutes
                                                                   : kCancelTimeoutMinutes);
    case ProcessEnd::kCancelled:
      return "cancelled";
    case ProcessEnd::kSpawnFailed:
      return result.error;
  }
  return "unknown process result";
}

std::string JobExecution::RunUsesStep(const model::Step& step, const ordered_json& env,
                                      StepLog& log, std::map<std::string, std::string>* outputs,
                                      bool* skipped) {
  std::string error;
  std::string uses = EvaluateText(step.uses->value, env, &error);
  nlohmann::json with = nlohmann::json::object();
  for (const auto& [key, value] : step.with) {
    std::unique_ptr<plan::Scope> scope = MakeScope(env);
    plan::Evaluation evaluated = plan::EvaluateValue(value.value, *scope);
    if (evaluated.kind == plan::Evaluation::Kind::kError) {
      return fmt::format("cannot evaluate with.{}: {}", key.value, evaluated.error);
    }
    with[key.value] = evaluated.value;
  }
  if (std::optional<step_api::StepOutcome> forced =
          run_.overrides ? run_.overrides->ForceAction(uses) : std::nullopt) {
    log.Line(fmt::format("{}: answered by the rehearsal", uses));
    for (auto& [key, value] : forced->outputs) (*outputs)[key] = value;
    if (forced->status == step_api::StepStatus::kSuccess) return "";
    if (forced->status == step_api::StepStatus::kCancelled) return "cancelled";
    return forced->message.empty() ? uses + " failed" : forced->message;
  }
  if (IsLocalActionUses(uses)) {
    CompositeAdapter host(*this, log);
    CompositeCall call;
    call.uses = uses;
    call.step = &step;
    call.caller_file = frame_ ? frame_->file : run_.plan->workflow_path;
    call.with = with;
    call.env = env;
    // A job-level step's timeout-minutes (from its plan) bounds the whole action.
    if (!frame_ && step.index < planned_.steps.size() && &step == &model_.steps[step.index]) {
      call.timeout_minutes = planned_.steps[step.index].timeout_minutes;
    }
    call.now = run_.clock->Now();
    return RunCompositeAction(host, call, outputs);
  }
  std::map<std::string, std::string> process_env = ProcessEnv(env, nullptr, "__" + uses);
  if (std::optional<BuiltinCall> call = AsBuiltinCall(uses, with, process_env, run_.workspace)) {
    if (!call->error.empty()) return call->error;
    log.Line(fmt::format("{}: done locally by {}", uses, call->uses));
    uses = call->uses;
    with = std::move(call->with);
  }

  if (const step_api::StepTypeInfo* type =
          run_.catalog ? run_.catalog->FindByUses(uses) : nullptr) {
    std::unique_ptr<step_api::StepImpl> impl = type->make();
    step_api::StepInputs inputs;
    inputs.with = with;
    if (run_.overrides) run_.overrides->RouteInputs(uses, &inputs.with);
    inputs.env = process_env;
    for (const auto& [key, value] : step.with) inputs.with_written[key.value] = value.value;
    BuiltinContext context(*this, log, process_env, StepCancelToken());
    step_api::StepOutcome outcome = impl->Run(inputs, context);
    for (auto& [key, value] : outcome.outputs) (*outputs)[key] = value;
    switch (outcome.status) {
      case step_api::StepStatus::kSuccess:
        return "";
      case step_api::StepStatus::kCancelled:
        return "cancelled";
      case step_api::StepStatus::kFailure:
        return outcome.message.empty() ? fmt::format("{} failed", uses) : outcome.message;
    }
  }
  if (step_api::IsBuiltinUses(uses)) {
    return fmt::format("unknown built-in step \"{}\"; see `slipway steps`", uses);
  }
  LocalActionContext local;
  local.workspace = run_.workspace;
  local.artifacts_dir = run_.store->artifacts_dir();
  local.log = [&](std::string_view line) { log.Line(line); };
  local.set_env = [&](const std::string& key, const std::string& value) {
    github_env_[key] = value;
  };
  local.add_mask = [&](std::string_view value) { run_.masker->Add(value); };
  if (std::optional<step_api::StepOutcome> outcome = RunLocalAction(uses, with, local)) {
    for (auto& [key, value] : outcome->outputs) (*outputs)[key] = value;
    return outcome->status == step_api::StepStatus::kSuccess
               ? ""
               : (outcome->message.empty() ? uses + " failed" : outcome->message);
  }
  if (run_.skip_unknown_actions) {
    log.Line(
        fmt::format("SKIPPED: action \"{}\" has no local equivalent "
                    "(--skip-unknown-actions)",
                    uses));
    *skipped = true;
    return "";
  }
  return fmt::format(
      "action \"{}\" has no local equivalent; rerun with --skip-unknown-actions "
      "to skip it",
      uses);
}

StepRecord JobExecution::RunStep(const model::Step& step, const plan::PlannedStep* planned,
                                 size_t index) {
  StepRecord record;
  record.id = step.id ? step.id->value : "";
  std::string error;
  std::string action = record.id.empty() ? fmt::format("__run_{}", index + 1) : record.id;
  ordered_json env = StepEnv(step, &error);
  record.name = EvaluateText(step.DisplayName(), env, &error);
  record.log = run_.store->StepLogPath(job_.key, index, record.id);
  cancelled_at_start_of_step_ = cancelled();

  std::string condition_text =
      step.if_condition ? step.if_condition->value : std::string("success()");
  plan::Condition condition;
  if (step.if_condition) {
    condition = plan::EvaluateCondition(condition_text, *MakeScope(env));
  } else {
    // The implicit success(), without building a scope of every context for it.
    condition.kind =
        !failed_ && !cancelled() ? plan::Condition::Kind::kTrue : plan::Condition::Kind::kFalse;
  }
  if (condition.kind == plan::Condition::Kind::kFalse) {
    record.outcome = record.conclusion = "skipped";
    return record;
  }
  run_.events->Push(StepUpdate{job_.key, index, record});
  StepLog log(run_, job_.key, run_.store->run_dir() + "/" + record.log);
  // Inside GitHub Actions each step is a collapsible group in the real runner's log.
  if (run_.console->github_actions()) {
    run_.console->Raw(fmt::format("::group::{} / {}", job_.key, record.name));
  }
  log.Line("> " + record.name);

  std::map<std::string, std::string> outputs;
  bool skipped = false;
  std::string failure;
  if (condition.kind != plan::Condition::Kind::kTrue) {
    failure = fmt::format("cannot evaluate \"if: {}\": {}", condition_text,
                          condition.error.empty() ? condition.unknown : condition.error);
  } else if (!error.empty()) {
    failure = "cannot evaluate the step's env: " + error;
  } else if (std::optional<step_api::StepOutcome> forced =
                 run_.overrides && !record.id.empty()
                     ? run_.overrides->ForceStep(planned_.id, record.id)
                     : std::nullopt) {
    log.Line("forced by the rehearsal");
    outputs = forced->outputs;
    failure = forced->status == step_api::StepStatus::kSuccess     ? ""
              : forced->status == step_api::StepStatus::kCancelled ? "cancelled"
                                                                   : forced->message;
  } else if (step.run) {
    failure = RunShellStep(step, planned, env, log, action, &outputs);
  } else if (step.uses) {
    failure = RunUsesStep(step, env, log, &outputs, &skipped);
  } else {
    failure = "the step has neither run nor uses";
  }

  bool was_cancelled = failure == "cancelled";
  record.outputs = outputs;
  record.outcome = skipped           ? "skipped"
                   : was_cancelled   ? "cancelled"
                   : failure.empty() ? "success"
                                     : "failure";
  bool continue_on_error = planned && planned->continue_on_error;
  if (step.continue_on_error && !planned) {
    continue_on_error = EvaluateText(step.continue_on_error->value, env, &error) == "true";
  }
  record.conclusion = record.outcome == "failure" && continue_on_error ? "success" : record.outcome;
  if (!failure.empty() && !was_cancelled) {
    log.Line("error: " + failure + (continue_on_error ? " (continue-on-error)" : ""));
  }
  if (run_.console->github_actions()) {
    run_.console->Raw("::endgroup::");
    if (!failure.empty() && !was_cancelled && !continue_on_error) {
      run_.console->Raw(fmt::format("::error title={}::{}", job_.key, failure));
    }
  }
  return record;
}

JobOutcome JobExecution::Run() {
  if (std::optional<ForcedJob> forced =
          run_.overrides ? run_.overrides->ForceJob(planned_.id) : std::nullopt) {
    return JobOutcome{forced->result, forced->outputs, {}, "forced by the rehearsal"};
  }
  run_.events->Push(JobStatusUpdate{job_.key, "running"});
  github_ = run_.plan->github;
  github_["run_id"] = run_.run_id;
  github_["run_number"] = run_.runner.run_number;
  github_["run_attempt"] = run_.runner.run_attempt;
  github_["job"] = planned_.id;
  github_["workspace"] = run_.workspace;
  github_["event_path"] = run_.runner.event_path;
  // github.token is the GITHUB_TOKEN secret, as on GitHub (often an action input's default).
  if (auto token = run_.secrets.find("GITHUB_TOKEN"); token != run_.secrets.end()) {
    github_["token"] = token->second;
  }
  vars_ = run_.plan->vars;
  std::string environment = planned_.environment ? planned_.environment->name : "";
  for (const auto& [key, value] : SecretsForJob(run_.secrets, environment)) secrets_[key] = value;
  if (planned_.environment) {
    for (const std::string& name : planned_.environment->secrets) {
      if (!secrets_.contains(name)) {
        run_.console->Line(job_.key,
                           fmt::format("warning: secret \"{}\" of environment \"{}\" has no value "
                                       "(give {}.{}= or {}= in --secrets-file)",
                                       name, environment, environment, name, name));
      }
    }
  }
  temp_dir_ = run_.store->temp_dir() + "/" + SafeFileName(job_.key);
  std::error_code ignored;
  fs::create_directories(temp_dir_, ignored);
  runner_ctx_ = {{"os", "Linux"},
                 {"arch", "X64"},
                 {"name", run_.runner.runner_name},
                 {"temp", temp_dir_},
                 {"tool_cache", run_.runner.runner_tool_cache},
                 {"environment", "self-hosted"},
                 {"debug", run_.runner.debug ? "1" : ""}};

  if (planned_.environment) {
    for (const auto& [key, value] : planned_.environment->vars) vars_[key] = value;
  }
  std::optional<ConcurrencyLock> group_lock;
  if (std::optional<JobOutcome> refused = TakeConcurrencyGroup(&group_lock)) return *refused;
  ConcurrencyWatch watch(group_lock ? &*group_lock : nullptr, *job_.control, [this] {
    cancel_reason_ = fmt::format(
        "cancelled: a newer job took concurrency group \"{}\" (cancel-in-progress)", group_);
    run_.console->Line(job_.key, cancel_reason_);
  });
  if (std::optional<JobOutcome> refused = PassGate()) return *refused;
  // timeout-minutes counts from when the job may run: the environment's approvals and wait
  // timer come first, as on GitHub, where no runner takes the job before its gate opens.
  deadline_ =
      run_.clock->Now() + Minutes(planned_.timeout_minutes.value_or(kDefaultJobTimeoutMinutes));

  std::string error;
  ordered_json workflow_env = ordered_json::object();
  for (const auto& [key, value] : run_.workflow->env) {
    workflow_env[key.value] = EvaluateText(value.value, workflow_env, &error);
  }
  job_env_ = workflow_env;
  for (const auto& [key, value] : model_.env) {
    job_env_[key.value] = EvaluateText(value.value, workflow_env, &error);
  }
  JobOutcome outcome;
  if (!error.empty()) {
    outcome.result = JobResult::kFailure;
    outcome.message = "cannot evaluate the job's env: " + error;
    return outcome;
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
  for (size_t i = 0; i < model_.steps.size(); ++i) {
    const model::Step& step = model_.steps[i];
    const plan::PlannedStep* planned = i < planned_.steps.size() ? &planned_.steps[i] : nullptr;
    StepRecord record = RunStep(step, planned, i);
    if (record.conclusion == "failure") failed_ = true;
    if (!record.id.empty()) {
      ordered_json outputs = ordered_json::object();
      for (const auto& [key, value] : record.outputs) outputs[key] = value;
      steps_[record.id] = {
          {"outputs", outputs}, {"outcome", record.outcome}, {"conclusion", record.conclusion}};
    }
    run_.events->Push(StepUpdate{job_.key, i, record});
    outcome.steps.push_back(std::move(record));
  }

  // Job outputs, evaluated after the steps; a value that carries a secret is not passed on.
  for (const auto& [key, value] : model_.outputs) {
    std::string output_error;
    std::string text = EvaluateText(value.value, job_env_, &output_error);
    if (run_.masker->Mask(text) != text) {
      run_.console->Line(job_.key, fmt::format("warning: output \"{}\" is not passed on: it "
                                               "contains a secret",
                                               key.value));
      continue;
    }
    outcome.outputs[key.value] = text;
  }
  background_.clear();  // stops what the steps left running
  fs::remove_all(temp_dir_, ignored);

  if (timed_out_) {
    outcome.result = JobResult::kFailure;
    outcome.message = fmt::format("the job exceeded its timeout ({} minutes)",
                                  planned_.timeout_minutes.value_or(kDefaultJobTimeoutMinutes));
  } else if (job_.control->cancel->is_cancelled()) {
    outcome.result = JobResult::kCancelled;
    outcome.message = cancel_reason_.empty() ? "cancelled" : cancel_reason_;
  } else if (failed_) {
    outcome.result = JobResult::kFailure;
    for (const StepRecord& step : outcome.steps) {
      if (step.conclusion == "failure") {
        outcome.message = fmt::format("step \"{}\" failed", step.name);
        break;
      }
    }
  }
  return outcome;
}

}  // namespace

JobOutcome RunJob(const RunEnvironment& run, const JobAssignment& job) {
  JobExecution execution(run, job);
  return execution.Run();
}

}  // namespace slipway::exec
