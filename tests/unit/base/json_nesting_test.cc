#include "interpreter/base/json_nesting.h"

#include <gtest/gtest.h>

#include <string>

namespace slipway {
namespace {

TEST(JsonNestingTest, CountsArraysAndObjectsOutsideStrings) {
  struct Case {
    std::string text;
    size_t limit;
    std::string error;
  };
  const Case cases[] = {
      {"{}", 1, ""},
      {"[[]]", 1, "nests arrays and objects deeper than 1 levels (at byte 2), the limit for JSON "
                  "slipway reads"},
      {R"({"a":[{"b":1}]})", 3, ""},
      {R"({"a":[{"b":[1]}]})", 3, "nests arrays and objects deeper than 3 levels (at byte 12), "
                                  "the limit for JSON slipway reads"},
      // Brackets in strings, escaped quotes included, do not count.
      {R"({"a":"[[[[\"[[[["})", 1, ""},
      // JSON lines: each line closes what it opened.
      {"[[1]]\n[[2]]\n", 2, ""},
      // Not JSON at all: the parser says so afterwards; only depth is checked here.
      {"]]]][", 1, ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(JsonNestingError(c.text, c.limit), c.error) << c.text;
  }
  EXPECT_EQ(JsonNestingError(std::string(kMaxJsonNesting, '[')), "");
  EXPECT_NE(JsonNestingError(std::string(kMaxJsonNesting + 1, '[')), "");
}

}  // namespace
}  // namespace slipway
