#include "tests/support/fake_step_context.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace slipway::testing {
namespace fs = std::filesystem;

FakeStepContext::FakeStepContext(const fs::path& root)
    : state_dir_(root / "state"),
      run_dir_(root / "state" / "runs" / "test-run"),
      artifacts_dir_(run_dir_ / "artifacts"),
      workspace_(root / "workspace") {
  fs::create_directories(artifacts_dir_);
  fs::create_directories(workspace_);
}

void FakeStepContext::Log(std::string_view line) {
  std::lock_guard<std::mutex> lock(mutex_);
  logs_.emplace_back(line);
}

void FakeStepContext::AddMask(std::string_view value) {
  std::lock_guard<std::mutex> lock(mutex_);
  masks_.emplace_back(value);
}

std::string FakeStepContext::Mask(std::string_view text) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> values = masks_;
  for (const auto& [name, value] : secrets_) values.push_back(value);
  std::string out(text);
  for (const std::string& value : values) {
    if (value.empty()) continue;
    for (size_t at = out.find(value); at != std::string::npos; at = out.find(value, at + 3)) {
      out.replace(at, value.size(), "***");
    }
  }
  return out;
}

bool FakeStepContext::Sleep(std::chrono::milliseconds duration) {
  std::lock_guard<std::mutex> lock(mutex_);
  sleeps_.push_back(duration);
  if (cancel_on_sleep_ > 0 && static_cast<int>(sleeps_.size()) >= cancel_on_sleep_) {
    cancelled_ = true;
  }
  if (cancelled_) return false;
  now_ms_ += duration.count();
  if (real_sleep_) {
    std::this_thread::sleep_for(std::min(duration, std::chrono::milliseconds(200)));
  }
  return true;
}

int FakeStepContext::RunCommand(const std::string& script, std::string* output) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    commands_.push_back(script);
  }
  std::string captured;
  int code = 0;
  if (command_handler_) {
    code = command_handler_(script, &captured);
  } else {
    fs::path file = run_dir_ / ("command-" + std::to_string(commands_.size()) + ".sh");
    std::ofstream(file) << script;
    std::string command = "cd '" + workspace_.string() + "' && bash '" + file.string() + "' 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return 127;
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) captured.append(buffer, n);
    int status = pclose(pipe);
    code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  }
  if (output) *output = captured;
  Log(captured);
  return code;
}

void FakeStepContext::AppendAudit(const nlohmann::json& entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  audit_.push_back(entry);
}

step_api::RefPolicy FakeStepContext::DeploymentPolicy(std::string_view environment,
                                                      std::string_view ref) const {
  auto it = policies_.find(std::string(environment));
  if (it == policies_.end()) return step_api::RefPolicy::kNone;
  return std::find(it->second.begin(), it->second.end(), ref) != it->second.end()
             ? step_api::RefPolicy::kAdmits
             : step_api::RefPolicy::kRefuses;
}

std::string FakeStepContext::LogText() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const std::string& line : logs_) out += line + "\n";
  return out;
}

ScratchDir::ScratchDir() {
  std::string pattern = (fs::temp_directory_path() / "slipway-test-XXXXXX").string();
  char* made = mkdtemp(pattern.data());
  path_ = made ? fs::path(made) : fs::temp_directory_path() / "slipway-test-fallback";
  fs::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace slipway::testing
