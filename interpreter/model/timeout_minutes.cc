#include "interpreter/model/timeout_minutes.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "interpreter/base/ascii.h"

namespace slipway::model {

std::optional<std::string> TimeoutMinutesProblem(TimeoutKey key, double minutes,
                                                 std::string_view text) {
  const char* name = key == TimeoutKey::kJobCancel ? "cancel-timeout-minutes" : "timeout-minutes";
  const char* owner = key == TimeoutKey::kStep ? "step" : "job";
  if (!std::isfinite(minutes)) {
    return fmt::format("{} {} \"{}\" is not a finite number of minutes", owner, name, text);
  }
  constexpr double kInt32Limit = 2147483648.0;  // 2^31: (Int32) overflows from here
  if (std::trunc(minutes) >= kInt32Limit || std::trunc(minutes) <= -kInt32Limit) {
    return fmt::format("{} {} \"{}\" is out of range: GitHub takes whole minutes up to {}", owner,
                       name, text, std::numeric_limits<int32_t>::max());
  }
  if (key == TimeoutKey::kJob && std::trunc(minutes) < 1) {
    return fmt::format(
        "job timeout-minutes \"{}\" is less than one minute: GitHub counts whole minutes, so the "
        "job would have {} minutes; use 1 or more",
        text, static_cast<int64_t>(std::trunc(minutes)));
  }
  if (key == TimeoutKey::kJobCancel && std::trunc(minutes) < 0) {
    return fmt::format("job cancel-timeout-minutes \"{}\" is negative; use 0 or more", text);
  }
  return std::nullopt;
}

std::optional<double> TimeoutNumber(std::string_view text) {
  std::string lower = AsciiLower(text);
  if (lower == ".nan") return std::numeric_limits<double>::quiet_NaN();
  if (lower == ".inf" || lower == "+.inf") return std::numeric_limits<double>::infinity();
  if (lower == "-.inf") return -std::numeric_limits<double>::infinity();
  std::string copy(text);
  if (copy.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (!end || *end != '\0') return std::nullopt;
  return value;
}

}  // namespace slipway::model
