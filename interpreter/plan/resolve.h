#pragma once
/// Evaluating expressions for the plan: `if:` conditions, `${{ }}` templates in
/// run/with/env/ names, concurrency groups and matrix values. The plan knows
/// some contexts (github, inputs, vars, env, matrix, strategy,
/// needs.<id>.result) and not others (step outputs, needs outputs, secrets,
/// runner): an expression that reads anything unknown is not evaluated but kept
/// as written, so nothing is ever guessed.
///
/// All calls into the expression engine go through EvaluateExpression (resolve_expr.cc).

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/base/expected.h"

namespace slipway::plan {

/// What the status functions return in an evaluation. The plan asks on the
/// success path (success() true, failure() and cancelled() false) and again on
/// other paths to say when a job would run.
struct StatusAssumption {
  bool success = true;
  bool failure = false;
  bool cancelled = false;
};

/// The contexts one evaluation sees. Scopes chain: a step scope's parent is its
/// job's scope, whose parent holds the workflow-wide contexts; Set() in a child
/// hides the parent's value. Not thread-safe (it caches converted contexts).
class Scope {
 public:
  explicit Scope(const Scope* parent = nullptr);
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  ~Scope();

  /// Sets top-level context `name` (lower-case: github, inputs, env, ...).
  void Set(const std::string& name, nlohmann::ordered_json value);
  /// Sets member `key` of context `name` on top of whatever a parent scope
  /// holds for `name` (e.g. github.job per job, without copying the whole github context).
  void Overlay(const std::string& name, const std::string& key, nlohmann::ordered_json value);
  /// Marks a reference path as known only at run time: "steps", "secrets",
  /// "runner", "needs.build.outputs", "env.TOKEN". Paths are case-insensitive.
  void MarkUnknown(std::string path);

  /// The context `name`, searching parents; nullptr when unset. Overlays are
  /// not applied: use Materialize for the value an expression sees.
  const nlohmann::ordered_json* Find(std::string_view name) const;
  /// The value of context `name` an expression sees: the nearest Set() value
  /// with the overlays of this scope and its parents (nearest wins) applied; null when unset.
  nlohmann::ordered_json Materialize(std::string_view name) const;
  /// Names of every context set or overlaid here or in a parent.
  std::vector<std::string> ContextNames() const;
  /// True when reference `path` (lower-case, dotted, "*" for filters) reads a
  /// value that is only known at run time, here or in a parent.
  bool IsUnknown(std::string_view path) const;

  StatusAssumption status;
  /// The workspace, when it exists (at run time): hashFiles() is evaluated against it instead
  /// of being kept as unknown. "" (planning): hashFiles() is unknown.
  std::string workspace;

  /// Engine-specific cache of converted contexts (resolve_expr.cc).
  struct Cache;
  Cache& cache() const;

 private:
  const Scope* parent_;
  std::map<std::string, nlohmann::ordered_json, std::less<>> contexts_;
  std::vector<std::string> unknown_;
  std::map<std::string, nlohmann::ordered_json, std::less<>>
      overlays_;  // context → object of members
  mutable std::unique_ptr<Cache> cache_;
  void InvalidateCache();
  const Scope* parent() const { return parent_; }
  bool Defines(std::string_view name) const {
    return contexts_.count(name) > 0 || overlays_.count(name) > 0;
  }
  friend struct ScopeAccess;
};

/// What an expression reads: dotted lower-case reference paths
/// ("needs.build.outputs.version", "github.ref", "matrix.os",
/// "steps.*.outputs") and the functions it calls ("success"). Taken from the parsed expression
/// (expr::Analyze): `a['b']` reads as `a.b`, a computed index `a[x]` as `a.*` (and x's own
/// reads). An expression that does not parse reads nothing.
struct References {
  std::vector<std::string> paths;
  std::vector<std::string> functions;
  /// String and number literals, in order (used as probe values for undecided references).
  std::vector<nlohmann::ordered_json> literals;
  bool Calls(std::string_view function) const;
  /// True when it calls success(), failure(), always() or cancelled().
  bool UsesStatusFunction() const;
};
References FindReferences(std::string_view expression);
/// The same, parsed once per distinct text and kept in `scope`'s outermost scope.
const References& CachedReferences(std::string_view expression, const Scope& scope);

/// One `${{ }}`-free expression evaluated: a JSON value, or why not.
struct Evaluation {
  enum class Kind { kValue, kUnknown, kError };
  Kind kind = Kind::kValue;
  nlohmann::ordered_json value;  // kValue
  std::string unknown;           // kUnknown: the first reference known only at run time
  std::string error;             // kError: the engine's message
};

/// Evaluates a bare expression (no `${{ }}`) in `scope`, unless it reads something unknown.
Evaluation Evaluate(std::string_view expression, const Scope& scope);

/// The decision of an `if:` condition (with or without `${{ }}`), as GitHub
/// makes it: an expression without a status function is implicitly `success() && (...)`.
struct Condition {
  enum class Kind { kTrue, kFalse, kUnknown, kError };
  Kind kind = Kind::kTrue;
  std::string unknown;  // kUnknown: the reference known only at run time
  std::string error;    // kError
  References references;
};
Condition EvaluateCondition(std::string_view condition, const Scope& scope);

/// Substitutes each `${{ }}` of `text` whose inputs are known; unknown ones
/// stay verbatim. `error` (optional) receives the first evaluation error (that
/// expression also stays).
struct Substitution {
  std::string text;
  bool resolved = true;
  std::vector<std::string> unknown;  // references known only at run time
  std::string error;
};
Substitution Substitute(std::string_view text, const Scope& scope);

/// A value: a whole-scalar `${{ expr }}` evaluates to its JSON value (so
/// fromJSON gives arrays and objects); other text substitutes to a string.
Evaluation EvaluateValue(std::string_view text, const Scope& scope);

/// A key that must be a boolean (or, with `number`, a number), as the runner's AssertBoolean
/// and AssertNumber read it (continue-on-error, timeout-minutes, fail-fast, max-parallel): a
/// literal as written; an expression must give that type (a string is an error, even "true"
/// or "5"). The error is "Unexpected value '...'" or the expression's.
Expected<nlohmann::ordered_json> EvaluateTyped(std::string_view text, const Scope& scope,
                                               bool number);

/// The string GitHub makes of a value in a template (null → "", numbers as .NET
/// G15, arrays and objects "Array"/"Object").
std::string ValueToTemplateString(const nlohmann::ordered_json& value);

/// The engine call (resolve_expr.cc): evaluates `expression` against `scope`'s
/// contexts and status assumption. Callers have already checked that it reads
/// nothing unknown. Only the contexts named by `references` are converted for
/// the engine (all of them when null).
Evaluation EvaluateExpression(std::string_view expression, const Scope& scope,
                              const References* references = nullptr);

}  // namespace slipway::plan
