#pragma once
/// `on.schedule[*].cron`: GitHub's POSIX cron syntax, parsed once for `validate` (errors with the
/// offset of the offending item) and for `plan`/`run` (which entry fires next, and when).
/// https://docs.github.com/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#schedule
///
/// Five fields separated by spaces — minute (0-59), hour (0-23), day of month (1-31), month (1-12
/// or JAN-DEC), day of week (0-6 or SUN-SAT) — each `*`, a value, a range `a-b`, a step `x/n`
/// (`*/n`, `a-b/n`, or `a/n` meaning a to the field's end), or a comma list of those. Times are
/// UTC. As in POSIX cron, when both day fields are restricted (neither starts with `*`), a day
/// matching either one fires.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "interpreter/base/expected.h"

namespace slipway::model {

/// Why a cron expression is invalid, and where in its text (0-based byte offset and length).
struct CronError {
  std::string message;
  size_t offset = 0;
  size_t length = 0;
};

/// A parsed schedule. Build with Parse; then ask Matches / NextAt.
class CronSchedule {
 public:
  static Expected<CronSchedule, CronError> Parse(std::string_view text);

  /// Does it fire at `minute` (seconds since the epoch, UTC; seconds within the minute ignored)?
  bool Matches(int64_t minute) const;
  /// The first minute at or after `from` (rounded up to a whole minute) at which it fires;
  /// nullopt when it never fires within 5 years (e.g. "0 0 30 2 *").
  std::optional<int64_t> NextAt(int64_t from) const;

 private:
  bool DayMatches(int day_of_month, int month, int day_of_week) const;

  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;      // 1..31
  std::bitset<13> months_;    // 1..12
  std::bitset<7> weekdays_;   // 0 = Sunday
  bool any_day_ = true;       // the day-of-month field starts with '*'
  bool any_weekday_ = true;   // the day-of-week field starts with '*'
};

/// "2026-12-07T03:00:00Z" (RFC 3339, UTC) for seconds since the epoch.
std::string FormatUtc(int64_t seconds);

/// Seconds since the epoch for an RFC 3339 date-time ("2026-12-07T03:00:00Z",
/// "2026-12-07T05:00:00+02:00", fractional seconds allowed and dropped); nullopt when malformed.
std::optional<int64_t> ParseRfc3339(std::string_view text);

}  // namespace slipway::model
