#include "interpreter/plan/inputs.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace slipway::plan {
namespace {

using json = nlohmann::ordered_json;

std::string Quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string JoinQuoted(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += Quote(item);
  }
  return out;
}

/// Where to point for an input: its declaration in the workflow.
SourceRange InputWhere(const model::InputDef& input) { return input.name.where; }

/// Parses a number the way GitHub's number inputs accept one (decimal, optional sign/fraction).
bool ParseNumber(const std::string& text, double* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return false;
  // strtod also reads hex and "inf"; GitHub accepts plain decimals only.
  if (text.find_first_of("xXpPiInN") != std::string::npos) return false;
  *out = value;
  return true;
}

/// Types `value` (a string from the command line or the default) as `input`
/// declares it. Returns a discarded json on error, after reporting it.
json TypeValue(const model::InputDef& input, const std::string& value, bool from_default,
               const model::EnvironmentsConfig* environments, Diagnostics& diagnostics) {
  const std::string type = input.type_name();
  const std::string what = from_default ? "the default " + Quote(value) : Quote(value);
  const std::string prefix = "input " + Quote(input.name.value) + ": ";
  if (type == "boolean") {
    if (value == "true") return true;
    if (value == "false") return false;
    diagnostics.Error("input", InputWhere(input),
                      prefix + what + " is not a boolean; expected true or false");
    return json(json::value_t::discarded);
  }
  if (type == "number") {
    double number = 0;
    if (!ParseNumber(value, &number)) {
      diagnostics.Error("input", InputWhere(input),
                        prefix + what + " is not a number; expected a decimal such as 3 or 2.5");
      return json(json::value_t::discarded);
    }
    if (number == std::floor(number) && std::fabs(number) < 9e15) {
      return static_cast<int64_t>(number);
    }
    return number;
  }
  if (type == "choice") {
    std::vector<std::string> options;
    for (const model::Str& option : input.options) options.push_back(option.value);
    for (const std::string& option : options) {
      if (option == value) return value;
    }
    diagnostics.Error("input", InputWhere(input),
                      prefix + what + " is not one of the options " + JoinQuoted(options) +
                          DidYouMean(value, options));
    return json(json::value_t::discarded);
  }
  if (type == "environment") {
    if (!environments) {
      diagnostics.Error("input", InputWhere(input),
                        prefix +
                            "is of type environment, but no environments are configured "
                            "(.slipway/environments.yml or --env-config)");
      return json(json::value_t::discarded);
    }
    if (!environments->Find(value)) {
      std::vector<std::string> names = environments->Names();
      diagnostics.Error("input", InputWhere(input),
                        prefix + what + " is not a configured environment; expected one of " +
                            JoinQuoted(names) + DidYouMean(value, names));
      return json(json::value_t::discarded);
    }
    return value;
  }
  return value;  // string
}

}  // namespace

bool SplitKeyValue(std::string_view text, std::pair<std::string, std::string>* out) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  out->first = std::string(text.substr(0, eq));
  out->second = std::string(text.substr(eq + 1));
  return true;
}

nlohmann::ordered_json ResolveInputs(const model::Trigger* trigger, std::string_view event_name,
                                     const KeyValues& given,
                                     const model::EnvironmentsConfig* environments,
                                     Diagnostics& diagnostics) {
  json inputs = json::object();
  std::vector<std::string> declared;
  if (trigger) {
    for (const model::InputDef& input : trigger->inputs) declared.push_back(input.name.value);
  }
  // Unknown and repeated names first: they are mistakes whatever the
  // declarations say.
  std::vector<std::string> seen;
  for (const auto& [name, value] : given) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      diagnostics.Error("input", {}, "input " + Quote(name) + " is given more than once");
      continue;
    }
    seen.push_back(name);
    if (std::find(declared.begin(), declared.end(), name) != declared.end()) continue;
    if (declared.empty()) {
      diagnostics.Error("input", {},
                        "unknown input " + Quote(name) + ": the " + std::string(event_name) +
                            " event of this workflow declares no inputs");
    } else {
      diagnostics.Error("input", {},
                        "unknown input " + Quote(name) + "; declared inputs are " +
                            JoinQuoted(declared) + DidYouMean(name, declared));
    }
  }
  if (!trigger) return inputs;

  for (const model::InputDef& input : trigger->inputs) {
    const std::string& name = input.name.value;
    const std::string* value = nullptr;
    for (const auto& [k, v] : given) {
      if (k == name) {
        value = &v;
        break;
      }
    }
    bool from_default = false;
    std::string text;
    if (value) {
      text = *value;
    } else if (input.default_value && !input.default_value->value.empty()) {
      text = input.default_value->value;
      from_default = true;
    } else if (input.required) {
      std::string allowed;
      if (input.type_name() == "choice") {
        std::vector<std::string> options;
        for (const model::Str& option : input.options) options.push_back(option.value);
        allowed = "; one of " + JoinQuoted(options);
      } else if (input.pattern) {
        allowed = "; it must match the pattern " + Quote(input.pattern->value);
      } else {
        allowed = " of type " + input.type_name();
      }
      diagnostics.Error("input", InputWhere(input),
                        "input " + Quote(name) + " is required and has no default: pass --input " +
                            name + "=VALUE" + allowed);
      continue;
    } else {
      // Optional, not given, no default: GitHub passes "" (false for a boolean).
      if (input.type_name() == "boolean") {
        inputs[name] = false;
      } else {
        inputs[name] = "";
      }
      continue;
    }
    if (value && input.required && text.empty()) {
      diagnostics.Error("input", InputWhere(input),
                        "input " + Quote(name) + " is required, but an empty value was given");
      continue;
    }
    json typed = TypeValue(input, text, from_default, environments, diagnostics);
    if (typed.is_discarded()) continue;
    if (input.pattern) {
      RE2::Options options;
      options.set_log_errors(false);
      RE2 re(input.pattern->value, options);
      if (!re.ok()) {
        diagnostics.Error("input", input.pattern->where,
                          "pattern " + Quote(input.pattern->value) + " of input " + Quote(name) +
                              " is not a valid RE2 expression: " + re.error());
        continue;
      }
      if (!RE2::FullMatch(text, re)) {
        diagnostics.Error("input", InputWhere(input),
                          "input " + Quote(name) + ": " +
                              (from_default ? "the default " : std::string()) + Quote(text) +
                              " does not match the required pattern " +
                              Quote(input.pattern->value));
        continue;
      }
    }
    inputs[name] = std::move(typed);
  }
  return inputs;
}

}  // namespace slipway::plan
