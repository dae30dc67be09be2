#pragma once
/// Renderers of a Plan: text (waves as a tree), JSON (the contract in
/// schemas/plan.schema.json), Mermaid and DOT. One file each
/// (render_<format>.cc); renderers never decide anything, they print what the Plan says.

#include <nlohmann/json.hpp>
#include <string>

#include "interpreter/plan/plan.h"

namespace slipway::plan {

/// Human-readable plan. `color` adds ANSI colours (the CLI passes true only on a TTY).
std::string RenderText(const Plan& plan, bool color);

/// The JSON document (schemas/plan.schema.json), and its text (2-space indented, newline).
nlohmann::ordered_json PlanToJson(const Plan& plan);
std::string RenderJson(const Plan& plan);

/// A Mermaid flowchart: one subgraph per wave, edges for needs, a class per status.
std::string RenderMermaid(const Plan& plan);

/// A Graphviz digraph: one cluster per wave, edges for needs, fill colour per status.
std::string RenderDot(const Plan& plan);

}  // namespace slipway::plan
