#pragma once
/// Processes the `local` stack tool starts (the application, and HAProxy in blue/green mode):
/// each runs detached in its own session with a marker in its environment, so slipway only
/// ever stops a process it started for this stack, even when a pid has been reused.

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "interpreter/step_api/step_api.h"

namespace slipway::stdlib::stack_deploy {

/// "SLIPWAY_STACK_ID=<hash of the stack directory>", exported to every process of the stack.
std::string AppMarker(const std::filesystem::path& stack_dir);

/// The pid in `pid_file` when that process is alive and carries `marker`; else 0.
int RunningPid(const std::filesystem::path& pid_file, const std::string& marker);

/// Stops the process named by `pid_file` (SIGTERM to its process group, SIGKILL after 2 s) if
/// it is ours; removes the pid file.
void StopProcess(const std::filesystem::path& pid_file, const std::string& marker,
                 step_api::StepContext& context);

/// Starts `command` with bash in the background from the workspace, in its own session, with
/// `env` exported and output to `log_file`; writes its pid to `pid_file`. "" or why not.
std::string StartDetached(const std::string& command,
                          const std::map<std::string, std::string>& env,
                          const std::filesystem::path& pid_file,
                          const std::filesystem::path& log_file, step_api::StepContext& context,
                          int* pid);

/// Polls `url` every 200 ms until it answers 2xx; "" or why not (the process `pid` exited,
/// the timeout passed, cancelled).
std::string WaitHealthy(const std::string& url, int pid, std::chrono::milliseconds timeout,
                        const std::filesystem::path& log_file, step_api::StepContext& context);

/// True when 127.0.0.1:`port` can be bound now.
bool PortFree(int port);

}  // namespace slipway::stdlib::stack_deploy
