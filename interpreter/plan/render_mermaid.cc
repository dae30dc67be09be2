#include "interpreter/plan/render.h"

namespace slipway::plan {
namespace {

/// Mermaid labels are double-quoted; quotes and angle brackets become entity codes.
std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '"':
        out += "#quot;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      case '\n':
        out += " ";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const char* ClassName(JobStatus status) {
  switch (status) {
    case JobStatus::kWillRun:
      return "willRun";
    case JobStatus::kSkipped:
      return "skipped";
    case JobStatus::kBlocked:
      return "blocked";
    case JobStatus::kConditional:
      return "conditional";
  }
  return "willRun";
}

}  // namespace

std::string RenderMermaid(const Plan& plan) {
  std::string out = "flowchart LR\n";
  if (!plan.triggered) out += "  %% not triggered: " + Escape(plan.reason) + "\n";
  for (size_t w = 0; w < plan.waves.size(); ++w) {
    std::string n = std::to_string(w + 1);
    out += "  subgraph wave" + n + "[\"Wave " + n + "\"]\n";
    for (JobIndex index : plan.waves[w]) {
      const PlannedJob& job = plan.jobs[ToInt(index)];
      std::string label = job.id;
      if (job.name != job.id) label += "<br/>" + Escape(job.name);
      label += "<br/><i>" + std::string(JobStatusName(job.status)) + "</i>";
      if (job.environment) label += "<br/>env: " + Escape(job.environment->name);
      if (!job.matrix.empty()) label += "<br/>matrix ×" + std::to_string(job.matrix.size());
      out += "    j" + std::to_string(ToInt(index)) + "[\"" + label + "\"]\n";
    }
    out += "  end\n";
  }
  for (const PlannedJob& job : plan.jobs) {
    for (JobIndex need : job.needs) {
      out +=
          "  j" + std::to_string(ToInt(need)) + " --> j" + std::to_string(ToInt(job.index)) + "\n";
    }
    // A called job hangs off the job that calls it.
    if (job.caller) {
      out += "  j" + std::to_string(ToInt(*job.caller)) + " -.-> j" +
             std::to_string(ToInt(job.index)) + "\n";
    }
  }
  out += "  classDef willRun fill:#d4f7dc,stroke:#2da44e\n";
  out += "  classDef skipped fill:#eeeeee,stroke:#999999,color:#777777\n";
  out += "  classDef blocked fill:#ffd8d3,stroke:#cf222e\n";
  out += "  classDef conditional fill:#fff4c2,stroke:#bf8700\n";
  for (const PlannedJob& job : plan.jobs) {
    if (job.wave == 0) continue;
    out += "  class j" + std::to_string(ToInt(job.index)) + " " + ClassName(job.status) + "\n";
  }
  return out;
}

}  // namespace slipway::plan
