#pragma once
/// CommandStubs: the outside world's programs (aws, gh, sam, cdk, python3 …) answered by rules.
/// Start() writes one shim per program into a directory that the rehearsal puts first on the
/// steps' PATH; a shim runs `slipway test --stub-call` (RunStubClient), which asks this server,
/// over an abstract Unix socket, what to answer. The server matches the rules in order, records
/// every call (argv, working directory, environment variable names, stdin), writes the rule's
/// files, advances the virtual clock by the rule's delay, and answers stdout, stderr and an exit
/// code — or tells the shim to run the real program (passthrough). A call no rule matches fails
/// with "unstubbed call: ARGV (add a rule or allow passthrough)".

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/rehearse/test_file.h"

namespace slipway::rehearse {

class VirtualClock;

/// How a call was answered.
enum class CallAnswer { kRule, kPassthrough, kUnstubbed };

struct CallRecord {
  std::vector<std::string> argv;  // argv[0] is the program's name as called
  std::string cwd;
  std::vector<std::string> env_names;
  std::string stdin_text;
  CallAnswer answer = CallAnswer::kUnstubbed;
  Duration at{0};  // virtual time of the call
  /// The argv joined by single spaces (what rules match).
  std::string Joined() const;
};

/// Programs shimmed even without a rule, so that a pipeline never reaches a real cloud by
/// accident: an unmatched call to one of them fails clearly instead.
extern const char* const kDefaultStubbedPrograms[];

/// The programs a scenario's shim directory holds: kDefaultStubbedPrograms, the program named
/// first in each rule, and the passthrough programs.
std::set<std::string> ShimmedPrograms(const std::vector<CommandRule>& rules,
                                      const std::vector<std::string>& passthrough);

/// The environment variables of an isolated rehearsal's steps (isolation.h): the scenario's shim
/// directory, and the directory where the real programs behind the dispatchers are. Not
/// SLIPWAY_*: slipway keeps its own variables out of every step's environment.
inline constexpr const char* kStubBinEnv = "REHEARSAL_STUB_BIN";
inline constexpr const char* kRealProgramsEnv = "REHEARSAL_REAL_PROGRAMS";

/// True when `pattern` matches `joined`.
bool ArgvMatches(const ArgvPattern& pattern, const std::string& joined);

class CommandStubs {
 public:
  CommandStubs(std::vector<CommandRule> rules, std::vector<std::string> passthrough,
               VirtualClock* clock);
  ~CommandStubs();
  CommandStubs(const CommandStubs&) = delete;
  CommandStubs& operator=(const CommandStubs&) = delete;

  /// Writes the shims into `bin_dir` (calling `self_exe`) and starts the server.
  Expected<bool> Start(const std::string& bin_dir, const std::string& self_exe);
  std::vector<CallRecord> calls() const;

 private:
  std::string Answer(const std::string& request);
  void Serve();

  std::vector<CommandRule> rules_;
  std::vector<int> used_;  // calls answered per rule
  std::vector<std::string> passthrough_;
  VirtualClock* clock_;
  std::string socket_name_;
  std::string bin_dir_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<CallRecord> calls_;
};

/// The shim's side: sends this process's argv, cwd, environment names and stdin to the server
/// named `socket`, then prints the answer and returns its exit code — or execs the real program
/// found on PATH outside `bin_dir`.
int RunStubClient(const std::string& socket, const std::string& bin_dir,
                  const std::vector<std::string>& argv);

}  // namespace slipway::rehearse
