#pragma once
/// Local equivalents of the third-party actions the documented pipelines use, so a workflow
/// written for GitHub runs on one machine:
///   actions/checkout            the workspace already is the checkout: nothing to do
///   actions/setup-*             tools come from PATH: reports which one would be set up
///   aws-actions/configure-aws-credentials   exports AWS_* to later steps (masked)
///   actions/upload-artifact     copies `path` into the run's artifacts/<name>/
///   actions/download-artifact   copies artifacts/<name>/ into `path`
/// Anything else is not known here (nullopt); the job runner then fails the step clearly.

#include <functional>
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

/// The action's name without its ref: "actions/checkout" for "actions/checkout@v4".
std::string ActionName(std::string_view uses);

/// Runs `uses` locally with its resolved `with` (string values); nullopt when there is no
/// local equivalent.
std::optional<step_api::StepOutcome> RunLocalAction(std::string_view uses,
                                                    const nlohmann::json& with,
                                                    const LocalActionContext& context);

}  // namespace slipway::exec
