#include "interpreter/expr/unicode.h"

#include <algorithm>
#include <string>

namespace slipway::expr {
namespace {

struct CasePair {
  char32_t from;
  char32_t to;
};

constexpr CasePair kUpper[] = {
#include "interpreter/expr/unicode_case_table.inc"
};

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

inline char AsciiUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

// Key used for ordering: the upper-cased code point, ordered as UTF-16 code units are (a
// supplementary character sorts by its high surrogate, i.e. below U+E000).
inline uint32_t OrderKey(char32_t cp) {
  if (cp >= 0x10000) return 0xD800 + ((cp - 0x10000) >> 10);
  return cp;
}

// Decodes the upper-cased code points of a string one at a time.
class UpperReader {
 public:
  explicit UpperReader(std::string_view s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  char32_t Next() { return ToUpperSimple(DecodeUtf8(s_, i_)); }
  size_t pos() const { return i_; }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// True when `text` at byte `at` starts with `needle`, ignoring case; sets `end` past the match.
bool MatchAt(std::string_view text, size_t at, std::string_view needle, size_t& end) {
  size_t i = at;
  size_t j = 0;
  while (j < needle.size()) {
    if (i >= text.size()) return false;
    if (ToUpperSimple(DecodeUtf8(text, i)) != ToUpperSimple(DecodeUtf8(needle, j))) return false;
  }
  end = i;
  return true;
}

}  // namespace

char32_t DecodeUtf8(std::string_view text, size_t& i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  auto cont = [&](size_t k) -> int {
    if (i + k >= text.size()) return -1;
    const auto b = static_cast<unsigned char>(text[i + k]);
    return (b & 0xC0) == 0x80 ? (b & 0x3F) : -1;
  };
  if ((b0 & 0xE0) == 0xC0) {
    const int c1 = cont(1);
    if (c1 >= 0) {
      i += 2;
      return (char32_t(b0 & 0x1F) << 6) | char32_t(c1);
    }
  } else if ((b0 & 0xF0) == 0xE0) {
    const int c1 = cont(1);
    const int c2 = c1 >= 0 ? cont(2) : -1;
    if (c2 >= 0) {
      i += 3;
      return (char32_t(b0 & 0x0F) << 12) | (char32_t(c1) << 6) | char32_t(c2);
    }
  } else if ((b0 & 0xF8) == 0xF0) {
    const int c1 = cont(1);
    const int c2 = c1 >= 0 ? cont(2) : -1;
    const int c3 = c2 >= 0 ? cont(3) : -1;
    if (c3 >= 0) {
      i += 4;
      return (char32_t(b0 & 0x07) << 18) | (char32_t(c1) << 12) | (char32_t(c2) << 6) |
             char32_t(c3);
    }
  }
  ++i;
  return b0;
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

char32_t ToUpperSimple(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') ? cp - 32 : cp;
  const auto* end = std::end(kUpper);
  const auto* it = std::lower_bound(std::begin(kUpper), end, cp,
                                    [](const CasePair& p, char32_t c) { return p.from < c; });
  return (it != end && it->from == cp) ? it->to : cp;
}

bool IsUnicodeWhiteSpace(char32_t cp) {
  switch (cp) {
    case ' ':
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

size_t Utf16Length(std::string_view text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size();) {
    n += DecodeUtf8(text, i) >= 0x10000 ? 2 : 1;
  }
  return n;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t k = 0;
  for (; k < n; ++k) {
    const char ca = a[k];
    const char cb = b[k];
    if ((static_cast<unsigned char>(ca) | static_cast<unsigned char>(cb)) >= 0x80) break;
    if (AsciiUpper(ca) != AsciiUpper(cb)) return false;
  }
  if (k == a.size() && k == b.size()) return true;
  if (k == n) return false;  // one is a prefix of the other (pure ASCII so far)
  UpperReader ra(a.substr(k));
  UpperReader rb(b.substr(k));
  while (!ra.done() && !rb.done()) {
    if (ra.Next() != rb.Next()) return false;
  }
  return ra.done() && rb.done();
}

int CompareIgnoreCase(std::string_view a, std::string_view b) {
  UpperReader ra(a);
  UpperReader rb(b);
  while (!ra.done() && !rb.done()) {
    const uint32_t ka = OrderKey(ra.Next());
    const uint32_t kb = OrderKey(rb.Next());
    if (ka != kb) return ka < kb ? -1 : 1;
  }
  if (ra.done() && rb.done()) return 0;
  return ra.done() ? -1 : 1;
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (IsAscii(needle) && IsAscii(haystack)) {
    if (needle.size() > haystack.size()) return false;
    for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
      size_t k = 0;
      while (k < needle.size() && AsciiUpper(haystack[i + k]) == AsciiUpper(needle[k])) ++k;
      if (k == needle.size()) return true;
    }
    return false;
  }
  size_t end = 0;
  for (size_t i = 0; i < haystack.size();) {
    if (MatchAt(haystack, i, needle, end)) return true;
    DecodeUtf8(haystack, i);
  }
  return false;
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  size_t end = 0;
  return MatchAt(text, 0, prefix, end);
}

bool EndsWithIgnoreCase(std::string_view text, std::string_view suffix) {
  if (suffix.empty()) return true;
  if (IsAscii(suffix) && IsAscii(text)) {
    if (suffix.size() > text.size()) return false;
    return EqualsIgnoreCase(text.substr(text.size() - suffix.size()), suffix);
  }
  // Try each code-point boundary from which the rest has the suffix's length in code points.
  for (size_t i = 0; i < text.size();) {
    size_t end = 0;
    if (MatchAt(text, i, suffix, end) && end == text.size()) return true;
    DecodeUtf8(text, i);
  }
  return false;
}

uint32_t HashIgnoreCase(std::string_view text) {
  uint32_t h = 2166136261u;  // FNV-1a over upper-cased code points
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    char32_t cp;
    if (c < 0x80) {
      cp = (c >= 'a' && c <= 'z') ? c - 32 : c;
      ++i;
    } else {
      cp = ToUpperSimple(DecodeUtf8(text, i));
    }
    h = (h ^ static_cast<uint32_t>(cp)) * 16777619u;
  }
  return h;
}

std::string_view TrimWhiteSpace(std::string_view text) {
  size_t begin = 0;
  while (begin < text.size()) {
    size_t next = begin;
    if (!IsUnicodeWhiteSpace(DecodeUtf8(text, next))) break;
    begin = next;
  }
  size_t end = text.size();
  while (end > begin) {
    // Step back to the start of the previous code point.
    size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    size_t probe = start;
    if (!IsUnicodeWhiteSpace(DecodeUtf8(text, probe))) break;
    end = start;
  }
  return text.substr(begin, end - begin);
}

namespace {

// The length of the well-formed UTF-8 sequence at `text[i]` (Unicode Table 3-7), or 0; in
// `*valid_prefix` the bytes that could still start one (the maximal ill-formed subpart).
size_t WellFormedAt(std::string_view text, size_t i, size_t* valid_prefix) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  *valid_prefix = 1;
  if (b0 < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) low = 0xA0;
    if (b0 == 0xED) high = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) low = 0x90;
    if (b0 == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k < length; ++k) {
    if (i + k >= text.size()) return 0;
    const auto b = static_cast<unsigned char>(text[i + k]);
    const unsigned char lo = k == 1 ? low : 0x80, hi = k == 1 ? high : 0xBF;
    if (b < lo || b > hi) return 0;
    *valid_prefix = k + 1;
  }
  return length;
}

}  // namespace

std::string ReplaceInvalidUtf8(std::string text) {
  size_t i = 0;
  size_t prefix = 0;
  while (i < text.size()) {
    size_t n = WellFormedAt(text, i, &prefix);
    if (n == 0) break;
    i += n;
  }
  if (i == text.size()) return text;
  std::string out = text.substr(0, i);
  while (i < text.size()) {
    size_t n = WellFormedAt(text, i, &prefix);
    if (n > 0) {
      out.append(text, i, n);
      i += n;
    } else {
      out.append("\xEF\xBF\xBD");
      i += prefix;
    }
  }
  return out;
}

}  // namespace slipway::expr
