#pragma once
/// FakeClock: a Clock whose time moves only when a test calls Advance(), so wait timers,
/// approval timeouts and polling are tested without sleeping (STYLE.md §10).

#include <condition_variable>
#include <mutex>

#include "interpreter/exec/clock.h"

namespace slipway::testing {

/// Time starts at an arbitrary fixed point and moves only on Advance().
class FakeClock final : public exec::Clock {
 public:
  TimePoint Now() const override;
  std::chrono::system_clock::time_point WallNow() const override;
  /// Blocks until Advance() reaches `deadline` or `cancel` is set.
  bool SleepUntil(TimePoint deadline, exec::CancelToken& cancel) override;

  /// Moves time forward and wakes sleepers whose deadline passed.
  void Advance(Duration by);
  /// Waits (up to 5 real seconds, so a broken test fails instead of hanging) until at least
  /// `count` threads sleep on this clock; returns whether they do.
  bool WaitForSleepers(int count);
  int sleepers() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  Duration elapsed_{0};
  int sleepers_ = 0;
};

}  // namespace slipway::testing
