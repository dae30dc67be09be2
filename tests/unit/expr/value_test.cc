// Coercion and formatting, table-driven. Where GitHub's runner (C#) and its TypeScript library
// disagree, slipway follows the runner; those cases are collected in RunnerWins below.
#include "interpreter/expr/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "interpreter/expr/batch.h"

namespace slipway::expr {
namespace {

const double kInf = std::numeric_limits<double>::infinity();

TEST(FormatNumber, MatchesDotNetG15) {
  const struct {
    double in;
    const char* out;
  } kCases[] = {
      {0, "0"},
      {-0.0, "0"},
      {1, "1"},
      {-2, "-2"},
      {0.1, "0.1"},
      {0.5, "0.5"},
      {123456.789, "123456.789"},
      {0.84551240822557006, "0.84551240822557"},
      {1e15, "1E+15"},
      {1.5e20, "1.5E+20"},
      {999999999999999, "999999999999999"},
      {123456789012345678.0, "1.23456789012346E+17"},
      {0.0001, "0.0001"},
      {0.00001, "1E-05"},
      {1.2e-2, "0.012"},
      {1e100, "1E+100"},
      {kInf, "Infinity"},
      {-kInf, "-Infinity"},
      {std::nan(""), "NaN"},
  };
  for (const auto& c : kCases) EXPECT_EQ(FormatNumber(c.in), c.out) << c.in;
}

TEST(ParseNumber, FollowsTheRunner) {
  const struct {
    const char* in;
    double out;
  } kCases[] = {
      {"", 0},
      {"   ", 0},
      {" 123456.789 ", 123456.789},
      {"+1", 1},
      {"-1.5", -1.5},
      {".5", 0.5},
      {"5.", 5},
      {"1e2", 100},
      {"1.2E-2", 0.012},
      {"0xff", 255},
      {" 0xFF ", 255},
      {"0o10", 8},
      {"0xFFFFFFFF", -1},  // Int32 two's complement, as the runner parses hex
      {"Infinity", kInf},
      {"-Infinity", -kInf},
      {"infinity", kInf},
      {"1e400", kInf},
      {"1e-400", 0},
  };
  for (const auto& c : kCases) EXPECT_EQ(ParseNumber(c.in), c.out) << c.in;
  for (const char* bad : {"abc", "1e", "0x", "0x1FFFFFFFF", "0X10", "0b1", "1,000", "--1", "."}) {
    EXPECT_TRUE(std::isnan(ParseNumber(bad))) << bad;
  }
}

TEST(Coercion, TruthinessAndStrings) {
  EXPECT_FALSE(ToBool(Value::Null()));
  EXPECT_FALSE(ToBool(Value::Number(std::nan(""))));
  EXPECT_FALSE(ToBool(Value::String("")));
  EXPECT_TRUE(ToBool(Value::String("false")));
  EXPECT_TRUE(ToBool(Value::FromArray({})));
  EXPECT_TRUE(ToBool(Value::FromObject(Object())));
  EXPECT_EQ(ToString(Value::Null()), "");
  EXPECT_EQ(ToString(Value::Boolean(true)), "true");
  EXPECT_EQ(ToString(Value::FromArray({})), "Array");
  EXPECT_EQ(ToString(Value::FromObject(Object())), "Object");
}

TEST(Coercion, EqualityAcrossKinds) {
  const Value n = Value::Null();
  const Value t = Value::Boolean(true);
  const Value f = Value::Boolean(false);
  auto num = [](double d) { return Value::Number(d); };
  auto str = [](const char* s) { return Value::String(s); };
  EXPECT_TRUE(Equals(n, str("")));
  EXPECT_TRUE(Equals(n, str("0")));
  EXPECT_FALSE(Equals(n, str("null")));
  EXPECT_TRUE(Equals(f, str(" 0.0 ")));
  EXPECT_TRUE(Equals(t, num(1)));
  EXPECT_FALSE(Equals(num(std::nan("")), num(std::nan(""))));
  EXPECT_TRUE(Equals(str("ABC"), str("abc")));
  EXPECT_TRUE(Equals(str("ς"), str("Σ")));   // Greek final sigma
  EXPECT_FALSE(Equals(str("ı"), str("I")));  // dotless i stays apart, as .NET ordinal casing
  const Value arr = Value::FromArray({});
  const Value copy = arr;
  EXPECT_TRUE(Equals(arr, copy));                   // same array
  EXPECT_FALSE(Equals(arr, Value::FromArray({})));  // equal contents, another array
  EXPECT_FALSE(Equals(str("Array"), arr));
}

TEST(Coercion, Ordering) {
  EXPECT_TRUE(LessThan(Value::String("a"), Value::String("B")));
  EXPECT_TRUE(LessThan(Value::String("A"), Value::String("[")));  // upper-cased first
  EXPECT_TRUE(GreaterThan(Value::Boolean(true), Value::Null()));
  EXPECT_FALSE(LessThan(Value::Number(1), Value::FromArray({})));
  EXPECT_FALSE(GreaterThan(Value::Number(std::nan("")), Value::Number(0)));
}

TEST(Json, RoundTripKeepsOrderAndLooksUpCaseInsensitively) {
  const auto json = nlohmann::ordered_json::parse(R"({"b": 1, "A": {"x": [true, null, "s"]}})");
  Expected<Value> v = FromJson(json);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(ToJson(*v).dump(), json.dump());
  ASSERT_NE(v->Find("a"), nullptr);
  EXPECT_NE(v->Find("a")->Find("X"), nullptr);
  std::string out;
  WriteJson(Value::Number(std::nan("")), out);
  EXPECT_EQ(out, "null");
}

TEST(Json, DepthLimitIsAnError) {
  std::string deep(5000, '[');
  deep += std::string(5000, ']');
  const auto json = nlohmann::ordered_json::parse(deep);
  EXPECT_FALSE(FromJson(json).has_value());
}

TEST(Json, PrettyFormIsGitHubs) {
  const auto json = nlohmann::ordered_json::parse(R"({"a": [1, 0.5, "x\u2028"], "b": {}})");
  EXPECT_EQ(ToPrettyJson(*FromJson(json)),
            "{\n  \"a\": [\n    1,\n    0.5,\n    \"x\\u2028\"\n  ],\n  \"b\": {}\n}");
}

// Where the runner and the TypeScript library (@actions/expressions) give different answers,
// slipway gives the runner's. Each row is one such case.
TEST(RunnerWins, RecordedDifferences) {
  const struct {
    const char* expr;
    const char* runner_result;  // JSON as `slipway expr` prints it
    const char* typescript_result;
  } kCases[] = {
      // .NET G15 number formatting vs JavaScript's.
      {"format('{0}', 1e15)", "\"1E+15\"", "\"1000000000000000\""},
      {"format('{0}', 0.00001)", "\"1E-05\"", "\"0.00001\""},
      {"toJSON(1e21)", "\"1E+21\"", "\"1e+21\""},
      // Newtonsoft escapes U+2028 in toJSON; JSON.stringify does not.
      {"toJSON('\u2028')", "\"\\\"\\\\u2028\\\"\"", "\"\\\"\u2028\\\"\""},
      // Hex is parsed as a 32-bit integer by the runner.
      {"0xFFFFFFFF", "-1", "4294967295"},
  };
  for (const auto& c : kCases) {
    Expected<Value, Error> v = EvaluateText(c.expr, Value::FromObject(Object()));
    ASSERT_TRUE(v.has_value()) << c.expr << ": " << v.error().message;
    std::string out;
    WriteJson(*v, out);
    EXPECT_EQ(out, c.runner_result)
        << c.expr << " (TypeScript gives " << c.typescript_result << ")";
  }
}

}  // namespace
}  // namespace slipway::expr
