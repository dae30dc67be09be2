// Templates ("a ${{ b }} c") and if: conditions.
#include "interpreter/expr/template.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace slipway::expr {
namespace {

TEST(FindExpressions, ClosesAtTheFirstBracesOutsideAString) {
  std::vector<ExpressionSpan> spans = FindExpressions("a ${{ b }} c ${{ 'x}}y' }}");
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].open, 2u);
  EXPECT_EQ(spans[0].inner, 5u);
  EXPECT_EQ(spans[0].text, " b ");
  EXPECT_TRUE(spans[0].closed);
  EXPECT_EQ(spans[1].text, " 'x}}y' ");
  spans = FindExpressions("echo ${{ github.sha");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_FALSE(spans[0].closed);
  EXPECT_EQ(spans[0].text, " github.sha");
  EXPECT_TRUE(FindExpressions("no expression").empty());
  spans = FindExpressions("${{ 'it''s }}' }}");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].text, " 'it''s }}' ");
  spans = FindExpressions("${{ a }}}${{b}}");
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].text, " a ");
  EXPECT_EQ(spans[1].open, 9u);
}

Value Ctx() {
  return *FromJson(nlohmann::ordered_json::parse(
      R"({"env": {"NAME": "web", "N": 3, "LIST": [1, 2]}, "inputs": {"go": "yes"}})"));
}

ParseOptions Names() {
  ParseOptions options;
  options.named_values = {"env", "inputs", "github"};
  return options;
}

// TemplateReader.ParseScalar/IsExpressionString: one ${{ }} holding one string literal, and
// nothing around it, is that string.
TEST(Template, LiteralOnly) {
  EXPECT_EQ(LiteralOnlyTemplate("${{ 'ubuntu-latest' }}"), "ubuntu-latest");
  EXPECT_EQ(LiteralOnlyTemplate("${{''}}"), "");
  EXPECT_EQ(LiteralOnlyTemplate("${{ 'it''s' }}"), "it's");
  EXPECT_EQ(LiteralOnlyTemplate("${{ '{{ not an expression }}' }}"), "{{ not an expression }}");
  for (const char* not_literal :
       {" ${{ 'a' }}", "${{ 'a' }} ", "x${{ 'a' }}", "${{ 'a' == 'b' }}", "${{ 'a' 'b' }}",
        "${{ format('a') }}", "${{ a }}", "${{ 'a' }}${{ 'b' }}", "${{ 'a", "'a'",
        "${{ '${{ x }}' }}"}) {
    EXPECT_EQ(LiteralOnlyTemplate(not_literal), std::nullopt) << not_literal;
  }
}

TEST(Template, Splits) {
  Expected<std::vector<TemplatePart>, Error> parts = SplitTemplate("a ${{ b.c }} d${{'}}'}}");
  ASSERT_TRUE(parts.has_value());
  ASSERT_EQ(parts->size(), 4u);
  EXPECT_FALSE((*parts)[0].is_expression);
  EXPECT_EQ((*parts)[0].text, "a ");
  EXPECT_TRUE((*parts)[1].is_expression);
  EXPECT_EQ((*parts)[1].text, "b.c");
  EXPECT_EQ((*parts)[1].offset, 6u);
  EXPECT_EQ((*parts)[1].open_offset, 2u);
  EXPECT_EQ((*parts)[2].text, " d");
  EXPECT_EQ((*parts)[3].text, "'}}'");  // "}}" inside a string does not close
}

TEST(Template, Errors) {
  Expected<std::vector<TemplatePart>, Error> parts = SplitTemplate("run: ${{ x ");
  ASSERT_FALSE(parts.has_value());
  EXPECT_EQ(parts.error().offset, 5u);
  EXPECT_NE(parts.error().message.find("not closed"), std::string::npos);
  parts = SplitTemplate("a ${{ }}");
  ASSERT_FALSE(parts.has_value());
  EXPECT_EQ(parts.error().message, "An expression was expected");
  EXPECT_EQ(parts.error().offset, 2u);
  // Errors inside an expression are offset into the whole string.
  Expected<Value, Error> v = EvaluateTemplate("xx ${{ env.N < }}", Ctx(), Names());
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().offset, 13u);
}

TEST(Template, Evaluates) {
  // A lone expression keeps its value; anything else becomes a string.
  Expected<Value, Error> v = EvaluateTemplate("${{ env.N }}", Ctx(), Names());
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->is_number());
  v = EvaluateTemplate("n=${{ env.N }} list=${{ env.LIST }} none=${{ env.X }}.", Ctx(), Names());
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->string(), "n=3 list=Array none=.");
  Expected<std::string, Error> s = EvaluateTemplateToString("${{ env.N }}", Ctx(), Names());
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s, "3");
  v = EvaluateTemplate("no expressions", Ctx(), Names());
  EXPECT_EQ(v->string(), "no expressions");
}

TEST(Condition, ImplicitSuccess) {
  const struct {
    const char* in;
    bool implicit;
    bool when_ok;
    bool when_failed;
  } kCases[] = {
      {"inputs.go == 'yes'", true, true, false},
      {"${{ inputs.go == 'yes' }}", true, true, false},
      {"${{ inputs.go == 'no' }}", true, false, false},
      // Text around "${{ }}" makes a non-empty string, so this is true (a GitHub gotcha).
      {"  ${{ inputs.go == 'no' }}  ", true, true, false},
      {"always() && inputs.go == 'yes'", false, true, true},
      {"failure()", false, false, true},
      {"${{ !cancelled() }}", false, true, true},
      {"", true, true, false},
      {"${{ false }} text", true, true, false},  // a non-empty string: truthy
  };
  for (const auto& c : kCases) {
    Expected<Condition, Error> cond = ParseCondition(c.in, Names());
    ASSERT_TRUE(cond.has_value()) << c.in << ": " << cond.error().message;
    EXPECT_EQ(cond->implicit_success, c.implicit) << c.in;
    EvalOptions ok;
    EvalOptions failed;
    failed.status.success = false;
    failed.status.failure = true;
    EXPECT_EQ(*EvaluateCondition(*cond, Ctx(), ok), c.when_ok) << c.in;
    EXPECT_EQ(*EvaluateCondition(*cond, Ctx(), failed), c.when_failed) << c.in;
  }
}

TEST(Condition, ErrorOffsetsPointIntoTheOriginalText) {
  Expected<Condition, Error> cond = ParseCondition("${{ inputs.go == }}", Names());
  ASSERT_FALSE(cond.has_value());
  EXPECT_EQ(cond.error().offset, 14u);  // the "=="
  cond = ParseCondition("  nope.x", Names());
  ASSERT_FALSE(cond.has_value());
  EXPECT_EQ(cond.error().offset, 2u);
}

}  // namespace
}  // namespace slipway::expr
