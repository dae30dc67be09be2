#pragma once
/// Small text helpers shared by the steps: shell quoting for commands they build, UTC time
/// stamps, JSON paths for assertions and metrics.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace slipway::stdlib {

/// Quotes `text` for bash: 'it'\''s'. Plain words ([A-Za-z0-9_./:=@%+,-]) stay unquoted.
std::string ShellQuote(std::string_view text);
/// "2024-05-01T12:00:00Z" for milliseconds since the epoch.
std::string FormatUtc(int64_t epoch_ms);
/// "20240501T120000Z", for ids and directory names.
std::string CompactUtc(int64_t epoch_ms);
/// "Wed, 01 May 2024 12:00:00 +0000" (RFC 5322), for mail.
std::string Rfc5322Date(int64_t epoch_ms);
/// Looks up "a.b[0].c" (or "$.a.b[0]", or a JSON pointer "/a/b/0") in `root`; nullptr when
/// the path does not exist.
const nlohmann::json* FindJsonPath(const nlohmann::json& root, std::string_view path);

}  // namespace slipway::stdlib
