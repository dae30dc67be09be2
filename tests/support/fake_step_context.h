#pragma once
/// FakeStepContext: a StepContext for stdlib unit tests. Sleep advances a fake clock instantly
/// (ninja's VirtualFileSystem::Tick), logs/audit entries/commands are recorded, RunCommand runs
/// real bash in the workspace unless a handler is installed, and cancellation can be scripted.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/step_api/step_api.h"

namespace slipway::testing {

class FakeStepContext final : public step_api::StepContext {
 public:
  /// Creates `root`/{state,run,run/artifacts,workspace}.
  explicit FakeStepContext(const std::filesystem::path& root);

  bool cancelled() const override { return cancelled_; }
  void Log(std::string_view line) override;
  void AddMask(std::string_view value) override;
  /// Replaces every value given to set_secret or AddMask with "***", as exec's masker does.
  std::string Mask(std::string_view text) const override;
  bool Sleep(std::chrono::milliseconds duration) override;
  std::string state_dir() const override { return state_dir_.string(); }
  std::string run_dir() const override { return run_dir_.string(); }
  std::string artifacts_dir() const override { return artifacts_dir_.string(); }
  std::string workspace() const override { return workspace_.string(); }
  int RunCommand(const std::string& script, std::string* output) override;
  void AppendAudit(const nlohmann::json& entry) override;
  int64_t NowMs() const override { return now_ms_; }
  std::optional<std::string> Secret(std::string_view name) const override {
    auto it = secrets_.find(std::string(name));
    return it == secrets_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  step_api::RunOrigin origin() const override { return origin_; }
  /// What set_policy configured for the environment; kNone for any other.
  step_api::RefPolicy DeploymentPolicy(std::string_view environment,
                                       std::string_view ref) const override;

  // Test controls.
  /// The run's `secrets` context as Secret() answers it.
  void set_secret(const std::string& name, const std::string& value) { secrets_[name] = value; }
  /// Who runs the step (default: run "run-1" of .github/workflows/deploy.yml, job "deploy", on
  /// refs/heads/main, without an environment).
  step_api::RunOrigin& mutable_origin() { return origin_; }
  /// Gives `environment` a deployment branch/tag policy that admits exactly `refs`.
  void set_policy(const std::string& environment, std::vector<std::string> refs) {
    policies_[environment] = std::move(refs);
  }
  void Cancel() { cancelled_ = true; }
  /// The n-th Sleep call (1-based) cancels the run and returns false.
  void CancelOnSleep(int n) { cancel_on_sleep_ = n; }
  /// Also really sleep (for tests that wait on a real process), capped at 200 ms per call.
  void set_real_sleep(bool real) { real_sleep_ = real; }
  /// Replaces real bash: the handler gets each script and fills the output.
  void set_command_handler(std::function<int(const std::string&, std::string*)> handler) {
    command_handler_ = std::move(handler);
  }

  const std::vector<std::string>& logs() const { return logs_; }
  /// All log lines joined with "\n".
  std::string LogText() const;
  const std::vector<std::string>& masks() const { return masks_; }
  const std::vector<std::chrono::milliseconds>& sleeps() const { return sleeps_; }
  const std::vector<std::string>& commands() const { return commands_; }
  const std::vector<nlohmann::json>& audit_entries() const { return audit_; }
  int64_t start_ms() const { return start_ms_; }

 private:
  std::filesystem::path state_dir_, run_dir_, artifacts_dir_, workspace_;
  mutable std::mutex mutex_;
  bool cancelled_ = false;
  bool real_sleep_ = false;
  int cancel_on_sleep_ = 0;
  int64_t start_ms_ = 1'714'564'800'000;  // 2024-05-01T12:00:00Z
  int64_t now_ms_ = start_ms_;
  std::vector<std::string> logs_;
  std::vector<std::string> masks_;
  std::vector<std::chrono::milliseconds> sleeps_;
  std::vector<std::string> commands_;
  std::vector<nlohmann::json> audit_;
  std::function<int(const std::string&, std::string*)> command_handler_;
  std::map<std::string, std::string> secrets_;
  step_api::RunOrigin origin_{"run-1",
                              ".github/workflows/deploy.yml",
                              "deploy",
                              "refs/heads/main",
                              "0123456789abcdef0123456789abcdef01234567",
                              "alice",
                              ""};
  std::map<std::string, std::vector<std::string>> policies_;
};

/// A fresh temporary directory, removed when the object dies.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace slipway::testing
