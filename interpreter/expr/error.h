#pragma once
/// The one error type of the expression engine: what went wrong and where in the expression.

#include <cstdint>
#include <string>

namespace slipway::expr {

/// Which stage failed (the conformance data calls them "lexing", "parsing", "evaluation").
enum class ErrorKind : uint8_t { kLexing, kParsing, kEvaluation };

/// An expression error. `message` is GitHub's own text (so that results can be compared with
/// GitHub's evaluator), e.g. "Unexpected symbol: '2'. Located at position 3 within expression:
/// 1 2". `offset`/`length` are bytes inside the expression (the caller adds the position of
/// "${{"); length 0 when the error has no token (depth, memory).
struct Error {
  ErrorKind kind = ErrorKind::kParsing;
  uint32_t offset = 0;
  uint32_t length = 0;
  std::string message;
};

}  // namespace slipway::expr
