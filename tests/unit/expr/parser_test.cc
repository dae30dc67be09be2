// Parser tables: input → tree dump, and bad input → GitHub's message with the offset.
#include "interpreter/expr/parser.h"

#include <gtest/gtest.h>

#include <string>

#include "interpreter/expr/functions.h"
#include "interpreter/expr/lexer.h"

namespace slipway::expr {
namespace {

ParseOptions AnyName() {
  ParseOptions options;
  options.allow_any_name = true;
  return options;
}

TEST(Parser, Dumps) {
  const struct {
    const char* in;
    const char* dump;
  } kCases[] = {
      {"a.b[0] == 'x'", "(== (index (prop a b) 0) 'x')"},
      {"a.b['c']", "(prop (prop a b) c)"},
      {"a.*.b", "(prop (filter a) b)"},
      {"a[*]", "(filter a)"},
      {"github.event.issue.labels.*.name",
       "(prop (filter (prop (prop (prop github event) issue) labels)) name)"},
      {"!a.b", "(! (prop a b))"},
      {"(!a).b", "(prop (! a) b)"},
      {"!2 < 3", "(< (! 2) 3)"},
      {"1 < 2 == true", "(== (< 1 2) true)"},
      {"a && b || c && d", "(|| (&& a b) (&& c d))"},
      {"a && b && c", "(&& a b c)"},
      {"a && (b && c)", "(&& a b c)"},
      {"a || b || c", "(|| a b c)"},
      {"3 < 2 < 1", "(< (< 3 2) 1)"},
      {"format('{0}', 'it''s', null, -1.5)", "(fn format '{0}' 'it''s' null -1.5)"},
      {"toJSON(a)[0]", "(index (fn toJSON a) 0)"},
      {"success()", "(fn success)"},
      {"foo.true.null.format", "(prop (prop (prop foo true) null) format)"},
      {".5", "0.5"},
      {"-Infinity", "-Infinity"},
      {"NaN", "NaN"},
      {"  a  ", "a"},
      {"", ""},
  };
  for (const auto& c : kCases) {
    Expected<Expr, Error> e = Parse(c.in, AnyName());
    ASSERT_TRUE(e.has_value()) << c.in << ": " << e.error().message;
    EXPECT_EQ(e->Dump(), c.dump) << c.in;
  }
}

TEST(Parser, Errors) {
  const struct {
    const char* in;
    const char* message;
    uint32_t offset;
  } kCases[] = {
      {"1 <", "Unexpected end of expression: '<'. Located at position 3 within expression: 1 <", 2},
      {"1 < )", "Unexpected symbol: ')'. Located at position 5 within expression: 1 < )", 4},
      {"> 1", "Unexpected symbol: '>'. Located at position 1 within expression: > 1", 0},
      {"a.()", "Unexpected symbol: '('. Located at position 3 within expression: a.()", 2},
      {"(1,", "Unexpected symbol: ','. Located at position 3 within expression: (1,", 2},
      {"1 2", "Unexpected symbol: '2'. Located at position 3 within expression: 1 2", 2},
      {"a.1", "Unexpected symbol: '1'. Located at position 3 within expression: a.1", 2},
      {"1 = 2", "Unexpected symbol: '='. Located at position 3 within expression: 1 = 2", 2},
      {"'open", "Unexpected symbol: ''open'. Located at position 1 within expression: 'open", 0},
      {"-0xFF", "Unexpected symbol: '-0xFF'. Located at position 1 within expression: -0xFF", 0},
      {"a[1", "Unexpected end of expression: '1'. Located at position 3 within expression: a[1", 2},
      {"nope()", "Unrecognized function: 'nope'. Located at position 1 within expression: nope()",
       0},
      {"join()", "Too few parameters supplied: 'join'. Located at position 1", 0},
      {"toJSON(1, 2)", "Too many parameters supplied: 'toJSON'", 0},
      {"case(true, 1, 2, 3)",
       "Even number of parameters supplied, requires an odd number of parameters: "
       "'case'",
       0},
      {"😊 x", "Unexpected symbol: '😊'. Located at position 1", 0},
      {"'😊' == x.y z", "Unexpected symbol: 'z'. Located at position 13", 14},  // UTF-16 units
  };
  for (const auto& c : kCases) {
    Expected<Expr, Error> e = Parse(c.in, AnyName());
    ASSERT_FALSE(e.has_value()) << c.in << " parsed as " << e->Dump();
    EXPECT_NE(e.error().message.find(c.message), std::string::npos)
        << c.in << "\n got: " << e.error().message << "\nwant: " << c.message;
    EXPECT_EQ(e.error().offset, c.offset) << c.in;
  }
}

TEST(Parser, UnknownNamesAreErrorsUnlessAllowed) {
  ParseOptions options;
  options.named_values = {"github"};
  EXPECT_TRUE(Parse("GitHub.sha", options).has_value());
  Expected<Expr, Error> e = Parse("github.sha == env.X", options);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().message,
            "Unrecognized named-value: 'env'. Located at position 15 within expression: "
            "github.sha == env.X");
  EXPECT_EQ(e.error().offset, 14u);
}

// A job's `if:` has its own arities (workflow-v1.0.json "job-if": "always(0,0)",
// "cancelled(0,0)", "failure(0,MAX)", "success(0,MAX)"); elsewhere every status function takes
// none.
TEST(Parser, JobConditionArities) {
  ParseOptions job = AnyName();
  job.job_condition = true;
  EXPECT_TRUE(Parse("success('build', 'test') && failure('build')", job).has_value());
  for (const char* text : {"always('build')", "cancelled(1)", "ALWAYS(1, 2)"}) {
    Expected<Expr, Error> e = Parse(text, job);
    ASSERT_FALSE(e.has_value()) << text;
    EXPECT_NE(e.error().message.find("Too many parameters supplied"), std::string::npos)
        << e.error().message;
  }
  for (const char* text : {"success('build')", "failure('build')", "always(1)"}) {
    EXPECT_FALSE(Parse(text, AnyName()).has_value()) << text;
  }
  EXPECT_TRUE(Parse("always() && cancelled() || success() || failure()", job).has_value());
}

TEST(Parser, FunctionGroupsCanBeWithheld) {
  ParseOptions options = AnyName();
  options.function_groups = static_cast<uint8_t>(FunctionGroup::kCore);
  EXPECT_FALSE(Parse("success()", options).has_value());
  EXPECT_FALSE(Parse("hashFiles('x')", options).has_value());
  EXPECT_TRUE(Parse("FORMAT('x')", options).has_value());
  options.allow_unknown_functions = true;
  EXPECT_TRUE(Parse("whatever(1, 2)", options).has_value());
}

TEST(Parser, DepthLimitFollowsGitHub) {
  std::string ok = std::string(49, '!') + "true";
  std::string deep = std::string(50, '!') + "true";
  EXPECT_TRUE(Parse(ok, AnyName()).has_value());
  Expected<Expr, Error> e = Parse(deep, AnyName());
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().message, "Exceeded max expression depth 50");
  // && chains are flattened, so a long chain stays shallow.
  std::string chain = "1";
  for (int i = 0; i < 200; ++i) chain += " && 1";
  EXPECT_TRUE(Parse(chain, AnyName()).has_value());
}

TEST(Parser, HostileInputIsAnErrorNotACrash) {
  // 10,000 nested parentheses: an error (GitHub would accept plain grouping this deep; slipway
  // stops following at kMaxParseNesting, see parser.h).
  const std::string parens = std::string(10000, '(') + "1" + std::string(10000, ')');
  Expected<Expr, Error> e = Parse(parens, AnyName());
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().message, "Exceeded max expression depth 50");
  // Nesting below the cap is fine when it adds no tree depth.
  const std::string fine = std::string(500, '(') + "1" + std::string(500, ')');
  EXPECT_TRUE(Parse(fine, AnyName()).has_value());
  // 10,000 calls deep.
  std::string calls;
  for (int i = 0; i < 10000; ++i) calls += "toJSON(";
  calls += "1" + std::string(10000, ')');
  EXPECT_FALSE(Parse(calls, AnyName()).has_value());
  // A megabyte literal: longer than GitHub's 21,000 characters.
  const std::string big = "'" + std::string(1 << 20, 'x') + "'";
  e = Parse(big, AnyName());
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().message, "Exceeded max expression length 21000");
  // 100,000 negations, and a long property chain, are errors too.
  EXPECT_FALSE(Parse(std::string(20000, '!') + "a", AnyName()).has_value());
  std::string props = "a";
  for (int i = 0; i < 5000; ++i) props += ".b";
  EXPECT_FALSE(Parse(props, AnyName()).has_value());
}

TEST(Lexer, TokensCarryOffsetAndLength) {
  Lexer lexer("github.ref == 'x'");
  const TokenKind kinds[] = {TokenKind::kNamedValue,   TokenKind::kDereference,
                             TokenKind::kPropertyName, TokenKind::kOperator,
                             TokenKind::kString,       TokenKind::kEnd};
  const uint32_t offsets[] = {0, 6, 7, 11, 14, 17};
  const uint32_t lengths[] = {6, 1, 3, 2, 3, 0};
  for (size_t i = 0; i < std::size(kinds); ++i) {
    Token t = lexer.Next();
    EXPECT_EQ(t.kind, kinds[i]) << i;
    EXPECT_EQ(t.offset, offsets[i]) << i;
    EXPECT_EQ(t.length, lengths[i]) << i;
  }
}

}  // namespace
}  // namespace slipway::expr
