// Reusable-workflow calls at run time, the parts outside the scheduler (run.h): which file and
// model a planned job runs. The scheduler starts and ends calls (scheduler_calls.cc).
#include "interpreter/base/check.h"
#include "interpreter/exec/run.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/plan.h"
#include "interpreter/plan/workflow_call.h"

namespace slipway::exec {

const model::Workflow& WorkflowOf(const RunRequest& request, const plan::PlannedJob& job) {
  if (job.source == 0) {
    SLIPWAY_CHECK(request.workflow) << "a run without its workflow model";
    return *request.workflow;
  }
  SLIPWAY_CHECK(request.workflows && job.source < request.workflows->sources.size())
      << "job \"" << job.id << "\" is in a called workflow the run was not given";
  return *request.workflows->sources[job.source].workflow;
}

const model::Job& ModelJobOf(const RunRequest& request, const plan::PlannedJob& job) {
  const model::Workflow& workflow = WorkflowOf(request, job);
  // Plans made by hand (tests) leave model_index at 0: a main-workflow job's index is its place.
  const uint32_t index = job.source == 0 && job.model_index == 0 ? plan::ToInt(job.index)
                                                                 : job.model_index;
  SLIPWAY_CHECK(index < workflow.jobs.size()) << "job \"" << job.id << "\" is not in its file";
  return workflow.jobs[index];
}

const std::string& FileOf(const RunRequest& request, const plan::PlannedJob& job) {
  if (job.source > 0 && job.source <= request.plan->called_files.size()) {
    return request.plan->called_files[job.source - 1].path;
  }
  return request.plan->workflow_path;
}

}  // namespace slipway::exec
