#include "interpreter/plan/resolve.h"

#include <gtest/gtest.h>

namespace slipway::plan {
namespace {

using json = nlohmann::ordered_json;

TEST(ReferencesTest, FindsPathsAndFunctions) {
  References r = FindReferences(
      "success() && needs.build.outputs['ver'] == 'a.b' && steps.*.outcome && "
      "contains(github.event.pull_request.labels.*.name, 'x') && "
      "matrix[inputs.k] && 1.5");
  std::string paths;
  for (const std::string& p : r.paths) paths += p + ";";
  EXPECT_EQ(paths,
            "needs.build.outputs.ver;steps.*.outcome;github.event.pull_"
            "request.labels.*.name;"
            "matrix.*;inputs.k;");
  EXPECT_TRUE(r.Calls("success"));
  EXPECT_TRUE(r.Calls("contains"));
  EXPECT_TRUE(r.UsesStatusFunction());
  EXPECT_FALSE(FindReferences("github.ref == 'always()'").UsesStatusFunction());
}

TEST(ScopeTest, UnknownPathsOverlap) {
  Scope root;
  root.Set("github", json{{"ref", "refs/heads/main"}});
  root.MarkUnknown("needs.build.outputs");
  root.MarkUnknown("secrets");
  EXPECT_TRUE(root.IsUnknown("needs.build.outputs.version"));
  EXPECT_TRUE(root.IsUnknown("needs.build"));  // the whole object holds unknown parts
  EXPECT_TRUE(root.IsUnknown("needs.*.outputs"));
  EXPECT_FALSE(root.IsUnknown("needs.build.result"));
  EXPECT_TRUE(root.IsUnknown("secrets.token"));
  EXPECT_FALSE(root.IsUnknown("github.ref"));
}

TEST(SubstituteTest, KnownPartsAreSubstitutedUnknownStay) {
  Scope root;
  root.Set("github", json{{"ref", "refs/heads/main"}, {"ref_name", "main"}});
  root.Set("inputs", json{{"n", 3}, {"flag", true}});
  root.MarkUnknown("steps");
  Scope child(&root);
  child.Overlay("github", "job", "build");
  Substitution s = Substitute(
      "ref=${{ github.ref }} job=${{ github.job }} n=${{ inputs.n "
      "}} f=${{ inputs.flag }} "
      "v=${{ steps.a.outputs.v }} j=${{ toJSON(inputs.n) }}",
      child);
  EXPECT_EQ(s.text,
            "ref=refs/heads/main job=build n=3 f=true v=${{ "
            "steps.a.outputs.v }} j=3");
  EXPECT_FALSE(s.resolved);
  ASSERT_EQ(s.unknown.size(), 1u);
  EXPECT_EQ(s.unknown[0], "steps.a.outputs.v");
  EXPECT_EQ(Substitute("plain", root).text, "plain");
}

TEST(ConditionTest, ImplicitSuccessAndStatusFunctions) {
  Scope root;
  root.Set("github", json{{"ref", "refs/tags/v1"}, {"event_name", "push"}});
  EXPECT_EQ(EvaluateCondition("startsWith(github.ref, 'refs/tags/')", root).kind,
            Condition::Kind::kTrue);
  EXPECT_EQ(EvaluateCondition("${{ github.event_name == 'release' }}", root).kind,
            Condition::Kind::kFalse);
  Scope failed(&root);
  failed.status = {false, true, false};
  EXPECT_EQ(EvaluateCondition("github.event_name == 'push'", failed).kind,
            Condition::Kind::kFalse);  // implicit success()
  EXPECT_EQ(EvaluateCondition("failure()", failed).kind, Condition::Kind::kTrue);
  EXPECT_EQ(EvaluateCondition("always() && github.event_name == 'push'", failed).kind,
            Condition::Kind::kTrue);
  root.MarkUnknown("steps");
  Condition unknown = EvaluateCondition("steps.x.outputs.y == 'a'", root);
  EXPECT_EQ(unknown.kind, Condition::Kind::kUnknown);
  EXPECT_EQ(unknown.unknown, "steps.x.outputs.y");
  Condition error = EvaluateCondition("github.ref ==", root);
  EXPECT_EQ(error.kind, Condition::Kind::kError);
  EXPECT_FALSE(error.error.empty());
}

TEST(ReferencesTest, LiteralsInSourceOrderAreProbeValues) {
  References r = FindReferences("inputs.level == 'debug' || inputs.n > 3 || x['key'] == 'k'");
  ASSERT_EQ(r.literals.size(), 3u);
  EXPECT_EQ(r.literals[0], "debug");
  EXPECT_EQ(r.literals[1], 3);
  EXPECT_EQ(r.literals[2], "k");  // the index 'key' names a member; it is not a literal
  EXPECT_TRUE(FindReferences("github.ref ==").paths.empty());  // does not parse: reads nothing
}

TEST(EvaluateValueTest, WholeExpressionKeepsItsType) {
  Scope root;
  Evaluation e = EvaluateValue("${{ fromJSON('[1, \"a\"]') }}", root);
  ASSERT_EQ(e.kind, Evaluation::Kind::kValue) << e.error;
  EXPECT_EQ(e.value.dump(), "[1,\"a\"]");
}

}  // namespace
}  // namespace slipway::plan

namespace slipway::plan {
namespace {

TEST(ScopeTest, RealGithubContextConverts) {
  Scope root;
  json github = {{"event_name", "push"},
                 {"event", {{"repository", {{"full_name", "a/b"}}}, {"created", false}}},
                 {"ref", "refs/heads/main"}};
  root.Set("github", github);
  EXPECT_EQ(Substitute("${{ github.ref }}|${{ github.event.repository.full_name }}", root).text,
            "refs/heads/main|a/b");
}

}  // namespace
}  // namespace slipway::plan

namespace slipway::plan {
namespace {

TEST(ConditionTest, UnknownValuesThatCannotChangeTheAnswerAreDecided) {
  Scope root;
  root.Set("github", json{{"event_name", "push"}});
  root.MarkUnknown("steps");
  root.MarkUnknown("needs.a.outputs");
  struct Case {
    const char* condition;
    Condition::Kind kind;
  };
  const Case cases[] = {
      {"failure() && steps.x.outputs.y == 'a'", Condition::Kind::kFalse},
      {"github.event_name == 'pull_request' && needs.a.outputs.v", Condition::Kind::kFalse},
      {"github.event_name == 'push' || steps.x.outcome == 'failure'", Condition::Kind::kTrue},
      {"steps.x.outputs.y == 'a'", Condition::Kind::kUnknown},
      {"steps.x.outputs.y != ''", Condition::Kind::kUnknown},
      {"startsWith(needs.a.outputs.v, 'v1')", Condition::Kind::kUnknown},
      {"steps.a.outputs.v == steps.b.outputs.v", Condition::Kind::kUnknown},
      {"needs.a.outputs.n > 3", Condition::Kind::kUnknown},
      {"!cancelled() && steps.x.outputs.y", Condition::Kind::kUnknown},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(EvaluateCondition(c.condition, root).kind, c.kind) << c.condition;
  }
}

}  // namespace
}  // namespace slipway::plan
