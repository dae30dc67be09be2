#include "tests/support/fake_job_runner.h"

#include <chrono>

namespace slipway::testing {

bool FakeJobRunner::CanStartMore() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_.size() < max_running_;
}

void FakeJobRunner::Start(exec::JobAssignment job) {
  std::string key = job.key;
  exec::JobOutcome outcome;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    started_.push_back(key);
    assignments_[key] = job;
    if (auto it = outcomes_.find(key); it != outcomes_.end()) outcome = it->second;
    if (!auto_finish_) {
      running_.insert(key);
      max_concurrent_ = std::max(max_concurrent_, running_.size());
    } else {
      max_concurrent_ = std::max<size_t>(max_concurrent_, 1);
    }
  }
  changed_.notify_all();
  if (auto_finish_) {
    // A cancelled job reports cancelled, as a real one would after stopping its step.
    if (job.control && job.control->cancel->is_cancelled()) {
      outcome.result = exec::JobResult::kCancelled;
    }
    events_.Push(exec::JobFinished{key, std::move(outcome)});
  }
}

void FakeJobRunner::SetOutcome(const std::string& key, exec::JobOutcome outcome) {
  std::lock_guard<std::mutex> lock(mutex_);
  outcomes_[key] = std::move(outcome);
}

void FakeJobRunner::Finish(const std::string& key, exec::JobOutcome outcome) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_.erase(key);
  }
  events_.Push(exec::JobFinished{key, std::move(outcome)});
}

bool FakeJobRunner::WaitForStarted(size_t count) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, std::chrono::seconds(5), [&] { return started_.size() >= count; });
}

std::vector<std::string> FakeJobRunner::started() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return started_;
}

std::set<std::string> FakeJobRunner::running() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_;
}

size_t FakeJobRunner::max_concurrent() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return max_concurrent_;
}

exec::JobAssignment FakeJobRunner::assignment(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = assignments_.find(key);
  return it == assignments_.end() ? exec::JobAssignment{} : it->second;
}

}  // namespace slipway::testing
