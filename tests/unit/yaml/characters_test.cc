#include "interpreter/yaml/characters.h"

#include <gtest/gtest.h>

#include <string>

namespace slipway::yaml {
namespace {

// YAML 1.2 c-printable: TAB, LF, CR, U+0020-007E, U+0085, U+00A0-D7FF, U+E000-FFFD,
// U+10000-10FFFF; everything else (and bytes that are not UTF-8) is refused, with its offset.
TEST(Characters, FindBadCharacter) {
  const struct {
    std::string text;
    size_t offset;  // npos: accepted
    int32_t code_point;
  } kCases[] = {
      {"a: b\tc\r\n", std::string::npos, -1},
      {"\xEF\xBB\xBFon: push\n", std::string::npos, -1},                   // byte order mark U+FEFF
      {"x: \xC2\x85 \xC2\xA0 \xF0\x9F\x98\x8A\n", std::string::npos, -1},  // NEL, NBSP, emoji
      {std::string("a: b\0c", 6), 4, 0x00},
      {"a: \x1B[31m", 3, 0x1B},
      {"a: \x7F", 3, 0x7F},
      {"a: \xC2\x80", 3, 0x80},        // a C1 control
      {"a: \xEF\xBF\xBE", 3, 0xFFFE},  // a noncharacter outside c-printable
      {"a: \xED\xA0\x80", 3, -1},      // an encoded surrogate is not UTF-8
      {"a: \xE0\x80\xAF", 3, -1},      // overlong
      {"a: \xFF", 3, -1},
      {"a: \xC3", 3, -1},  // cut short
  };
  for (const auto& c : kCases) {
    BadCharacter bad = FindBadCharacter(c.text);
    EXPECT_EQ(bad.offset, c.offset) << c.text;
    if (c.offset != std::string::npos) {
      EXPECT_EQ(bad.code_point, c.code_point) << c.text;
    }
  }
}

}  // namespace
}  // namespace slipway::yaml
