#pragma once
/// A semantic rule family: one check over a loaded workflow, in its own rule_<id>.cc file and
/// one row of the table in rules.cc. Rules run after the schema pass, so they may assume
/// nothing about shapes the schema already rejects: they read the model (which skips what has
/// the wrong shape) and the YAML tree, and never throw.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/job_graph.h"
#include "interpreter/model/workflow.h"
#include "interpreter/step_api/step_api.h"
#include "interpreter/validate/expr_index.h"

namespace slipway::validate {

/// What a rule sees. `diagnostics` is where it reports; everything else is read-only. Rules may
/// run on several files at once in different threads, so they keep no mutable global state.
struct RuleContext {
  const model::Workflow& workflow;
  std::string_view path;  // the file's path as given (some rules look at where it lives)
  const step_api::StepCatalog& catalog;
  Diagnostics& diagnostics;
  /// Every `${{ }}` of the workflow, parsed once for all the expression rules.
  const ExpressionIndex& expressions;
  /// The `needs` graph (built once; plan builds the same one).
  const model::JobGraph& graph;
  /// --portable: the file is meant for GitHub too, so slipway's extensions are flagged.
  bool portable = false;
  /// Reads a called workflow (ValidateOptions::read_callee); null or empty: not available.
  const std::function<std::optional<std::string>(std::string_view uses)>* read_callee = nullptr;
};

/// A row of the rule table: the rule id it reports (printed as [id]), what it checks, and the
/// check itself.
struct Rule {
  const char* id;
  const char* description;
  void (*check)(const RuleContext& context);
};

/// Every semantic rule, in the order they run (rules.cc: the only list).
const std::vector<Rule>& Rules();

}  // namespace slipway::validate
