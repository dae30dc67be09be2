#pragma once
/// The local equivalents of `actions/setup-*` (local_equivalents.h) check the version a step
/// asks for against what is installed, instead of reporting success with whatever is on PATH:
/// a matrix over Python versions fails, loudly, the legs this machine cannot satisfy.
///
/// ONE table (kSetupTools in tool_versions.cc) says, per action, the version input, the
/// version-file input (and the files the action reads by itself), the binaries to look for on
/// PATH and how to ask them their version. Requests are matched as the actions match them
/// (node-semver ranges): "3.11", "3.x", "18", "v18.19.0", ">=18", "^3.10", "~3.11",
/// "3.9 - 3.12", "a || b", "lts/*" and "lts/<codename>" (node), "stable" (go); several lines
/// (python-version's list) must each be satisfied.
/// `plan` calls this with a probe that runs the binary (plan/setup_preview.h); `run` with one
/// that runs it in the step's environment (exec/action_executors.cc).

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::step_api {

/// Runs `binary` (an absolute path) with `args`; its stdout and stderr together, or nullopt
/// when it cannot be run.
using ToolProbe =
    std::function<std::optional<std::string>(const std::string& binary,
                                             const std::vector<std::string>& args)>;

/// The answer for one setup step.
struct SetupCheck {
  enum class Kind {
    kSatisfied,     // the installed tool satisfies the request
    kUnsatisfied,   // it does not, or none is installed: the step fails
    kNotRequested,  // no version asked for: the tool on PATH is used, as before
    kUnknownTool,   // a setup action slipway has no row for
  };
  Kind kind = Kind::kNotRequested;
  std::string tool;       // "python"
  std::string requested;  // "3.x" (as written; lines joined with ", ")
  std::string binary;     // "/usr/bin/python3" ("" when none was found)
  std::string version;    // "3.11.7" ("" when none was found)
  /// One line for the plan and the log: what satisfies what, or what is installed instead.
  std::string message;
  /// The action's outputs when satisfied (setup-python: python-version, python-path).
  std::map<std::string, std::string> outputs;
};

/// Checks `with` of `uses` ("actions/setup-python@v5"). `path` is the PATH to search,
/// `workspace` where version files are read from.
SetupCheck CheckSetupTool(std::string_view uses, const nlohmann::json& with,
                          const std::string& path, const std::string& workspace,
                          const ToolProbe& probe);

/// Is `installed` ("3.11.7") within `range` ("3.x", ">=3.9 <3.12", "^18", "lts/hydrogen")?
/// nullopt with `error` set when the range cannot be read.
std::optional<bool> VersionSatisfies(std::string_view installed, std::string_view range,
                                     std::string* error);

}  // namespace slipway::step_api
