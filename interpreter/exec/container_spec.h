#pragma once
/// `jobs.<id>.container` and `jobs.<id>.services` as a job about to start reads them: every
/// value evaluated (the job's contexts; a callback does it), in the shapes GitHub documents:
/// https://docs.github.com/actions/using-jobs/running-jobs-in-a-container
/// https://docs.github.com/actions/using-containerized-services/about-service-containers

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/base/expected.h"

namespace slipway::model {
struct Job;
struct Workflow;
}  // namespace slipway::model
namespace slipway::plan {
struct Plan;
}
namespace slipway::yaml {
struct Node;
}

namespace slipway::exec {

/// One container: the job's, or a service.
struct ContainerSpec {
  std::string image;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> ports;    // "8080", "5432:5432"
  std::vector<std::string> volumes;  // "name:/path", "/host:/path"
  std::vector<std::string> options;  // `options:` split into words
  bool credentials = false;          // `credentials:` given (slipway does not log in)
  std::string where;                 // "wf.yml:12:5", for messages
};

struct JobContainerSpecs {
  std::optional<ContainerSpec> container;  // nullopt: the steps run on the host
  std::vector<std::pair<std::string, ContainerSpec>> services;  // by service id, file order
  /// Said in the job's log: a container or service whose image evaluated to "" (none started,
  /// as on GitHub), credentials that are not used.
  std::vector<std::string> notes;
};

/// Evaluates a scalar's `${{ }}`; sets `*error` (when empty) on failure.
using EvaluateNode = std::function<std::string(const yaml::Node& node, std::string* error)>;

/// The job's container and services. Errors name the file, line and column.
Expected<JobContainerSpecs> ReadContainerSpecs(const model::Job& job,
                                               const std::string& workflow_path,
                                               const EvaluateNode& evaluate);

/// Before a run starts, with no container runtime (`runtime_missing` says why): one message
/// per job that may run and has `container:`/`services:` (unless `no_containers`: its steps
/// then run on the host, loudly) or a `uses: docker://` step, as "FILE:LINE:COL: job \"ID\" ...".
/// The ids of the jobs that may run and have `container:` or `services:`.
std::vector<std::string> JobsWithContainers(const plan::Plan& plan,
                                            const model::Workflow* workflow);

std::vector<std::string> ContainerRefusals(const plan::Plan& plan, const model::Workflow& workflow,
                                           const std::string& runtime_missing, bool no_containers);

}  // namespace slipway::exec
