#pragma once
/// The values of the expression language: null, boolean, number (double), string, array and
/// object. Objects keep their key order and look keys up case-insensitively, as GitHub does.
/// Values are immutable and cheap to copy: strings, arrays and objects are shared.
///
/// All coercion lives here, in one place, following GitHub's runner (actions/runner,
/// src/Sdk/Expressions/EvaluationResult.cs): truthiness, string → number parsing, number →
/// string formatting (.NET "G15"), abstract equality and ordering across kinds.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interpreter/base/expected.h"

namespace slipway::expr {

enum class Kind : uint8_t { kNull, kBoolean, kNumber, kString, kArray, kObject };

/// "Null", "Boolean", "Number", "String", "Array", "Object" (GitHub's kind names).
const char* KindName(Kind kind);

class Object;
class Value;
using Array = std::vector<Value>;

/// One immutable value. Arrays and objects compare by identity (as on GitHub), so copying a
/// Value keeps it "the same" array or object.
class Value {
 public:
  Value() : kind_(Kind::kNull), number_(0) {}
  static Value Null() { return Value(); }
  static Value Boolean(bool b);
  static Value Number(double d);
  static Value String(std::string s);
  static Value FromArray(Array items, bool filtered = false);
  static Value FromObject(Object object);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_boolean() const { return kind_ == Kind::kBoolean; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }
  /// Null, boolean, number or string.
  bool is_primitive() const { return kind_ <= Kind::kString; }
  /// An array made by a `*` filter: a following `.x` or `[i]` applies to each element.
  bool is_filtered() const { return filtered_; }

  bool boolean() const { return boolean_; }
  double number() const { return number_; }
  /// The string (empty unless is_string()).
  std::string_view string() const;
  /// The elements (empty unless is_array()).
  const Array& array() const;
  /// The members (empty unless is_object()).
  const Object& object() const;

  /// Identity of a shared array/object/string payload (for equality by reference).
  const void* identity() const { return ptr_.get(); }

  /// Object member or nullptr (case-insensitive); nullptr when not an object.
  const Value* Find(std::string_view key) const;

 private:
  Kind kind_;
  bool filtered_ = false;
  union {
    bool boolean_;
    double number_;
  };
  std::shared_ptr<const void> ptr_;
};

/// An ordered map with case-insensitive lookup. Adding a key that is already present (ignoring
/// case) replaces its value in place, as the runner's dictionaries do.
class Object {
 public:
  struct Entry {
    std::string key;
    Value value;
    uint32_t hash;  // HashIgnoreCase(key)
  };
  /// An object whose keys are compared exactly, as the runner's
  /// CaseSensitiveDictionaryContextData (the `env` context on Linux and macOS).
  static Object CaseSensitive() {
    Object object;
    object.case_sensitive_ = true;
    return object;
  }
  void Set(std::string key, Value value);
  const Value* Find(std::string_view key) const;
  /// Find with `hash` == HashIgnoreCase(key) already computed (the parser precomputes it).
  const Value* Find(std::string_view key, uint32_t hash) const;
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const std::vector<Entry>& entries() const { return entries_; }
  void reserve(size_t n) { entries_.reserve(n); }

 private:
  std::vector<Entry> entries_;
  bool case_sensitive_ = false;
};

// ---- Coercion (GitHub's rules; the runner wins where the TypeScript library differs) ----

/// Truthiness: null, false, 0, NaN and "" are falsy; everything else (arrays, objects) truthy.
bool ToBool(const Value& v);
/// Number coercion: null → 0, booleans → 0/1, strings parsed by ParseNumber, arrays/objects NaN.
double ToNumber(const Value& v);
/// String coercion: null → "", booleans "true"/"false", numbers FormatNumber, arrays "Array",
/// objects "Object".
std::string ToString(const Value& v);
/// Appends ToString(v) to `out` without a temporary.
void AppendString(const Value& v, std::string& out);
/// GitHub's string → number: trims whitespace; "" → 0; decimal with optional sign, point and
/// exponent; "Infinity"/"-Infinity"; hex "0x…" and octal "0o…" (32-bit); anything else NaN.
double ParseNumber(std::string_view text);
/// .NET Double.ToString("G15"): at most 15 significant digits, "1E+15", "1E-05", "Infinity",
/// "-Infinity", "NaN"; negative zero prints as "0".
std::string FormatNumber(double d);
void AppendNumber(double d, std::string& out);

/// Abstract equality (==): kinds coerced as GitHub does; strings case-insensitive; NaN never
/// equal; arrays and objects only equal to themselves.
bool Equals(const Value& a, const Value& b);
/// Abstract ordering: a < b and a > b (false across kinds that cannot be ordered, and for NaN).
bool LessThan(const Value& a, const Value& b);
bool GreaterThan(const Value& a, const Value& b);

// ---- JSON ----

/// Converts parsed JSON (keys kept in order). Fails past `max_depth` nesting.
Expected<Value> FromJson(const nlohmann::ordered_json& json, int max_depth = 1000);
/// Converts to JSON; NaN and infinities become null.
nlohmann::ordered_json ToJson(const Value& v);
/// Compact JSON, as `slipway expr` prints results: integers without a fraction, other numbers
/// in shortest round-trip form, NaN and infinities as null.
void WriteJson(const Value& v, std::string& out);
/// GitHub's toJSON(): two-space indented, numbers as FormatNumber, strings escaped as
/// Newtonsoft.Json does.
std::string ToPrettyJson(const Value& v);

}  // namespace slipway::expr
