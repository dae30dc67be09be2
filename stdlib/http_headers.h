#pragma once
/// Header fields that built-in steps send (webhook, smoke-test and monitor `headers:`, e-mail
/// headers), checked before anything leaves the machine. A `with:` value is text in which
/// `${{ }}` has already been substituted, so a line break inside a substituted value (a
/// dispatch input, a PR title) would otherwise become a header or recipient of its own.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "stdlib/input_reader.h"

namespace slipway::stdlib {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// True for an RFC 7230 token (1*tchar): what a header field name must be.
bool IsHeaderName(std::string_view name);
/// "" when `name: value` can be sent as one header field; else why not (the name is not a
/// token; the value holds CR, LF, NUL or another control character except tab).
std::string HeaderProblem(std::string_view name, std::string_view value);
/// True when `text` holds CR, LF or NUL: what no header value or address may contain.
bool HasLineBreakOrNul(std::string_view text);
/// True when the `${{ }}` values substituted into `written` (the input as written in the
/// workflow) brought line breaks of their own into `rendered`: there are more LFs or CRs in
/// `rendered` than in `written` outside its expressions. False when `written` is unknown ("").
bool SubstitutedLineBreak(std::string_view written, std::string_view rendered);

/// Reads header input `key` ("Name: value" lines, or a mapping), in order. Problems go to
/// `in`: a name that is not a token, a value with a control character, a name given twice
/// (case-insensitive: a second Authorization or Host would silently replace the first), and a
/// line break brought in by a `${{ }}` value (`written` is the input as written, or "").
HeaderList ReadHeaders(InputReader& in, std::string_view key, std::string_view written);

/// The value of input `key` as written in the workflow (StepInputs::with_written), or "".
std::string WrittenText(const nlohmann::json& with_written, std::string_view key);

}  // namespace slipway::stdlib
