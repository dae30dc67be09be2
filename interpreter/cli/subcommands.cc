// The subcommand table of the whole CLI (slipway-full) and its entry point. Wiring only:
// parsing flags and mapping results to exit codes; each subcommand's work happens in the stages
// it calls.
#include <CLI/CLI.hpp>

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

void BuildApp(CLI::App& app, std::function<int()>* chosen) {
  BuildAppFrom(kSubcommands, app, chosen);
}

int Main(int argc, char** argv) { return MainWith(kSubcommands, argc, argv); }

}  // namespace slipway::cli
