#pragma once
/// The pictures of the HTML report, as inline SVG (no scripts, no external assets): the job
/// graph coloured by result, and a Gantt timeline of jobs, their gate waits and their steps.

#include <string>
#include <string_view>

#include "interpreter/report/timeline.h"

namespace slipway::report {

/// `text` with &, <, >, " and ' escaped for HTML/XML text and attribute values.
std::string EscapeXml(std::string_view text);

/// The CSS class of a result: "success", "failure", "cancelled", "skipped" or "pending".
const char* ResultClass(const std::string& result);

/// The job DAG: one box per job (matrix instances each), left to right by depth in `needs`.
std::string RenderDagSvg(const Timeline& timeline);

/// The Gantt chart: a row per job (its bar, with waits at gates hatched and labelled) and a row
/// per step below it, on one time axis.
std::string RenderGanttSvg(const Timeline& timeline);

}  // namespace slipway::report
