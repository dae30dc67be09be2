#pragma once
/// Local equivalents of the third-party actions the documented pipelines use, so a workflow
/// written for GitHub runs on one machine (the list and what each does instead:
/// step_api/local_equivalents.h):
///   actions/checkout            the workspace already is the checkout: nothing to do
///   */setup-*                   tools come from PATH: reports which one would be set up
///   aws-actions/configure-aws-credentials   exports AWS_* to later steps (masked)
///   actions/upload-artifact     copies `path` into the run's artifacts/<name>/
///   actions/download-artifact   copies artifacts/<name>/ into `path`
///   Slack actions               become a slipway/notify call (AsBuiltinCall)
/// Anything else is not known here (nullopt); the job runner then fails the step clearly.

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "interpreter/step_api/step_api.h"

namespace slipway::exec {

/// What a local action may touch.
struct LocalActionContext {
  std::string workspace;
  std::string artifacts_dir;
  std::function<void(std::string_view)> log;
  /// Sets an environment variable for the job's later steps (like GITHUB_ENV).
  std::function<void(const std::string&, const std::string&)> set_env;
  std::function<void(std::string_view)> add_mask;
};

/// A third-party action done by a built-in step: the built-in's `uses` and `with`, or the
/// reason the action's inputs cannot be done locally.
struct BuiltinCall {
  std::string uses;
  nlohmann::json with = nlohmann::json::object();
  std::string error;
};

/// The Slack actions (slackapi/slack-github-action, 8398a7/action-slack,
/// rtCamp/action-slack-notify) as slipway/notify calls, from their `with` and the step's
/// environment (where they take their webhook URLs); nullopt for any other action.
/// A payload file is read relative to `workspace`.
std::optional<BuiltinCall> AsBuiltinCall(std::string_view uses, const nlohmann::json& with,
                                         const std::map<std::string, std::string>& env,
                                         const std::string& workspace);

/// Runs `uses` locally with its resolved `with` (string values); nullopt when there is no
/// local equivalent.
std::optional<step_api::StepOutcome> RunLocalAction(std::string_view uses,
                                                    const nlohmann::json& with,
                                                    const LocalActionContext& context);

}  // namespace slipway::exec
