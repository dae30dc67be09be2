#include "tests/support/cli_workspace.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace slipway::testing {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

void CliWorkspaceTest::SetUp() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = fs::temp_directory_path() / ("slipway-e2e-" + std::to_string(getpid()) + "-" +
                                      info->test_suite_name() + "-" + info->name());
  fs::remove_all(dir_);
  fs::create_directories(dir_);
}

void CliWorkspaceTest::TearDown() {
  if (!HasFailure()) fs::remove_all(dir_);
}

void CliWorkspaceTest::Write(const std::string& name, const std::string& text) {
  fs::create_directories((dir_ / name).parent_path());
  std::ofstream(dir_ / name) << text;
}

std::string CliWorkspaceTest::Read(const std::string& name) {
  std::ifstream in(dir_ / name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool CliWorkspaceTest::Exists(const std::string& name) { return fs::exists(dir_ / name); }

exec::ProcessOptions CliWorkspaceTest::Options(std::vector<std::string> args,
                                               const std::map<std::string, std::string>& env) {
  exec::ProcessOptions options;
  options.argv = {SLIPWAY_EXE};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = exec::CurrentEnvironment();
  options.env.erase("SLIPWAY_AUDIT_KEY");
  options.env.erase("GITHUB_ACTIONS");
  for (const auto& [key, value] : env) options.env[key] = value;
  options.working_directory = dir_.string();
  options.timeout = milliseconds(150'000);  // a hung run fails the test instead of CI (timeouts are whole minutes)
  options.interrupt_grace = milliseconds(2000);
  options.terminate_grace = milliseconds(1000);
  return options;
}

CliResult CliWorkspaceTest::Cli(std::vector<std::string> args,
                                const std::map<std::string, std::string>& env) {
  CliResult result;
  exec::ProcessResult process = exec::RunProcess(
      Options(std::move(args), env),
      [&](exec::OutputStream stream, std::string_view chunk) {
        (stream == exec::OutputStream::kStdout ? result.out : result.err).append(chunk);
      },
      nullptr);
  result.exit_code = process.end == exec::ProcessEnd::kExited ? process.exit_code : -1;
  return result;
}

nlohmann::json CliWorkspaceTest::RunJson(const std::string& run_id) {
  return nlohmann::json::parse(Read("state/runs/" + run_id + "/run.json"));
}

std::string CliWorkspaceTest::AllFiles(const std::string& sub) {
  std::string all;
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / sub)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    all += "\n==> " + entry.path().string() + "\n" + text.str();
  }
  return all;
}

}  // namespace slipway::testing
