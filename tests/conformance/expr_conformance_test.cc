// GitHub's shared conformance suite for the expression language (../shared/conformance/
// expressions/*.json, from actions/languageservices), read at test time: each case is its own
// parameterized test. Expected errors match when slipway's message contains GitHub's text, as
// GitHub's own runner of these files checks them (toContain).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "interpreter/expr/evaluator.h"
#include "interpreter/expr/parser.h"
#include "interpreter/expr/value.h"
#include "tests/support/golden.h"

namespace slipway::expr {
namespace {

using Json = nlohmann::ordered_json;

struct ConformanceCase {
  std::string name;  // file_group_index, sanitized
  Json data;
};

// Cases where slipway deliberately differs from the suite, each with the reason.
struct KnownDifference {
  const char* name;
  const char* reason;
};
// Empty: every case passes. (Where the suite follows the TypeScript library rather than the
// runner — e.g. "case" arity errors name the function, not the "(" — slipway matches the suite.)
constexpr std::array<KnownDifference, 0> kKnownDifferences{};

std::string Sanitize(const std::string& s) {
  std::string out;
  for (char c : s) {
    out.push_back((std::isalnum(static_cast<unsigned char>(c)) != 0) ? c : '_');
  }
  return out;
}

std::vector<ConformanceCase> LoadCases() {
  std::vector<ConformanceCase> cases;
  const std::string dir = testing::SharedPath("conformance/expressions");
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const Json doc = Json::parse(text.str(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) continue;
    const std::string stem = path.stem().string();
    for (const auto& [group, list] : doc.items()) {
      if (!list.is_array()) continue;
      for (size_t i = 0; i < list.size(); ++i) {
        if (!list[i].is_object() || !list[i].contains("expr")) continue;
        std::string name = Sanitize(stem + "_" + group + "_" + std::to_string(i));
        // Groups named in other scripts sanitize alike; keep names unique.
        while (std::any_of(cases.begin(), cases.end(),
                           [&](const ConformanceCase& c) { return c.name == name; })) {
          name += "_";
        }
        cases.push_back({name, list[i]});
      }
    }
  }
  return cases;
}

// The expected value in the suite's form {"kind": "Number", "value": 1.0}.
void ExpectValue(const Json& expected, const Value& actual) {
  const std::string kind = expected.value("kind", "");
  ASSERT_EQ(kind, KindName(actual.kind())) << "result " << ToJson(actual).dump();
  const Json& want = expected["value"];
  if (actual.is_number()) {
    ASSERT_TRUE(want.is_number());
    EXPECT_EQ(want.get<double>(), actual.number());
    return;
  }
  EXPECT_EQ(want, ToJson(actual)) << "result " << ToJson(actual).dump();
}

class ExprConformance : public ::testing::TestWithParam<ConformanceCase> {};

TEST_P(ExprConformance, Matches) {
  const ConformanceCase& c = GetParam();
  for (const KnownDifference& d : kKnownDifferences) {
    if (c.name == d.name) GTEST_SKIP() << d.reason;
  }
  const Json& data = c.data;
  const std::string text = data["expr"].get<std::string>();
  Value context = Value::FromObject(Object());
  ParseOptions options;
  if (data.contains("contexts")) {
    Expected<Value> converted = FromJson(data["contexts"]);
    ASSERT_TRUE(converted.has_value());
    context = *converted;
    for (const auto& [key, value] : data["contexts"].items()) options.named_values.push_back(key);
  }
  Expected<Expr, Error> parsed = Parse(text, options);
  Expected<Value, Error> result =
      parsed ? Evaluate(*parsed, context) : Expected<Value, Error>(MakeUnexpected(parsed.error()));
  SCOPED_TRACE("expression: " + text);
  if (data.contains("err")) {
    ASSERT_FALSE(result.has_value()) << "expected an error, got " << ToJson(*result).dump();
    const std::string want = data["err"]["value"].get<std::string>();
    EXPECT_NE(result.error().message.find(want), std::string::npos)
        << "message: " << result.error().message << "\nexpected to contain: " << want;
    return;
  }
  ASSERT_TRUE(result.has_value()) << "unexpected error: " << result.error().message;
  ExpectValue(data["result"], *result);
}

INSTANTIATE_TEST_SUITE_P(Expressions, ExprConformance, ::testing::ValuesIn(LoadCases()),
                         [](const ::testing::TestParamInfo<ConformanceCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace slipway::expr
