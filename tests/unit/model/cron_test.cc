// model/cron.h against GitHub's cron rules (POSIX cron: five fields, UTC, ranges, steps, lists,
// names; day-of-month OR day-of-week when both are restricted).
// https://docs.github.com/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#schedule
// https://pubs.opengroup.org/onlinepubs/9699919799/utilities/crontab.html
#include "interpreter/model/cron.h"

#include <gtest/gtest.h>

namespace slipway::model {
namespace {

int64_t At(const char* rfc3339) {
  std::optional<int64_t> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(0);
}

std::string Next(const char* cron, const char* from) {
  Expected<CronSchedule, CronError> s = CronSchedule::Parse(cron);
  EXPECT_TRUE(s.has_value()) << cron << ": " << (s ? "" : s.error().message);
  if (!s) return "";
  std::optional<int64_t> next = s->NextAt(At(from));
  return next ? FormatUtc(*next) : "never";
}

TEST(CronTest, NextFiring) {
  struct Case {
    const char* cron;
    const char* from;
    const char* next;
  };
  const Case cases[] = {
      // 2026-12-02 is a Wednesday.
      {"30 5 * * 1,3", "2026-12-02T05:00:00Z", "2026-12-02T05:30:00Z"},
      {"30 5 * * 1,3", "2026-12-02T05:31:00Z", "2026-12-07T05:30:00Z"},  // next Monday
      {"*/15 * * * *", "2026-12-02T10:07:30Z", "2026-12-02T10:15:00Z"},
      {"*/15 * * * *", "2026-12-02T10:15:00Z", "2026-12-02T10:15:00Z"},  // the minute itself
      {"0 0 1 * *", "2026-12-02T00:00:00Z", "2027-01-01T00:00:00Z"},
      {"0 12 * JAN-MAR MON", "2026-12-02T00:00:00Z", "2027-01-04T12:00:00Z"},
      {"0 0 29 2 *", "2026-12-02T00:00:00Z", "2028-02-29T00:00:00Z"},  // leap day
      {"0 0 30 2 *", "2026-12-02T00:00:00Z", "never"},
      // Both day fields restricted: either one fires (the 15th, or any Friday).
      {"0 9 15 * 5", "2026-12-02T10:00:00Z", "2026-12-04T09:00:00Z"},
      // One of them `*`: both must match (only Fridays).
      {"0 9 * * 5", "2026-12-04T09:01:00Z", "2026-12-11T09:00:00Z"},
      {"5/20 3 * * *", "2026-12-02T03:06:00Z", "2026-12-02T03:25:00Z"},  // 5, 25, 45
      {"0 22 * * sun", "2026-12-02T00:00:00Z", "2026-12-06T22:00:00Z"},
      {"0 8-10/2 * * *", "2026-12-02T08:30:00Z", "2026-12-02T10:00:00Z"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Next(c.cron, c.from), c.next) << c.cron << " from " << c.from;
  }
}

TEST(CronTest, ErrorsSayWhatAndWhere) {
  struct Case {
    const char* cron;
    const char* message;
    size_t offset;
    size_t length;
  };
  const Case cases[] = {
      {"0 0 * *", "expected 5 fields (minute hour day month weekday), found 4", 0, 7},
      {"60 0 * * *", "minute 60 is out of range 0-59", 0, 2},
      {"0 24 * * *", "hour 24 is out of range 0-23", 2, 2},
      {"0 0 0 * *", "day of month 0 is out of range 1-31", 4, 1},
      {"0 0 * 13 *", "month 13 is out of range 1-12", 6, 2},
      {"0 0 * * 7", "day of week 7 is out of range 0-6", 8, 1},
      {"0 0 * * FUNDAY", "\"FUNDAY\" is not a valid day of week value", 8, 6},
      {"*/0 * * * *", "step \"0\" of the minute field is not a positive number", 2, 1},
      {"0 0 * * 1,,2", "the day of week field has an empty item", 10, 1},
      {"0 5-2 * * *", "range \"5-2\" of the hour field goes backwards", 2, 3},
  };
  for (const Case& c : cases) {
    Expected<CronSchedule, CronError> s = CronSchedule::Parse(c.cron);
    ASSERT_FALSE(s.has_value()) << c.cron;
    EXPECT_EQ(s.error().message, c.message) << c.cron;
    EXPECT_EQ(s.error().offset, c.offset) << c.cron;
    EXPECT_EQ(s.error().length, c.length) << c.cron;
  }
}

TEST(CronTest, Rfc3339) {
  EXPECT_EQ(FormatUtc(At("2026-12-07T05:00:00+02:00")), "2026-12-07T03:00:00Z");
  EXPECT_EQ(FormatUtc(At("2026-12-07T03:00:00.250Z")), "2026-12-07T03:00:00Z");
  for (const char* bad : {"2026-12-07", "2026-12-07 03:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-12-07T03:00:00", "2026-12-07T25:00:00Z", "tomorrow"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace slipway::model
