#pragma once
/// From a plan to the rows of the PostgreSQL backend, and back: RunSpecFromPlan turns a plan
/// into the run and job-instance rows Queue::Submit stores (with what a worker on another host
/// needs to make the very same plan again), and PlanAgain is that worker's side: it plans from
/// the stored options and insists on the same workflow bytes (sha256), as `run --resume` does.

#include <memory>
#include <optional>
#include <string>

#include "interpreter/backend/queue.h"
#include "interpreter/base/source.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/plan.h"
#include "interpreter/plan/plan_file.h"
#include "interpreter/plan/resolve.h"
#include "interpreter/plan/workflow_call.h"
#include "interpreter/step_api/step_api.h"

namespace slipway::backend {

/// The run and its job instances. `event_payload` is the --event-file's text ("" → none);
/// it is stored with the run, since other hosts do not have the file. `workflow` (the plan's
/// model) gives the matrices known only at run time as written: each such job is stored as a
/// placeholder expanded when it is decided; `workflows` (the files the run calls; may be null
/// without calls) does the same for the jobs of called workflows. Errors: what this backend
/// cannot run.
Expected<RunSpec> RunSpecFromPlan(const plan::Plan& plan, const model::Workflow* workflow,
                                  const plan::PlanOptions& options, const std::string& run_id,
                                  const std::string& event_payload,
                                  const plan::WorkflowSet* workflows = nullptr);

/// A run as a worker holds it: the plan and the workflow model, made from the stored options.
struct PreparedRun {
  SourceManager sources;  // owns the text the workflow model points into
  plan::Plan plan;
  std::optional<model::Workflow> workflow;
  /// Every workflow file the run reads (sources[0] is `workflow`): what calls run.
  std::shared_ptr<plan::WorkflowSet> workflows;
  std::string event_path;  // the stored event payload, written to a file ("" → none)
  bool skip_unknown_actions = false;  // `run --skip-unknown-actions`, stored with the run
};

/// Replaces `options` (the flags as given) by the stored options of run `run_id` (its
/// plan_options column); a flag given that differs is an error, as with a local --resume. The
/// stored event payload is written under `scratch_dir` and named as the event file.
Expected<bool> OptionsFromStored(const nlohmann::json& stored, const std::string& run_id,
                                 const std::string& scratch_dir, plan::PlanOptions* options);

/// Plans run `run_id` again from its stored options, in the current directory (the
/// repository checkout). An error when the workflow file here differs from the submitted one.
Expected<std::shared_ptr<PreparedRun>> PlanAgain(const std::string& run_id,
                                                 const nlohmann::json& plan_options,
                                                 const std::string& workflow_sha256,
                                                 const step_api::StepCatalog& catalog,
                                                 const std::string& scratch_dir);

/// The labels of a `runs-on:` value as the plan spells it ("ubuntu-latest",
/// "[self-hosted, linux]", "self-hosted, linux").
std::vector<std::string> LabelsOf(const std::string& runs_on);

/// `labels` with each `${{ }}` evaluated in `scope`: a matrix instance's own labels
/// (`runs-on: ${{ matrix.os }}`), which the plan leaves as written when a job has several
/// instances. A label that cannot be evaluated stays as written (no worker serves it).
std::vector<std::string> EvaluateLabels(const std::vector<std::string>& labels,
                                        const plan::Scope& scope);

}  // namespace slipway::backend
