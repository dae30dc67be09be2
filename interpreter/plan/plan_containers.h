#pragma once
/// What the plan says of a job's `container:` and `services:`: the images, the container
/// runtime `run` would start them with, or that the job needs one (exec/job_containers.h).

#include <optional>

#include "interpreter/plan/plan.h"
#include "interpreter/plan/planner.h"

namespace slipway::model {
struct Job;
}

namespace slipway::plan {

/// nullopt when the job has neither.
std::optional<PlannedContainers> PlanContainers(const model::Job& job, const PlanRequest& request);

}  // namespace slipway::plan
