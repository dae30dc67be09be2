#include "interpreter/model/job_graph.h"

#include <gtest/gtest.h>

#include <string>

#include "interpreter/model/load_workflow.h"

namespace slipway::model {
namespace {

struct Loaded {
  SourceManager sources;
  std::optional<Workflow> workflow;
};

std::unique_ptr<Loaded> Load(const std::string& text) {
  auto loaded = std::make_unique<Loaded>();
  Diagnostics diagnostics;
  FileId file = loaded->sources.Add("test.yml", text);
  loaded->workflow = LoadWorkflowText(loaded->sources, file, diagnostics);
  EXPECT_TRUE(loaded->workflow.has_value());
  return loaded;
}

std::vector<std::string> Report(const JobGraph& graph) {
  Diagnostics diagnostics;
  graph.Report(diagnostics);
  diagnostics.Sort();
  std::vector<std::string> out;
  for (const Diagnostic& d : diagnostics.items()) {
    out.push_back(std::to_string(d.where.begin.line) + ":" + std::to_string(d.where.begin.col) +
                  ": " + d.message);
  }
  return out;
}

TEST(JobGraph, NeedsNameJobIdsExactly) {
  // GitHub's parser: "Job 'deploy' depends on unknown job 'build'" when the job is "Build".
  auto w = Load(
      "on: push\njobs:\n  Build:\n    runs-on: x\n    steps: [{run: a}]\n"
      "  deploy:\n    needs: build\n    runs-on: x\n    steps: [{run: a}]\n");
  JobGraph graph(*w->workflow);
  EXPECT_TRUE(graph.needs(1).empty());
  EXPECT_EQ(Report(graph), std::vector<std::string>{
                               "7:12: job \"deploy\" depends on unknown job \"build\"; did you "
                               "mean \"Build\"?"});
}

TEST(JobGraph, OrdersTopologicallyWithFileOrderAmongReadyJobs) {
  auto w = Load(
      "on: push\njobs:\n  c:\n    needs: [a, b]\n    runs-on: x\n    steps: [{run: a}]\n"
      "  b:\n    runs-on: x\n    steps: [{run: a}]\n  a:\n    needs: b\n    runs-on: x\n"
      "    steps: [{run: a}]\n");
  JobGraph graph(*w->workflow);
  EXPECT_EQ(graph.order(), (std::vector<uint32_t>{1, 2, 0}));
  EXPECT_EQ(graph.needs(0), (std::vector<uint32_t>{2, 1}));
  EXPECT_TRUE(Report(graph).empty());
}

TEST(JobGraph, RepeatedNeedIsOneEdgeAndOneWarning) {
  auto w = Load(
      "on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: a}]\n"
      "  b:\n    needs: [a, a]\n    runs-on: x\n    steps: [{run: a}]\n");
  JobGraph graph(*w->workflow);
  EXPECT_EQ(graph.needs(1), std::vector<uint32_t>{0});
  EXPECT_EQ(Report(graph),
            std::vector<std::string>{"7:16: job \"b\" lists \"a\" in \"needs\" twice"});
}

TEST(JobGraph, CycleReportedOnceFromItsEarliestJobAndBlocksDependants) {
  auto w = Load(
      "on: push\njobs:\n  start:\n    runs-on: x\n    steps: [{run: a}]\n"
      "  two:\n    needs: [start, three]\n    runs-on: x\n    steps: [{run: a}]\n"
      "  three:\n    needs: two\n    runs-on: x\n    steps: [{run: a}]\n"
      "  after:\n    needs: three\n    runs-on: x\n    steps: [{run: a}]\n");
  JobGraph graph(*w->workflow);
  EXPECT_TRUE(graph.has_cycle());
  EXPECT_EQ(graph.order(), std::vector<uint32_t>{0});
  EXPECT_TRUE(graph.is_blocked(3));
  EXPECT_EQ(Report(graph),
            std::vector<std::string>{"7:20: cycle in \"needs\": \"two\" -> \"three\" -> \"two\""});
}

TEST(JobGraph, LongChainNeedsNoRecursion) {
  std::string text = "on: push\njobs:\n  j0:\n    runs-on: x\n    steps: [{run: a}]\n";
  const int n = 20000;
  for (int i = 1; i < n; ++i) {
    text += "  j" + std::to_string(i) + ":\n    needs: j" + std::to_string(i - 1) +
            "\n    runs-on: x\n    steps: [{run: a}]\n";
  }
  // Close a cycle over the whole chain: j0 needs the last job too.
  text.replace(text.find("  j0:\n"), 6, "  j0:\n    needs: j" + std::to_string(n - 1) + "\n");
  auto w = Load(text);
  JobGraph graph(*w->workflow);
  EXPECT_TRUE(graph.has_cycle());
  EXPECT_TRUE(graph.order().empty());
  std::vector<std::string> report = Report(graph);
  ASSERT_EQ(report.size(), 2u);  // no start node, and the one cycle
}

}  // namespace
}  // namespace slipway::model
