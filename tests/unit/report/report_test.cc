// Unit tests of the run report's parts: the timeline built from a run's events, the SVG job
// graph and Gantt chart, Markdown rendering and escaping. No processes, no files.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "interpreter/report/markdown.h"
#include "interpreter/report/run_history.h"
#include "interpreter/report/svg.h"
#include "interpreter/report/timeline.h"

namespace slipway::report {
namespace {

using nlohmann::json;

RunView SampleRun() {
  RunView run;
  run.record.id = "r1";
  run.record.status = exec::RunStatus::kFailure;
  run.record.started_at = "2026-01-31T12:00:00.000Z";
  run.record.finished_at = "2026-01-31T12:00:10.000Z";
  exec::JobRecord build{exec::JobRecordStatus::kCompleted, exec::JobResult::kSuccess, {}, "2026-01-31T12:00:00.500Z",
                        "2026-01-31T12:00:02.000Z", {}};
  build.steps.push_back({"compile", "Compile", exec::StepConclusion::kSuccess,
                         exec::StepConclusion::kSuccess, {{"artifact", "a.tgz"}},
                         "logs/build/01-compile.log"});
  exec::JobRecord deploy{exec::JobRecordStatus::kCompleted, exec::JobResult::kFailure, {}, "2026-01-31T12:00:02.000Z",
                         "2026-01-31T12:00:09.000Z", {}};
  run.record.jobs = {{"build", build}, {"deploy", deploy}};
  auto at = [](const char* t) { return std::string("2026-01-31T12:00:") + t + "Z"; };
  run.events = {
      {{"type", "version"}, {"schema", 1}},
      {{"type", "run_started"}, {"time", at("00.000")}, {"run_id", "r1"}, {"workflow_name", "demo"},
       {"jobs", json::array({{{"id", "build"}, {"name", "Build"}, {"needs", json::array()}},
                             {{"id", "deploy"}, {"name", "deploy"}, {"needs", {"build"}},
                              {"environment", {{"name", "production"}}}}})}},
      {{"type", "job_started"}, {"time", at("00.500")}, {"run_id", "r1"}, {"job", "build"}},
      {{"type", "step_started"}, {"time", at("00.600")}, {"run_id", "r1"}, {"job", "build"},
       {"step", {{"index", 0}, {"id", "compile"}, {"name", "Compile"}}}},
      {{"type", "step_finished"}, {"time", at("01.900")}, {"run_id", "r1"}, {"job", "build"},
       {"step", {{"index", 0}, {"id", "compile"}, {"name", "Compile"}}},
       {"outcome", "success"}, {"conclusion", "success"}, {"outputs", {{"artifact", "a.tgz"}}}},
      {{"type", "job_finished"}, {"time", at("02.000")}, {"run_id", "r1"}, {"job", "build"},
       {"result", "success"}, {"outputs", json::object()}},
      {{"type", "job_started"}, {"time", at("02.000")}, {"run_id", "r1"}, {"job", "deploy"}},
      {{"type", "job_waiting"}, {"time", at("02.100")}, {"run_id", "r1"}, {"job", "deploy"},
       {"gate", "approval"}, {"environment", "production"}},
      {{"type", "job_waiting"}, {"time", at("05.100")}, {"run_id", "r1"}, {"job", "deploy"},
       {"gate", "wait_timer"}, {"environment", "production"}},
      {{"type", "job_running"}, {"time", at("07.100")}, {"run_id", "r1"}, {"job", "deploy"}},
      {{"type", "job_finished"}, {"time", at("09.000")}, {"run_id", "r1"}, {"job", "deploy"},
       {"result", "failure"}, {"message", "smoke test failed"}, {"outputs", json::object()}},
  };
  run.audit = {{{"kind", "approval"}, {"time", at("05.000")}, {"run_id", "r1"},
                {"job", "deploy"}, {"environment", "production"}, {"reviewer", "bob"},
                {"counted", true}},
               {{"kind", "approval-given"}, {"time", at("04.900")}, {"run_id", "r1"},
                {"environment", "production"}, {"reviewer", "bob"}, {"comment", "ship it"},
                {"source", "slipway approve"}}};
  return run;
}

TEST(Timeline, JobsInWorkflowOrderWithWaitsStepsAndGateEntries) {
  Timeline t = BuildTimeline(SampleRun());
  ASSERT_EQ(t.jobs.size(), 2u);
  EXPECT_TRUE(t.has_events);
  EXPECT_EQ(t.workflow_name, "demo");
  EXPECT_DOUBLE_EQ(t.length, 10.0);
  const JobTimeline& build = t.jobs[0];
  EXPECT_EQ(build.key, "build");
  EXPECT_EQ(build.name, "Build");
  EXPECT_DOUBLE_EQ(*build.start, 0.5);
  ASSERT_EQ(build.steps.size(), 1u);
  EXPECT_DOUBLE_EQ(*build.steps[0].start, 0.6);
  EXPECT_DOUBLE_EQ(*build.steps[0].end, 1.9);
  EXPECT_EQ(build.steps[0].log, "logs/build/01-compile.log") << "from run.json";
  EXPECT_EQ(build.steps[0].outputs.at("artifact"), "a.tgz");
  const JobTimeline& deploy = t.jobs[1];
  EXPECT_EQ(deploy.needs, std::vector<std::string>{"build"});
  EXPECT_EQ(deploy.environment, "production");
  EXPECT_EQ(deploy.result, "failure");
  EXPECT_EQ(deploy.message, "smoke test failed");
  ASSERT_EQ(deploy.waits.size(), 2u);
  EXPECT_EQ(deploy.waits[0].kind, "approval");
  EXPECT_DOUBLE_EQ(deploy.waits[0].start, 2.1);
  EXPECT_DOUBLE_EQ(*deploy.waits[0].end, 5.1);
  EXPECT_EQ(deploy.waits[1].kind, "wait_timer");
  EXPECT_DOUBLE_EQ(*deploy.waits[1].end, 7.1);
  ASSERT_EQ(deploy.gate.size(), 2u);
  EXPECT_EQ(deploy.gate[0].what, "approved by bob");
  EXPECT_EQ(deploy.gate[1].what,
            "approval given by bob (slipway approve) \u2014 \"ship it\"");
}

TEST(Timeline, WithoutEventsUsesRunJsonTimes) {
  RunView run = SampleRun();
  run.events.clear();
  Timeline t = BuildTimeline(run);
  EXPECT_FALSE(t.has_events);
  ASSERT_EQ(t.jobs.size(), 2u);
  EXPECT_DOUBLE_EQ(*t.jobs[1].start, 2.0);
  EXPECT_DOUBLE_EQ(*t.jobs[1].end, 9.0);
  EXPECT_TRUE(t.jobs[1].waits.empty());
  EXPECT_FALSE(t.jobs[0].steps[0].start.has_value());
}

TEST(Svg, DagColoursJobsByResultAndDrawsNeeds) {
  std::string svg = RenderDagSvg(BuildTimeline(SampleRun()));
  EXPECT_NE(svg.find("<g class=\"node success\" data-job=\"build\">"), std::string::npos) << svg;
  EXPECT_NE(svg.find("<g class=\"node failure\" data-job=\"deploy\">"), std::string::npos);
  EXPECT_NE(svg.find("data-from=\"build\" data-to=\"deploy\""), std::string::npos);
  EXPECT_EQ(svg.find("data-from=\"deploy\""), std::string::npos);
}

TEST(Svg, GanttShowsWaitsAsSuch) {
  std::string svg = RenderGanttSvg(BuildTimeline(SampleRun()));
  EXPECT_NE(svg.find("class=\"wait approval\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("class=\"wait wait_timer\""), std::string::npos);
  EXPECT_NE(svg.find("<title>approval production (3.0s)</title>"), std::string::npos);
  EXPECT_NE(svg.find("class=\"bar step success\""), std::string::npos);
}

TEST(Svg, EscapesMarkup) {
  EXPECT_EQ(EscapeXml("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
}

TEST(Markdown, GithubTablesAndNoRawHtml) {
  struct Case {
    const char* markdown;
    const char* contains;
    const char* absent;
  };
  const Case cases[] = {
      {"| a | b |\n|---|---|\n| 1 | **2** |\n", "<td><strong>2</strong></td>", "|---|"},
      {"# Title\n", "<h1>Title</h1>", "#"},
      {"<script>alert(1)</script>\n", "raw HTML omitted", "<script>"},
      {"~~old~~ new\n", "<del>old</del>", "~~"},
      {"- [x] done\n", "checked", "[x]"},
  };
  for (const Case& c : cases) {
    std::string html = MarkdownToHtml(c.markdown);
    EXPECT_NE(html.find(c.contains), std::string::npos) << c.markdown << " → " << html;
    EXPECT_EQ(html.find(c.absent), std::string::npos) << c.markdown << " → " << html;
  }
}

}  // namespace
}  // namespace slipway::report

// A duration is the difference of two recorded times, in whole milliseconds: JSON output says
// 2.498, not the 2.4979999999999998 the raw difference of two epoch times gives.
TEST(RunHistory, DurationsAreWholeMilliseconds) {
  std::optional<double> d =
      slipway::report::SecondsBetween("2026-12-02T10:00:00.125Z", "2026-12-02T10:00:02.623Z");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(nlohmann::json(*d).dump(), "2.498");
  EXPECT_FALSE(slipway::report::SecondsBetween("yesterday", "2026-12-02T10:00:02Z").has_value());
}
