#pragma once
/// VirtualClock: the rehearsal's time. Every sleep on it (wait timers, approval polling and
/// timeouts, bake times, monitor intervals, retry delays) returns at once with time moved to
/// its deadline, so 48 hours pass in milliseconds. Each thread keeps its own timeline, and a
/// thread's first use starts it at the furthest time any thread has reached: a job starting after
/// the jobs it needs finished begins at their end, while jobs running side by side do not push
/// each other's clocks (a job's timeout stays its own). Scripted events (an approval at 10m)
/// fire when any timeline first reaches their time. Thread-safe.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "interpreter/exec/clock.h"

namespace slipway::rehearse {

class VirtualClock final : public exec::Clock {
 public:
  /// `wall_start` is what WallNow() reads at virtual time zero (fixed, so records are
  /// deterministic).
  explicit VirtualClock(std::chrono::system_clock::time_point wall_start);

  TimePoint Now() const override;
  std::chrono::system_clock::time_point WallNow() const override;
  bool SleepUntil(TimePoint deadline, exec::CancelToken& cancel) override;

  /// This thread's virtual time since the start.
  Duration Elapsed() const;
  /// The furthest virtual time any thread has reached.
  Duration Latest() const;
  /// WallNow() is one shared time (the furthest any timeline reached), one millisecond later at
  /// every reading.
  /// Moves every timeline to at least Latest() + `by` (a stubbed command's delay).
  void Advance(Duration by);
  /// Runs `action` once, when some timeline first reaches `at` (at once if already reached).
  void At(Duration at, std::function<void()> action);

 private:
  struct Event {
    Duration at;
    std::function<void()> action;
  };
  Duration& Mine() const;  // this thread's timeline (mutex_ held)
  void Reached(Duration elapsed);

  const uint64_t id_;
  const TimePoint start_;
  const std::chrono::system_clock::time_point wall_start_;
  mutable std::mutex mutex_;
  mutable Duration latest_{0};
  Duration floor_{0};
  std::vector<Event> events_;
  std::mutex events_mutex_;  // held while an event's action runs, so each runs once, in order
};

}  // namespace slipway::rehearse
