#include "interpreter/expr/lexer.h"

#include <cmath>
#include <initializer_list>

#include "interpreter/expr/unicode.h"
#include "interpreter/expr/value.h"

namespace slipway::expr {
namespace {

using K = TokenKind;

// Token kinds after which an operand (literal, name, "(", "!") may come.
constexpr std::initializer_list<K> kBeforeOperand = {
    K::kSeparator, K::kStartGroup, K::kStartParameters, K::kStartIndex, K::kOperator};
// Token kinds that end an operand (after which an operator, ")", "]" or "," may come).
constexpr std::initializer_list<K> kEndOfOperand = {
    K::kEndGroup, K::kEndParameters, K::kEndIndex, K::kWildcard,     K::kNull,
    K::kBoolean,  K::kNumber,        K::kString,   K::kPropertyName, K::kNamedValue};

// Characters that end a number, keyword or bad operator (GitHub's TestTokenBoundary), ASCII.
struct BoundaryTable {
  bool is[128] = {};
  constexpr BoundaryTable() {
    for (char c : {'(', '[', ')', ']', ',', '.', '!', '>', '<', '=', '&', '|', ' ', '\t', '\n',
                   '\v', '\f', '\r'}) {
      is[static_cast<unsigned char>(c)] = true;
    }
  }
};
constexpr BoundaryTable kBoundary;

constexpr uint32_t Bit(K kind) { return 1u << static_cast<uint32_t>(kind); }
constexpr uint32_t Mask(std::initializer_list<K> set) {
  uint32_t m = 0;
  for (K k : set) m |= Bit(k);
  return m;
}
bool In(K kind, std::initializer_list<K> set) { return (Mask(set) & Bit(kind)) != 0; }

}  // namespace

bool IsLegalKeyword(std::string_view s) {
  if (s.empty()) return false;
  const char first = s[0];
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_')) {
    return false;
  }
  for (size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

std::string UnquoteString(std::string_view quoted) {
  std::string out;
  if (quoted.size() < 2) return out;
  const std::string_view body = quoted.substr(1, quoted.size() - 2);
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    out.push_back(body[i]);
    if (body[i] == '\'' && i + 1 < body.size() && body[i + 1] == '\'') ++i;
  }
  return out;
}

bool Lexer::IsBoundary(size_t i) const {
  const auto c = static_cast<unsigned char>(text_[i]);
  if (c < 0x80) return kBoundary.is[c];
  return IsUnicodeWhiteSpace(DecodeUtf8(text_, i));
}

size_t Lexer::SkipWhiteSpace(size_t i) const {
  while (i < text_.size()) {
    const auto c = static_cast<unsigned char>(text_[i]);
    if (c == ' ' || (c >= '\t' && c <= '\r')) {
      ++i;
      continue;
    }
    if (c < 0x80) break;
    size_t next = i;
    if (!IsUnicodeWhiteSpace(DecodeUtf8(text_, next))) break;
    i = next;
  }
  return i;
}

Token Lexer::Next() {
  pos_ = SkipWhiteSpace(pos_);
  if (pos_ >= text_.size()) {
    Token end;
    end.offset = static_cast<uint32_t>(text_.size());
    return end;
  }
  const size_t start = pos_;
  const char c = text_[pos_];
  Token t;
  t.offset = static_cast<uint32_t>(start);
  t.length = 1;
  switch (c) {
    case '(':
      t.kind = has_last_ && last_ == K::kFunction ? K::kStartParameters : K::kStartGroup;
      ++pos_;
      return Finish(std::move(t));
    case '[':
      t.kind = K::kStartIndex;
      ++pos_;
      return Finish(std::move(t));
    case ')':
      t.kind = !unclosed_.empty() && unclosed_.back() == K::kStartParameters ? K::kEndParameters
                                                                             : K::kEndGroup;
      ++pos_;
      return Finish(std::move(t));
    case ']':
      t.kind = K::kEndIndex;
      ++pos_;
      return Finish(std::move(t));
    case ',':
      t.kind = K::kSeparator;
      ++pos_;
      return Finish(std::move(t));
    case '*':
      t.kind = K::kWildcard;
      ++pos_;
      return Finish(std::move(t));
    case '\'':
      return Finish(ReadString(start));
    case '!':
    case '>':
    case '<':
    case '=':
    case '&':
    case '|':
      return Finish(ReadOperator(start));
    default:
      break;
  }
  if (c == '.') {
    if (!has_last_ || In(last_, kBeforeOperand)) return Finish(ReadNumber(start));
    t.kind = K::kDereference;
    ++pos_;
    return Finish(std::move(t));
  }
  if (c == '-' || c == '+' || (c >= '0' && c <= '9')) return Finish(ReadNumber(start));
  return Finish(ReadKeyword(start));
}

Token Lexer::ReadNumber(size_t start) {
  // The first character is taken as is; then everything up to a boundary, "." included.
  do {
    ++pos_;
  } while (pos_ < text_.size() && (text_[pos_] == '.' || !IsBoundary(pos_)));
  Token t;
  t.offset = static_cast<uint32_t>(start);
  t.length = static_cast<uint32_t>(pos_ - start);
  const double d = ParseNumber(text_.substr(start, pos_ - start));
  if (std::isnan(d)) {
    t.kind = K::kUnexpected;
  } else {
    t.kind = K::kNumber;
    t.number = d;
  }
  return t;
}

Token Lexer::ReadKeyword(size_t start) {
  if (static_cast<unsigned char>(text_[pos_]) < 0x80) {
    ++pos_;
  } else {
    DecodeUtf8(text_, pos_);  // the first character, whatever it is
  }
  while (pos_ < text_.size()) {
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c < 0x80 ? kBoundary.is[c] : IsBoundary(pos_)) break;
    ++pos_;
  }
  Token t;
  t.offset = static_cast<uint32_t>(start);
  t.length = static_cast<uint32_t>(pos_ - start);
  const std::string_view word = text_.substr(start, pos_ - start);
  if (!IsLegalKeyword(word)) {
    t.kind = K::kUnexpected;
    return t;
  }
  if (has_last_ && last_ == K::kDereference) {
    t.kind = K::kPropertyName;
  } else if (word == "null") {
    t.kind = K::kNull;
  } else if (word == "true" || word == "false") {
    t.kind = K::kBoolean;
    t.boolean = word == "true";
  } else if (word == "NaN") {
    t.kind = K::kNumber;
    t.number = std::nan("");
  } else if (word == "Infinity") {
    t.kind = K::kNumber;
    t.number = HUGE_VAL;
  } else {
    const size_t next = SkipWhiteSpace(pos_);
    t.kind = next < text_.size() && text_[next] == '(' ? K::kFunction : K::kNamedValue;
  }
  return t;
}

Token Lexer::ReadString(size_t start) {
  Token t;
  t.offset = static_cast<uint32_t>(start);
  ++pos_;  // the opening quote
  bool closed = false;
  while (pos_ < text_.size()) {
    const size_t quote = text_.find('\'', pos_);
    if (quote == std::string_view::npos) {
      pos_ = text_.size();
      break;
    }
    pos_ = quote + 1;
    if (pos_ < text_.size() && text_[pos_] == '\'') {  // '' is one quote
      ++pos_;
      continue;
    }
    closed = true;
    break;
  }
  t.length = static_cast<uint32_t>(pos_ - start);
  t.kind = closed ? K::kString : K::kUnexpected;
  return t;
}

Token Lexer::ReadOperator(size_t start) {
  Token t;
  t.offset = static_cast<uint32_t>(start);
  t.kind = K::kOperator;
  ++pos_;
  if (pos_ < text_.size()) {
    const std::string_view two = text_.substr(start, 2);
    t.length = 2;
    ++pos_;
    if (two == "!=") {
      t.op = OperatorKind::kNe;
      return t;
    } else if (two == ">=") {
      t.op = OperatorKind::kGe;
      return t;
    } else if (two == "<=") {
      t.op = OperatorKind::kLe;
      return t;
    } else if (two == "==") {
      t.op = OperatorKind::kEq;
      return t;
    } else if (two == "&&") {
      t.op = OperatorKind::kAnd;
      return t;
    } else if (two == "||") {
      t.op = OperatorKind::kOr;
      return t;
    }
    --pos_;
  }
  t.length = 1;
  switch (text_[start]) {
    case '!':
      t.op = OperatorKind::kNot;
      return t;
    case '>':
      t.op = OperatorKind::kGt;
      return t;
    case '<':
      t.op = OperatorKind::kLt;
      return t;
    default:
      break;
  }
  while (pos_ < text_.size() && !IsBoundary(pos_)) ++pos_;
  t.kind = K::kUnexpected;
  t.length = static_cast<uint32_t>(pos_ - start);
  return t;
}

Token Lexer::Finish(Token t) {
  const bool first = !has_last_;
  const uint32_t last_bit = first ? 0 : Bit(last_);
  auto last_in = [&](std::initializer_list<K> set) { return (Mask(set) & last_bit) != 0; };
  bool legal = false;
  switch (t.kind) {
    case K::kStartGroup:
    case K::kNull:
    case K::kBoolean:
    case K::kNumber:
    case K::kString:
    case K::kFunction:
    case K::kNamedValue:
      legal = first || last_in(kBeforeOperand);
      break;
    case K::kStartIndex:
    case K::kDereference:
      legal = last_in({K::kEndGroup, K::kEndParameters, K::kEndIndex, K::kWildcard,
                       K::kPropertyName, K::kNamedValue});
      break;
    case K::kStartParameters:
      legal = last_in({K::kFunction});
      break;
    case K::kEndGroup:
    case K::kEndIndex:
    case K::kSeparator:
      legal = last_in(kEndOfOperand);
      break;
    case K::kEndParameters:
      legal = last_in(kEndOfOperand) || last_in({K::kStartParameters});
      break;
    case K::kWildcard:
      legal = last_in({K::kStartIndex, K::kDereference});
      break;
    case K::kOperator:
      legal =
          t.op == OperatorKind::kNot ? first || last_in(kBeforeOperand) : last_in(kEndOfOperand);
      break;
    case K::kPropertyName:
      legal = last_in({K::kDereference});
      break;
    case K::kUnexpected:
    case K::kEnd:
      legal = t.kind == K::kEnd;
      break;
  }
  if (legal) {
    switch (t.kind) {
      case K::kStartGroup:
      case K::kStartIndex:
      case K::kStartParameters:
        unclosed_.push_back(t.kind);
        break;
      case K::kEndGroup:
        legal = !unclosed_.empty() && unclosed_.back() == K::kStartGroup;
        break;
      case K::kEndIndex:
        legal = !unclosed_.empty() && unclosed_.back() == K::kStartIndex;
        break;
      case K::kEndParameters:
        legal = !unclosed_.empty() && unclosed_.back() == K::kStartParameters;
        break;
      case K::kSeparator:
        legal = !unclosed_.empty() && unclosed_.back() == K::kStartParameters;
        break;
      default:
        break;
    }
    if (legal &&
        (t.kind == K::kEndGroup || t.kind == K::kEndIndex || t.kind == K::kEndParameters)) {
      unclosed_.pop_back();
    }
  }
  if (!legal) t.kind = K::kUnexpected;
  has_last_ = true;
  last_ = t.kind;
  return t;
}

}  // namespace slipway::expr
