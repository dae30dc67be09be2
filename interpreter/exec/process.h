#pragma once
/// Child processes for `run:` steps and tool-driving built-in steps. A child runs in its own
/// process group with an explicit environment (secrets travel only there, never in argv), its
/// stdout/stderr come back through pipes chunk by chunk, and a timeout or a cancellation stops
/// the whole group: SIGINT, then SIGTERM, then SIGKILL, each after a grace period (the
/// escalation GitHub's runner uses). Implemented in process_posix.cc.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/exec/cancel_token.h"

namespace slipway::exec {

enum class OutputStream { kStdout, kStderr };

/// Receives each chunk of a child's output as it arrives (not split into lines).
using OutputCallback = std::function<void(OutputStream, std::string_view)>;

/// What to run and how.
struct ProcessOptions {
  /// argv[0] without a '/' is looked up in `env`'s PATH (the caller's PATH when it has none).
  std::vector<std::string> argv;
  /// The complete environment of the child; nothing is inherited.
  std::map<std::string, std::string> env;
  /// Empty: the caller's working directory.
  std::string working_directory;
  /// Zero: no timeout. On expiry the group is stopped with the escalation below.
  std::chrono::milliseconds timeout{0};
  /// SIGINT → SIGTERM after `interrupt_grace`, SIGTERM → SIGKILL after `terminate_grace`.
  std::chrono::milliseconds interrupt_grace{7500};
  std::chrono::milliseconds terminate_grace{2500};
  /// How long Wait keeps reading stdout/stderr after the child exited while other processes
  /// (its background children) still hold them open; then the pipes are closed. GitHub's
  /// runner waits 5 seconds (ProcessInvoker.ProcessExitedHandler).
  std::chrono::milliseconds output_grace{0};
  /// When set, the child's process group is recorded as RECORD_DIR/<pid>.json (its pid and the
  /// leader's start time, nothing of its command line) until the group is stopped and reaped, so
  /// that after a kill -9 of slipway a resume finds and stops what is still running
  /// (StopRecordedGroups).
  std::string record_dir;
};

enum class ProcessEnd {
  kExited,       // exit_code is set
  kSignaled,     // killed by `signal` (not by us)
  kTimedOut,     // the timeout expired and we stopped the group
  kCancelled,    // the cancel token was set and we stopped the group
  kSpawnFailed,  // nothing ran; `error` says why
};

/// How a child ended. A value, never an exception (STYLE.md §5).
struct ProcessResult {
  ProcessEnd end = ProcessEnd::kSpawnFailed;
  int exit_code = -1;  // the exit status when the child exited (also after a timeout, if it did)
  int signal = 0;      // the terminating signal, if any
  std::string error;   // kSpawnFailed: the reason, lower-case
  bool succeeded() const { return end == ProcessEnd::kExited && exit_code == 0; }
};

/// A running child process group. RAII: the destructor SIGKILLs whatever is left of the group
/// (including background processes the step started) and reaps the child. Move-only.
class ChildProcess {
 public:
  /// Starts the child; on failure returns the reason ("cannot run \"x\": ...").
  static Expected<ChildProcess> Spawn(const ProcessOptions& options);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  int pid() const { return pid_; }
  /// Pumps output into `on_output` (may be empty) until the child exits, enforcing the timeout
  /// and reacting to `cancel` (may be null). Call once. Background processes of the group that
  /// outlive the child keep running until this object is destroyed.
  ProcessResult Wait(const OutputCallback& on_output, CancelToken* cancel);
  /// Sends `signal` to every process of the group.
  void SignalGroup(int signal) const;
  /// True while a process of the group is alive (zombies aside): after Wait, the background
  /// processes the child left. A group found empty stays empty (nothing can join a group that
  /// has no process), so releasing this object then sends no signal.
  bool GroupAlive();

 private:
  ChildProcess() = default;
  void Release();

  std::string record_;  // the process group's record file, removed on Release
  int pid_ = -1;
  int pidfd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  bool reaped_ = false;
  bool group_gone_ = false;
  std::chrono::milliseconds timeout_{0};
  std::chrono::milliseconds interrupt_grace_{0};
  std::chrono::milliseconds terminate_grace_{0};
  std::chrono::milliseconds output_grace_{0};
};

/// Spawn + Wait. Spawn failures come back as ProcessEnd::kSpawnFailed.
ProcessResult RunProcess(const ProcessOptions& options, const OutputCallback& on_output,
                         CancelToken* cancel);

/// Called first thing in main(): makes slipway non-dumpable (prctl PR_SET_DUMPABLE 0), so
/// processes of the same user (its steps) cannot read its memory, /proc/PID/environ or its
/// fds; moves SLIPWAY_SECRET_*, SLIPWAY_AUDIT_KEY, SLIPWAY_BACKEND and PGPASSWORD out of the
/// initial environment block (getenv still finds them; the bytes /proc/PID/environ shows are
/// zeroed) and blanks the values of --secrets-file and --backend (a DSN may hold the database
/// password) in the argv bytes /proc/PID/cmdline shows, which every process may read. Returns
/// the argv to parse (a private copy).
char** HardenProcess(int argc, char** argv);

/// Stops the process groups a dead slipway left, as recorded in `record_dir` (ProcessOptions::
/// record_dir): a group whose leader is alive with the recorded start time, or whose leader is
/// gone while members remain (a pid in use as a group id is never reused), gets SIGINT, then
/// SIGTERM after `grace`, then SIGKILL, and is waited for (bounded). A record whose pid now
/// names another process is dropped without a signal. Returns one line per group stopped.
/// Removes the released records Spawn keeps in `record_dir` for reuse (at the end of a run).
void DropReleasedRecords(const std::string& record_dir);

std::vector<std::string> StopRecordedGroups(const std::string& record_dir,
                                            std::chrono::milliseconds grace);

/// Calls `body` with the process groups this process holds (the pid of every child a
/// ChildProcess started and has not released, which is its group id too), while no ChildProcess
/// is started or released: StopOrphans leaves these groups alone (orphans.h).
void WithHeldProcessGroups(const std::function<void(const std::vector<int>&)>& body);

/// The caller's environment as a map (a starting point for ProcessOptions::env).
std::map<std::string, std::string> CurrentEnvironment();

/// A one-line description: "exit code 3", "killed by signal 9", "timed out", ...
std::string Describe(const ProcessResult& result);

}  // namespace slipway::exec
