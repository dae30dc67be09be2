#pragma once
/// The YAML side of the schema pass (schema_pass.cc): the YAML node a valijson error path leads
/// back to. (The JSON copy valijson reads is yaml::ToJson.)

#include <string>
#include <string_view>
#include <vector>

#include "interpreter/yaml/node.h"

namespace slipway::validate {

/// A path component that is a sequence index ("0", "12").
bool IsIndex(const std::string& component);

/// Where a JSON pointer path leads in the YAML tree: the node, the key naming it, and the
/// name used in messages (the nearest mapping key on the path).
struct Target {
  const yaml::Node* node = nullptr;
  const yaml::Node* key = nullptr;
  std::string name;      // "timeout-minutes"
  bool is_item = false;  // the path ends in a sequence index
};

Target Resolve(const yaml::Node& root, const std::vector<std::string>& path,
               std::string_view root_name);

}  // namespace slipway::validate
