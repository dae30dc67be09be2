// JSON in and out of expression values (value.h): FromJson, ToJson, WriteJson, ToPrettyJson,
// with the runner's (Newtonsoft.Json's) string escaping and indentation.
#include <charconv>
#include <cmath>
#include <string>

#include "interpreter/expr/unicode.h"
#include "interpreter/expr/value.h"

namespace slipway::expr {
namespace {

// Newtonsoft.Json's default string escaping (JsonConvert.ToString).
void AppendJsonString(std::string_view s, std::string& out, bool escape_line_separators) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const char* esc = nullptr;
    char buf[7];
    size_t skip = 0;
    if (c == '"') {
      esc = "\\\"";
    } else if (c == '\\') {
      esc = "\\\\";
    } else if (c < 0x20) {
      switch (c) {
        case '\b':
          esc = "\\b";
          break;
        case '\f':
          esc = "\\f";
          break;
        case '\n':
          esc = "\\n";
          break;
        case '\r':
          esc = "\\r";
          break;
        case '\t':
          esc = "\\t";
          break;
        default:
          std::memcpy(buf, "\\u00", 4);
          buf[4] = kHex[c >> 4];
          buf[5] = kHex[c & 15];
          buf[6] = 0;
          esc = buf;
      }
    } else if (escape_line_separators && c == 0xC2 && i + 1 < s.size() &&
               static_cast<unsigned char>(s[i + 1]) == 0x85) {
      esc = "\\u0085";
      skip = 1;
    } else if (escape_line_separators && c == 0xE2 && i + 2 < s.size() &&
               static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      esc = static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      skip = 2;
    }
    if (esc == nullptr) {
      ++run;
      continue;
    }
    out.append(s.data() + i - run, run);
    run = 0;
    out.append(esc);
    i += skip;
  }
  out.append(s.data() + s.size() - run, run);
  out.push_back('"');
}

void AppendIndent(std::string& out, int level) { out.append(static_cast<size_t>(level) * 2, ' '); }

void AppendPretty(const Value& v, std::string& out, int level) {
  switch (v.kind()) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBoolean:
      out += v.boolean() ? "true" : "false";
      return;
    case Kind::kNumber:
      AppendNumber(v.number(), out);
      return;
    case Kind::kString:
      AppendJsonString(v.string(), out, true);
      return;
    case Kind::kArray: {
      const Array& items = v.array();
      if (items.empty()) {
        out += "[]";
        return;
      }
      out.push_back('[');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out.push_back(',');
        out.push_back('\n');
        AppendIndent(out, level + 1);
        AppendPretty(items[i], out, level + 1);
      }
      out.push_back('\n');
      AppendIndent(out, level);
      out.push_back(']');
      return;
    }
    case Kind::kObject: {
      const Object& obj = v.object();
      if (obj.empty()) {
        out += "{}";
        return;
      }
      out.push_back('{');
      bool first = true;
      for (const Object::Entry& e : obj.entries()) {
        if (!first) out.push_back(',');
        first = false;
        out.push_back('\n');
        AppendIndent(out, level + 1);
        AppendJsonString(e.key, out, true);
        out += ": ";
        AppendPretty(e.value, out, level + 1);
      }
      out.push_back('\n');
      AppendIndent(out, level);
      out.push_back('}');
      return;
    }
  }
}

Expected<Value> FromJsonAt(const nlohmann::ordered_json& json, int depth, int max_depth) {
  using J = nlohmann::ordered_json;
  switch (json.type()) {
    case J::value_t::null:
    case J::value_t::discarded:
      return Value::Null();
    case J::value_t::boolean:
      return Value::Boolean(json.get<bool>());
    case J::value_t::number_integer:
      return Value::Number(static_cast<double>(json.get<int64_t>()));
    case J::value_t::number_unsigned:
      return Value::Number(static_cast<double>(json.get<uint64_t>()));
    case J::value_t::number_float:
      return Value::Number(json.get<double>());
    case J::value_t::string:
      return Value::String(json.get_ref<const std::string&>());
    case J::value_t::binary:
      return Value::Null();
    case J::value_t::array: {
      if (depth >= max_depth) return MakeUnexpected("JSON nested too deeply");
      Array items;
      items.reserve(json.size());
      for (const auto& item : json) {
        Expected<Value> v = FromJsonAt(item, depth + 1, max_depth);
        if (!v) return v;
        items.push_back(std::move(v).value());
      }
      return Value::FromArray(std::move(items));
    }
    case J::value_t::object: {
      if (depth >= max_depth) return MakeUnexpected("JSON nested too deeply");
      Object obj;
      obj.reserve(json.size());
      for (const auto& [key, item] : json.items()) {
        Expected<Value> v = FromJsonAt(item, depth + 1, max_depth);
        if (!v) return v;
        obj.Set(key, std::move(v).value());
      }
      return Value::FromObject(std::move(obj));
    }
  }
  return Value::Null();
}

}  // namespace

Expected<Value> FromJson(const nlohmann::ordered_json& json, int max_depth) {
  return FromJsonAt(json, 0, max_depth);
}

nlohmann::ordered_json ToJson(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return nullptr;
    case Kind::kBoolean:
      return v.boolean();
    case Kind::kNumber: {
      const double d = v.number();
      // NaN and ±Infinity stay numbers (nlohmann holds them; its dump writes null), so a value
      // that goes through JSON still reads as "NaN"/"Infinity" in text, as on the runner.
      if (!std::isfinite(d)) return d;
      if (std::fabs(d) < 9007199254740992.0 && d == std::trunc(d)) {
        return static_cast<int64_t>(d);
      }
      return d;
    }
    case Kind::kString:
      return std::string(v.string());
    case Kind::kArray: {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (const Value& item : v.array()) arr.push_back(ToJson(item));
      return arr;
    }
    case Kind::kObject: {
      nlohmann::ordered_json obj = nlohmann::ordered_json::object();
      for (const Object::Entry& e : v.object().entries()) obj[e.key] = ToJson(e.value);
      return obj;
    }
  }
  return nullptr;
}

void WriteJson(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBoolean:
      out += v.boolean() ? "true" : "false";
      return;
    case Kind::kNumber: {
      const double d = v.number();
      char buf[40];
      if (!std::isfinite(d)) {
        out += "null";
      } else if (std::fabs(d) < 9007199254740992.0 && d == std::trunc(d)) {
        auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(d));
        out.append(buf, ptr);
      } else {
        auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, d);
        out.append(buf, ptr);
      }
      return;
    }
    case Kind::kString:
      AppendJsonString(v.string(), out, false);
      return;
    case Kind::kArray: {
      out.push_back('[');
      bool first = true;
      for (const Value& item : v.array()) {
        if (!first) out.push_back(',');
        first = false;
        WriteJson(item, out);
      }
      out.push_back(']');
      return;
    }
    case Kind::kObject: {
      out.push_back('{');
      bool first = true;
      for (const Object::Entry& e : v.object().entries()) {
        if (!first) out.push_back(',');
        first = false;
        AppendJsonString(e.key, out, false);
        out.push_back(':');
        WriteJson(e.value, out);
      }
      out.push_back('}');
      return;
    }
  }
}

std::string ToPrettyJson(const Value& v) {
  std::string out;
  AppendPretty(v, out, 0);
  return out;
}

}  // namespace slipway::expr
