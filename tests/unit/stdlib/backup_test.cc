#include "stdlib/backup/backup.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "stdlib/files.h"
#include "stdlib/stack_deploy/stack_deploy.h"
#include "tests/support/fake_step_context.h"
#include "tests/support/golden.h"

namespace slipway::stdlib::backup {
namespace {

namespace fs = std::filesystem;
using slipway::testing::FakeStepContext;
using slipway::testing::ReadFile;
using slipway::testing::ScratchDir;
using step_api::StepOutcome;
using step_api::StepStatus;

StepOutcome RunBackup(FakeStepContext& context, nlohmann::json with) {
  step_api::StepInputs inputs;
  inputs.with = std::move(with);
  return Make()->Run(inputs, context);
}

TEST(BackupTest, FilesWithChecksumsAndMetadata) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  fs::path ws = context.workspace();
  fs::create_directories(ws / "config" / "nested");
  std::ofstream(ws / "template.yaml") << "Resources: {}\n";
  std::ofstream(ws / "config" / "a.toml") << "a = 1\n";
  std::ofstream(ws / "config" / "nested" / "b.toml") << "b = 2\n";
  std::ofstream(ws / "config" / "nested" / "skip.txt") << "no\n";
  StepOutcome outcome = RunBackup(context, {{"name", "pre-v1.2.0"},
                                            {"source", "files"},
                                            {"paths", "template.yaml\nconfig/**/*.toml\n"}});
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_EQ(outcome.outputs["backup-id"], "pre-v1.2.0-20240501T120000Z");
  EXPECT_EQ(outcome.outputs["files"], "3");
  fs::path root = fs::path(context.artifacts_dir()) / "backups" / "pre-v1.2.0";
  EXPECT_EQ(outcome.outputs["path"], root.string());
  EXPECT_EQ(ReadFile(root / "files" / "config" / "nested" / "b.toml"), "b = 2\n");
  EXPECT_FALSE(fs::exists(root / "files" / "config" / "nested" / "skip.txt"));
  std::string sums = ReadFile(root / "SHA256SUMS");
  EXPECT_EQ(sums, Sha256Hex("a = 1\n") + "  files/config/a.toml\n" + Sha256Hex("b = 2\n") +
                      "  files/config/nested/b.toml\n" + Sha256Hex("Resources: {}\n") +
                      "  files/template.yaml\n");
  EXPECT_EQ(outcome.outputs["checksum"], Sha256Hex(sums));
  nlohmann::json metadata = nlohmann::json::parse(ReadFile(root / "metadata.json"));
  EXPECT_EQ(metadata["id"], "pre-v1.2.0-20240501T120000Z");
  EXPECT_EQ(metadata["files"].size(), 3u);
  EXPECT_EQ(metadata["files"][2]["size"], 14);
  // The checksums file is what `sha256sum -c` expects.
  std::string output;
  EXPECT_EQ(
      context.RunCommand("cd '" + root.string() + "' && sha256sum -c --quiet SHA256SUMS", &output),
      0)
      << output;
}

TEST(BackupTest, LocalStackCurrentVersion) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  auto deploy = stack_deploy::Make();
  step_api::StepInputs inputs;
  inputs.with = {{"stack-name", "web"}, {"parameters", "Version=1"}};
  ASSERT_EQ(deploy->Run(inputs, context).status, StepStatus::kSuccess);
  inputs.with = {{"stack-name", "web"}, {"parameters", "Version=2"}};
  ASSERT_EQ(deploy->Run(inputs, context).status, StepStatus::kSuccess);
  StepOutcome outcome =
      RunBackup(context, {{"name", "stack"}, {"source", "stack"}, {"stack-name", "web"}});
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  fs::path root = fs::path(outcome.outputs["path"]);
  EXPECT_EQ(ReadFile(root / "stack" / "current"), "v2\n");
  EXPECT_NE(ReadFile(root / "stack" / "v2" / "parameters.json").find("\"Version\": \"2\""),
            std::string::npos);
  EXPECT_FALSE(fs::exists(root / "stack" / "v1"));
  nlohmann::json metadata = nlohmann::json::parse(ReadFile(root / "metadata.json"));
  EXPECT_EQ(metadata["stack"]["version"], "v2");
}

TEST(BackupTest, CommandOutput) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunBackup(
      context, {{"name", "db"}, {"source", "command"}, {"command", "printf 'row1\\nrow2\\n'"}});
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_EQ(ReadFile(fs::path(outcome.outputs["path"]) / "command" / "output.txt"), "row1\nrow2\n");
  StepOutcome failing =
      RunBackup(context, {{"name", "db"}, {"source", "command"}, {"command", "exit 4"}});
  EXPECT_EQ(failing.status, StepStatus::kFailure);
  EXPECT_EQ(failing.message, "backup command exited with 4; backup incomplete");
}

// Before a stack's first deploy there is nothing to restore: the backup succeeds and says so.
TEST(BackupTest, StackWithNoVersionRecordsNone) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome =
      RunBackup(context, {{"name", "first"}, {"source", "stack"}, {"stack-name", "web"}});
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  std::ifstream in(std::filesystem::path(context.artifacts_dir()) / "backups" / "first" /
                   "metadata.json");
  ASSERT_TRUE(in.good());
  nlohmann::json metadata = nlohmann::json::parse(in);
  EXPECT_TRUE(metadata["stack"]["version"].is_null());
  EXPECT_EQ(metadata["stack"]["name"], "web");
}

TEST(BackupTest, Failures) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome nothing =
      RunBackup(context, {{"name", "x"}, {"source", "files"}, {"paths", "missing/*.yml"}});
  EXPECT_EQ(nothing.status, StepStatus::kFailure);
  EXPECT_EQ(nothing.message, "backup: no files match \"missing/*.yml\"");
  StepOutcome bad_name =
      RunBackup(context, {{"name", "../x"}, {"source", "command"}, {"command", "true"}});
  EXPECT_EQ(bad_name.status, StepStatus::kFailure);
  EXPECT_NE(bad_name.message.find("is not a valid backup name"), std::string::npos);
  StepOutcome wrong_key =
      RunBackup(context, {{"name", "x"}, {"source", "files"}, {"paths", "a"}, {"command", "true"}});
  EXPECT_NE(wrong_key.message.find("input \"command\" applies to source command, not \"files\""),
            std::string::npos)
      << wrong_key.message;
}

}  // namespace
}  // namespace slipway::stdlib::backup
