// JobExecution::StepEnvironment (job_execution.h): the process environment of one step, on the
// host or in the job container.
#include "interpreter/exec/job_execution.h"
#include "interpreter/exec/job_containers.h"
#include "interpreter/exec/shell.h"
#include "interpreter/plan/resolve.h"

namespace slipway::exec {
namespace {

using nlohmann::ordered_json;

// The GITHUB_* / RUNNER_* variables a step's env cannot override, as on GitHub's runner
// (ScriptHandler.cs sets the github and runner contexts' variables after the step's env, and
// ProcessInvoker.cs sets GITHUB_ACTIONS=true last). Only CI may be changed: ProcessInvoker sets
// it to "true" only when neither the step's env nor the runner's own environment has it.
bool IsRuntimeVariable(const std::string& key) { return key != "CI"; }

}  // namespace

namespace {

// PathUtil.PrependPath of GitHub's runner: nothing is added when `current` already starts with
// the additions, and an empty PATH gets no trailing separator (that would mean the current
// directory).
std::string PrependPath(const std::string& additions, const std::string& current) {
  if (current.empty()) return additions;
  if (current.rfind(additions + ":", 0) == 0) return current;
  return additions + ":" + current;
}

}  // namespace

std::string JobExecution::PathAdditions() const {
  std::string joined;
  for (const std::string& dir : path_additions_) {
    if (!joined.empty()) joined += ":";
    joined += dir;
  }
  return joined;
}

std::string JobExecution::ShellSearchPath() const {
  auto own = run_.base_env.find("PATH");
  const std::string runner_path = own == run_.base_env.end() ? "" : own->second;
  return path_additions_.empty() ? runner_path : PrependPath(PathAdditions(), runner_path);
}

std::map<std::string, std::string> JobExecution::StepEnvironment(const ResolvedStep& step,
                                                                 const StepFiles* files,
                                                                 bool host) {
  // In a container nothing of slipway's own environment goes in, as on GitHub's runner.
  std::map<std::string, std::string> out = host ? run_.base_env : std::map<std::string, std::string>{};
  ordered_json github_for_step;
  const ordered_json* github = &github_;
  if (frame_) {
    github_for_step = github_;
    github_for_step["action_path"] = frame_->action_path;
    github = &github_for_step;
  }
  std::map<std::string, std::string> runtime =
      RunnerEnvironment(*github, runner_ctx_, step.action, files);
  if (!out.contains("CI")) out["CI"] = runtime["CI"];
  for (auto it = step.env.begin(); it != step.env.end(); ++it) {
    out[it.key()] = it->is_string() ? it->get<std::string>() : plan::ValueToTemplateString(*it);
  }
  if (!path_additions_.empty()) {
    if (!host && !out.contains("PATH")) {
      out["PATH"] = containers_ && !containers_->container_path().empty()
                        ? containers_->container_path()
                        : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    }
    out["PATH"] = PrependPath(PathAdditions(), out["PATH"]);
  }
  for (auto& [key, value] : runtime) {
    if (IsRuntimeVariable(key)) out.insert_or_assign(key, std::move(value));
  }
  if (host) {
    // What the job's processes leave behind is found by it at the job's end (orphans.h).
    out["RUNNER_TRACKING_ID"] = tracking_id_;
    started_processes_ = true;
  }
  return out;
}

}  // namespace slipway::exec
