#include "stdlib/input_reader.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "interpreter/base/diagnostic.h"

namespace slipway::stdlib {
namespace {

std::string Trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

bool ParseInt(std::string_view text, int64_t* out) {
  std::string t = Trim(text);
  if (t.empty()) return false;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (*end != '\0') return false;
  *out = v;
  return true;
}

bool ParseDouble(std::string_view text, double* out) {
  std::string t = Trim(text);
  if (t.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (*end != '\0' || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

nlohmann::json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const YAML::Node& item : node) out.push_back(YamlToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& pair : node) out[pair.first.Scalar()] = YamlToJson(pair.second);
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      if (node.Tag() == "!") return text;  // quoted: always a string
      if (text == "true" || text == "True") return true;
      if (text == "false" || text == "False") return false;
      if (text == "null" || text == "~") return nullptr;
      int64_t i = 0;
      if (ParseInt(text, &i)) return i;
      double d = 0;
      if (ParseDouble(text, &d)) return d;
      return text;
    }
    default:
      return nullptr;
  }
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  std::string t = Trim(text);
  if (t.empty()) return std::nullopt;
  double seconds_only = 0;
  if (ParseDouble(t, &seconds_only)) {
    if (seconds_only < 0) return std::nullopt;
    return std::chrono::milliseconds(static_cast<int64_t>(seconds_only * 1000));
  }
  int64_t total_ms = 0;
  size_t i = 0;
  while (i < t.size()) {
    size_t start = i;
    while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    double number = 0;
    if (!ParseDouble(t.substr(start, i - start), &number)) return std::nullopt;
    size_t unit_start = i;
    while (i < t.size() && std::isalpha(static_cast<unsigned char>(t[i]))) ++i;
    std::string unit = t.substr(unit_start, i - unit_start);
    double factor = 0;
    if (unit == "ms") {
      factor = 1;
    } else if (unit == "s") {
      factor = 1000;
    } else if (unit == "m") {
      factor = 60'000;
    } else if (unit == "h") {
      factor = 3'600'000;
    } else {
      return std::nullopt;
    }
    total_ms += static_cast<int64_t>(number * factor);
  }
  return std::chrono::milliseconds(total_ms);
}

std::string FormatDuration(std::chrono::milliseconds duration) {
  int64_t ms = duration.count();
  if (ms == 0) return "0s";
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  int64_t s = ms / 1000;
  std::string out;
  if (s >= 3600) {
    out += std::to_string(s / 3600) + "h";
    s %= 3600;
  }
  if (s >= 60) {
    out += std::to_string(s / 60) + "m";
    s %= 60;
  }
  if (s > 0) out += std::to_string(s) + "s";
  return out;
}

bool ParseYamlText(std::string_view text, nlohmann::json* out, std::string* error) {
  try {
    YAML::Node node = YAML::Load(std::string(text));
    *out = YamlToJson(node);
    return true;
  } catch (const YAML::Exception& e) {
    *error = "invalid YAML: " + e.msg + " at line " + std::to_string(e.mark.line + 1);
    return false;
  }
}

std::string ScalarText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

std::string FillPlaceholders(std::string_view text,
                             const std::map<std::string, std::string>& fields) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find('{', i);
    if (open == std::string_view::npos) break;
    size_t close = text.find('}', open + 1);
    if (close == std::string_view::npos) break;
    std::string name = Trim(text.substr(open + 1, close - open - 1));
    auto it = fields.find(name);
    out.append(text.substr(i, open - i));
    if (it != fields.end()) {
      out += it->second;
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  out.append(text.substr(i));
  return out;
}

InputReader::InputReader(const nlohmann::json& with, std::string_view schema)
    : with_(with.is_object() ? with : nlohmann::json::object()) {
  nlohmann::json parsed = nlohmann::json::parse(schema, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("properties") && parsed["properties"].is_object()) {
    for (const auto& [key, property] : parsed["properties"].items()) {
      if (!with_.contains(key) && property.is_object() && property.contains("default")) {
        with_[key] = property["default"];
      }
    }
  }
}

const nlohmann::json* InputReader::Find(std::string_view key) const {
  auto it = with_.find(std::string(key));
  if (it == with_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool InputReader::Has(std::string_view key) const {
  const nlohmann::json* v = Find(key);
  return v && !(v->is_string() && v->get<std::string>().empty());
}

std::string InputReader::String(std::string_view key, std::string fallback) {
  const nlohmann::json* v = Find(key);
  if (!v) return fallback;
  if (v->is_array() || v->is_object()) {
    AddError("input \"" + std::string(key) + "\": expected a string");
    return fallback;
  }
  return ScalarText(*v);
}

int64_t InputReader::Int(std::string_view key, int64_t fallback) {
  const nlohmann::json* v = Find(key);
  if (!v) return fallback;
  if (v->is_number_integer()) return v->get<int64_t>();
  int64_t out = 0;
  if (v->is_string() && ParseInt(v->get<std::string>(), &out)) return out;
  if (v->is_string() && Trim(v->get<std::string>()).empty()) return fallback;
  AddError("input \"" + std::string(key) + "\": expected an integer, got \"" + ScalarText(*v) +
           "\"");
  return fallback;
}

std::optional<double> InputReader::Number(std::string_view key) {
  const nlohmann::json* v = Find(key);
  if (!v) return std::nullopt;
  if (v->is_number()) return v->get<double>();
  double out = 0;
  if (v->is_string()) {
    std::string text = Trim(v->get<std::string>());
    if (text.empty()) return std::nullopt;
    bool percent = !text.empty() && text.back() == '%';
    if (percent) text.pop_back();
    if (ParseDouble(text, &out)) return out;
  }
  AddError("input \"" + std::string(key) + "\": expected a number, got \"" + ScalarText(*v) +
           "\"");
  return std::nullopt;
}

bool InputReader::Bool(std::string_view key, bool fallback) {
  const nlohmann::json* v = Find(key);
  if (!v) return fallback;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) {
    std::string text = Trim(v->get<std::string>());
    if (text == "true" || text == "True") return true;
    if (text == "false" || text == "False") return false;
    if (text.empty()) return fallback;
  }
  AddError("input \"" + std::string(key) + "\": expected true or false, got \"" +
           ScalarText(*v) + "\"");
  return fallback;
}

std::chrono::milliseconds InputReader::Duration(std::string_view key,
                                                std::chrono::milliseconds fallback) {
  const nlohmann::json* v = Find(key);
  if (!v) return fallback;
  if (v->is_number() && v->get<double>() >= 0) {
    return std::chrono::milliseconds(static_cast<int64_t>(v->get<double>() * 1000));
  }
  if (v->is_string()) {
    if (Trim(v->get<std::string>()).empty()) return fallback;
    if (auto d = ParseDuration(v->get<std::string>())) return *d;
  }
  AddError("input \"" + std::string(key) + "\": expected a duration such as \"30s\" or \"15m\", got \"" +
           ScalarText(*v) + "\"");
  return fallback;
}

std::vector<std::string> InputReader::List(std::string_view key) {
  std::vector<std::string> out;
  const nlohmann::json* v = Find(key);
  if (!v) return out;
  if (v->is_array()) {
    for (const nlohmann::json& item : *v) {
      if (item.is_array() || item.is_object()) {
        AddError("input \"" + std::string(key) + "\": expected a list of strings");
        continue;
      }
      std::string text = Trim(ScalarText(item));
      if (!text.empty()) out.push_back(text);
    }
    return out;
  }
  if (v->is_object()) {
    AddError("input \"" + std::string(key) + "\": expected a list");
    return out;
  }
  std::string text = ScalarText(*v);
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ',' || text[i] == '\n') {
      std::string item = Trim(std::string_view(text).substr(start, i - start));
      if (!item.empty()) out.push_back(item);
      start = i + 1;
    }
  }
  return out;
}

std::map<std::string, std::string> InputReader::KeyValues(std::string_view key) {
  std::map<std::string, std::string> out;
  const nlohmann::json* v = Find(key);
  if (!v) return out;
  if (v->is_object()) {
    for (const auto& [k, value] : v->items()) out[k] = ScalarText(value);
    return out;
  }
  if (!v->is_string()) {
    AddError("input \"" + std::string(key) + "\": expected KEY=VALUE lines or a mapping");
    return out;
  }
  std::string text = v->get<std::string>();
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i != text.size() && text[i] != '\n') continue;
    std::string line = Trim(std::string_view(text).substr(start, i - start));
    start = i + 1;
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    size_t colon = line.find(": ");
    size_t cut = eq != std::string::npos ? eq : colon;
    if (cut == std::string::npos || cut == 0) {
      AddError("input \"" + std::string(key) + "\": expected KEY=VALUE, got \"" + line + "\"");
      continue;
    }
    std::string name = Trim(line.substr(0, cut));
    std::string value = Trim(line.substr(cut + (cut == eq ? 1 : 2)));
    out[name] = value;
  }
  return out;
}

nlohmann::json InputReader::Structured(std::string_view key) {
  const nlohmann::json* v = Find(key);
  if (!v) return nullptr;
  if (!v->is_string()) return *v;
  nlohmann::json out;
  std::string error;
  if (!ParseYamlText(v->get<std::string>(), &out, &error)) {
    AddError("input \"" + std::string(key) + "\": " + error);
    return nullptr;
  }
  return out;
}

void CheckKeys(const nlohmann::json& object, const std::vector<std::string>& allowed,
               std::string_view where, InputReader& reader) {
  if (!object.is_object()) return;
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const std::string& a : allowed) known = known || a == key;
    if (known) continue;
    reader.AddError("unknown key \"" + key + "\" in " + std::string(where) +
                    DidYouMean(key, allowed));
  }
}

std::string InputReader::ErrorText() const {
  std::string out;
  for (const std::string& e : errors_) {
    if (!out.empty()) out += "; ";
    out += e;
  }
  return out;
}

}  // namespace slipway::stdlib
