// `slipway backend init --backend DSN`: creates or migrates the PostgreSQL schema (versioned,
// idempotent). Also the backend side of approve/reject/audit verify (backend_cli.h).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "interpreter/backend/log_follow.h"
#include "interpreter/backend/pg_audit.h"
#include "interpreter/backend/schema.h"
#include "interpreter/backend/stores.h"
#include "interpreter/cli/backend_cli.h"
#include "interpreter/cli/subcommand.h"

namespace slipway::cli {
namespace {

struct BackendArgs {
  std::string backend;
};

int Init(const BackendArgs& args) {
  std::string dsn = BackendDsn("backend init", args.backend);
  if (dsn == "!") return kExitUsage;
  if (dsn.empty()) {
    std::cerr << "slipway backend init: name the database with --backend postgresql://... (or "
                 "SLIPWAY_BACKEND)\n";
    return kExitUsage;
  }
  Expected<backend::MigrationReport> report = backend::Migrate(dsn);
  if (!report) {
    std::cerr << "slipway backend init: " << report.error() << "\n";
    return kExitUsage;
  }
  if (report->from == report->to) {
    std::cout << "schema already at version " << report->to << " in "
              << backend::RedactDsn(dsn) << "\n";
  } else {
    std::cout << "schema migrated from version " << report->from << " to " << report->to
              << " in " << backend::RedactDsn(dsn) << "\n";
  }
  return kExitOk;
}

}  // namespace

std::string BackendDsn(const std::string& command, const std::string& flag) {
  std::string value = flag;
  if (value.empty()) {
    const char* env = std::getenv("SLIPWAY_BACKEND");
    value = env ? env : "";
  }
  if (value.empty()) return "";
  if (!backend::IsPostgresDsn(value)) {
    std::cerr << "slipway " << command << ": unsupported backend \"" << backend::RedactDsn(value)
              << "\": use postgresql://... (or --state-dir DIR for a directory)\n";
    return "!";
  }
  return value;
}

int DecideOnBackend(const std::string& dsn, const std::string& run_id,
                    const std::string& environment, const std::string& as,
                    const std::string& comment, bool approve) {
  const char* command = approve ? "slipway approve" : "slipway reject";
  Expected<std::string> key = backend::PgAuditKey(/*create=*/false);
  Expected<std::unique_ptr<exec::Store>> store =
      backend::OpenPgStore(dsn, key ? *key : std::string());
  if (!store) {
    std::cerr << command << ": " << store.error() << "\n";
    return kExitUsage;
  }
  exec::ReviewDecision decision{run_id, environment, as,
                                approve ? exec::GateVerdict::kApprove : exec::GateVerdict::kReject,
                                comment};
  Expected<exec::RecordedDecision> recorded = (*store)->RecordDecision(decision);
  if (!recorded) {
    std::cerr << command << ": " << recorded.error() << "\n";
    return kExitFailed;
  }
  // The approvals table is the authenticated record; the worker that decides the gate writes
  // the audit entry. One more here when this host holds the key.
  if (key) {
    Expected<bool> audited = (*store)->AppendAudit({{"kind", approve ? "approval-given" : "rejection-given"},
                                                    {"run_id", run_id},
                                                    {"environment", environment},
                                                    {"reviewer", recorded->reviewer},
                                                    {"comment", comment},
                                                    {"source", "database role"}});
    if (!audited) std::cerr << command << ": warning: " << audited.error() << "\n";
  }
  std::cout << (approve ? "approval" : "rejection") << " by \"" << recorded->reviewer
            << "\" for environment \"" << environment << "\" recorded for run " << run_id
            << " at " << recorded->at << "\n";
  return kExitOk;
}

int VerifyAuditOnBackend(const std::string& dsn) {
  Expected<std::string> key = backend::PgAuditKey(/*create=*/false);
  if (!key) {
    std::cerr << "slipway audit verify: " << key.error() << "\n";
    return kExitUsage;
  }
  Expected<exec::AuditVerification> result = backend::VerifyPgAudit(dsn, *key);
  if (!result) {
    std::cerr << "slipway audit verify: " << result.error() << "\n";
    return kExitUsage;
  }
  if (!result->ok) {
    std::cout << "audit table: "
              << (result->line > 0 ? "entry " + std::to_string(result->line) + ": " : "")
              << result->message << "\n";
    return kExitFailed;
  }
  std::cout << "audit table intact: " << result->entries << " entries\n";
  return kExitOk;
}

int LogsOnBackend(const std::string& dsn, const std::string& run_id, const std::string& job,
                  const std::string& step, bool follow) {
  Expected<std::unique_ptr<exec::Store>> store = backend::OpenPgStore(dsn, "");
  if (!store) {
    std::cerr << "slipway logs: " << store.error() << "\n";
    return kExitUsage;
  }
  Expected<exec::RunRecord> run = (*store)->LoadRun(run_id);
  if (!run) {
    std::cerr << "slipway logs: " << run.error() << "\n";
    return kExitUsage;
  }
  if (!job.empty() && run->jobs.count(job) == 0 &&
      std::none_of(run->jobs.begin(), run->jobs.end(),
                   [&](const auto& entry) { return entry.first.rfind(job + " (", 0) == 0; })) {
    std::cerr << "slipway logs: run \"" << run_id << "\" has no job \"" << job << "\"\n";
    return kExitUsage;
  }
  backend::LogFollower logs(**store, run_id, job, step);
  if (!follow) {
    Expected<bool> printed = logs.Poll(stdout, /*flush_partial=*/true);
    if (!printed) std::cerr << "slipway logs: " << printed.error() << "\n";
    return printed ? kExitOk : kExitUsage;
  }
  // Until the run ended (queued and running are the states that still write).
  for (bool ended = false; !ended;) {
    Expected<exec::RunRecord> now = (*store)->LoadRun(run_id);
    ended = !now || exec::IsFinished(now->status);
    if (Expected<bool> printed = logs.Poll(stdout, ended); !printed) {
      std::cerr << "slipway logs: " << printed.error() << "\n";
      return kExitUsage;
    }
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return kExitOk;
}

std::function<int()> SetupBackend(CLI::App& command) {
  auto args = std::make_shared<BackendArgs>();
  command.require_subcommand(1);
  CLI::App* init = command.add_subcommand(
      "init", "create or migrate the PostgreSQL schema (idempotent; safe to run again)");
  init->add_option("--backend", args->backend, "postgresql://... (default: $SLIPWAY_BACKEND)");
  return [args]() -> int { return Init(*args); };
}

}  // namespace slipway::cli
