// A job's containers (job_containers.h).
#include "interpreter/base/fd_io.h"
#include "interpreter/exec/job_containers.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "interpreter/exec/run_store.h"
#include "interpreter/exec/shell.h"
#include "interpreter/exec/step_log.h"

namespace slipway::exec {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

constexpr auto kPullTimeout = std::chrono::minutes(10);

// The repository's name, as the runner names the workspace directory (_work/<repo>/<repo>).
std::string RepoName(const ContainerMounts& mounts) {
  std::string name = mounts.repository.substr(mounts.repository.rfind('/') + 1);
  if (name.empty()) name = fs::path(mounts.workspace).filename().string();
  return name.empty() ? "workspace" : name;
}

bool MakeDir(const std::string& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  return !error;
}

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

// Go's duration in nanoseconds (podman inspect prints a number) → milliseconds; 0 when unknown.
std::chrono::milliseconds Nanoseconds(const std::string& text) {
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || value <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(value / 1'000'000);
}

}  // namespace

JobContainers::JobContainers(ContainerRuntime runtime, std::map<std::string, std::string> env,
                             std::string prefix, std::string record, ContainerMounts mounts,
                             LogFn log)
    : runtime_(std::move(runtime)),
      env_(std::move(env)),
      prefix_(RuntimeName(prefix)),
      record_(std::move(record)),
      mounts_(std::move(mounts)),
      log_(std::move(log)) {
  std::string repo = RepoName(mounts_);
  home_dir_ = mounts_.temp_dir + "/_github_home";
  workflow_dir_ = mounts_.temp_dir + "/_github_workflow";
  // Longest host prefix first: the temp dir's subdirectories before the temp dir.
  job_mapping_ = {{home_dir_, "/github/home"},
                  {workflow_dir_, "/github/workflow"},
                  {mounts_.event_path, "/github/workflow/event.json"},
                  {mounts_.temp_dir, "/__w/_temp"},
                  {mounts_.workspace, fmt::format("/__w/{}/{}", repo, repo)}};
  action_mapping_ = {{home_dir_, "/github/home"},
                     {workflow_dir_, "/github/workflow"},
                     {mounts_.event_path, "/github/workflow/event.json"},
                     {mounts_.temp_dir, "/github/file_commands"},
                     {mounts_.workspace, "/github/workspace"}};
}

JobContainers::~JobContainers() { Remove(); }

RuntimeOutput JobContainers::Call(const std::vector<std::string>& args, CancelToken* cancel,
                                  std::chrono::milliseconds timeout) const {
  return RunRuntime(runtime_, args, env_, timeout, cancel);
}

std::string JobContainers::Translate(const Mapping& mapping, const std::string& value) const {
  for (const auto& [host, inside] : mapping) {
    if (host.empty() || value.compare(0, host.size(), host) != 0) continue;
    if (value.size() == host.size()) return inside;
    if (value[host.size()] == '/') return inside + value.substr(host.size());
  }
  return value;
}

std::string JobContainers::ToHostPath(const std::string& path, bool action) const {
  const Mapping& mapping = action ? action_mapping_ : job_mapping_;
  // The longest container prefix first (/github/workflow/event.json before /github/workflow).
  const std::pair<std::string, std::string>* best = nullptr;
  for (const auto& entry : mapping) {
    const std::string& inside = entry.second;
    if (entry.first.empty() || path.compare(0, inside.size(), inside) != 0) continue;
    if (path.size() != inside.size() && path[inside.size()] != '/') continue;
    if (!best || inside.size() > best->second.size()) best = &entry;
  }
  return best ? best->first + path.substr(best->second.size()) : path;
}

bool JobContainers::Record() {
  nlohmann::json record = {{"runtime", runtime_.path},
                           {"containers", containers_},
                           {"networks", network_.empty() ? nlohmann::json::array()
                                                         : nlohmann::json::array({network_})}};
  if (!MakeDir(fs::path(record_).parent_path().string())) {
    log_(fmt::format("error: cannot create the directory of \"{}\"", record_));
    return false;
  }
  Expected<bool> written = WriteFileAtomically(record_, record.dump() + "\n", 0600, true);
  if (!written) log_("error: cannot record the job's containers: " + written.error());
  return static_cast<bool>(written);
}

std::string JobContainers::EnsureImage(const std::string& image, CancelToken& cancel) {
  if (Call({"image", "inspect", "--format", "{{.Id}}", image}, &cancel).ok) return "";
  if (cancel.is_cancelled()) return "cancelled";
  // Like `docker run`, an image present locally is used as it is; only a missing one is pulled.
  log_(fmt::format("image \"{}\" is not present locally; pulling it", image));
  RuntimeOutput pulled = Call({"pull", image}, &cancel, kPullTimeout);
  if (pulled.ok) return "";
  return fmt::format("image \"{}\" is not present locally and pulling it failed: {}", image,
                     pulled.failure);
}

std::vector<std::string> JobContainers::SpecArgs(const ContainerSpec& spec,
                                                 std::map<std::string, std::string>* env) const {
  std::vector<std::string> args;
  // Values go through the runtime's own environment, never its argv (secrets).
  for (const auto& [key, value] : spec.env) {
    args.insert(args.end(), {"-e", key});
    (*env)[key] = value;
  }
  for (const std::string& port : spec.ports) args.insert(args.end(), {"-p", port});
  for (const std::string& volume : spec.volumes) args.insert(args.end(), {"-v", volume});
  args.insert(args.end(), spec.options.begin(), spec.options.end());
  return args;
}

std::map<std::string, std::string> JobContainers::Ports(const std::string& name) {
  // "8080/tcp -> 0.0.0.0:41234": job.services.<id>.ports maps "8080" to "41234".
  std::map<std::string, std::string> ports;
  RuntimeOutput out = Call({"port", name}, nullptr);
  size_t start = 0;
  while (out.ok && start < out.out.size()) {
    size_t end = out.out.find('\n', start);
    if (end == std::string::npos) end = out.out.size();
    std::string line = out.out.substr(start, end - start);
    start = end + 1;
    size_t arrow = line.find(" -> ");
    size_t colon = line.rfind(':');
    if (arrow == std::string::npos || colon == std::string::npos || colon < arrow) continue;
    ports.emplace(line.substr(0, line.find('/')), line.substr(colon + 1));
  }
  return ports;
}

std::string JobContainers::StartService(const std::string& id, const ContainerSpec& spec,
                                        CancelToken& cancel) {
  std::string name = prefix_ + "-" + RuntimeName(id);
  containers_.push_back(name);
  if (!Record()) return "cannot record the job's containers";
  std::map<std::string, std::string> env = env_;
  std::vector<std::string> args = {"create", "--name", name, "--label", "slipway=" + prefix_,
                                   "--network", network_, "--network-alias", id};
  std::vector<std::string> own = SpecArgs(spec, &env);
  args.insert(args.end(), own.begin(), own.end());
  args.push_back(spec.image);
  RuntimeOutput created = RunRuntime(runtime_, args, env, std::chrono::seconds(120), &cancel);
  if (!created.ok) {
    return fmt::format("{}: cannot create service \"{}\": {}", spec.where, id, created.failure);
  }
  std::string container_id = Trim(created.out);
  RuntimeOutput started = Call({"start", name}, &cancel);
  if (!started.ok) {
    return fmt::format("{}: cannot start service \"{}\": {}", spec.where, id, started.failure);
  }
  ordered_json ports = ordered_json::object();
  for (const auto& [inside, outside] : Ports(name)) ports[inside] = outside;
  services_[id] = {{"id", container_id}, {"network", network_}, {"ports", ports}};
  RuntimeOutput health =
      Call({"inspect", "--format", "{{if .Config.Healthcheck}}yes{{end}}", name}, nullptr);
  if (health.ok && Trim(health.out) == "yes") health_.emplace_back(id, name);
  log_(fmt::format("service \"{}\" ({}) started{}", id, spec.image,
                   ports.empty() ? "" : ", ports " + ports.dump()));
  return "";
}

std::string JobContainers::StartJobContainer(const ContainerSpec& spec, CancelToken& cancel) {
  std::string name = prefix_ + "-job";
  containers_.push_back(name);
  if (!Record()) return "cannot record the job's containers";
  if (!MakeDir(home_dir_) || !MakeDir(workflow_dir_)) {
    return fmt::format("cannot create \"{}\"", home_dir_);
  }
  // The payload where the runner keeps it: /github/workflow/event.json.
  std::error_code copied;
  fs::copy_file(mounts_.event_path, workflow_dir_ + "/event.json",
                fs::copy_options::overwrite_existing, copied);
  if (copied) return fmt::format("cannot copy \"{}\": {}", mounts_.event_path, copied.message());
  std::map<std::string, std::string> env = env_;
  env["HOME"] = "/github/home";
  std::vector<std::string> args = {"create", "--name", name, "--label", "slipway=" + prefix_,
                                   "-e", "HOME"};
  if (!network_.empty()) args.insert(args.end(), {"--network", network_});
  std::vector<std::string> own = SpecArgs(spec, &env);
  args.insert(args.end(), own.begin(), own.end());
  for (const auto& [host, inside] : job_mapping_) {
    if (host == mounts_.event_path) continue;
    args.insert(args.end(), {"-v", host + ":" + inside});
  }
  args.insert(args.end(), {"--entrypoint", "tail", spec.image, "-f", "/dev/null"});
  RuntimeOutput created = RunRuntime(runtime_, args, env, std::chrono::seconds(120), &cancel);
  if (!created.ok) {
    return fmt::format("{}: cannot create the job container: {}", spec.where, created.failure);
  }
  job_container_id_ = Trim(created.out);
  RuntimeOutput started = Call({"start", name}, &cancel);
  if (!started.ok) {
    return fmt::format("{}: cannot start the job container: {}", spec.where, started.failure);
  }
  job_container_ = name;
  RuntimeOutput path = Call(
      {"inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", name}, nullptr);
  for (size_t start = 0; path.ok && start < path.out.size();) {
    size_t end = path.out.find('\n', start);
    if (end == std::string::npos) end = path.out.size();
    if (path.out.compare(start, 5, "PATH=") == 0) {
      container_path_ = path.out.substr(start + 5, end - start - 5);
    }
    start = end + 1;
  }
  if (container_path_.empty()) {
    container_path_ = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  }
  log_(fmt::format("job container ({}) started; the steps run in it", spec.image));
  return "";
}

std::string JobContainers::WaitHealthy(const std::string& id, const std::string& name,
                                       CancelToken& cancel,
                                       std::chrono::steady_clock::time_point deadline) {
  // As the runner: poll the health status while it is "starting". Docker runs the checks
  // itself; podman without systemd runs none on its own, so each poll runs one (`podman
  // healthcheck run`, which counts --health-retries as podman always does) at the container's
  // --health-interval.
  std::chrono::milliseconds interval(0);
  if (runtime_.kind == RuntimeKind::kPodman) {
    RuntimeOutput every =
        Call({"inspect", "--format", "{{printf \"%d\" .Config.Healthcheck.Interval}}", name}, nullptr);
    interval = Nanoseconds(Trim(every.out));
  }
  for (int attempt = 0;; ++attempt) {
    if (runtime_.kind == RuntimeKind::kPodman) Call({"healthcheck", "run", name}, &cancel);
    RuntimeOutput status = Call(
        {"inspect", "--format", "{{if .Config.Healthcheck}}{{print .State.Health.Status}}{{end}}",
         name},
        &cancel);
    std::string health = Trim(status.out);
    if (!status.ok && !cancel.is_cancelled()) {
      return fmt::format("cannot read the health of service \"{}\": {}", id, status.failure);
    }
    if (health == "healthy" || health.empty()) {
      log_(fmt::format("service \"{}\" is healthy", id));
      return "";
    }
    if (health != "starting") {
      return fmt::format("service \"{}\" is {}: its health check failed", id, health);
    }
    // The runner's backoff (2 s doubling to 32 s), or podman's interval when it is ours to keep.
    std::chrono::milliseconds wait =
        interval.count() > 0 ? interval
                             : std::chrono::milliseconds(2000 << std::min(attempt, 4));
    if (std::chrono::steady_clock::now() + wait > deadline) {
      return fmt::format("service \"{}\" was still starting when the job's time ran out", id);
    }
    log_(fmt::format("service \"{}\" is starting, waiting {} ms before checking again", id,
                     wait.count()));
    if (cancel.WaitFor(wait)) return "cancelled";
  }
}

std::string JobContainers::Start(const JobContainerSpecs& specs, CancelToken& cancel,
                                 std::chrono::steady_clock::time_point deadline) {
  log_(fmt::format("containers: {}", runtime_.Describe()));
  for (const std::string& note : specs.notes) log_(note);
  if (specs.container) {
    if (std::string failed = EnsureImage(specs.container->image, cancel); !failed.empty()) {
      return specs.container->where + ": " + failed;
    }
  }
  for (const auto& [id, spec] : specs.services) {
    if (std::string failed = EnsureImage(spec.image, cancel); !failed.empty()) {
      return fmt::format("{}: service \"{}\": {}", spec.where, id, failed);
    }
  }
  if (specs.container || !specs.services.empty()) {
    network_ = prefix_ + "-net";
    if (!Record()) return "cannot record the job's containers";
    RuntimeOutput created = Call({"network", "create", network_}, &cancel);
    if (!created.ok) {
      return fmt::format("cannot create the job's network \"{}\": {}", network_, created.failure);
    }
  }
  for (const auto& [id, spec] : specs.services) {
    if (std::string failed = StartService(id, spec, cancel); !failed.empty()) return failed;
  }
  if (specs.container) {
    if (std::string failed = StartJobContainer(*specs.container, cancel); !failed.empty()) {
      return failed;
    }
  }
  for (const auto& [id, name] : health_) {
    if (std::string failed = WaitHealthy(id, name, cancel, deadline); !failed.empty()) {
      return failed;
    }
  }
  return "";
}

void JobContainers::Remove() {
  if (containers_.empty() && network_.empty()) return;
  std::vector<std::string> names = containers_;
  std::reverse(names.begin(), names.end());
  bool removed = true;
  if (!names.empty()) {
    std::vector<std::string> args = {"rm", "--force", "--time", "0"};
    if (runtime_.kind == RuntimeKind::kDocker) args = {"rm", "--force"};
    std::vector<std::string> missing_ok = args;
    args.insert(args.end(), names.begin(), names.end());
    RuntimeOutput out = Call(args, nullptr, std::chrono::seconds(120));
    // Some names may never have been created (a failed start, a docker:// step that removed
    // its own): remove one by one then, ignoring those that do not exist.
    if (!out.ok) {
      for (const std::string& name : names) {
        std::vector<std::string> one = missing_ok;
        one.push_back(name);
        RuntimeOutput single = Call(one, nullptr, std::chrono::seconds(60));
        bool gone = single.ok || single.err.find("no such container") != std::string::npos ||
                    single.err.find("No such container") != std::string::npos;
        if (!gone) {
          removed = false;
          log_(fmt::format("warning: cannot remove container \"{}\": {}", name, single.failure));
        }
      }
    }
  }
  if (!network_.empty()) {
    RuntimeOutput out = Call({"network", "rm", network_}, nullptr, std::chrono::seconds(60));
    if (!out.ok && out.err.find("not found") == std::string::npos &&
        out.err.find("unknown network") == std::string::npos) {
      removed = false;
      log_(fmt::format("warning: cannot remove network \"{}\": {}", network_, out.failure));
    }
  }
  if (removed) {
    std::error_code ignored;
    fs::remove(record_, ignored);
  }
  containers_.clear();
  network_.clear();
  job_container_.clear();
}

ordered_json JobContainers::JobContext() const {
  ordered_json context = ordered_json::object();
  if (!job_container_.empty()) {
    context["container"] = {{"id", job_container_id_}, {"network", network_}};
  }
  if (!services_.empty()) context["services"] = services_;
  return context;
}

ProcessOptions JobContainers::InJobContainer(ProcessOptions host,
                                             const std::map<std::string, std::string>& env) const {
  ProcessOptions options = std::move(host);
  std::vector<std::string> argv = {runtime_.path, "exec", "-i"};
  if (!options.working_directory.empty()) {
    argv.insert(argv.end(), {"--workdir", Translate(job_mapping_, options.working_directory)});
  }
  std::map<std::string, std::string> process_env = env_;
  for (const auto& [key, value] : env) {
    argv.insert(argv.end(), {"-e", key});
    process_env[key] = Translate(job_mapping_, value);
  }
  argv.push_back(job_container_);
  for (const std::string& arg : options.argv) argv.push_back(Translate(job_mapping_, arg));
  options.argv = std::move(argv);
  options.env = std::move(process_env);
  options.working_directory.clear();
  return options;
}

Expected<ProcessOptions> JobContainers::ActionContainer(
    const std::string& image, const std::string& step_key, const std::string& entrypoint,
    const std::string& args, const std::map<std::string, std::string>& env, CancelToken& cancel) {
  if (std::string failed = EnsureImage(image, cancel); !failed.empty()) {
    return MakeUnexpected(failed);
  }
  if (!MakeDir(home_dir_) || !MakeDir(workflow_dir_)) {
    return MakeUnexpected(fmt::format("cannot create \"{}\"", home_dir_));
  }
  std::error_code copied;
  fs::copy_file(mounts_.event_path, workflow_dir_ + "/event.json",
                fs::copy_options::overwrite_existing, copied);
  std::string name = prefix_ + "-step-" + RuntimeName(step_key);
  containers_.push_back(name);
  if (!Record()) return MakeUnexpected(std::string("cannot record the job's containers"));
  ProcessOptions options;
  options.argv = {runtime_.path, "run", "--rm", "--name", name, "--label", "slipway=" + prefix_,
                  "--workdir", "/github/workspace"};
  if (!network_.empty()) options.argv.insert(options.argv.end(), {"--network", network_});
  options.env = env_;
  for (const auto& [key, value] : env) {
    options.argv.insert(options.argv.end(), {"-e", key});
    options.env[key] = Translate(action_mapping_, value);
  }
  for (const auto& [host, inside] : action_mapping_) {
    if (host == mounts_.event_path) continue;
    options.argv.insert(options.argv.end(), {"-v", host + ":" + inside});
  }
  if (!entrypoint.empty()) options.argv.insert(options.argv.end(), {"--entrypoint", entrypoint});
  options.argv.push_back(image);
  for (std::string& word : SplitCommandLine(args)) options.argv.push_back(std::move(word));
  return options;
}

std::vector<std::string> RemoveRecordedContainers(const std::string& record_dir,
                                                  const std::map<std::string, std::string>& env) {
  std::vector<std::string> notices;
  std::error_code missing;
  for (const auto& entry : fs::directory_iterator(record_dir, missing)) {
    nlohmann::json record = nlohmann::json::parse(ReadText(entry.path().string()), nullptr, false);
    if (!record.is_object() || !record.value("runtime", nlohmann::json()).is_string()) continue;
    ContainerRuntime runtime{RuntimeKind::kPodman, record["runtime"].get<std::string>()};
    if (runtime.path.find("docker") != std::string::npos) runtime.kind = RuntimeKind::kDocker;
    std::vector<std::string> names;
    for (const auto& name : record.value("containers", nlohmann::json::array())) {
      if (name.is_string()) names.push_back(name.get<std::string>());
    }
    std::vector<std::string> networks;
    for (const auto& name : record.value("networks", nlohmann::json::array())) {
      if (name.is_string()) networks.push_back(name.get<std::string>());
    }
    for (const std::string& name : names) {
      std::vector<std::string> args = {"rm", "--force", name};
      if (runtime.kind == RuntimeKind::kPodman) args = {"rm", "--force", "--time", "0", name};
      RunRuntime(runtime, args, env, std::chrono::seconds(60));
    }
    for (const std::string& name : networks) {
      RunRuntime(runtime, {"network", "rm", name}, env, std::chrono::seconds(60));
    }
    notices.push_back(fmt::format(
        "removed what the interrupted run left of its containers: {} container(s), {} network(s) "
        "({})",
        names.size(), networks.size(), entry.path().filename().string()));
    fs::remove(entry.path(), missing);
  }
  return notices;
}

}  // namespace slipway::exec
