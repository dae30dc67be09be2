#include "interpreter/plan/matrix.h"

#include <limits>
#include <optional>

#include "interpreter/model/matrix_values.h"
#include "interpreter/yaml/to_json.h"

namespace slipway::plan {

using json = nlohmann::ordered_json;

std::vector<json> ExpandMatrixValues(
    const std::vector<std::pair<std::string, std::vector<json>>>& axes,
    const std::vector<json>& include, const std::vector<json>& exclude) {
  std::optional<std::vector<json>> out = model::ExpandMatrixBounded(
      axes, include, exclude, std::numeric_limits<size_t>::max(), nullptr);
  return out ? std::move(*out) : std::vector<json>{};
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

std::optional<MatrixDefinition> DefineMatrix(const model::Strategy& strategy) {
  if (!strategy.matrix) return std::nullopt;
  MatrixDefinition definition;
  if (strategy.matrix_expr) {
    definition.matrix = strategy.matrix_expr->value;
    definition.whole_expression = true;
  } else if (strategy.matrix->is_mapping()) {
    definition.matrix = yaml::ToJson<json>(*strategy.matrix);
    for (const auto& [key, node] : strategy.axes) definition.axes.push_back(key.value);
  } else {
    return std::nullopt;  // the schema pass reports the shape
  }
  return definition;
}

json MatrixDefinitionToJson(const MatrixDefinition& definition) {
  return json{{"matrix", definition.matrix},
              {"axes", definition.axes},
              {"whole_expression", definition.whole_expression}};
}

std::optional<MatrixDefinition> MatrixDefinitionFromJson(const json& stored) {
  if (!stored.is_object() || !stored.contains("matrix")) return std::nullopt;
  MatrixDefinition definition;
  definition.matrix = stored["matrix"];
  definition.whole_expression = stored.value("whole_expression", false);
  if (stored.contains("axes") && stored["axes"].is_array()) {
    for (const json& axis : stored["axes"]) {
      if (axis.is_string()) definition.axes.push_back(axis.get<std::string>());
    }
  }
  return definition;
}

MatrixExpansion ExpandMatrix(const model::Strategy& strategy, const Scope& scope,
                             Diagnostics& diagnostics) {
  std::optional<MatrixDefinition> definition = DefineMatrix(strategy);
  if (!definition) return MatrixExpansion{};
  return ExpandMatrixDefinition(std::move(*definition), scope, strategy.matrix, diagnostics);
}

MatrixExpansion ExpandMatrixDefinition(MatrixDefinition definition, const Scope& scope,
                                       const yaml::Node* where, Diagnostics& diagnostics) {
  MatrixExpansion out;
  json& matrix = definition.matrix;
  const SourceRange at = where ? where->where : SourceRange{};
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
        "matrix", at,
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
        diagnostics.Error("matrix", at, "matrix " + key + " must be a list of objects");
      }
      continue;
    }
    if (!it->is_array()) {
      diagnostics.Error(
          "matrix", at,
          "matrix axis \"" + key + "\" must be a list, found " + std::string(it->type_name()));
      return out;
    }
    axes.emplace_back(key, std::vector<json>(it->begin(), it->end()));
  }
  // nlohmann::ordered_json objects are sorted by key; axes must keep the file's order.
  if (!definition.whole_expression) {
    std::vector<std::pair<std::string, std::vector<json>>> ordered;
    for (const std::string& key : definition.axes) {
      for (auto& axis : axes) {
        if (axis.first == key) ordered.push_back(std::move(axis));
      }
    }
    axes = std::move(ordered);
  }
  // Counted before anything is built: a 12-axis matrix is refused in microseconds.
  model::MatrixSize size;
  std::optional<std::vector<json>> instances =
      model::ExpandMatrixBounded(axes, include, exclude, kMaxMatrixCombinations, &size);
  if (!instances) {
    diagnostics.Error("matrix", at, model::MatrixSizeMessage(size));
    return out;
  }
  out.instances = std::move(*instances);
  if (out.instances.empty()) {
    diagnostics.Warning("matrix", at,
                        "the matrix has no combinations, so the job will not run");
  }
  return out;
}

}  // namespace slipway::plan
