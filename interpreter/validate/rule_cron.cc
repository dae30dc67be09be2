// `on.schedule[*].cron`:
// https://docs.github.com/actions/using-workflows/events-that-trigger-workflows#schedule POSIX cron
// with five fields (minute hour day-of-month month day-of-week), each `*`, a value, a range a-b, a
// step x/n, or a comma list of those; months and weekdays also by name.
#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/validate/rule.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {
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
  std::string lower = Lower(text);
  for (size_t i = 0; i < field.names.size(); ++i) {
    if (lower == field.names[i]) return field.min + static_cast<int>(i);
  }
  return Number(text);
}

/// Returns "" when `part` is valid for `field`, else why not.
std::string CheckPart(std::string_view part, const Field& field) {
  if (part.empty()) return fmt::format("the {} field has an empty item", field.name);
  if (part.find(',') != std::string_view::npos) {
    size_t start = 0;
    while (true) {
      size_t comma = part.find(',', start);
      std::string error = CheckPart(part.substr(start, comma - start), field);
      if (!error.empty()) return error;
      if (comma == std::string_view::npos) return "";
      start = comma + 1;
    }
  }
  if (size_t slash = part.find('/'); slash != std::string_view::npos) {
    std::optional<int> step = Number(part.substr(slash + 1));
    if (!step || *step <= 0) {
      return fmt::format("step \"{}\" of the {} field is not a positive number",
                         part.substr(slash + 1), field.name);
    }
    std::string_view base = part.substr(0, slash);
    if (base == "*") return "";
    return CheckPart(base, field);
  }
  if (part == "*") return "";
  auto in_range = [&field](std::string_view text, std::string* error) {
    std::optional<int> value = Value(text, field);
    if (!value) {
      *error = fmt::format("\"{}\" is not a valid {} value", text, field.name);
      return false;
    }
    if (*value < field.min || *value > field.max) {
      *error = fmt::format("{} {} is out of range {}-{}", field.name, *value, field.min, field.max);
      return false;
    }
    return true;
  };
  std::string error;
  if (size_t dash = part.find('-'); dash != std::string_view::npos && dash > 0) {
    if (!in_range(part.substr(0, dash), &error) || !in_range(part.substr(dash + 1), &error)) {
      return error;
    }
    if (*Value(part.substr(0, dash), field) > *Value(part.substr(dash + 1), field)) {
      return fmt::format("range \"{}\" of the {} field goes backwards", part, field.name);
    }
    return "";
  }
  if (!in_range(part, &error)) return error;
  return "";
}

}  // namespace

/// Why `cron` is not a valid schedule, or "" when it is.
std::string CronError(std::string_view cron) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= cron.size()) {
    size_t space = cron.find(' ', start);
    if (space == std::string_view::npos) space = cron.size();
    if (space > start || start == 0) parts.push_back(cron.substr(start, space - start));
    start = space + 1;
  }
  if (parts.size() != 5) {
    return fmt::format("expected 5 fields (minute hour day month weekday), found {}", parts.size());
  }
  for (size_t i = 0; i < 5; ++i) {
    std::string error = CheckPart(parts[i], kFields[i]);
    if (!error.empty()) return error;
  }
  return "";
}

void CheckCron(const RuleContext& context) {
  for (const model::Trigger& trigger : context.workflow.on) {
    for (const model::Str& cron : trigger.crons) {
      if (cron.has_expr) continue;
      std::string error = CronError(cron.value);
      if (!error.empty()) {
        context.diagnostics.Error("cron", cron.where,
                                  fmt::format("invalid cron \"{}\": {}", cron.value, error));
      }
    }
  }
}

}  // namespace slipway::validate
