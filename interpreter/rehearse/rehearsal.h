#pragma once
/// `slipway test` as a library call: find the test files under the given paths, load them
/// (every file's diagnostics first), run all their scenarios on `jobs` threads, check the
/// expectations, and render the results as text (a line per scenario with its diff, then a
/// summary table), JSON or JUnit XML. The order of results is the order of the files and
/// scenarios, whatever order they finished in.

#include <string>
#include <vector>

#include "interpreter/rehearse/scenario.h"

namespace slipway::rehearse {

struct ScenarioReport {
  std::string file;  // the test file as found
  std::string name;
  std::string workflow;
  bool passed = false;
  std::vector<std::string> failures;  // expected-vs-actual lines
  std::string run_record;             // path of run.json ("" when nothing ran)
  std::string result;                 // the run's result
  Duration virtual_time{0};
  double real_seconds = 0;
};

/// Every `*.test.yml` under each path (a file is taken as it is), sorted, without duplicates.
/// A path that does not exist is an error.
Expected<std::vector<std::string>> FindTestFiles(const std::vector<std::string>& paths);

/// Runs every scenario of `files` (already loaded) on up to `jobs` threads. `only` (a scenario
/// name) keeps one scenario when not empty.
std::vector<ScenarioReport> RunScenarios(const std::vector<TestFile>& files,
                                         const RehearsalSetup& setup, size_t jobs,
                                         const std::string& only = "");

std::string RenderText(const std::vector<ScenarioReport>& reports);
std::string RenderJson(const std::vector<ScenarioReport>& reports);
std::string RenderJunit(const std::vector<ScenarioReport>& reports);

/// "48h0m0s"-style rendering of virtual time: "2d 1h 5m", "15m 30s", "250ms".
std::string FormatVirtual(Duration duration);

}  // namespace slipway::rehearse
