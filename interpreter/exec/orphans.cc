#include "interpreter/exec/orphans.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "interpreter/base/fd_io.h"


namespace slipway::exec {
namespace {

constexpr std::string_view kPrefix = "slipway_";

// The parent pid and command name of `pid` from /proc/PID/stat; false when it is gone.
bool ParentOf(int pid, int* parent, std::string* name) {
  std::string stat = ReadText(fmt::format("/proc/{}/stat", pid));
  size_t open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close + 4 >= stat.size()) {
    return false;
  }
  *name = stat.substr(open + 1, close - open - 1);
  *parent = std::atoi(stat.c_str() + close + 4);  // after ") S "
  return true;
}

}  // namespace

std::string NewTrackingId() {
  std::random_device random;
  std::string id(kPrefix);
  for (int i = 0; i < 4; ++i) id += fmt::format("{:08x}", random());
  return id;
}

std::vector<std::string> StopTrackedProcesses(const std::string& tracking_id) {
  std::vector<std::string> stopped;
  const std::string needle = "RUNNER_TRACKING_ID=" + tracking_id;
  const int self = getpid();
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const int pid = std::atoi(name.c_str());
    if (pid == self) continue;
    const std::string environ = ReadText(entry.path().string() + "/environ");
    bool tracked = false;
    for (size_t start = 0; start < environ.size() && !tracked;) {
      size_t end = environ.find('\0', start);
      if (end == std::string::npos) end = environ.size();
      tracked = std::string_view(environ).substr(start, end - start) == needle;
      start = end + 1;
    }
    if (!tracked) continue;
    int parent = 0;
    std::string command;  // for the log line
    ParentOf(pid, &parent, &command);
    if (kill(pid, SIGKILL) == 0) stopped.push_back(fmt::format("pid {} ({})", pid, command));
  }
  return stopped;
}

std::string InsideAStep() {
  if (const char* id = std::getenv("RUNNER_TRACKING_ID");
      id && std::string_view(id).substr(0, kPrefix.size()) == kPrefix) {
    return "it runs inside a step of a slipway run (RUNNER_TRACKING_ID is a slipway job's)";
  }
  int pid = getppid();
  for (int depth = 0; pid > 1 && depth < 64; ++depth) {
    int parent = 0;
    std::string command;
    if (!ParentOf(pid, &parent, &command)) break;
    if (command == "slipway" || command == "slipway-full") {
      return fmt::format("it runs under slipway process {} (a step of a run)", pid);
    }
    pid = parent;
  }
  return "";
}

}  // namespace slipway::exec
