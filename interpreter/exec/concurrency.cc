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
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "interpreter/base/ascii.h"
#include "interpreter/base/fd_io.h"
#include "interpreter/exec/audit.h"
#include "interpreter/exec/run_store.h"

namespace slipway::exec {
namespace {

nlohmann::json ReadJson(const std::string& path) {
  std::string text, error;
  if (!ReadStateFile(path, &text, &error)) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  return nlohmann::json::parse(text, nullptr, false);
}

std::string Describe(const nlohmann::json& holder) {
  std::string run = holder.is_object() ? holder.value("run_id", "?") : "?";
  std::string job = holder.is_object() ? holder.value("job", "") : "";
  return job.empty() ? "run " + run : fmt::format("job \"{}\" of run {}", job, run);
}

}  // namespace

Expected<ConcurrencyLock> ConcurrencyLock::Acquire(
    const std::string& state_dir, const std::string& group, const ConcurrencyHolder& holder,
    bool cancel_in_progress, const std::function<bool()>& interrupted,
    const std::function<void(const std::string&)>& say) {
  std::string dir = state_dir + "/concurrency";
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  // Group names are case-insensitive on GitHub ("prod and Prod will be treated as the same
  // concurrency group").
  std::string key = holder.job.empty() ? AsciiLower(group) : "job\n" + AsciiLower(group);
  std::string path = dir + "/" + Sha256Hex(key).substr(0, 32) + ".lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return MakeUnexpected(fmt::format("cannot open \"{}\": {}", path, strerror(errno)));
  bool announced = false;
  bool signalled = false;
  int unknown_polls = 0;
  // The pending slot: who waits now. Taking it replaces the waiter named there, which sees
  // the slot name someone else at its next poll and gives up.
  const std::string pending_path = path + ".pending";
  nlohmann::json me = {{"run_id", holder.run_id}, {"pid", getpid()}, {"group", group}};
  if (!holder.job.empty()) me["job"] = holder.job;
  bool pending = false;
  // Empties the slot on leaving it, unless a newer waiter holds it by then.
  auto leave_pending = [&] {
    if (!pending || ReadJson(pending_path) != me) return;
    std::error_code ignored;
    std::filesystem::remove(pending_path, ignored);
  };
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (!pending) {
      nlohmann::json previous = ReadJson(pending_path);
      Expected<bool> taken = WriteFileAtomically(pending_path, me.dump(), 0644, false);
      if (!taken) {
        close(fd);
        return MakeUnexpected(fmt::format("cannot write \"{}\": {}", pending_path, taken.error()));
      }
      pending = true;
      if (previous.is_object() && previous != me) {
        say(fmt::format("concurrency group \"{}\": {} was pending; it is cancelled and this "
                        "one waits in its place",
                        group, Describe(previous)));
      }
    } else if (ReadJson(pending_path) != me) {
      close(fd);
      say(fmt::format("concurrency group \"{}\": a newer holder is pending; cancelled (a group "
                      "has at most one pending)",
                      group));
      return MakeUnexpected(std::string(kReplaced));
    }
    // Who holds it: the holder wrote {"run_id", "job", "pid"} into the lock file.
    char buffer[1024] = {};
    ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
    nlohmann::json other =
        nlohmann::json::parse(std::string(buffer, n > 0 ? n : 0), nullptr, false);
    int pid = other.is_object() ? other.value("pid", 0) : 0;
    // The holder writes who it is just after it takes the lock: give it a moment before
    // saying "?".
    bool known = other.is_object() || ++unknown_polls > 5;
    if (known && cancel_in_progress && !signalled && pid > 0) {
      say(fmt::format("concurrency group \"{}\": cancelling {} (cancel-in-progress)", group,
                      Describe(other)));
      if (holder.job.empty()) {
        kill(pid, SIGTERM);
      } else {
        Expected<bool> requested = WriteFileAtomically(path + ".cancel", other.dump());
        if (!requested) {
          say(fmt::format("concurrency group \"{}\": cannot ask {} to cancel: {}", group,
                          Describe(other), requested.error()));
        }
      }
      signalled = true;
    } else if (known && !announced) {
      say(fmt::format("concurrency group \"{}\": waiting for {} to finish", group,
                      Describe(other)));
    }
    announced = announced || known;
    if (interrupted()) {
      leave_pending();
      close(fd);
      return MakeUnexpected(std::string("cancelled"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  leave_pending();
  std::string text = me.dump();
  if (ftruncate(fd, 0) == 0) {
    (void)pwrite(fd, text.data(), text.size(), 0);
  }
  return ConcurrencyLock(fd, path, holder);
}

bool ConcurrencyLock::CancelRequested() const {
  if (fd_ < 0 || holder_.job.empty()) return false;
  nlohmann::json request = ReadJson(path_ + ".cancel");
  return request.is_object() && request.value("run_id", "") == holder_.run_id &&
         request.value("job", "") == holder_.job;
}

ConcurrencyLock::~ConcurrencyLock() {
  if (fd_ < 0) return;
  // A request aimed at this holder is answered by its leaving; it must not stop a later one.
  if (CancelRequested()) {
    std::error_code ignored;
    std::filesystem::remove(path_ + ".cancel", ignored);
  }
  if (ftruncate(fd_, 0) != 0) {
    // Nothing to do: the lock is released by close() either way.
  }
  close(fd_);
}

}  // namespace slipway::exec
