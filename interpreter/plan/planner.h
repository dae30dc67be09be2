#pragma once
/// BuildPlan: workflow + event + typed inputs → Plan (plan.h). It does no I/O:
/// the event, the inputs and the environments configuration are made beforehand
/// (event.h, inputs.h, plan_file.h). Problems found while planning (an unknown
/// `needs`, a cycle, an environment that is not configured, an expression that
/// fails) are diagnostics; the plan is still built.

#include <nlohmann/json.hpp>
#include <string>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/environments.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/event.h"
#include "interpreter/plan/plan.h"
#include "interpreter/plan/runner_labels.h"
#include "interpreter/plan/workflow_call.h"
#include "interpreter/step_api/step_api.h"

namespace slipway::plan {

/// Everything BuildPlan needs besides the workflow.
struct PlanRequest {
  Event event;
  nlohmann::ordered_json inputs = nlohmann::ordered_json::object();  // ResolveInputs' result
  nlohmann::ordered_json vars = nlohmann::ordered_json::object();    // --var K=V
  const model::EnvironmentsConfig* environments = nullptr;  // nullptr: no configuration file
  const step_api::StepCatalog* catalog = nullptr;           // nullptr: no built-in previews
  /// The labels this machine serves; nullptr: runs-on is not checked (the jobs run elsewhere:
  /// backend workers, rehearsals).
  const ServedLabels* runners = nullptr;
  /// The workflows the jobs call (called_workflows.h); nullptr: calls are planned as one job
  /// each (and `run` refuses them).
  const WorkflowSet* workflows = nullptr;
  std::string workflow_path;
  std::string workflow_sha256;
  std::string environments_path;
  std::string environments_sha256;
  /// The container runtime `run` would use ("podman (/usr/bin/podman)"), or "" and why none.
  std::string container_runtime;
  std::string container_runtime_missing;
  bool no_containers = false;  // --no-containers
};

Plan BuildPlan(const model::Workflow& workflow, const PlanRequest& request,
               Diagnostics& diagnostics);

}  // namespace slipway::plan
