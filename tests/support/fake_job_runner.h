#pragma once
/// FakeJobRunner: a JobRunner that runs nothing. It records which job instances were started
/// (and with what needs/matrix), and finishes them either at once with a scripted outcome
/// (auto mode) or when the test calls Finish() from its own thread (manual mode), so scheduler
/// tests control completion order and never sleep.

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "interpreter/exec/job_runner.h"

namespace slipway::testing {

class FakeJobRunner final : public exec::JobRunner {
 public:
  /// `max_running`: CanStartMore() is false when that many are started and unfinished.
  FakeJobRunner(exec::RunEventQueue& events, size_t max_running, bool auto_finish)
      : events_(events), max_running_(max_running), auto_finish_(auto_finish) {}

  bool CanStartMore() const override;
  void Start(exec::JobAssignment job) override;

  /// The outcome auto mode reports for `key` (default: success, no outputs).
  void SetOutcome(const std::string& key, exec::JobOutcome outcome);
  /// Manual mode: finishes a running job.
  void Finish(const std::string& key, exec::JobOutcome outcome);
  /// Waits (up to 5 real seconds) until `count` jobs have been started in total.
  bool WaitForStarted(size_t count);

  std::vector<std::string> started() const;
  std::set<std::string> running() const;
  size_t max_concurrent() const;
  /// The assignment a job was started with (copied), e.g. to check its needs context.
  exec::JobAssignment assignment(const std::string& key) const;

 private:
  exec::RunEventQueue& events_;
  size_t max_running_;
  bool auto_finish_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> started_;
  std::set<std::string> running_;
  size_t max_concurrent_ = 0;
  std::map<std::string, exec::JobOutcome> outcomes_;
  std::map<std::string, exec::JobAssignment> assignments_;
};

}  // namespace slipway::testing
