// Matrices known only at run time on the PostgreSQL backend (`strategy.matrix: ${{
// fromJSON(needs.a.outputs.m) }}`): the job is stored as one placeholder row carrying its
// matrix as written (plan::MatrixDefinition); when its needs are met and it may start, the
// transaction that decides it evaluates the matrix with the needs' outputs, as exec's scheduler
// does (Scheduler::ExpandRunTimeMatrix), and puts one row per leg in the placeholder's place.
// From then on the legs are ordinary matrix instances: max-parallel throttles them, fail-fast
// cancels them, their dependants wait for all of them. A job of a called workflow is expanded
// alike, in its call's contexts (its own id, the call's inputs), and its legs stay in the call.
#include <fmt/format.h>

#include "interpreter/backend/pg_internal.h"
#include "interpreter/backend/submit.h"
#include "interpreter/exec/scheduler.h"
#include "interpreter/plan/eval_scope.h"
#include "interpreter/plan/matrix.h"

namespace slipway::backend {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// The contexts of decision `d` (github, inputs, vars, needs; with `matrix` when given).
void FillJobScope(plan::Scope& scope, const RunContext& run, const Decision& d,
                  const ordered_json* matrix) {
  plan::EvaluationContexts contexts = d.Contexts(run);
  contexts.matrix = matrix;
  plan::FillScope(scope, contexts);
}

// The legs of the decided placeholder `d`, or why it has none.
Expected<std::vector<ordered_json>> Legs(const RunContext& run, const Decision& d) {
  std::optional<plan::MatrixDefinition> definition = plan::MatrixDefinitionFromJson(
      ordered_json::parse(d.matrix_definition, nullptr, /*allow_exceptions=*/false));
  if (!definition) return MakeUnexpected(std::string("its stored matrix is unreadable"));
  // GitHub evaluates strategy.matrix with github, needs, vars and inputs.
  plan::Scope scope;
  FillJobScope(scope, run, d, nullptr);
  Diagnostics diagnostics;
  plan::MatrixExpansion expansion =
      plan::ExpandMatrixDefinition(std::move(*definition), scope, nullptr, diagnostics);
  if (diagnostics.has_errors()) return MakeUnexpected(diagnostics.items().front().message);
  if (!expansion.known) return MakeUnexpected("it reads " + expansion.unknown_expression);
  if (expansion.instances.empty()) return MakeUnexpected(std::string("it has no combinations"));
  return std::move(expansion.instances);
}

}  // namespace

void ExpandRunTimeMatrices(pqxx::transaction_base& tx, const RunContext& run,
                           std::vector<Decision>& decisions) {
  bool any = false;
  for (const Decision& d : decisions) any = any || (!d.matrix_definition.empty() && d.MayStart());
  if (!any) return;
  std::vector<Decision> out;
  for (Decision& d : decisions) {
    if (d.matrix_definition.empty() || !d.MayStart()) {
      out.push_back(std::move(d));
      continue;
    }
    Expected<std::vector<ordered_json>> legs = Legs(run, d);
    if (!legs) {
      d.Fail(fmt::format("cannot expand the matrix of \"{}\": {}", d.job_id, legs.error()));
      out.push_back(std::move(d));
      continue;
    }
    // Each leg's own labels (`runs-on: ${{ matrix.os }}`).
    pqxx::result placeholder = tx.exec_params(
        "SELECT array_to_json(labels)::text FROM jobs WHERE run_id = $1 AND key = $2",
        run.run_id, d.key);
    std::vector<std::string> labels =
        placeholder.empty() ? std::vector<std::string>{}
                            : StringList(json::parse(TextField(placeholder[0][0]), nullptr, false));
    // Positions: the submitter left room for kMaxMatrixCombinations legs after the placeholder.
    json rows = json::array();
    std::vector<Decision> expanded;
    for (size_t k = 0; k < legs->size(); ++k) {
      Decision leg = d;
      leg.key = exec::Scheduler::InstanceKey(d.job_id, (*legs)[k]);
      leg.matrix = (*legs)[k];
      leg.matrix_definition.clear();
      leg.position = d.position + static_cast<int>(k);
      plan::Scope scope;
      FillJobScope(scope, run, d, &leg.matrix);
      rows.push_back({{"key", leg.key},
                      {"matrix", json::parse(leg.matrix.dump())},
                      {"position", leg.position},
                      {"leg", fmt::format("{}/{}", k, legs->size())},
                      {"labels", EvaluateLabels(labels, scope)}});
      expanded.push_back(std::move(leg));
    }
    // The placeholder's environment and gate go to its legs: slipway_expand_matrix (schema
    // version 9) does it as the schema's owner, since workers may not delete or write those.
    pqxx::result inserted = tx.exec_params("SELECT slipway_expand_matrix($1, $2, $3::jsonb)",
                                           run.run_id, d.key, rows.dump());
    if (inserted[0][0].as<int64_t>() != static_cast<int64_t>(expanded.size())) {
      // The placeholder was decided by someone else meanwhile; it is theirs to expand.
      continue;
    }
    for (Decision& leg : expanded) out.push_back(std::move(leg));
  }
  decisions = std::move(out);
}

}  // namespace slipway::backend
