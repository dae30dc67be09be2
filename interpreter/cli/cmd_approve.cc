// `slipway approve RUN_ID ENV --as NAME [--comment TEXT] [--state-dir DIR]` and
// `slipway reject ...` (cmd_reject.cc): a reviewer's decision for a run waiting at ENV's gate in
// another terminal. Checked against the run's state first: only a decision that counts is
// recorded (exit 0, "recorded"); otherwise exit 2 with the reason, or 1 when the run ended.
#include "interpreter/cli/cmd_approve.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>

#include "interpreter/cli/backend_cli.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/exec/approvals_decide.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/orphans.h"

namespace slipway::cli {
namespace {

struct DecisionArgs {
  std::string run_id;
  std::string environment;
  std::string reviewer;
  std::string comment;
  std::string state_dir = ".slipway";
  std::string backend;  // postgresql://...: backend_cli.h decides
};

int Decide(const DecisionArgs& args, bool rejected) {
  if (std::string inside = exec::InsideARun(); !inside.empty()) {
    // A workflow's own code never reviews its deployment (DESIGN: no workflow code bypasses a
    // protection rule); a reviewer decides from a terminal or a process of their own.
    std::cerr << "slipway " << (rejected ? "reject" : "approve")
              << ": refused: " << inside << "; a reviewer's decision cannot come from a "
              << "workflow's own steps\n";
    return kExitUsage;
  }
  if (std::string dsn = BackendDsn(rejected ? "reject" : "approve", args.backend); !dsn.empty()) {
    return dsn == "!" ? kExitUsage
                      : DecideOnBackend(dsn, args.run_id, args.environment, args.reviewer,
                                        args.comment, /*approve=*/!rejected);
  }
  exec::Approval decision{args.reviewer, exec::FormatUtc(std::chrono::system_clock::now()),
                          rejected ? "slipway reject" : "slipway approve"};
  decision.comment = args.comment;
  decision.rejected = rejected;
  exec::DecisionResult result =
      exec::SubmitDecision(args.state_dir, args.run_id, args.environment, decision);
  switch (result.outcome) {
    case exec::DecisionOutcome::kRecorded:
      std::cout << result.message << "\n";
      return kExitOk;
    case exec::DecisionOutcome::kNotRunning:
      std::cerr << "slipway " << (rejected ? "reject" : "approve") << ": " << result.message
                << "\n";
      return kExitFailed;
    case exec::DecisionOutcome::kRefused:
      break;
  }
  std::cerr << "slipway " << (rejected ? "reject" : "approve") << ": " << result.message << "\n";
  return kExitUsage;
}

}  // namespace

std::function<int()> SetupDecision(CLI::App& command, bool rejected) {
  auto args = std::make_shared<DecisionArgs>();
  command.add_option("run_id", args->run_id, "the waiting run's id")->required();
  command
      .add_option("environment", args->environment,
                  rejected ? "the environment to reject" : "the environment to approve")
      ->required();
  command.add_option("--as", args->reviewer, rejected ? "who rejects" : "who approves")->required();
  command.add_option("--comment", args->comment, "a comment, kept in the audit log");
  command.add_option("--state-dir", args->state_dir, "state directory (default: .slipway)");
  command.add_option("--backend", args->backend, "postgresql://... (the reviewer is the role)");
  return [args, rejected]() -> int { return Decide(*args, rejected); };
}

std::function<int()> SetupApprove(CLI::App& command) { return SetupDecision(command, false); }

}  // namespace slipway::cli
