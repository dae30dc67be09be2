#include "interpreter/exec/shell.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "interpreter/exec/process.h"

namespace slipway::exec {
namespace {

const std::string kPath = "/usr/local/bin:/usr/bin:/bin";

std::string Joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

TEST(ShellTest, ResolvesGithubShells) {
  struct Case {
    std::string shell;
    std::string argv;
    std::string extension;
  };
  const Case cases[] = {
      {"", "bash --noprofile --norc -eo pipefail {0}", ".sh"},
      {"bash", "bash --noprofile --norc -eo pipefail {0}", ".sh"},
      {"sh", "sh -e {0}", ".sh"},
      // Debian ships python3 only, unless python-is-python3 is installed.
      {"python",
       std::system(("PATH=" + kPath + " command -v python >/dev/null 2>&1").c_str()) == 0
           ? "python {0}"
           : "python3 {0}",
       ".py"},
      {"pwsh", "pwsh -command . '{0}'", ".ps1"},
      {"perl -w {0}", "perl -w {0}", ".sh"},
      {"bash -x '{0}' \"two words\"", "bash -x {0} two words", ".sh"},
  };
  for (const Case& c : cases) {
    auto t = ResolveShell(c.shell, kPath);
    ASSERT_TRUE(t.has_value()) << c.shell << ": " << t.error();
    EXPECT_EQ(Joined(t->argv), c.argv) << c.shell;
    EXPECT_EQ(t->extension, c.extension) << c.shell;
  }
}

TEST(ShellTest, UnspecifiedShellFallsBackToSh) {
  auto t = ResolveShell("", "/nonexistent");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(Joined(t->argv), "sh -e {0}");
}

TEST(ShellTest, BadShells) {
  auto custom = ResolveShell("perl -w", kPath);
  ASSERT_FALSE(custom.has_value());
  EXPECT_EQ(custom.error(),
            "custom shell \"perl -w\" must contain \"{0}\" (the script file), e.g. \"perl {0}\"");
  auto cmd = ResolveShell("cmd", kPath);
  ASSERT_FALSE(cmd.has_value());
  EXPECT_EQ(cmd.error(), "shell \"cmd\" is only available on Windows runners");
}

class ShellRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("slipway-shell-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ShellRunTest, ExplicitBashHasPipefailAndStopsOnError) {
  auto t = ResolveShell("bash", kPath);
  ASSERT_TRUE(t.has_value());
  auto command = PrepareScript(*t, "false | true\necho not-reached\n", dir_.string());
  ASSERT_TRUE(command.has_value()) << command.error();
  EXPECT_EQ(command->argv.back(), command->script_path);
  std::string out;
  ProcessOptions options;
  options.argv = command->argv;
  options.env = {{"PATH", kPath}};
  ProcessResult result = RunProcess(
      options, [&](OutputStream, std::string_view chunk) { out.append(chunk); }, nullptr);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(out, "");
}

// Issue 5: the default shell is `bash --noprofile --norc -eo pipefail {0}`.
TEST_F(ShellRunTest, UnspecifiedShellFailsOnPipefail) {
  auto t = ResolveShell("", kPath);
  ASSERT_TRUE(t.has_value());
  auto command = PrepareScript(*t, "false | true\necho reached\n", dir_.string());
  ASSERT_TRUE(command.has_value());
  std::string out;
  ProcessOptions options;
  options.argv = command->argv;
  options.env = {{"PATH", kPath}};
  ProcessResult result = RunProcess(
      options, [&](OutputStream, std::string_view chunk) { out.append(chunk); }, nullptr);
  EXPECT_FALSE(result.succeeded());
  EXPECT_EQ(out, "");
}

TEST_F(ShellRunTest, StepFilesAndRunnerVariables) {
  auto files = CreateStepFiles(dir_.string(), "build-1");
  ASSERT_TRUE(files.has_value()) << files.error();
  RunnerInfo info;
  info.repository = "octo/app";
  info.job = "build";
  info.action = "__run";
  info.ref = "refs/heads/main";
  std::map<std::string, std::string> env = RunnerEnvironment(info, *files);
  EXPECT_EQ(env["CI"], "true");
  EXPECT_EQ(env["GITHUB_REPOSITORY_OWNER"], "octo");
  EXPECT_EQ(env["GITHUB_OUTPUT"], files->output);
  EXPECT_EQ(env["RUNNER_OS"], "Linux");
  env["PATH"] = kPath;
  auto t = ResolveShell("bash", kPath);
  auto command = PrepareScript(
      *t, "echo \"v=$GITHUB_JOB\" >> \"$GITHUB_OUTPUT\"\necho '# hi' >> $GITHUB_STEP_SUMMARY\n",
      dir_.string());
  ASSERT_TRUE(command.has_value());
  ProcessOptions options;
  options.argv = command->argv;
  options.env = env;
  ASSERT_TRUE(RunProcess(options, {}, nullptr).succeeded());
  std::ifstream output(files->output);
  std::string line;
  std::getline(output, line);
  EXPECT_EQ(line, "v=build");
  std::ifstream summary(files->step_summary);
  std::getline(summary, line);
  EXPECT_EQ(line, "# hi");
}

}  // namespace
}  // namespace slipway::exec
