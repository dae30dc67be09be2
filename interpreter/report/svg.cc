#include "interpreter/report/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace slipway::report {

std::string EscapeXml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* ResultClass(const std::string& result) {
  if (result == "success") return "success";
  if (result == "failure") return "failure";
  if (result == "cancelled") return "cancelled";
  if (result == "skipped") return "skipped";
  return "pending";
}

namespace {

constexpr int kBoxWidth = 190;
constexpr int kBoxHeight = 46;
constexpr int kColumnGap = 70;
constexpr int kRowGap = 18;
constexpr int kMargin = 16;

std::string Shorten(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, width - 1) + "\u2026";
}

// The depth of each job in the needs graph (0: needs nothing), by job id.
std::map<std::string, int> Depths(const Timeline& timeline) {
  std::map<std::string, int> depth;
  std::map<std::string, const JobTimeline*> by_id;
  for (const JobTimeline& job : timeline.jobs) by_id.emplace(job.id, &job);
  // Relaxation bounded by the job count: a cycle (impossible in a valid plan) cannot loop.
  for (const JobTimeline& job : timeline.jobs) depth[job.id] = 0;
  for (size_t round = 0; round < timeline.jobs.size(); ++round) {
    bool changed = false;
    for (const JobTimeline& job : timeline.jobs) {
      for (const std::string& need : job.needs) {
        if (!by_id.count(need)) continue;
        if (depth[need] + 1 > depth[job.id]) {
          depth[job.id] = depth[need] + 1;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return depth;
}

}  // namespace

std::string RenderDagSvg(const Timeline& timeline) {
  std::map<std::string, int> depth = Depths(timeline);
  std::map<int, int> rows_in_column;
  struct Box {
    const JobTimeline* job;
    int x, y;
  };
  std::vector<Box> boxes;
  int width = kMargin * 2, height = kMargin * 2;
  for (const JobTimeline& job : timeline.jobs) {
    int column = depth[job.id];
    int row = rows_in_column[column]++;
    int x = kMargin + column * (kBoxWidth + kColumnGap);
    int y = kMargin + row * (kBoxHeight + kRowGap);
    boxes.push_back({&job, x, y});
    width = std::max(width, x + kBoxWidth + kMargin);
    height = std::max(height, y + kBoxHeight + kRowGap + kMargin);
  }
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dag\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"job graph\">\n",
      width, height);
  for (const Box& to : boxes) {
    for (const std::string& need : to.job->needs) {
      for (const Box& from : boxes) {
        if (from.job->id != need) continue;
        double x1 = from.x + kBoxWidth, y1 = from.y + kBoxHeight / 2.0;
        double x2 = to.x, y2 = to.y + kBoxHeight / 2.0;
        double mid = (x1 + x2) / 2;
        std::string d;
        if (to.x - from.x > kBoxWidth + kColumnGap && from.y == to.y) {
          // Past a column between them: dip under the boxes in that row instead of crossing.
          double below = from.y + kBoxHeight + kRowGap / 2.0;
          d = fmt::format("M{:.0f},{:.0f} C{:.0f},{:.0f} {:.0f},{:.0f} {:.0f},{:.0f} "
                          "L{:.0f},{:.0f} C{:.0f},{:.0f} {:.0f},{:.0f} {:.0f},{:.0f}",
                          x1, y1, x1 + 30, y1, x1 + 10, below, x1 + 50, below, x2 - 50, below,
                          x2 - 10, below, x2 - 30, y2, x2 - 8, y2);
        } else {
          d = fmt::format("M{:.0f},{:.0f} C{:.0f},{:.0f} {:.0f},{:.0f} {:.0f},{:.0f}", x1, y1,
                          mid, y1, mid, y2, x2 - 8, y2);
        }
        svg += fmt::format(
            "<path class=\"edge\" data-from=\"{}\" data-to=\"{}\" d=\"{}\"/>"
            "<path class=\"arrow\" d=\"M{:.0f},{:.0f} l-8,-4 v8 z\"/>\n",
            EscapeXml(from.job->key), EscapeXml(to.job->key), d, x2, y2);
      }
    }
  }
  for (const Box& box : boxes) {
    const JobTimeline& job = *box.job;
    std::string result = job.result.empty() ? job.status : job.result;
    svg += fmt::format(
        "<g class=\"node {}\" data-job=\"{}\"><title>{}: {}</title>"
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"7\"/>"
        "<text x=\"{}\" y=\"{}\" class=\"name\">{}</text>"
        "<text x=\"{}\" y=\"{}\" class=\"sub\">{}{}</text></g>\n",
        ResultClass(job.result), EscapeXml(job.key), EscapeXml(job.key), EscapeXml(result),
        box.x, box.y, kBoxWidth, kBoxHeight, box.x + 10, box.y + 19,
        EscapeXml(Shorten(job.key, 26)), box.x + 10, box.y + 36, EscapeXml(result),
        job.environment.empty() ? "" : " \u00b7 " + EscapeXml(Shorten(job.environment, 16)));
  }
  svg += "</svg>\n";
  return svg;
}

std::string RenderGanttSvg(const Timeline& timeline) {
  constexpr int kLabelWidth = 230;
  constexpr int kChartWidth = 760;
  constexpr int kRow = 22;
  constexpr int kTop = 28;
  double length = std::max(timeline.length, 1.0);
  auto x_of = [&](double seconds) { return kLabelWidth + seconds / length * kChartWidth; };
  int rows = 0;
  for (const JobTimeline& job : timeline.jobs) rows += 1 + static_cast<int>(job.steps.size());
  int height = kTop + rows * kRow + 12;
  int width = kLabelWidth + kChartWidth + 20;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gantt\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"timeline\">\n"
      "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
      "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff4d6\"/>"
      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#d4a72c\" stroke-width=\"3\"/>"
      "</pattern></defs>\n",
      width, height);
  // The axis: about eight ticks at a round step.
  double raw = length / 8;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (magnitude * m >= raw) {
      step = magnitude * m;
      break;
    }
  }
  for (double t = 0; t <= length + 1e-9; t += step) {
    svg += fmt::format(
        "<line class=\"tick\" x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\"/>"
        "<text class=\"axis\" x=\"{0:.1f}\" y=\"{3}\">{4}</text>\n",
        x_of(t), kTop - 6, height - 8, kTop - 10, EscapeXml(FormatSeconds(t)));
  }
  int y = kTop;
  for (const JobTimeline& job : timeline.jobs) {
    svg += fmt::format("<g class=\"row job\" data-job=\"{}\">", EscapeXml(job.key));
    svg += fmt::format("<text class=\"label job\" x=\"6\" y=\"{}\">{}</text>", y + 15,
                       EscapeXml(Shorten(job.key, 30)));
    if (job.start) {
      double end = job.end.value_or(timeline.length);
      svg += fmt::format(
          "<rect class=\"bar {}\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"16\" rx=\"3\">"
          "<title>{}: {} ({})</title></rect>",
          ResultClass(job.result), x_of(*job.start), y + 3,
          std::max(2.0, x_of(end) - x_of(*job.start)), EscapeXml(job.key),
          EscapeXml(job.result.empty() ? job.status : job.result),
          EscapeXml(FormatSeconds(end - *job.start)));
    }
    for (const WaitSpan& wait : job.waits) {
      double end = wait.end.value_or(job.end.value_or(timeline.length));
      std::string label = wait.kind == "approval"     ? "approval"
                          : wait.kind == "wait_timer" ? "wait timer"
                          : wait.kind == "concurrency" ? "concurrency"
                                                       : "waiting";
      double w = std::max(2.0, x_of(end) - x_of(wait.start));
      svg += fmt::format(
          "<rect class=\"wait {}\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"16\" "
          "fill=\"url(#hatch)\"><title>{} {} ({})</title></rect>",
          EscapeXml(wait.kind), x_of(wait.start), y + 3, w, EscapeXml(label),
          EscapeXml(wait.environment), EscapeXml(FormatSeconds(end - wait.start)));
      if (w > 60) {
        svg += fmt::format("<text class=\"waitlabel\" x=\"{:.1f}\" y=\"{}\">{}</text>",
                           x_of(wait.start) + 4, y + 15, EscapeXml(label));
      }
    }
    svg += "</g>\n";
    y += kRow;
    for (const StepSpan& step : job.steps) {
      std::string result = step.conclusion.empty() ? step.outcome : step.conclusion;
      svg += fmt::format("<g class=\"row step\"><text class=\"label step\" x=\"18\" y=\"{}\">{}</text>",
                         y + 14, EscapeXml(Shorten(step.name.empty() ? step.id : step.name, 30)));
      if (step.start) {
        double end = step.end.value_or(job.end.value_or(timeline.length));
        svg += fmt::format(
            "<rect class=\"bar step {}\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"10\" "
            "rx=\"2\"><title>{}: {} ({})</title></rect>",
            ResultClass(result), x_of(*step.start), y + 6,
            std::max(2.0, x_of(end) - x_of(*step.start)), EscapeXml(step.name),
            EscapeXml(result), EscapeXml(FormatSeconds(end - *step.start)));
      }
      svg += "</g>\n";
      y += kRow;
    }
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace slipway::report
