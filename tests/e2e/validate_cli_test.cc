// `slipway validate` as a user runs it: exit codes, the four output formats, directories,
// --strict, and usage errors. Runs the built CLI (SLIPWAY_EXE).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/golden.h"

namespace slipway {
namespace {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

CliResult RunValidate(const std::string& args) {
  std::string command = std::string(SLIPWAY_EXE) + " validate " + args + " 2>&1";
  CliResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class ValidateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("slipway-validate-cli-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "nested");
    testing::WriteFile((dir_ / "good.yml").string(),
                       "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
                       "      - run: echo hi\n");
    testing::WriteFile((dir_ / "nested" / "bad.yaml").string(),
                       "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    enviroment: x\n"
                       "    steps:\n      - run: echo hi\n");
    testing::WriteFile((dir_ / "warn.yml").string(),
                       "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n");
    testing::WriteFile((dir_ / "notes.txt").string(), "not a workflow");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(ValidateCli, CleanFileExitsZeroWithNoOutput) {
  CliResult r = RunValidate(Path("good.yml"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "");
}

TEST_F(ValidateCli, ErrorsExitOneWithTextCaretAndSuggestion) {
  CliResult r = RunValidate(Path("nested/bad.yaml"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, Path("nested/bad.yaml") +
                       ":5:5: error: unexpected key \"enviroment\" for \"job\" section; did you "
                       "mean \"environment\"? [schema]\n"
                       "      enviroment: x\n"
                       "      ^~~~~~~~~~\n");
}

TEST_F(ValidateCli, DirectoryIsWalkedForYmlAndYaml) {
  CliResult r = RunValidate(dir_.string() + " --format json");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  nlohmann::json json = nlohmann::json::parse(r.out);
  ASSERT_EQ(json["files"].size(), 3u) << r.out;  // good.yml, nested/bad.yaml, warn.yml
  EXPECT_EQ(json["files"][0]["file"], Path("good.yml"));
  EXPECT_EQ(json["files"][0]["diagnostics"].size(), 0u);
  EXPECT_EQ(json["files"][1]["file"], Path("nested/bad.yaml"));
  const nlohmann::json& d = json["files"][1]["diagnostics"][0];
  EXPECT_EQ(d["line"], 5);
  EXPECT_EQ(d["col"], 5);
  EXPECT_EQ(d["severity"], "error");
  EXPECT_EQ(d["rule"], "schema");
  EXPECT_EQ(json["files"][2]["diagnostics"][0]["severity"], "warning");
}

TEST_F(ValidateCli, DirectoryWalkLeavesRehearsalFilesToSlipwayTest) {
  // A scenario file beside the workflows is not a workflow: walking a directory skips it.
  std::filesystem::create_directories(dir_ / "suite" / "tests");
  testing::WriteFile((dir_ / "suite" / "ok.yml").string(),
                     "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n");
  testing::WriteFile((dir_ / "suite" / "tests" / "ok.test.yml").string(),
                     "workflow: ../ok.yml\nscenarios: []\n");
  CliResult r = RunValidate(Path("suite") + " --format json");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  nlohmann::json json = nlohmann::json::parse(r.out);
  ASSERT_EQ(json["files"].size(), 1u) << r.out;
  EXPECT_EQ(json["files"][0]["file"], Path("suite/ok.yml"));
}

TEST_F(ValidateCli, WarningsExitZeroUnlessStrict) {
  EXPECT_EQ(RunValidate(Path("warn.yml")).exit_code, 0);
  EXPECT_EQ(RunValidate(Path("warn.yml") + " --strict").exit_code, 1);
}

TEST_F(ValidateCli, GithubFormatWritesAnnotations) {
  CliResult r = RunValidate(Path("nested/bad.yaml") + " --format github");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "::error file=" + Path("nested/bad.yaml") +
                       ",line=5,col=5::unexpected key \"enviroment\" for \"job\" section; did you "
                       "mean \"environment\"? [schema]\n");
}

TEST_F(ValidateCli, SarifFormatIsSarif210) {
  CliResult r = RunValidate(Path("nested/bad.yaml") + " --format sarif");
  EXPECT_EQ(r.exit_code, 1);
  nlohmann::json sarif = nlohmann::json::parse(r.out);
  EXPECT_EQ(sarif["version"], "2.1.0");
  const nlohmann::json& result = sarif["runs"][0]["results"][0];
  EXPECT_EQ(result["ruleId"], "schema");
  EXPECT_EQ(result["level"], "error");
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["region"]["startLine"], 5);
}

TEST_F(ValidateCli, UsageErrorsExitTwo) {
  EXPECT_EQ(RunValidate(Path("missing.yml")).exit_code, 2);
  EXPECT_EQ(RunValidate(Path("good.yml") + " --format xml").exit_code, 2);
  EXPECT_EQ(RunValidate(Path("good.yml") + " --no-such-flag").exit_code, 2);
  EXPECT_EQ(RunValidate("").exit_code, 2);
}

TEST_F(ValidateCli, DirectoryWithoutWorkflowFilesSaysSo) {
  std::filesystem::create_directories(dir_ / "empty" / "deeper");
  testing::WriteFile((dir_ / "empty" / "readme.md").string(), "# nothing here");
  CliResult r = RunValidate(Path("empty"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "slipway validate: note: no workflow files (*.yml, *.yaml) in \"" +
                       Path("empty") + "\"\n");
}

TEST_F(ValidateCli, PortableFlagsSlipwayExtensions) {
  testing::WriteFile(Path("ext.yml"), R"(on:
  workflow_dispatch:
    inputs:
      confirm:
        type: string
        pattern: '^yes$'
jobs:
  notify:
    runs-on: ubuntu-latest
    steps:
      - uses: slipway/notify@v1
        with:
          channel: webhook
          webhook-url: http://127.0.0.1:1/hook
          message: hi
)");
  CliResult plain = RunValidate(Path("ext.yml"));
  EXPECT_EQ(plain.exit_code, 0) << plain.out;
  EXPECT_EQ(plain.out, "");
  CliResult portable = RunValidate(Path("ext.yml") + " --portable");
  EXPECT_EQ(portable.exit_code, 0) << portable.out;
  EXPECT_NE(portable.out.find(Path("ext.yml") +
                              ":6:9: warning: \"pattern\" is a slipway "
                              "extension; GitHub refuses this workflow file [not-portable]"),
            std::string::npos)
      << portable.out;
  EXPECT_NE(portable.out.find(Path("ext.yml") + ":11:15: warning: \"slipway/notify@v1\" is a "
                                                "slipway built-in step"),
            std::string::npos)
      << portable.out;
  EXPECT_EQ(RunValidate(Path("ext.yml") + " --portable --strict").exit_code, 1);
}

// A file that never ends (/dev/zero) is refused at once, naming it, instead of being read until
// memory runs out; a pipe is read (`slipway validate /dev/stdin`).
TEST_F(ValidateCli, EndlessInputIsRefusedAndAPipeIsRead) {
  CliResult zero = RunValidate("/dev/zero");
  EXPECT_EQ(zero.exit_code, 2) << zero.out;
  EXPECT_NE(zero.out.find("/dev/zero"), std::string::npos) << zero.out;
  EXPECT_NE(zero.out.find("is not a regular file or a pipe"), std::string::npos) << zero.out;

  std::string command =
      "cat " + Path("nested/bad.yaml") + " | " + SLIPWAY_EXE + " validate /dev/stdin 2>&1";
  CliResult piped;
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) piped.out.append(buffer, n);
  int status = pclose(pipe);
  piped.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  EXPECT_EQ(piped.exit_code, 1) << piped.out;
  EXPECT_NE(piped.out.find("unexpected key \"enviroment\""), std::string::npos) << piped.out;
}

// Past the 32 MiB cap a file is refused with the reason, not read whole.
TEST_F(ValidateCli, HugeFileIsRefused) {
  std::filesystem::resize_file(Path("good.yml"), 33u * 1024 * 1024);  // sparse: zeros
  CliResult r = RunValidate(Path("good.yml"));
  EXPECT_EQ(r.exit_code, 2) << r.out.substr(0, 300);
  EXPECT_NE(r.out.find("is larger than 32 MiB"), std::string::npos) << r.out.substr(0, 300);
}

// The state directory (.slipway: environments.yml, runners.yml, run records) and .git hold no
// workflows: a walk of the repository skips them.
TEST_F(ValidateCli, DirectoryWalkSkipsTheStateDirectory) {
  std::filesystem::create_directories(dir_ / ".slipway" / "runs" / "r1");
  testing::WriteFile((dir_ / ".slipway" / "environments.yml").string(),
                     "environments:\n  production:\n    wait_timer: 0\n");
  testing::WriteFile((dir_ / ".slipway" / "runs" / "r1" / "x.yml").string(), "a: b\n");
  std::filesystem::create_directories(dir_ / ".git");
  testing::WriteFile((dir_ / ".git" / "hook.yml").string(), "a: b\n");
  CliResult r = RunValidate(dir_.string() + " --format json");
  nlohmann::json json = nlohmann::json::parse(r.out);
  ASSERT_EQ(json["files"].size(), 3u) << r.out;  // good.yml, nested/bad.yaml, warn.yml
  for (const auto& file : json["files"]) {
    EXPECT_EQ(file["file"].get<std::string>().find("/.slipway/"), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace slipway
