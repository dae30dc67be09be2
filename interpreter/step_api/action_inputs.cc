#include "interpreter/step_api/action_inputs.h"

#include <fmt/format.h>

namespace slipway::step_api {

std::string ActionInput(const nlohmann::json& with, const char* key, std::string fallback) {
  auto it = with.find(key);
  if (it == with.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::optional<bool> ActionBooleanInput(const nlohmann::json& with, const char* key, bool fallback,
                                       std::string* error) {
  std::string value = ActionInput(with, key);
  if (value.empty()) return fallback;
  if (value == "true" || value == "True" || value == "TRUE") return true;
  if (value == "false" || value == "False" || value == "FALSE") return false;
  *error = fmt::format(
      "Input does not meet YAML 1.2 \"Core Schema\" specification: {}\nSupport boolean input "
      "list: `true | True | TRUE | false | False | FALSE`",
      key);
  return std::nullopt;
}

StepOutcome ActionFailed(std::string message) {
  StepOutcome outcome;
  outcome.status = StepStatus::kFailure;
  outcome.exit_code = 1;
  outcome.message = std::move(message);
  return outcome;
}

std::filesystem::path InWorkspace(const std::string& workspace, const std::string& path) {
  std::filesystem::path p(path);
  return p.is_absolute() ? p : std::filesystem::path(workspace) / p;
}

std::string EnvValue(const std::map<std::string, std::string>& env, const char* key) {
  auto it = env.find(key);
  return it == env.end() ? std::string() : it->second;
}

}  // namespace slipway::step_api
