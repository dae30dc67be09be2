// POSIX implementation of process.h: vfork+execve into a new process group, pipes for output,
// a pidfd so one poll() waits for output, exit, timeout and escalation deadlines together.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

#include "interpreter/exec/process.h"
#include "interpreter/exec/process_records.h"

extern char** environ;

namespace slipway::exec {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How often Wait() looks at the cancel token when nothing else wakes it.
constexpr std::chrono::milliseconds kCancelPollInterval{25};

int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

void CloseFd(int& fd) {
  if (fd >= 0) {
    close(fd);
    fd = -1;
  }
}

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// Finds `program` in PATH as the child will see it; "" when not found.
std::string ResolveProgram(const std::string& program,
                           const std::map<std::string, std::string>& env) {
  if (program.find('/') != std::string::npos) return program;
  std::string path;
  if (auto it = env.find("PATH"); it != env.end()) {
    path = it->second;
  } else if (const char* own = getenv("PATH")) {
    path = own;
  } else {
    path = "/usr/local/bin:/usr/bin:/bin";
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + program;
    if (IsExecutableFile(candidate)) return candidate;
    start = end + 1;
  }
  return "";
}

// Everything the child needs between vfork() and execve(), prepared by the parent: the child
// shares the parent's memory and may only make async-signal-safe calls (no allocation).
struct ChildSetup {
  const char* path = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* working_directory = nullptr;  // nullptr: the parent's
  int stdout_fd = -1;
  int stderr_fd = -1;
  volatile int exec_errno = 0;  // set by the child when it cannot exec; seen after vfork returns
};

// The child side of Spawn: a session of its own (so a process group of its own, pgid == pid,
// and no controlling terminal: it cannot open /dev/tty and type into slipway's approval prompt
// with TIOCSTI or read what the user types there), stdin from /dev/null, stdout/stderr to the
// pipes, default signal dispositions and an empty mask whatever slipway uses. Never returns.
[[noreturn]] void ExecChild(ChildSetup* setup) {
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction current {};
    if (sigaction(sig, nullptr, &current) != 0) continue;
    bool handled = (current.sa_flags & SA_SIGINFO) != 0 || current.sa_handler != SIG_DFL;
    bool ignored = (current.sa_flags & SA_SIGINFO) == 0 && current.sa_handler == SIG_IGN;
    bool reset = sig == SIGPIPE || sig == SIGHUP || sig == SIGQUIT || sig == SIGINT ||
                 sig == SIGTERM || sig == SIGUSR1 || sig == SIGUSR2 || sig == SIGCHLD;
    if ((handled && !ignored) || reset) {
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      sigemptyset(&dfl.sa_mask);
      sigaction(sig, &dfl, nullptr);
    }
  }
  int null_fd = -1;
  bool ok = setsid() >= 0 && dup2(setup->stdout_fd, 1) == 1 && dup2(setup->stderr_fd, 2) == 2 &&
            (null_fd = open("/dev/null", O_RDONLY)) >= 0 && dup2(null_fd, 0) == 0 &&
            (setup->working_directory == nullptr || chdir(setup->working_directory) == 0);
  if (ok) {
    if (null_fd > 2) close(null_fd);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(setup->path, setup->argv, setup->envp);
  }
  setup->exec_errno = errno == 0 ? EINVAL : errno;
  _exit(127);
}

// A pipe whose two descriptors are above stdin/stdout/stderr, so the child's dup2() onto 0-2
// never overwrites one of them (slipway may have been started with a standard stream closed).
bool MakePipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  for (int i = 0; i < 2; ++i) {
    if (fds[i] > 2) continue;
    int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
    int saved = errno;
    close(fds[i]);
    if (moved < 0) {
      close(fds[1 - i]);
      errno = saved;
      return false;
    }
    fds[i] = moved;
  }
  return true;
}

ProcessResult FromStatus(int status) {
  ProcessResult result;
  if (WIFEXITED(status)) {
    result.end = ProcessEnd::kExited;
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.end = ProcessEnd::kSignaled;
    result.signal = WTERMSIG(status);
  }
  return result;
}

// The children ChildProcess holds. Process-wide like the process tree it describes: StopOrphans
// must know every group a step of any job (or run, in a worker) still runs in.
struct HeldGroups {
  std::mutex mutex;
  std::vector<int> pids;
};

HeldGroups& Held() {
  static HeldGroups held;
  return held;
}

}  // namespace

void WithHeldProcessGroups(const std::function<void(const std::vector<int>&)>& body) {
  std::lock_guard lock(Held().mutex);
  body(Held().pids);
}

Expected<ChildProcess> ChildProcess::Spawn(const ProcessOptions& options) {
  if (options.argv.empty()) return MakeUnexpected(std::string("cannot run an empty command"));
  const std::string& program = options.argv[0];
  std::string resolved = ResolveProgram(program, options.env);
  if (resolved.empty()) {
    return MakeUnexpected(fmt::format("cannot run \"{}\": not found in PATH", program));
  }
  if (!options.working_directory.empty()) {
    struct stat st {};
    if (stat(options.working_directory.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return MakeUnexpected(
          fmt::format("working directory \"{}\" does not exist", options.working_directory));
    }
  }

  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  if (!MakePipe(out)) {
    return MakeUnexpected(fmt::format("cannot create a pipe: {}", strerror(errno)));
  }
  if (!MakePipe(err)) {
    int saved = errno;
    close(out[0]);
    close(out[1]);
    return MakeUnexpected(fmt::format("cannot create a pipe: {}", strerror(saved)));
  }

  std::vector<char*> argv;
  argv.reserve(options.argv.size() + 1);
  for (const std::string& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  // The environment as one buffer of NUL-terminated KEY=VALUE entries (one allocation).
  size_t env_bytes = 0;
  for (const auto& [key, value] : options.env) env_bytes += key.size() + value.size() + 2;
  std::string env_storage;
  env_storage.reserve(env_bytes);
  std::vector<size_t> env_offsets;
  env_offsets.reserve(options.env.size());
  for (const auto& [key, value] : options.env) {
    env_offsets.push_back(env_storage.size());
    env_storage.append(key).append(1, '=').append(value).append(1, '\0');
  }
  std::vector<char*> envp;
  envp.reserve(env_offsets.size() + 1);
  for (size_t offset : env_offsets) envp.push_back(env_storage.data() + offset);
  envp.push_back(nullptr);

  ChildSetup setup;
  setup.path = resolved.c_str();
  setup.argv = argv.data();
  setup.envp = envp.data();
  if (!options.working_directory.empty()) setup.working_directory = options.working_directory.c_str();
  setup.stdout_fd = out[1];
  setup.stderr_fd = err[1];
  // vfork() rather than posix_spawn(): glibc's posix_spawn maps a fresh stack for every child
  // and unmaps it after, and with slipway's other threads on other CPUs each unmap is a TLB
  // shootdown (an interrupt to every CPU the process ran on) - a tenth of a step's cost. Every
  // signal is blocked across the vfork so no handler runs in the child on the shared memory.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  // Held from before the child exists until it is listed, so StopOrphans never takes it for a
  // process a step left behind.
  std::unique_lock held(Held().mutex);
  pid_t pid = vfork();
  if (pid == 0) ExecChild(&setup);
  int spawn_errno = pid < 0 ? errno : setup.exec_errno;
  if (pid > 0 && spawn_errno == 0) Held().pids.push_back(pid);
  held.unlock();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  close(out[1]);
  close(err[1]);
  if (pid > 0 && spawn_errno != 0) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (spawn_errno != 0) {
    close(out[0]);
    close(err[0]);
    return MakeUnexpected(fmt::format("cannot run \"{}\": {}", program, strerror(spawn_errno)));
  }
  ChildProcess child;
  child.pid_ = pid;
  child.pidfd_ = PidfdOpen(pid);  // -1 on old kernels: Wait() then polls waitpid
  child.stdout_fd_ = out[0];
  child.stderr_fd_ = err[0];
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  fcntl(err[0], F_SETFL, O_NONBLOCK);
  if (!options.record_dir.empty()) {
    // Written after the spawn (the pid is needed), before any output is read: a kill -9 of
    // slipway from here on leaves a record a resume can act on.
    child.record_ = WriteRecord(options.record_dir, pid);
  }
  child.timeout_ = options.timeout;
  child.interrupt_grace_ = options.interrupt_grace;
  child.terminate_grace_ = options.terminate_grace;
  child.output_grace_ = options.output_grace;
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept { *this = std::move(other); }

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    Release();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
    stdout_fd_ = std::exchange(other.stdout_fd_, -1);
    stderr_fd_ = std::exchange(other.stderr_fd_, -1);
    reaped_ = std::exchange(other.reaped_, false);
    group_gone_ = std::exchange(other.group_gone_, false);
    record_ = std::exchange(other.record_, std::string());
    timeout_ = other.timeout_;
    interrupt_grace_ = other.interrupt_grace_;
    terminate_grace_ = other.terminate_grace_;
    output_grace_ = other.output_grace_;
  }
  return *this;
}

ChildProcess::~ChildProcess() { Release(); }

void ChildProcess::Release() {
  if (pid_ > 0) {
    if (!group_gone_) kill(-pid_, SIGKILL);
    if (!reaped_) {
      int status = 0;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    std::lock_guard lock(Held().mutex);
    std::vector<int>& pids = Held().pids;
    pids.erase(std::remove(pids.begin(), pids.end(), pid_), pids.end());
  }
  if (!record_.empty()) {
    if (!ReleaseRecord(record_)) unlink(record_.c_str());
    record_.clear();
  }
  pid_ = -1;
  reaped_ = false;
  group_gone_ = false;
  CloseFd(pidfd_);
  CloseFd(stdout_fd_);
  CloseFd(stderr_fd_);
}

bool ChildProcess::GroupAlive() {
  if (pid_ <= 0 || group_gone_) return false;
  const bool alive = slipway::exec::GroupAlive(pid_);
  // With the leader reaped, an empty group's number is free for the system to hand out again:
  // no signal may be sent to it any more.
  group_gone_ = !alive && reaped_;
  return alive;
}

void ChildProcess::SignalGroup(int signal) const {
  if (pid_ > 0) kill(-pid_, signal);
}

ProcessResult ChildProcess::Wait(const OutputCallback& on_output, CancelToken* cancel) {
  SLIPWAY_CHECK(pid_ > 0 && !reaped_) << "ChildProcess::Wait on a finished child";
  const auto start = SteadyClock::now();
  const auto no_deadline = SteadyClock::time_point::max();
  const auto timeout_at = timeout_.count() > 0 ? start + timeout_ : no_deadline;

  enum class Stop { kNone, kTimeout, kCancel };
  Stop stop = Stop::kNone;
  int signals_sent = 0;  // 0: none, 1: SIGINT, 2: SIGTERM, 3: SIGKILL
  auto next_escalation = no_deadline;

  auto escalate = [&](SteadyClock::time_point now) {
    static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGKILL};
    if (signals_sent >= 3) return;
    SignalGroup(kSignals[signals_sent]);
    ++signals_sent;
    next_escalation = signals_sent == 1   ? now + interrupt_grace_
                      : signals_sent == 2 ? now + terminate_grace_
                                          : no_deadline;
  };

  char buffer[65536];
  auto drain = [&](int& fd, OutputStream stream) {
    while (fd >= 0) {
      ssize_t n = read(fd, buffer, sizeof buffer);
      if (n > 0) {
        if (on_output) on_output(stream, std::string_view(buffer, static_cast<size_t>(n)));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      CloseFd(fd);  // EOF or a read error
    }
  };

  int status = 0;
  bool exited = false;
  while (!exited) {
    auto now = SteadyClock::now();
    if (stop == Stop::kNone) {
      if (cancel && cancel->is_cancelled()) {
        stop = Stop::kCancel;
        escalate(now);
      } else if (now >= timeout_at) {
        stop = Stop::kTimeout;
        escalate(now);
      }
    } else if (now >= next_escalation) {
      escalate(now);
    }

    auto wake = std::min(stop == Stop::kNone ? timeout_at : next_escalation, no_deadline);
    if (cancel && stop == Stop::kNone) wake = std::min(wake, now + kCancelPollInterval);
    if (pidfd_ < 0) wake = std::min(wake, now + std::chrono::milliseconds(5));
    int wait_ms = -1;
    if (wake != no_deadline) {
      auto ms = std::chrono::ceil<std::chrono::milliseconds>(wake - now).count();
      wait_ms = static_cast<int>(std::clamp<int64_t>(ms, 0, 60'000));
    }

    pollfd fds[3];
    int count = 0;
    if (stdout_fd_ >= 0) fds[count++] = {stdout_fd_, POLLIN, 0};
    if (stderr_fd_ >= 0) fds[count++] = {stderr_fd_, POLLIN, 0};
    if (pidfd_ >= 0) fds[count++] = {pidfd_, POLLIN, 0};
    int ready = count > 0 ? poll(fds, count, wait_ms) : 0;
    if (count == 0 && wait_ms != 0) {
      // No pidfd and both pipes closed: sleep a slice before asking waitpid again.
      usleep(static_cast<useconds_t>(std::min(wait_ms < 0 ? 5 : wait_ms, 5) * 1000));
    }
    if (ready < 0 && errno != EINTR) break;
    drain(stdout_fd_, OutputStream::kStdout);
    drain(stderr_fd_, OutputStream::kStderr);

    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) exited = true;
  }
  reaped_ = true;
  // Whatever the child wrote before exiting is in the pipes now. Background processes that
  // still hold them are read for output_grace_ more (not after a timeout or a cancellation).
  const auto output_until = SteadyClock::now() + (stop == Stop::kNone ? output_grace_
                                                                       : std::chrono::milliseconds(0));
  for (;;) {
    drain(stdout_fd_, OutputStream::kStdout);
    drain(stderr_fd_, OutputStream::kStderr);
    auto now = SteadyClock::now();
    if ((stdout_fd_ < 0 && stderr_fd_ < 0) || now >= output_until) break;
    if (cancel && cancel->is_cancelled()) break;
    auto wake = std::min(output_until, now + kCancelPollInterval);
    int wait_ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wake - now).count());
    pollfd fds[2];
    int count = 0;
    if (stdout_fd_ >= 0) fds[count++] = {stdout_fd_, POLLIN, 0};
    if (stderr_fd_ >= 0) fds[count++] = {stderr_fd_, POLLIN, 0};
    if (poll(fds, count, wait_ms) < 0 && errno != EINTR) break;
  }
  CloseFd(stdout_fd_);
  CloseFd(stderr_fd_);
  CloseFd(pidfd_);

  ProcessResult result = FromStatus(status);
  if (stop == Stop::kTimeout) result.end = ProcessEnd::kTimedOut;
  if (stop == Stop::kCancel) result.end = ProcessEnd::kCancelled;
  return result;
}

ProcessResult RunProcess(const ProcessOptions& options, const OutputCallback& on_output,
                         CancelToken* cancel) {
  Expected<ChildProcess> child = ChildProcess::Spawn(options);
  if (!child) {
    ProcessResult result;
    result.end = ProcessEnd::kSpawnFailed;
    result.error = child.error();
    return result;
  }
  return child->Wait(on_output, cancel);
}

char** HardenProcess(int argc, char** argv) {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  // Environment: copy each private variable into the heap (setenv) and zero the original bytes.
  std::vector<char*> originals;
  std::vector<std::pair<std::string, std::string>> moved;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view name = text.substr(0, equals);
    // The database's DSN and password too: whoever connects as a worker can run jobs.
    if (name.substr(0, 15) == "SLIPWAY_SECRET_" || name == "SLIPWAY_AUDIT_KEY" ||
        name == "SLIPWAY_BACKEND" || name == "PGPASSWORD") {
      originals.push_back(*entry);
      moved.emplace_back(std::string(name), std::string(text.substr(equals + 1)));
    }
  }
  for (size_t i = 0; i < moved.size(); ++i) {
    setenv(moved[i].first.c_str(), moved[i].second.c_str(), 1);
    const char* now = getenv(moved[i].first.c_str());
    char* value = originals[i] + moved[i].first.size() + 1;
    if (now != value) std::memset(value, 0, std::strlen(value));
  }
  // argv: parse a private copy; blank the values of the private flags in the original (the
  // secrets file's path; the backend's DSN, which may carry the database password).
  char** copy = new char*[static_cast<size_t>(argc) + 1];
  for (int i = 0; i < argc; ++i) copy[i] = strdup(argv[i]);
  copy[argc] = nullptr;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    static constexpr std::string_view kPrivateFlags[] = {"--secrets-file", "--backend"};
    for (std::string_view flag : kPrivateFlags) {
      if (arg == flag && i + 1 < argc) {
        std::memset(argv[i + 1], 'x', std::strlen(argv[i + 1]));
      } else if (arg.size() > flag.size() && arg.substr(0, flag.size()) == flag &&
                 arg[flag.size()] == '=') {
        std::memset(argv[i] + flag.size() + 1, 'x', arg.size() - flag.size() - 1);
      }
    }
  }
  return copy;
}

std::map<std::string, std::string> CurrentEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    size_t eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

std::string Describe(const ProcessResult& result) {
  switch (result.end) {
    case ProcessEnd::kExited:
      return fmt::format("exit code {}", result.exit_code);
    case ProcessEnd::kSignaled:
      return fmt::format("killed by signal {} ({})", result.signal, strsignal(result.signal));
    case ProcessEnd::kTimedOut:
      return "timed out";
    case ProcessEnd::kCancelled:
      return "cancelled";
    case ProcessEnd::kSpawnFailed:
      return result.error;
  }
  return "unknown";
}


}  // namespace slipway::exec
