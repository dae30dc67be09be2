#pragma once
/// GitHub's rule for a concurrency group's name, the one place load (validate), plan and run
/// (local and PostgreSQL) ask it.

#include <cstddef>
#include <string>
#include <string_view>

namespace slipway::model {

/// The longest group name GitHub takes, in UTF-16 units: WorkflowTemplateConverter
/// .ConvertToConcurrency reports "Concurrency group name must be less than 400 characters" when
/// `Group.Length > 400` (so 400 itself is allowed) -- for a literal group when the file is loaded
/// (early validation), and for one from an expression when it is evaluated at run time.
inline constexpr size_t kMaxConcurrencyGroupLength = 400;

/// GitHub's message when `group` is too long, or "" when it is not.
std::string ConcurrencyGroupProblem(std::string_view group);

}  // namespace slipway::model
