#include "interpreter/validate/schema_yaml.h"

namespace slipway::validate {
namespace {

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
