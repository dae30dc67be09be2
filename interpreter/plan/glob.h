#pragma once
/// GitHub filter patterns (branches, tags, paths, deployment branch policies),
/// compiled once to RE2. Syntax as GitHub documents it
/// (https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#filter-pattern-cheat-sheet):
///   `*` any characters except `/`; `**` any characters; `?` zero or one of the
///   preceding character; `+` one or more of the preceding character; `[...]`
///   one character of a set or range; `\` escapes; a leading `!` negates the
///   pattern. Everything else is literal.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace slipway::plan {

/// One compiled pattern. Check ok() before use; error() says why it did not compile.
class GlobPattern {
 public:
  explicit GlobPattern(std::string_view pattern);
  ~GlobPattern();
  GlobPattern(GlobPattern&&) noexcept;
  GlobPattern& operator=(GlobPattern&&) noexcept;

  bool ok() const;
  const std::string& error() const { return error_; }
  /// True when the pattern (without its `!`) matches the whole of `text`.
  bool Matches(std::string_view text) const;
  bool negated() const { return negated_; }
  const std::string& text() const { return text_; }
  /// The RE2 the pattern compiled to (for tests and messages).
  const std::string& regex() const { return regex_; }

 private:
  std::string text_;  // as written, `!` included
  std::string regex_;
  std::string error_;
  bool negated_ = false;
  std::unique_ptr<re2::RE2> re_;
};

/// Translates a GitHub pattern (without leading `!`) to an RE2 regular
/// expression; sets `error` and returns "" when the pattern is malformed (e.g. an unclosed `[`).
std::string GlobToRegex(std::string_view pattern, std::string* error);

/// An ordered list of patterns with GitHub's negation semantics: a value is
/// included when the last pattern that matches it is a positive one (so order
/// matters: `['v*', '!v*-rc*']`).
class PatternList {
 public:
  PatternList() = default;
  explicit PatternList(const std::vector<std::string>& patterns);

  /// True when the value is included. `matched` (optional) gets the deciding
  /// pattern's text, or "" when no pattern matched.
  bool Includes(std::string_view value, std::string* matched = nullptr) const;
  /// The first pattern that did not compile, or nullptr.
  const GlobPattern* first_error() const;
  bool empty() const { return patterns_.empty(); }
  size_t size() const { return patterns_.size(); }
  /// The patterns joined as "a, b, c" for messages.
  std::string Describe() const;

 private:
  std::vector<GlobPattern> patterns_;
};

}  // namespace slipway::plan
