#pragma once
/// Workflow-level `concurrency:` across slipway processes sharing a state directory: one run per
/// group at a time. A second run in the group waits for the first to end, or, with
/// `cancel-in-progress: true`, cancels it (SIGTERM to its slipway process, which stops like on
/// Ctrl-C and exits 130) and then takes the group. Implemented with flock on
/// DIR/concurrency/<sha256 of the group>.lock, so a killed holder releases it automatically.

#include <functional>
#include <string>

#include "interpreter/base/expected.h"

namespace slipway::exec {

class ConcurrencyLock {
 public:
  /// Takes the group's lock, waiting (polling every 200 ms) while another run holds it.
  /// `interrupted()` is asked while waiting: true gives up (error "cancelled"). `say` reports
  /// what is happening ("waiting for run X ...").
  static Expected<ConcurrencyLock> Acquire(const std::string& state_dir, const std::string& group,
                                           const std::string& run_id, bool cancel_in_progress,
                                           const std::function<bool()>& interrupted,
                                           const std::function<void(const std::string&)>& say);
  ConcurrencyLock(ConcurrencyLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ConcurrencyLock& operator=(ConcurrencyLock&&) = delete;
  ConcurrencyLock(const ConcurrencyLock&) = delete;
  ~ConcurrencyLock();

 private:
  explicit ConcurrencyLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace slipway::exec
