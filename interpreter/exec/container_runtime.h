#pragma once
/// The container runtime of this machine (podman, else docker), found once per command: what
/// `plan` names and what `run` starts a job's containers with (job_containers.h). Every call
/// is the runtime's command line run as a child process; nothing talks to a daemon directly.
/// SLIPWAY_CONTAINER_RUNTIME picks one: a path to the binary, or "none" (tests of the refusal,
/// or a machine whose runtime must not be used).

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/exec/cancel_token.h"

namespace slipway::exec {

enum class RuntimeKind { kPodman, kDocker };

struct ContainerRuntime {
  RuntimeKind kind = RuntimeKind::kPodman;
  std::string path;  // absolute path of the binary
  /// "podman (/usr/bin/podman)": how the plan and the log name it.
  std::string Describe() const;
};

/// The runtime in `env` (slipway's environment): SLIPWAY_CONTAINER_RUNTIME when set ("none" →
/// none; a name or path, looked up in PATH, whose base name says docker or podman), else podman,
/// else docker on PATH. nullopt: none. `why` (optional) receives why none was found.
std::optional<ContainerRuntime> DetectContainerRuntime(const std::map<std::string, std::string>& env,
                                                       std::string* why = nullptr);

/// What one runtime command printed and how it ended.
struct RuntimeOutput {
  bool ok = false;     // exited 0
  std::string out;     // stdout
  std::string err;     // stderr
  std::string failure; // when !ok: "exit code 125: Error: ..." (stderr's last line), or why it did not run
};

/// Runs `runtime args...` with environment `env`, bounded by `timeout`; `cancel` (may be null)
/// stops it early.
RuntimeOutput RunRuntime(const ContainerRuntime& runtime, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env,
                         std::chrono::milliseconds timeout, CancelToken* cancel = nullptr);

/// A name the runtime accepts for a container or network: [a-zA-Z0-9][a-zA-Z0-9_.-]*, from
/// `text` with every other byte replaced by '-' (lower-cased, at most 120 bytes).
std::string RuntimeName(const std::string& text);

}  // namespace slipway::exec
