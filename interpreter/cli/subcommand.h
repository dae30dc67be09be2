#pragma once
/// The subcommand table: each `slipway <name>` is one row, implemented in cmd_<name>.cc.

#include <functional>
#include <span>
#include <string>

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
  bool hidden = false;  // internal (man page, completion helpers): not in help or completions
};

/// "slipway 0.1.0 (commit 1a2b3c4d5e6f)": the version and the git commit it was built from.
std::string VersionText();

/// Builds the whole command line (every subcommand and flag) into `app`; `chosen` receives the
/// chosen subcommand's runner. help, the man page and the completions all read this one tree,
/// so they cannot drift from what is parsed.
void BuildApp(CLI::App& app, std::function<int()>* chosen);

/// Runs the CLI; returns the process exit code.
int Main(int argc, char** argv);

/// BuildApp and Main over another table (app.cc): the slipway front (main_front.cc) builds its
/// command line from the few subcommands it runs itself.
void BuildAppFrom(std::span<const Subcommand> table, CLI::App& app, std::function<int()>* chosen);
int MainWith(std::span<const Subcommand> table, int argc, char** argv);

/// The subcommands the front runs itself (front_subcommands.cc), also the first rows of the
/// whole table.
std::span<const Subcommand> FrontSubcommands();

}  // namespace slipway::cli
