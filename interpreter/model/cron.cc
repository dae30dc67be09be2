#include "interpreter/model/cron.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <vector>

namespace slipway::model {
namespace {

struct Field {
  const char* name;
  int min;
  int max;
  std::vector<const char*> names;  // names[i] means min + i
};

const Field kFields[] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month",
     1,
     12,
     {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    {"day of week", 0, 6, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
};

std::optional<int> Number(std::string_view text) {
  int value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int> Value(std::string_view text, const Field& field) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < field.names.size(); ++i) {
    if (lower == field.names[i]) return field.min + static_cast<int>(i);
  }
  return Number(text);
}

/// Parses one comma-separated item of a field (at `offset` in the whole text) into `bits`.
template <size_t N>
std::optional<CronError> ParseItem(std::string_view item, size_t offset, const Field& field,
                                   std::bitset<N>& bits) {
  auto error = [&](std::string message, std::string_view part) {
    size_t at = offset + static_cast<size_t>(part.data() - item.data());
    return CronError{std::move(message), at, std::max<size_t>(1, part.size())};
  };
  if (item.empty()) return error(fmt::format("the {} field has an empty item", field.name), item);
  int step = 1;
  std::string_view base = item;
  if (size_t slash = item.find('/'); slash != std::string_view::npos) {
    std::string_view step_text = item.substr(slash + 1);
    std::optional<int> parsed = Number(step_text);
    if (!parsed || *parsed <= 0) {
      return error(fmt::format("step \"{}\" of the {} field is not a positive number", step_text,
                               field.name),
                   step_text);
    }
    step = *parsed;
    base = item.substr(0, slash);
  }
  int low = field.min, high = field.max;
  auto value_of = [&](std::string_view text, int* out) -> std::optional<CronError> {
    std::optional<int> value = Value(text, field);
    if (!value) return error(fmt::format("\"{}\" is not a valid {} value", text, field.name), text);
    if (*value < field.min || *value > field.max) {
      return error(
          fmt::format("{} {} is out of range {}-{}", field.name, *value, field.min, field.max),
          text);
    }
    *out = *value;
    return std::nullopt;
  };
  if (base != "*") {
    size_t dash = base.find('-');
    if (dash != std::string_view::npos && dash > 0) {
      if (auto e = value_of(base.substr(0, dash), &low)) return e;
      if (auto e = value_of(base.substr(dash + 1), &high)) return e;
      if (low > high) {
        return error(fmt::format("range \"{}\" of the {} field goes backwards", base, field.name),
                     base);
      }
    } else {
      if (auto e = value_of(base, &low)) return e;
      // "5/15" is 5, 20, 35, 50 (to the field's end); "5" alone is just 5.
      high = item.find('/') != std::string_view::npos ? field.max : low;
    }
  }
  for (int v = low; v <= high; v += step) bits.set(static_cast<size_t>(v));
  return std::nullopt;
}

template <size_t N>
std::optional<CronError> ParseField(std::string_view text, size_t offset, const Field& field,
                                    std::bitset<N>& bits) {
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (auto e = ParseItem(item, offset + start, field, bits)) return e;
    if (comma == std::string_view::npos) return std::nullopt;
    start = comma + 1;
  }
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

}  // namespace

Expected<CronSchedule, CronError> CronSchedule::Parse(std::string_view text) {
  struct Part {
    std::string_view text;
    size_t offset;
  };
  std::vector<Part> parts;
  for (size_t i = 0; i < text.size();) {
    if (IsSpace(text[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && !IsSpace(text[end])) ++end;
    parts.push_back({text.substr(i, end - i), i});
    i = end;
  }
  if (parts.size() != 5) {
    return MakeUnexpected(CronError{
        fmt::format("expected 5 fields (minute hour day month weekday), found {}", parts.size()),
        0, text.size()});
  }
  CronSchedule s;
  if (auto e = ParseField(parts[0].text, parts[0].offset, kFields[0], s.minutes_)) {
    return MakeUnexpected(*e);
  }
  if (auto e = ParseField(parts[1].text, parts[1].offset, kFields[1], s.hours_)) {
    return MakeUnexpected(*e);
  }
  if (auto e = ParseField(parts[2].text, parts[2].offset, kFields[2], s.days_)) {
    return MakeUnexpected(*e);
  }
  if (auto e = ParseField(parts[3].text, parts[3].offset, kFields[3], s.months_)) {
    return MakeUnexpected(*e);
  }
  if (auto e = ParseField(parts[4].text, parts[4].offset, kFields[4], s.weekdays_)) {
    return MakeUnexpected(*e);
  }
  s.any_day_ = parts[2].text.front() == '*';
  s.any_weekday_ = parts[4].text.front() == '*';
  return s;
}

bool CronSchedule::DayMatches(int day_of_month, int month, int day_of_week) const {
  if (!months_.test(static_cast<size_t>(month))) return false;
  bool day = days_.test(static_cast<size_t>(day_of_month));
  bool weekday = weekdays_.test(static_cast<size_t>(day_of_week));
  // POSIX: both restricted → either; otherwise both (a `*` field matches every day anyway).
  if (!any_day_ && !any_weekday_) return day || weekday;
  return day && weekday;
}

bool CronSchedule::Matches(int64_t minute) const {
  std::time_t t = static_cast<std::time_t>(minute);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return minutes_.test(static_cast<size_t>(tm.tm_min)) &&
         hours_.test(static_cast<size_t>(tm.tm_hour)) &&
         DayMatches(tm.tm_mday, tm.tm_mon + 1, tm.tm_wday);
}

std::optional<int64_t> CronSchedule::NextAt(int64_t from) const {
  int64_t start = (from + 59) / 60 * 60;  // the next whole minute, or `from` itself
  int64_t day_start = start - ((start % 86400) + 86400) % 86400;
  const int64_t kDays = 5 * 366;
  for (int64_t d = 0; d < kDays; ++d) {
    int64_t day = day_start + d * 86400;
    std::time_t t = static_cast<std::time_t>(day);
    std::tm tm{};
    gmtime_r(&t, &tm);
    if (!DayMatches(tm.tm_mday, tm.tm_mon + 1, tm.tm_wday)) continue;
    for (int hour = 0; hour < 24; ++hour) {
      if (!hours_.test(static_cast<size_t>(hour))) continue;
      for (int minute = 0; minute < 60; ++minute) {
        if (!minutes_.test(static_cast<size_t>(minute))) continue;
        int64_t at = day + hour * 3600 + minute * 60;
        if (at >= start) return at;
      }
    }
  }
  return std::nullopt;
}

std::string FormatUtc(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::optional<int64_t> ParseRfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  auto digits = [&](size_t at, size_t count, int* out) {
    if (at + count > text.size()) return false;
    std::optional<int> n = Number(text.substr(at, count));
    if (!n) return false;
    for (size_t i = at; i < at + count; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    }
    *out = *n;
    return true;
  };
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !digits(0, 4, &year) || text[4] != '-' || !digits(5, 2, &month) ||
      text[7] != '-' || !digits(8, 2, &day) || (text[10] != 'T' && text[10] != 't') ||
      !digits(11, 2, &hour) || text[13] != ':' || !digits(14, 2, &minute) || text[16] != ':' ||
      !digits(17, 2, &second)) {
    return std::nullopt;
  }
  size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    ++at;
    size_t begin = at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) ++at;
    if (at == begin) return std::nullopt;
  }
  int offset = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
    offset = 0;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    int oh, om;
    if (!digits(at + 1, 2, &oh) || !digits(at + 4, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = (oh * 60 + om) * 60 * (text[at] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  static const int kMonthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kMonthDays[month - 1] || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t utc = timegm(&tm);
  std::tm check{};
  gmtime_r(&utc, &check);
  if (check.tm_mday != day) return std::nullopt;  // 2026-02-30
  return static_cast<int64_t>(utc) - offset;
}

}  // namespace slipway::model
