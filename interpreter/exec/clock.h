#pragma once
/// Clock: where exec gets time from. Wait timers, approval timeouts, polling and monitors ask a
/// Clock, so tests drive them with FakeClock::Advance() (tests/support/fake_clock.h) instead of
/// sleeping, as ninja's VirtualFileSystem::Tick() does.

#include <chrono>
#include <string>

#include "interpreter/exec/cancel_token.h"

namespace slipway::exec {

/// A source of monotonic time, wall time, and cancellable sleeps.
class Clock {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  /// Monotonic time, for deadlines and durations.
  virtual TimePoint Now() const = 0;
  /// Wall-clock time, for records ("started_at").
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
  /// Sleeps until `deadline` or until `cancel` is set; returns false when cancelled.
  virtual bool SleepUntil(TimePoint deadline, CancelToken& cancel) = 0;
  bool SleepFor(Duration duration, CancelToken& cancel) {
    return SleepUntil(Now() + duration, cancel);
  }
};

/// The real clock: steady_clock and system_clock.
class RealClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point WallNow() const override {
    return std::chrono::system_clock::now();
  }
  bool SleepUntil(TimePoint deadline, CancelToken& cancel) override {
    return !cancel.WaitUntil(deadline);
  }
};

/// UTC time as "2026-01-31T12:34:56.789Z" (run.json and the audit log).
std::string FormatUtc(std::chrono::system_clock::time_point time);

}  // namespace slipway::exec
