#pragma once
/// FakeStepExecutors: the step executor table of a run replaced by one fake (STYLE.md §8b), as
/// ninja tests its Builder with a fake CommandRunner. Nothing is spawned: each step does what
/// the test said for its name (default: succeed), and every call is recorded with what the
/// step was given (its env context, process environment, script, shell, working directory,
/// inputs, timeout), so status functions, continue-on-error, timeouts, outputs, env layering
/// and cancellation are tested without bash.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "interpreter/exec/step_executor.h"

namespace slipway::testing {

class FakeStepExecutors final : public exec::StepExecutorFactory {
 public:
  using Behaviour = std::function<exec::StepOutcome(const exec::ResolvedStep&, exec::StepIo&)>;

  /// What one step was given.
  struct Call {
    std::string job;  // GITHUB_JOB of the step
    std::string name;
    exec::StepKind kind = exec::StepKind::kShell;
    nlohmann::ordered_json env;
    std::map<std::string, std::string> process_env;
    std::string script;
    std::string shell;
    std::string working_directory;
    std::string uses;
    nlohmann::json with;
    std::chrono::milliseconds timeout{0};
  };

  /// Steps named `name` (their evaluated display name) do `behaviour`.
  void On(const std::string& name, Behaviour behaviour);
  /// Steps named `name` fail with `message`.
  void Fail(const std::string& name, const std::string& message = "exit code 1");
  /// Steps named `name` set these outputs.
  void Outputs(const std::string& name, std::map<std::string, std::string> outputs);

  /// Every call so far, in order (thread-safe).
  std::vector<Call> calls() const;
  /// The names of the steps that ran, in order.
  std::vector<std::string> names() const;
  /// The call of the step named `name` (the last one); a default Call when it never ran.
  Call call(const std::string& name) const;

  std::unique_ptr<exec::StepExecutors> ForJob() override;

 private:
  class Executor;
  class Executors;
  exec::StepOutcome Run(const exec::ResolvedStep& step, exec::StepIo& io);

  mutable std::mutex mutex_;
  std::map<std::string, Behaviour> behaviours_;
  std::vector<Call> calls_;
};

}  // namespace slipway::testing
