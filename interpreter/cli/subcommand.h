#pragma once
/// The subcommand table: each `slipway <name>` is one row, implemented in cmd_<name>.cc.

#include <functional>

namespace CLI {
class App;
}

namespace slipway::cli {

/// Exit codes of the command-line contract (DESIGN.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;     // the workflow failed / validation found errors
inline constexpr int kExitUsage = 2;      // bad flag, unreadable file, bad --input
inline constexpr int kExitCancelled = 130;

/// Adds a subcommand's flags to `command` and returns what runs it once flags are parsed.
using SetupFn = std::function<int()> (*)(CLI::App& command);

struct Subcommand {
  const char* name;
  const char* description;
  SetupFn setup;
};

/// Runs the CLI; returns the process exit code.
int Main(int argc, char** argv);

}  // namespace slipway::cli
