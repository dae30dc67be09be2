#include "interpreter/yaml/node.h"

#include <cmath>
#include <cstdlib>

namespace slipway::yaml {

Node::Node() = default;

const Node* Node::Find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.is_scalar() && k.value == key) return &v;
  }
  return nullptr;
}

const Node* Node::FindKey(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.is_scalar() && k.value == key) return &k;
  }
  return nullptr;
}

SourcePos Node::PositionOf(size_t offset) const {
  SourcePos start = where.begin;
  if (kind != NodeKind::kScalar || offset > value.size()) return start;
  if (style == ScalarStyle::kLiteral && content.known()) {
    SourcePos pos = content;
    for (size_t i = 0; i < offset; ++i) {
      if (value[i] == '\n') {
        ++pos.line;
        pos.col = content.col;
      } else {
        ++pos.col;
      }
    }
    return pos;
  }
  if (value.find('\n') != std::string::npos || is_block()) return start;
  if (style == ScalarStyle::kPlain) return {start.line, start.col + static_cast<uint32_t>(offset)};
  // Quoted: exact only when the source text is the value verbatim (no escapes); the caller's
  // range length tells us that (`where.length` spans quotes).
  if (where.length == value.size() + 2) {
    return {start.line, start.col + 1 + static_cast<uint32_t>(offset)};
  }
  return start;
}

const char* KindName(const Node& node) {
  switch (node.kind) {
    case NodeKind::kNull: return "null";
    case NodeKind::kSequence: return "a sequence";
    case NodeKind::kMapping: return "a mapping";
    case NodeKind::kScalar: break;
  }
  if (IsNullScalar(node)) return "null";
  if (IsBoolScalar(node)) return "a boolean";
  if (IsNumberScalar(node)) return "a number";
  return "a string";
}

bool IsNullScalar(const Node& node) {
  if (node.is_null()) return true;
  if (!node.is_plain() || !node.tag.empty()) return false;
  const std::string& v = node.value;
  return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

bool IsBoolScalar(const Node& node, bool* value) {
  if (!node.is_plain()) return false;
  const std::string& v = node.value;
  bool result;
  if (v == "true" || v == "True" || v == "TRUE") {
    result = true;
  } else if (v == "false" || v == "False" || v == "FALSE") {
    result = false;
  } else {
    return false;
  }
  if (value) *value = result;
  return true;
}

bool IsNumberScalar(const Node& node, double* value) {
  if (!node.is_plain() || node.value.empty()) return false;
  const std::string& v = node.value;
  double result = 0;
  // Core schema: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+, floats, [-+]?.inf, .nan
  if (v == ".nan" || v == ".NaN" || v == ".NAN") {
    result = std::nan("");
  } else if (v == ".inf" || v == ".Inf" || v == ".INF" || v == "+.inf" || v == "+.Inf" ||
             v == "+.INF") {
    result = INFINITY;
  } else if (v == "-.inf" || v == "-.Inf" || v == "-.INF") {
    result = -INFINITY;
  } else if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'o')) {
    int base = v[1] == 'x' ? 16 : 8;
    char* end = nullptr;
    unsigned long long parsed = std::strtoull(v.c_str() + 2, &end, base);
    if (*end != '\0') return false;
    result = static_cast<double>(parsed);
  } else {
    size_t i = 0;
    if (v[i] == '+' || v[i] == '-') ++i;
    bool digits = false, dot = false, exponent = false;
    for (; i < v.size(); ++i) {
      char c = v[i];
      if (c >= '0' && c <= '9') {
        digits = true;
      } else if (c == '.' && !dot && !exponent) {
        dot = true;
      } else if ((c == 'e' || c == 'E') && digits && !exponent) {
        exponent = true;
        if (i + 1 < v.size() && (v[i + 1] == '+' || v[i + 1] == '-')) ++i;
        if (i + 1 >= v.size()) return false;
      } else {
        return false;
      }
    }
    if (!digits) return false;
    result = std::strtod(v.c_str(), nullptr);
  }
  if (value) *value = result;
  return true;
}

}  // namespace slipway::yaml
