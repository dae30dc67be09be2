#pragma once
/// ReadRunnerJson: JSON text → Value, read as the runner's fromJSON reads it (actions/runner
/// src/Sdk/Expressions/Sdk/Functions/FromJson.cs: Newtonsoft.Json's JToken.ReadFrom over a
/// JsonTextReader with FloatParseHandling.Double). What that reader accepts beyond RFC 8259:
///   - NaN, Infinity and -Infinity as numbers, anywhere a value may stand;
///   - numbers too large for a double, as ±Infinity; hex (0x1A) and C-style octal (017)
///     integers; a number must end at a delimiter ("1_0" is refused);
///   - /* block */ and // line comments between tokens (ignored inside arrays and objects);
///   - a comment before the first value *is* the value: ReadFrom returns the comment token,
///     which the runner turns into a string of the comment's text (`/*c*/ 1` → "c");
///   - anything after the first complete value is not read (`1 2` → 1).
/// Containers may nest 64 deep (Newtonsoft's default MaxDepth).

#include <string>
#include <string_view>

#include "interpreter/base/expected.h"
#include "interpreter/expr/value.h"

namespace slipway::expr {

/// Newtonsoft's default JsonReader.MaxDepth.
inline constexpr int kMaxJsonDepth = 64;

/// Reads `text`; the error is a short reason ("invalid JSON", "JSON nested too deeply").
Expected<Value> ReadRunnerJson(std::string_view text);

}  // namespace slipway::expr
