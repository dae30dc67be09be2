// `slipway report RUN_ID [-o FILE.html] [--state-dir D | --backend DSN]`: the run's
// self-contained HTML report (report/html_report.h). Without -o it is written to
// DIR/runs/<id>/report.html; on the PostgreSQL backend, which has no run directory, -o is
// required.
#include "interpreter/cli/cmd_report.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "interpreter/backend/stores.h"
#include "interpreter/cli/backend_cli.h"
#include "interpreter/cli/cli_common.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/report/html_report.h"

namespace slipway::cli {

std::string WriteRunReport(const std::string& command, const std::string& state_dir,
                           const std::string& run_id, const std::string& path) {
  exec::Masker masker;
  AddReaderSecrets(masker);
  std::string out = path.empty() ? exec::RunDirectory(state_dir, run_id) + "/report.html" : path;
  Expected<bool> written = report::WriteHtmlReport(state_dir, run_id, out, &masker);
  if (!written) {
    std::cerr << "slipway " << command << ": " << written.error() << "\n";
    return "";
  }
  return out;
}

namespace {

struct ReportArgs {
  std::string run_id;
  std::string output;
  std::string state_dir = ".slipway";
  std::string backend;
};

int ReportOnBackend(const std::string& dsn, const ReportArgs& args) {
  if (args.output.empty()) {
    std::cerr << "slipway report: with --backend give the file to write (-o FILE.html)\n";
    return kExitUsage;
  }
  // Reading needs no audit key: the key only signs and checks audit entries.
  Expected<std::unique_ptr<exec::Store>> store = backend::OpenPgStore(dsn, "");
  if (!store) {
    std::cerr << "slipway report: " << store.error() << "\n";
    return kExitUsage;
  }
  exec::Masker masker;
  AddReaderSecrets(masker);
  Expected<bool> written = report::WriteHtmlReport(**store, args.run_id, args.output, &masker);
  if (!written) {
    std::cerr << "slipway report: " << written.error() << "\n";
    return kExitUsage;
  }
  std::cout << "report written to " << args.output << "\n";
  return kExitOk;
}

}  // namespace

std::function<int()> SetupReport(CLI::App& command) {
  auto args = std::make_shared<ReportArgs>();
  command.add_option("run_id", args->run_id, "the run's id (see `slipway runs`)")->required();
  command.add_option("-o,--output", args->output,
                     "the HTML file to write (default: DIR/runs/<id>/report.html)");
  command.add_option("--state-dir", args->state_dir, "state directory (default: .slipway)");
  command.add_option("--backend", args->backend, "postgresql://... (default: $SLIPWAY_BACKEND)");
  return [args]() -> int {
    std::string dsn = BackendDsn("report", args->backend);
    if (dsn == "!") return kExitUsage;
    if (!dsn.empty()) return ReportOnBackend(dsn, *args);
    std::string written = WriteRunReport("report", args->state_dir, args->run_id, args->output);
    if (written.empty()) return kExitUsage;
    std::cout << "report written to " << written << "\n";
    return kExitOk;
  };
}

}  // namespace slipway::cli
