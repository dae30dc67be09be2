#include "tests/support/fake_step_executor.h"

namespace slipway::testing {

class FakeStepExecutors::Executor final : public exec::StepExecutor {
 public:
  explicit Executor(FakeStepExecutors& owner) : owner_(owner) {}
  exec::StepOutcome Run(const exec::ResolvedStep& step, exec::StepIo& io) override {
    return owner_.Run(step, io);
  }

 private:
  FakeStepExecutors& owner_;
};

class FakeStepExecutors::Executors final : public exec::StepExecutors {
 public:
  explicit Executors(FakeStepExecutors& owner) : executor_(owner) {}
  exec::StepExecutor& For(exec::StepKind) override { return executor_; }

 private:
  Executor executor_;
};

void FakeStepExecutors::On(const std::string& name, Behaviour behaviour) {
  std::lock_guard<std::mutex> lock(mutex_);
  behaviours_[name] = std::move(behaviour);
}

void FakeStepExecutors::Fail(const std::string& name, const std::string& message) {
  On(name, [message](const exec::ResolvedStep&, exec::StepIo&) {
    return exec::StepOutcome::Failure(message);
  });
}

void FakeStepExecutors::Outputs(const std::string& name,
                                std::map<std::string, std::string> outputs) {
  On(name, [outputs](const exec::ResolvedStep&, exec::StepIo&) {
    exec::StepOutcome outcome;
    outcome.outputs = outputs;
    return outcome;
  });
}

std::vector<FakeStepExecutors::Call> FakeStepExecutors::calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return calls_;
}

std::vector<std::string> FakeStepExecutors::names() const {
  std::vector<std::string> names;
  for (const Call& call : calls()) names.push_back(call.name);
  return names;
}

FakeStepExecutors::Call FakeStepExecutors::call(const std::string& name) const {
  std::vector<Call> all = calls();
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->name == name) return *it;
  }
  return Call{};
}

std::unique_ptr<exec::StepExecutors> FakeStepExecutors::ForJob() {
  return std::make_unique<Executors>(*this);
}

exec::StepOutcome FakeStepExecutors::Run(const exec::ResolvedStep& step, exec::StepIo& io) {
  Call call;
  call.name = step.name;
  call.kind = step.kind;
  call.env = step.env;
  call.process_env = io.ProcessEnv(step, nullptr);
  call.job = call.process_env["GITHUB_JOB"];
  call.script = step.script;
  call.shell = step.shell;
  call.working_directory = step.working_directory;
  call.uses = step.uses;
  call.with = step.with;
  call.timeout = step.timeout;
  Behaviour behaviour;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back(call);
    if (auto it = behaviours_.find(step.name); it != behaviours_.end()) behaviour = it->second;
  }
  if (!behaviour) return exec::StepOutcome{};
  return behaviour(step, io);
}

}  // namespace slipway::testing
