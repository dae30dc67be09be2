#include "interpreter/plan/matrix.h"

namespace slipway::plan {

using json = nlohmann::ordered_json;

nlohmann::ordered_json YamlToJson(const yaml::Node& node) {
  switch (node.kind) {
    case yaml::NodeKind::kNull:
      return nullptr;
    case yaml::NodeKind::kScalar: {
      if (!node.is_plain()) return node.value;
      if (yaml::IsNullScalar(node)) return nullptr;
      bool b = false;
      if (yaml::IsBoolScalar(node, &b)) return b;
      double d = 0;
      if (yaml::IsNumberScalar(node, &d)) {
        if (d == static_cast<double>(static_cast<int64_t>(d)) && d > -9e15 && d < 9e15) {
          return static_cast<int64_t>(d);
        }
        return d;
      }
      return node.value;
    }
    case yaml::NodeKind::kSequence: {
      json out = json::array();
      for (const yaml::Node& item : node.items) out.push_back(YamlToJson(item));
      return out;
    }
    case yaml::NodeKind::kMapping: {
      json out = json::object();
      for (const auto& [key, value] : node.entries) out[key.value] = YamlToJson(value);
      return out;
    }
  }
  return nullptr;
}

std::vector<json> ExpandMatrixValues(
    const std::vector<std::pair<std::string, std::vector<json>>>& axes,
    const std::vector<json>& include, const std::vector<json>& exclude) {
  std::vector<json> combos;
  if (!axes.empty()) {
    combos.push_back(json::object());
    for (const auto& [key, values] : axes) {
      std::vector<json> next;
      next.reserve(combos.size() * values.size());
      for (const json& combo : combos) {
        for (const json& value : values) {
          json extended = combo;
          extended[key] = value;
          next.push_back(std::move(extended));
        }
      }
      combos = std::move(next);
      if (combos.empty()) break;  // an empty axis leaves no combination
    }
  }
  auto matches = [](const json& combo, const json& entry) {
    for (auto it = entry.begin(); it != entry.end(); ++it) {
      auto found = combo.find(it.key());
      if (found == combo.end() || *found != *it) return false;
    }
    return true;
  };
  std::vector<json> kept;
  for (json& combo : combos) {
    bool excluded = false;
    for (const json& entry : exclude) {
      if (entry.is_object() && !entry.empty() && matches(combo, entry)) {
        excluded = true;
        break;
      }
    }
    if (!excluded) kept.push_back(std::move(combo));
  }
  // Include: an entry extends every original combination whose original values
  // it does not contradict; values added by earlier includes may be
  // overwritten. No such combination: the entry becomes a combination of its
  // own (and later entries never extend it).
  const size_t original = kept.size();
  std::vector<json> original_values = std::vector<json>(kept.begin(), kept.end());
  for (const json& entry : include) {
    if (!entry.is_object()) continue;
    bool added = false;
    for (size_t i = 0; i < original; ++i) {
      bool compatible = true;
      for (auto it = entry.begin(); it != entry.end(); ++it) {
        auto orig = original_values[i].find(it.key());
        if (orig != original_values[i].end() && *orig != *it) {
          compatible = false;
          break;
        }
      }
      if (!compatible) continue;
      for (auto it = entry.begin(); it != entry.end(); ++it) kept[i][it.key()] = *it;
      added = true;
    }
    if (!added) kept.push_back(entry);
  }
  return kept;
}

namespace {

/// Evaluates every string containing `${{` inside `value`. Returns false
/// (setting `unknown`) when one reads a value known only at run time; reports errors.
bool ResolveStrings(json& value, const Scope& scope, const yaml::Node* where,
                    Diagnostics& diagnostics, std::string* unknown) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text.find("${{") == std::string::npos) return true;
    Evaluation e = EvaluateValue(text, scope);
    if (e.kind == Evaluation::Kind::kUnknown) {
      *unknown = text;
      return false;
    }
    if (e.kind == Evaluation::Kind::kError) {
      diagnostics.Error("matrix", where ? where->where : SourceRange{},
                        "cannot evaluate \"" + text + "\": " + e.error);
      return false;
    }
    value = std::move(e.value);
    return true;
  }
  if (value.is_array() || value.is_object()) {
    for (json& item : value) {
      if (!ResolveStrings(item, scope, where, diagnostics, unknown)) return false;
    }
  }
  return true;
}

}  // namespace

MatrixExpansion ExpandMatrix(const model::Strategy& strategy, const Scope& scope,
                             Diagnostics& diagnostics) {
  MatrixExpansion out;
  if (!strategy.matrix) return out;
  const yaml::Node* where = strategy.matrix;
  json matrix;
  if (strategy.matrix_expr) {
    matrix = strategy.matrix_expr->value;
  } else if (strategy.matrix->is_mapping()) {
    matrix = YamlToJson(*strategy.matrix);
  } else {
    return out;  // the schema pass reports the shape
  }
  std::string unknown;
  if (!ResolveStrings(matrix, scope, where, diagnostics, &unknown)) {
    if (!unknown.empty()) {
      out.known = false;
      out.unknown_expression = unknown;
    }
    return out;
  }
  if (!matrix.is_object()) {
    diagnostics.Error(
        "matrix", where->where,
        "the matrix must be an object of axes, found " + std::string(matrix.type_name()));
    return out;
  }
  std::vector<std::pair<std::string, std::vector<json>>> axes;
  std::vector<json> include, exclude;
  for (auto it = matrix.begin(); it != matrix.end(); ++it) {
    const std::string& key = it.key();
    if (key == "include" || key == "exclude") {
      std::vector<json>& list = key == "include" ? include : exclude;
      if (it->is_array()) {
        for (const json& entry : *it) list.push_back(entry);
      } else if (it->is_object()) {
        list.push_back(*it);
      } else if (!it->is_null()) {
        diagnostics.Error("matrix", where->where, "matrix " + key + " must be a list of objects");
      }
      continue;
    }
    if (!it->is_array()) {
      diagnostics.Error(
          "matrix", where->where,
          "matrix axis \"" + key + "\" must be a list, found " + std::string(it->type_name()));
      return out;
    }
    axes.emplace_back(key, std::vector<json>(it->begin(), it->end()));
  }
  // nlohmann::ordered_json objects are sorted by key; axes must keep the file's order.
  if (!strategy.matrix_expr) {
    std::vector<std::pair<std::string, std::vector<json>>> ordered;
    for (const auto& [key, node] : strategy.axes) {
      for (auto& axis : axes) {
        if (axis.first == key.value) ordered.push_back(std::move(axis));
      }
    }
    axes = std::move(ordered);
  }
  out.instances = ExpandMatrixValues(axes, include, exclude);
  if (out.instances.size() > kMaxMatrixCombinations) {
    diagnostics.Error("matrix", where->where,
                      "the matrix has " + std::to_string(out.instances.size()) +
                          " combinations; GitHub allows at most 256");
  }
  if (out.instances.empty()) {
    diagnostics.Warning("matrix", where->where,
                        "the matrix has no combinations, so the job will not run");
  }
  return out;
}

}  // namespace slipway::plan
