#pragma once
/// Text helpers for the expression language: UTF-8 decoding, .NET-style whitespace, and the
/// case-insensitive comparisons GitHub uses everywhere (StringComparison.OrdinalIgnoreCase:
/// each character is upper-cased with the invariant simple mapping, then compared by UTF-16
/// code unit). ASCII takes a fast path; nothing here allocates.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace slipway::expr {

/// Decodes one code point at `text[i]`, advancing `i`. Invalid bytes decode as themselves
/// (one byte each) so that comparison stays total.
char32_t DecodeUtf8(std::string_view text, size_t& i);
/// Appends the UTF-8 encoding of `cp` to `out`.
void AppendUtf8(char32_t cp, std::string& out);

/// The invariant simple upper-case mapping (ASCII inline, table for the rest).
char32_t ToUpperSimple(char32_t cp);
/// .NET Char.IsWhiteSpace.
bool IsUnicodeWhiteSpace(char32_t cp);
/// Length of `text` in UTF-16 code units (how GitHub counts positions and sizes).
size_t Utf16Length(std::string_view text);

/// OrdinalIgnoreCase equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
/// OrdinalIgnoreCase ordering: <0, 0, >0.
int CompareIgnoreCase(std::string_view a, std::string_view b);
/// OrdinalIgnoreCase substring tests.
bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle);
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);
bool EndsWithIgnoreCase(std::string_view text, std::string_view suffix);
/// A hash that is equal for strings that are EqualsIgnoreCase.
uint32_t HashIgnoreCase(std::string_view text);

/// `text` with every ill-formed UTF-8 sequence replaced by U+FFFD, as .NET's UTF8Encoding
/// decodes it (one replacement per maximal ill-formed subpart); well-formed text is returned
/// as it is.
std::string ReplaceInvalidUtf8(std::string text);

/// Trims .NET whitespace at both ends (String.Trim()).
std::string_view TrimWhiteSpace(std::string_view text);

}  // namespace slipway::expr
