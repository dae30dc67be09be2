// The subcommands the `slipway` front runs itself (main_front.cc): the first rows of the whole
// table (subcommands.cc), defined once here for both executables.
#include "interpreter/cli/subcommand.h"

namespace slipway::cli {

std::function<int()> SetupSchema(CLI::App& command);
std::function<int()> SetupValidate(CLI::App& command);
std::function<int()> SetupExpr(CLI::App& command);
std::function<int()> SetupPlan(CLI::App& command);
std::function<int()> SetupSteps(CLI::App& command);

std::span<const Subcommand> FrontSubcommands() {
  static const Subcommand kRows[] = {
      {"schema", "print a JSON Schema (workflow, environments, plan, events, or a step's inputs)",
       &SetupSchema},
      {"validate", "check workflow files; exit 1 when errors are found", &SetupValidate},
      {"expr", "evaluate a ${{ }} expression (or JSON lines with --batch)", &SetupExpr},
      {"plan", "show what an event would run: jobs, waves, gates, resolved steps", &SetupPlan},
      {"steps", "list the built-in step types (uses: slipway/<name>@v1) and their inputs",
       &SetupSteps},
  };
  return kRows;
}

}  // namespace slipway::cli
