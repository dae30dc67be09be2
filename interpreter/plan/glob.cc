#include "interpreter/plan/glob.h"

#include <re2/re2.h>

namespace slipway::plan {

std::string GlobToRegex(std::string_view pattern, std::string* error) {
  std::string out;
  // Where the last atom starts in `out`, so `?` and `+` can apply to it; npos when none.
  size_t atom = std::string::npos;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size()) {
        *error = "pattern ends with an unfinished escape \"\\\"";
        return "";
      }
      atom = out.size();
      out += RE2::QuoteMeta(std::string(1, pattern[++i]));
    } else if (c == '*') {
      atom = out.size();
      if (i + 1 < pattern.size() && pattern[i + 1] == '*') {
        ++i;
        if (i + 1 < pattern.size() && pattern[i + 1] == '/') {
          ++i;
          out += "(?:.*/)?";  // `**/` also matches no directory at all
        } else {
          out += ".*";
        }
      } else {
        out += "[^/]*";
      }
    } else if (c == '?' || c == '+') {
      if (atom == std::string::npos) {  // nothing to repeat: literal, as GitHub does
        atom = out.size();
        out += '\\';
        out += c;
      } else {
        out.insert(atom, "(?:");
        out += ')';
        out += c;
        atom = std::string::npos;
      }
    } else if (c == '[') {
      size_t close = pattern.find(']', i + 1);
      if (close == std::string_view::npos || close == i + 1) {
        *error = "unclosed \"[\" at column " + std::to_string(i + 1);
        return "";
      }
      atom = out.size();
      out += '[';
      for (size_t k = i + 1; k < close; ++k) {
        char m = pattern[k];
        if (m == '\\' || m == '[' || m == '^' || m == '&' || m == '~') {
          out += '\\';
        }
        out += m;
      }
      out += ']';
      i = close;
    } else {
      atom = out.size();
      out += RE2::QuoteMeta(std::string(1, c));
    }
  }
  return out;
}

GlobPattern::GlobPattern(std::string_view pattern) : text_(pattern) {
  std::string_view body = pattern;
  if (!body.empty() && body.front() == '!') {
    negated_ = true;
    body.remove_prefix(1);
  }
  regex_ = GlobToRegex(body, &error_);
  if (!error_.empty()) return;
  RE2::Options options;
  options.set_log_errors(false);
  re_ = std::make_unique<RE2>(regex_, options);
  if (!re_->ok()) error_ = re_->error();
}

GlobPattern::~GlobPattern() = default;
GlobPattern::GlobPattern(GlobPattern&&) noexcept = default;
GlobPattern& GlobPattern::operator=(GlobPattern&&) noexcept = default;

bool GlobPattern::ok() const { return error_.empty() && re_ && re_->ok(); }

bool GlobPattern::Matches(std::string_view text) const {
  return ok() && RE2::FullMatch(text, *re_);
}

PatternList::PatternList(const std::vector<std::string>& patterns) {
  patterns_.reserve(patterns.size());
  for (const std::string& p : patterns) patterns_.emplace_back(p);
}

bool PatternList::Includes(std::string_view value, std::string* matched) const {
  bool included = false;
  if (matched) matched->clear();
  for (const GlobPattern& p : patterns_) {
    if (!p.Matches(value)) continue;
    included = !p.negated();
    if (matched) *matched = p.text();
  }
  return included;
}

const GlobPattern* PatternList::first_error() const {
  for (const GlobPattern& p : patterns_) {
    if (!p.ok()) return &p;
  }
  return nullptr;
}

std::string PatternList::Describe() const {
  std::string out;
  for (const GlobPattern& p : patterns_) {
    if (!out.empty()) out += ", ";
    out += p.text();
  }
  return out;
}

}  // namespace slipway::plan
