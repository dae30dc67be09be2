#include "interpreter/exec/run_preflight.h"

#include <fmt/format.h>

#include "interpreter/model/workflow.h"
#include "interpreter/plan/plan.h"
#include "interpreter/plan/workflow_call.h"
#include "interpreter/yaml/node.h"

namespace slipway::exec {

namespace {

std::string Where(const std::string& path, const SourceRange& where) {
  if (!where.begin.known()) return path;
  return fmt::format("{}:{}:{}", path, where.begin.line, where.begin.col);
}

}  // namespace

std::vector<std::string> UnsupportedConstructs(const plan::Plan& plan,
                                               const model::Workflow& workflow,
                                               const plan::WorkflowSet* workflows) {
  std::vector<std::string> refused;
  for (const plan::PlannedJob& planned : plan.jobs) {
    if (planned.status == plan::JobStatus::kSkipped) continue;
    // A called job is in its own file (plan/workflow_call.h).
    const model::Workflow* file = &workflow;
    if (planned.source != 0) {
      file = workflows && planned.source < workflows->sources.size()
                 ? workflows->sources[planned.source].workflow
                 : nullptr;
    }
    const model::Job* job = file && planned.model_index < file->jobs.size()
                                ? &file->jobs[planned.source == 0 && planned.model_index == 0
                                                  ? plan::ToInt(planned.index)
                                                  : planned.model_index]
                                : nullptr;
    if (!job || job->id.value != planned.local_id) job = workflow.FindJob(planned.id);
    if (!job) continue;
    const std::string at = planned.source == 0 || planned.source > plan.called_files.size()
                               ? plan.workflow_path
                               : plan.called_files[planned.source - 1].path;
    if (job->uses && planned.callee == 0) {
      refused.push_back(fmt::format(
          "{}: job \"{}\" calls the reusable workflow \"{}\", which was not loaded; `run` "
          "refuses rather than report the call's jobs as done",
          Where(at, job->uses->where), planned.id, job->uses->value));
    } else if (job->uses && !planned.matrix_known) {
      refused.push_back(fmt::format(
          "{}: job \"{}\" calls \"{}\" with a matrix known only at run time; slipway plans "
          "the called jobs of each leg before the run starts, so it cannot run this call",
          Where(at, job->strategy.matrix ? job->strategy.matrix->where : job->uses->where),
          planned.id, job->uses->value));
    }
    if (job->uses && job->concurrency.present) {
      refused.push_back(fmt::format(
          "{}: job \"{}\" calls a reusable workflow in concurrency group \"{}\"; `run` does "
          "not hold a group for a whole call yet (a concurrency group on the called jobs "
          "themselves works)",
          Where(at, job->concurrency.group.where), planned.id, job->concurrency.group.value));
    }
    if (job->uses && planned.callee != 0 && workflows &&
        planned.callee < workflows->sources.size()) {
      const model::Workflow& callee = *workflows->sources[planned.callee].workflow;
      if (callee.concurrency.present) {
        refused.push_back(fmt::format(
            "{}: the workflow \"{}\" that job \"{}\" calls has a workflow-level concurrency "
            "group; `run` does not hold one for a called workflow yet (put it on its jobs)",
            Where(workflows->sources[planned.callee].path, callee.concurrency.group.where),
            job->uses->value, planned.id));
      }
    }
    // runs-on labels this machine does not serve (plan/runner_labels.h; MakePlan refuses them
    // first, this keeps a plan made without the check from running them here).
    for (const std::string& why : planned.runner_refused) {
      SourceRange where = job->runs_on ? job->runs_on->where : SourceRange{};
      refused.push_back(fmt::format("{}: job \"{}\" cannot run here: {}", Where(at, where),
                                    planned.id, why));
    }
  }
  return refused;
}

}  // namespace slipway::exec
