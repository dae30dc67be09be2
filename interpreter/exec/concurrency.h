#pragma once
/// `concurrency:` groups across slipway processes sharing a state directory: one holder per
/// group at a time. A holder is a whole run (workflow-level `concurrency:`) or one job of a run
/// (job-level). A newcomer waits for the holder to finish or, with `cancel-in-progress: true`,
/// cancels it first: a run is sent SIGTERM (its slipway process stops like on Ctrl-C and exits
/// 130); a job is asked through a request file its run watches (ConcurrencyLock::
/// CancelRequested), so the rest of that run goes on. Implemented with flock on
/// DIR/concurrency/<sha256 of the group>.lock, so a killed holder releases it automatically.
/// Workflow-level and job-level groups are kept apart, so a job whose group repeats its
/// workflow's group does not wait for its own run. As on GitHub, a group has at most one
/// pending holder besides the running one: a newcomer that has to wait takes the pending slot
/// (DIR/concurrency/<hash>.lock.pending), and the waiter it replaces gives up as cancelled.

#include <functional>
#include <string>

#include "interpreter/base/expected.h"

namespace slipway::exec {

/// Who takes a group.
struct ConcurrencyHolder {
  std::string run_id;
  std::string job;  // the job key for a job-level group; "" for a whole run
};

class ConcurrencyLock {
 public:
  /// Takes the group's lock, waiting (polling every 200 ms) while another holder has it.
  /// `interrupted()` is asked while waiting: true gives up (error "cancelled"). A newer holder
  /// waiting for the same group replaces this one (error kReplaced). `say` reports what is
  /// happening ("waiting for run X ...").
  static Expected<ConcurrencyLock> Acquire(const std::string& state_dir, const std::string& group,
                                           const ConcurrencyHolder& holder, bool cancel_in_progress,
                                           const std::function<bool()>& interrupted,
                                           const std::function<void(const std::string&)>& say);
  ConcurrencyLock(ConcurrencyLock&& other) noexcept
      : fd_(other.fd_), path_(std::move(other.path_)), holder_(std::move(other.holder_)) {
    other.fd_ = -1;
  }
  ConcurrencyLock& operator=(ConcurrencyLock&&) = delete;
  ConcurrencyLock(const ConcurrencyLock&) = delete;
  ~ConcurrencyLock();

  /// Acquire's error when a newer pending holder took this one's place.
  static constexpr const char* kReplaced = "replaced by a newer pending holder of the group";

  /// True once a newer job of the group asked this (job-level) holder to stop.
  bool CancelRequested() const;

 private:
  ConcurrencyLock(int fd, std::string path, ConcurrencyHolder holder)
      : fd_(fd), path_(std::move(path)), holder_(std::move(holder)) {}
  int fd_ = -1;
  std::string path_;  // of the lock file; the cancel request is path_ + ".cancel"
  ConcurrencyHolder holder_;
};

}  // namespace slipway::exec
