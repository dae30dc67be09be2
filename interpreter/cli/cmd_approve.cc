// `slipway approve RUN_ID ENV --as NAME [--state-dir DIR]`: records an approval that a run
// waiting at ENV's gate (in another terminal) picks up. Whether it counts is the waiting run's
// decision (configured reviewers, distinct names, self-review); nothing here bypasses it.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>

#include "interpreter/cli/backend_cli.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/exec/approvals.h"
#include "interpreter/exec/audit.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/run_store.h"

namespace slipway::cli {
namespace {

struct ApproveArgs {
  std::string run_id;
  std::string environment;
  std::string reviewer;
  std::string state_dir = ".slipway";
  std::string backend;  // postgresql://...: backend_cli.h decides
};

int Approve(const ApproveArgs& args) {
  if (std::string dsn = BackendDsn("approve", args.backend); !dsn.empty()) {
    return dsn == "!" ? kExitUsage
                      : DecideOnBackend(dsn, args.run_id, args.environment, args.reviewer, "",
                                        /*approve=*/true);
  }
  Expected<exec::RunRecord> record = exec::RunStore::Load(args.state_dir, args.run_id);
  if (!record) {
    std::cerr << "slipway approve: " << record.error() << "\n";
    return kExitUsage;
  }
  if (record->status != "running") {
    std::cerr << "slipway approve: run \"" << args.run_id << "\" is not running (it ended with "
              << record->status << "); nothing to approve\n";
    return kExitFailed;
  }
  if (args.reviewer.empty()) {
    std::cerr << "slipway approve: --as needs a reviewer name\n";
    return kExitUsage;
  }
  exec::Approval approval{args.reviewer, exec::FormatUtc(std::chrono::system_clock::now()),
                          "slipway approve"};
  Expected<bool> written = exec::RecordApproval(exec::RunDirectory(args.state_dir, args.run_id),
                                                args.environment, approval);
  if (!written) {
    std::cerr << "slipway approve: " << written.error() << "\n";
    return kExitUsage;
  }
  if (Expected<exec::AuditLog> audit = exec::AuditLog::Open(args.state_dir, nullptr)) {
    (void)audit->Append({{"kind", "approval-given"},
                         {"time", approval.at},
                         {"run_id", args.run_id},
                         {"environment", args.environment},
                         {"reviewer", args.reviewer},
                         {"source", approval.source}});
  }
  std::cout << "approval by \"" << args.reviewer << "\" for environment \"" << args.environment
            << "\" recorded for run " << args.run_id << "\n";
  return kExitOk;
}

}  // namespace

std::function<int()> SetupApprove(CLI::App& command) {
  auto args = std::make_shared<ApproveArgs>();
  command.add_option("run_id", args->run_id, "the waiting run's id")->required();
  command.add_option("environment", args->environment, "the environment to approve")->required();
  command.add_option("--as", args->reviewer, "who approves")->required();
  command.add_option("--state-dir", args->state_dir, "state directory (default: .slipway)");
  command.add_option("--backend", args->backend, "postgresql://... (the reviewer is the role)");
  return [args]() -> int { return Approve(*args); };
}

}  // namespace slipway::cli
