#pragma once
/// Helpers shared by the subcommands that plan (plan, run): printing diagnostics and reading
/// KEY=VALUE flags.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/base/diagnostic.h"
#include "interpreter/plan/plan_file.h"

namespace CLI {
class App;
}
namespace slipway::exec {
class Masker;
}

namespace slipway::cli {

/// The flags `plan` and `run` share: the event and its inputs (DESIGN.md's "plan's flags").
struct EventFlags {
  std::string event;
  std::string ref, sha, actor, event_file, env_config, action, at;
  std::vector<std::string> inputs, vars;
  std::vector<std::string> workflow_paths;  // --workflow-path owner/repo=DIR
  bool no_containers = false;               // --no-containers
};

/// Adds --event, --action, --at, --ref, --sha, --actor, --input, --var, --event-file,
/// --env-config, --workflow-path and --no-containers.
void AddEventFlags(CLI::App& command, EventFlags& flags);

/// Prints diagnostics to stderr: file ones as `file:line:col: ...` with the source line and a
/// caret, flag ones (no file) as `slipway <command>: error: ... [rule]`.
void PrintDiagnostics(std::string_view command, const SourceManager& sources,
                      Diagnostics& diagnostics);

/// Fills plan options from the workflow path and the event flags (and the container runtime
/// of this machine, exec/container_runtime.h). A malformed --input/--var
/// (not KEY=VALUE) is reported on stderr, naming `command` and the flag; returns false then.
bool ToPlanOptions(std::string_view command, const std::string& workflow, const EventFlags& flags,
                   plan::PlanOptions* options);

/// Parses --workflow-path values (owner/repo=DIR) into `out`; a malformed one is reported on
/// stderr, naming `command`; returns false then.
bool ParseWorkflowPaths(std::string_view command, const std::vector<std::string>& items,
                        std::map<std::string, std::string>* out);

/// Registers the secrets the reader of a run knows (SLIPWAY_SECRET_* in slipway's environment)
/// with `masker`: `show`, `logs` and `report` mask them once more, over the store's own masking.
void AddReaderSecrets(exec::Masker& masker);

/// Called after a command that may have created `state_dir` (`existed`: whether it existed
/// before): when it was just created inside a git work tree that does not ignore it, prints a
/// one-time hint to add it to .gitignore (it holds keys and logs).
void HintGitignore(const std::string& state_dir, bool existed);

}  // namespace slipway::cli
