// Reading a job's `container:` and `services:` (container_spec.h).
#include "interpreter/exec/container_spec.h"

#include <fmt/format.h>

#include "interpreter/exec/shell.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/plan.h"
#include "interpreter/yaml/node.h"

namespace slipway::exec {
namespace {

std::string At(const std::string& path, const yaml::Node& node) {
  return fmt::format("{}:{}:{}", path, node.where.begin.line, node.where.begin.col);
}

class Reader {
 public:
  Reader(const std::string& path, const EvaluateNode& evaluate) : path_(path), evaluate_(evaluate) {}

  std::string Scalar(const yaml::Node& node, const std::string& key) {
    if (!node.is_scalar() && !node.is_null()) {
      Fail(node, fmt::format("{} must be a string, not {}", key, yaml::KindName(node)));
      return "";
    }
    std::string own;
    std::string text = evaluate_(node, &own);
    if (!own.empty()) Fail(node, fmt::format("{}: {}", key, own));
    return text;
  }

  std::vector<std::string> List(const yaml::Node& node, const std::string& key) {
    std::vector<std::string> items;
    if (!node.is_sequence()) {
      Fail(node, fmt::format("{} must be a list, not {}", key, yaml::KindName(node)));
      return items;
    }
    for (const yaml::Node& item : node.items) {
      std::string text = Scalar(item, key);
      if (!text.empty()) items.push_back(std::move(text));
    }
    return items;
  }

  // One container: a string (the image) or a mapping.
  ContainerSpec Spec(const yaml::Node& node, const std::string& key) {
    ContainerSpec spec;
    spec.where = At(path_, node);
    if (!node.is_mapping()) {
      spec.image = Scalar(node, key);
      return spec;
    }
    for (const auto& [name, value] : node.entries) {
      const std::string& k = name.value;
      if (k == "image") {
        spec.image = Scalar(value, key + ".image");
      } else if (k == "env") {
        if (!value.is_mapping()) {
          Fail(value, key + ".env must be a mapping");
          continue;
        }
        for (const auto& [env_key, env_value] : value.entries) {
          spec.env.emplace_back(env_key.value, Scalar(env_value, key + ".env." + env_key.value));
        }
      } else if (k == "ports") {
        spec.ports = List(value, key + ".ports");
      } else if (k == "volumes") {
        spec.volumes = List(value, key + ".volumes");
      } else if (k == "options") {
        spec.options = SplitCommandLine(Scalar(value, key + ".options"));
      } else if (k == "credentials") {
        spec.credentials = true;
      } else {
        // validate refuses unknown keys; a key it lets through must not be dropped silently.
        Fail(name, fmt::format("{}: unknown key \"{}\"", key, k));
      }
    }
    return spec;
  }

  void Fail(const yaml::Node& node, const std::string& message) {
    if (error_.empty()) error_ = fmt::format("{}: {}", At(path_, node), message);
  }
  const std::string& error() const { return error_; }

 private:
  const std::string& path_;
  const EvaluateNode& evaluate_;
  std::string error_;
};

}  // namespace

Expected<JobContainerSpecs> ReadContainerSpecs(const model::Job& job,
                                               const std::string& workflow_path,
                                               const EvaluateNode& evaluate) {
  JobContainerSpecs specs;
  Reader reader(workflow_path, evaluate);
  if (job.container && !job.container->is_null()) {
    ContainerSpec spec = reader.Spec(*job.container, "container");
    if (spec.image.empty()) {
      specs.notes.push_back(fmt::format(
          "{}: the container's image is empty, so the steps run on the host (as on GitHub)",
          spec.where));
    } else {
      if (spec.credentials) {
        specs.notes.push_back(fmt::format(
            "warning: {}: container.credentials are not used: slipway does not log in to "
            "registries, so the image must be present locally",
            spec.where));
      }
      specs.container = std::move(spec);
    }
  }
  if (job.services && job.services->is_mapping()) {
    for (const auto& [id, value] : job.services->entries) {
      ContainerSpec spec = reader.Spec(value, "services." + id.value);
      if (spec.image.empty()) {
        specs.notes.push_back(fmt::format(
            "{}: service \"{}\" has an empty image, so it is not started (as on GitHub)",
            spec.where, id.value));
        continue;
      }
      if (spec.credentials) {
        specs.notes.push_back(fmt::format(
            "warning: {}: services.{}.credentials are not used: slipway does not log in to "
            "registries, so the image must be present locally",
            spec.where, id.value));
      }
      specs.services.emplace_back(id.value, std::move(spec));
    }
  }
  if (!reader.error().empty()) return MakeUnexpected(reader.error());
  return specs;
}

std::vector<std::string> ContainerRefusals(const plan::Plan& plan, const model::Workflow& workflow,
                                           const std::string& runtime_missing, bool no_containers) {
  std::vector<std::string> refused;
  for (const plan::PlannedJob& planned : plan.jobs) {
    if (planned.status == plan::JobStatus::kSkipped) continue;
    const model::Job* job = workflow.FindJob(planned.id);
    if (!job) continue;
    const yaml::Node* node = job->container ? job->container : job->services;
    if (node && !no_containers) {
      refused.push_back(fmt::format(
          "{}: job \"{}\" needs a container runtime for its `{}:` and none is available ({}); "
          "install podman or docker, or pass --no-containers to run its steps on the host",
          At(plan.workflow_path, *node), planned.id, node == job->container ? "container" : "services",
          runtime_missing));
    }
    for (const model::Step& step : job->steps) {
      if (!step.uses || !step.uses->value.starts_with("docker://")) continue;
      refused.push_back(fmt::format(
          "{}:{}:{}: job \"{}\": \"{}\" runs in a container and no container runtime is "
          "available ({}); install podman or docker",
          plan.workflow_path, step.uses->where.begin.line, step.uses->where.begin.col, planned.id,
          step.uses->value, runtime_missing));
    }
  }
  return refused;
}

std::vector<std::string> JobsWithContainers(const plan::Plan& plan,
                                            const model::Workflow* workflow) {
  std::vector<std::string> ids;
  for (const plan::PlannedJob& planned : plan.jobs) {
    const model::Job* job = workflow ? workflow->FindJob(planned.id) : nullptr;
    if (planned.status == plan::JobStatus::kSkipped || !job) continue;
    if (job->container || job->services) ids.push_back(planned.id);
  }
  return ids;
}

}  // namespace slipway::exec
