#include "interpreter/report/html_report.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "interpreter/base/fd_io.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/report/markdown.h"
#include "interpreter/report/svg.h"
#include "interpreter/report/timeline.h"

namespace slipway::report {
namespace {

constexpr char kStyle[] = R"css(
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
       margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #24292f; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 6px; font-size: 22px; }
header .meta { color: #d0d7de; font-size: 13px; }
header .meta span { margin-right: 18px; }
main { padding: 8px 28px 40px; max-width: 1120px; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; margin: 18px 0;
          padding: 14px 18px; overflow-x: auto; }
h2 { font-size: 17px; margin: 0 0 10px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600;
         font-size: 13px; color: #fff; vertical-align: middle; }
.badge.success { background: #1a7f37; } .badge.failure { background: #cf222e; }
.badge.cancelled { background: #6e7781; } .badge.skipped { background: #8c959f; }
.badge.pending { background: #9a6700; }
table { border-collapse: collapse; }
td, th { border-bottom: 1px solid #eaeef2; padding: 4px 10px 4px 0; text-align: left;
         vertical-align: top; }
th { color: #57606a; font-weight: 600; }
code, pre { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
pre.log { background: #0d1117; color: #e6edf3; padding: 10px; border-radius: 6px;
          max-height: 420px; overflow: auto; white-space: pre-wrap; word-break: break-all; }
details { margin: 4px 0; }
details.job { border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 10px; margin: 8px 0; }
details.job > summary { font-weight: 600; cursor: pointer; }
details.step > summary { cursor: pointer; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin-right: 6px; }
.dot.success { background: #1a7f37; } .dot.failure { background: #cf222e; }
.dot.cancelled { background: #6e7781; } .dot.skipped { background: #afb8c1; }
.dot.pending { background: #bf8700; }
.muted { color: #57606a; }
svg text { font: 12px "DejaVu Sans", system-ui, sans-serif; }
svg.dag .edge { fill: none; stroke: #8c959f; stroke-width: 1.6; }
svg.dag .node rect { stroke-width: 2; }
svg.dag .node.success rect { fill: #dafbe1; stroke: #1a7f37; }
svg.dag .node.failure rect { fill: #ffebe9; stroke: #cf222e; }
svg.dag .node.cancelled rect { fill: #eaeef2; stroke: #6e7781; }
svg.dag .node.skipped rect { fill: #f6f8fa; stroke: #afb8c1; stroke-dasharray: 4 3; }
svg.dag .node.pending rect { fill: #fff8c5; stroke: #bf8700; }
svg.dag .name { font-weight: 600; fill: #1f2328; } svg.dag .sub { fill: #57606a; font-size: 11px; }
svg.gantt .tick { stroke: #eaeef2; } svg.gantt .axis { fill: #57606a; font-size: 10px; }
svg.gantt .label.job { font-weight: 600; } svg.gantt .label.step { fill: #57606a; }
svg.gantt .bar.success { fill: #2da44e; } svg.gantt .bar.failure { fill: #cf222e; }
svg.gantt .bar.cancelled { fill: #8c959f; } svg.gantt .bar.skipped { fill: #d0d7de; }
svg.gantt .bar.pending { fill: #d4a72c; } svg.gantt .bar.step { opacity: .75; }
svg.gantt .wait { stroke: #9a6700; stroke-width: 1; } svg.gantt .waitlabel { fill: #7d4e00; font-size: 11px; }
.legend span { margin-right: 14px; font-size: 12px; }
td.details code { white-space: pre-wrap; word-break: break-all; }
td { min-width: 2.5em; } td:nth-child(2) { white-space: nowrap; }
svg.dag .arrow { fill: #8c959f; }
.summary table td, .summary table th { border: 1px solid #d0d7de; padding: 4px 8px; }
)css";

std::string Esc(const std::string& text) { return EscapeXml(text); }

std::string Dot(const std::string& result) {
  return fmt::format("<span class=\"dot {}\"></span>", ResultClass(result));
}

std::string OutputsTable(const std::map<std::string, std::string>& outputs) {
  if (outputs.empty()) return "";
  std::string html = "<table class=\"outputs\"><tr><th>output</th><th>value</th></tr>";
  for (const auto& [name, value] : outputs) {
    html += fmt::format("<tr><td><code>{}</code></td><td><code>{}</code></td></tr>", Esc(name),
                        Esc(value));
  }
  return html + "</table>";
}

std::string Header(const RunView& run, const Timeline& timeline) {
  const exec::RunRecord& r = run.record;
  std::string title = timeline.workflow_name.empty() ? r.workflow : timeline.workflow_name;
  std::optional<double> took = SecondsBetween(r.started_at, r.finished_at);
  return fmt::format(
      "<header><h1>{} <span class=\"badge {}\" id=\"run-status\">{}</span></h1>"
      "<div class=\"meta\"><span><code>{}</code></span><span>run <code>{}</code></span>"
      "<span>{} {}</span><span>commit <code>{}</code></span><span>by {}</span>"
      "<span>started {}</span><span>{}</span></div></header>\n",
      Esc(title), ResultClass(exec::RunStatusName(r.status)), Esc(exec::RunStatusName(r.status)), Esc(r.workflow), Esc(r.id), Esc(r.event),
      Esc(r.ref),
      Esc(r.sha.substr(0, 12)), Esc(r.actor), Esc(r.started_at),
      took ? "took " + Esc(FormatSeconds(*took)) : std::string());
}

std::string GatesSection(const Timeline& timeline) {
  std::string rows;
  for (const JobTimeline& job : timeline.jobs) {
    for (const WaitSpan& wait : job.waits) {
      rows += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>waited for {}</td><td>{}</td></tr>", Esc(job.key),
          Esc(wait.environment), Esc(wait.kind == "wait_timer" ? "the wait timer" : wait.kind),
          wait.end ? Esc(FormatSeconds(*wait.end - wait.start)) : "still waiting");
    }
    for (const GateEntry& entry : job.gate) {
      rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", Esc(job.key),
                          Esc(entry.environment), Esc(entry.what), Esc(entry.time));
    }
  }
  if (rows.empty()) rows = "<tr><td colspan=\"4\" class=\"muted\">no gates in this run</td></tr>";
  return "<section id=\"gates\"><h2>Gates and approvals</h2><table><tr><th>job</th>"
         "<th>environment</th><th>what</th><th>when / how long</th></tr>" +
         rows + "</table></section>\n";
}

/// The most of one step's log a report shows (its start and its end), and of all logs.
constexpr size_t kMaxReportStepLogBytes = 512 * 1024;
constexpr size_t kMaxReportLogBytes = 32 * 1024 * 1024;

std::string JobsSection(const RunView& run, const Timeline& timeline,
                        const exec::Masker* masker) {
  std::string html = "<section id=\"jobs\"><h2>Jobs, steps and logs</h2>\n";
  // A report is read in a browser and built in memory: each step shows at most
  // kMaxReportStepLogBytes of its log, and all of them together at most kMaxReportLogBytes.
  size_t log_budget = kMaxReportLogBytes;
  for (const JobTimeline& job : timeline.jobs) {
    std::string result = job.result.empty() ? job.status : job.result;
    html += fmt::format(
        "<details class=\"job\" data-job=\"{}\" data-result=\"{}\"{}><summary>{}{} "
        "<span class=\"muted\">{}{}</span></summary>\n",
        Esc(job.key), Esc(result), job.result == "failure" ? " open" : "", Dot(result),
        Esc(job.key), Esc(result),
        job.start && job.end ? " \u00b7 " + Esc(FormatSeconds(*job.end - *job.start)) : "");
    if (!job.message.empty()) html += fmt::format("<p>{}</p>", Esc(job.message));
    html += OutputsTable(job.outputs);
    for (const StepSpan& step : job.steps) {
      std::string step_result = step.conclusion.empty() ? step.outcome : step.conclusion;
      std::string log;
      if (log_budget > 0) {
        log = ReadStepLogExcerpt(run, step.log, masker,
                                 std::min(kMaxReportStepLogBytes, log_budget));
        log_budget -= std::min(log.size(), log_budget);
      } else if (!step.log.empty()) {
        log = fmt::format("[slipway report: the report's room for logs is spent; `slipway logs "
                          "{}` prints this one]",
                          run.record.id);
      }
      html += fmt::format(
          "<details class=\"step\"{}><summary>{}{}. {} <span class=\"muted\">{}{}</span>"
          "</summary>",
          step_result == "failure" ? " open" : "", Dot(step_result), step.index + 1,
          Esc(step.name.empty() ? step.id : step.name), Esc(step_result.empty() ? "-" : step_result),
          step.start && step.end ? " \u00b7 " + Esc(FormatSeconds(*step.end - *step.start)) : "");
      html += OutputsTable(step.outputs);
      html += log.empty() ? "<p class=\"muted\">no output</p>"
                          : "<pre class=\"log\">" + Esc(log) + "</pre>";
      html += "</details>\n";
    }
    html += "</details>\n";
  }
  return html + "</section>\n";
}

std::string AuditSection(const RunView& run) {
  std::string rows;
  for (const nlohmann::json& entry : run.audit) {
    nlohmann::json rest = entry;
    for (const char* key : {"seq", "prev", "mac", "kind", "time", "run_id"}) rest.erase(key);
    rows += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"details\"><code>{}</code></td></tr>",
                        entry.value("seq", 0), Esc(entry.value("time", "")),
                        Esc(entry.value("kind", "")), Esc(rest.dump()));
  }
  if (rows.empty()) rows = "<tr><td colspan=\"4\" class=\"muted\">no audit entries</td></tr>";
  return "<section id=\"audit\"><h2>Audit entries</h2><table><tr><th>#</th><th>time</th>"
         "<th>kind</th><th>details</th></tr>" +
         rows + "</table></section>\n";
}

std::string ArtifactsSection(const RunView& run) {
  if (run.artifacts.empty()) return "";
  std::string rows;
  for (const exec::ArtifactEntry& a : run.artifacts) {
    rows += fmt::format("<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td><code>{}</code>"
                        "</td></tr>",
                        Esc(a.name), Esc(a.job_key), a.size, Esc(a.sha256));
  }
  return "<section id=\"artifacts\"><h2>Artifacts</h2><table><tr><th>name</th><th>job</th>"
         "<th>bytes</th><th>sha256</th></tr>" +
         rows + "</table></section>\n";
}

}  // namespace

std::string RenderHtmlReport(const RunView& run, const exec::Masker* masker) {
  Timeline timeline = BuildTimeline(run);
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"slipway\">\n"
      "<title>slipway run {} ({})</title>\n<style>{}</style></head><body>\n",
      Esc(run.record.id), Esc(exec::RunStatusName(run.record.status)), kStyle);
  html += Header(run, timeline);
  html += "<main>\n<section id=\"dag\"><h2>Job graph</h2>" + RenderDagSvg(timeline) +
          "<div class=\"legend\"><span>" + Dot("success") + "success</span><span>" +
          Dot("failure") + "failure</span><span>" + Dot("cancelled") + "cancelled</span><span>" +
          Dot("skipped") + "skipped</span><span>" + Dot("") + "running / not finished</span>" +
          "</div></section>\n";
  html += "<section id=\"timeline\"><h2>Timeline</h2>";
  if (!timeline.has_events) {
    html += "<p class=\"muted\">this run has no events.jsonl: job times only</p>";
  }
  html += RenderGanttSvg(timeline) +
          "<div class=\"legend\"><span>hatched: waiting at a gate (approval, wait timer) or for "
          "a concurrency group</span></div></section>\n";
  html += GatesSection(timeline);
  html += JobsSection(run, timeline, masker);
  html += "<section id=\"summary\" class=\"summary\"><h2>Summary</h2>";
  html += run.summary_markdown.empty() ? "<p class=\"muted\">no summary</p>"
                                       : MarkdownToHtml(run.summary_markdown);
  html += "</section>\n";
  html += ArtifactsSection(run);
  html += AuditSection(run);
  html += "</main></body></html>\n";
  return html;
}

namespace {

/// Writes the report to `path`: a regular file (or a new one) is replaced atomically; anything
/// else that exists (a terminal, /dev/stdout, a pipe) is written into directly, never renamed
/// over, and every write is checked (-o /dev/full fails with "No space left on device").
Expected<bool> WriteReportFile(const std::string& path, const std::string& html) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0 || S_ISREG(info.st_mode)) {
    return exec::WriteFileAtomically(path, html, 0644, false);
  }
  if (S_ISDIR(info.st_mode)) return MakeUnexpected(fmt::format("\"{}\" is a directory", path));
  const int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return MakeUnexpected(fmt::format("cannot write \"{}\": {}", path, strerror(errno)));
  const bool wrote = WriteAll(fd, html);
  const int saved = errno;
  if (close(fd) != 0 || !wrote) {
    return MakeUnexpected(
        fmt::format("cannot write \"{}\": {}", path, strerror(wrote ? errno : saved)));
  }
  return true;
}

}  // namespace

Expected<bool> WriteHtmlReport(const std::string& state_dir, const std::string& run_id,
                               const std::string& path, const exec::Masker* masker) {
  Expected<RunView> run = LoadRun(state_dir, run_id, masker);
  if (!run) return MakeUnexpected(run.error());
  return WriteReportFile(path, RenderHtmlReport(*run, masker));
}

Expected<bool> WriteHtmlReport(exec::Store& store, const std::string& run_id,
                               const std::string& path, const exec::Masker* masker) {
  Expected<RunView> run = LoadRun(store, run_id, masker);
  if (!run) return MakeUnexpected(run.error());
  return WriteReportFile(path, RenderHtmlReport(*run, masker));
}

}  // namespace slipway::report
