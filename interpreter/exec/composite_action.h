#pragma once
/// Running a local composite action (`uses: ./path`, path/action.yml with `runs.using:
/// composite`) as GitHub's runner does: the caller's `with:` (plus the declared defaults)
/// becomes the action's `inputs` context, its steps run in order with their own `steps`
/// context and `github.action_path` / GITHUB_ACTION_PATH, and `outputs.<id>.value` becomes the
/// calling step's outputs. The steps themselves run through the job's own machinery (the
/// CompositeHost), so a `run:` or `uses:` inside an action behaves exactly like one in the
/// workflow: GITHUB_OUTPUT/ENV/PATH, masking, workflow commands, nested actions.
/// https://docs.github.com/en/actions/sharing-automations/creating-actions/creating-a-composite-action

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "interpreter/exec/step_executor.h"
#include "interpreter/model/step.h"
#include "interpreter/plan/resolve.h"

namespace slipway::exec {

/// Composite actions may call composite actions this many levels deep (as on GitHub);
/// deeper is an error, which also ends a recursion.
inline constexpr int kMaxCompositeDepth = 10;

/// One composite action being run: what its expressions see instead of the job's contexts.
/// Frames chain to the frame of the action that called this one (nullptr: the job).
struct CompositeFrame {
  const CompositeFrame* parent = nullptr;
  std::string uses;         // as written by the caller, e.g. "./.github/actions/greet"
  std::string action_path;  // absolute directory: github.action_path, GITHUB_ACTION_PATH
  std::string file;         // its action.yml as shown in messages (relative to the workspace)
  nlohmann::ordered_json inputs = nlohmann::ordered_json::object();
  nlohmann::ordered_json steps = nlohmann::ordered_json::object();
  bool failed = false;  // an inner step failed (and did not continue on error)
  /// The calling step's `timeout-minutes` bounds every step inside (nested frames inherit it).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  double timeout_minutes = 0;
  /// The `env:` keys of the calling steps (this frame's and its parents'): GITHUB_ENV writes
  /// inside the action do not override them (the runner's StepEnvironmentOverrides).
  std::set<std::string> env_overrides;
  /// github.action of every step inside: the calling job step's (the runner sets it only in
  /// StepsRunner; embedded steps share the caller's github context).
  std::string action;

  /// 1 for an action called by a job step, 2 for one called from inside that action, ...
  int depth() const { return parent ? parent->depth() + 1 : 1; }
};

/// What a composite action needs from the job running it. JobExecution implements it with its
/// own evaluation and step runners, reading the current frame for `inputs`, `steps` and
/// github.action_path.
class CompositeHost {
 public:
  virtual ~CompositeHost() = default;
  /// The innermost composite frame running now; nullptr at job level.
  virtual const CompositeFrame* frame() const = 0;
  /// Makes `frame` current for every evaluation and step until the next call.
  virtual void SetFrame(const CompositeFrame* frame) = 0;
  /// Substitutes `${{ }}` in `text` in the current frame's contexts with env context `env`.
  virtual std::string EvaluateText(const std::string& text, const nlohmann::ordered_json& env,
                                   std::string* error) = 0;
  /// An `if:` in the current frame's contexts and status.
  virtual plan::Condition EvaluateCondition(const std::string& text,
                                            const nlohmann::ordered_json& env) = 0;
  /// Like EvaluateText for a string-typed key: a mapping or sequence is an error.
  virtual std::string EvaluateString(const std::string& text, const nlohmann::ordered_json& env,
                                     std::string* error) = 0;
  /// A step's `continue-on-error` after it failed, in the current frame's contexts: a boolean
  /// or an error ("Unexpected value '...'"), as the runner's ApplyContinueOnError.
  virtual bool ContinueOnError(const std::string& text, const nlohmann::ordered_json& env,
                               std::string* error) = 0;
  /// The variables written to GITHUB_ENV so far in this job.
  virtual nlohmann::ordered_json github_env() const = 0;
  /// Resolves and runs the body of a `run:` or `uses:` step of the action (no `if`, no log
  /// header) through the job's step executors. `action` names its GITHUB_ACTION and step files.
  virtual StepOutcome RunStep(const model::Step& step, const nlohmann::ordered_json& env,
                              const std::string& action) = 0;
  /// Appends a line to the calling step's log (masked).
  virtual void Log(std::string_view line) = 0;
  virtual const std::string& workspace() const = 0;
};

/// A call of a local action.
struct CompositeCall {
  std::string uses;                   // "./path", evaluated
  const model::Step* step = nullptr;  // the calling step (for `uses:` positions)
  std::string caller_file;            // the file that step is in, as shown in messages
  nlohmann::json with;                // the caller's `with:`, evaluated
  nlohmann::ordered_json env;         // the calling step's env context
  /// The calling step's github.action (GITHUB_ACTION): every step inside keeps it.
  std::string action;
  /// The calling step's `timeout-minutes`, when it has one; it bounds the whole action.
  std::optional<double> timeout_minutes;
  std::chrono::steady_clock::time_point now;  // when the call starts (the job's clock)
};

/// True for `uses:` values naming a local action ("./path").
bool IsLocalActionUses(std::string_view uses);

/// Loads the action, binds its inputs, runs its steps and evaluates its outputs. A failure's
/// message names file:line:col when the reason is in a file.
StepOutcome RunCompositeAction(CompositeHost& host, const CompositeCall& call);

}  // namespace slipway::exec
