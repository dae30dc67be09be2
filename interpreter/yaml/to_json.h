#pragma once
/// A YAML tree as JSON, scalars typed by the YAML 1.2 core schema: plain null/true/3/1.5 typed
/// (integral numbers as integers), quoted, block and tagged scalars kept as strings. `Json` is
/// nlohmann::json (valijson reads it) or nlohmann::ordered_json (keys in file order).

#include <cmath>
#include <cstdint>

#include "interpreter/yaml/node.h"

namespace slipway::yaml {

template <typename Json>
Json ToJson(const Node& node) {
  switch (node.kind) {
    case NodeKind::kNull:
      return nullptr;
    case NodeKind::kSequence: {
      Json array = Json::array();
      for (const Node& item : node.items) array.push_back(ToJson<Json>(item));
      return array;
    }
    case NodeKind::kMapping: {
      Json object = Json::object();
      for (const auto& [key, value] : node.entries) object[key.value] = ToJson<Json>(value);
      return object;
    }
    case NodeKind::kScalar:
      break;
  }
  if (!node.is_plain() || !node.tag.empty()) return node.value;
  if (IsNullScalar(node)) return nullptr;
  bool flag = false;
  if (IsBoolScalar(node, &flag)) return flag;
  double number = 0;
  if (IsNumberScalar(node, &number)) {
    if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 9e15) {
      return static_cast<int64_t>(number);
    }
    return number;
  }
  return node.value;
}

}  // namespace slipway::yaml
