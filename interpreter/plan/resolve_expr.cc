// The one place where the plan calls the expression engine (interpreter/expr).
#include <algorithm>
#include <map>
#include <unordered_map>

#include "interpreter/base/ascii.h"
#include "interpreter/expr/analysis.h"
#include "interpreter/expr/evaluator.h"
#include "interpreter/expr/parser.h"
#include "interpreter/expr/unicode.h"
#include "interpreter/expr/value.h"
#include "interpreter/plan/resolve.h"

namespace slipway::plan {

/// Contexts converted to expression values, per scope: a context this scope
/// neither sets nor overlays is taken from the parent's cache, so the github
/// context is converted once.
struct Scope::Cache {
  std::map<std::string, expr::Value, std::less<>> converted;
  bool has_context = false;
  expr::Value context;
  /// Parsed expressions and what they read, kept in the outermost scope: a workflow repeats
  /// the same conditions and templates across jobs and steps. Bounded; cleared when full.
  struct Parsed {
    Expected<expr::Expr, expr::Error> expr;
    References references;
  };
  std::unordered_map<std::string, Parsed> parsed;
};

struct ScopeAccess {
  static const Scope* Root(const Scope& scope) {
    const Scope* root = &scope;
    while (root->parent()) root = root->parent();
    return root;
  }
  static const expr::Value& Context(const Scope& scope, const std::string& name);
  static const expr::Value& Contexts(const Scope& scope);
};

namespace {

constexpr size_t kMaxParsed = 8192;


Expected<expr::Expr, expr::Error> ParseForPlan(std::string_view expression) {
  expr::ParseOptions options;
  options.allow_any_name = true;
  return expr::Parse(expression, options);
}

/// What a parsed expression reads, from the expr module's analysis, plus its string and number
/// literals in source order (probe values for undecided references).
References ReferencesOf(const expr::Expr& e) {
  References refs;
  if (e.empty()) return refs;
  expr::Analysis analysis = expr::Analyze(e);
  for (const expr::NamedValueAccess& access : analysis.accesses) {
    std::string path;
    for (const expr::PathSegment& segment : access.segments) {
      if (!path.empty()) path += '.';
      path += segment.wildcard ? std::string("*") : AsciiLower(segment.name);
    }
    if (access.dynamic) path += ".*";  // a computed index may read any member
    refs.paths.push_back(std::move(path));
  }
  for (const expr::FunctionCallInfo& call : analysis.calls)
    refs.functions.push_back(AsciiLower(call.name));
  std::vector<std::pair<uint32_t, nlohmann::ordered_json>> literals;
  std::vector<uint32_t> stack = {e.root()};  // the tree from its root (a['key'] names a member)
  while (!stack.empty()) {
    const expr::Node& n = e.node(stack.back());
    stack.pop_back();
    for (uint32_t child : e.children(n)) {
      const expr::Node& c = e.node(child);
      const bool names_member = n.kind == expr::NodeKind::kIndex && child == e.children(n)[1] &&
                                c.kind == expr::NodeKind::kLiteral && e.value(c).is_string();
      if (!names_member) stack.push_back(child);
    }
    if (n.kind != expr::NodeKind::kLiteral) continue;
    const expr::Value& value = e.value(n);
    if (value.is_string()) {
      literals.emplace_back(n.offset, std::string(value.string()));
    } else if (value.is_number()) {
      literals.emplace_back(n.offset, value.number());
    }
  }
  std::stable_sort(literals.begin(), literals.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [offset, literal] : literals) refs.literals.push_back(std::move(literal));
  return refs;
}

const Scope::Cache::Parsed& ParseCached(std::string_view expression, const Scope& scope) {
  const Scope* root = ScopeAccess::Root(scope);
  Scope::Cache& cache = root->cache();
  std::string key(expression);
  auto it = cache.parsed.find(key);
  if (it != cache.parsed.end()) return it->second;
  if (cache.parsed.size() >= kMaxParsed) cache.parsed.clear();
  Scope::Cache::Parsed entry{ParseForPlan(expression), {}};
  if (entry.expr) entry.references = ReferencesOf(*entry.expr);
  return cache.parsed.emplace(std::move(key), std::move(entry)).first->second;
}

}  // namespace

const expr::Value& ScopeAccess::Context(const Scope& scope, const std::string& name) {
  const Scope* owner = &scope;
  while (owner && !owner->Defines(name)) owner = owner->parent();
  static const expr::Value kNull;
  if (!owner) return kNull;
  Scope::Cache& cache = owner->cache();
  auto it = cache.converted.find(name);
  if (it != cache.converted.end()) return it->second;
  auto own = owner->contexts_.find(name);
  auto overlay = owner->overlays_.find(name);
  if (own == owner->contexts_.end() && owner->parent()) {
    // Only overlays here (e.g. github.job): extend the parent's converted
    // object instead of converting the whole context (with its event payload) again.
    const expr::Value& base = Context(*owner->parent(), name);
    expr::Object object = base.is_object() ? base.object() : expr::Object();
    for (auto m = overlay->second.begin(); m != overlay->second.end(); ++m) {
      Expected<expr::Value> member = expr::FromJson(*m);
      object.Set(m.key(), member ? *member : expr::Value());
    }
    return cache.converted.emplace(name, expr::Value::FromObject(std::move(object))).first->second;
  }
  const nlohmann::ordered_json& json = owner->Materialize(name);
  if (expr::EqualsIgnoreCase(name, "env") && json.is_object()) {
    // On Linux the runner's env context compares names exactly: `env.foo` is not `FOO`.
    expr::Object env = expr::Object::CaseSensitive();
    for (auto m = json.begin(); m != json.end(); ++m) {
      Expected<expr::Value> member = expr::FromJson(*m);
      env.Set(m.key(), member ? *member : expr::Value());
    }
    return cache.converted.emplace(name, expr::Value::FromObject(std::move(env))).first->second;
  }
  Expected<expr::Value> value = expr::FromJson(json);
  return cache.converted.emplace(name, value ? *value : expr::Value()).first->second;
}

const expr::Value& ScopeAccess::Contexts(const Scope& scope) {
  Scope::Cache& cache = scope.cache();
  if (!cache.has_context) {
    expr::Object object;
    for (const std::string& name : scope.ContextNames()) object.Set(name, Context(scope, name));
    cache.context = expr::Value::FromObject(std::move(object));
    cache.has_context = true;
  }
  return cache.context;
}

Scope::Scope(const Scope* parent) : parent_(parent) {}
Scope::~Scope() = default;

void Scope::InvalidateCache() { cache_.reset(); }

Scope::Cache& Scope::cache() const {
  if (!cache_) cache_ = std::make_unique<Cache>();
  return *cache_;
}

References FindReferences(std::string_view expression) {
  Expected<expr::Expr, expr::Error> parsed = ParseForPlan(expression);
  return parsed ? ReferencesOf(*parsed) : References{};
}

const References& CachedReferences(std::string_view expression, const Scope& scope) {
  return ParseCached(expression, scope).references;
}

Evaluation EvaluateExpression(std::string_view expression, const Scope& scope,
                              const References* references) {
  Evaluation out;
  const Expected<expr::Expr, expr::Error>& parsed = ParseCached(expression, scope).expr;
  if (!parsed) {
    out.kind = Evaluation::Kind::kError;
    out.error = parsed.error().message;
    return out;
  }
  expr::EvalOptions eval_options;
  eval_options.status = {scope.status.success, scope.status.failure, scope.status.cancelled};
  eval_options.workspace = scope.workspace;
  expr::Value referenced;
  if (references) {
    // Most expressions read one or two contexts: convert only those.
    expr::Object object;
    for (const std::string& path : references->paths) {
      std::string head = path.substr(0, path.find('.'));
      if (!object.Find(head)) object.Set(head, ScopeAccess::Context(scope, head));
    }
    referenced = expr::Value::FromObject(std::move(object));
  }
  Expected<expr::Value, expr::Error> value =
      expr::Evaluate(*parsed, references ? referenced : ScopeAccess::Contexts(scope), eval_options);
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
