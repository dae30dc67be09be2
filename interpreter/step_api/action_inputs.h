#pragma once
/// What every local equivalent of a third-party action (local_equivalents.h) reads its inputs
/// and reports failures with: an input's text as @actions/core's getInput and getBooleanInput
/// give it, the failed outcome, and paths relative to the workspace.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "interpreter/step_api/step_api.h"

namespace slipway::step_api {

/// The input `key` of `with` as text (a non-string value as its JSON), or `fallback` when it is
/// not given.
std::string ActionInput(const nlohmann::json& with, const char* key, std::string fallback = "");

/// @actions/core getBooleanInput: "true"/"True"/"TRUE" and "false"/"False"/"FALSE" (absent:
/// `fallback`); anything else is nullopt with `*error` set to the toolkit's message.
std::optional<bool> ActionBooleanInput(const nlohmann::json& with, const char* key, bool fallback,
                                       std::string* error);

/// A failed outcome (exit code 1) with `message`.
StepOutcome ActionFailed(std::string message);

/// `path` as given when absolute, else below `workspace`.
std::filesystem::path InWorkspace(const std::string& workspace, const std::string& path);

/// `key` of `env`, or "".
std::string EnvValue(const std::map<std::string, std::string>& env, const char* key);

}  // namespace slipway::step_api
