#include "interpreter/validate/expr_sites.h"

#include <gtest/gtest.h>

namespace slipway::validate {
namespace {

TEST(SplitExpressions, Table) {
  std::vector<ExprSpan> spans = SplitExpressions("a ${{ b }} c ${{ 'x}}y' }}");
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].open, 2u);
  EXPECT_EQ(spans[0].text, " b ");
  EXPECT_TRUE(spans[0].closed);
  EXPECT_EQ(spans[1].text, " 'x}}y' ");
  spans = SplitExpressions("echo ${{ github.sha");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_FALSE(spans[0].closed);
  EXPECT_TRUE(SplitExpressions("no expression").empty());
  spans = SplitExpressions("${{ 'it''s }}' }}");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].text, " 'it''s }}' ");
}

TEST(IsIfPath, OnlyJobAndStepIf) {
  EXPECT_TRUE(IsIfPath({"jobs", "a", "if"}));
  EXPECT_TRUE(IsIfPath({"jobs", "a", "steps", "0", "if"}));
  EXPECT_FALSE(IsIfPath({"jobs", "a", "env", "if"}));
  EXPECT_FALSE(IsIfPath({"if"}));
}

}  // namespace
}  // namespace slipway::validate
