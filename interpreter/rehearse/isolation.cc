#include "interpreter/rehearse/isolation.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <vector>

#include "interpreter/base/fd_io.h"
#include "interpreter/rehearse/command_stubs.h"

namespace slipway::rehearse {
namespace {

namespace fs = std::filesystem;

bool WriteProcFile(const char* path, const std::string& text) {
  const int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = WriteAll(fd, text);
  close(fd);
  return ok;
}

// New mount and network namespaces; a user namespace too when the process may not create them
// by itself (not root), mapping the user to itself so files keep their owner.
bool EnterNamespaces(std::string* problem) {
  const uid_t uid = geteuid();
  const gid_t gid = getegid();
  if (unshare(CLONE_NEWNS | CLONE_NEWNET) == 0) return true;
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) != 0) {
    *problem = fmt::format("cannot create namespaces (unshare: {})", std::strerror(errno));
    return false;
  }
  // slipway is not dumpable (process.h), which makes its /proc files root's: the maps can be
  // written only while it is. Nothing secret is loaded yet.
  const int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
  prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  const bool mapped =
      WriteProcFile("/proc/self/setgroups", "deny") &&
      WriteProcFile("/proc/self/uid_map", fmt::format("{} {} 1\n", uid, uid)) &&
      WriteProcFile("/proc/self/gid_map", fmt::format("{} {} 1\n", gid, gid));
  const int saved = errno;
  prctl(PR_SET_DUMPABLE, dumpable > 0 ? dumpable : 0, 0, 0, 0);
  // In the new namespaces all the same: the network is closed whatever follows.
  if (!mapped) {
    *problem = fmt::format("cannot map the user into its namespace: {}", std::strerror(saved));
  }
  return true;
}

// The new network namespace has a loopback interface, down: the stubs listen on it.
bool LoopbackUp(std::string* problem) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &request) == 0;
  if (ok) {
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP | IFF_RUNNING);
    ok = ioctl(fd, SIOCSIFFLAGS, &request) == 0;
  }
  if (!ok) *problem = fmt::format("cannot bring up loopback: {}", std::strerror(errno));
  if (fd >= 0) close(fd);
  return ok;
}

bool WriteExecutable(const fs::path& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  if (fd < 0) return false;
  const bool ok = WriteAll(fd, text) && fchmod(fd, 0755) == 0;
  close(fd);
  return ok;
}

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Covers every stubbed program in PATH's directories with a dispatcher; false with `problem`.
bool CoverPrograms(const std::set<std::string>& programs, const std::string& path_env,
                   const fs::path& scratch, std::string* problem) {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    *problem = fmt::format("cannot make the mounts private: {}", std::strerror(errno));
    return false;
  }
  const fs::path real_dir = scratch / "real";
  std::error_code ec;
  fs::remove_all(scratch, ec);
  fs::create_directories(real_dir, ec);
  if (ec) {
    *problem = fmt::format("cannot create \"{}\": {}", real_dir.string(), ec.message());
    return false;
  }
  // program -> the file a PATH lookup finds first; file -> the program named for it.
  std::map<std::string, fs::path> first_found;
  std::map<fs::path, std::string> covered;
  size_t start = 0;
  while (start <= path_env.size()) {
    const size_t end = path_env.find(':', start);
    const std::string dir = path_env.substr(start, end == std::string::npos ? end : end - start);
    start = end == std::string::npos ? path_env.size() + 1 : end + 1;
    if (dir.empty() || dir[0] != '/') continue;
    for (const std::string& program : programs) {
      // Interpreters find their libraries from their own path, which a dispatcher would move;
      // one called by its path runs a script, and the network is closed all the same.
      if (program == "python" || program == "python3" || program == "node") continue;
      const fs::path candidate = fs::path(dir) / program;
      struct stat info;
      if (stat(candidate.c_str(), &info) != 0 || !S_ISREG(info.st_mode) ||
          access(candidate.c_str(), X_OK) != 0) {
        continue;
      }
      const fs::path file = fs::canonical(candidate, ec);
      if (ec) continue;
      first_found.emplace(program, file);
      covered.emplace(file, program);
    }
  }
  for (const auto& [program, file] : first_found) {
    const fs::path target = real_dir / program;
    if (!WriteExecutable(target, "") ||
        mount(file.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      *problem = fmt::format("cannot keep \"{}\" reachable: {}", file.string(),
                             std::strerror(errno));
      return false;
    }
  }
  size_t index = 0;
  for (const auto& [file, program] : covered) {
    const fs::path dispatcher = scratch / fmt::format("dispatch-{}", index++);
    const std::string shim = fmt::format("${{{}}}/{}", kStubBinEnv, program);
    const std::string text = fmt::format(
        "#!/bin/sh\n"
        "# slipway test: {} called by its path. From a step: the scenario's stub; from slipway\n"
        "# itself: the real program.\n"
        "if [ -n \"${{{}:-}}\" ] && [ -x \"{}\" ]; then exec \"{}\" \"$@\"; fi\n"
        "exec {} \"$@\"\n",
        program, kStubBinEnv, shim, shim, ShellQuote((real_dir / program).string()));
    if (!WriteExecutable(dispatcher, text) ||
        mount(dispatcher.c_str(), file.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      *problem = fmt::format("cannot cover \"{}\": {}", file.string(), std::strerror(errno));
      return false;
    }
  }
  return true;
}

}  // namespace

Isolation IsolateRehearsals(const std::set<std::string>& programs, const std::string& path_env,
                            const std::string& scratch_dir) {
  Isolation isolation;
  if (!EnterNamespaces(&isolation.problem)) return isolation;
  isolation.network = true;  // a new network namespace: nothing outside it is reachable
  if (!isolation.problem.empty()) return isolation;
  if (!LoopbackUp(&isolation.problem)) return isolation;
  std::string problem;
  const fs::path scratch = fs::absolute(scratch_dir);
  isolation.programs = CoverPrograms(programs, path_env, scratch, &problem);
  if (isolation.programs) {
    isolation.real_programs = (scratch / "real").string();
  } else if (isolation.problem.empty()) {
    isolation.problem = problem;
  }
  return isolation;
}

}  // namespace slipway::rehearse
