#pragma once
/// A job's containers, as GitHub's runner makes them (ContainerOperationProvider): a network
/// of its own, each service container on it under its id (`--network-alias`), the job
/// container (`tail -f /dev/null`, steps run in it with `exec`), health checks waited for, and
/// everything removed when the job ends. The job's paths appear inside at the runner's:
///   the workspace      /__w/<repo>/<repo>    (GITHUB_WORKSPACE)
///   RUNNER_TEMP        /__w/_temp            (scripts, GITHUB_OUTPUT/ENV/PATH/STEP_SUMMARY)
///   HOME               /github/home
///   the event payload  /github/workflow/event.json (GITHUB_EVENT_PATH)
/// and in a `uses: docker://` step's container: /github/workspace, /github/home,
/// /github/workflow, /github/file_commands. Every value of a step's environment that names a
/// host path below one of these is translated, as the runner's TranslateToContainerPath does.
///
/// The names of what is created are recorded (RECORD_DIR/<job>.json) before it is created, so
/// a `run --resume` after slipway was killed removes the leftovers (RemoveRecordedContainers).

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter/base/expected.h"
#include "interpreter/exec/cancel_token.h"
#include "interpreter/exec/container_runtime.h"
#include "interpreter/exec/container_spec.h"
#include "interpreter/exec/process.h"

namespace slipway::exec {

class RunStore;

/// Where a run keeps the names of its jobs' containers (RUN_DIR/containers).
std::string ContainerRecordDir(const RunStore& store);

/// The host side of the paths a container sees.
struct ContainerMounts {
  std::string workspace;   // GITHUB_WORKSPACE on the host
  std::string temp_dir;    // the job's RUNNER_TEMP on the host
  std::string event_path;  // GITHUB_EVENT_PATH on the host
  std::string repository;  // "owner/repo" ("" → the workspace's name)
};

class JobContainers {
 public:
  using LogFn = std::function<void(std::string_view)>;
  /// `env`: the environment runtime commands run with (slipway's own). `prefix` names what is
  /// created ("slipway-<run>-<job>"); `record` is the file the names are kept in.
  JobContainers(ContainerRuntime runtime, std::map<std::string, std::string> env,
                std::string prefix, std::string record, ContainerMounts mounts, LogFn log);
  ~JobContainers();  // Remove()
  JobContainers(const JobContainers&) = delete;
  JobContainers& operator=(const JobContainers&) = delete;

  /// Starts the network, the services and the job container, then waits until every service
  /// with a health check is healthy (until `deadline` or `cancel`). "" or why the job fails.
  std::string Start(const JobContainerSpecs& specs, CancelToken& cancel,
                    std::chrono::steady_clock::time_point deadline);
  /// Removes every container and the network (idempotent; never cancelled).
  void Remove();

  bool has_job_container() const { return !job_container_.empty(); }
  /// The PATH the job container's processes start with (its image's).
  const std::string& container_path() const { return container_path_; }
  /// `job.container` and `job.services` of the job context.
  nlohmann::ordered_json JobContext() const;

  /// A step's process turned into `RUNTIME exec` in the job container: `env` (the step's own,
  /// with no host variables) is translated and passed by name, the argv and working directory
  /// translated.
  ProcessOptions InJobContainer(ProcessOptions host,
                                const std::map<std::string, std::string>& env) const;
  /// A `uses: docker://IMAGE` step: `RUNTIME run --rm` on the job's network, with `env`
  /// translated to the action container's paths, `entrypoint` and `args` (split as the
  /// runner splits them). Fails when the image is missing and cannot be pulled.
  /// A path as a step's container sees it (the job container's, or with `action` a
  /// `docker://` step's) turned into the host's, as the runner's TranslateToHostPath does for
  /// paths a step writes in commands (::add-matcher::, an annotation's file); a path outside
  /// the mounts is returned as it is.
  std::string ToHostPath(const std::string& path, bool action) const;
  Expected<ProcessOptions> ActionContainer(const std::string& image, const std::string& step_key,
                                           const std::string& entrypoint,
                                           const std::string& args,
                                           const std::map<std::string, std::string>& env,
                                           CancelToken& cancel);

 private:
  using Mapping = std::vector<std::pair<std::string, std::string>>;  // host prefix → container
  std::string Translate(const Mapping& mapping, const std::string& value) const;
  std::string EnsureImage(const std::string& image, CancelToken& cancel);
  std::string StartService(const std::string& id, const ContainerSpec& spec, CancelToken& cancel);
  std::string StartJobContainer(const ContainerSpec& spec, CancelToken& cancel);
  std::string WaitHealthy(const std::string& id, const std::string& name, CancelToken& cancel,
                          std::chrono::steady_clock::time_point deadline);
  std::map<std::string, std::string> Ports(const std::string& name);
  /// Keeps the names in the record file; false (and logged) when it cannot be written.
  bool Record();
  RuntimeOutput Call(const std::vector<std::string>& args, CancelToken* cancel,
                     std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  std::vector<std::string> SpecArgs(const ContainerSpec& spec, std::map<std::string, std::string>* env) const;

  ContainerRuntime runtime_;
  std::map<std::string, std::string> env_;
  std::string prefix_;
  std::string record_;
  ContainerMounts mounts_;
  LogFn log_;
  std::string network_;
  std::vector<std::string> containers_;  // every name created, for Remove
  std::string job_container_;            // its name; "" when the steps run on the host
  std::string job_container_id_;
  std::string container_path_;
  std::string home_dir_, workflow_dir_;  // host dirs mounted at /github/home, /github/workflow
  Mapping job_mapping_, action_mapping_;
  nlohmann::ordered_json services_ = nlohmann::ordered_json::object();  // job.services
  std::vector<std::pair<std::string, std::string>> health_;  // services with a health check
};

/// Removes what a killed run's jobs left (the records in `record_dir`), with `env` for the
/// runtime commands; one line per job that had leftovers.
std::vector<std::string> RemoveRecordedContainers(const std::string& record_dir,
                                                  const std::map<std::string, std::string>& env);

}  // namespace slipway::exec
