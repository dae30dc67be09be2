#pragma once
/// CancelToken: the one flag that says "stop": set by the signal watcher (SIGINT/SIGTERM), by
/// fail-fast, or by a job timeout; read by the scheduler, job runners, processes and built-in
/// steps. Shared across threads, so it is the one thing held by shared_ptr (STYLE.md §6).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace slipway::exec {

/// A thread-safe, one-way cancellation flag that sleepers can wait on.
class CancelToken {
 public:
  static std::shared_ptr<CancelToken> Make() { return std::make_shared<CancelToken>(); }

  /// Sets the flag (idempotent) and wakes every thread waiting in WaitFor/WaitUntil.
  void RequestCancel() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      cancelled_.store(true);
    }
    wake_.notify_all();
  }
  bool is_cancelled() const { return cancelled_.load(); }

  /// Sleeps until `deadline` (steady clock) or cancellation; returns true when cancelled.
  bool WaitUntil(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    return wake_.wait_until(lock, deadline, [this] { return cancelled_.load(); });
  }
  bool WaitFor(std::chrono::steady_clock::duration duration) {
    return WaitUntil(std::chrono::steady_clock::now() + duration);
  }

 private:
  std::atomic<bool> cancelled_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

using CancelTokenPtr = std::shared_ptr<CancelToken>;

}  // namespace slipway::exec
