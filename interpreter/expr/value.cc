#include "interpreter/expr/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "interpreter/expr/unicode.h"

namespace slipway::expr {
namespace {

const std::string& EmptyString() {
  static const std::string* empty = new std::string();
  return *empty;
}
const Array& EmptyArray() {
  static const Array* empty = new Array();
  return *empty;
}
const Object& EmptyObject() {
  static const Object* empty = new Object();
  return *empty;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// .NET Double.TryParse(NumberStyles.AllowLeadingSign | AllowDecimalPoint | AllowExponent,
// InvariantCulture) on already-trimmed text. Returns false when the text is not a number.
bool TryParseDecimal(std::string_view s, double& out) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  const std::string_view body = s.substr(i);
  // Infinity and NaN symbols, case-insensitive, as .NET Core 3.0+ accepts them.
  if (EqualsIgnoreCase(body, "Infinity")) {
    out = negative ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  if (EqualsIgnoreCase(body, "NaN")) {
    out = std::nan("");
    return true;
  }
  const size_t start = i;
  size_t int_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  if (i != s.size()) return false;
  // from_chars wants no leading '+' and at least one digit before a trailing '.', which the
  // grammar above allows; build the canonical form only when needed.
  std::string_view digits = s.substr(start);
  double value = 0;
  std::string scratch;
  if (int_digits == 0 || (frac_digits == 0 && digits.find('.') != std::string_view::npos)) {
    scratch.reserve(digits.size() + 2);
    if (int_digits == 0) scratch.push_back('0');
    for (char c : digits) {
      scratch.push_back(c);
      if (c == '.' && frac_digits == 0) scratch.push_back('0');
    }
    digits = scratch;
  }
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // from_chars reports overflow/underflow without a value; .NET gives ±Infinity or 0.
    const size_t e = digits.find_first_of("eE");
    const bool tiny = e != std::string_view::npos && digits.substr(e + 1).find('-') == 0;
    value = tiny ? 0.0 : HUGE_VAL;
  } else if (ec != std::errc() || ptr != digits.data() + digits.size()) {
    return false;
  }
  out = negative ? -value : value;
  return true;
}

// One side of a comparison after GitHub's coercion (EvaluationResult.CoerceTypes): when the
// kinds differ, a number meets a string as a number, and booleans and null become numbers.
struct Operand {
  Kind kind;
  double number;
};

// Returns false when the kinds still differ after coercion (then nothing compares equal).
bool Coerce(const Value& a, const Value& b, Operand& l, Operand& r) {
  l = {a.kind(), a.is_number() ? a.number() : 0};
  r = {b.kind(), b.is_number() ? b.number() : 0};
  while (l.kind != r.kind) {
    if (l.kind == Kind::kNumber && r.kind == Kind::kString) {
      r = {Kind::kNumber, ParseNumber(b.string())};
    } else if (l.kind == Kind::kString && r.kind == Kind::kNumber) {
      l = {Kind::kNumber, ParseNumber(a.string())};
    } else if (l.kind == Kind::kBoolean || l.kind == Kind::kNull) {
      l = {Kind::kNumber, ToNumber(a)};
    } else if (r.kind == Kind::kBoolean || r.kind == Kind::kNull) {
      r = {Kind::kNumber, ToNumber(b)};
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "Null";
    case Kind::kBoolean:
      return "Boolean";
    case Kind::kNumber:
      return "Number";
    case Kind::kString:
      return "String";
    case Kind::kArray:
      return "Array";
    case Kind::kObject:
      return "Object";
  }
  return "Null";
}

Value Value::Boolean(bool b) {
  Value v;
  v.kind_ = Kind::kBoolean;
  v.boolean_ = b;
  return v;
}

Value Value::Number(double d) {
  Value v;
  v.kind_ = Kind::kNumber;
  v.number_ = d;
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.ptr_ = std::make_shared<const std::string>(std::move(s));
  return v;
}

Value Value::FromArray(Array items, bool filtered) {
  Value v;
  v.kind_ = Kind::kArray;
  v.filtered_ = filtered;
  v.ptr_ = std::make_shared<const Array>(std::move(items));
  return v;
}

Value Value::FromObject(Object object) {
  Value v;
  v.kind_ = Kind::kObject;
  v.ptr_ = std::make_shared<const Object>(std::move(object));
  return v;
}

std::string_view Value::string() const {
  return kind_ == Kind::kString ? *static_cast<const std::string*>(ptr_.get()) : EmptyString();
}
const Array& Value::array() const {
  return kind_ == Kind::kArray ? *static_cast<const Array*>(ptr_.get()) : EmptyArray();
}
const Object& Value::object() const {
  return kind_ == Kind::kObject ? *static_cast<const Object*>(ptr_.get()) : EmptyObject();
}
const Value* Value::Find(std::string_view key) const {
  return kind_ == Kind::kObject ? static_cast<const Object*>(ptr_.get())->Find(key) : nullptr;
}

void Object::Set(std::string key, Value value) {
  const uint32_t h = HashIgnoreCase(key);
  for (Entry& e : entries_) {
    if (e.hash == h && (case_sensitive_ ? e.key == key : EqualsIgnoreCase(e.key, key))) {
      e.value = std::move(value);
      return;
    }
  }
  entries_.push_back(Entry{std::move(key), std::move(value), h});
}

const Value* Object::Find(std::string_view key) const { return Find(key, HashIgnoreCase(key)); }

const Value* Object::Find(std::string_view key, uint32_t h) const {
  for (const Entry& e : entries_) {
    if (e.hash == h && (case_sensitive_ ? e.key == key : EqualsIgnoreCase(e.key, key))) {
      return &e.value;
    }
  }
  return nullptr;
}

bool ToBool(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return false;
    case Kind::kBoolean:
      return v.boolean();
    case Kind::kNumber:
      return v.number() != 0 && !std::isnan(v.number());
    case Kind::kString:
      return !v.string().empty();
    default:
      return true;
  }
}

double ToNumber(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return 0;
    case Kind::kBoolean:
      return v.boolean() ? 1 : 0;
    case Kind::kNumber:
      return v.number();
    case Kind::kString:
      return ParseNumber(v.string());
    default:
      return std::nan("");
  }
}

double ParseNumber(std::string_view text) {
  const std::string_view s = TrimWhiteSpace(text);
  if (s.empty()) return 0;
  double d = 0;
  if (TryParseDecimal(s, d)) return d;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    const bool hex = s[1] == 'x';
    uint64_t value = 0;
    for (size_t i = 2; i < s.size(); ++i) {
      const char c = s[i];
      int digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (hex && c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (hex && c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        return std::nan("");
      }
      if (!hex && digit > 7) return std::nan("");
      value = value * (hex ? 16 : 8) + static_cast<uint64_t>(digit);
      if (value > 0xFFFFFFFFull) return std::nan("");  // Int32 overflow
    }
    // Int32 parsing of hex/octal digits is two's complement: 0xFFFFFFFF is -1.
    return static_cast<double>(static_cast<int32_t>(static_cast<uint32_t>(value)));
  }
  return std::nan("");
}

void AppendNumber(double d, std::string& out) {
  if (std::isnan(d)) {
    out += "NaN";
    return;
  }
  if (std::isinf(d)) {
    out += d > 0 ? "Infinity" : "-Infinity";
    return;
  }
  if (d == 0) {
    out.push_back('0');
    return;
  }
  char buf[40];
  if (std::fabs(d) < 1e15 && d == std::trunc(d)) {
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(d));
    out.append(buf, ptr);
    return;
  }
  // "%.15g" matches .NET's G15 rules (scientific when the exponent is < -5 or >= 15, trailing
  // zeros removed, two-digit exponent minimum); .NET writes the exponent marker as "E".
  const int n = std::snprintf(buf, sizeof buf, "%.15g", d);
  for (int i = 0; i < n; ++i) {
    if (buf[i] == 'e') buf[i] = 'E';
  }
  out.append(buf, static_cast<size_t>(n));
}

std::string FormatNumber(double d) {
  std::string s;
  AppendNumber(d, s);
  return s;
}

void AppendString(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Kind::kNull:
      return;
    case Kind::kBoolean:
      out += v.boolean() ? "true" : "false";
      return;
    case Kind::kNumber:
      AppendNumber(v.number(), out);
      return;
    case Kind::kString:
      out += v.string();
      return;
    case Kind::kArray:
      out += "Array";
      return;
    case Kind::kObject:
      out += "Object";
      return;
  }
}

std::string ToString(const Value& v) {
  if (v.is_string()) return std::string(v.string());
  std::string s;
  AppendString(v, s);
  return s;
}

bool Equals(const Value& a, const Value& b) {
  Operand l, r;
  if (!Coerce(a, b, l, r)) return false;
  switch (l.kind) {
    case Kind::kNull:
      return true;
    case Kind::kBoolean:
      return a.boolean() == b.boolean();
    case Kind::kNumber:
      return l.number == r.number;  // NaN != NaN
    case Kind::kString:
      return EqualsIgnoreCase(a.string(), b.string());
    default:
      return a.identity() == b.identity();
  }
}

bool LessThan(const Value& a, const Value& b) {
  Operand l, r;
  if (!Coerce(a, b, l, r)) return false;
  switch (l.kind) {
    case Kind::kBoolean:
      return !a.boolean() && b.boolean();
    case Kind::kNumber:
      return l.number < r.number;
    case Kind::kString:
      return CompareIgnoreCase(a.string(), b.string()) < 0;
    default:
      return false;
  }
}

bool GreaterThan(const Value& a, const Value& b) {
  Operand l, r;
  if (!Coerce(a, b, l, r)) return false;
  switch (l.kind) {
    case Kind::kBoolean:
      return a.boolean() && !b.boolean();
    case Kind::kNumber:
      return l.number > r.number;
    case Kind::kString:
      return CompareIgnoreCase(a.string(), b.string()) > 0;
    default:
      return false;
  }
}

}  // namespace slipway::expr
