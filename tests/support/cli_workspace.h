#pragma once
/// CliWorkspaceTest: the fixture of the end-to-end tests — a temporary workspace per test
/// (kept when the test fails, for a look), files written and read relative to it, and the
/// built CLI (SLIPWAY_EXE) run in it with a bounded timeout.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interpreter/exec/process.h"

namespace slipway::testing {

/// What one CLI invocation did.
struct CliResult {
  int exit_code = -1;  // -1: killed by a signal or the timeout
  std::string out;
  std::string err;
};

class CliWorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  void Write(const std::string& name, const std::string& text);
  std::string Read(const std::string& name);
  bool Exists(const std::string& name);

  /// `slipway ARGS...` in the workspace, with slipway's own secret-carrying and GitHub
  /// variables removed from the environment and `env` over it.
  exec::ProcessOptions Options(std::vector<std::string> args,
                               const std::map<std::string, std::string>& env = {});
  CliResult Cli(std::vector<std::string> args, const std::map<std::string, std::string>& env = {});

  /// DIR/runs/<run_id>/run.json under the workspace's `state` directory.
  nlohmann::json RunJson(const std::string& run_id);
  /// Every byte of every file under `sub`, each after a "==> path" line.
  std::string AllFiles(const std::string& sub);

  std::filesystem::path dir_;
};

}  // namespace slipway::testing
