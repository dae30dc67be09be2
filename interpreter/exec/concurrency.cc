#include "interpreter/exec/concurrency.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "interpreter/exec/audit.h"

namespace slipway::exec {

Expected<ConcurrencyLock> ConcurrencyLock::Acquire(
    const std::string& state_dir, const std::string& group, const std::string& run_id,
    bool cancel_in_progress, const std::function<bool()>& interrupted,
    const std::function<void(const std::string&)>& say) {
  std::string dir = state_dir + "/concurrency";
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  std::string path = dir + "/" + Sha256Hex(group).substr(0, 32) + ".lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return MakeUnexpected(fmt::format("cannot open \"{}\": {}", path, strerror(errno)));
  bool announced = false;
  bool signalled = false;
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    // Who holds it: the holder wrote {"run_id", "pid"} into the lock file.
    char buffer[512] = {};
    ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
    nlohmann::json holder =
        nlohmann::json::parse(std::string(buffer, n > 0 ? n : 0), nullptr, false);
    std::string other = holder.is_object() ? holder.value("run_id", "?") : "?";
    int pid = holder.is_object() ? holder.value("pid", 0) : 0;
    if (cancel_in_progress && !signalled && pid > 0) {
      say(fmt::format("concurrency group \"{}\": cancelling run {} (cancel-in-progress)", group,
                      other));
      kill(pid, SIGTERM);
      signalled = true;
    } else if (!announced) {
      say(fmt::format("concurrency group \"{}\": waiting for run {} to finish", group, other));
    }
    announced = true;
    if (interrupted()) {
      close(fd);
      return MakeUnexpected(std::string("cancelled"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::string me = nlohmann::json{{"run_id", run_id}, {"pid", getpid()}, {"group", group}}.dump();
  if (ftruncate(fd, 0) == 0) {
    (void)pwrite(fd, me.data(), me.size(), 0);
  }
  return ConcurrencyLock(fd);
}

ConcurrencyLock::~ConcurrencyLock() {
  if (fd_ >= 0) {
    if (ftruncate(fd_, 0) != 0) {
      // Nothing to do: the lock is released by close() either way.
    }
    close(fd_);
  }
}

}  // namespace slipway::exec
