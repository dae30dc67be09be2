// The subcommand table and the entry point. Wiring only: parsing flags and mapping results to
// exit codes; each subcommand's work happens in the stages it calls.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "interpreter/cli/subcommand.h"

namespace slipway::cli {

// One row per subcommand, each defined in its cmd_<name>.cc.
std::function<int()> SetupSchema(CLI::App& command);
std::function<int()> SetupValidate(CLI::App& command);
std::function<int()> SetupExpr(CLI::App& command);
std::function<int()> SetupPlan(CLI::App& command);
std::function<int()> SetupSteps(CLI::App& command);
std::function<int()> SetupRun(CLI::App& command);
std::function<int()> SetupApprove(CLI::App& command);
std::function<int()> SetupReject(CLI::App& command);
std::function<int()> SetupAudit(CLI::App& command);
std::function<int()> SetupTest(CLI::App& command);
std::function<int()> SetupWorker(CLI::App& command);
std::function<int()> SetupWait(CLI::App& command);
std::function<int()> SetupBackend(CLI::App& command);

namespace {

const Subcommand kSubcommands[] = {
    {"schema", "print a JSON Schema (workflow, environments, plan, or a step's inputs)",
     &SetupSchema},
    {"validate", "check workflow files; exit 1 when errors are found", &SetupValidate},
    {"expr", "evaluate a ${{ }} expression (or JSON lines with --batch)", &SetupExpr},
    {"plan", "show what an event would run: jobs, waves, gates, resolved steps", &SetupPlan},
    {"steps", "list the built-in step types (uses: slipway/<name>@v1) and their inputs",
     &SetupSteps},
    {"run", "execute a workflow: jobs in parallel, gates, masked secrets, a run record",
     &SetupRun},
    {"approve", "approve a waiting run's environment gate (RUN_ID ENV --as NAME)", &SetupApprove},
    {"reject", "reject a waiting run's environment gate (RUN_ID ENV --as NAME)", &SetupReject},
    {"audit", "check the audit trail (audit verify)", &SetupAudit},
    {"test", "rehearse workflows: run *.test.yml scenarios with stubs on virtual time", &SetupTest},
    {"worker", "claim and run ready jobs from a PostgreSQL backend", &SetupWorker},
    {"wait", "follow a submitted run until it ends; its exit code", &SetupWait},
    {"backend", "manage the PostgreSQL backend (backend init)", &SetupBackend},
};

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"slipway: plan and run deployment pipelines written in GitHub Actions syntax"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "slipway 0.1.0");
  std::function<int()> chosen;
  for (const Subcommand& sub : kSubcommands) {
    CLI::App* command = app.add_subcommand(sub.name, sub.description);
    std::function<int()> run = sub.setup(*command);
    command->callback([&chosen, run] { chosen = run; });
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
