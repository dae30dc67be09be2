// `slipway runs [--state-dir D] [--format text|json]` and
// `slipway show RUN_ID [--state-dir D] [--format text|json]`: the run history of a state
// directory (report/run_history.h), rendered by report/render_text.h.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

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
  std::string format = "text";
  std::string run_id;
};

int ListRuns(const HistoryArgs& args) {
  std::vector<std::string> unreadable;
  std::vector<report::RunRow> rows = report::ListRuns(args.state_dir, &unreadable);
  for (const std::string& id : unreadable) {
    std::cerr << "slipway runs: warning: \"" << args.state_dir << "/runs/" << id
              << "\" has no readable run.json; skipped\n";
  }
  if (args.format == "json") {
    std::cout << report::RunsToJson(rows).dump(2) << "\n";
  } else {
    std::cout << report::RenderRunsTable(rows);
  }
  return kExitOk;
}

int Show(const HistoryArgs& args) {
  exec::Masker masker;
  AddReaderSecrets(masker);
  Expected<report::RunView> run = report::LoadRun(args.state_dir, args.run_id, &masker);
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
