#pragma once
/// Plan is the answer to "slipway plan": does the event trigger the workflow,
/// which jobs run, in which waves, which are skipped, blocked or conditional
/// and why, which environment gates they wait at, and what each step would
/// execute. It is plain data, built by BuildPlan (planner.h), rendered by
/// render.h, and executed by exec (`slipway run`, `--from-plan`).
///
/// Everything is index-based: a job's index is its position in the workflow file
/// (`Workflow::jobs`), so indices serialise into JSON and survive `--resume`.
/// Values that are only known at run time (step outputs, `needs.<id>.outputs`,
/// secrets, runner facts) are kept as the original `${{ ... }}` text and
/// flagged `resolved = false`; they are never guessed.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace slipway::plan {

/// Position of a job in the workflow file's `jobs:` mapping (0-based).
enum class JobIndex : uint32_t {};
inline uint32_t ToInt(JobIndex index) { return static_cast<uint32_t>(index); }

/// What the plan expects of a job on the success path.
enum class JobStatus {
  kWillRun,      // runs (possibly after environment gates)
  kSkipped,      // its `if` is false, a need is skipped/blocked, or the workflow is
                 // not triggered
  kBlocked,      // its environment's branch/tag policy refuses the ref: the job will
                 // fail
  kConditional,  // runs only on a path the plan cannot decide: an upstream
                 // failure, a cancellation, or a value known only at run time
};
/// "will-run", "skipped", "blocked", "conditional" (the JSON contract's spelling).
const char* JobStatusName(JobStatus status);

/// A text with every `${{ }}` whose inputs are known substituted; the rest kept verbatim.
struct Resolved {
  std::string text;
  bool resolved = true;  // false: `text` still holds `${{ }}` only known at run time
};

/// A step as it would run.
struct PlannedStep {
  size_t index = 0;          // position in the job's steps
  std::string id;            // `id:`, or "" when none
  std::string name;          // display name, expressions resolved where known
  std::string if_condition;  // as written; "" when none
  /// kWillRun, kSkipped or kConditional (step-level, on the job's success path; never kBlocked).
  JobStatus status = JobStatus::kWillRun;
  std::string reason;           // why skipped/conditional; "" for will-run
  std::optional<Resolved> run;  // `run:` script
  std::optional<std::string> uses;
  std::vector<std::pair<std::string, Resolved>> with;  // resolved `with:`, in file order
  std::vector<std::pair<std::string, Resolved>> env;   // the step's own `env:`
  std::string shell;                                   // effective shell ("" = default bash)
  std::string working_directory;  // effective working directory ("" = workspace)
  bool continue_on_error = false;
  std::optional<double> timeout_minutes;
  /// `uses: slipway/<name>@v1`: the built-in step's name and its preview (what it would do).
  std::string builtin;
  std::string preview_summary;
  std::vector<std::string> preview_details;
  /// `uses:` of something that is neither built-in nor a local action: reported plainly.
  std::string uses_note;
  /// For a third-party action: what runs locally instead (step_api/local_equivalents.h); ""
  /// when nothing does and the step will fail unless --skip-unknown-actions.
  std::string local_equivalent;
};

/// The environment a job deploys to, and the gates it will wait at before it starts.
struct EnvironmentGate {
  std::string name;
  std::optional<std::string> url;
  bool configured = false;                      // false: no configuration file, or not in it
  int required_reviewers = 0;                   // distinct approvals needed; 0: none
  std::vector<std::string> reviewer_users;      // `users:` as configured
  std::vector<std::string> reviewer_teams;      // `teams:` as configured
  std::vector<std::string> eligible_reviewers;  // users + team members, sorted
  bool prevent_self_review = false;
  bool actor_can_approve = false;  // the actor is a reviewer and self-review is allowed
  /// False when the reviewers other than the actor (with prevent_self_review)
  /// are fewer than `required_reviewers`: the job can never be approved, so it is blocked.
  bool approvable = true;
  int64_t wait_timer_s = 0;
  int64_t approval_timeout_s = 48 * 3600;
  bool ref_allowed = true;
  bool has_ref_policy = false;  // deployment_branches is configured (the ref is checked)
  /// When the ref is refused: "branches" or "tags" (the pattern set that
  /// refused it), and its patterns as written.
  std::string refused_by;
  std::vector<std::string> refused_patterns;
  std::vector<std::pair<std::string, std::string>> vars;
  std::vector<std::string> secrets;
};

/// One planned job. Matrix instances are listed in `matrix`; exec runs each as a job.
/// A job's `container:` and `services:` (exec/job_containers.h runs them), images as written.
struct PlannedContainers {
  std::string image;                                          // the job container's; "" none
  std::vector<std::pair<std::string, std::string>> services;  // id, image
  std::string runtime;  // "podman (/usr/bin/podman)"; "" when none is available
  /// With no runtime: "needs a container runtime (...)", or what --no-containers does.
  std::string note;
};

struct PlannedJob {
  JobIndex index{};
  std::string id;
  std::string name;             // `name:` resolved where known; else the id
  std::vector<JobIndex> needs;  // resolved `needs:`, in file order
  int wave = 0;                 // 1-based: 1 + the largest wave of its needs
  JobStatus status = JobStatus::kWillRun;
  std::string reason;        // why not will-run (and for gated will-run jobs)
  std::string if_condition;  // as written; "" when none (implicit success())
  std::string runs_on;       // label(s), resolved where known
  /// runs-on checked against the labels this machine serves (runner_labels.h), per matrix leg:
  /// why a leg may not run here (`runner_refused`: the run refuses to start), or the loud note
  /// that a leg runs here through the runners file's `map:` (`runner_mapped`). Empty when every
  /// leg is served, or the check was not made.
  std::vector<std::string> runner_refused;
  std::vector<std::string> runner_mapped;
  std::optional<EnvironmentGate> environment;
  /// Matrix: one object per instance (after include/exclude); empty without a strategy.
  std::vector<nlohmann::ordered_json> matrix;
  bool matrix_known = true;       // false: the matrix comes from a value known at run time
  std::string matrix_expression;  // when !matrix_known: the expression it comes from
  std::optional<int> max_parallel;
  bool fail_fast = true;
  std::optional<Resolved> concurrency_group;
  bool cancel_in_progress = false;
  /// `cancel-in-progress` as written when it is known only at run time (it reads needs, say):
  /// evaluated when the job is about to start. "" when resolved (then `cancel_in_progress`).
  std::string cancel_in_progress_expression;
  std::optional<double> timeout_minutes;
  /// `cancel-timeout-minutes`: how long steps that run after a cancellation (always(),
  /// cancelled()) may take; GitHub's default is 5.
  std::optional<double> cancel_timeout_minutes;
  bool continue_on_error = false;
  std::vector<std::pair<std::string, Resolved>> outputs;  // symbolic until the job runs
  std::vector<std::pair<std::string, Resolved>> env;      // job `env:` (workflow env merged)
  std::string uses;  // reusable workflow call (`jobs.<id>.uses`), if any
  std::optional<PlannedContainers> containers;  // `container:` / `services:`, if any
  std::vector<PlannedStep> steps;

  // Reusable workflows (workflow_call.h). The jobs of a called workflow follow the main
  // workflow's jobs in `Plan::jobs`, one copy per leg of the calling job's matrix.
  /// The file the job is in: 0 the main workflow, else the index of a called file in the
  /// WorkflowSet (Plan::called_files[source - 1]).
  uint32_t source = 0;
  uint32_t model_index = 0;  // its position in that file's `jobs:`
  std::string local_id;      // its id in that file (`id` is "call/<local_id>" for a called job)
  /// For a job of a called workflow: the calling job and the leg of its matrix (0 without).
  std::optional<JobIndex> caller;
  size_t caller_leg = 0;
  /// For a calling job: the file it calls (a source index, as `source`); 0 when the call is not
  /// loaded (refused at plan time, or planned without the WorkflowSet).
  uint32_t callee = 0;
};

/// A workflow file a call reads, digested: a callee changed after review is refused like a
/// changed workflow.
struct CalledFile {
  std::string uses;
  std::string path;
  std::string sha256;
};

/// The whole plan.
struct Plan {
  std::string workflow_path;        // as given on the command line
  std::string workflow_name;        // `name:`, else the path
  std::string workflow_sha256;      // of the workflow file's bytes
  std::string environments_path;    // "" when no environments file was used
  std::string environments_sha256;  // "" when none
  std::string event;                // push, release, ...
  std::string action;               // release/pull_request activity type
  std::string ref;
  std::string sha;
  std::string actor;
  std::string repository;
  bool triggered = true;
  std::string reason;  // why not triggered; notes when triggered (e.g. paths unknown)
  nlohmann::ordered_json inputs = nlohmann::ordered_json::object();  // the typed `inputs` context
  nlohmann::ordered_json vars = nlohmann::ordered_json::object();    // --var values
  nlohmann::ordered_json github = nlohmann::ordered_json::object();  // the `github` context
  std::optional<Resolved> run_name;
  std::optional<Resolved> concurrency_group;  // workflow-level
  bool cancel_in_progress = false;
  std::vector<CalledFile> called_files;      // the files of reusable-workflow calls
  std::map<std::string, std::string> workflow_paths;  // --workflow-path owner/repo → DIR
  std::vector<PlannedJob> jobs;              // in file order: jobs[i].index == i; called jobs
                                             // follow the main workflow's
  std::vector<std::vector<JobIndex>> waves;  // waves[w-1]: the jobs of wave w, in file order

  const PlannedJob* FindJob(std::string_view id) const;
};

}  // namespace slipway::plan
