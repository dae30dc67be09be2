#pragma once
/// `slipway plan` as a library call: read and validate the workflow, read the
/// environments file, build the event, check the inputs, then BuildPlan. `run`
/// uses the same call, so what `plan` shows is what `run` executes. The order
/// follows the command-line contract: input and flag errors come first and
/// alone (exit 2), then workflow and configuration errors (exit 1).

#include <memory>
#include <optional>
#include <string>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/environments.h"
#include "interpreter/model/runners.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/called_workflows.h"
#include "interpreter/plan/event.h"
#include "interpreter/plan/git_info.h"
#include "interpreter/plan/inputs.h"
#include "interpreter/plan/plan.h"
#include "interpreter/step_api/step_api.h"

namespace slipway::plan {

/// The command line of `slipway plan`, parsed.
struct PlanOptions {
  std::string workflow_path;
  std::string event_name;  // "" → the workflow's first trigger
  std::optional<std::string> ref, sha, actor, event_file, env_config;
  std::optional<std::string> action;  // --action: the activity type
  std::optional<std::string> at;      // --at: RFC 3339 moment of a schedule event
  KeyValues inputs;
  KeyValues vars;
  /// The container runtime (PlanRequest::container_runtime), why none, and --no-containers.
  std::string container_runtime;
  std::string container_runtime_missing;
  bool no_containers = false;
  /// Where `.slipway/environments.yml` is looked for when --env-config is absent; also the
  /// repository root that local reusable-workflow calls (`./...`) are read from.
  std::string work_dir = ".";
  /// Check each job's runs-on against the labels this machine serves (`.slipway/runners.yml`
  /// or the defaults; plan/runner_labels.h) and refuse unserved ones (kUsageError). Off where
  /// the jobs do not run on this machine: backend submissions (workers check their own
  /// --labels) and rehearsals.
  bool check_runner_labels = true;
  /// Refuse (kUsageError) when a job may run and its labels are not served. `run` leaves this
  /// to its preflight (exec/run_preflight.h), which lists every construct it refuses at once.
  bool refuse_unserved_runners = true;
  /// Ask the tools of `actions/setup-*` steps their versions (plan/setup_preview.h). Off in the
  /// golden tests, whose expected output must not depend on the machine.
  bool probe_tools = true;
  /// --workflow-path owner/repo=DIR: local checkouts for calls into other repositories.
  WorkflowPaths workflow_paths;
};

/// How making the plan ended; the CLI maps it to an exit code.
enum class PlanStatus {
  kOk,          // plan built, no errors (warnings may be present)
  kUsageError,  // exit 2: unreadable file, bad --input / --event / --event-file
  kInvalid,     // exit 1: the workflow or environments file has errors (plan may
                // still be set)
};

/// What MakePlan loaded to make the plan, handed on so that `run` executes the very model
/// that was planned (the model's strings point into `sources`) without reading anything again.
struct PlanInputs {
  std::optional<model::Workflow> workflow;
  std::optional<model::EnvironmentsConfig> environments;
  std::optional<Event> event;
  /// Every workflow file read (the main one and those its jobs call); sources[0].workflow
  /// points at `workflow`.
  std::shared_ptr<WorkflowSet> workflows;
  /// Why the environments file may not be used by a run (EnvironmentsFileDrift); "" when it may
  /// or when --env-config chose it. `plan` warns with it, `run` refuses.
  std::string environments_drift;
};

/// Makes the plan. `diagnostics` receives what to print: on kUsageError only
/// the usage and input errors. `plan` is set on kOk, and on kInvalid when the files could be read.
/// `inputs` (optional) receives what was loaded.
PlanStatus MakePlan(SourceManager& sources, const PlanOptions& options, const GitInfo& git,
                    const step_api::StepCatalog& catalog, Diagnostics& diagnostics,
                    std::optional<Plan>* plan);
/// The same, handing on the model that was planned (set whenever `plan` is): `run` executes
/// the very bytes that were planned without loading the file again. Its scalars point into
/// `sources`, which must outlive it.
PlanStatus MakePlan(SourceManager& sources, const PlanOptions& options, const GitInfo& git,
                    const step_api::StepCatalog& catalog, Diagnostics& diagnostics,
                    std::optional<Plan>* plan, std::optional<model::Workflow>* workflow);
/// The same, handing on everything that was loaded: the model, the environments file and the
/// event (a job whose `environment:` is known only at run time gets its gate from them).
PlanStatus MakePlan(SourceManager& sources, const PlanOptions& options, const GitInfo& git,
                    const step_api::StepCatalog& catalog, Diagnostics& diagnostics,
                    std::optional<Plan>* plan, PlanInputs* inputs);

/// GitHub's rule for variable names (--var): letters, digits and "_", not starting with a digit
/// or with "GITHUB_" (any case).
/// https://docs.github.com/actions/learn-github-actions/variables#naming-conventions-for-configuration-variables
bool IsValidVariableName(std::string_view name);

/// Loads a runners file (`.slipway/runners.yml`): YAML, schema (schemas/runners.schema.json),
/// then the model. Unreadable → rule "io"; nullopt when there is no tree.
std::optional<model::RunnersConfig> LoadRunnersFile(SourceManager& sources, const std::string& path,
                                                    Diagnostics& diagnostics);

/// Loads an environments file: YAML, schema (schemas/environments.schema.json),
/// then the model. Unreadable → rule "io"; nullopt when there is no tree.
std::optional<model::EnvironmentsConfig> LoadEnvironmentsFile(SourceManager& sources,
                                                              const std::string& path,
                                                              Diagnostics& diagnostics);

/// Lower-case hex SHA-256 of `bytes` (OpenSSL).
std::string Sha256Hex(std::string_view bytes);

}  // namespace slipway::plan
