#include "interpreter/exec/shell.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
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
      {"", "bash -e {0}", ".sh"},
      {"bash", "bash --noprofile --norc -eo pipefail {0}", ".sh"},
      {"sh", "sh -e {0}", ".sh"},
      // Debian ships python3 only, unless python-is-python3 is installed.
      {"python",
       std::system(("PATH=" + kPath + " command -v python >/dev/null 2>&1").c_str()) == 0
           ? "python {0}"
           : "python3 {0}",
       ".py"},
      {"pwsh", "pwsh -command . '{0}'", ".ps1"},
      // A custom shell's file takes the extension of its command's name, none for others
      // (ScriptHandlerHelpers.GetScriptFileExtension).
      {"perl -w {0}", "perl -w {0}", ""},
      {"python3 {0}", "python3 {0}", ""},
      {"python {0}", "python {0}", ".py"},
      // The runner splits with .NET's rules: double quotes group, single quotes do not;
      // string.Format turns {{ and }} into braces.
      {"bash -x '{0}' \"two words\"", "bash -x '{0}' two words", ".sh"},
      {"bash  -e   {0} {{x}} {{0}}", "bash -e {0} {{x}} {{0}}", ".sh"},
      // Only the rest after the command is a format; without one, the command's default.
      {"bash ", "bash --noprofile --norc -e -o pipefail {0}", ".sh"},
  };
  for (const Case& c : cases) {
    auto t = ResolveShell(c.shell, kPath);
    ASSERT_TRUE(t.has_value()) << c.shell << ": " << t.error();
    EXPECT_EQ(Joined(t->argv), c.argv) << c.shell;
    EXPECT_EQ(t->extension, c.extension) << c.shell;
  }
}

// .NET's Process.ParseArgumentsIntoList, as the runner hands a custom shell its arguments.
TEST(ShellTest, SplitsArgumentsAsDotNet) {
  auto split = [](std::string_view line) {
    std::string out;
    for (const std::string& word : SplitCommandLine(line)) out += "[" + word + "]";
    return out;
  };
  EXPECT_EQ(split("  a\tb  c "), "[a][b][c]");
  EXPECT_EQ(split("'a b'"), "['a][b']");
  EXPECT_EQ(split("\"a b\" c"), "[a b][c]");
  EXPECT_EQ(split("\"x\\\"y\""), "[x\"y]");          // \" is a quote
  EXPECT_EQ(split("a\\\\\"b c\""), "[a\\b c]");     // \\" is a backslash, then a quote
  EXPECT_EQ(split("a\\b"), "[a\\b]");                // backslashes elsewhere are literal
  EXPECT_EQ(split("\"a\"\"b\""), "[a\"b]");            // "" inside quotes is a quote
  EXPECT_EQ(split("\"\" x"), "[][x]");                  // an empty quoted argument
}

// .NET's string.Format with the script path as its one argument.
TEST(ShellTest, FormatsScriptArgumentsAsDotNet) {
  EXPECT_EQ(FormatScriptArgument("{0}", "/s.sh").value(), "/s.sh");
  EXPECT_EQ(FormatScriptArgument("--f={0}:{0}", "/s").value(), "--f=/s:/s");
  EXPECT_EQ(FormatScriptArgument("{{0}}", "/s").value(), "{0}");
  EXPECT_EQ(FormatScriptArgument("{{{0}}}", "/s").value(), "{/s}");
  EXPECT_FALSE(FormatScriptArgument("}", "/s").has_value());
  EXPECT_FALSE(FormatScriptArgument("{1}", "/s").has_value());
  EXPECT_FALSE(FormatScriptArgument("{x}", "/s").has_value());
  auto lone = ResolveShell("bash -e {0} }", kPath);
  ASSERT_FALSE(lone.has_value());
  EXPECT_NE(lone.error().find("not in a correct format"), std::string::npos) << lone.error();
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

// GitHub's runner (ScriptHandler.cs): with no `shell:` a step runs `bash -e {0}`: a failing
// command stops the script, but a failure inside a pipeline does not (no pipefail).
TEST_F(ShellRunTest, UnspecifiedShellHasNoPipefail) {
  auto t = ResolveShell("", kPath);
  ASSERT_TRUE(t.has_value());
  auto command = PrepareScript(*t, "false | true\necho reached\nfalse\necho not-reached\n",
                               dir_.string());
  ASSERT_TRUE(command.has_value());
  std::string out;
  ProcessOptions options;
  options.argv = command->argv;
  options.env = {{"PATH", kPath}};
  ProcessResult result = RunProcess(
      options, [&](OutputStream, std::string_view chunk) { out.append(chunk); }, nullptr);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(out, "reached\n");
}

// An explicit `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`.
TEST_F(ShellRunTest, ExplicitBashFailsOnPipefail) {
  auto t = ResolveShell("bash", kPath);
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

TEST_F(ShellRunTest, ScriptFilesAreOwnerOnly) {
  auto t = ResolveShell("", kPath);
  auto command = PrepareScript(*t, "echo secret\n", dir_.string());
  ASSERT_TRUE(command.has_value());
  EXPECT_EQ(std::filesystem::status(command->script_path).permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(ShellRunTest, StepFilesAndRunnerVariables) {
  auto files = CreateStepFiles(dir_.string(), "build-1");
  ASSERT_TRUE(files.has_value()) << files.error();
  // As GitHub's runner: GITHUB_<KEY> for the allow-listed github context keys (strings and
  // booleans as .NET writes them), RUNNER_<KEY> for the runner context's.
  nlohmann::ordered_json github = {{"repository", "octo/app"},
                                   {"repository_owner", "octo"},
                                   {"job", "build"},
                                   {"ref", "refs/heads/main"},
                                   {"ref_protected", false},
                                   {"token", "not-exported"},
                                   {"event", nlohmann::ordered_json::object()}};
  nlohmann::ordered_json runner = {{"os", "Linux"}, {"temp", "/tmp/x"}};
  std::map<std::string, std::string> env = RunnerEnvironment(github, runner, "__run", &*files);
  EXPECT_EQ(env["CI"], "true");
  EXPECT_EQ(env["GITHUB_ACTIONS"], "true");
  EXPECT_EQ(env["GITHUB_REPOSITORY_OWNER"], "octo");
  // BooleanContextData.ToString() is lower case.
  EXPECT_EQ(env["GITHUB_REF_PROTECTED"], "false");
  EXPECT_EQ(env["GITHUB_ACTION"], "__run");
  EXPECT_EQ(env.count("GITHUB_TOKEN"), 0u);
  EXPECT_EQ(env.count("GITHUB_EVENT"), 0u);
  EXPECT_EQ(env["GITHUB_OUTPUT"], files->output);
  EXPECT_EQ(env["RUNNER_OS"], "Linux");
  EXPECT_EQ(env["RUNNER_TEMP"], "/tmp/x");
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

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST_F(ShellRunTest, RecycledStepFilesAreEmptyAndMoved) {
  auto first = CreateStepFiles(dir_.string(), "__run_1");
  ASSERT_TRUE(first.has_value()) << first.error();
  std::ofstream(first->output) << "v=1\n";
  std::ofstream(first->env) << "A=1\n";
  auto second = CreateStepFiles(dir_.string(), "__run_2", &*first);
  ASSERT_TRUE(second.has_value()) << second.error();
  EXPECT_NE(second->output, first->output);
  for (const std::string* path :
       {&second->output, &second->env, &second->path, &second->step_summary, &second->state}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(*path)) << *path;
    EXPECT_EQ(std::filesystem::file_size(*path), 0u) << *path;
  }
  // A path the first step remembered no longer names the second step's file.
  EXPECT_FALSE(std::filesystem::exists(first->output));
  EXPECT_FALSE(std::filesystem::exists(first->env));
  EXPECT_EQ(std::filesystem::status(second->output).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(ShellRunTest, RecyclingNeverWritesThroughALinkTheStepLeft) {
  auto first = CreateStepFiles(dir_.string(), "one");
  ASSERT_TRUE(first.has_value());
  std::filesystem::path victim = dir_ / "victim.txt";
  std::ofstream(victim) << "keep me\n";
  std::filesystem::remove(first->output);
  std::filesystem::create_symlink(victim, first->output);
  std::filesystem::remove(first->env);
  std::filesystem::create_hard_link(victim, first->env);
  std::filesystem::remove(first->path);  // deleted by the step: simply created anew
  std::filesystem::remove(first->step_summary);
  std::filesystem::create_directories(first->step_summary + "/sub");
  auto second = CreateStepFiles(dir_.string(), "two", &*first);
  ASSERT_TRUE(second.has_value()) << second.error();
  EXPECT_EQ(Slurp(victim), "keep me\n");
  for (const std::string* path :
       {&second->output, &second->env, &second->path, &second->step_summary}) {
    EXPECT_FALSE(std::filesystem::is_symlink(*path)) << *path;
    EXPECT_TRUE(std::filesystem::is_regular_file(*path)) << *path;
    EXPECT_EQ(std::filesystem::file_size(*path), 0u) << *path;
  }
}

TEST_F(ShellRunTest, RecycledScriptHoldsExactlyTheNewScript) {
  auto t = ResolveShell("bash", kPath);
  ASSERT_TRUE(t.has_value());
  auto first = PrepareScript(*t, "echo a-much-longer-first-script\n", dir_.string());
  ASSERT_TRUE(first.has_value()) << first.error();
  auto second = PrepareScript(*t, "echo two\n", dir_.string(), first->script_path);
  ASSERT_TRUE(second.has_value()) << second.error();
  EXPECT_NE(second->script_path, first->script_path);
  EXPECT_FALSE(std::filesystem::exists(first->script_path));
  EXPECT_EQ(Slurp(second->script_path), "echo two\n");
  std::string out;
  ProcessOptions options;
  options.argv = second->argv;
  options.env = {{"PATH", kPath}};
  ProcessResult result = RunProcess(
      options, [&](OutputStream, std::string_view chunk) { out.append(chunk); }, nullptr);
  EXPECT_TRUE(result.succeeded());
  EXPECT_EQ(out, "two\n");
  // Longer again: the file grows.
  auto third = PrepareScript(*t, "echo three; echo and more\n", dir_.string(), second->script_path);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(Slurp(third->script_path), "echo three; echo and more\n");
}

}  // namespace
}  // namespace slipway::exec
