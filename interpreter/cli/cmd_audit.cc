// `slipway audit verify [--state-dir DIR]`: exit 0 when the audit log is intact, 1 (naming the
// first bad entry) when it was tampered with, 2 when it cannot be checked.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "interpreter/cli/backend_cli.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/exec/audit.h"
#include "interpreter/exec/run_store.h"

namespace slipway::cli {
namespace {

struct AuditArgs {
  std::string state_dir = ".slipway";
  std::string backend;  // postgresql://...: backend_cli.h verifies the audit table
};

int Verify(const AuditArgs& args) {
  if (std::string dsn = BackendDsn("audit verify", args.backend); !dsn.empty()) {
    return dsn == "!" ? kExitUsage : VerifyAuditOnBackend(dsn);
  }
  exec::RemoveLeftovers(args.state_dir);  // what killed runs left may hold secrets
  Expected<exec::AuditVerification> result = exec::VerifyAudit(args.state_dir);
  if (!result) {
    std::cerr << "slipway audit verify: " << result.error() << "\n";
    return kExitUsage;
  }
  if (!result->ok) {
    std::cout << args.state_dir << "/audit.jsonl:" << result->line << ": " << result->message
              << "\n";
    return kExitFailed;
  }
  std::cout << "audit log intact: " << result->entries << " entries\n";
  return kExitOk;
}

}  // namespace

std::function<int()> SetupAudit(CLI::App& command) {
  auto args = std::make_shared<AuditArgs>();
  command.require_subcommand(1);
  CLI::App* verify = command.add_subcommand("verify", "check the HMAC chain of DIR/audit.jsonl");
  verify->add_option("--state-dir", args->state_dir, "state directory (default: .slipway)");
  verify->add_option("--backend", args->backend, "postgresql://...: check the audit table");
  return [args]() -> int { return Verify(*args); };
}

}  // namespace slipway::cli
