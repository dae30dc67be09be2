// The `slipway expr --batch` protocol, without a process.
#include "interpreter/expr/batch.h"

#include <gtest/gtest.h>

namespace slipway::expr {
namespace {

std::string RunLines(const std::vector<std::string>& lines) {
  BatchSession session;
  std::string out;
  for (const std::string& line : lines) session.ProcessLine(line, out);
  return out;
}

TEST(Batch, SharedAndOwnContexts) {
  EXPECT_EQ(RunLines({
                R"({"context": {"github": {"ref": "refs/heads/main"}}})",
                R"({"expr": "github.ref"})",
                R"({"expr": "github.ref", "context": {"github": {"ref": "own"}}})",
                R"({"expr": "github.REF == 'REFS/HEADS/MAIN'"})",
            }),
            "{\"result\":\"refs/heads/main\"}\n{\"result\":\"own\"}\n{\"result\":true}\n");
}

TEST(Batch, ContextKeysBecomeNames) {
  EXPECT_EQ(RunLines({R"({"context": {"custom": {"a": 1}}})", R"({"expr": "custom.a"})",
                      R"({"expr": "other.a"})"}),
            "{\"result\":1}\n{\"error\":\"Unrecognized named-value: 'other'. Located at position 1 "
            "within expression: other.a\"}\n");
}

TEST(Batch, NonFiniteNumbersAreNull) {
  EXPECT_EQ(RunLines({R"({"expr": "NaN"})", R"({"expr": "-Infinity"})", R"({"expr": "1.5"})"}),
            "{\"result\":null}\n{\"result\":null}\n{\"result\":1.5}\n");
}

TEST(Batch, BadLinesGiveErrorLines) {
  EXPECT_EQ(RunLines({"not json", "[1]", R"({"expr": 5})", R"({"context": 1})", "", R"({})"}),
            "{\"error\":\"invalid input line: expected a JSON object\"}\n"
            "{\"error\":\"invalid input line: expected a JSON object\"}\n"
            "{\"error\":\"invalid input line: \\\"expr\\\" must be a string\"}\n"
            "{\"error\":\"invalid input line: \\\"context\\\" must be an object\"}\n"
            "{\"error\":\"invalid input line: \\\"expr\\\" must be a string\"}\n");
}

}  // namespace
}  // namespace slipway::expr
