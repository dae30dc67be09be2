#pragma once
/// The HTML run report (`slipway report RUN_ID -o FILE`, `slipway run --report`): one
/// self-contained file — inline CSS and SVG, no scripts, no external assets, and a
/// Content-Security-Policy that forbids loading any — showing the job graph coloured by result,
/// a Gantt timeline of jobs, gate waits and steps, the gates and approvals, each job's outputs
/// and step logs (collapsible), the summary rendered from Markdown and the run's audit entries.
/// Everything shown comes from the run store, which holds masked text only.

#include <string>

#include "interpreter/base/expected.h"
#include "interpreter/report/run_history.h"

namespace slipway::exec {
class Masker;
class Store;
}

namespace slipway::report {

/// The report of `run` as one HTML document. `masker` (may be null) masks the logs read.
std::string RenderHtmlReport(const RunView& run, const exec::Masker* masker);

/// Loads run `run_id` of `state_dir` and writes its report to `path` (atomically).
Expected<bool> WriteHtmlReport(const std::string& state_dir, const std::string& run_id,
                               const std::string& path, const exec::Masker* masker);
/// The same through a Store (the PostgreSQL backend): what it keeps of a run — the record and
/// the artifacts index; no events (job times only), summary or audit entries.
Expected<bool> WriteHtmlReport(exec::Store& store, const std::string& run_id,
                               const std::string& path, const exec::Masker* masker);

}  // namespace slipway::report
