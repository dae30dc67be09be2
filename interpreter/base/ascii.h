#pragma once
/// ASCII case folding: what GitHub's OrdinalIgnoreCase comparisons of ids, names and labels
/// amount to for the ASCII text they hold; other bytes (UTF-8) are kept as they are.

#include <string>
#include <string_view>

namespace slipway {

inline std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace slipway
