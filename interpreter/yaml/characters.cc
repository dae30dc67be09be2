#include "interpreter/yaml/characters.h"

namespace slipway::yaml {

bool IsPrintable(uint32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
         (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

BadCharacter FindBadCharacter(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t extra;
    uint32_t code;
    if (c < 0x80) {
      if (!IsPrintable(c)) return {i, static_cast<int32_t>(c)};
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      extra = 3;
      code = c & 0x07;
    } else {
      return {i, -1};
    }
    for (size_t k = 1; k <= extra; ++k) {
      if (i + k >= text.size()) return {i, -1};
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return {i, -1};
      code = (code << 6) | (next & 0x3F);
    }
    // Overlong three- and four-byte forms and encoded surrogates are not UTF-8 either.
    if ((extra == 2 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) ||
        (extra == 3 && (code < 0x10000 || code > 0x10FFFF))) {
      return {i, -1};
    }
    if (!IsPrintable(code)) return {i, static_cast<int32_t>(code)};
    i += extra + 1;
  }
  return {};
}

}  // namespace slipway::yaml
