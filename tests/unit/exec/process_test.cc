// Real-process tests for process.h: bounded, each finishes in well under a second.
#include "interpreter/exec/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace slipway::exec {
namespace {

using std::chrono::milliseconds;

struct Captured {
  std::string out;
  std::string err;
  OutputCallback Callback() {
    return [this](OutputStream stream, std::string_view chunk) {
      (stream == OutputStream::kStdout ? out : err).append(chunk);
    };
  }
};

ProcessOptions Bash(const std::string& script) {
  ProcessOptions options;
  options.argv = {"bash", "--noprofile", "--norc", "-c", script};
  options.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}};
  options.interrupt_grace = milliseconds(150);
  options.terminate_grace = milliseconds(150);
  return options;
}

// True when `pid` is gone or a zombie (killed, waiting for its new parent to reap it).
bool IsDeadNow(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t paren = content.rfind(')');
  return paren != std::string::npos && paren + 2 < content.size() && content[paren + 2] == 'Z';
}

// SIGKILL is delivered asynchronously: give the kernel up to a second (bounded loop).
bool IsDead(pid_t pid) {
  for (int i = 0; i < 100; ++i) {
    if (IsDeadNow(pid)) return true;
    usleep(10000);
  }
  return false;
}

TEST(ProcessTest, CapturesStdoutAndStderrSeparately) {
  Captured io;
  ProcessResult result =
      RunProcess(Bash("echo out; echo err >&2; echo more"), io.Callback(), nullptr);
  EXPECT_TRUE(result.succeeded());
  EXPECT_EQ(io.out, "out\nmore\n");
  EXPECT_EQ(io.err, "err\n");
}

TEST(ProcessTest, ReportsExitCode) {
  ProcessResult result = RunProcess(Bash("exit 7"), {}, nullptr);
  EXPECT_EQ(result.end, ProcessEnd::kExited);
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_FALSE(result.succeeded());
  EXPECT_EQ(Describe(result), "exit code 7");
}

TEST(ProcessTest, EnvironmentIsExactlyTheGivenOne) {
  ProcessOptions options = Bash("echo \"[$SLIPWAY_TEST_VALUE][${HOME-unset}]\"");
  options.env["SLIPWAY_TEST_VALUE"] = "a b=c";
  Captured io;
  ProcessResult result = RunProcess(options, io.Callback(), nullptr);
  ASSERT_TRUE(result.succeeded()) << io.err;
  EXPECT_EQ(io.out, "[a b=c][unset]\n");
}

TEST(ProcessTest, ProgramIsFoundInTheChildsPath) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("slipway-proc-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream tool(dir / "my-tool");
    tool << "#!/bin/sh\necho from-tool \"$1\"\n";
  }
  std::filesystem::permissions(dir / "my-tool", std::filesystem::perms::owner_all);
  ProcessOptions options;
  options.argv = {"my-tool", "x"};
  options.env = {{"PATH", dir.string() + ":/usr/bin:/bin"}};
  Captured io;
  EXPECT_TRUE(RunProcess(options, io.Callback(), nullptr).succeeded());
  EXPECT_EQ(io.out, "from-tool x\n");
  std::filesystem::remove_all(dir);
}

TEST(ProcessTest, RunsInTheWorkingDirectory) {
  ProcessOptions options = Bash("pwd");
  options.working_directory = "/usr";
  Captured io;
  EXPECT_TRUE(RunProcess(options, io.Callback(), nullptr).succeeded());
  EXPECT_EQ(io.out, "/usr\n");
}

TEST(ProcessTest, SpawnFailuresAreValues) {
  ProcessOptions missing;
  missing.argv = {"slipway-no-such-program"};
  missing.env = {{"PATH", "/usr/bin:/bin"}};
  ProcessResult result = RunProcess(missing, {}, nullptr);
  EXPECT_EQ(result.end, ProcessEnd::kSpawnFailed);
  EXPECT_EQ(result.error, "cannot run \"slipway-no-such-program\": not found in PATH");

  ProcessOptions bad_dir = Bash("true");
  bad_dir.working_directory = "/nonexistent/slipway";
  result = RunProcess(bad_dir, {}, nullptr);
  EXPECT_EQ(result.end, ProcessEnd::kSpawnFailed);
  EXPECT_EQ(result.error, "working directory \"/nonexistent/slipway\" does not exist");
}

TEST(ProcessTest, LargeOutputArrivesComplete) {
  Captured io;
  ProcessResult result =
      RunProcess(Bash("head -c 1000000 /dev/zero | tr '\\0' x"), io.Callback(), nullptr);
  EXPECT_TRUE(result.succeeded());
  EXPECT_EQ(io.out.size(), 1000000u);
  EXPECT_EQ(io.out.find_first_not_of('x'), std::string::npos);
}

TEST(ProcessTest, RunsInItsOwnProcessGroup) {
  Captured io;
  ASSERT_TRUE(RunProcess(Bash("ps -o pgid= -p $$"), io.Callback(), nullptr).succeeded());
  EXPECT_NE(std::atoi(io.out.c_str()), getpgrp());
}

TEST(ProcessTest, TimeoutStopsTheWholeGroup) {
  ProcessOptions options = Bash("sleep 30 & echo $!; wait");
  options.timeout = milliseconds(200);
  Captured io;
  ProcessResult result = RunProcess(options, io.Callback(), nullptr);
  EXPECT_EQ(result.end, ProcessEnd::kTimedOut);
  EXPECT_EQ(Describe(result), "timed out");
  pid_t background = std::atoi(io.out.c_str());
  ASSERT_GT(background, 0);
  EXPECT_TRUE(IsDead(background)) << "background child " << background << " survived";
}

TEST(ProcessTest, CancelEscalatesIntTermKill) {
  // The script survives SIGINT and SIGTERM, so all three signals are needed.
  ProcessOptions options = Bash(
      "trap 'echo got-int' INT; trap 'echo got-term' TERM; echo ready;"
      "while true; do sleep 0.02; done");
  auto cancel = CancelToken::Make();
  std::string out;
  ProcessResult result = RunProcess(
      options,
      [&](OutputStream, std::string_view chunk) {
        out.append(chunk);
        if (out.find("ready") != std::string::npos) cancel->RequestCancel();
      },
      cancel.get());
  EXPECT_EQ(result.end, ProcessEnd::kCancelled);
  EXPECT_EQ(result.signal, SIGKILL);
  size_t got_int = out.find("got-int");
  size_t got_term = out.find("got-term");
  ASSERT_NE(got_int, std::string::npos) << out;
  ASSERT_NE(got_term, std::string::npos) << out;
  EXPECT_LT(got_int, got_term);
}

TEST(ProcessTest, CancelStopsAtSigintWhenTheChildObeys) {
  auto cancel = CancelToken::Make();
  cancel->RequestCancel();
  ProcessResult result = RunProcess(Bash("sleep 30"), {}, cancel.get());
  EXPECT_EQ(result.end, ProcessEnd::kCancelled);
  EXPECT_EQ(result.signal, SIGINT);
}

TEST(ProcessTest, DestructorKillsAndReaps) {
  pid_t pid = -1;
  {
    Expected<ChildProcess> child = ChildProcess::Spawn(Bash("sleep 30"));
    ASSERT_TRUE(child.has_value()) << child.error();
    pid = child->pid();
  }
  // Reaped by us: the pid no longer exists at all (not even as a zombie).
  EXPECT_NE(kill(pid, 0), 0);
}

// A process that left no background process has no live group after Wait; its record, blanked
// when the object goes, is written over by the next spawn (no new file per step).
TEST(ProcessTest, GroupAliveOnlyWithBackgroundProcessesAndRecordsAreReused) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("slipway-records-" + std::to_string(getpid()));
  fs::remove_all(dir);
  auto files = [&] {
    std::map<std::string, std::string> out;  // name → content
    for (const auto& entry : fs::directory_iterator(dir)) {
      std::ifstream in(entry.path());
      out[entry.path().filename()] =
          std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    return out;
  };
  std::string name;
  {
    ProcessOptions options = Bash("true");
    options.record_dir = dir.string();
    Expected<ChildProcess> child = ChildProcess::Spawn(options);
    ASSERT_TRUE(child.has_value()) << child.error();
    auto records = files();
    ASSERT_EQ(records.size(), 1u);
    name = records.begin()->first;
    EXPECT_EQ(records.begin()->second.rfind("{\"pid\":" + std::to_string(child->pid()) + ",", 0), 0u)
        << records.begin()->second;
    EXPECT_TRUE(child->Wait(nullptr, nullptr).succeeded());
    EXPECT_FALSE(child->GroupAlive());
  }
  auto released = files();
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released.begin()->second.find_first_not_of(" \n"), std::string::npos)
      << "a released record is blank: " << released.begin()->second;
  {
    ProcessOptions options = Bash("sleep 30 & exit 0");
    options.record_dir = dir.string();
    Expected<ChildProcess> child = ChildProcess::Spawn(options);
    ASSERT_TRUE(child.has_value()) << child.error();
    auto records = files();  // the same file, written over
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records.begin()->first, name);
    EXPECT_EQ(records.begin()->second.rfind("{\"pid\":" + std::to_string(child->pid()) + ",", 0), 0u);
    EXPECT_TRUE(child->Wait(nullptr, nullptr).succeeded());
    EXPECT_TRUE(child->GroupAlive());  // the background sleep
  }
  DropReleasedRecords(dir.string());
  EXPECT_TRUE(files().empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace slipway::exec
