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

/// Equal ignoring ASCII case (.NET's OrdinalIgnoreCase on ASCII text).
inline bool SameIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace slipway
