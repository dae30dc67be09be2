// `slipway test [PATH...] [--format text|json|junit] [--jobs N] [--out-dir DIR] [--scenario NAME]`
// Wiring only: find and load the test files (interpreter/rehearse), run their scenarios, print
// the report; exit 0 only when every scenario passed. The hidden --stub-call is what the command
// shims of a rehearsal run (rehearse/command_stubs.h).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include "interpreter/cli/cli_common.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/exec/orphans.h"
#include "interpreter/rehearse/command_stubs.h"
#include "interpreter/rehearse/isolation.h"
#include "interpreter/rehearse/rehearsal.h"
#include "stdlib/registry.h"

namespace slipway::cli {
namespace {

struct TestArgs {
  std::vector<std::string> paths;
  std::string format = "text";
  int jobs = 0;
  std::string out_dir = ".slipway/rehearsals";
  std::string scenario;
  bool live = false;
  std::string stub_call;
  std::string stub_bin;
};

std::string SelfExe() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("slipway") : self.string();
}

int Test(const TestArgs& args) {
  if (!args.stub_call.empty()) {
    // The shim passes the call's argv after `--`, where CLI11 leaves it to the paths.
    return rehearse::RunStubClient(args.stub_call, args.stub_bin, args.paths);
  }
  if (args.jobs < 0) {
    std::cerr << "slipway test: --jobs must be at least 1\n";
    return kExitUsage;
  }
  // The rehearsals' steps are real processes: they stay this process's descendants, are
  // cleaned up like a run's and cannot approve (orphans.h).
  exec::BecomeRunProcess("slipway-test");
  std::vector<std::string> paths = args.paths;
  if (paths.empty()) paths.push_back(".");
  Expected<std::vector<std::string>> found = rehearse::FindTestFiles(paths);
  if (!found) {
    std::cerr << "slipway test: " << found.error() << "\n";
    return kExitUsage;
  }
  if (found->empty()) {
    std::cerr << "slipway test: no *.test.yml files found\n";
    return kExitUsage;
  }
  SourceManager sources;
  Diagnostics diagnostics;
  std::vector<rehearse::TestFile> files;
  for (const std::string& path : *found) {
    if (std::optional<rehearse::TestFile> file =
            rehearse::LoadTestFile(sources, path, diagnostics)) {
      files.push_back(std::move(*file));
    }
  }
  PrintDiagnostics("test", sources, diagnostics);
  if (diagnostics.has_errors()) return kExitFailed;

  step_api::StepCatalog catalog = stdlib::BuiltinSteps();
  rehearse::RehearsalSetup setup;
  setup.catalog = &catalog;
  setup.self_exe = SelfExe();
  setup.out_dir = args.out_dir;
  const char* path = std::getenv("PATH");
  setup.path_env = path ? path : "/usr/local/bin:/usr/bin:/bin";
  // Before any thread starts: the steps get no network but the stubs', and stubbed programs
  // called by their path reach the stubs (isolation.h). Where that cannot be, say so.
  std::set<std::string> programs;
  for (const rehearse::TestFile& file : files) {
    for (const rehearse::Scenario& scenario : file.scenarios) {
      programs.merge(
          rehearse::ShimmedPrograms(scenario.stubs.commands, scenario.stubs.passthrough));
    }
  }
  rehearse::Isolation isolation = rehearse::IsolateRehearsals(
      programs, setup.path_env, (std::filesystem::path(args.out_dir) / ".isolation").string());
  setup.real_programs = isolation.real_programs;
  if (!isolation.problem.empty()) {
    std::cerr << "warning: rehearsals are not isolated: " << isolation.problem << "; "
              << (isolation.network ? "" : "steps can reach the network, and ")
              << "stubbed programs called by their path run for real\n";
  }
  if (args.live) {
    setup.live_out = stdout;
    setup.live_view = isatty(STDOUT_FILENO) != 0;
  }
  size_t jobs = args.jobs > 0 ? static_cast<size_t>(args.jobs)
                              : std::max(1u, std::thread::hardware_concurrency());
  std::vector<rehearse::ScenarioReport> reports =
      rehearse::RunScenarios(files, setup, args.live ? 1 : jobs, args.scenario);
  if (!args.scenario.empty() && reports.empty()) {
    std::cerr << "slipway test: no scenario named \"" << args.scenario << "\"\n";
    return kExitUsage;
  }
  if (args.format == "json") {
    std::cout << rehearse::RenderJson(reports);
  } else if (args.format == "junit") {
    std::cout << rehearse::RenderJunit(reports);
  } else {
    std::cout << rehearse::RenderText(reports);
  }
  std::cout.flush();
  for (const rehearse::ScenarioReport& report : reports) {
    if (!report.passed) return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

int RunScenarioLive(const std::string& file_and_name) {
  size_t hash = file_and_name.rfind('#');
  if (hash == std::string::npos || hash == 0 || hash + 1 == file_and_name.size()) {
    std::cerr << "slipway run: --scenario expects FILE#NAME (a *.test.yml and a scenario name)\n";
    return kExitUsage;
  }
  TestArgs args;
  args.paths = {file_and_name.substr(0, hash)};
  args.scenario = file_and_name.substr(hash + 1);
  args.live = true;
  return Test(args);
}

std::function<int()> SetupTest(CLI::App& command) {
  auto args = std::make_shared<TestArgs>();
  command.add_option("path", args->paths,
                     "test files (*.test.yml) or directories to search (default: .)");
  command.add_option("--format", args->format, "text (default), json or junit")
      ->check(CLI::IsMember({"text", "json", "junit"}));
  command.add_option("--jobs", args->jobs, "scenarios run at once (default: the number of cores)");
  command.add_option("--out-dir", args->out_dir,
                     "where each scenario's workspace and run record go (default: "
                     ".slipway/rehearsals)");
  command.add_option("--scenario", args->scenario, "run only the scenario with this name");
  command.add_flag("--live", args->live, "show the run's live view (one scenario at a time)");
  command.add_option("--stub-call", args->stub_call)->group("");
  command.add_option("--stub-bin", args->stub_bin)->group("");
  return [args]() -> int { return Test(*args); };
}

}  // namespace slipway::cli
