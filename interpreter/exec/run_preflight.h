// Before a run starts: the parts of a workflow that `run` cannot do as GitHub does them. Each is
// refused with its position and a reason before anything runs, never accepted and then silently
// not done (a reusable-workflow call that was not loaded reported as a success with no steps, a
// container job run on the host, a macOS job run on Linux).
#pragma once

#include <string>
#include <vector>

namespace slipway::model {
struct Workflow;
}
namespace slipway::plan {
struct Plan;
struct WorkflowSet;
}  // namespace slipway::plan

namespace slipway::exec {

/// One message per construct a job that may run uses and `run` cannot honour, as
/// "FILE:LINE:COL: job \"ID\": …". Empty: the run may start. `workflows` holds the called
/// workflows (null: none were loaded).
std::vector<std::string> UnsupportedConstructs(const plan::Plan& plan,
                                               const model::Workflow& workflow,
                                               const plan::WorkflowSet* workflows = nullptr);

}  // namespace slipway::exec
