#include "interpreter/rehearse/scenario.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "interpreter/exec/approvals.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/live_view.h"
#include "interpreter/exec/run.h"
#include "interpreter/model/load_workflow.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/plan_file.h"
#include "interpreter/rehearse/overrides.h"
#include "interpreter/rehearse/virtual_clock.h"

namespace slipway::rehearse {
namespace {

namespace fs = std::filesystem;

// Virtual time zero, the same for every scenario so that records and `date` are repeatable.
constexpr int64_t kEpochSeconds = 1'767'225'600;  // 2026-01-01T00:00:00Z
constexpr const char* kDefaultSha = "0123456789abcdef0123456789abcdef01234567";

std::string RenderDiagnostics(const SourceManager& sources, const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics.items()) {
    if (d.severity != Severity::kError) continue;
    std::string where;
    if (d.where.file != kNoFile) {
      where = sources.path(d.where.file);
      if (d.where.begin.known()) where += fmt::format(":{}:{}", d.where.begin.line, d.where.begin.col);
      where += ": ";
    }
    out += fmt::format("{}{} [{}]\n", where, d.message, d.rule);
  }
  if (!out.empty()) out.pop_back();
  return out;
}

bool WriteFile(const fs::path& path, const std::string& content, std::string* error) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) {
    *error = fmt::format("cannot write \"{}\"", path.string());
    return false;
  }
  // A script (a file starting with "#!") is written executable, as a checkout would have it.
  if (content.rfind("#!", 0) == 0) {
    fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add, ec);
    if (ec) {
      *error = fmt::format("cannot make \"{}\" executable: {}", path.string(), ec.message());
      return false;
    }
  }
  return true;
}

std::vector<nlohmann::json> ReadJsonLines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    if (!entry.is_discarded()) out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace

std::string Slug(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 60) out.resize(60);
  return out.empty() ? "scenario" : out;
}

ScenarioActual RunScenario(const TestFile& file, const Scenario& scenario, size_t index,
                           const RehearsalSetup& setup) {
  ScenarioActual actual;
  std::string stem = fs::path(file.path).filename().string();
  if (stem.size() > 9 && stem.ends_with(".test.yml")) stem.resize(stem.size() - 9);
  fs::path dir = fs::absolute(fs::path(setup.out_dir) / Slug(stem) /
                              fmt::format("{:02}-{}", index + 1, Slug(scenario.name)));
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::path workspace = dir / "workspace";
  fs::path state_dir = dir / "state";
  fs::create_directories(workspace, ec);
  fs::create_directories(state_dir, ec);
  fs::create_directories(dir / "home", ec);
  actual.workspace = workspace.string();
  for (const auto& [path, content] : scenario.files) {
    std::string error;
    if (!WriteFile(workspace / path, content, &error)) actual.problems.push_back(error);
  }

  // The plan, exactly as `slipway plan` makes it, from the scenario's trigger.
  const Trigger& trigger = scenario.trigger;
  plan::PlanOptions options;
  options.workflow_path = file.workflow;
  options.work_dir = workspace.string();
  options.check_runner_labels = false;  // a rehearsal simulates the runners too
  options.probe_tools = false;          // and its tools are stubs
  if (trigger.event) options.event_name = *trigger.event;
  // The ref and commit come from the trigger's `ref:`/`sha:`, else from its payload (push `ref`,
  // create `ref` + `ref_type`, release `release.tag_name`, deployment `deployment.ref`/`sha`) as
  // `slipway run --event-file` takes them, else the scenario's checkout: main at kDefaultSha.
  options.ref = trigger.ref;
  options.sha = trigger.sha;
  options.actor = trigger.actor.value_or("octocat");
  if (!file.environments.empty()) options.env_config = file.environments;
  for (const auto& [k, v] : trigger.inputs) options.inputs.emplace_back(k, v);
  for (const auto& [k, v] : trigger.vars) options.vars.emplace_back(k, v);
  if (trigger.payload) {
    std::string error;
    fs::path event_file = dir / "event.json";
    if (!WriteFile(event_file, trigger.payload->dump(2), &error)) actual.problems.push_back(error);
    options.event_file = event_file.string();
  }
  plan::GitInfo git;
  git.ref = "refs/heads/main";
  git.sha = kDefaultSha;
  git.repository = "example/repository";
  git.actor = *options.actor;
  git.default_branch = "main";

  SourceManager sources;
  Diagnostics diagnostics;
  std::optional<plan::Plan> made;
  plan::PlanInputs loaded;  // environments and event, for gates decided at run time
  plan::PlanStatus status =
      plan::MakePlan(sources, options, git, *setup.catalog, diagnostics, &made, &loaded);
  if (status != plan::PlanStatus::kOk || !made) {
    actual.result = RunOutcome::kInvalid;
    actual.exit_code = status == plan::PlanStatus::kUsageError ? 2 : 1;
    actual.error = RenderDiagnostics(sources, diagnostics);
    return actual;
  }
  plan::Plan& plan = *made;
  if (!plan.triggered) {
    actual.result = RunOutcome::kNotTriggered;
    actual.exit_code = 1;
    actual.error = fmt::format("the {} event does not trigger \"{}\": {}", plan.event,
                               file.workflow, plan.reason);
    return actual;
  }
  Diagnostics load_diagnostics;
  std::optional<model::Workflow> workflow =
      model::LoadWorkflowFile(sources, plan.workflow_path, load_diagnostics);
  if (!workflow) {
    actual.result = RunOutcome::kInvalid;
    actual.exit_code = 2;
    actual.error = RenderDiagnostics(sources, load_diagnostics);
    return actual;
  }

  auto wall_start = std::chrono::system_clock::time_point(std::chrono::seconds(kEpochSeconds));
  VirtualClock clock(wall_start);
  plan.github["run_started_at"] = exec::FormatUtc(wall_start);

  CommandStubs commands(scenario.stubs.commands, scenario.stubs.passthrough, &clock);
  HttpStubs http(scenario.stubs.http, scenario.stubs.stacks, &clock);
  std::string bin_dir = (dir / "stubs" / "bin").string();
  if (Expected<bool> started = commands.Start(bin_dir, setup.self_exe); !started) {
    actual.problems.push_back(started.error());
  }
  if (Expected<bool> started = http.Start(); !started) actual.problems.push_back(started.error());
  if (!actual.problems.empty()) {
    actual.result = RunOutcome::kInvalid;
    actual.exit_code = 2;
    return actual;
  }
  ScenarioOverrides overrides(scenario.stubs, &http);

  std::string run_id = fmt::format("rehearsal-{:02}", index + 1);
  std::string run_dir = (state_dir / "runs" / run_id).string();
  for (const ScriptedApproval& approval : scenario.approvals) {
    // Written as `slipway approve`/`reject` write them (signed records in the run directory).
    // The run directory exists only once the run has started, so a decision scripted at 0
    // lands at the first sleep (a gate's first poll).
    Duration at = std::max(approval.at, Duration(1));
    clock.At(at, [run_dir, approval, &clock, &actual]() {
      exec::Approval given;
      given.reviewer = approval.by;
      given.at = exec::FormatUtc(clock.WallNow());
      given.source = approval.decision == ApprovalDecision::kReject ? "slipway reject"
                                                                     : "slipway approve";
      given.comment = approval.comment;
      given.rejected = approval.decision == ApprovalDecision::kReject;
      if (Expected<bool> written = exec::RecordApproval(run_dir, approval.environment, given);
          !written) {
        actual.problems.push_back("cannot record the scripted approval: " + written.error());
      }
    });
  }

  exec::RunRequest request;
  request.plan = &plan;
  request.workflow = &*workflow;
  request.workflows = loaded.workflows.get();
  request.catalog = setup.catalog;
  request.environments = loaded.environments ? &*loaded.environments : nullptr;
  request.event = loaded.event ? &*loaded.event : nullptr;
  request.state_dir = state_dir.string();
  request.run_id = run_id;
  request.jobs = 4;
  request.secrets = trigger.secrets;
  request.workspace = workspace.string();
  request.clock = &clock;
  request.overrides = &overrides;
  request.approval_poll = std::chrono::minutes(1);
  request.environment = {{"PATH", bin_dir + ":" + setup.path_env},
                         {"HOME", (dir / "home").string()},
                         {"LANG", "C.UTF-8"},
                         {"TZ", "UTC"},
                         {"CI", "true"},
                         // The AWS tools and APIs reach only the stubs: the scripted
                         // CloudFormation, and fake credentials unless a step sets its own.
                         {"AWS_ENDPOINT_URL_CLOUDFORMATION", http.cloudformation_url()},
                         {"AWS_ACCESS_KEY_ID", "AKIAREHEARSAL"},
                         {"AWS_SECRET_ACCESS_KEY", "rehearsal-secret"},
                         {"AWS_REGION", "us-east-1"},
                         // A stubbed program called by its path finds the shims (isolation.h).
                         {kStubBinEnv, bin_dir}};
  if (!setup.real_programs.empty()) {
    request.environment[kRealProgramsEnv] = setup.real_programs;
  }
  std::FILE* console = nullptr;
  if (setup.live_out) {
    request.out = setup.live_out;
    request.live_view = setup.live_view;
  } else {
    console = std::fopen((dir / "console.log").c_str(), "wb");
    request.out = console ? console : stderr;
  }
  exec::RunResult result = exec::ExecuteRun(request);
  if (console) {
    std::fclose(console);
    std::ifstream in(dir / "console.log", std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    actual.console = text.str();
  }

  actual.virtual_time = std::chrono::duration_cast<Duration>(clock.Latest());
  actual.calls = commands.calls();
  actual.http = http.requests();
  actual.emails = http.emails();
  actual.stacks = http.stacks().statuses();
  actual.stack_actions = http.stacks().actions();
  if (!result.error.empty()) {
    actual.result = RunOutcome::kInvalid;
    actual.exit_code = 2;
    actual.error = result.error;
    return actual;
  }
  switch (result.status) {
    case exec::RunStatus::kSuccess:
      actual.result = RunOutcome::kSuccess;
      actual.exit_code = 0;
      break;
    case exec::RunStatus::kQueued:  // a finished run is never queued or running
    case exec::RunStatus::kRunning:
    case exec::RunStatus::kFailure:
      actual.result = RunOutcome::kFailure;
      actual.exit_code = 1;
      break;
    case exec::RunStatus::kCancelled:
      actual.result = RunOutcome::kCancelled;
      actual.exit_code = 130;
      break;
  }
  actual.run_dir = run_dir;
  if (Expected<exec::RunRecord> record = exec::RunStore::Load(state_dir.string(), run_id)) {
    actual.record = std::move(record).value();
  } else {
    actual.problems.push_back(record.error());
  }
  actual.audit = ReadJsonLines(state_dir.string() + "/audit.jsonl");
  return actual;
}

}  // namespace slipway::rehearse
