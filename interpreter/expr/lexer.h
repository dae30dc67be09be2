#pragma once
/// The lexer: splits an expression into tokens, one at a time. Like GitHub's
/// (LexicalAnalyzer.cs) it also decides whether a token may follow the previous one and keeps
/// the stack of open brackets, so a token that cannot appear where it is comes back as
/// kUnexpected. The parser then only has to build the tree.

#include <string_view>
#include <vector>

#include "interpreter/expr/token.h"

namespace slipway::expr {

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}
  /// The next token (kEnd at the end). After kUnexpected the lexer should not be used further.
  Token Next();
  /// True while a "(", "[" or call's "(" is open.
  bool HasUnclosed() const { return !unclosed_.empty(); }

 private:
  Token ReadNumber(size_t start);
  Token ReadKeyword(size_t start);
  Token ReadString(size_t start);
  Token ReadOperator(size_t start);
  // Applies the "may follow" rules and the bracket stack; may turn `t` into kUnexpected.
  Token Finish(Token t);
  bool IsBoundary(size_t i) const;
  size_t SkipWhiteSpace(size_t i) const;

  std::string_view text_;
  size_t pos_ = 0;
  bool has_last_ = false;
  TokenKind last_ = TokenKind::kEnd;
  std::vector<TokenKind> unclosed_;
};

/// True for [A-Za-z_][A-Za-z0-9_-]* (a context, function or property name).
bool IsLegalKeyword(std::string_view s);

}  // namespace slipway::expr
