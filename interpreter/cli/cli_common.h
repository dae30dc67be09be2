#pragma once
/// Helpers shared by the subcommands that plan (plan, run): printing diagnostics and reading
/// KEY=VALUE flags.

#include <string>
#include <string_view>
#include <vector>

#include "interpreter/base/diagnostic.h"
#include "interpreter/plan/plan_file.h"

namespace slipway::cli {

/// Prints diagnostics to stderr: file ones as `file:line:col: ...` with the source line and a
/// caret, flag ones (no file) as `slipway <command>: error: ... [rule]`.
void PrintDiagnostics(std::string_view command, const SourceManager& sources,
                      Diagnostics& diagnostics);

/// Appends each `KEY=VALUE` of `items` to `out`; on a malformed item prints why (naming `flag`)
/// and returns false.
bool ParsePairs(std::string_view command, const std::vector<std::string>& items, const char* flag,
                plan::KeyValues* out);

}  // namespace slipway::cli
