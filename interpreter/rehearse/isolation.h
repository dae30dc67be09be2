#pragma once
/// Isolation: what keeps a rehearsal's steps from reaching the real world. Shims on PATH answer
/// the stubbed programs called by name (command_stubs.h); this adds, on Linux, new user, mount
/// and network namespaces for the whole `slipway test` process:
///  - network: the process and its steps see only a loopback interface of their own, where the
///    rehearsal's HTTP, SMTP and CloudFormation stubs listen; any other address is unreachable,
///    so a request meant for production fails instead of arriving;
///  - programs: every stubbed program found in PATH's directories (aws, curl, git, ...) is
///    covered, in this process's mount namespace only, by a dispatcher: called by its path
///    (`/usr/bin/curl`) from a step, it calls the scenario's shim (kStubBinEnv), so an absolute
///    path meets the same rules as a name; called by slipway itself (no kStubBinEnv), it runs the
///    real program, which stays reachable in a private directory (kRealProgramsEnv).
/// What it cannot do is said in `problem`, which `slipway test` prints as a warning.

#include <set>
#include <string>

namespace slipway::rehearse {

struct Isolation {
  bool network = false;         // steps reach no network outside the rehearsal's namespace
  bool programs = false;        // stubbed programs called by their path reach the shims
  std::string real_programs;    // the directory of the real programs (kRealProgramsEnv)
  std::string problem;          // why something is not isolated; "" when all is
};

/// Moves this process into the namespaces and covers `programs` found in `path_env`'s
/// directories, keeping its files under `scratch_dir`. Call it before any thread starts (a user
/// namespace can only be entered by a single-threaded process).
Isolation IsolateRehearsals(const std::set<std::string>& programs, const std::string& path_env,
                            const std::string& scratch_dir);

}  // namespace slipway::rehearse
