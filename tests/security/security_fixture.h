#pragma once
/// The fixture of the security suite: each test is an attack made through the built CLI, in a
/// temporary workspace, with the audit key kept outside it (XDG_CONFIG_HOME points to a sibling
/// directory, as ~/.config would be) and bounded waits only.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "interpreter/exec/process.h"
#include "tests/support/cli_workspace.h"

namespace slipway::security {

namespace fs = std::filesystem;
using testing::CliResult;

class SecurityTest : public testing::CliWorkspaceTest {
 protected:
  void SetUp() override {
    CliWorkspaceTest::SetUp();
    config_ = fs::path(dir_.string() + "-config");
    fs::remove_all(config_);
    fs::create_directories(config_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(config_);
    CliWorkspaceTest::TearDown();
  }

  std::map<std::string, std::string> Env(std::map<std::string, std::string> extra = {}) {
    extra.emplace("XDG_CONFIG_HOME", config_.string());
    return extra;
  }

  /// `slipway ARGS...` in the workspace (or in `sub`, relative to it).
  CliResult Slipway(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                    const std::string& sub = "") {
    exec::ProcessOptions options = Options(std::move(args), Env(std::move(env)));
    if (!sub.empty()) options.working_directory = (dir_ / sub).string();
    CliResult result;
    exec::ProcessResult process = exec::RunProcess(
        options,
        [&](exec::OutputStream stream, std::string_view chunk) {
          (stream == exec::OutputStream::kStdout ? result.out : result.err).append(chunk);
        },
        nullptr);
    result.exit_code = process.end == exec::ProcessEnd::kExited ? process.exit_code : -1;
    return result;
  }

  /// Runs `script` with bash in the workspace; its exit code.
  int Shell(const std::string& script) {
    exec::ProcessOptions options;
    options.argv = {"bash", "-ec", script};
    options.env = exec::CurrentEnvironment();
    options.env["GIT_AUTHOR_NAME"] = options.env["GIT_COMMITTER_NAME"] = "tester";
    options.env["GIT_AUTHOR_EMAIL"] = options.env["GIT_COMMITTER_EMAIL"] = "t@example.com";
    options.working_directory = dir_.string();
    options.timeout = std::chrono::milliseconds(30'000);
    std::string output;
    exec::ProcessResult result = exec::RunProcess(
        options, [&](exec::OutputStream, std::string_view chunk) { output.append(chunk); },
        nullptr);
    if (!result.succeeded()) ADD_FAILURE() << script << "\n" << output;
    return result.exit_code;
  }

  /// The first line of `command`'s output in the workspace.
  std::string ShellOutput(const std::string& command) {
    Shell(command + " > .shell-output");
    std::string out = Read(".shell-output");
    fs::remove(dir_ / ".shell-output");
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  /// A run started in the background; Finish() waits for it.
  struct Background {
    exec::ChildProcess child;
    std::string out;
  };
  std::unique_ptr<Background> Start(std::vector<std::string> args) {
    exec::ProcessOptions options = Options(std::move(args), Env());
    Expected<exec::ChildProcess> child = exec::ChildProcess::Spawn(options);
    if (!child) {
      ADD_FAILURE() << child.error();
      return nullptr;
    }
    return std::make_unique<Background>(Background{std::move(child).value(), ""});
  }
  int Finish(Background& run) {
    exec::ProcessResult result = run.child.Wait(
        [&](exec::OutputStream, std::string_view chunk) { run.out.append(chunk); }, nullptr);
    return result.end == exec::ProcessEnd::kExited ? result.exit_code : -1;
  }

  /// Waits (at most 20 s) until `ready` holds.
  bool WaitFor(const std::function<bool()>& ready) {
    for (int i = 0; i < 400; ++i) {
      if (ready()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  static bool Has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  fs::path config_;
};

/// A job gated by `production`, leaving a file when it deploys.
inline constexpr char kGated[] = R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: touch DEPLOYED
)";

/// production: 2 of alice, bob, carol (+ team leads: dave), no self-review.
inline std::string Reviewers(const std::string& timeout, const std::string& extra = "") {
  return R"(teams:
  leads: [dave]
environments:
  production:
    required_reviewers:
      count: 2
      users: [alice, bob, carol]
      teams: [leads]
      prevent_self_review: true
    approval_timeout: )" +
         timeout + "\n" + extra;
}

}  // namespace slipway::security
