#include "interpreter/expr/unicode.h"

#include <gtest/gtest.h>

namespace slipway::expr {
namespace {

// .NET's UTF8Encoding (the runner's File.ReadAllText): one U+FFFD per maximal ill-formed
// subpart, well-formed text unchanged.
TEST(UnicodeTest, ReplacesIllFormedUtf8AsDotNet) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(ReplaceInvalidUtf8("plain é ✓ 😀"), "plain é ✓ 😀");
  EXPECT_EQ(ReplaceInvalidUtf8("a\xFF" "b"), "a" + fffd + "b");
  EXPECT_EQ(ReplaceInvalidUtf8("\xC0\xAF"), fffd + fffd);             // overlong: two bytes
  EXPECT_EQ(ReplaceInvalidUtf8("\xE2\x82" "x"), fffd + "x");          // truncated: one subpart
  EXPECT_EQ(ReplaceInvalidUtf8("\xED\xA0\x80"), fffd + fffd + fffd);  // a surrogate
  EXPECT_EQ(ReplaceInvalidUtf8("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // > U+10FFFF
  EXPECT_EQ(ReplaceInvalidUtf8("end\xF0\x9F\x98"), "end" + fffd);
}

}  // namespace
}  // namespace slipway::expr
