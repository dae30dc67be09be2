#include "interpreter/validate/schema_yaml.h"

#include <cmath>

namespace slipway::validate {
namespace {

using nlohmann::json;

/// One step of a valijson context ("[jobs]", "[0]") into the YAML tree. Returns the child and
/// the key node that leads to it (null for sequence items).
struct Step {
  const yaml::Node* node = nullptr;
  const yaml::Node* key = nullptr;
};

Step Descend(const yaml::Node& node, const std::string& component) {
  if (node.is_mapping()) {
    for (const auto& [key, value] : node.entries) {
      if (key.value == component) return {&value, &key};
    }
  } else if (node.is_sequence() && IsIndex(component)) {
    size_t index = std::stoul(component);
    if (index < node.items.size()) return {&node.items[index], nullptr};
  }
  return {};
}

}  // namespace

json ToJson(const yaml::Node& node) {
  switch (node.kind) {
    case yaml::NodeKind::kNull:
      return nullptr;
    case yaml::NodeKind::kSequence: {
      json array = json::array();
      for (const yaml::Node& item : node.items) array.push_back(ToJson(item));
      return array;
    }
    case yaml::NodeKind::kMapping: {
      json object = json::object();
      for (const auto& [key, value] : node.entries) object[key.value] = ToJson(value);
      return object;
    }
    case yaml::NodeKind::kScalar:
      break;
  }
  if (yaml::IsNullScalar(node)) return nullptr;
  bool flag = false;
  if (yaml::IsBoolScalar(node, &flag)) return flag;
  double number = 0;
  if (yaml::IsNumberScalar(node, &number)) {
    if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 9e15) {
      return static_cast<int64_t>(number);
    }
    return number;
  }
  return node.value;
}

// --- Paths -------------------------------------------------------------------------------------

bool IsIndex(const std::string& component) {
  return !component.empty() && component.find_first_not_of("0123456789") == std::string::npos;
}

Target Resolve(const yaml::Node& root, const std::vector<std::string>& path,
               std::string_view root_name) {
  Target target{&root, nullptr, std::string(root_name), false};
  for (const std::string& component : path) {
    if (!target.node) break;
    Step step = Descend(*target.node, component);
    target.node = step.node;
    if (step.key) {
      target.key = step.key;
      target.name = component;
      target.is_item = false;
    } else {
      target.is_item = true;
    }
  }
  return target;
}

}  // namespace slipway::validate
