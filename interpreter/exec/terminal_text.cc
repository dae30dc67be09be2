#include "interpreter/exec/terminal_text.h"

namespace slipway::exec {
namespace {

// The length of the SGR sequence (ESC [ params m) at `at`, 0 when there is none.
size_t SgrLength(std::string_view text, size_t at) {
  if (at + 1 >= text.size() || text[at + 1] != '[') return 0;
  for (size_t i = at + 2; i < text.size(); ++i) {
    char c = text[i];
    if (c == 'm') return i - at + 1;
    if (!((c >= '0' && c <= '9') || c == ';' || c == ':')) return 0;
  }
  return 0;
}

// Whether C0 control `c` passes as it is.
bool Passes(unsigned char c, bool keep_newlines) { return c == '\t' || (keep_newlines && c == '\n'); }

bool NeedsChange(std::string_view text, bool keep_newlines) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && !Passes(c, keep_newlines)) || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string SafeForTerminal(std::string_view text, bool keep_newlines) {
  if (!NeedsChange(text, keep_newlines)) return std::string(text);  // the common case: nothing to do
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == 0x1B) {
      if (size_t sgr = SgrLength(text, i)) {
        out.append(text.substr(i, sgr));
        i += sgr - 1;
        continue;
      }
      out += "^[";
    } else if (c < 0x20 && !Passes(c, keep_newlines)) {
      out += '^';
      out += static_cast<char>(c + 0x40);
    } else if (c == 0x7F) {
      out += "^?";
    } else if (c == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      // A C1 control (U+0080..U+009F) is ESC followed by its byte minus 0x40.
      out += "^[";
      out += static_cast<char>(static_cast<unsigned char>(text[i + 1]) - 0x40);
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace slipway::exec
