#pragma once
/// How one step runs: ninja's CommandRunner for slipway (STYLE.md §8b). JobExecution (the
/// Builder) resolves a step — its env, its script or action and inputs, its time — into a
/// ResolvedStep, then hands it to the executor of its kind, chosen from ONE table,
/// kExecutors (step_executor.cc):
///   kShell            `run:`                       a process (shell.h, process.h)
///   kBuiltin          `uses: slipway/<step>@v1`    in-process, through the StepCatalog
///   kLocalAction      `uses: ./path`               a composite action (composite_action.h)
///   kLocalEquivalent  `uses: actions/checkout@v4`  the third-party action's row of
///                                                  step_api/local_equivalents.h, the same row
///                                                  the plan describes
///   kContainerAction  `uses: docker://IMAGE`       a container of the image (job_containers.h)
///   kUnknownAction    any other `uses:`            fails, or is skipped loudly with
///                                                  --skip-unknown-actions
/// A `run:` step of a job with `container:` is a kShell step whose process the job container
/// runs (StepIo::containers()). Reusable-workflow calls become a row of their own when they
/// are implemented.
/// Nothing else dispatches on the kind of a step. Tests swap the whole table for a fake
/// (tests/support/fake_step_executor.h) and test the job logic without spawning anything.

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/exec/cancel_token.h"
#include "interpreter/exec/run_states.h"

namespace slipway::model {
struct Step;
}
namespace slipway::plan {
struct PlannedStep;
}
namespace slipway::step_api {
class StepCatalog;
}

namespace slipway::exec {

class ChildProcess;
class CompositeHost;
class JobContainers;
class ProblemMatchers;
struct RunEnvironment;
struct StepFiles;

enum class StepKind {
  kShell,
  kBuiltin,
  kLocalAction,
  kLocalEquivalent,
  kContainerAction,
  kUnknownAction
};


/// A step with everything evaluated that its executor needs.
struct ResolvedStep {
  const model::Step* step = nullptr;
  const plan::PlannedStep* planned = nullptr;  // null inside a composite action
  StepKind kind = StepKind::kShell;
  std::string name;    // display name, evaluated
  std::string action;  // GITHUB_ACTION
  /// The env context: workflow env, job env, GITHUB_ENV of earlier steps, the step's env.
  nlohmann::ordered_json env = nlohmann::ordered_json::object();
  // run:
  std::string script;
  std::string shell;              // "" → the default (`bash -e {0}`)
  std::string working_directory;  // absolute
  // uses:
  std::string uses;
  nlohmann::json with = nlohmann::json::object();
  /// What is left of the step's and the job's time; the step's own `timeout-minutes`.
  std::chrono::milliseconds timeout{0};
  std::optional<double> timeout_minutes;
};

/// What one step produced.
struct StepOutcome {
  StepConclusion outcome = StepConclusion::kSuccess;  // kSkipped: --skip-unknown-actions
  std::string message;                                // why it failed; "" on success
  std::map<std::string, std::string> outputs;
  /// The step ran out of the time it was given (ResolvedStep::timeout).
  bool timed_out = false;

  static StepOutcome Failure(std::string message) {
    StepOutcome outcome;
    outcome.outcome = StepConclusion::kFailure;
    outcome.message = std::move(message);
    return outcome;
  }
  static StepOutcome Cancelled() {
    StepOutcome outcome;
    outcome.outcome = StepConclusion::kCancelled;
    return outcome;
  }
};

/// The job's side of a running step: everything an executor may use or change.
class StepIo {
 public:
  virtual ~StepIo() = default;
  /// The run's shared state (catalog, masker, store, clock, workspace ...).
  virtual const RunEnvironment& run() const = 0;
  /// Appends a line to the step's log and the console (masked).
  virtual void Log(std::string_view line) = 0;
  /// The process environment of `step`: slipway's own, the step's env context, then the
  /// GITHUB_* / RUNNER_* variables (which the env cannot override, as on GitHub's runner) and
  /// the step files when given.
  virtual std::map<std::string, std::string> ProcessEnv(const ResolvedStep& step,
                                                        const StepFiles* files) = 0;
  /// The environment of `step` in a container: the step's env context and the GITHUB_* /
  /// RUNNER_* variables (host paths; the container side translates them), nothing of slipway's
  /// own, and PATH only when GITHUB_PATH added to it (then before the job container's PATH).
  virtual std::map<std::string, std::string> ContainerEnv(const ResolvedStep& step,
                                                          const StepFiles* files) = 0;
  /// Where a step's shell is looked for on the host, as GitHub's runner does (WhichUtil): the
  /// GITHUB_PATH additions, then the runner's own PATH (never the step's `env: PATH`).
  virtual std::string ShellSearchPath() const = 0;
  /// The job's containers (job_containers.h); null when there are none. `make`: made on first
  /// use when the job has none (its `docker://` steps), null when no runtime is available.
  virtual JobContainers* containers(bool make) = 0;
  /// A variable for the job's later steps (GITHUB_ENV).
  virtual void SetEnv(const std::string& key, const std::string& value) = 0;
  /// Directories for the front of PATH in later steps (GITHUB_PATH), in file order.
  virtual void AddPath(const std::vector<std::string>& dirs) = 0;
  /// Keeps a step's process group alive until the job ends (background processes).
  virtual void KeepAlive(ChildProcess child) = 0;
  /// Set when the step must stop (cancellation; a forced one for steps that started after it).
  virtual CancelToken& cancel() = 0;
  /// The job's scratch directory (RUNNER_TEMP), outside the state directory.
  virtual const std::string& temp_dir() const = 0;
  /// Runs the steps of a local composite action with the job's own machinery.
  virtual CompositeHost& composite() = 0;
  /// The job's problem matchers: added by one step's ::add-matcher::, they read the output of
  /// every later step of the job (the runner keeps them on the job's root context).
  virtual ProblemMatchers& matchers() = 0;
  /// The value of secret `name` in the job's `secrets` context (repository secrets, its
  /// environment's over them, or what its call passed), if the job has it.
  virtual std::optional<std::string> Secret(std::string_view name) const = 0;
  /// The job's key ("deploy", "build (eu)", "call/inner").
  virtual const std::string& job_key() const = 0;
  /// The environment the job deploys to, its gate passed; "" for a job without one.
  virtual const std::string& environment() const = 0;
};

/// How one kind of step runs. One instance per job and kind, made on first use, so an
/// executor may keep what the job's next step can reuse (the shell executor recycles files).
class StepExecutor {
 public:
  virtual ~StepExecutor() = default;
  virtual StepOutcome Run(const ResolvedStep& step, StepIo& io) = 0;
};

/// A row of the table.
struct ExecutorRow {
  StepKind kind;
  const char* what;  // for messages and docs
  std::unique_ptr<StepExecutor> (*make)();
};

/// The executors of one job: the real table, or a fake in tests.
class StepExecutors {
 public:
  virtual ~StepExecutors() = default;
  virtual StepExecutor& For(StepKind kind) = 0;
};

/// Makes the executors of one job (RunEnvironment::executors; null → the real table).
class StepExecutorFactory {
 public:
  virtual ~StepExecutorFactory() = default;
  virtual std::unique_ptr<StepExecutors> ForJob() = 0;
};

/// The real table's executors for one job.
std::unique_ptr<StepExecutors> MakeRealExecutors();

/// The kind of a step whose `uses:` (already evaluated; "" for `run:`) is `uses`.
StepKind ClassifyStep(bool is_run, std::string_view uses, const step_api::StepCatalog* catalog);

/// The individual executors (step_executor.cc holds the table).
std::unique_ptr<StepExecutor> MakeShellExecutor();
std::unique_ptr<StepExecutor> MakeBuiltinExecutor();
std::unique_ptr<StepExecutor> MakeCompositeExecutor();
std::unique_ptr<StepExecutor> MakeLocalEquivalentExecutor();
std::unique_ptr<StepExecutor> MakeContainerActionExecutor();
std::unique_ptr<StepExecutor> MakeUnknownActionExecutor();

/// Runs built-in step `uses` with `with` (shared by kBuiltin and the local equivalents that
/// are built-in calls).
StepOutcome RunBuiltinStep(const std::string& uses, const nlohmann::json& with,
                           const ResolvedStep& step, StepIo& io);

}  // namespace slipway::exec
