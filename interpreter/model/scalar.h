#pragma once
/// model::Str — a scalar read from a workflow file: its text, where it came from, and whether
/// it contains `${{ }}`. The node pointer leads back to the YAML tree (owned by the Workflow)
/// for positions inside the scalar.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/base/source.h"
#include "interpreter/yaml/node.h"

namespace slipway::model {

struct Str {
  std::string value;
  SourceRange where;
  bool has_expr = false;              // contains "${{"
  const yaml::Node* node = nullptr;   // the scalar's node; nullptr for synthesized values

  bool empty() const { return value.empty(); }
};

/// An ordered string map read from YAML (env:, with:, outputs:), keys and values positioned.
using StrMap = std::vector<std::pair<Str, Str>>;

/// The value for `key` in `map`, or nullptr.
const Str* FindIn(const StrMap& map, std::string_view key);

/// A scalar node as a Str (the text of a plain/quoted scalar; "" for null).
Str ToStr(const yaml::Node& node);

}  // namespace slipway::model
