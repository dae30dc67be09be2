#pragma once
/// The range a `timeout-minutes` (job or step) or `cancel-timeout-minutes` value must be in: one
/// check, used by validate on literal values and by plan on values it resolves.

#include <optional>
#include <string>
#include <string_view>

namespace slipway::model {

/// Which key holds the number: they differ below one minute.
enum class TimeoutKey { kJob, kJobCancel, kStep };

/// Why `minutes` (written as `text`) cannot be `key`'s value, or nullopt when it can. GitHub
/// converts the number to whole minutes with a C# `(Int32)` cast (WorkflowTemplateConverter
/// ConvertToJobTimeout / ConvertToStepTimeout), so 0.5 is 0 and 1e26 overflows. Refused:
/// - anything not finite, or at or past 2^31 minutes (the cast overflows);
/// - a job timeout-minutes below one whole minute: the job would have no time at all;
/// - a negative cancel-timeout-minutes.
/// A step's timeout-minutes below one is allowed: GitHub sets no step timeout then
/// (StepsRunner: `if (timeoutMinutes > 0)`), and slipway does the same.
std::optional<std::string> TimeoutMinutesProblem(TimeoutKey key, double minutes,
                                                 std::string_view text);

/// The number a literal scalar `text` holds (YAML's ".inf" / ".nan" included), or nullopt when
/// it is no number (the schema reports that).
std::optional<double> TimeoutNumber(std::string_view text);

}  // namespace slipway::model
