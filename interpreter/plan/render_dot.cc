#include "interpreter/plan/render.h"

namespace slipway::plan {
namespace {

/// DOT double-quoted strings escape `"` and `\`; newlines become `\n` line breaks.
std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

const char* FillColor(JobStatus status) {
  switch (status) {
    case JobStatus::kWillRun:
      return "#d4f7dc";
    case JobStatus::kSkipped:
      return "#eeeeee";
    case JobStatus::kBlocked:
      return "#ffd8d3";
    case JobStatus::kConditional:
      return "#fff4c2";
  }
  return "#ffffff";
}

}  // namespace

std::string RenderDot(const Plan& plan) {
  std::string out = "digraph plan {\n";
  out += "  label=\"" +
         Escape(plan.workflow_name + " — " + plan.event + " " + plan.ref +
                (plan.triggered ? "" : " (not triggered)")) +
         "\";\n";
  out +=
      "  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", "
      "fontname=\"Helvetica\"];\n";
  for (size_t w = 0; w < plan.waves.size(); ++w) {
    std::string n = std::to_string(w + 1);
    out += "  subgraph cluster_wave" + n + " {\n    label=\"Wave " + n + "\";\n    style=dashed;\n";
    for (JobIndex index : plan.waves[w]) {
      const PlannedJob& job = plan.jobs[ToInt(index)];
      std::string label = job.id;
      if (job.name != job.id) label += "\n" + job.name;
      label += "\n[" + std::string(JobStatusName(job.status)) + "]";
      if (job.environment) label += "\nenv: " + job.environment->name;
      if (!job.matrix.empty()) label += "\nmatrix x" + std::to_string(job.matrix.size());
      out += "    j" + std::to_string(ToInt(index)) + " [label=\"" + Escape(label) +
             "\", fillcolor=\"" + FillColor(job.status) + "\"" +
             (job.status == JobStatus::kSkipped ? ", fontcolor=\"#777777\"" : "") + "];\n";
    }
    out += "  }\n";
  }
  for (const PlannedJob& job : plan.jobs) {
    for (JobIndex need : job.needs) {
      out +=
          "  j" + std::to_string(ToInt(need)) + " -> j" + std::to_string(ToInt(job.index)) + ";\n";
    }
    // A called job hangs off the job that calls it.
    if (job.caller) {
      out += "  j" + std::to_string(ToInt(*job.caller)) + " -> j" +
             std::to_string(ToInt(job.index)) + " [style=dashed];\n";
    }
  }
  out += "}\n";
  return out;
}

}  // namespace slipway::plan
