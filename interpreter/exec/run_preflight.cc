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

// Labels of a runner this machine is not: slipway runs steps on this Linux host.
bool NamesAnotherOs(const std::string& runs_on) {
  for (const char* os : {"macos", "windows"}) {
    if (runs_on.find(os) != std::string::npos) return true;
  }
  return false;
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
    if (NamesAnotherOs(planned.runs_on)) {
      SourceRange where = job->runs_on ? job->runs_on->where : SourceRange{};
      refused.push_back(fmt::format(
          "{}: job \"{}\" runs on \"{}\"; this machine is a Linux runner, and running the job "
          "here would not be what the workflow says",
          Where(plan, where), planned.id, planned.runs_on));
    }
  }
  return refused;
}

}  // namespace slipway::exec
