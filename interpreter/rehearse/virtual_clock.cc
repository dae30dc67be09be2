#include "interpreter/rehearse/virtual_clock.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace slipway::rehearse {
namespace {

std::atomic<uint64_t> next_clock_id{1};

// A thread's timeline on the one VirtualClock it uses. A fresh thread has a fresh slot, so a
// reused thread id never inherits an old timeline.
struct Slot {
  uint64_t clock = 0;
  exec::Clock::Duration elapsed{0};
};
thread_local Slot slot;

// Real time given to other threads on every virtual sleep, so a polling loop cannot starve a
// process it waits for; small enough that 2,880 approval polls cost well under a second.
constexpr auto kRealYield = std::chrono::microseconds(100);

}  // namespace

VirtualClock::VirtualClock(std::chrono::system_clock::time_point wall_start)
    : id_(next_clock_id++), start_(std::chrono::steady_clock::now()), wall_start_(wall_start) {}

exec::Clock::Duration& VirtualClock::Mine() const {
  if (slot.clock != id_) {
    slot.clock = id_;
    slot.elapsed = latest_;
  }
  slot.elapsed = std::max(slot.elapsed, floor_);
  return slot.elapsed;
}

exec::Clock::Duration VirtualClock::Elapsed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return Mine();
}

exec::Clock::Duration VirtualClock::Latest() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return latest_;
}

exec::Clock::TimePoint VirtualClock::Now() const { return start_ + Elapsed(); }

std::chrono::system_clock::time_point VirtualClock::WallNow() const {
  // One shared wall time that moves on by a millisecond at every reading, so records stamped
  // one after the other (a job's end, the next job's start) are ordered as they happened.
  std::lock_guard<std::mutex> lock(mutex_);
  latest_ = std::max(latest_, Mine()) + std::chrono::milliseconds(1);
  return wall_start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(latest_);
}

bool VirtualClock::SleepUntil(TimePoint deadline, exec::CancelToken& cancel) {
  if (cancel.is_cancelled()) return false;
  Duration reached;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Duration& mine = Mine();
    mine = std::max(mine, deadline - start_);
    latest_ = std::max(latest_, mine);
    reached = mine;
  }
  Reached(reached);
  std::this_thread::sleep_for(kRealYield);
  return !cancel.is_cancelled();
}

void VirtualClock::Advance(Duration by) {
  Duration reached;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    floor_ = std::max(floor_, latest_ + by);
    latest_ = std::max(latest_, floor_);
    reached = latest_;
  }
  Reached(reached);
}

void VirtualClock::At(Duration at, std::function<void()> action) {
  {
    std::lock_guard<std::mutex> lock(events_mutex_);
    events_.push_back({at, std::move(action)});
    std::stable_sort(events_.begin(), events_.end(),
                     [](const Event& a, const Event& b) { return a.at < b.at; });
  }
  Reached(Latest());
}

void VirtualClock::Reached(Duration elapsed) {
  std::lock_guard<std::mutex> lock(events_mutex_);
  while (!events_.empty() && events_.front().at <= elapsed) {
    Event event = std::move(events_.front());
    events_.erase(events_.begin());
    event.action();
  }
}

}  // namespace slipway::rehearse
