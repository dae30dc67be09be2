#include "interpreter/plan/plan_containers.h"

#include "interpreter/model/job.h"
#include "interpreter/yaml/node.h"

namespace slipway::plan {
namespace {

// A container's image as written: the string form, or `image:` of the mapping form.
std::string Image(const yaml::Node& node) {
  if (node.is_scalar()) return node.value;
  const yaml::Node* image = node.is_mapping() ? node.Find("image") : nullptr;
  return image && image->is_scalar() ? image->value : "";
}

}  // namespace

std::optional<PlannedContainers> PlanContainers(const model::Job& job, const PlanRequest& request) {
  if (!job.container && !job.services) return std::nullopt;
  PlannedContainers planned;
  if (job.container) planned.image = Image(*job.container);
  if (job.services && job.services->is_mapping()) {
    for (const auto& [id, value] : job.services->entries) {
      planned.services.emplace_back(id.value, Image(value));
    }
  }
  bool credentials = job.container && job.container->is_mapping() &&
                     job.container->Find("credentials");
  if (job.services && job.services->is_mapping()) {
    for (const auto& [id, value] : job.services->entries) {
      credentials = credentials || (value.is_mapping() && value.Find("credentials"));
    }
  }
  planned.runtime = request.container_runtime;
  if (credentials) {
    planned.note = "credentials are not used: slipway logs in to no registry, so the images must "
                   "be present locally";
  }
  if (planned.runtime.empty()) {
    if (!planned.note.empty()) planned.note += "; ";
    planned.note +=
        request.no_containers
            ? "--no-containers: no container runtime (" + request.container_runtime_missing +
                  "); the containers are NOT started and the steps run on the host"
            : "needs a container runtime (" + request.container_runtime_missing +
                  "): `run` refuses this job; install podman or docker, or pass "
                  "--no-containers to run its steps on the host";
  }
  return planned;
}

}  // namespace slipway::plan
