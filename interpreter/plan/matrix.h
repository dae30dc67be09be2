#pragma once
/// Matrix expansion as GitHub does it: the cartesian product of the axes (first
/// key outermost), minus `exclude` entries (partial matches), then `include`
/// entries merged into every original combination they do not contradict, or
/// appended as new combinations.
/// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/running-variations-of-jobs-in-a-workflow#expanding-or-adding-matrix-configurations

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/job.h"
#include "interpreter/plan/resolve.h"

namespace slipway::plan {

/// GitHub's limit on the combinations of one matrix.
inline constexpr size_t kMaxMatrixCombinations = 256;

/// The algorithm on plain values. `axes` in file order; each include/exclude entry an object.
std::vector<nlohmann::ordered_json> ExpandMatrixValues(
    const std::vector<std::pair<std::string, std::vector<nlohmann::ordered_json>>>& axes,
    const std::vector<nlohmann::ordered_json>& include,
    const std::vector<nlohmann::ordered_json>& exclude);

/// The result for one job's strategy.
struct MatrixExpansion {
  bool known = true;               // false: the matrix depends on values known at run time
  std::string unknown_expression;  // then: the expression it comes from
  std::vector<nlohmann::ordered_json> instances;
};

/// A strategy's matrix as written, before any expression in it is evaluated: what a run keeps
/// to expand the matrix later with no workflow model at hand (the PostgreSQL backend expands a
/// matrix known only at run time when its job becomes ready, on whichever host decides it).
struct MatrixDefinition {
  nlohmann::ordered_json matrix;  // the mapping, or the whole-matrix `${{ }}` string
  std::vector<std::string> axes;  // the axes in file order (a mapping's)
  bool whole_expression = false;
};

/// The definition of `strategy.matrix`; nullopt without one (or when it is neither a mapping
/// nor an expression: the schema pass reports that).
std::optional<MatrixDefinition> DefineMatrix(const model::Strategy& strategy);
nlohmann::ordered_json MatrixDefinitionToJson(const MatrixDefinition& definition);
std::optional<MatrixDefinition> MatrixDefinitionFromJson(const nlohmann::ordered_json& stored);

/// Evaluates a definition's expressions in `scope` and expands it (ExpandMatrix's second half).
/// `where` (may be null) positions the diagnostics.
MatrixExpansion ExpandMatrixDefinition(MatrixDefinition definition, const Scope& scope,
                                       const yaml::Node* where, Diagnostics& diagnostics);

/// Reads a job's `strategy.matrix` (YAML values, expressions evaluated in
/// `scope`, whole-matrix
/// `${{ fromJSON(...) }}` included) and expands it. Problems (a matrix that is
/// not an object, too many combinations, an expression error) are diagnostics with rule "matrix".
MatrixExpansion ExpandMatrix(const model::Strategy& strategy, const Scope& scope,
                             Diagnostics& diagnostics);


}  // namespace slipway::plan
