// The container runtime of this machine (container_runtime.h).
#include "interpreter/exec/container_runtime.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>

#include "interpreter/exec/process.h"

namespace slipway::exec {
namespace {

bool IsExecutable(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// `program` as PATH finds it; "" when it does not.
std::string Find(const std::string& program, const std::map<std::string, std::string>& env) {
  if (program.find('/') != std::string::npos) return IsExecutable(program) ? program : "";
  auto path = env.find("PATH");
  std::string dirs = path != env.end() ? path->second : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (!dir.empty() && IsExecutable(dir + "/" + program)) return dir + "/" + program;
    start = end + 1;
  }
  return "";
}

std::string LastLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  size_t at = text.rfind('\n');
  return at == std::string::npos ? text : text.substr(at + 1);
}

}  // namespace

std::string ContainerRuntime::Describe() const {
  return fmt::format("{} ({})", kind == RuntimeKind::kDocker ? "docker" : "podman", path);
}

std::optional<ContainerRuntime> DetectContainerRuntime(const std::map<std::string, std::string>& env,
                                                       std::string* why) {
  auto chosen = env.find("SLIPWAY_CONTAINER_RUNTIME");
  if (chosen != env.end() && !chosen->second.empty()) {
    if (chosen->second == "none") {
      if (why) *why = "SLIPWAY_CONTAINER_RUNTIME=none";
      return std::nullopt;
    }
    std::string path = Find(chosen->second, env);
    if (path.empty()) {
      if (why) {
        *why = fmt::format("SLIPWAY_CONTAINER_RUNTIME=\"{}\" is not an executable", chosen->second);
      }
      return std::nullopt;
    }
    std::string base = path.substr(path.rfind('/') + 1);
    return ContainerRuntime{base.find("docker") != std::string::npos ? RuntimeKind::kDocker
                                                                     : RuntimeKind::kPodman,
                            path};
  }
  if (std::string podman = Find("podman", env); !podman.empty()) {
    return ContainerRuntime{RuntimeKind::kPodman, podman};
  }
  if (std::string docker = Find("docker", env); !docker.empty()) {
    return ContainerRuntime{RuntimeKind::kDocker, docker};
  }
  if (why) *why = "neither podman nor docker is on PATH";
  return std::nullopt;
}

RuntimeOutput RunRuntime(const ContainerRuntime& runtime, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env,
                         std::chrono::milliseconds timeout, CancelToken* cancel) {
  ProcessOptions options;
  options.argv.push_back(runtime.path);
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = env;
  options.timeout = timeout;
  options.interrupt_grace = std::chrono::seconds(2);
  options.terminate_grace = std::chrono::seconds(2);
  RuntimeOutput output;
  ProcessResult result = RunProcess(
      options,
      [&output](OutputStream stream, std::string_view chunk) {
        (stream == OutputStream::kStdout ? output.out : output.err).append(chunk);
      },
      cancel);
  output.ok = result.succeeded();
  if (!output.ok) {
    std::string said = LastLine(output.err);
    output.failure = result.end == ProcessEnd::kSpawnFailed ? result.error
                     : said.empty()                         ? Describe(result)
                                    : fmt::format("{}: {}", Describe(result), said);
  }
  return output;
}

std::string RuntimeName(const std::string& text) {
  std::string name;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    bool ok = std::isalnum(u) || ((c == '_' || c == '.' || c == '-') && !name.empty());
    name += ok ? static_cast<char>(std::tolower(u)) : '-';
  }
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) name = "x" + name;
  if (name.size() > 120) name.resize(120);
  return name;
}

}  // namespace slipway::exec
