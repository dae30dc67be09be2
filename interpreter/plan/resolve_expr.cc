// The one place where the plan calls the expression engine (interpreter/expr).
#include <map>

#include "interpreter/expr/evaluator.h"
#include "interpreter/expr/parser.h"
#include "interpreter/expr/value.h"
#include "interpreter/plan/resolve.h"

namespace slipway::plan {

/// Contexts converted to expression values, per scope: a context this scope neither sets nor
/// overlays is taken from the parent's cache, so the github context is converted once.
struct Scope::Cache {
  std::map<std::string, expr::Value, std::less<>> converted;
  bool has_context = false;
  expr::Value context;
};

struct ScopeAccess {
  static const expr::Value& Context(const Scope& scope, const std::string& name) {
    const Scope* owner = &scope;
    while (owner && !owner->Defines(name)) owner = owner->parent();
    static const expr::Value kNull;
    if (!owner) return kNull;
    Scope::Cache& cache = owner->cache();
    auto it = cache.converted.find(name);
    if (it != cache.converted.end()) return it->second;
    Expected<expr::Value> value = expr::FromJson(owner->Materialize(name));
    return cache.converted.emplace(name, value ? *value : expr::Value()).first->second;
  }

  static const expr::Value& Contexts(const Scope& scope) {
    Scope::Cache& cache = scope.cache();
    if (!cache.has_context) {
      expr::Object object;
      for (const std::string& name : scope.ContextNames()) object.Set(name, Context(scope, name));
      cache.context = expr::Value::FromObject(std::move(object));
      cache.has_context = true;
    }
    return cache.context;
  }
};

Scope::Scope(const Scope* parent) : parent_(parent) {}
Scope::~Scope() = default;

void Scope::InvalidateCache() { cache_.reset(); }

Scope::Cache& Scope::cache() const {
  if (!cache_) cache_ = std::make_unique<Cache>();
  return *cache_;
}

Evaluation EvaluateExpression(std::string_view expression, const Scope& scope) {
  Evaluation out;
  expr::ParseOptions options;
  options.allow_any_name = true;
  Expected<expr::Expr, expr::Error> parsed = expr::Parse(expression, options);
  if (!parsed) {
    out.kind = Evaluation::Kind::kError;
    out.error = parsed.error().message;
    return out;
  }
  expr::EvalOptions eval_options;
  eval_options.status = {scope.status.success, scope.status.failure, scope.status.cancelled};
  Expected<expr::Value, expr::Error> value =
      expr::Evaluate(*parsed, ScopeAccess::Contexts(scope), eval_options);
  if (!value) {
    out.kind = Evaluation::Kind::kError;
    out.error = value.error().message;
    return out;
  }
  out.value = expr::ToJson(*value);
  return out;
}

std::string ValueToTemplateString(const nlohmann::ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  Expected<expr::Value> converted = expr::FromJson(value);
  return converted ? expr::ToString(*converted) : value.dump();
}

}  // namespace slipway::plan
