#include "interpreter/plan/resolve.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "interpreter/base/ascii.h"
#include "interpreter/expr/template.h"

namespace slipway::plan {

namespace {


std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    if (dot == std::string_view::npos) dot = path.size();
    out.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
  return out;
}

/// The next dot-separated segment of `path` from `*pos` (advancing past the dot).
std::string_view NextSegment(std::string_view path, size_t* pos) {
  size_t dot = path.find('.', *pos);
  if (dot == std::string_view::npos) dot = path.size();
  std::string_view segment = path.substr(*pos, dot - *pos);
  *pos = dot + 1;
  return segment;
}

/// True when one path is a prefix of the other, segment by segment ("*" matches
/// any segment). Called for every reference against every run-time-only mark,
/// so it does not allocate.
bool Overlaps(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i <= a.size() && j <= b.size()) {
    std::string_view x = NextSegment(a, &i);
    std::string_view y = NextSegment(b, &j);
    if (x != y && x != "*" && y != "*") return false;
  }
  return true;
}

}  // namespace

void Scope::Set(const std::string& name, nlohmann::ordered_json value) {
  contexts_[AsciiLower(name)] = std::move(value);
  InvalidateCache();
}

void Scope::Overlay(const std::string& name, const std::string& key, nlohmann::ordered_json value) {
  nlohmann::ordered_json& object = overlays_[AsciiLower(name)];
  if (!object.is_object()) object = nlohmann::ordered_json::object();
  object[key] = std::move(value);
  InvalidateCache();
}

nlohmann::ordered_json Scope::Materialize(std::string_view name) const {
  std::vector<const Scope*> chain;
  const nlohmann::ordered_json* base = nullptr;
  for (const Scope* s = this; s; s = s->parent_) {
    chain.push_back(s);
    auto it = s->contexts_.find(name);
    if (it != s->contexts_.end()) {
      base = &it->second;
      break;
    }
  }
  nlohmann::ordered_json out = base ? *base : nlohmann::ordered_json();
  // Apply overlays from the farthest scope to the nearest, so the nearest wins.
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    auto overlay = (*it)->overlays_.find(name);
    if (overlay == (*it)->overlays_.end()) continue;
    if (!out.is_object()) out = nlohmann::ordered_json::object();
    for (auto m = overlay->second.begin(); m != overlay->second.end(); ++m) out[m.key()] = *m;
  }
  return out;
}

std::vector<std::string> Scope::ContextNames() const {
  std::vector<std::string> names;
  for (const Scope* s = this; s; s = s->parent_) {
    for (const auto& [name, value] : s->contexts_) names.push_back(name);
    for (const auto& [name, value] : s->overlays_) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

void Scope::MarkUnknown(std::string path) { unknown_.push_back(AsciiLower(path)); }

const nlohmann::ordered_json* Scope::Find(std::string_view name) const {
  for (const Scope* s = this; s; s = s->parent_) {
    auto it = s->contexts_.find(name);
    if (it != s->contexts_.end()) return &it->second;
  }
  return nullptr;
}

bool Scope::IsUnknown(std::string_view path) const {
  // A context set in a nearer scope hides the unknown marks of the parents for
  // that context (e.g. a job's own `env` over the workflow's).
  std::string_view head = path.substr(0, path.find('.'));
  for (const Scope* s = this; s; s = s->parent_) {
    for (const std::string& unknown : s->unknown_) {
      if (Overlaps(path, unknown)) return true;
    }
    if (s->contexts_.count(head)) return false;
  }
  return false;
}

bool References::Calls(std::string_view function) const {
  std::string lower = AsciiLower(function);
  return std::find(functions.begin(), functions.end(), lower) != functions.end();
}

bool References::UsesStatusFunction() const {
  return Calls("success") || Calls("failure") || Calls("always") || Calls("cancelled");
}

namespace {

/// Sets `value` at dotted `path` inside `root`, creating objects on the way.
void SetPath(nlohmann::ordered_json& root, const std::vector<std::string_view>& segments,
             size_t from, nlohmann::ordered_json value) {
  nlohmann::ordered_json* node = &root;
  for (size_t i = from; i < segments.size(); ++i) {
    if (!node->is_object()) *node = nlohmann::ordered_json::object();
    node = &(*node)[std::string(segments[i])];
  }
  *node = std::move(value);
}

/// Evaluates `expression` with each unknown reference replaced by its probe
/// value; nullopt when that cannot be done (a `*` in an unknown path) or the evaluation fails.
std::optional<nlohmann::ordered_json> EvaluateWithProbe(
    std::string_view expression, const Scope& scope, const References& refs,
    const std::vector<std::pair<std::string, nlohmann::ordered_json>>& values) {
  Scope probed(&scope);
  probed.status = scope.status;
  std::map<std::string, nlohmann::ordered_json> contexts;
  for (const auto& [path, probe] : values) {
    std::vector<std::string_view> segments = Segments(path);
    for (std::string_view segment : segments) {
      if (segment == "*") return std::nullopt;
    }
    std::string head(segments[0]);
    auto it = contexts.find(head);
    if (it == contexts.end()) it = contexts.emplace(head, scope.Materialize(head)).first;
    if (segments.size() == 1) {
      it->second = probe;
    } else {
      SetPath(it->second, segments, 1, probe);
    }
  }
  for (auto& [name, value] : contexts) probed.Set(name, std::move(value));
  Evaluation e = EvaluateExpression(expression, probed, &refs);
  if (e.kind != Evaluation::Kind::kValue) return std::nullopt;
  return std::move(e.value);
}

bool Truthy(const nlohmann::ordered_json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) {
    double d = v.get<double>();
    return d != 0 && d == d;
  }
  if (v.is_string()) return !v.get_ref<const std::string&>().empty();
  return true;
}

/// An expression that reads values known only at run time may still be decided,
/// e.g. `failure() && steps.x.outputs.y` on the success path: evaluate it with
/// the unknown values as null and as an opaque string; when both agree (on
/// truthiness when `truthiness` is set), that is the answer whatever the values turn out to be.
std::optional<nlohmann::ordered_json> DecideDespiteUnknown(std::string_view expression,
                                                           const Scope& scope,
                                                           const std::vector<std::string>& unknown,
                                                           const References& refs,
                                                           bool truthiness) {
  // Probes: null, booleans, numbers, an opaque string, and every literal of the
  // expression (so `x == 'a'` is tried with x = 'a').
  std::vector<nlohmann::ordered_json> probes = {nullptr, true, false,
                                                0,       1,    "\x01slipway-unknown\x01"};
  probes.push_back("");
  // Each literal, and values just above and below it (for <, <=, >, >=).
  for (const nlohmann::ordered_json& literal : refs.literals) {
    probes.push_back(literal);
    if (literal.is_number()) {
      probes.push_back(literal.get<double>() + 1);
      probes.push_back(literal.get<double>() - 1);
    } else if (literal.is_string()) {
      probes.push_back(literal.get<std::string>() + "~");
    }
  }
  std::optional<nlohmann::ordered_json> first;
  auto agrees = [&](const std::optional<nlohmann::ordered_json>& result) {
    if (!result) return false;
    if (!first) {
      first = result;
      return true;
    }
    return truthiness ? Truthy(*first) == Truthy(*result) : *first == *result;
  };
  for (const nlohmann::ordered_json& probe : probes) {
    std::vector<std::pair<std::string, nlohmann::ordered_json>> values;
    for (const std::string& path : unknown) values.emplace_back(path, probe);
    if (!agrees(EvaluateWithProbe(expression, scope, refs, values))) return std::nullopt;
  }
  // Distinct unknown values, so that `a == b` of two unknowns is not taken as decided.
  if (unknown.size() > 1) {
    std::vector<std::pair<std::string, nlohmann::ordered_json>> values;
    for (size_t i = 0; i < unknown.size(); ++i) {
      values.emplace_back(unknown[i], "\x01slipway-unknown-" + std::to_string(i));
    }
    if (!agrees(EvaluateWithProbe(expression, scope, refs, values))) return std::nullopt;
  }
  return first;
}

Evaluation EvaluateImpl(std::string_view expression, const Scope& scope, bool truthiness) {
  const References& refs = CachedReferences(expression, scope);
  std::vector<std::string> unknown;
  for (const std::string& path : refs.paths) {
    if (scope.IsUnknown(path)) unknown.push_back(path);
  }
  // hashFiles reads the workspace, which exists only when the job runs.
  if (refs.Calls("hashfiles") && scope.workspace.empty()) {
    Evaluation e;
    e.kind = Evaluation::Kind::kUnknown;
    e.unknown = "hashFiles()";
    return e;
  }
  if (unknown.empty()) return EvaluateExpression(expression, scope, &refs);
  // Only conditions are worth deciding despite unknown values (`failure() &&
  // steps.x...`); a value that reads an unknown is, in practice, unknown.
  if (!truthiness) {
    Evaluation e;
    e.kind = Evaluation::Kind::kUnknown;
    e.unknown = unknown.front();
    return e;
  }
  if (std::optional<nlohmann::ordered_json> decided =
          DecideDespiteUnknown(expression, scope, unknown, refs, truthiness)) {
    Evaluation e;
    e.value = std::move(*decided);
    return e;
  }
  Evaluation e;
  e.kind = Evaluation::Kind::kUnknown;
  e.unknown = unknown.front();
  return e;
}

}  // namespace

Evaluation Evaluate(std::string_view expression, const Scope& scope) {
  return EvaluateImpl(expression, scope, /*truthiness=*/false);
}

Substitution Substitute(std::string_view text, const Scope& scope) {
  Substitution out;
  if (text.find("${{") == std::string_view::npos) {
    out.text = std::string(text);
    return out;
  }
  Expected<std::vector<expr::TemplatePart>, expr::Error> parts = expr::SplitTemplate(text);
  if (!parts) {
    out.text = std::string(text);
    out.resolved = false;
    out.error = parts.error().message;
    return out;
  }
  for (const expr::TemplatePart& part : *parts) {
    if (!part.is_expression) {
      out.text += part.text;
      continue;
    }
    Evaluation e = Evaluate(part.text, scope);
    if (e.kind == Evaluation::Kind::kValue) {
      out.text += ValueToTemplateString(e.value);
      continue;
    }
    out.resolved = false;
    if (e.kind == Evaluation::Kind::kUnknown) {
      out.unknown.push_back(e.unknown);
    } else if (out.error.empty()) {
      out.error = e.error;
    }
    out.text += "${{ ";
    out.text += part.text;
    out.text += " }}";
  }
  return out;
}

Evaluation EvaluateValue(std::string_view text, const Scope& scope) {
  if (expr::HasExpressions(text)) {
    Expected<std::vector<expr::TemplatePart>, expr::Error> parts = expr::SplitTemplate(text);
    if (parts && parts->size() == 1 && (*parts)[0].is_expression) {
      return Evaluate((*parts)[0].text, scope);
    }
  }
  Substitution s = Substitute(text, scope);
  Evaluation e;
  if (!s.error.empty()) {
    e.kind = Evaluation::Kind::kError;
    e.error = s.error;
  } else if (!s.resolved) {
    e.kind = Evaluation::Kind::kUnknown;
    e.unknown = s.unknown.empty() ? "" : s.unknown.front();
  } else {
    e.value = s.text;
  }
  return e;
}

Expected<nlohmann::ordered_json> EvaluateTyped(std::string_view text, const Scope& scope,
                                               bool number) {
  if (!expr::HasExpressions(text)) {
    // A literal: validate has checked its type.
    if (!number) return nlohmann::ordered_json(text == "true");
    std::string copy(text);
    char* end = nullptr;
    double value = std::strtod(copy.c_str(), &end);
    if (end == copy.c_str() || *end != '\0') {
      return MakeUnexpected(fmt::format("Unexpected value '{}'", text));
    }
    return nlohmann::ordered_json(value);
  }
  Evaluation value = EvaluateValue(text, scope);
  if (value.kind == Evaluation::Kind::kError) return MakeUnexpected(value.error);
  if (value.kind == Evaluation::Kind::kUnknown) {
    return MakeUnexpected(fmt::format("{} is not known here", value.unknown));
  }
  if (number ? value.value.is_number() : value.value.is_boolean()) return value.value;
  return MakeUnexpected(fmt::format("Unexpected value '{}'", ValueToTemplateString(value.value)));
}

Condition EvaluateCondition(std::string_view condition, const Scope& scope) {
  Condition out;
  std::string_view text = condition;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  std::string expression(text);
  bool is_template = false;
  if (expr::HasExpressions(text)) {
    Expected<std::vector<expr::TemplatePart>, expr::Error> parts = expr::SplitTemplate(text);
    if (parts && parts->size() == 1 && (*parts)[0].is_expression) {
      expression = std::string((*parts)[0].text);
    } else {
      // "${{ a }} == b" is format('{0} == b', a): a string, truthy when not empty (as GitHub).
      // Its status functions are the calls inside its expressions: `${{ always() }} && x` is
      // not wrapped in success() (ConvertToIfCondition walks the format() call's arguments).
      is_template = true;
      if (parts) {
        for (const expr::TemplatePart& part : *parts) {
          if (!part.is_expression) continue;
          const References& refs = CachedReferences(part.text, scope);
          out.references.paths.insert(out.references.paths.end(), refs.paths.begin(),
                                      refs.paths.end());
          out.references.functions.insert(out.references.functions.end(),
                                          refs.functions.begin(), refs.functions.end());
        }
      }
    }
  }
  if (!is_template) out.references = CachedReferences(expression, scope);
  if (expression.empty()) {
    out.kind = out.references.UsesStatusFunction() || scope.status.success
                   ? Condition::Kind::kTrue
                   : Condition::Kind::kFalse;
    return out;
  }
  if (!out.references.UsesStatusFunction() && !scope.status.success) {
    out.kind = Condition::Kind::kFalse;  // implicit success() && (...)
    return out;
  }
  Evaluation e = is_template ? EvaluateValue(text, scope)
                             : EvaluateImpl(expression, scope, /*truthiness=*/true);
  switch (e.kind) {
    case Evaluation::Kind::kUnknown:
      out.kind = Condition::Kind::kUnknown;
      out.unknown = e.unknown;
      return out;
    case Evaluation::Kind::kError:
      out.kind = Condition::Kind::kError;
      out.error = e.error;
      return out;
    case Evaluation::Kind::kValue:
      break;
  }
  const nlohmann::ordered_json& v = e.value;
  bool truthy;
  if (v.is_null()) {
    truthy = false;
  } else if (v.is_boolean()) {
    truthy = v.get<bool>();
  } else if (v.is_number()) {
    double d = v.get<double>();
    truthy = d != 0 && d == d;
  } else if (v.is_string()) {
    truthy = !v.get_ref<const std::string&>().empty();
  } else {
    truthy = true;
  }
  out.kind = truthy ? Condition::Kind::kTrue : Condition::Kind::kFalse;
  return out;
}

}  // namespace slipway::plan
