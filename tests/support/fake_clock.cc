#include "tests/support/fake_clock.h"

namespace slipway::testing {
namespace {

// A fixed origin keeps wall times in tests reproducible.
const std::chrono::system_clock::time_point kWallOrigin =
    std::chrono::system_clock::time_point(std::chrono::seconds(1767225600));  // 2026-01-01Z
const std::chrono::steady_clock::time_point kOrigin =
    std::chrono::steady_clock::time_point(std::chrono::hours(1000));

}  // namespace

exec::Clock::TimePoint FakeClock::Now() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return kOrigin + elapsed_;
}

std::chrono::system_clock::time_point FakeClock::WallNow() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return kWallOrigin + std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed_);
}

bool FakeClock::SleepUntil(TimePoint deadline, exec::CancelToken& cancel) {
  std::unique_lock<std::mutex> lock(mutex_);
  ++sleepers_;
  changed_.notify_all();
  while (kOrigin + elapsed_ < deadline && !cancel.is_cancelled()) {
    // The cancel token has its own condition variable; look at it every few milliseconds.
    changed_.wait_for(lock, std::chrono::milliseconds(2));
  }
  --sleepers_;
  changed_.notify_all();
  return !cancel.is_cancelled();
}

void FakeClock::Advance(Duration by) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    elapsed_ += by;
  }
  changed_.notify_all();
}

bool FakeClock::WaitForSleepers(int count) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, std::chrono::seconds(5), [&] { return sleepers_ >= count; });
}

int FakeClock::sleepers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sleepers_;
}

}  // namespace slipway::testing
