#include "interpreter/exec/run_preflight.h"

#include <fmt/format.h>

#include "interpreter/model/workflow.h"
#include "interpreter/plan/plan.h"
#include "interpreter/yaml/node.h"

namespace slipway::exec {

namespace {

std::string Where(const plan::Plan& plan, const SourceRange& where) {
  if (!where.begin.known()) return plan.workflow_path;
  return fmt::format("{}:{}:{}", plan.workflow_path, where.begin.line, where.begin.col);
}

}  // namespace

std::vector<std::string> UnsupportedConstructs(const plan::Plan& plan,
                                               const model::Workflow& workflow) {
  std::vector<std::string> refused;
  for (const plan::PlannedJob& planned : plan.jobs) {
    if (planned.status == plan::JobStatus::kSkipped) continue;
    const model::Job* job = workflow.FindJob(planned.id);
    if (!job) continue;
    if (job->uses) {
      refused.push_back(fmt::format(
          "{}: job \"{}\" calls the reusable workflow \"{}\"; `run` cannot execute reusable "
          "workflow calls yet, so it refuses rather than report the call's jobs as done",
          Where(plan, job->uses->where), planned.id, job->uses->value));
    }
    if (job->container) {
      refused.push_back(fmt::format(
          "{}: job \"{}\" asks for a container; `run` does not start containers yet and will "
          "not run the job's steps on the host instead",
          Where(plan, job->container->where), planned.id));
    }
    if (job->services) {
      refused.push_back(fmt::format(
          "{}: job \"{}\" asks for service containers; `run` does not start them yet",
          Where(plan, job->services->where), planned.id));
    }
    // runs-on labels this machine does not serve (plan/runner_labels.h; MakePlan refuses them
    // first, this keeps a plan made without the check from running them here).
    for (const std::string& why : planned.runner_refused) {
      SourceRange where = job->runs_on ? job->runs_on->where : SourceRange{};
      refused.push_back(fmt::format("{}: job \"{}\" cannot run here: {}", Where(plan, where),
                                    planned.id, why));
    }
  }
  return refused;
}

}  // namespace slipway::exec
