// Building a command line from a subcommand table, and running it: shared by slipway-full
// (every subcommand) and the slipway front (the few that need none of the heavy libraries).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstring>
#include <iostream>

#include "interpreter/base/diagnostic.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/cli/version.h"

namespace slipway::cli {

std::string VersionText() {
  return std::string("slipway ") + kVersion + " (commit " + kGitCommit + ")";
}

void BuildAppFrom(std::span<const Subcommand> table, CLI::App& app, std::function<int()>* chosen) {
  app.require_subcommand(1);
  app.set_version_flag("--version", VersionText(), "print the version and the git commit");
  for (const Subcommand& sub : table) {
    CLI::App* command = app.add_subcommand(sub.name, sub.description);
    if (sub.hidden) command->group("");
    std::function<int()> run = sub.setup(*command);
    command->callback([chosen, run] { *chosen = run; });
  }
}

int MainWith(std::span<const Subcommand> table, int argc, char** argv) {
  CLI::App app{"slipway: plan and run deployment pipelines written in GitHub Actions syntax",
               "slipway"};
  std::function<int()> chosen;
  BuildAppFrom(table, app, &chosen);
  if (argc < 2) {
    std::cerr << app.help();
    return kExitUsage;
  }
  // An unknown command is named, with the nearest known one (CLI11 would only say that a
  // subcommand is required).
  if (argv[1][0] != '-') {
    std::vector<std::string> names;
    bool known = false;
    for (const Subcommand& sub : table) {
      if (!sub.hidden) names.emplace_back(sub.name);
      known = known || std::strcmp(argv[1], sub.name) == 0;
    }
    if (!known) {
      std::cerr << "slipway: unknown command '" << argv[1] << "'";
      std::string match = ClosestMatch(argv[1], names);
      if (!match.empty()) std::cerr << "; did you mean '" << match << "'?";
      std::cerr << "\nrun 'slipway help' for the list of commands\n";
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return chosen ? chosen() : kExitUsage;
}

}  // namespace slipway::cli
