#pragma once
/// RunScenario: one scenario of a test file, run by the real interpreter — plan, gates, jobs,
/// steps, built-in steps — on a VirtualClock, with the outside world answered by CommandStubs
/// and HttpStubs and jobs, steps and actions forced through exec's RunOverrides seam. The
/// result is what happened (ScenarioActual); CheckExpectations (expectations.h) compares it.

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interpreter/exec/run_store.h"
#include "interpreter/rehearse/command_stubs.h"
#include "interpreter/rehearse/http_stubs.h"
#include "interpreter/rehearse/test_file.h"

namespace slipway::step_api {
class StepCatalog;
}

namespace slipway::rehearse {

/// What the CLI gives every scenario.
struct RehearsalSetup {
  const step_api::StepCatalog* catalog = nullptr;
  std::string self_exe;  // the slipway binary, called by the shims
  std::string out_dir;   // scenario directories go under it
  std::string path_env;  // PATH of the steps, after the shim directory
  std::string real_programs;  // where the real stubbed programs are, when isolated (isolation.h)
  std::FILE* live_out = nullptr;  // non-null: the run's console goes here (run --scenario)
  bool live_view = false;         // with live_out: draw the live view (a terminal)
};

/// What happened in a scenario's run.
struct ScenarioActual {
  int exit_code = 0;
  RunOutcome result = RunOutcome::kInvalid;
  std::string error;    // the plan's diagnostics, or why the run could not start
  std::string run_dir;  // the run record's directory ("" when nothing ran)
  exec::RunRecord record;
  std::vector<nlohmann::json> audit;
  std::vector<CallRecord> calls;
  std::vector<HttpRecord> http;
  std::vector<EmailRecord> emails;
  std::map<std::string, std::string> stacks;  // final status of each scripted stack
  std::vector<std::string> stack_actions;     // CloudFormation Actions called, in order
  std::string workspace;
  std::string console;  // the run's console output (empty with the live view)
  Duration virtual_time{0};
  std::vector<std::string> problems;  // scenario set-up errors (a rejection, a stub failing)
};

ScenarioActual RunScenario(const TestFile& file, const Scenario& scenario, size_t index,
                           const RehearsalSetup& setup);

/// A file-name-safe form of a scenario name ("Tag v1.2.0 → prod" → "tag-v1-2-0-prod").
std::string Slug(const std::string& name);

}  // namespace slipway::rehearse
