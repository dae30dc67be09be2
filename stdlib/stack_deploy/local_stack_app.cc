#include "stdlib/stack_deploy/local_stack_app.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "stdlib/files.h"
#include "stdlib/http_client.h"
#include "stdlib/input_reader.h"
#include "stdlib/text_util.h"

namespace slipway::stdlib::stack_deploy {
namespace fs = std::filesystem;
namespace {

bool ProcessHasMarker(int pid, const std::string& marker) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  if (!in) return false;
  std::string environ((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string needle = marker;
  needle.push_back('\0');
  return environ.find(needle) != std::string::npos ||
         (environ.size() >= marker.size() &&
          environ.compare(environ.size() - marker.size(), marker.size(), marker) == 0);
}

bool IsIdentifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

bool ProcessAlive(int pid) {
  std::string stat, error;
  if (!ReadFileText("/proc/" + std::to_string(pid) + "/stat", &stat, &error)) return false;
  size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z' &&
         stat[close + 2] != 'X';
}

std::string AppMarker(const fs::path& stack_dir) {
  return "SLIPWAY_STACK_ID=" + Sha256Hex(fs::absolute(stack_dir).string()).substr(0, 16);
}

int RunningPid(const fs::path& pid_file, const std::string& marker) {
  std::string text, error;
  if (!ReadFileText(pid_file, &text, &error)) return 0;
  int pid = std::atoi(text.c_str());
  return pid > 1 && ProcessAlive(pid) && ProcessHasMarker(pid, marker) ? pid : 0;
}

void StopProcess(const fs::path& pid_file, const std::string& marker,
                 step_api::StepContext& context) {
  int pid = RunningPid(pid_file, marker);
  std::error_code ec;
  fs::remove(pid_file, ec);
  if (pid == 0) return;
  context.Log("stopping " + pid_file.stem().string() + " (pid " + std::to_string(pid) + ")");
  ::kill(-pid, SIGTERM);
  for (int i = 0; i < 20 && ProcessAlive(pid) && ProcessHasMarker(pid, marker); ++i) {
    if (!context.Sleep(std::chrono::milliseconds(100))) break;
  }
  if (ProcessAlive(pid) && ProcessHasMarker(pid, marker)) ::kill(-pid, SIGKILL);
}

std::string StartDetached(const std::string& command,
                          const std::map<std::string, std::string>& env, const fs::path& pid_file,
                          const fs::path& log_file, step_api::StepContext& context, int* pid) {
  // What the process prints (an app logging its connection string) may carry a secret: its
  // log is the owner's only, as step logs are, before the shell's `>` reuses it. A log that an
  // older slipway created 0644 is narrowed; a symbolic link in its place is refused.
  int log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                      S_IRUSR | S_IWUSR);
  if (log_fd < 0 || ::fchmod(log_fd, S_IRUSR | S_IWUSR) != 0) {
    std::string reason = std::strerror(errno);
    if (log_fd >= 0) ::close(log_fd);
    return "could not create the log \"" + log_file.string() + "\": " + reason;
  }
  ::close(log_fd);
  std::string script = "cd " + ShellQuote(context.workspace()) + " || exit 1\n";
  for (const auto& [name, value] : env) {
    if (IsIdentifier(name)) script += "export " + name + "=" + ShellQuote(value) + "\n";
  }
  // The command's process group is killed when this script ends (exec cleans up after every
  // command), so return only once the process leads its own session: setsid makes the
  // background child a session leader, whose session id in /proc/PID/stat (field 6) is its pid.
  // Its output goes through the run's masker (`slipway __mask-log`, which outlives the run as
  // the process does) when the run has secrets: "Masked everywhere slipway writes".
  step_api::StepContext::MaskingLog masking = context.MaskingLogCommand(log_file.string());
  if (masking.command.empty()) {
    script += "setsid bash -c " + ShellQuote(command) + " > " + ShellQuote(log_file.string()) +
              " 2>&1 < /dev/null &\n";
  } else {
    script += "setsid bash -c " +
              ShellQuote("bash -c " + ShellQuote(command) + " 2>&1 < /dev/null | " +
                         masking.command) +
              " > /dev/null 2>&1 < /dev/null &\n";
  }
  script += "pid=$!\n"
            "for _ in $(seq 500); do\n"
            "  [ \"$(awk '{print $6}' /proc/$pid/stat 2>/dev/null)\" = \"$pid\" ] && break\n"
            "  sleep 0.01\n"
            "done\n";
  if (!masking.pending_file.empty()) {
    // The masker reads its patterns at start and removes them; none stay behind.
    std::string pending = ShellQuote(masking.pending_file);
    script += "for _ in $(seq 500); do [ -e " + pending + " ] || break; sleep 0.01; done\n"
              "rm -f " + pending + "\n";
  }
  script += "echo \"$pid\"\n";
  std::string output;
  int code = context.RunCommandQuietly(script, &output);
  *pid = std::atoi(output.c_str());
  if (code != 0 || *pid <= 1) return "could not start \"" + command + "\": " + output;
  // What a local stack runs is the deployment, not a leftover of the step: it outlives the
  // run's clean-up of orphan processes (exec/orphans.h). Until now it carried the job's
  // RUNNER_TRACKING_ID, which kept it from the clean-up of another job ending meanwhile.
  context.KeepRunning(*pid);
  std::string error;
  if (!WriteFileAtomic(pid_file, std::to_string(*pid) + "\n", &error)) {
    ::kill(-*pid, SIGTERM);
    return "could not record the pid of \"" + command + "\": " + error;
  }
  return "";
}

std::string WaitHealthy(const std::string& url, int pid, std::chrono::milliseconds timeout,
                        const fs::path& log_file, step_api::StepContext& context) {
  constexpr int64_t kPollMs = 200;
  // Real time: the process is real, whatever clock the run uses.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (!ProcessAlive(pid)) return "exited during start-up (see " + log_file.string() + ")";
    HttpRequest probe;
    probe.url = url;
    probe.timeout = std::chrono::milliseconds(1000);
    HttpResponse response = SendHttp(probe);
    if (response.received() && response.status >= 200 && response.status < 300) return "";
    if (std::chrono::steady_clock::now() >= deadline) break;
    if (!context.Sleep(std::chrono::milliseconds(kPollMs))) return "cancelled";
  }
  return "did not become healthy at " + url + " within " + FormatDuration(timeout);
}

bool PortFree(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int one = 1;
  // As a server binds: connections in TIME_WAIT do not make the port busy.
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return free;
}

}  // namespace slipway::stdlib::stack_deploy
