// `slipway run WORKFLOW (plan's flags) [--jobs N] [--secrets-file F] [--state-dir DIR]
//  [--run-id ID] [--job ID]... [--resume RUN_ID] [--approve ENV --as NAME]...
//  [--skip-unknown-actions] [--from-plan PLAN.json] [--progress auto|live|plain]`
// Wiring only: flags → plan (the same MakePlan as `slipway plan`) → exec::ExecuteRun → exit code.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "interpreter/cli/backend_cli.h"
#include "interpreter/cli/cli_common.h"
#include "interpreter/cli/cmd_report.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/exec/live_view.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/orphans.h"
#include "interpreter/exec/process.h"
#include "interpreter/exec/run.h"
#include "interpreter/exec/run_origin.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/exec/secrets.h"
#include "interpreter/model/load_workflow.h"
#include "interpreter/plan/plan_file.h"
#include "interpreter/plan/render.h"
#include "interpreter/validate/render.h"
#include "stdlib/registry.h"

namespace slipway::cli {

int RunScenarioLive(const std::string& file_and_name);  // cmd_test.cc

namespace {

struct RunArgs : EventFlags {
  std::string workflow;
  int jobs = 0;  // 0: the number of cores
  bool jobs_given = false;
  bool resume_given = false;  // --resume "" (an unset variable) is an error, not a new run
  std::string secrets_file;
  std::string state_dir = ".slipway";
  std::string run_id;
  std::vector<std::string> only_jobs;
  std::string resume;
  std::vector<std::string> approve_envs;
  std::vector<std::string> approve_as;
  bool skip_unknown_actions = false;
  std::string from_plan;
  std::string progress = "auto";  // --progress auto|live|plain
  bool json = false;              // --json: the event stream on stdout instead of the console
  std::string json_into;          // --json-into FILE: the event stream beside the console
  bool report = false;            // --report: the HTML report at the end
  std::string scenario;           // --scenario FILE#NAME (a rehearsal, cmd_test.cc)
  std::string backend;            // --backend postgresql://... (cmd_worker.cc runs it)
  bool submit = false;
};

int Usage(const std::string& message) {
  std::cerr << "slipway run: " << message << "\n";
  return kExitUsage;
}

/// An --approve naming an environment no job of the plan uses would be silently ignored: said
/// instead. When some job's environment is an expression decided at run time, any name may be
/// the one it picks.
std::optional<std::string> UnusedApproval(const std::vector<std::string>& approve_envs,
                                          const plan::Plan& plan) {
  std::vector<std::string> used;
  for (const plan::PlannedJob& job : plan.jobs) {
    if (!job.environment) continue;
    // Unresolved, the name keeps its "${{ }}" (plan::Substitute).
    if (job.environment->name.find("${{") != std::string::npos) return std::nullopt;
    if (std::find(used.begin(), used.end(), job.environment->name) == used.end()) {
      used.push_back(job.environment->name);
    }
  }
  for (const std::string& env : approve_envs) {
    if (std::find(used.begin(), used.end(), env) != used.end()) continue;
    std::string known = "no job uses an environment";
    if (!used.empty()) {
      std::sort(used.begin(), used.end());
      known = fmt::format("its jobs use \"{}\"", fmt::join(used, "\", \""));
    }
    return "--approve \"" + env + "\": no job of \"" + plan.workflow_path +
           "\" uses that environment (" + known + ")";
  }
  return std::nullopt;
}

int Run(RunArgs args) {
  if (std::string inside = exec::InsideARun(); !inside.empty()) {
    if (!args.approve_envs.empty()) {
      return Usage("--approve refused: " + inside +
                   "; a reviewer's decision cannot come from a workflow's own steps");
    }
    // The nested run would claim a ref the step can make up (`git checkout -B main`), meet
    // gates its own approvals could pass and deploy outside its job's clean-up.
    return Usage("refused: " + inside +
                 "; a run cannot be started from a workflow's own steps (run it from a "
                 "terminal, a CI job of its own or a `slipway worker`)");
  }
  // From here on, every process a step starts stays this process's descendant (orphans.h).
  exec::BecomeRunProcess("slipway-run");
  if (!args.scenario.empty()) return RunScenarioLive(args.scenario);
  if (args.jobs_given && args.jobs < 1) return Usage("--jobs must be at least 1");
  if (args.approve_envs.size() != args.approve_as.size()) {
    return Usage("each --approve ENV needs its own --as NAME");
  }
  if (args.resume_given && args.resume.empty()) {
    return Usage("--resume needs the id of the run to resume (it was given empty)");
  }
  if (!args.resume.empty() && !args.run_id.empty()) {
    return Usage("--resume and --run-id cannot be combined (the resumed run keeps its id)");
  }

  plan::PlanOptions options;
  if (!ToPlanOptions("run", args.workflow, args, &options)) return kExitUsage;
  if (!args.from_plan.empty() && !args.resume.empty()) {
    return Usage("--from-plan and --resume cannot be combined");
  }
  // --from-plan: plan again from what the reviewed plan records, then insist on the same plan.
  nlohmann::ordered_json reviewed;
  if (!args.from_plan.empty()) {
    Expected<nlohmann::ordered_json> read = exec::OptionsFromReviewedPlan(args.from_plan, &options);
    if (!read) return Usage(read.error());
    reviewed = std::move(read).value();
  }
  // --resume: the same event, ref, commit, actor and inputs as the first attempt.
  if (!args.resume.empty()) {
    std::string dsn = BackendDsn("run", args.backend);
    if (dsn == "!") return kExitUsage;
    Expected<bool> resumed =
        dsn.empty() ? exec::OptionsFromRunRecord(args.state_dir, args.resume, &options)
                    : BackendResumeOptions(dsn, args.resume, &options);
    if (!resumed) return Usage(resumed.error());
  }
  if (options.workflow_path.empty()) return Usage("name the workflow file to run");
  // On a backend the jobs run on workers, which match runs-on against their own --labels.
  const char* backend_env = std::getenv("SLIPWAY_BACKEND");
  options.check_runner_labels = args.backend.empty() && !(backend_env && *backend_env);
  options.refuse_unserved_runners = false;  // the preflight refuses them with the rest

  SourceManager sources;
  Diagnostics diagnostics;
  std::optional<plan::Plan> made;
  plan::PlanInputs loaded;  // the model of the very bytes that were planned, and more
  step_api::StepCatalog catalog = stdlib::BuiltinSteps();
  plan::GitInfo git = plan::ReadGitInfo(".");
  plan::PlanStatus status =
      plan::MakePlan(sources, options, git, catalog, diagnostics, &made, &loaded);
  PrintDiagnostics("run", sources, diagnostics);
  if (status == plan::PlanStatus::kUsageError) return kExitUsage;
  if (status != plan::PlanStatus::kOk || !made) return kExitFailed;
  const plan::Plan& plan = *made;
  Expected<bool> honest =
      plan::VerifyRunRef(git, plan, {options.ref.has_value(), options.sha.has_value()});
  if (!honest) return Usage(honest.error());
  // Where the rules come from: the workflow must be the workspace repository's own, and its
  // environments file the default branch's (a branch cannot relax the gates it deploys through).
  if (std::string outside = plan::WorkflowOutsideWorkspace(options.workflow_path, ".");
      !outside.empty()) {
    return Usage(outside);
  }
  if (!loaded.environments_drift.empty()) return Usage(loaded.environments_drift);
  if (!args.from_plan.empty()) {
    Expected<bool> same = exec::CheckReviewedPlan(reviewed, args.from_plan, plan);
    if (!same) return Usage(same.error());
  }
  if (std::optional<std::string> unused = UnusedApproval(args.approve_envs, plan)) {
    return Usage(*unused);
  }
  if (!plan.triggered) {
    std::cerr << "slipway run: the " << plan.event << " event does not trigger \""
              << plan.workflow_path << "\": " << plan.reason << "\n";
    return kExitFailed;
  }

  if (!loaded.workflow) return Usage("\"" + plan.workflow_path + "\" could not be loaded");
  const model::Workflow* workflow = &*loaded.workflow;
  std::string error;

  std::map<std::string, std::string> environment = exec::CurrentEnvironment();
  std::map<std::string, std::string> secrets;
  if (!args.secrets_file.empty()) {
    std::string secrets_text;
    if (!model::ReadWholeFile(args.secrets_file, &secrets_text, &error)) {
      return Usage("cannot read \"" + args.secrets_file + "\": " + error);
    }
    Expected<std::map<std::string, std::string>> parsed = exec::ParseDotenv(secrets_text);
    if (!parsed) return Usage(args.secrets_file + ":" + parsed.error());
    secrets = *parsed;
  }
  for (auto& [name, value] : exec::SecretsFromEnvironment(environment)) secrets[name] = value;

  exec::RunRequest request;
  request.plan = &plan;
  request.workflow = workflow;
  request.workflows = loaded.workflows.get();
  request.environments = loaded.environments ? &*loaded.environments : nullptr;
  request.event = loaded.event ? &*loaded.event : nullptr;
  request.catalog = &catalog;
  request.state_dir = args.state_dir;
  request.run_id = args.resume.empty() ? args.run_id : args.resume;
  request.resume = !args.resume.empty();
  request.event_file = args.event_file;
  request.jobs = static_cast<size_t>(args.jobs);
  request.secrets = std::move(secrets);
  request.ref_verified = git.in_repository();
  for (size_t i = 0; i < args.approve_envs.size(); ++i) {
    request.approvals.emplace_back(args.approve_envs[i], args.approve_as[i]);
  }
  request.only_jobs = args.only_jobs;
  for (const std::string& id : args.only_jobs) {
    if (!plan.FindJob(id)) {
      std::vector<std::string> ids;
      for (const plan::PlannedJob& job : plan.jobs) ids.push_back(job.id);
      return Usage("--job \"" + id + "\" is not a job of \"" + plan.workflow_path + "\"" +
                   DidYouMean(id, ids));
    }
  }
  request.skip_unknown_actions = args.skip_unknown_actions;
  request.no_containers = args.no_containers;
  if (args.skip_unknown_actions) {
    std::cerr << "slipway run: warning: --skip-unknown-actions: actions without a local "
                 "equivalent will be SKIPPED, not run\n";
  }
  request.environment = std::move(environment);
  request.interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  request.live_view = exec::UseLiveView(*exec::ParseProgressMode(args.progress), STDOUT_FILENO,
                                        request.environment);
  std::string dsn = BackendDsn("run", args.backend);
  if (dsn == "!") return kExitUsage;
  if (!dsn.empty()) return RunOnBackend(dsn, args.submit, request, options);
  if (args.submit) return Usage("--submit needs --backend postgresql://...");
  // --json: stdout carries the event stream only; --json-into: a file beside the console.
  std::unique_ptr<std::FILE, decltype(&std::fclose)> json_file(nullptr, &std::fclose);
  if (args.json && !args.json_into.empty()) return Usage("--json and --json-into exclude each other");
  if (args.json) {
    json_file.reset(std::fopen("/dev/null", "w"));
    request.json_out = stdout;
    request.out = json_file.get();
    request.live_view = false;
  } else if (!args.json_into.empty()) {
    json_file.reset(std::fopen(args.json_into.c_str(), "w"));
    if (!json_file) return Usage("cannot write \"" + args.json_into + "\"");
    request.json_out = json_file.get();
  }
  bool state_existed = std::filesystem::exists(args.state_dir);
  exec::RunResult result = exec::ExecuteRun(request);
  HintGitignore(args.state_dir, state_existed);
  if (!result.error.empty()) return Usage(result.error);
  if (args.report) {
    std::string written = WriteRunReport("run", args.state_dir, result.run_id, "");
    if (!written.empty()) std::cerr << "slipway run: report written to " << written << "\n";
  }
  switch (result.status) {
    case exec::RunStatus::kSuccess:
      return kExitOk;
    case exec::RunStatus::kCancelled:
      return kExitCancelled;
    case exec::RunStatus::kQueued:  // a finished run is never queued or running
    case exec::RunStatus::kRunning:
    case exec::RunStatus::kFailure:
      return kExitFailed;
  }
  return kExitFailed;
}

}  // namespace

std::function<int()> SetupRun(CLI::App& command) {
  auto args = std::make_shared<RunArgs>();
  command.add_option("workflow", args->workflow, "the workflow file (optional with --from-plan)");
  AddEventFlags(command, *args);
  command.add_option("--jobs", args->jobs, "jobs run at once (default: the number of cores)")
      ->each([args](const std::string&) { args->jobs_given = true; });
  command.add_option("--secrets-file", args->secrets_file, "secrets in dotenv format");
  command.add_option("--state-dir", args->state_dir, "state directory (default: .slipway)");
  command.add_option("--run-id", args->run_id, "the run's id (default: generated)");
  command.add_option("--job", args->only_jobs, "run only this job (and what it needs)");
  command.add_option("--resume", args->resume, "continue a killed or failed run")
      ->each([args](const std::string&) { args->resume_given = true; });
  command.add_option("--approve", args->approve_envs, "approve environment ENV (with --as)");
  command.add_option("--as", args->approve_as, "the reviewer approving (after --approve)");
  command.add_flag("--skip-unknown-actions", args->skip_unknown_actions,
                   "skip (loudly) actions that have no local equivalent");
  command.add_option("--from-plan", args->from_plan,
                     "run exactly this reviewed plan (slipway plan --format json)");
  command
      .add_option("--progress", args->progress,
                  "auto (a live view on a terminal), live, or plain (timestamped lines)")
      ->check(CLI::IsMember({"auto", "live", "plain"}));
  command.add_flag("--json", args->json,
                   "print the run's events as JSON lines on stdout (schemas/events.schema.json)");
  command.add_option("--json-into", args->json_into,
                     "also write the JSON-lines events to FILE, beside the human output");
  command.add_flag("--report", args->report,
                   "write the HTML report (DIR/runs/<id>/report.html) when the run ends");
  command.add_option("--scenario", args->scenario,
                     "rehearse scenario FILE#NAME of a *.test.yml with the live view");
  command.add_option("--backend", args->backend,
                     "run on a PostgreSQL backend, postgresql://... (default: $SLIPWAY_BACKEND)");
  command.add_flag("--submit", args->submit, "with --backend: store the run, print its id, exit");
  return [args]() -> int { return Run(*args); };
}

}  // namespace slipway::cli
