// JobExecution (job_execution.h): a job's containers — started before its first step, removed
// when it ends (job_containers.h) — and the environment its steps get inside them.
#include <fmt/format.h>

#include "interpreter/exec/console.h"
#include "interpreter/exec/job_containers.h"
#include "interpreter/exec/job_execution.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/resolve.h"
#include "interpreter/yaml/node.h"

namespace slipway::exec {

std::string ContainerRecordDir(const RunStore& store) { return store.run_dir() + "/containers"; }

JobContainers* JobExecution::containers(bool make) {
  if (containers_ || !make || !run_.container_runtime) return containers_.get();
  auto text = [this](const char* key) {
    auto it = github_.find(key);
    return it != github_.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  containers_ = std::make_unique<JobContainers>(
      *run_.container_runtime, run_.base_env, "slipway-" + run_.run_id + "-" + job_.key,
      ContainerRecordDir(*run_.store) + "/" + SafeFileName(job_.key) + ".json",
      ContainerMounts{run_.workspace, temp_dir_, text("event_path"), text("repository")},
      [this](std::string_view line) { Log(line); });
  return containers_.get();
}

std::optional<JobOutcome> JobExecution::StartContainers() {
  if (!model_.container && !model_.services) return std::nullopt;
  auto fail = [this](const std::string& message) {
    run_.console->Line(job_.key, "error: " + message);
    return JobOutcome{JobResult::kFailure, {}, {}, message};
  };
  if (run_.request->overrides) {  // a rehearsal: its stubs answer for what would run inside
    run_.console->Line(job_.key, "rehearsal: the job's containers are not started");
    return std::nullopt;
  }
  if (!run_.container_runtime) {
    if (!run_.request->no_containers) {
      return fail("the job needs a container runtime (podman or docker) and none is available");
    }
    run_.console->Line(job_.key,
                       "warning: --no-containers: the job's `container:`/`services:` are NOT "
                       "started; its steps run on the host");
    return std::nullopt;
  }
  const std::string& path = run_.request->plan->workflow_path;
  Expected<JobContainerSpecs> specs =
      ReadContainerSpecs(model_, path, [this](const yaml::Node& node, std::string* error) {
        return EvaluateText(node.value, job_env_, error);
      });
  if (!specs) return fail(specs.error());
  if (!specs->container && specs->services.empty()) {
    for (const std::string& note : specs->notes) run_.console->Line(job_.key, note);
    return std::nullopt;
  }
  auto steady_deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(deadline_ -
                                                                      run_.clock->Now());
  std::string failed = containers(true)->Start(*specs, *job_.control->cancel, steady_deadline);
  if (failed.empty()) return std::nullopt;
  containers_->Remove();
  if (job_.control->cancel->is_cancelled()) {
    return JobOutcome{JobResult::kCancelled, {}, {}, cancel_reason_};
  }
  return fail("Initialize containers: " + failed);
}

std::map<std::string, std::string> JobExecution::ContainerEnv(const ResolvedStep& step,
                                                              const StepFiles* files) {
  return StepEnvironment(step, files, /*host=*/false);
}

nlohmann::ordered_json JobExecution::JobContext() const {
  nlohmann::ordered_json job = containers_ ? containers_->JobContext()
                                           : nlohmann::ordered_json::object();
  // A cancellation (of the run, fail-fast, the job's timeout) makes it "cancelled", as the
  // runner's StepsRunner sets JobContext.Status when the job is cancelled.
  job["status"] = assume_cancelled_ || cancelled() ? "cancelled" : failed_ ? "failure" : "success";
  return job;
}

}  // namespace slipway::exec
