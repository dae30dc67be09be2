#include "interpreter/plan/resolve.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace slipway::plan {

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

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

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

/// Skips a single-quoted string starting at `i` (on the quote); returns the
/// index after it and stores its unescaped content in `content`.
size_t SkipString(std::string_view text, size_t i, std::string* content) {
  ++i;
  while (i < text.size()) {
    if (text[i] == '\'') {
      if (i + 1 < text.size() && text[i + 1] == '\'') {
        if (content) *content += '\'';
        i += 2;
        continue;
      }
      return i + 1;
    }
    if (content) *content += text[i];
    ++i;
  }
  return i;
}

size_t SkipSpace(std::string_view text, size_t i) {
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

}  // namespace

void Scope::Set(const std::string& name, nlohmann::ordered_json value) {
  contexts_[Lower(name)] = std::move(value);
  InvalidateCache();
}

void Scope::Overlay(const std::string& name, const std::string& key, nlohmann::ordered_json value) {
  nlohmann::ordered_json& object = overlays_[Lower(name)];
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

void Scope::MarkUnknown(std::string path) { unknown_.push_back(Lower(path)); }

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
  std::string lower = Lower(function);
  return std::find(functions.begin(), functions.end(), lower) != functions.end();
}

bool References::UsesStatusFunction() const {
  return Calls("success") || Calls("failure") || Calls("always") || Calls("cancelled");
}

References FindReferences(std::string_view text) {
  References refs;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\'') {
      std::string literal;
      i = SkipString(text, i, &literal);
      refs.literals.push_back(std::move(literal));
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t start = i;
      while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) ||
                                 text[i] == '.' || text[i] == '_')) {
        ++i;
      }
      char* end = nullptr;
      std::string number(text.substr(start, i - start));
      double value = std::strtod(number.c_str(), &end);
      if (end && *end == '\0') refs.literals.push_back(value);
      continue;
    }
    if (!IsIdentStart(c)) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < text.size() && IsIdentChar(text[i])) ++i;
    std::string ident = Lower(text.substr(start, i - start));
    size_t after = SkipSpace(text, i);
    if (after < text.size() && text[after] == '(') {
      refs.functions.push_back(ident);
      i = after;
      continue;
    }
    if (ident == "true" || ident == "false" || ident == "null" || ident == "nan" ||
        ident == "infinity") {
      continue;
    }
    std::string path = ident;
    while (true) {
      size_t j = SkipSpace(text, i);
      if (j < text.size() && text[j] == '.') {
        j = SkipSpace(text, j + 1);
        if (j < text.size() && text[j] == '*') {
          path += ".*";
          i = j + 1;
          continue;
        }
        size_t k = j;
        while (k < text.size() && IsIdentChar(text[k])) ++k;
        if (k == j) break;
        path += "." + Lower(text.substr(j, k - j));
        i = k;
        continue;
      }
      if (j < text.size() && text[j] == '[') {
        size_t k = SkipSpace(text, j + 1);
        if (k < text.size() && text[k] == '\'') {
          std::string key;
          size_t end = SkipString(text, k, &key);
          size_t close = SkipSpace(text, end);
          if (close < text.size() && text[close] == ']') {
            path += "." + Lower(key);
            i = close + 1;
            continue;
          }
        }
        if (k < text.size() && text[k] == '*') {
          size_t close = SkipSpace(text, k + 1);
          if (close < text.size() && text[close] == ']') {
            path += ".*";
            i = close + 1;
            continue;
          }
        }
        // A computed index: any member may be read; the index itself is scanned next.
        path += ".*";
        i = j + 1;
        break;
      }
      break;
    }
    refs.paths.push_back(std::move(path));
  }
  return refs;
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
  References refs = FindReferences(expression);
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

bool SplitTemplate(std::string_view text, std::vector<TemplatePart>* parts) {
  parts->clear();
  size_t i = 0;
  std::string literal;
  while (i < text.size()) {
    size_t open = text.find("${{", i);
    if (open == std::string_view::npos) {
      literal.append(text.substr(i));
      break;
    }
    literal.append(text.substr(i, open - i));
    // Find the closing "}}" outside string literals.
    size_t j = open + 3;
    size_t close = std::string_view::npos;
    while (j < text.size()) {
      if (text[j] == '\'') {
        j = SkipString(text, j, nullptr);
        continue;
      }
      if (text[j] == '}' && j + 1 < text.size() && text[j + 1] == '}') {
        close = j;
        break;
      }
      ++j;
    }
    if (close == std::string_view::npos) return false;
    if (!literal.empty()) parts->push_back({false, std::move(literal)});
    literal.clear();
    std::string_view inner = text.substr(open + 3, close - open - 3);
    while (!inner.empty() && std::isspace(static_cast<unsigned char>(inner.front()))) {
      inner.remove_prefix(1);
    }
    while (!inner.empty() && std::isspace(static_cast<unsigned char>(inner.back()))) {
      inner.remove_suffix(1);
    }
    parts->push_back({true, std::string(inner)});
    i = close + 2;
  }
  if (!literal.empty()) parts->push_back({false, std::move(literal)});
  return true;
}

Substitution Substitute(std::string_view text, const Scope& scope) {
  Substitution out;
  if (text.find("${{") == std::string_view::npos) {
    out.text = std::string(text);
    return out;
  }
  std::vector<TemplatePart> parts;
  if (!SplitTemplate(text, &parts)) {
    out.text = std::string(text);
    out.resolved = false;
    out.error = "\"${{\" is not closed by \"}}\"";
    return out;
  }
  for (const TemplatePart& part : parts) {
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
    out.text += "${{ " + part.text + " }}";
  }
  return out;
}

Evaluation EvaluateValue(std::string_view text, const Scope& scope) {
  std::vector<TemplatePart> parts;
  if (text.find("${{") != std::string_view::npos && SplitTemplate(text, &parts) &&
      parts.size() == 1 && parts[0].is_expression) {
    return Evaluate(parts[0].text, scope);
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
  if (text.find("${{") != std::string_view::npos) {
    std::vector<TemplatePart> parts;
    if (SplitTemplate(text, &parts) && parts.size() == 1 && parts[0].is_expression) {
      expression = parts[0].text;
    } else {
      is_template = true;  // "${{ a }} == b" is a string, truthy when not empty
                           // (as GitHub)
    }
  }
  out.references = FindReferences(expression);
  if (expression.empty()) {
    out.kind = out.references.UsesStatusFunction() || scope.status.success
                   ? Condition::Kind::kTrue
                   : Condition::Kind::kFalse;
    return out;
  }
  if (!is_template && !out.references.UsesStatusFunction() && !scope.status.success) {
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
  if (is_template && !scope.status.success) truthy = false;
  out.kind = truthy ? Condition::Kind::kTrue : Condition::Kind::kFalse;
  return out;
}

}  // namespace slipway::plan
