#pragma once
/// The HTML run report, for `slipway report` and `slipway run --report`.

#include <string>

namespace slipway::cli {

/// Writes the report of run `run_id` to `path` ("" → DIR/runs/<id>/report.html) and returns the
/// path written; on failure prints why (naming `command`) and returns "".
std::string WriteRunReport(const std::string& command, const std::string& state_dir,
                           const std::string& run_id, const std::string& path);

}  // namespace slipway::cli
