#pragma once
/// The text (and JSON) forms of `slipway runs` and `slipway show`.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interpreter/report/run_history.h"
#include "interpreter/report/timeline.h"

namespace slipway::report {

/// The runs table: ID, WORKFLOW, EVENT/REF, ACTOR, RESULT, STARTED, DURATION.
std::string RenderRunsTable(const std::vector<RunRow>& rows);
/// `slipway runs --format json`: {"runs": [{"id", "workflow", "event", "ref", "actor",
/// "status", "started_at", "finished_at", "duration_s"}]}.
nlohmann::ordered_json RunsToJson(const std::vector<RunRow>& rows);

/// `slipway show`: the run's header, then each job with its result and duration, its gate
/// (waits, who approved and when), its steps and its outputs.
std::string RenderShow(const RunView& run, const Timeline& timeline);
/// `slipway show --format json`: run.json plus "timeline" (jobs with waits, steps and times).
nlohmann::ordered_json ShowToJson(const RunView& run, const Timeline& timeline);

}  // namespace slipway::report
