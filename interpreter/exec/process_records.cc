// Process records (process.h: ProcessOptions::record_dir, StopRecordedGroups): which process
// groups a run has running, kept on disk so that a resume after a kill -9 of slipway can stop
// them; and whether a process group still has a live member.
#include "interpreter/exec/process_records.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "interpreter/base/fd_io.h"
#include "interpreter/exec/process.h"

namespace slipway::exec {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The start time of process `pid` (field 22 of /proc/PID/stat, clock ticks since boot); ""
// when there is no such process.
std::string StartTime(int pid) {
  int fd = open(fmt::format("/proc/{}/stat", pid).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buffer[1024];
  ssize_t n = read(fd, buffer, sizeof buffer - 1);
  close(fd);
  if (n <= 0) return "";
  std::string_view stat(buffer, static_cast<size_t>(n));
  // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
  size_t close_paren = stat.rfind(')');
  if (close_paren == std::string_view::npos) return "";
  size_t pos = close_paren + 2;
  for (int field = 3; field < 22; ++field) {
    pos = stat.find(' ', pos);
    if (pos == std::string_view::npos) return "";
    ++pos;
  }
  size_t end = stat.find(' ', pos);
  return std::string(stat.substr(pos, end == std::string_view::npos ? end : end - pos));
}

}  // namespace

bool GroupAlive(int pgid) {
  if (kill(-pgid, 0) != 0 && errno != EPERM) return false;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    // Plain read(2): a process that ends while it is read is no error (an ifstream throws).
    const std::string stat = ReadText(entry.path().string() + "/stat");
    size_t close_paren = stat.rfind(')');
    if (close_paren == std::string::npos || close_paren + 2 >= stat.size()) continue;
    char state = stat[close_paren + 2];
    int ppid = 0;
    int group = 0;
    if (std::sscanf(stat.c_str() + close_paren + 3, "%d %d", &ppid, &group) != 2) continue;
    if (group == pgid && state != 'Z' && state != 'X') return true;
  }
  return false;
}

namespace {

// Process records are reused (a new file costs an inode each time, ten times a rename on ext4
// here): a record file stays open for the run, is blanked in place when released
// (StopRecordedGroups skips blank ones), and the next process writes its fixed length over it.
constexpr size_t kRecordLength = 64;

class RecordPool {
 public:
  static RecordPool& Get() {
    static RecordPool pool;
    return pool;
  }
  // A record file of `dir` to write: a released one, or a new one; "" when none can be made.
  std::pair<std::string, int> Take(const std::string& dir) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string>& free = free_[dir];
    if (!free.empty()) {
      std::string path = std::move(free.back());
      free.pop_back();
      return {path, fds_[path]};
    }
    if (made_.insert(dir).second) mkdir(dir.c_str(), 0700);
    std::string path = fmt::format("{}/record-{}.json", dir, ++serial_);
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return {"", -1};
    fds_[path] = fd;
    return {path, fd};
  }
  // Blanks a released record for reuse; false when it could not (it is then removed).
  bool Give(const std::string& record) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto fd = fds_.find(record);
    if (fd == fds_.end()) return false;
    const std::string blank = std::string(kRecordLength - 1, ' ') + "\n";
    if (pwrite(fd->second, blank.data(), blank.size(), 0) != static_cast<ssize_t>(blank.size())) {
      close(fd->second);
      fds_.erase(fd);
      return false;
    }
    free_[std::filesystem::path(record).parent_path().string()].push_back(record);
    return true;
  }
  // Closes the released records of `dir`; their paths.
  std::vector<std::string> Drop(const std::string& dir) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> paths = std::move(free_[dir]);
    free_.erase(dir);
    for (const std::string& path : paths) {
      if (auto fd = fds_.find(path); fd != fds_.end()) {
        close(fd->second);
        fds_.erase(fd);
      }
    }
    return paths;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::string>> free_;  // released records, by directory
  std::map<std::string, int> fds_;                        // every open record, by path
  std::set<std::string> made_;                            // record directories already created
  uint64_t serial_ = 0;
};

}  // namespace

std::string WriteRecord(const std::string& dir, int pid) {
  std::string text = fmt::format("{{\"pid\":{},\"start\":\"{}\"}}", pid, StartTime(pid));
  if (text.size() < kRecordLength - 1) text.append(kRecordLength - 1 - text.size(), ' ');
  text.push_back('\n');
  auto [path, fd] = RecordPool::Get().Take(dir);
  if (fd < 0) return "";
  if (pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    RecordPool::Get().Give(path);
    return "";
  }
  return path;
}

namespace {

bool WaitGroupGone(int pgid, std::chrono::milliseconds limit) {
  auto deadline = SteadyClock::now() + limit;
  while (GroupAlive(pgid)) {
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}


}  // namespace

bool ReleaseRecord(const std::string& record) { return RecordPool::Get().Give(record); }

std::vector<std::string> StopRecordedGroups(const std::string& record_dir,
                                            std::chrono::milliseconds grace) {
  std::vector<std::string> stopped;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(record_dir, error)) {
    std::error_code ignored;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    std::string record = text.str();
    unsigned long pid_value = 0;
    char start[64] = {0};
    bool parsed =
        std::sscanf(record.c_str(), "{\"pid\":%lu,\"start\":\"%63[0-9]\"", &pid_value, start) >= 1;
    std::filesystem::remove(entry.path(), ignored);
    if (!parsed || pid_value < 2 || pid_value > 0x3fffffff) continue;
    int pid = static_cast<int>(pid_value);
    std::string now = StartTime(pid);
    // The leader alive with another start time: the pid was reused, not ours.
    if (!now.empty() && now != start) continue;
    if (!GroupAlive(pid)) continue;
    const char* how = "SIGINT";
    kill(-pid, SIGINT);
    if (!WaitGroupGone(pid, grace)) {
      how = "SIGTERM";
      kill(-pid, SIGTERM);
      if (!WaitGroupGone(pid, grace)) {
        how = "SIGKILL";
        kill(-pid, SIGKILL);
        WaitGroupGone(pid, std::chrono::milliseconds(5000));
      }
    }
    stopped.push_back(fmt::format(
        "process group {} of the run that died was still running: stopped it ({})", pid, how));
  }
  return stopped;
}

void DropReleasedRecords(const std::string& record_dir) {
  for (const std::string& path : RecordPool::Get().Drop(record_dir)) unlink(path.c_str());
}

}  // namespace slipway::exec
