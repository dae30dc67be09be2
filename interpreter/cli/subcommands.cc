// The subcommand table of the whole CLI (slipway-full) and its entry point. Wiring only:
// parsing flags and mapping results to exit codes; each subcommand's work happens in the stages
// it calls.
#include <CLI/CLI.hpp>

#include <iterator>
#include <vector>

#include "interpreter/cli/subcommand.h"

namespace slipway::cli {

// One row per subcommand, each defined in its cmd_<name>.cc.
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
std::function<int()> SetupMaskLog(CLI::App& command);

namespace {

// The rows after the front's own (front_subcommands.cc).
const Subcommand kOtherSubcommands[] = {
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
    {"__mask-log", "copy standard input to a log file, masked (a local stack's app output)",
     &SetupMaskLog, true},
};

// Every subcommand, in help order: the front's rows first.
const std::vector<Subcommand>& AllSubcommands() {
  static const std::vector<Subcommand> all = [] {
    std::vector<Subcommand> rows(FrontSubcommands().begin(), FrontSubcommands().end());
    rows.insert(rows.end(), std::begin(kOtherSubcommands), std::end(kOtherSubcommands));
    return rows;
  }();
  return all;
}

}  // namespace

void BuildApp(CLI::App& app, std::function<int()>* chosen) {
  BuildAppFrom(AllSubcommands(), app, chosen);
}

int Main(int argc, char** argv) { return MainWith(AllSubcommands(), argc, argv); }

}  // namespace slipway::cli
