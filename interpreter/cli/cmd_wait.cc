// `slipway wait RUN_ID --backend DSN`: follows a submitted run — its step logs as workers write
// them ("[job] line"), one line per job as its state changes — and exits with the run's exit code (0 success, 1 failure, 130 cancelled). It also
// sweeps the queue, so a run whose workers died ends (with its jobs lost) even when no worker
// is left to notice.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>

#include "interpreter/backend/log_follow.h"
#include "interpreter/backend/pg_audit.h"
#include "interpreter/backend/stores.h"
#include "interpreter/backend/queue.h"
#include "interpreter/cli/backend_cli.h"
#include "interpreter/cli/subcommand.h"

namespace slipway::cli {
namespace {

struct WaitArgs {
  std::string run_id;
  std::string backend;
  double timeout_s = 0;  // 0: no limit
};

int Wait(const WaitArgs& args) {
  std::string dsn = BackendDsn("wait", args.backend);
  if (dsn == "!") return kExitUsage;
  if (dsn.empty()) {
    std::cerr << "slipway wait: name the database with --backend postgresql://... (or "
                 "SLIPWAY_BACKEND)\n";
    return kExitUsage;
  }
  Expected<std::string> key = backend::PgAuditKey(/*create=*/false);
  Expected<std::unique_ptr<backend::Queue>> queue =
      backend::Queue::Connect(dsn, key ? *key : std::string());
  if (!queue) {
    std::cerr << "slipway wait: " << queue.error() << "\n";
    return kExitUsage;
  }
  Expected<std::unique_ptr<exec::Store>> store = backend::OpenPgStore(dsn, "");
  if (!store) {
    std::cerr << "slipway wait: " << store.error() << "\n";
    return kExitUsage;
  }
  backend::LogFollower logs(**store, args.run_id);
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(args.timeout_s * 1000));
  std::map<std::string, std::string> shown;
  while (true) {
    // Without the audit key, lost leases are left for a worker to record.
    if (key) {
      if (Expected<int> swept = (*queue)->Sweep(); !swept) {
        std::cerr << "slipway wait: " << swept.error() << "\n";
        return kExitUsage;
      }
    }
    Expected<backend::RunStatusInfo> status = (*queue)->Status(args.run_id);
    if (!status) {
      std::cerr << "slipway wait: " << status.error() << "\n";
      return kExitUsage;
    }
    bool ended = backend::IsFinal(status->state);
    if (Expected<bool> printed = logs.Poll(stdout, ended); !printed) {
      std::cerr << "slipway wait: " << printed.error() << "\n";
    }
    for (const auto& [job, state] : status->jobs) {
      if (shown[job] != state) {
        std::cout << job << ": " << state << "\n" << std::flush;
        shown[job] = state;
      }
    }
    if (ended) {
      std::cout << "run " << args.run_id << ": " << backend::RunStateName(status->state) << "\n";
      if (status->state == backend::RunState::kSuccess) return kExitOk;
      return status->state == backend::RunState::kCancelled ? kExitCancelled : kExitFailed;
    }
    if (args.timeout_s > 0 && std::chrono::steady_clock::now() >= deadline) {
      std::cerr << "slipway wait: run " << args.run_id << " still "
                << backend::RunStateName(status->state) << " after --timeout\n";
      return kExitFailed;
    }
    if (Expected<bool> woke = (*queue)->WaitForNotification(std::chrono::milliseconds(250));
        !woke) {
      std::cerr << "slipway wait: " << woke.error() << "\n";
      return kExitUsage;
    }
  }
}

}  // namespace

std::function<int()> SetupWait(CLI::App& command) {
  auto args = std::make_shared<WaitArgs>();
  command.add_option("run_id", args->run_id, "the submitted run's id")->required();
  command.add_option("--backend", args->backend, "postgresql://... (default: $SLIPWAY_BACKEND)");
  command.add_option("--timeout", args->timeout_s, "give up after this many seconds (exit 1)");
  return [args]() -> int { return Wait(*args); };
}

}  // namespace slipway::cli
