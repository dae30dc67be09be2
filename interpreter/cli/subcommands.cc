// The subcommand table and the entry point. Wiring only: parsing flags and mapping results to
// exit codes; each subcommand's work happens in the stages it calls.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstring>
#include <iostream>

#include "interpreter/base/diagnostic.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/cli/version.h"

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
std::function<int()> SetupRuns(CLI::App& command);
std::function<int()> SetupShow(CLI::App& command);
std::function<int()> SetupLogs(CLI::App& command);
std::function<int()> SetupReport(CLI::App& command);
std::function<int()> SetupCompletion(CLI::App& command);
std::function<int()> SetupHelp(CLI::App& command);
std::function<int()> SetupManPage(CLI::App& command);
std::function<int()> SetupComplete(CLI::App& command);

namespace {

const Subcommand kSubcommands[] = {
    {"schema", "print a JSON Schema (workflow, environments, plan, events, or a step's inputs)",
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
    {"runs", "list past runs, newest first", &SetupRuns},
    {"show", "a run's jobs and steps: results, durations, gate decisions, outputs", &SetupShow},
    {"logs", "print a run's step logs (masked); --follow a run in progress", &SetupLogs},
    {"report", "write a run's self-contained HTML report (RUN_ID -o FILE.html)", &SetupReport},
    {"completion", "print a shell completion script (bash, zsh or fish)", &SetupCompletion},
    {"help", "show help for slipway or one command", &SetupHelp},
    {"__man", "print the man page (roff), generated from these definitions", &SetupManPage,
     true},
    {"__complete", "completion candidates: jobs WORKFLOW | runs [STATE_DIR] | environments "
                   "[FILE]",
     &SetupComplete, true},
};

}  // namespace

std::string VersionText() {
  return std::string("slipway ") + kVersion + " (commit " + kGitCommit + ")";
}

void BuildApp(CLI::App& app, std::function<int()>* chosen) {
  app.require_subcommand(1);
  app.set_version_flag("--version", VersionText(), "print the version and the git commit");
  for (const Subcommand& sub : kSubcommands) {
    CLI::App* command = app.add_subcommand(sub.name, sub.description);
    if (sub.hidden) command->group("");
    std::function<int()> run = sub.setup(*command);
    command->callback([chosen, run] { *chosen = run; });
  }
}

int Main(int argc, char** argv) {
  CLI::App app{"slipway: plan and run deployment pipelines written in GitHub Actions syntax",
               "slipway"};
  std::function<int()> chosen;
  BuildApp(app, &chosen);
  if (argc < 2) {
    std::cerr << app.help();
    return kExitUsage;
  }
  // An unknown command is named, with the nearest known one (CLI11 would only say that a
  // subcommand is required).
  if (argv[1][0] != '-') {
    std::vector<std::string> names;
    bool known = false;
    for (const Subcommand& sub : kSubcommands) {
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
