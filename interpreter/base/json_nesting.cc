#include "interpreter/base/json_nesting.h"

#include <fmt/format.h>

namespace slipway {

std::string JsonNestingError(std::string_view text, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character never ends the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > limit) {
          return fmt::format(
              "nests arrays and objects deeper than {} levels (at byte {}), the limit for JSON "
              "slipway reads",
              limit, i + 1);
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return "";
}

}  // namespace slipway
