#pragma once
/// ExecuteRun: `slipway run` once the plan is made — the run directory, the audit trail, the
/// signal watcher, the worker pool and the scheduler, then the summary. The CLI parses flags,
/// makes the plan and maps the status to an exit code; everything else happens here.

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/exec/scheduler.h"

namespace slipway::model {
struct Workflow;
struct Job;
struct EnvironmentsConfig;
}  // namespace slipway::model
namespace slipway::plan {
struct Event;
struct PlannedJob;
struct WorkflowSet;
}  // namespace slipway::plan
namespace slipway::step_api {
class StepCatalog;
}

namespace slipway::exec {

class Clock;
class RunOverrides;
class StepExecutorFactory;

/// Everything a run is asked to do: the one request the CLI (or a test, or the bench) fills in.
struct RunRequest {
  const plan::Plan* plan = nullptr;
  const model::Workflow* workflow = nullptr;
  /// The workflows the jobs call (plan/workflow_call.h); null: the plan has no called jobs.
  const plan::WorkflowSet* workflows = nullptr;
  const step_api::StepCatalog* catalog = nullptr;
  /// The environments file and the event the plan was made with (jobs whose `environment:` is
  /// known only at run time get their gate from them). Null: none.
  const model::EnvironmentsConfig* environments = nullptr;
  const plan::Event* event = nullptr;
  std::string state_dir = ".slipway";
  std::string run_id;      // "" → generated
  bool resume = false;     // continue run_id's record
  std::string event_file;  // --event-file as given ("" → none); kept with the run for --resume
  size_t jobs = 0;         // 0 → the number of cores
  std::map<std::string, std::string> secrets;
  std::vector<std::pair<std::string, std::string>> approvals;  // (environment, reviewer)
  std::vector<std::string> only_jobs;
  bool skip_unknown_actions = false;
  /// False when no git repository vouched for the ref (--ref/--sha taken as given): an
  /// environment with a branch or tag policy then refuses, also one named only at run time.
  bool ref_verified = true;
  /// --no-containers: with no container runtime, jobs with `container:`/`services:` run their
  /// steps on the host (loudly) instead of being refused.
  bool no_containers = false;
  std::map<std::string, std::string> environment;  // slipway's own environment
  std::string workspace;                           // absolute; "" → current directory
  std::FILE* out = stdout;
  Clock* clock = nullptr;    // nullptr → the real clock
  bool interactive = false;  // stdin and stdout are a terminal: approvals may be typed
  bool live_view = false;    // draw the live view on `out` (UseLiveView, live_view.h)
  StepExecutorFactory* executors = nullptr;  // null → the real step executors (tests: a fake)
  const RunOverrides* overrides = nullptr;    // rehearsals only (run_overrides.h)
  std::chrono::milliseconds approval_poll{500};  // how often a gate looks for approvals
  std::FILE* json_out = nullptr;  // --json / --json-into: the event stream (event_stream.h)
  /// Job-level concurrency groups are taken by the store's queue before a job is handed over
  /// (the PostgreSQL backend: lease rows shared by every host), not by the job itself.
  bool groups_taken_by_queue = false;
};

struct RunResult {
  RunStatus status = RunStatus::kFailure;
  std::string run_id;
  std::string error;  // set when the run could not start (exit 2)
  /// Set when the run record or the audit log could not be written while it ran (the run then
  /// ends as a failure, exit 1): the first such error.
  std::string write_error;
};

RunResult ExecuteRun(const RunRequest& request);

/// The workflow file a planned job is in: the main one, or a called one (RunRequest::workflows).
const model::Workflow& WorkflowOf(const RunRequest& request, const plan::PlannedJob& job);
/// The model of a planned job (its position in its own file).
const model::Job& ModelJobOf(const RunRequest& request, const plan::PlannedJob& job);
/// The path of the file a planned job is in, for messages.
const std::string& FileOf(const RunRequest& request, const plan::PlannedJob& job);

}  // namespace slipway::exec
