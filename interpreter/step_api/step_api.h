#pragma once
/// What a built-in step is (`uses: slipway/<name>@v1`): its declared inputs (a JSON Schema), a
/// preview for `plan` (no network, no disk) and a run for `run`. stdlib/ implements these;
/// validate, plan and exec only see this interface, through a StepCatalog the CLI builds.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace slipway::step_api {

/// The step's `with:` after expressions are resolved and schema defaults applied, plus the
/// environment the step sees (workflow → job → step `env`, secrets included).
struct StepInputs {
  nlohmann::json with = nlohmann::json::object();
  std::map<std::string, std::string> env;
  /// The `with:` values as written in the workflow, before `${{ }}` was evaluated (strings),
  /// so a step can record where a value came from (`${{ secrets.DB_PASSWORD }}`) instead of
  /// the value itself. Empty when the caller does not know them.
  nlohmann::json with_written = nlohmann::json::object();
};

/// What `plan` shows for a built-in step: one line, then details (commands, URLs, phases).
struct StepPreview {
  std::string summary;
  std::vector<std::string> details;
};

enum class StepStatus { kSuccess, kFailure, kCancelled };

/// The result of running a step: a value, never an exception.
struct StepOutcome {
  StepStatus status = StepStatus::kSuccess;
  int exit_code = 0;
  std::string message;  // why it failed; empty on success
  std::map<std::string, std::string> outputs;
};

/// Who runs a step: the run, its workflow and commit, the job and the environment it deploys
/// to. A step records it with what it leaves for later runs (a local stack's version) and
/// checks it before it acts on what another run left (a rollback restarting that version).
struct RunOrigin {
  std::string run_id;
  std::string workflow;     // the workflow file, as given to `slipway run`
  std::string job;          // the job's key: "deploy", "build (eu)", "call/inner"
  std::string ref;          // github.ref: "refs/heads/main", "refs/tags/v1.2.0"
  std::string sha;          // github.sha
  std::string actor;        // github.actor
  std::string environment;  // the job's environment (its gate passed); "" for a job without one
};

/// What an environment's deployment branch/tag policy (`deployment_branches`) says of a ref.
enum class RefPolicy {
  kNone,     // the environment has no policy, or is not configured: it names no refs
  kAdmits,   // the ref may deploy to the environment
  kRefuses,  // it may not
};

/// What exec gives a running step. Everything written through it is masked by exec.
class StepContext {
 public:
  virtual ~StepContext() = default;
  virtual bool cancelled() const = 0;
  /// Appends a line to the step's log (and the console).
  virtual void Log(std::string_view line) = 0;
  /// Registers a value to be masked from now on (like `::add-mask::`).
  virtual void AddMask(std::string_view value) = 0;
  /// `text` with every secret of the run masked: what a step writes itself (reports,
  /// artifacts, outbound notification text) passes through this first. exec's context masks;
  /// a context without secrets may keep the default.
  virtual std::string Mask(std::string_view text) const { return std::string(text); }
  /// Waits `duration` on the run's clock; returns false if the run was cancelled meanwhile.
  virtual bool Sleep(std::chrono::milliseconds duration) = 0;
  /// Run state directory (e.g. `.slipway`), this run's directory and its artifacts directory.
  virtual std::string state_dir() const = 0;
  virtual std::string run_dir() const = 0;
  virtual std::string artifacts_dir() const = 0;
  /// The workspace (working directory of the run).
  virtual std::string workspace() const = 0;
  /// Runs a shell command (bash) with the step's environment; returns its exit code and
  /// captures its output into `output` (also logged). Used by steps that drive tools.
  virtual int RunCommand(const std::string& script, std::string* output) = 0;
  /// The same, for a command whose standard output is data for the step (a pid, a JSON
  /// document): it is captured into `output` and not logged; its standard error is logged.
  virtual int RunCommandQuietly(const std::string& script, std::string* output) {
    return RunCommand(script, output);
  }
  /// The process `pid`, which the step started (through RunCommand) and which leads a session
  /// of its own, is a deployment meant to outlive the run (a local stack's app): the run's
  /// clean-up of what steps leave running spares it and what it starts. A context that stops
  /// nothing may keep the default.
  virtual void KeepRunning(int /*pid*/) {}
  /// Appends an entry to the run's audit trail (DIR/audit.jsonl, HMAC-chained by exec). exec
  /// adds the run id, actor, time and workflow; the step supplies what/why/where.
  virtual void AppendAudit(const nlohmann::json& entry) = 0;
  /// Milliseconds since the Unix epoch on the run's clock (fake in tests).
  virtual int64_t NowMs() const = 0;
  /// The value of secret `name` in the running job's `secrets` context (repository secrets,
  /// those of the job's environment over them, or what a call passed), if the job has it. Lets
  /// a step restore a value it recorded only as `${{ secrets.NAME }}` (local stack rollback).
  virtual std::optional<std::string> Secret(std::string_view /*name*/) const {
    return std::nullopt;
  }
  /// A shell command that copies its standard input to `log_file` (owner-only, appended) with
  /// every secret of the run masked, and goes on doing so after the run ends: for the output of
  /// a process a step leaves running (a local stack's app). `pending_file` holds what the
  /// command reads at its start and removes: the step waits for it to be gone (and removes it
  /// if it is not). Empty when the context has no such command or no secret to mask; the step
  /// then writes the output as it is.
  struct MaskingLog {
    std::string command;
    std::string pending_file;
  };
  virtual MaskingLog MaskingLogCommand(const std::string& /*log_file*/) { return {}; }
  /// Who runs the step. A context that does not know says nothing (every field empty).
  virtual RunOrigin origin() const { return {}; }
  /// What environment `environment`'s deployment branch/tag policy, as configured for this
  /// run, says of `ref` (kNone for "" or an environment without a policy).
  virtual RefPolicy DeploymentPolicy(std::string_view /*environment*/,
                                     std::string_view /*ref*/) const {
    return RefPolicy::kNone;
  }
};

/// `value` with every string in it (keys too) passed through `context.Mask`: what a step writes
/// as JSON to the state directory or its artifacts goes through this, so a secret that reached
/// the step by any route (env, a step output, an expression) is stored as "***".
nlohmann::json MaskJson(const nlohmann::json& value, const StepContext& context);

/// One built-in step type's behaviour.
class StepImpl {
 public:
  virtual ~StepImpl() = default;
  virtual StepPreview Preview(const StepInputs& inputs) const = 0;
  virtual StepOutcome Run(const StepInputs& inputs, StepContext& context) = 0;
};

/// A row of the one step table (stdlib/registry.cc).
struct StepTypeInfo {
  const char* name;         // "smoke-test", used as `uses: slipway/smoke-test@v1`
  const char* description;  // one line, for `slipway steps`
  const char* schema;       // JSON Schema (draft-07) of `with:`
  std::unique_ptr<StepImpl> (*make)();
};

/// The built-in steps known to this process, looked up by name.
class StepCatalog {
 public:
  StepCatalog() = default;
  explicit StepCatalog(std::vector<StepTypeInfo> types) : types_(std::move(types)) {}
  /// The step type for `uses:` text such as "slipway/smoke-test@v1", or nullptr when `uses` is
  /// not a built-in step or names an unknown one (see IsBuiltinUses).
  const StepTypeInfo* FindByUses(std::string_view uses) const;
  const StepTypeInfo* Find(std::string_view name) const;
  const std::vector<StepTypeInfo>& types() const { return types_; }

 private:
  std::vector<StepTypeInfo> types_;
};

/// True for `slipway/<name>@<ref>`; sets `name` and `ref`.
bool IsBuiltinUses(std::string_view uses, std::string* name = nullptr, std::string* ref = nullptr);

}  // namespace slipway::step_api
