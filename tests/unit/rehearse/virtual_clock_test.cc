// VirtualClock: sleeps return at once with time moved; each thread keeps its own timeline, new
// threads start at the furthest one; scripted events fire once, in time order.
#include "interpreter/rehearse/virtual_clock.h"

#include <gtest/gtest.h>

#include <latch>
#include <thread>
#include <vector>

namespace slipway::rehearse {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const auto kStart = std::chrono::system_clock::time_point(std::chrono::seconds(1'767'225'600));

TEST(VirtualClock, FortyEightHoursOfSleepPassAtOnce) {
  VirtualClock clock(kStart);
  exec::CancelTokenPtr cancel = exec::CancelToken::Make();
  auto real_start = std::chrono::steady_clock::now();
  auto start = clock.Now();
  for (int i = 0; i < 48 * 60; ++i) ASSERT_TRUE(clock.SleepFor(minutes(1), *cancel));
  EXPECT_EQ(clock.Now() - start, hours(48));
  EXPECT_LT(std::chrono::steady_clock::now() - real_start, std::chrono::seconds(30));
  EXPECT_GE(clock.WallNow() - kStart, hours(48));
}

TEST(VirtualClock, CancelledSleepReturnsFalseWithoutMovingTime) {
  VirtualClock clock(kStart);
  exec::CancelTokenPtr cancel = exec::CancelToken::Make();
  cancel->RequestCancel();
  auto before = clock.Now();
  EXPECT_FALSE(clock.SleepFor(hours(1), *cancel));
  EXPECT_EQ(clock.Now(), before);
}

TEST(VirtualClock, ThreadsSideBySideKeepTheirOwnTime) {
  VirtualClock clock(kStart);
  exec::CancelTokenPtr cancel = exec::CancelToken::Make();
  // Both threads join at zero (a latch holds them until both have), then one sleeps 5 hours
  // and the other a minute: neither pushes the other's time.
  VirtualClock::Duration long_sleeper{}, short_sleeper{};
  std::latch joined(2);
  std::thread a([&] {
    clock.Elapsed();
    joined.arrive_and_wait();
    ASSERT_TRUE(clock.SleepFor(hours(5), *cancel));
    long_sleeper = clock.Elapsed();
  });
  std::thread b([&] {
    clock.Elapsed();
    joined.arrive_and_wait();
    ASSERT_TRUE(clock.SleepFor(minutes(1), *cancel));
    short_sleeper = clock.Elapsed();
  });
  a.join();
  b.join();
  EXPECT_EQ(long_sleeper, hours(5));
  EXPECT_EQ(short_sleeper, minutes(1));
  // A thread starting now starts where the furthest one is.
  VirtualClock::Duration later{};
  std::thread c([&] { later = clock.Elapsed(); });
  c.join();
  EXPECT_GE(later, hours(5));
}

TEST(VirtualClock, EventsFireOnceInOrderWhenTheirTimeIsReached) {
  VirtualClock clock(kStart);
  exec::CancelTokenPtr cancel = exec::CancelToken::Make();
  std::vector<int> fired;
  clock.At(hours(2), [&] { fired.push_back(2); });
  clock.At(minutes(30), [&] { fired.push_back(1); });
  EXPECT_TRUE(fired.empty());
  ASSERT_TRUE(clock.SleepFor(minutes(45), *cancel));
  EXPECT_EQ(fired, (std::vector<int>{1}));
  ASSERT_TRUE(clock.SleepFor(hours(3), *cancel));
  ASSERT_TRUE(clock.SleepFor(hours(3), *cancel));
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
  clock.At(minutes(1), [&] { fired.push_back(0); });  // already past: at once
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 0}));
}

TEST(VirtualClock, AdvanceMovesEveryTimelineAndWallTimeIsStrictlyIncreasing) {
  VirtualClock clock(kStart);
  clock.Advance(minutes(10));
  EXPECT_GE(clock.Elapsed(), minutes(10));
  auto first = clock.WallNow();
  auto second = clock.WallNow();
  EXPECT_LT(first, second);
}

}  // namespace
}  // namespace slipway::rehearse
