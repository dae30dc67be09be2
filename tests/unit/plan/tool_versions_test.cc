// step_api/tool_versions.h: version requests matched as the setup actions match them
// (node-semver ranges, https://github.com/npm/node-semver#ranges; actions/setup-python,
// setup-node, setup-go and setup-java's inputs and version files), against a fake PATH.
#include "interpreter/step_api/tool_versions.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace slipway::step_api {
namespace {

namespace fs = std::filesystem;

TEST(ToolVersionsTest, Ranges) {
  struct Case {
    const char* installed;
    const char* range;
    bool satisfied;
  };
  const Case cases[] = {
      {"3.11.7", "3.11", true},       {"3.11.7", "3.x", true},
      {"3.11.7", "3.9", false},       {"3.11.7", "3.11.7", true},
      {"3.11.7", "3.11.6", false},    {"3.11.7", ">=3.9", true},
      {"3.11.7", ">= 3.12", false},   {"3.11.7", ">=3.8 <3.12", true},
      {"3.11.7", ">=3.8 <3.11", false}, {"3.11.7", "<=3.11", true},
      {"3.11.7", ">3.11", false},     {"3.11.7", "~3.11", true},
      {"3.12.0", "~3.11", false},     {"3.11.7", "^3.10", true},
      {"4.0.0", "^3.10", false},      {"3.11.7", "3.9 - 3.12", true},
      {"3.13.1", "3.9 - 3.12", false}, {"3.11.7", "3.8 || 3.11", true},
      {"20.20.2", "v20.20.2", true},  {"20.20.2", "18", false},
      {"20.20.2", "20.x", true},      {"20.20.2", "*", true},
      {"20.20.2", "lts/iron", true},  {"20.20.2", "lts/hydrogen", false},
      {"20.20.2", "lts/*", true},     {"21.1.0", "lts/*", false},
      {"0.2.5", "^0.2.3", true},      {"0.3.0", "^0.2.3", false},
  };
  for (const Case& c : cases) {
    std::string error;
    std::optional<bool> ok = VersionSatisfies(c.installed, c.range, &error);
    ASSERT_TRUE(ok.has_value()) << c.range << ": " << error;
    EXPECT_EQ(*ok, c.satisfied) << c.installed << " in " << c.range;
  }
  std::string error;
  EXPECT_FALSE(VersionSatisfies("3.11.7", "three", &error).has_value());
  EXPECT_EQ(error, "cannot read the version range \"three\"");
  EXPECT_FALSE(VersionSatisfies("20.1.0", "lts/nonexistent", &error).has_value());
}

class SetupCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("slipway-tools-" + std::to_string(getpid()));
    fs::create_directories(dir_ / "bin");
    fs::create_directories(dir_ / "ws");
    for (const char* tool : {"python3", "node", "java"}) {
      std::ofstream(dir_ / "bin" / tool) << "#!/bin/sh\n";
      chmod((dir_ / "bin" / tool).c_str(), 0755);
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  SetupCheck Check(const char* uses, const nlohmann::json& with) {
    ToolProbe probe = [](const std::string& binary, const std::vector<std::string>& args)
        -> std::optional<std::string> {
      std::string name = fs::path(binary).filename().string();
      if (name == "python3" && args == std::vector<std::string>{"--version"}) {
        return "Python 3.11.7\n";
      }
      if (name == "node") return "v20.20.2\n";
      if (name == "java") return "openjdk version \"1.8.0_392\"\nOpenJDK Runtime\n";
      return std::nullopt;
    };
    return CheckSetupTool(uses, with, (dir_ / "bin").string(), (dir_ / "ws").string(), probe);
  }
  fs::path dir_;
};

TEST_F(SetupCheckTest, SatisfiedNamesTheBinaryAndVersion) {
  SetupCheck check = Check("actions/setup-python@v5", {{"python-version", "3.x"}});
  EXPECT_EQ(check.kind, SetupCheck::Kind::kSatisfied);
  EXPECT_EQ(check.version, "3.11.7");
  EXPECT_EQ(check.binary, (dir_ / "bin" / "python3").string());
  EXPECT_EQ(check.message, "python 3.11.7 (" + check.binary + ") satisfies python 3.x");
  EXPECT_EQ(check.outputs.at("python-version"), "3.11.7");
}

TEST_F(SetupCheckTest, UnsatisfiedSaysWhatIsInstalled) {
  SetupCheck check = Check("actions/setup-python@v5", {{"python-version", "3.99"}});
  EXPECT_EQ(check.kind, SetupCheck::Kind::kUnsatisfied);
  EXPECT_EQ(check.message, "python 3.99 was asked for, but this machine has python 3.11.7 (" +
                               (dir_ / "bin" / "python3").string() + ")");
  // A list of versions: each must be installed.
  EXPECT_EQ(Check("actions/setup-python@v5", {{"python-version", "3.11\n3.12\n"}}).kind,
            SetupCheck::Kind::kUnsatisfied);
  EXPECT_EQ(Check("actions/setup-go@v5", {{"go-version", "1.21"}}).message,
            "go 1.21 was asked for, but no go is installed (looked for go on PATH)");
}

TEST_F(SetupCheckTest, VersionFiles) {
  std::ofstream(dir_ / "ws" / ".nvmrc") << "18\n";
  EXPECT_EQ(Check("actions/setup-node@v4", {{"node-version-file", ".nvmrc"}}).kind,
            SetupCheck::Kind::kUnsatisfied);
  std::ofstream(dir_ / "ws" / ".tool-versions") << "python 3.10.1\nnodejs 20.20.2\n";
  EXPECT_EQ(Check("actions/setup-node@v4", {{"node-version-file", ".tool-versions"}}).kind,
            SetupCheck::Kind::kSatisfied);
  // setup-python reads .python-version when neither input is given.
  std::ofstream(dir_ / "ws" / ".python-version") << "3.11\n";
  SetupCheck check = Check("actions/setup-python@v5", nlohmann::json::object());
  EXPECT_EQ(check.kind, SetupCheck::Kind::kSatisfied);
  EXPECT_EQ(check.requested, "3.11 (from .python-version)");
}

TEST_F(SetupCheckTest, JavaOldStyleVersionsAndUnknownTools) {
  EXPECT_EQ(Check("actions/setup-java@v4", {{"java-version", "8"}}).kind,
            SetupCheck::Kind::kSatisfied);
  EXPECT_EQ(Check("actions/setup-java@v4", {{"java-version", "1.8"}}).kind,
            SetupCheck::Kind::kSatisfied);
  EXPECT_EQ(Check("actions/setup-java@v4", {{"java-version", "17"}}).kind,
            SetupCheck::Kind::kUnsatisfied);
  EXPECT_EQ(Check("hashicorp/setup-terraform@v3", {{"terraform_version", "1.6"}}).kind,
            SetupCheck::Kind::kUnsatisfied);
  EXPECT_EQ(Check("hashicorp/setup-terraform@v3", nlohmann::json::object()).kind,
            SetupCheck::Kind::kUnknownTool);
  EXPECT_EQ(Check("actions/setup-node@v4", nlohmann::json::object()).kind,
            SetupCheck::Kind::kNotRequested);
}

}  // namespace
}  // namespace slipway::step_api
