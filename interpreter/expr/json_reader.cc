#include "interpreter/expr/json_reader.h"

#include <re2/re2.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "interpreter/expr/unicode.h"

namespace slipway::expr {
namespace {

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

/// nlohmann-json reads RFC 8259 plus comments. The runner's reader also takes NaN, Infinity,
/// -Infinity and overflowing numbers: each becomes `null` in the text handed to nlohmann, and
/// `specials` says, for every `null` token in that text in order, which number it stands for
/// (nullopt: a real null). SAX callbacks arrive in text order, so the two line up exactly.
/// Single-quoted strings and unquoted property names (Newtonsoft reads both) are handed on as
/// JSON strings.
struct Rewritten {
  std::string text;
  std::vector<std::optional<double>> specials;
  bool ok = true;  // false: a number Newtonsoft refuses
};

bool IsDelimiter(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ']' || c == '}' ||
         c == ')' || c == '/';
}

/// "0x1A", "-0x1a", "017": the integer forms beyond JSON that Newtonsoft reads.
bool IsNonDecimal(std::string_view lexeme) {
  if (!lexeme.empty() && lexeme[0] == '-') lexeme.remove_prefix(1);
  return lexeme.size() > 1 && lexeme[0] == '0' && lexeme[1] != '.' && lexeme[1] != 'e' &&
         lexeme[1] != 'E';
}

/// The value of a number token as Newtonsoft reads it, or nullopt when it refuses it.
std::optional<double> ReadNumber(const std::string& lexeme) {
  static const RE2 kJsonNumber(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)");
  static const RE2 kHex(R"(-?0[xX][0-9a-fA-F]+)");
  static const RE2 kOctal(R"(-?0[0-7]+)");
  const bool negative = lexeme[0] == '-';
  errno = 0;
  if (RE2::FullMatch(lexeme, kHex) || RE2::FullMatch(lexeme, kOctal)) {
    const std::string digits = lexeme.substr(negative ? 1 : 0);
    const bool hex = digits.size() > 1 && (digits[1] == 'x' || digits[1] == 'X');
    char* end = nullptr;
    const unsigned long long value = std::strtoull(digits.c_str(), &end, hex ? 16 : 8);
    if (errno == ERANGE) return std::nullopt;  // beyond Int64: Newtonsoft refuses it too
    return negative ? -static_cast<double>(value) : static_cast<double>(value);
  }
  if (!RE2::FullMatch(lexeme, kJsonNumber)) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(lexeme.c_str(), &end);
  // Newtonsoft reads an overflowing double as +-Infinity (underflow as 0, as strtod does).
  return value;
}

Rewritten Rewrite(std::string_view text) {
  Rewritten out;
  out.text.reserve(text.size());
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '"') {
      size_t j = i + 1;
      while (j < n && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
      j = std::min(n, j + 1);
      out.text.append(text.substr(i, j - i));
      i = j;
      continue;
    }
    if (c == '\'') {
      // Newtonsoft also reads single-quoted strings (JsonTextReader.ParseString with '\''):
      // the same escapes, `\'` a quote; handed on double-quoted.
      out.text.push_back('"');
      size_t j = i + 1;
      for (; j < n && text[j] != '\''; ++j) {
        if (text[j] == '\\' && j + 1 < n) {
          if (text[j + 1] != '\'') out.text.push_back('\\');
          out.text.push_back(text[++j]);
        } else if (text[j] == '"') {
          out.text += "\\\"";
        } else {
          out.text.push_back(text[j]);
        }
      }
      if (j < n) out.text.push_back('"');  // unterminated: left open for nlohmann to refuse
      i = std::min(n, j + 1);
      continue;
    }
    if (c == '/' && i + 1 < n && (text[i + 1] == '*' || text[i + 1] == '/')) {
      size_t end = text[i + 1] == '*' ? text.find("*/", i + 2) : text.find('\n', i + 2);
      end = end == std::string_view::npos ? n : end + (text[i + 1] == '*' ? 2 : 1);
      out.text.append(text.substr(i, end - i));
      i = end;
      continue;
    }
    if (c == '-' && text.substr(i + 1, 8) == "Infinity" &&
        (i + 9 >= n || !IsWordChar(text[i + 9]))) {
      out.text += "null";
      out.specials.push_back(-HUGE_VAL);
      i += 9;
      continue;
    }
    if (IsDigit(c) || (c == '-' && i + 1 < n && IsDigit(text[i + 1]))) {
      // Newtonsoft reads a number up to a delimiter; "1_0" or "0o17" is an error, "0x1A" hex
      // and "017" octal (C style), as JsonTextReader.ParseReadNumber does.
      size_t j = i + 1;
      while (j < n && (IsWordChar(text[j]) || text[j] == '.' || text[j] == '+' || text[j] == '-')) {
        ++j;
      }
      if (j < n && !IsDelimiter(text[j])) {
        out.ok = false;
        return out;
      }
      const std::string lexeme(text.substr(i, j - i));
      std::optional<double> number = ReadNumber(lexeme);
      if (!number) {
        out.ok = false;
        return out;
      }
      if (std::isinf(*number) || IsNonDecimal(lexeme)) {
        out.text += "null";  // stands for the number (overflowing, hex or octal)
        out.specials.push_back(*number);
      } else {
        out.text += lexeme;
      }
      i = j;
      continue;
    }
    if (IsWordChar(c)) {
      size_t j = i;
      while (j < n && IsWordChar(text[j])) ++j;
      const std::string_view word = text.substr(i, j - i);
      size_t after = j;
      while (after < n && (text[after] == ' ' || text[after] == '\t' || text[after] == '\r' ||
                           text[after] == '\n')) {
        ++after;
      }
      if (after < n && text[after] == ':') {
        // An unquoted property name (JsonTextReader.ParseUnquotedProperty).
        out.text.push_back('"');
        out.text.append(word);
        out.text.push_back('"');
      } else if (word == "NaN") {
        out.text += "null";
        out.specials.push_back(std::nan(""));
      } else if (word == "Infinity") {
        out.text += "null";
        out.specials.push_back(HUGE_VAL);
      } else {
        if (word == "null") out.specials.push_back(std::nullopt);
        out.text.append(word);
      }
      i = j;
      continue;
    }
    out.text.push_back(c);
    ++i;
  }
  return out;
}

/// Builds a Value from nlohmann's SAX events.
class Builder {
 public:
  using json = nlohmann::json;
  explicit Builder(const std::vector<std::optional<double>>& specials) : specials_(specials) {}

  bool null() {
    std::optional<double> special;
    if (next_null_ < specials_.size()) special = specials_[next_null_];
    ++next_null_;
    return Add(special ? Value::Number(*special) : Value::Null());
  }
  bool boolean(bool b) { return Add(Value::Boolean(b)); }
  bool number_integer(json::number_integer_t v) {
    return Add(Value::Number(static_cast<double>(v)));
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return Add(Value::Number(static_cast<double>(v)));
  }
  bool number_float(json::number_float_t v, const json::string_t&) { return Add(Value::Number(v)); }
  bool string(json::string_t& s) { return Add(Value::String(std::move(s))); }
  bool binary(json::binary_t&) { return Add(Value::Null()); }
  bool start_object(std::size_t) { return Open(false); }
  bool key(json::string_t& k) {
    frames_.back().key = std::move(k);
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(std::size_t) { return Open(true); }
  bool end_array() { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    if (error_.empty()) error_ = "invalid JSON";
    return false;
  }

  bool done() const { return done_; }
  const std::string& error() const { return error_; }
  Value Take() { return std::move(result_); }

 private:
  struct Frame {
    bool is_array = false;
    Array items;
    Object object;
    std::string key;
  };

  bool Add(Value value) {
    if (frames_.empty()) {
      result_ = std::move(value);
      done_ = true;
      return true;
    }
    Frame& top = frames_.back();
    if (top.is_array) {
      top.items.push_back(std::move(value));
    } else {
      top.object.Set(std::move(top.key), std::move(value));
    }
    return true;
  }
  bool Open(bool is_array) {
    if (frames_.size() >= static_cast<size_t>(kMaxJsonDepth)) {
      error_ = "JSON nested too deeply";
      return false;
    }
    frames_.emplace_back();
    frames_.back().is_array = is_array;
    return true;
  }
  bool Close() {
    Frame top = std::move(frames_.back());
    frames_.pop_back();
    return Add(top.is_array ? Value::FromArray(std::move(top.items))
                            : Value::FromObject(std::move(top.object)));
  }

  const std::vector<std::optional<double>>& specials_;
  size_t next_null_ = 0;
  std::vector<Frame> frames_;
  Value result_;
  bool done_ = false;
  std::string error_;
};

}  // namespace

Expected<Value> ReadRunnerJson(std::string_view text) {
  const std::string_view trimmed = TrimWhiteSpace(text);
  // A leading comment is the token JToken.ReadFrom returns; the runner makes a string of it.
  if (trimmed.substr(0, 2) == "/*") {
    const size_t end = trimmed.find("*/", 2);
    if (end == std::string_view::npos) return MakeUnexpected(std::string("invalid JSON"));
    return Value::String(std::string(trimmed.substr(2, end - 2)));
  }
  if (trimmed.substr(0, 2) == "//") {
    const size_t end = trimmed.find_first_of("\r\n", 2);
    return Value::String(std::string(
        trimmed.substr(2, end == std::string_view::npos ? std::string_view::npos : end - 2)));
  }
  Rewritten rewritten = Rewrite(trimmed);
  if (!rewritten.ok) return MakeUnexpected(std::string("invalid JSON"));
  Builder builder(rewritten.specials);
  const bool ok =
      nlohmann::json::sax_parse(rewritten.text, &builder, nlohmann::json::input_format_t::json,
                                /*strict=*/false, /*ignore_comments=*/true);
  if (!ok || !builder.done()) {
    return MakeUnexpected(builder.error().empty() ? std::string("invalid JSON") : builder.error());
  }
  return builder.Take();
}

}  // namespace slipway::expr
