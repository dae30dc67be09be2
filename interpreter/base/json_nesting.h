#pragma once
/// A bound on how deeply JSON from outside may nest, checked on the text before it is parsed:
/// nlohmann-json parses deep text without recursion, but copying, comparing, dumping and
/// converting the value recurse once per level, so a 100 KB payload of nested arrays would
/// overflow the stack. Lua's LUAI_MAXCCALLS does the same for its parser.

#include <cstddef>
#include <string>
#include <string_view>

namespace slipway {

/// The deepest nesting of arrays and objects slipway accepts in JSON it reads: far above any real
/// event payload, record or response (GitHub's own webhook payloads nest about 8 deep), far below
/// what the stack holds.
inline constexpr size_t kMaxJsonNesting = 512;

/// The bound for JSON that slipway wrote and that holds outside JSON a few levels down (run.json
/// and its journal hold the event payload under github.event; a reviewed plan too).
inline constexpr size_t kMaxRecordJsonNesting = 2 * kMaxJsonNesting;

/// "" when the arrays and objects in JSON `text` nest at most `limit` deep (characters inside
/// strings do not count; the text need not be valid JSON, nor a single value: a JSON-lines file is
/// checked line by line). Otherwise the reason, for "file \"F\" " + reason:
/// "nests arrays and objects deeper than 512 levels (at byte 1025), the limit for JSON slipway reads".
std::string JsonNestingError(std::string_view text, size_t limit = kMaxJsonNesting);

}  // namespace slipway
