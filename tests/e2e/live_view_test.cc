// End-to-end tests of what `slipway run` shows on a terminal: the built CLI runs under a
// pseudo-terminal (forkpty), so isatty() is true and the bytes read back are what a user's
// terminal would receive. Bounded waits only.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "interpreter/exec/process.h"
#include "tests/support/cli_workspace.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;

struct PtyResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr, as the terminal received them
};

class LiveViewE2E : public testing::CliWorkspaceTest {
 protected:
  /// `slipway run wf.yml ... extra` on a 100x30 pseudo-terminal with `env` over a clean
  /// environment (no GITHUB_ACTIONS, NO_COLOR, TERM or locale from the caller).
  PtyResult RunOnTerminal(const std::vector<std::string>& extra,
                          const std::map<std::string, std::string>& env) {
    std::vector<std::string> args = {
        SLIPWAY_EXE,       "run",   "wf.yml",   "--state-dir", "state", "--ref",
        "refs/heads/main", "--sha", "0123abcd", "--actor",     "alice"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::map<std::string, std::string> environment = exec::CurrentEnvironment();
    for (const char* name : {"GITHUB_ACTIONS", "NO_COLOR", "TERM", "LC_ALL", "LC_CTYPE", "LANG",
                             "COLUMNS", "LINES", "SLIPWAY_AUDIT_KEY", "GITHUB_STEP_SUMMARY"}) {
      environment.erase(name);
    }
    for (const auto& [key, value] : env) environment[key] = value;
    // Everything the child needs is built before fork().
    std::vector<std::string> env_strings;
    for (const auto& [key, value] : environment) env_strings.push_back(key + "=" + value);
    std::vector<char*> argv, envp;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string dir = dir_.string();

    struct winsize size {};
    size.ws_col = 100;
    size.ws_row = 30;
    int master = -1;
    pid_t pid = forkpty(&master, nullptr, nullptr, &size);
    if (pid < 0) {
      ADD_FAILURE() << "forkpty failed";
      return {};
    }
    if (pid == 0) {
      if (chdir(dir.c_str()) != 0) _exit(126);
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    PtyResult result;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    char buffer[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      struct pollfd fd {
        master, POLLIN, 0
      };
      int ready = poll(&fd, 1, 200);
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) continue;
      ssize_t n = read(master, buffer, sizeof buffer);
      if (n <= 0) break;  // EIO: every holder of the terminal's other side is gone
      result.out.append(buffer, static_cast<size_t>(n));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      ADD_FAILURE() << "slipway did not finish within 60 s:\n" << result.out;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    close(master);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
  }
};

constexpr const char* kSecret = "live-secret-Jv38q";

TEST_F(LiveViewE2E, ShowsRunningJobsThenTheirResults) {
  Write("wf.yml", R"WF(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: compile with ${{ secrets.API_TOKEN }}
        env:
          TOKEN: ${{ secrets.API_TOKEN }}
        run: echo "building with $TOKEN"; sleep 1
  deploy:
    runs-on: ubuntu-latest
    steps:
      - name: ship it
        run: sleep 1; echo shipped
  notify:
    needs: [build, deploy]
    runs-on: ubuntu-latest
    steps:
      - run: echo "told $API"
        env:
          API: ${{ secrets.API_TOKEN }}
)WF");
  PtyResult r = RunOnTerminal(
      {"--run-id", "lv", "--jobs", "2"},
      {{"TERM", "xterm-256color"}, {"LANG", "C.UTF-8"}, {"SLIPWAY_SECRET_API_TOKEN", kSecret}});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.find(kSecret), std::string::npos) << "secret leaked:\n" << r.out;
  // The live region: both jobs running at once, with their current step (masked).
  EXPECT_TRUE(std::regex_search(r.out, std::regex("build +(\x1b\\[[0-9;]*m)*running"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("deploy +(\x1b\\[[0-9;]*m)*running"))) << r.out;
  EXPECT_NE(r.out.find("compile with ***"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ship it"), std::string::npos) << r.out;
  // Redrawn in place: cursor up and erase sequences.
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\r\x1b\\[[0-9]+A"))) << r.out;
  EXPECT_NE(r.out.find("\x1b[J"), std::string::npos) << r.out;
  // Colours (no NO_COLOR) and the result lines, in the order the jobs finished.
  EXPECT_NE(r.out.find("\x1b[32m✓\x1b[0m"), std::string::npos) << r.out;
  std::string plain = std::regex_replace(r.out, std::regex("\x1b\\[[0-9;]*[A-Za-z]"), "");
  size_t build = plain.find("✓ build ");
  size_t deploy = plain.find("✓ deploy ");
  size_t notify = plain.find("✓ notify ");
  ASSERT_NE(build, std::string::npos) << plain;
  ASSERT_NE(deploy, std::string::npos) << plain;
  ASSERT_NE(notify, std::string::npos) << plain;
  EXPECT_GT(notify, build);
  EXPECT_GT(notify, deploy);
  // The steps' output still shows (masked), above the region.
  EXPECT_NE(plain.find("[build] building with ***"), std::string::npos) << plain;
  EXPECT_NE(plain.find("[notify] told ***"), std::string::npos) << plain;
  // The summary table comes last, after the region was erased.
  size_t table = plain.find("JOB");
  ASSERT_NE(table, std::string::npos) << plain;
  EXPECT_GT(table, notify);
  EXPECT_NE(plain.find("run lv: success"), std::string::npos) << plain;
  EXPECT_EQ(r.out.find("[build] started"), std::string::npos) << r.out;
}

TEST_F(LiveViewE2E, NoColorKeepsTheLiveViewWithoutColours) {
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: exit 3
)");
  PtyResult r = RunOnTerminal({}, {{"TERM", "xterm"}, {"NO_COLOR", "1"}});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_FALSE(std::regex_search(r.out, std::regex("\x1b\\[[0-9;]*m"))) << r.out;
  // No UTF-8 locale: ASCII symbols.
  EXPECT_TRUE(std::regex_search(r.out, std::regex("x a failure +0:0[0-9] - "))) << r.out;
}

TEST_F(LiveViewE2E, PlainOnATerminalWritesNoEscapeSequences) {
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo hello
)");
  for (const auto& [extra, env] :
       std::vector<std::pair<std::vector<std::string>, std::map<std::string, std::string>>>{
           {{"--progress", "plain"}, {{"TERM", "xterm"}}},
           {{}, {{"TERM", "dumb"}}},
           {{}, {{"TERM", "xterm"}, {"GITHUB_ACTIONS", "true"}}},
       }) {
    PtyResult r = RunOnTerminal(extra, env);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex("\\d\\d:\\d\\d:\\d\\d \\[a\\] started")))
        << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex("\\d\\d:\\d\\d:\\d\\d \\[a\\] hello")))
        << r.out;
  }
}

TEST_F(LiveViewE2E, InvalidProgressIsAUsageError) {
  Write("wf.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n");
  PtyResult r = RunOnTerminal({"--progress", "fancy"}, {{"TERM", "xterm"}});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--progress"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fancy"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "state")) << r.out;
}

}  // namespace
}  // namespace slipway
