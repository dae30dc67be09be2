#include "interpreter/report/render_text.h"

#include <fmt/format.h>

#include <algorithm>

namespace slipway::report {
namespace {

using nlohmann::ordered_json;

std::string Or(const std::string& text, const char* fallback) {
  return text.empty() ? fallback : text;
}

std::string Span(const std::optional<double>& start, const std::optional<double>& end) {
  if (!start || !end) return "";
  return FormatSeconds(*end - *start);
}

std::string Clip(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, width - 1) + "~";
}

const char* Mark(const std::string& result) {
  if (result == "success") return "ok  ";
  if (result == "failure") return "FAIL";
  if (result == "cancelled") return "canc";
  if (result == "skipped") return "skip";
  return "... ";
}

}  // namespace

std::string RenderRunsTable(const std::vector<RunRow>& rows) {
  if (rows.empty()) return "no runs\n";
  std::string out = fmt::format("{:<26} {:<32} {:<36} {:<14} {:<10} {:<20} {}\n", "ID", "WORKFLOW",
                                "EVENT/REF", "ACTOR", "RESULT", "STARTED", "DURATION");
  for (const RunRow& row : rows) {
    std::string started = row.started_at.size() >= 19
                              ? row.started_at.substr(0, 10) + " " + row.started_at.substr(11, 8)
                              : row.started_at;
    out += fmt::format("{:<26} {:<32} {:<36} {:<14} {:<10} {:<20} {}\n", row.id,
                       Clip(row.workflow, 32), Clip(row.event + " " + row.ref, 36),
                       Clip(row.actor, 14), row.status, started,
                       row.duration_s ? FormatSeconds(*row.duration_s) : "");
  }
  return out;
}

ordered_json RunsToJson(const std::vector<RunRow>& rows) {
  ordered_json runs = ordered_json::array();
  for (const RunRow& row : rows) {
    ordered_json r = {{"id", row.id},         {"workflow", row.workflow},
                      {"event", row.event},   {"ref", row.ref},
                      {"actor", row.actor},   {"status", row.status},
                      {"started_at", row.started_at}, {"finished_at", row.finished_at}};
    r["duration_s"] = row.duration_s ? ordered_json(*row.duration_s) : ordered_json(nullptr);
    runs.push_back(std::move(r));
  }
  return {{"runs", std::move(runs)}};
}

std::string RenderShow(const RunView& run, const Timeline& timeline) {
  const exec::RunRecord& r = run.record;
  std::string out = fmt::format("run {}: {}\n", r.id, exec::RunStatusName(r.status));
  out += fmt::format("  workflow  {}\n", r.workflow);
  out += fmt::format("  trigger   {} {} @ {}\n", r.event, r.ref, r.sha.substr(0, 12));
  out += fmt::format("  actor     {}\n", r.actor);
  std::optional<double> total = SecondsBetween(r.started_at, r.finished_at);
  out += fmt::format("  started   {}{}\n", r.started_at,
                     total ? "  (took " + FormatSeconds(*total) + ")" : "");
  if (r.inputs.is_object() && !r.inputs.empty()) {
    out += "  inputs   ";
    for (auto it = r.inputs.begin(); it != r.inputs.end(); ++it) {
      out += fmt::format(" {}={}", it.key(), it->is_string() ? it->get<std::string>() : it->dump());
    }
    out += "\n";
  }
  for (const JobTimeline& job : timeline.jobs) {
    std::string title = job.key;
    if (!job.environment.empty()) title += " [" + job.environment + "]";
    out += fmt::format("\n{} {:<40} {:<10} {}\n", Mark(job.result), title,
                       Or(job.result, job.status.c_str()), Span(job.start, job.end));
    if (!job.message.empty()) out += fmt::format("     {}\n", job.message);
    for (const WaitSpan& wait : job.waits) {
      std::string what = wait.kind == "approval"     ? "waited for approval"
                         : wait.kind == "wait_timer" ? "wait timer"
                         : wait.kind == "concurrency" ? "waited for its concurrency group"
                                                      : "waited";
      out += fmt::format("     gate: {}{} {}\n", what,
                         wait.environment.empty() ? "" : " (" + wait.environment + ")",
                         wait.end ? FormatSeconds(*wait.end - wait.start) : "(still waiting)");
    }
    for (const GateEntry& entry : job.gate) {
      out += fmt::format("     gate: {} at {}\n", entry.what, entry.time);
    }
    for (const StepSpan& step : job.steps) {
      std::string result = step.conclusion.empty() ? step.outcome : step.conclusion;
      if (!step.conclusion.empty() && step.conclusion != step.outcome) {
        result += " (outcome " + step.outcome + ")";
      }
      out += fmt::format("     {:>2}. {:<40} {:<10} {}\n", step.index + 1,
                         Clip(step.name.empty() ? step.id : step.name, 40), Or(result, "-"),
                         Span(step.start, step.end));
      for (const auto& [name, value] : step.outputs) {
        out += fmt::format("         output {} = {}\n", name, value);
      }
    }
    for (const auto& [name, value] : job.outputs) {
      out += fmt::format("     output {} = {}\n", name, value);
    }
  }
  if (!run.artifacts.empty()) out += "\nartifacts\n";
  for (const exec::ArtifactEntry& a : run.artifacts) {
    out += fmt::format("  {:<50} {:>10} bytes  sha256 {}{}\n", a.name, a.size,
                       a.sha256.substr(0, 12), a.job_key.empty() ? "" : "  (" + a.job_key + ")");
  }
  return out;
}

ordered_json ShowToJson(const RunView& run, const Timeline& timeline) {
  ordered_json out = ordered_json::parse(run.run_json.dump());
  ordered_json jobs = ordered_json::array();
  auto opt = [](const std::optional<double>& v) {
    return v ? ordered_json(*v) : ordered_json(nullptr);
  };
  for (const JobTimeline& job : timeline.jobs) {
    ordered_json j = {{"key", job.key}, {"id", job.id}, {"result", job.result},
                      {"start_s", opt(job.start)}, {"end_s", opt(job.end)}};
    ordered_json waits = ordered_json::array();
    for (const WaitSpan& w : job.waits) {
      waits.push_back({{"kind", w.kind}, {"environment", w.environment}, {"start_s", w.start},
                       {"end_s", opt(w.end)}});
    }
    j["waits"] = std::move(waits);
    ordered_json gate = ordered_json::array();
    for (const GateEntry& g : job.gate) {
      gate.push_back({{"time", g.time}, {"environment", g.environment}, {"what", g.what}});
    }
    j["gate"] = std::move(gate);
    ordered_json steps = ordered_json::array();
    for (const StepSpan& s : job.steps) {
      steps.push_back({{"index", s.index}, {"id", s.id}, {"name", s.name},
                       {"outcome", s.outcome}, {"conclusion", s.conclusion},
                       {"start_s", opt(s.start)}, {"end_s", opt(s.end)}});
    }
    j["steps"] = std::move(steps);
    jobs.push_back(std::move(j));
  }
  out["timeline"] = std::move(jobs);
  if (!run.artifacts.empty()) {
    ordered_json artifacts = ordered_json::array();
    for (const exec::ArtifactEntry& a : run.artifacts) {
      artifacts.push_back(
          {{"job", a.job_key}, {"name", a.name}, {"size", a.size}, {"sha256", a.sha256}});
    }
    out["artifacts"] = std::move(artifacts);
  }
  return out;
}

}  // namespace slipway::report
