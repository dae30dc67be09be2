// `strategy.matrix`: https://docs.github.com/actions/using-jobs/using-a-matrix-for-your-jobs
// Each axis is a non-empty list (or an expression); a matrix needs at least one axis or an
// `include`; no include/exclude entry is empty; `max-parallel` is positive. The axis values themselves may be any YAML.
#include <fmt/format.h>

#include "interpreter/model/matrix_values.h"
#include "interpreter/validate/rule.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {

void CheckMatrix(const RuleContext& context) {
  for (const model::Job& job : context.workflow.jobs) {
    if (!job.node) continue;
    const yaml::Node* strategy = job.node->Find("strategy");
    if (!strategy || !strategy->is_mapping()) continue;
    if (const yaml::Node* max = strategy->Find("max-parallel")) {
      double value = 0;
      if (yaml::IsNumberScalar(*max, &value) && value < 1) {
        context.diagnostics.Error(
            "matrix", max->where,
            fmt::format("\"max-parallel\" must be at least 1, found {}", max->value));
      }
    }
    const yaml::Node* matrix = strategy->Find("matrix");
    if (!matrix || !matrix->is_mapping()) continue;
    bool has_values = false;
    for (const auto& [key, value] : matrix->entries) {
      if ((key.value == "include" || key.value == "exclude") && value.is_sequence()) {
        // MatrixBuilder refuses an empty entry: it would match (or add) nothing.
        for (const yaml::Node& entry : value.items) {
          if (entry.is_mapping() && entry.entries.empty()) {
            context.diagnostics.Error("matrix", entry.where,
                                      key.value == "include"
                                          ? "matrix include mapping does not contain any values"
                                          : "matrix exclude filter must not be empty");
          }
        }
      }
      if (key.value == "exclude") continue;
      if (key.value == "include") {
        has_values |= !value.is_sequence() || !value.items.empty();
        continue;
      }
      if (value.is_sequence() && value.items.empty()) {
        context.diagnostics.Error("matrix", value.where,
                                  fmt::format("matrix axis \"{}\" has no values", key.value));
        continue;
      }
      has_values = true;
    }
    if (!has_values && !matrix->entries.empty()) {
      context.diagnostics.Error("matrix", matrix->where,
                                "matrix has no axes and no \"include\"; it would run no job");
      continue;
    }
    if (std::optional<model::LiteralMatrix> literal = model::ReadLiteralMatrix(*matrix)) {
      model::MatrixSize size;
      if (!model::ExpandMatrixBounded(literal->axes, literal->include, literal->exclude,
                                      model::kMaxMatrixCombinations, &size)) {
        context.diagnostics.Error("matrix", matrix->where, model::MatrixSizeMessage(size));
      }
    }
  }
}

}  // namespace slipway::validate
