#pragma once
/// The third-party actions slipway runs locally (DESIGN.md "Common third-party actions ... have
/// local equivalents"): ONE table, kLocalEquivalents in local_equivalents.cc. Each row holds the
/// action's name, the line `plan` shows for it, and what `run` does instead, so what the plan
/// says and what runs come from the same row:
///   actions/checkout            the workspace already is the checkout: nothing to do; a `ref`
///                               other than the workspace's HEAD commit, submodules, lfs or
///                               sparse-checkout fail the step (they cannot be done locally)
///   */setup-*                   checks the requested version against the tool on PATH
///                               (tool_versions.h): satisfied, or the step fails
///   aws-actions/configure-aws-credentials   exports the given AWS_* to later steps (masked);
///                               `role-to-assume` is assumed with `aws sts assume-role` (the given
///                               keys, else the credentials already in the environment); fails
///                               when no credentials result
///   actions/upload-artifact     copies `path` into the run's artifacts/<name>/ (artifact_actions.h)
///   actions/download-artifact   copies artifacts/<name>/ into `path`, from this run or (with
///                               `github-token` and `run-id`) another run of the state directory
///   Slack actions               become a slipway/notify call (the row's as_builtin)
/// Any other `uses` has no local equivalent: the plan says so and the step fails at run time
/// unless --skip-unknown-actions. exec runs the rows through its step executor table
/// (exec/step_executor.h).

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/step_api/step_api.h"
#include "interpreter/step_api/tool_versions.h"

namespace slipway::step_api {

/// What a local equivalent may touch.
struct LocalActionContext {
  std::string workspace;
  std::string artifacts_dir;
  /// Where an upload is staged before one rename moves it into artifacts_dir: a directory on
  /// the same file system (the run's tmp/). Empty: artifacts_dir's parent.
  std::string staging_dir;
  /// `text` with every secret of the run masked (StepContext::Mask). Empty: the run has none.
  std::function<std::string(std::string_view)> mask;
  /// The artifacts directory of run `run_id` of this repository's state directory
  /// (download-artifact's `run-id`), or why it cannot be read. Empty: no other run can be.
  std::function<Expected<std::string>(const std::string& run_id)> run_artifacts;
  std::function<void(std::string_view)> log;
  /// Sets an environment variable for the job's later steps (like GITHUB_ENV).
  std::function<void(const std::string&, const std::string&)> set_env;
  std::function<void(std::string_view)> add_mask;
  /// The step's PATH, where setup-* rows look for the tool.
  std::string path;
  /// The step's process environment (GITHUB_SHA, GITHUB_REF, GITHUB_RUN_ID, HOME, ...).
  std::map<std::string, std::string> env;
  /// Runs a command (argv[0] found on the step's PATH, so a rehearsal's shims answer it) in the
  /// workspace with the step's environment; its standard output, or nullopt when it could not
  /// run or exited non-zero. Empty: no command can be run (checkout then cannot check `ref`).
  /// `extra_env` is set over the step's environment for that command only.
  std::function<std::optional<std::string>(const std::vector<std::string>& argv,
                                           const std::map<std::string, std::string>& extra_env)>
      run;
  /// Asks a tool its version (setup-* rows). Empty in a rehearsal, whose tools are stubs: the
  /// version is then not checked, and the log says so.
  ToolProbe probe;
};

/// A third-party action done by a built-in step: the built-in's `uses` and `with`, or the
/// reason the action's inputs cannot be done locally.
struct BuiltinCall {
  std::string uses;
  nlohmann::json with = nlohmann::json::object();
  std::string error;
};

/// One row of the table. Exactly one of `run` and `as_builtin` is set.
struct LocalEquivalentRow {
  /// A whole action name; a prefix when it ends in '-'; "*/" matches any owner. Names match
  /// ignoring case, as on GitHub.
  std::string_view name;
  /// What happens instead, one line, shown by `plan`.
  std::string_view what;
  /// Runs the action with its resolved `with` (string values).
  StepOutcome (*run)(std::string_view uses, const nlohmann::json& with,
                     const LocalActionContext& context);
  /// The built-in call that does the action, from its `with` and the step's environment (where
  /// some actions take their webhook URLs); files are read relative to `workspace`.
  BuiltinCall (*as_builtin)(const nlohmann::json& with,
                            const std::map<std::string, std::string>& env,
                            const std::string& workspace);
};

/// The row for `uses` ("actions/checkout@v4", "actions/setup-node@v4" ...), or nullptr.
const LocalEquivalentRow* FindLocalEquivalent(std::string_view uses);

/// What runs locally for `uses`, or "" when nothing does (the row's `what`).
std::string_view LocalEquivalent(std::string_view uses);

/// The action's name without its ref: "actions/checkout" for "actions/checkout@v4".
std::string_view ActionName(std::string_view uses);

}  // namespace slipway::step_api
