#pragma once
/// Matrix expansion as GitHub does it: the cartesian product of the axes (first key outermost),
/// minus `exclude` entries (partial matches), then `include` entries merged into every original
/// combination they do not contradict, or appended as new combinations.
/// https://docs.github.com/actions/writing-workflows/choosing-what-your-workflow-does/running-variations-of-jobs-in-a-workflow#expanding-or-adding-matrix-configurations
///
/// The size is found before anything is built: exclude entries prune a depth-first walk over
/// the axes (axes that excludes name first), whole subtrees no exclude can touch are counted by
/// multiplication, and the walk stops once the limit is passed. So a matrix of 12 axes x 10
/// values is refused in microseconds instead of materialising 10^12 combinations. Used by
/// `validate` (literal matrices) and `plan`/`run` (after expressions are evaluated).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/yaml/node.h"

namespace slipway::model {

/// GitHub's limit on the combinations of one matrix.
inline constexpr size_t kMaxMatrixCombinations = 256;

using MatrixAxes = std::vector<std::pair<std::string, std::vector<nlohmann::ordered_json>>>;

/// How many combinations a matrix has, as far as it was counted.
struct MatrixSize {
  uint64_t count = 0;
  bool at_least = false;     // counting stopped past the limit: there are at least `count`
  bool too_complex = false;  // the exclude entries need more work than slipway spends counting
};

/// The combinations when there are at most `limit` of them; otherwise nullopt, with `size` saying
/// how many there are (or at least). `size` may be null.
std::optional<std::vector<nlohmann::ordered_json>> ExpandMatrixBounded(
    const MatrixAxes& axes, const std::vector<nlohmann::ordered_json>& include,
    const std::vector<nlohmann::ordered_json>& exclude, size_t limit, MatrixSize* size);

/// The error message for a matrix that is over GitHub's limit (or cannot be counted).
std::string MatrixSizeMessage(const MatrixSize& size);

/// A matrix written out in the file: axes, include and exclude as yaml::ToJson types them.
struct LiteralMatrix {
  MatrixAxes axes;  // in file order
  std::vector<nlohmann::ordered_json> include, exclude;
};
/// Reads `matrix` (the `strategy.matrix` node) when its size does not depend on an expression:
/// nullopt when the matrix, a key, an axis or an exclude entry is (or holds) a `${{ }}`. An
/// axis item that is an expression still counts as one value; an include that is an
/// expression is left out (it can only add combinations).
std::optional<LiteralMatrix> ReadLiteralMatrix(const yaml::Node& matrix);


}  // namespace slipway::model
