// `slipway runs [--state-dir D | --backend DSN] [--format text|json]` and
// `slipway show RUN_ID [--state-dir D | --backend DSN] [--format text|json]`: the run history
// (report/run_history.h) of a state directory, or of the PostgreSQL backend through its Store
// (exec/store.h), rendered by report/render_text.h.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "interpreter/backend/stores.h"
#include "interpreter/cli/backend_cli.h"
#include "interpreter/cli/cli_common.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/exec/masker.h"
#include "interpreter/report/render_text.h"
#include "interpreter/report/run_history.h"
#include "interpreter/report/timeline.h"

namespace slipway::cli {
namespace {

struct HistoryArgs {
  std::string state_dir = ".slipway";
  std::string backend;  // postgresql://...: read through the backend's Store
  std::string format = "text";
  std::string run_id;
};

// The backend's Store when --backend (or SLIPWAY_BACKEND) names a database; null for the state
// directory. Errors are said here; `failed` is then set.
std::unique_ptr<exec::Store> BackendStore(const char* command, const HistoryArgs& args,
                                          bool* failed) {
  *failed = false;
  std::string dsn = BackendDsn(command, args.backend);
  if (dsn.empty()) return nullptr;
  *failed = true;
  if (dsn == "!") return nullptr;
  // Reading needs no audit key: the key only signs and checks audit entries.
  Expected<std::unique_ptr<exec::Store>> store = backend::OpenPgStore(dsn, "");
  if (!store) {
    std::cerr << "slipway " << command << ": " << store.error() << "\n";
    return nullptr;
  }
  *failed = false;
  return std::move(store).value();
}

int ListRuns(const HistoryArgs& args) {
  bool failed = false;
  std::unique_ptr<exec::Store> store = BackendStore("runs", args, &failed);
  if (failed) return kExitUsage;
  std::vector<std::string> unreadable;
  std::vector<report::RunRow> rows;
  if (store) {
    Expected<std::vector<report::RunRow>> listed = report::ListRuns(*store, &unreadable);
    if (!listed) {
      std::cerr << "slipway runs: " << listed.error() << "\n";
      return kExitUsage;
    }
    rows = std::move(listed).value();
    for (const std::string& id : unreadable) {
      std::cerr << "slipway runs: warning: run \"" << id << "\" in " << store->Describe()
                << " cannot be read; skipped\n";
    }
  } else {
    rows = report::ListRuns(args.state_dir, &unreadable);
    for (const std::string& id : unreadable) {
      std::cerr << "slipway runs: warning: \"" << args.state_dir << "/runs/" << id
                << "\" has no readable run.json; skipped\n";
    }
  }
  if (args.format == "json") {
    std::cout << report::RunsToJson(rows).dump(2) << "\n";
  } else {
    std::cout << report::RenderRunsTable(rows);
  }
  return kExitOk;
}

int Show(const HistoryArgs& args) {
  bool failed = false;
  std::unique_ptr<exec::Store> store = BackendStore("show", args, &failed);
  if (failed) return kExitUsage;
  exec::Masker masker;
  AddReaderSecrets(masker);
  Expected<report::RunView> run = store ? report::LoadRun(*store, args.run_id, &masker)
                                        : report::LoadRun(args.state_dir, args.run_id, &masker);
  if (!run) {
    std::cerr << "slipway show: " << run.error() << "\n";
    return kExitUsage;
  }
  report::Timeline timeline = report::BuildTimeline(*run);
  if (args.format == "json") {
    std::cout << report::ShowToJson(*run, timeline).dump(2) << "\n";
  } else {
    std::cout << report::RenderShow(*run, timeline);
  }
  return kExitOk;
}

void AddCommonFlags(CLI::App& command, HistoryArgs& args) {
  command.add_option("--state-dir", args.state_dir, "state directory (default: .slipway)");
  command.add_option("--backend", args.backend, "postgresql://... (default: $SLIPWAY_BACKEND)");
  command.add_option("--format", args.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
}

}  // namespace

std::function<int()> SetupRuns(CLI::App& command) {
  auto args = std::make_shared<HistoryArgs>();
  AddCommonFlags(command, *args);
  return [args]() -> int { return ListRuns(*args); };
}

std::function<int()> SetupShow(CLI::App& command) {
  auto args = std::make_shared<HistoryArgs>();
  command.add_option("run_id", args->run_id, "the run's id (see `slipway runs`)")->required();
  AddCommonFlags(command, *args);
  return [args]() -> int { return Show(*args); };
}

}  // namespace slipway::cli
