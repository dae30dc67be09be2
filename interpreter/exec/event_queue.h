#pragma once
/// EventQueue: how workers talk to the scheduler thread (STYLE.md §8). Workers Push(); only
/// the scheduler Wait()s. Unbounded, FIFO, thread-safe.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace slipway::exec {

/// A multi-producer, single-consumer FIFO of events of type T.
template <class T>
class EventQueue {
 public:
  void Push(T event) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      events_.push_back(std::move(event));
    }
    ready_.notify_one();
  }

  /// Queues without waking the consumer: for events it only has to see eventually (it waits
  /// with a deadline while any may be queued).
  void PushQuietly(T event) {
    std::lock_guard<std::mutex> lock(mutex_);
    events_.push_back(std::move(event));
  }

  /// Blocks until an event is available and returns it.
  T Wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [this] { return !events_.empty(); });
    return PopLocked();
  }

  /// Waits at most until `deadline`; nullopt when nothing arrived.
  template <class ClockType, class Dur>
  std::optional<T> WaitUntil(std::chrono::time_point<ClockType, Dur> deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!ready_.wait_until(lock, deadline, [this] { return !events_.empty(); })) {
      return std::nullopt;
    }
    return PopLocked();
  }

  std::optional<T> TryPop() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (events_.empty()) return std::nullopt;
    return PopLocked();
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_.size();
  }

 private:
  T PopLocked() {
    T event = std::move(events_.front());
    events_.pop_front();
    return event;
  }

  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<T> events_;
};

}  // namespace slipway::exec
