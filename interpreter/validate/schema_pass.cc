// The one file that calls valijson: its error list becomes positioned, human-worded diagnostics
// here and nowhere else.
#include "interpreter/validate/schema_pass.h"

#include "interpreter/validate/schema_cache.h"
#include "interpreter/validate/schema_yaml.h"
#include "interpreter/validate/yaml_adapter.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_map>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#include <vector>

namespace slipway::validate {
namespace {

using nlohmann::json;

// --- Explaining errors from the schema document -------------------------------------------------

/// Finds the subschemas that apply at an instance path, following $ref, properties,
/// patternProperties, additionalProperties, items and the combinators.
class Navigator {
 public:
  explicit Navigator(const json& root) : root_(root) {}

  std::vector<const json*> At(const std::vector<std::string>& path) const {
    std::vector<const json*> current;
    Flatten(&root_, current, 0);
    for (const std::string& component : path) {
      std::vector<const json*> next;
      for (const json* schema : current) Child(*schema, component, next);
      current = std::move(next);
    }
    return current;
  }

 private:
  const json* Ref(const json& schema) const {
    auto it = schema.find("$ref");
    if (it == schema.end() || !it->is_string()) return &schema;
    const std::string& ref = it->get_ref<const std::string&>();
    if (ref.empty() || ref[0] != '#') return &schema;
    try {
      return &root_.at(json::json_pointer(ref.substr(1)));
    } catch (const std::exception&) {
      return &schema;
    }
  }

  void Flatten(const json* schema, std::vector<const json*>& out, int depth) const {
    if (depth > 32 || !schema->is_object()) return;
    schema = Ref(*schema);
    if (!schema->is_object()) return;
    out.push_back(schema);
    for (const char* combinator : {"allOf", "anyOf", "oneOf"}) {
      auto it = schema->find(combinator);
      if (it == schema->end() || !it->is_array()) continue;
      for (const json& branch : *it) Flatten(&branch, out, depth + 1);
    }
    for (const char* branch : {"then", "else"}) {
      auto it = schema->find(branch);
      if (it != schema->end()) Flatten(&*it, out, depth + 1);
    }
  }

  void Child(const json& schema, const std::string& component,
             std::vector<const json*>& out) const {
    bool matched = false;
    if (auto props = schema.find("properties"); props != schema.end() && props->is_object()) {
      if (auto it = props->find(component); it != props->end()) {
        Flatten(&*it, out, 0);
        matched = true;
      }
    }
    if (auto patterns = schema.find("patternProperties");
        patterns != schema.end() && patterns->is_object()) {
      for (const auto& [pattern, sub] : patterns->items()) {
        RE2 re(pattern, RE2::Quiet);
        if (re.ok() && RE2::PartialMatch(component, re)) {
          Flatten(&sub, out, 0);
          matched = true;
        }
      }
    }
    if (!matched) {
      if (auto extra = schema.find("additionalProperties");
          extra != schema.end() && extra->is_object()) {
        Flatten(&*extra, out, 0);
      }
    }
    if (IsIndex(component)) {
      if (auto items = schema.find("items"); items != schema.end() && items->is_object()) {
        Flatten(&*items, out, 0);
      }
    }
  }

  const json& root_;
};

/// Whether `key` is allowed by at least one of the object schemas in `schemas`.
bool KeyAllowed(const std::vector<const json*>& schemas, const std::string& key) {
  for (const json* schema : schemas) {
    if (auto props = schema->find("properties"); props != schema->end() && props->contains(key)) {
      return true;
    }
    if (auto patterns = schema->find("patternProperties"); patterns != schema->end()) {
      for (const auto& [pattern, sub] : patterns->items()) {
        RE2 re(pattern, RE2::Quiet);
        if (re.ok() && RE2::PartialMatch(key, re)) return true;
      }
    }
    if (auto extra = schema->find("additionalProperties");
        extra != schema->end() && !(extra->is_boolean() && !extra->get<bool>())) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> KnownKeys(const std::vector<const json*>& schemas) {
  std::vector<std::string> keys;
  for (const json* schema : schemas) {
    if (auto props = schema->find("properties"); props != schema->end() && props->is_object()) {
      for (const auto& [key, sub] : props->items()) keys.push_back(key);
    }
  }
  return keys;
}

std::string SectionTitle(const std::vector<const json*>& schemas, const Target& target) {
  for (const json* schema : schemas) {
    if (auto title = schema->find("title"); title != schema->end() && title->is_string()) {
      return title->get<std::string>();
    }
  }
  return target.name;
}

/// The JSON types a node has, as JSON Schema names them.
std::vector<std::string> NodeTypes(const yaml::Node& node) {
  switch (node.kind) {
    case yaml::NodeKind::kNull:
      return {"null"};
    case yaml::NodeKind::kSequence:
      return {"array"};
    case yaml::NodeKind::kMapping:
      return {"object"};
    case yaml::NodeKind::kScalar:
      break;
  }
  if (yaml::IsNullScalar(node)) return {"null"};
  if (yaml::IsBoolScalar(node)) return {"boolean"};
  double number = 0;
  if (yaml::IsNumberScalar(node, &number)) {
    if (std::isfinite(number) && number == std::floor(number)) return {"number", "integer"};
    return {"number"};
  }
  return {"string"};
}

const char* TypePhrase(const std::string& type) {
  if (type == "string") return "a string";
  if (type == "object") return "a mapping";
  if (type == "array") return "a sequence";
  if (type == "boolean") return "a boolean";
  if (type == "number") return "a number";
  if (type == "integer") return "an integer";
  if (type == "null") return "null";
  return "a value";
}

/// The types the schemas allow, in schema order without repeats; empty when any type goes.
std::vector<std::string> ExpectedTypes(const std::vector<const json*>& schemas) {
  std::vector<std::string> types;
  auto add = [&types](const std::string& type) {
    for (const std::string& t : types) {
      if (t == type) return;
    }
    types.push_back(type);
  };
  for (const json* schema : schemas) {
    auto it = schema->find("type");
    if (it == schema->end()) continue;
    if (it->is_string()) add(it->get<std::string>());
    if (it->is_array()) {
      for (const json& t : *it) {
        if (t.is_string()) add(t.get<std::string>());
      }
    }
  }
  return types;
}

bool TypeMatches(const std::vector<std::string>& expected, const std::vector<std::string>& found) {
  if (expected.empty()) return true;
  for (const std::string& e : expected) {
    for (const std::string& f : found) {
      if (e == f) return true;
    }
  }
  return false;
}

std::string JoinTypes(const std::vector<std::string>& types) {
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) {
    if (i > 0) out += i + 1 == types.size() ? " or " : ", ";
    out += TypePhrase(types[i]);
  }
  return out;
}

std::string Quote(const json& value) {
  if (value.is_string()) return "\"" + value.get<std::string>() + "\"";
  return value.dump();
}

std::string Subject(const Target& target) {
  if (!target.key && !target.is_item) {
    return target.name == "workflow" ? std::string("the workflow") : "\"" + target.name + "\"";
  }
  return fmt::format(fmt::runtime(target.is_item ? "an item of \"{}\"" : "\"{}\""), target.name);
}

std::string Found(const yaml::Node& node) {
  std::vector<std::string> types = NodeTypes(node);
  if (types[0] == "string" || types[0] == "number" || types[0] == "boolean") {
    return fmt::format("{} \"{}\"", TypePhrase(types[0]), node.value);
  }
  return TypePhrase(types[0]);
}

/// The first numeric value of keyword `keyword` among `schemas`.
std::optional<json> Keyword(const std::vector<const json*>& schemas, const char* keyword) {
  for (const json* schema : schemas) {
    if (auto it = schema->find(keyword); it != schema->end()) return *it;
  }
  return std::nullopt;
}

/// Whether some schema with an enum/const accepts values of the node's type (otherwise the
/// enum failure came from a branch for another type and says nothing about this value).
bool EnumApplies(const std::vector<const json*>& schemas, const std::vector<std::string>& found) {
  for (const json* schema : schemas) {
    if (!schema->contains("enum") && !schema->contains("const")) continue;
    std::vector<std::string> types = ExpectedTypes({schema});
    if (TypeMatches(types, found)) return true;
  }
  return false;
}

enum class ErrorKind {
  kType,
  kEnum,
  kConst,
  kRequired,
  kAdditional,
  kPattern,
  kMinItems,
  kMaxItems,
  kMinLength,
  kMaxLength,
  kMinProperties,
  kMaxProperties,
  kMinimum,
  kMaximum,
  kUniqueItems,
  kWrapper,
  kOther
};

ErrorKind Classify(const std::string& text) {
  auto starts = [&text](const char* prefix) { return text.rfind(prefix, 0) == 0; };
  if (starts("Value type not permitted")) return ErrorKind::kType;
  if (starts("Failed to match against any enum")) return ErrorKind::kEnum;
  if (starts("Failed to match expected value set by 'const'")) return ErrorKind::kConst;
  if (starts("Missing required property")) return ErrorKind::kRequired;
  if (starts("Object contains a property that could not be validated")) {
    return ErrorKind::kAdditional;
  }
  if (starts("Failed to match regex")) return ErrorKind::kPattern;
  if (starts("Array should contain no fewer")) return ErrorKind::kMinItems;
  if (starts("Array should contain no more")) return ErrorKind::kMaxItems;
  if (starts("String should be no fewer")) return ErrorKind::kMinLength;
  if (starts("String should be no more")) return ErrorKind::kMaxLength;
  if (starts("Object should have no fewer")) return ErrorKind::kMinProperties;
  if (starts("Object should have no more")) return ErrorKind::kMaxProperties;
  if (starts("Expected number greater")) return ErrorKind::kMinimum;
  if (starts("Expected number less")) return ErrorKind::kMaximum;
  if (starts("Elements at indexes")) return ErrorKind::kUniqueItems;
  if (starts("Failed to validate") || starts("Cannot validate")) return ErrorKind::kWrapper;
  return ErrorKind::kOther;
}

/// Property name quoted in a valijson "Missing required property 'x'." message.
std::string QuotedName(const std::string& text) {
  size_t open = text.find('\'');
  size_t close = text.rfind('\'');
  if (open == std::string::npos || close <= open) return "";
  return text.substr(open + 1, close - open - 1);
}

struct RawError {
  std::vector<std::string> path;
  ErrorKind kind;
  std::string text;
};

bool IsPrefix(const std::vector<std::string>& prefix, const std::vector<std::string>& path) {
  return prefix.size() < path.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

class Explainer {
 public:
  Explainer(const yaml::Node& root, const CompiledSchema& schema, const SchemaCheckOptions& options,
            std::string_view root_name, Diagnostics& diagnostics)
      : root_(root),
        navigator_(*schema.document),
        rule_(options.rule),
        root_name_(root_name),
        scalars_are_strings_(options.scalars_are_strings),
        diagnostics_(diagnostics) {}

  void Explain(std::vector<RawError> errors) {
    // Keep only errors about a value; wrappers ("failed to validate item #2") repeat them.
    std::vector<RawError> kept;
    for (RawError& e : errors) {
      if (e.kind == ErrorKind::kWrapper) continue;
      Target target = Resolve(root_, e.path, root_name_);
      if (!target.node) continue;
      // An expression's type is only known at run time.
      if (target.node->is_scalar() && target.node->value.find("${{") != std::string::npos) {
        continue;
      }
      kept.push_back(std::move(e));
    }
    std::set<std::vector<std::string>> handled_keys;  // paths whose unknown keys are reported
    std::set<std::pair<std::vector<std::string>, std::string>> said;
    for (const RawError& e : kept) {
      bool deeper = false;
      for (const RawError& o : kept) {
        if (IsPrefix(e.path, o.path)) deeper = true;
      }
      Target target = Resolve(root_, e.path, root_name_);
      std::vector<const json*> schemas = navigator_.At(e.path);
      std::vector<std::string> expected = ExpectedTypes(schemas);
      std::vector<std::string> found = NodeTypes(*target.node);
      if (scalars_are_strings_ && (found[0] == "number" || found[0] == "boolean")) {
        found.push_back("string");
      }
      bool type_ok = TypeMatches(expected, found);
      if (!type_ok) {
        // The value is of no allowed type: say that once, and nothing else about it.
        if (!said.insert({e.path, "type"}).second) continue;
        if (deeper && e.kind != ErrorKind::kType) continue;
        Report(target.node->where, fmt::format("expected {} for {}, found {}", JoinTypes(expected),
                                               Subject(target), Found(*target.node)));
        continue;
      }
      switch (e.kind) {
        case ErrorKind::kType:
          // The value has an allowed type, so this came from a branch of another type; the
          // branch of the right type either reported its own errors or failed only on an
          // expression, which is fine.
          break;
        case ErrorKind::kAdditional:
          if (handled_keys.insert(e.path).second) ReportUnknownKeys(target, schemas);
          break;
        case ErrorKind::kRequired: {
          std::string name = QuotedName(e.text);
          if (!said.insert({e.path, "required " + name}).second) break;
          Report(target.node->where, fmt::format("\"{}\" section is missing required key \"{}\"",
                                                 SectionTitle(schemas, target), name));
          break;
        }
        case ErrorKind::kEnum:
        case ErrorKind::kConst: {
          if (deeper || !EnumApplies(schemas, found)) break;
          if (!said.insert({e.path, "value"}).second) break;
          ReportBadValue(target, schemas);
          break;
        }
        default: {
          if (deeper) break;
          // A value refused by an enum of its own type needs no second reason from another
          // branch (e.g. a pattern that would allow an expression instead).
          bool enum_here = false;
          for (const RawError& o : kept) {
            enum_here |= o.path == e.path &&
                         (o.kind == ErrorKind::kEnum || o.kind == ErrorKind::kConst) &&
                         EnumApplies(schemas, found);
          }
          if (enum_here) break;
          if (!said.insert({e.path, e.text}).second) break;
          ReportLimit(e.kind, target, schemas);
          break;
        }
      }
    }
  }

 private:
  void Report(SourceRange where, std::string message) {
    diagnostics_.Error(std::string(rule_), where, std::move(message));
  }

  void ReportUnknownKeys(const Target& target, const std::vector<const json*>& schemas) {
    if (!target.node->is_mapping()) return;
    std::vector<const json*> objects;
    for (const json* schema : schemas) {
      std::vector<std::string> types = ExpectedTypes({schema});
      if (types.empty() || TypeMatches(types, {"object"})) objects.push_back(schema);
    }
    std::vector<std::string> known = KnownKeys(objects);
    std::string section = SectionTitle(schemas, target);
    for (const auto& [key, value] : target.node->entries) {
      if (KeyAllowed(objects, key.value)) continue;
      Report(key.where, fmt::format("unexpected key \"{}\" for \"{}\" section{}", key.value,
                                    section, DidYouMean(key.value, known)));
    }
  }

  void ReportBadValue(const Target& target, const std::vector<const json*>& schemas) {
    std::vector<std::string> values;
    std::vector<std::string> strings;
    for (const json* schema : schemas) {
      if (auto it = schema->find("enum"); it != schema->end() && it->is_array()) {
        for (const json& v : *it) {
          values.push_back(Quote(v));
          if (v.is_string()) strings.push_back(v.get<std::string>());
        }
      }
      if (auto it = schema->find("const"); it != schema->end()) {
        values.push_back(Quote(*it));
        if (it->is_string()) strings.push_back(it->get<std::string>());
      }
    }
    std::string list;
    for (size_t i = 0; i < values.size(); ++i) list += (i ? ", " : "") + values[i];
    std::string hint;
    if (target.node->is_scalar()) hint = DidYouMean(target.node->value, strings);
    std::string what = target.node->is_scalar() ? "\"" + target.node->value + "\""
                                                : std::string(yaml::KindName(*target.node));
    if (!hint.empty()) {
      Report(target.node->where,
             fmt::format("unexpected value {} for {}{}", what, Subject(target), hint));
    } else {
      Report(target.node->where,
             fmt::format("unexpected value {} for {}; expected {}{}", what, Subject(target),
                         values.size() > 1 ? "one of " : "", list));
    }
  }

  void ReportLimit(ErrorKind kind, const Target& target, const std::vector<const json*>& schemas) {
    auto number = [&schemas](const char* keyword) {
      std::optional<json> value = Keyword(schemas, keyword);
      return value && value->is_number() ? value->dump() : std::string("?");
    };
    std::string subject = Subject(target);
    std::string message;
    switch (kind) {
      case ErrorKind::kMinItems:
        message = number("minItems") == "1"
                      ? fmt::format("{} must not be empty", subject)
                      : fmt::format("{} must have at least {} items", subject, number("minItems"));
        break;
      case ErrorKind::kMaxItems:
        message = fmt::format("{} must have at most {} items", subject, number("maxItems"));
        break;
      case ErrorKind::kMinLength:
        message = number("minLength") == "1" ? fmt::format("{} must not be empty", subject)
                                             : fmt::format("{} must be at least {} characters long",
                                                           subject, number("minLength"));
        break;
      case ErrorKind::kMaxLength:
        message =
            fmt::format("{} must be at most {} characters long", subject, number("maxLength"));
        break;
      case ErrorKind::kMinProperties:
        message = fmt::format("{} must not be empty", subject);
        break;
      case ErrorKind::kMaxProperties:
        message = fmt::format("{} must have at most {} keys", subject, number("maxProperties"));
        break;
      case ErrorKind::kMinimum: {
        std::string bound = number("minimum");
        if (bound == "?") bound = number("exclusiveMinimum");
        message = fmt::format("value {} for {} is below the minimum {}", target.node->value,
                              subject, bound);
        break;
      }
      case ErrorKind::kMaximum: {
        std::string bound = number("maximum");
        if (bound == "?") bound = number("exclusiveMaximum");
        message = fmt::format("value {} for {} is above the maximum {}", target.node->value,
                              subject, bound);
        break;
      }
      case ErrorKind::kPattern: {
        std::optional<json> pattern = Keyword(schemas, "pattern");
        message =
            fmt::format("value \"{}\" for {} does not match the pattern {}", target.node->value,
                        subject, pattern ? Quote(*pattern) : std::string("required"));
        break;
      }
      case ErrorKind::kUniqueItems:
        message = fmt::format("{} must not contain the same item twice", subject);
        break;
      default:
        message = fmt::format("invalid value for {}", subject);
        break;
    }
    Report(target.node->where, std::move(message));
  }

  const yaml::Node& root_;
  Navigator navigator_;
  std::string_view rule_;
  std::string_view root_name_;
  bool scalars_are_strings_;
  Diagnostics& diagnostics_;
};

}  // namespace

void CheckAgainstSchema(const yaml::Node& root, std::string_view schema_json,
                        const SchemaCheckOptions& options, Diagnostics& diagnostics) {
  const CompiledSchema& compiled = CompileFor(schema_json, root);
  if (!compiled.error.empty()) {
    diagnostics.Error(std::string(options.rule), root.where,
                      "the JSON Schema itself is invalid: " + compiled.error);
    return;
  }
  YamlAdapter adapter(root);
  // One validator per thread for the process: it caches the std::regex of every `pattern` it
  // has met, and compiling one costs as much as validating a whole step's `with:`.
  thread_local valijson::Validator validator;
  valijson::ValidationResults results;
  if (validator.validate(compiled.schema, adapter, &results)) return;
  std::vector<RawError> errors;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    RawError raw;
    for (size_t i = 1; i < error.context.size(); ++i) {  // [0] is "<root>"
      const std::string& c = error.context[i];
      raw.path.push_back(c.size() >= 2 ? c.substr(1, c.size() - 2) : c);
    }
    raw.kind = Classify(error.description);
    raw.text = std::move(error.description);
    errors.push_back(std::move(raw));
  }
  std::string root_name(options.root_name);
  if (root_name.empty()) {
    auto title = compiled.document->find("title");
    root_name = title != compiled.document->end() && title->is_string() ? title->get<std::string>()
                                                                       : "document";
  }
  Explainer(root, compiled, options, root_name, diagnostics).Explain(std::move(errors));
}

void CheckAgainstSchema(const yaml::Node& root, std::string_view schema_json,
                        Diagnostics& diagnostics) {
  CheckAgainstSchema(root, schema_json, SchemaCheckOptions{}, diagnostics);
}

}  // namespace slipway::validate
