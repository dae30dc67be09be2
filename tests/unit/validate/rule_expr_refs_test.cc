#include "interpreter/validate/rule_expr_refs.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interpreter/model/load_workflow.h"

namespace slipway::validate {
namespace {

struct Loaded {
  SourceManager sources;
  Diagnostics diagnostics;
  std::optional<model::Workflow> workflow;
  step_api::StepCatalog catalog;
};

void Load(Loaded& loaded, const std::string& text) {
  FileId file = loaded.sources.Add("test.yml", text);
  loaded.workflow = model::LoadWorkflowText(loaded.sources, file, loaded.diagnostics);
  ASSERT_TRUE(loaded.workflow.has_value());
}

constexpr const char* kWorkflow = R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    if: needs.a.result
    steps:
      - id: one
        run: echo "${{ steps.x.outputs['y'] }} ${{ github.event.commits[0].message }}"
      - parallel:
          - id: two
            run: a
          - run: b
      - id: three
        run: |
          echo start
          echo ${{ matrix.os }}
)";

/// One character per segment: 'i' for an index or filter, '.' for a name.
std::string Indexed(const ExprAccess& use) {
  std::string out;
  for (size_t i = 0; i < use.segment_count(); ++i) out += use.IsIndexed(i) ? 'i' : '.';
  return out;
}

TEST(ForEachAccess, JobStepPathAndPosition) {
  Loaded loaded;
  Load(loaded, kWorkflow);
  const ExpressionIndex expressions(*loaded.workflow);
  const model::JobGraph graph(*loaded.workflow);
  RuleContext context{*loaded.workflow,   "test.yml",  loaded.catalog,
                      loaded.diagnostics, expressions, graph};
  std::vector<std::string> seen;
  ForEachAccess(context, [&](const ExprAccess& use) {
    std::string path;
    for (const std::string& part : *use.path) path += "/" + part;
    SourceRange at = use.RangeFrom(1);
    seen.push_back(std::string(use.Text()) + " job=" + (use.job ? use.job->id.value : "-") +
                   " step=" + (use.step ? std::to_string(*use.step) : "-") + " " + path + " " +
                   std::to_string(at.begin.line) + ":" + std::to_string(at.begin.col) + " " +
                   Indexed(use));
  });
  std::vector<std::string> expected = {
      "needs.a.result job=build step=- /jobs/build/if 5:15 ...",
      "steps.x.outputs['y'] job=build step=0 /jobs/build/steps/0/run 8:30 ....",
      "github.event.commits[0].message job=build step=0 /jobs/build/steps/0/run 8:59 ...i.",
      "matrix.os job=build step=4 /jobs/build/steps/4/run 16:27 ..",
  };
  EXPECT_EQ(seen, expected);
}

TEST(StepIdsInOrder, FlattensParallel) {
  Loaded loaded;
  Load(loaded, kWorkflow);
  std::vector<StepIdInfo> ids = StepIdsInOrder(loaded.workflow->jobs[0]);
  std::vector<std::string> got;
  for (const StepIdInfo& info : ids) got.push_back(info.id + "@" + std::to_string(info.position));
  EXPECT_EQ(got, (std::vector<std::string>{"one@0", "two@2", "three@4"}));
}

TEST(SuggestIgnoringCase, KeepsCandidateSpelling) {
  EXPECT_EQ(SuggestIgnoringCase("NODE_VERSON", {"os", "node_version"}),
            "; did you mean \"node_version\"?");
  EXPECT_EQ(SuggestIgnoringCase("zzz", {"os"}), "");
  EXPECT_EQ(QuotedList({"a", "b"}), "\"a\", \"b\"");
  EXPECT_TRUE(ContainsIgnoringCase({"Build"}, "bUILD"));
  EXPECT_FALSE(ContainsIgnoringCase({"Build"}, "builds"));
}

}  // namespace
}  // namespace slipway::validate
