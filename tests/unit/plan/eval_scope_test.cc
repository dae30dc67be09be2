#include "interpreter/plan/eval_scope.h"

#include <gtest/gtest.h>

namespace slipway::plan {
namespace {

using json = nlohmann::ordered_json;

TEST(EvalScope, GivenContextsAreSetAndJobIdOverlaysGithub) {
  const json github = {{"ref", "refs/heads/main"}, {"event", {{"action", "opened"}}}};
  const json needs = {{"build", {{"result", "success"}, {"outputs", {{"v", "1.2"}}}}}};
  const json matrix = {{"os", "linux"}};
  EvaluationContexts contexts;
  contexts.github = &github;
  contexts.job_id = "deploy";
  contexts.run_id = "42";
  contexts.needs = &needs;
  contexts.matrix = &matrix;
  std::unique_ptr<Scope> scope = MakeScope(contexts);
  EXPECT_EQ(
      Substitute("${{ github.job }}/${{ github.run_id }}/${{ github.event.action }}", *scope).text,
      "deploy/42/opened");
  EXPECT_EQ(Substitute("${{ needs.build.outputs.v }} ${{ matrix.os }}", *scope).text, "1.2 linux");
  // Not given: absent (null), not guessed.
  EXPECT_EQ(Substitute("[${{ secrets.TOKEN }}]", *scope).text, "[]");
}

TEST(EvalScope, StatusDecidesStatusFunctions) {
  EvaluationContexts contexts;
  contexts.status = {false, true, false};
  std::unique_ptr<Scope> scope = MakeScope(contexts);
  EXPECT_EQ(EvaluateCondition("failure()", *scope).kind, Condition::Kind::kTrue);
  EXPECT_EQ(EvaluateCondition("true", *scope).kind, Condition::Kind::kFalse);  // success() &&
}

TEST(EvalScope, RunTimeOnlyContextsAreUnknownInAPlan) {
  Scope scope;
  const json github = {{"ref", "refs/heads/main"}};
  EvaluationContexts contexts;
  contexts.github = &github;
  FillScope(scope, contexts);
  MarkRunTimeOnly(scope);
  Substitution s = Substitute("${{ github.ref }} ${{ secrets.TOKEN }} ${{ github.run_id }}", scope);
  EXPECT_EQ(s.text, "refs/heads/main ${{ secrets.TOKEN }} ${{ github.run_id }}");
  EXPECT_FALSE(s.resolved);
}

}  // namespace
}  // namespace slipway::plan
