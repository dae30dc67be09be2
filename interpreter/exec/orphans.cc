#include "interpreter/exec/orphans.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "interpreter/base/fd_io.h"
#include "interpreter/exec/process.h"

namespace slipway::exec {
namespace {

constexpr std::string_view kPrefix = "slipway_";

// The RLIMIT_LOCKS hard limit a run process gives itself and so every process it starts. Linux
// has not enforced the limit since 2.4.25, so the value changes nothing but the mark; without
// CAP_SYS_RESOURCE (in the initial user namespace: a new user namespace does not give it) a
// process can lower a hard limit, never raise it, so the mark survives env -u, setsid, a new
// session, pid or user namespace.
constexpr rlim_t kRunMark = 0x51ab0000;

// The names a process that runs jobs gives itself (BecomeRunProcess), and the names of the
// executables ("slipway" is the front end, which execs "slipway-full" for most commands).
constexpr std::string_view kSlipwayNames[] = {"slipway-run", "slipway-worker", "slipway-test",
                                              "slipway", "slipway-full"};

// What /proc/PID/stat says of a process.
struct ProcStat {
  int pid = 0;
  int parent = 0;
  int group = 0;
  int session = 0;
  char state = '?';
  std::string name;
};

// Reads /proc/PID/stat; false when the process is gone.
bool ReadStat(int pid, ProcStat* out) {
  std::string stat = ReadText(fmt::format("/proc/{}/stat", pid));
  size_t open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close + 4 >= stat.size()) {
    return false;
  }
  out->pid = pid;
  out->name = stat.substr(open + 1, close - open - 1);
  out->state = stat[close + 2];
  // After ") S ": ppid pgrp session.
  const char* cursor = stat.c_str() + close + 4;
  char* end = nullptr;
  out->parent = static_cast<int>(std::strtol(cursor, &end, 10));
  out->group = static_cast<int>(std::strtol(end, &end, 10));
  out->session = static_cast<int>(std::strtol(end, &end, 10));
  return true;
}

// Every process /proc shows, by pid.
std::map<int, ProcStat> ProcessTable() {
  std::map<int, ProcStat> table;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    ProcStat stat;
    if (ReadStat(std::atoi(name.c_str()), &stat)) table.emplace(stat.pid, std::move(stat));
  }
  return table;
}

// The value of RUNNER_TRACKING_ID in the environment of `pid`; "" when none or unreadable.
std::string TrackingIdOf(int pid) {
  const std::string environ = ReadText(fmt::format("/proc/{}/environ", pid));
  constexpr std::string_view kName = "RUNNER_TRACKING_ID=";
  for (size_t start = 0; start < environ.size();) {
    size_t end = environ.find('\0', start);
    if (end == std::string::npos) end = environ.size();
    std::string_view entry = std::string_view(environ).substr(start, end - start);
    if (entry.substr(0, kName.size()) == kName) return std::string(entry.substr(kName.size()));
    start = end + 1;
  }
  return "";
}

// The jobs running in this process and the processes kept past the run. Process-wide like the
// process tree they describe: a worker runs the jobs of several runs at once.
struct Registry {
  std::mutex mutex;
  std::multiset<std::string> running;
  std::set<int> kept;
};

Registry& Jobs() {
  static Registry registry;
  return registry;
}

// True when `pid` or one of its ancestors (below this process) was kept (KeepRunning).
bool Kept(const std::map<int, ProcStat>& table, const std::set<int>& kept, int pid) {
  const int self = getpid();
  for (int depth = 0; pid > 1 && pid != self && depth < 4096; ++depth) {
    if (kept.count(pid)) return true;
    auto it = table.find(pid);
    if (it == table.end()) return false;
    if (kept.count(it->second.session)) return true;
    pid = it->second.parent;
  }
  return false;
}

// True when `pid` runs a daemon of the container runtime, which the runtime detaches and so
// this process adopts: podman's conmon (the parent of a container's processes), its DNS
// (aardvark-dns, CNI's dnsmasq) and network helpers, the rootless pause process. Only a binary
// owned by root counts, one a step of an unprivileged run cannot have put there.
bool IsRuntimeDaemon(int pid) {
  char target[4096];
  ssize_t n = readlink(fmt::format("/proc/{}/exe", pid).c_str(), target, sizeof target - 1);
  if (n <= 0) return false;
  target[n] = '\0';
  std::string_view path(target);
  std::string_view base = path.substr(path.rfind('/') + 1);
  static constexpr std::string_view kDaemons[] = {
      "conmon",         "aardvark-dns", "dnsmasq",      "netavark",       "slirp4netns", "pasta",
      "pasta.avx2",     "catatonit",    "podman",       "rootlessport",   "fuse-overlayfs"};
  if (std::find(std::begin(kDaemons), std::end(kDaemons), base) == std::end(kDaemons)) {
    return false;
  }
  struct stat info {};
  return stat(target, &info) == 0 && info.st_uid == 0;
}

// True when `pid` or an ancestor of it (below this process) is a container runtime's daemon.
bool UnderRuntimeDaemon(const std::map<int, ProcStat>& table, int pid) {
  const int self = getpid();
  for (int depth = 0; pid > 1 && pid != self && depth < 4096; ++depth) {
    if (IsRuntimeDaemon(pid)) return true;
    auto it = table.find(pid);
    if (it == table.end()) return false;
    pid = it->second.parent;
  }
  return false;
}

bool IsSubreaper() {
  int subreaper = 0;
  return prctl(PR_GET_CHILD_SUBREAPER, &subreaper, 0, 0, 0) == 0 && subreaper != 0;
}

}  // namespace

std::string NewTrackingId() {
  std::random_device random;
  std::string id(kPrefix);
  for (int i = 0; i < 4; ++i) id += fmt::format("{:08x}", random());
  return id;
}

void BecomeRunProcess(const char* name) {
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  prctl(PR_SET_NAME, name, 0, 0, 0);
  rlimit mark{};
  if (getrlimit(RLIMIT_LOCKS, &mark) == 0 && mark.rlim_max > kRunMark) {
    mark.rlim_cur = kRunMark;
    mark.rlim_max = kRunMark;
    setrlimit(RLIMIT_LOCKS, &mark);
  }
}

std::string InsideARun() {
  if (const char* id = std::getenv("RUNNER_TRACKING_ID");
      id && std::string_view(id).substr(0, kPrefix.size()) == kPrefix) {
    return "it runs inside a step of a slipway run (RUNNER_TRACKING_ID is a slipway job's)";
  }
  // Under a run's subreaper nothing a step starts leaves the run's tree, so the walk up meets
  // the run process however the caller was detached; and the caller cannot rename it.
  int pid = getppid();
  for (int depth = 0; pid > 1 && depth < 4096; ++depth) {
    ProcStat stat;
    if (!ReadStat(pid, &stat)) break;
    for (std::string_view name : kSlipwayNames) {
      if (stat.name == name) {
        return fmt::format("it runs under slipway process {} (\"{}\": a step of a run)", pid,
                           stat.name);
      }
    }
    pid = stat.parent;
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_LOCKS, &limit) == 0 && limit.rlim_max <= kRunMark) {
    return fmt::format(
        "it was started by a slipway run: its RLIMIT_LOCKS hard limit is {} (`ulimit -Hx`), the "
        "mark a run gives every process it starts, which no process can take back",
        static_cast<unsigned long long>(limit.rlim_max));
  }
  return "";
}

RunningJob::RunningJob(std::string tracking_id) : tracking_id_(std::move(tracking_id)) {
  std::lock_guard lock(Jobs().mutex);
  Jobs().running.insert(tracking_id_);
}

RunningJob::~RunningJob() {
  std::lock_guard lock(Jobs().mutex);
  auto it = Jobs().running.find(tracking_id_);
  if (it != Jobs().running.end()) Jobs().running.erase(it);
}

void KeepRunning(int pid) {
  std::lock_guard lock(Jobs().mutex);
  Jobs().kept.insert(pid);
}

std::vector<std::string> StopTrackedProcesses(const std::string& tracking_id) {
  std::vector<std::string> stopped;
  std::vector<int> killed;
  const int self = getpid();
  std::set<int> kept;
  {
    std::lock_guard lock(Jobs().mutex);
    kept = Jobs().kept;
  }
  const std::map<int, ProcStat> table = ProcessTable();
  for (const auto& [pid, stat] : table) {
    if (pid == self || stat.state == 'Z' || TrackingIdOf(pid) != tracking_id) continue;
    if (Kept(table, kept, pid)) continue;
    if (kill(pid, SIGKILL) == 0) {
      stopped.push_back(fmt::format("pid {} ({})", pid, stat.name));
      killed.push_back(pid);
    }
  }
  // Until they are dead (zombies at most), so that StopOrphans does not find them again.
  for (int pid : killed) {
    ProcStat stat;
    for (int i = 0; i < 200 && ReadStat(pid, &stat) && stat.state != 'Z'; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  return stopped;
}

std::vector<std::string> StopOrphans() {
  std::vector<std::string> stopped;
  // Elsewhere orphans go to init (or another subreaper): nothing here tells them apart from
  // the caller's own children (a test's helpers).
  if (!IsSubreaper()) return stopped;
  const int self = getpid();
  const int own_session = getsid(0);
  std::set<int> seen;
  // Each pass stops what it finds; what those started meanwhile is found by the next pass.
  for (int pass = 0; pass < 200; ++pass) {
    std::vector<int> victims;
    std::vector<int> zombies;  // this process's children that are done: reaped
    std::set<std::string> running;
    std::set<int> kept;
    {
      std::lock_guard lock(Jobs().mutex);
      running.insert(Jobs().running.begin(), Jobs().running.end());
      kept = Jobs().kept;
    }
    WithHeldProcessGroups([&](const std::vector<int>& held_list) {
      const std::set<int> held(held_list.begin(), held_list.end());
      const std::map<int, ProcStat> table = ProcessTable();
      for (const auto& [pid, stat] : table) {
        if (pid == self) continue;
        // The child of this process the process descends from; 0 when not a descendant.
        int top = 0;
        for (int at = pid, depth = 0; at > 1 && depth < 4096; ++depth) {
          auto it = table.find(at);
          if (it == table.end()) break;
          if (it->second.parent == self) {
            top = at;
            break;
          }
          at = it->second.parent;
        }
        if (top == 0) continue;
        if (held.count(top) || held.count(stat.group)) continue;  // a step still running
        auto top_stat = table.find(top);
        if (top_stat == table.end() || top_stat->second.session == own_session) continue;
        if (stat.state == 'Z') {
          if (stat.parent == self) zombies.push_back(pid);
          continue;
        }
        if (Kept(table, kept, pid)) continue;
        if (running.count(TrackingIdOf(pid))) continue;
        if (UnderRuntimeDaemon(table, pid)) continue;
        if (kill(pid, SIGKILL) == 0) {
          victims.push_back(pid);
          if (seen.insert(pid).second) {
            stopped.push_back(fmt::format("pid {} ({})", pid, stat.name));
          }
        }
      }
    });
    for (int pid : zombies) waitpid(pid, nullptr, WNOHANG);
    if (victims.empty()) break;
    // Let them die, then reap those that are this process's children.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (int pid : victims) waitpid(pid, nullptr, WNOHANG);
  }
  return stopped;
}

}  // namespace slipway::exec
