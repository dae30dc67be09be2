#pragma once
/// Tokens of the expression language. A token is a kind plus its place in the expression
/// (byte offset and length); literal values are decoded by the lexer.

#include <cstdint>
#include <string>
#include <string_view>

namespace slipway::expr {

/// Token kinds, as GitHub's lexer distinguishes them: "(" is a group or a call's parameter list
/// depending on what precedes it, ")" likewise.
enum class TokenKind : uint8_t {
  kStartGroup,       // "(" grouping
  kStartIndex,       // "["
  kStartParameters,  // "(" after a function name
  kEndGroup,         // ")" closing a group
  kEndIndex,         // "]"
  kEndParameters,    // ")" closing a call
  kSeparator,        // ","
  kDereference,      // "."
  kWildcard,         // "*"
  kOperator,         // ! != > >= < <= == && ||
  kNull,
  kBoolean,
  kNumber,
  kString,
  kPropertyName,  // keyword after "."
  kFunction,      // keyword followed by "("
  kNamedValue,    // any other keyword: a context name
  kUnexpected,    // not valid here
  kEnd,
};

/// The operators, in the order of the binary-operator table in parser.cc.
enum class OperatorKind : uint8_t { kNot, kEq, kNe, kLt, kLe, kGt, kGe, kAnd, kOr };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  OperatorKind op = OperatorKind::kNot;  // for kOperator
  bool boolean = false;                  // for kBoolean
  uint32_t offset = 0;
  uint32_t length = 0;
  double number = 0;  // for kNumber
  // A kString's value is its text between the quotes with '' read as ' (see UnquoteString).
};

/// The value of a string token's text ('it''s' → it's).
std::string UnquoteString(std::string_view quoted);

}  // namespace slipway::expr
