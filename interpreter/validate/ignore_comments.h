#pragma once
/// `# slipway-ignore: rule-id[, rule-id...]` comments: a finding is silenced by such a comment
/// on its own line or on the line above it. Being keyed to the finding's line (not to a line
/// number stored elsewhere), the comment keeps working when lines are added around it.

#include <string_view>

#include "interpreter/base/diagnostic.h"

namespace slipway::validate {

/// Removes from `diagnostics` every finding silenced by a comment in `text` (the file the
/// findings are about). `all` as a rule id silences every rule on that line.
void ApplyIgnoreComments(std::string_view text, Diagnostics& diagnostics);

}  // namespace slipway::validate
