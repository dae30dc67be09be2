#include "interpreter/plan/workflow_call.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace slipway::plan {

using json = nlohmann::ordered_json;

namespace {

bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// GitHub's typing of a call's input: a boolean takes true/false, a number a number, a string
// any scalar (as its text). False (and `why`) when the value does not fit.
// `literal`: the value is the YAML scalar as written (its text, typed here); a value from a
// `${{ }}` keeps its type: a string is never a boolean or a number (TemplateEvaluator.Validate
// on the runner's boolean-/number-needs-context: "Unexpected value 'true'").
bool Typed(const std::string& type, const json& value, bool literal, json* out, std::string* why) {
  if (type == "boolean") {
    if (value.is_boolean()) {
      *out = value;
      return true;
    }
    if (literal && value.is_string()) {
      std::string text = value.get<std::string>();
      for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (text == "true" || text == "false") {
        *out = text == "true";
        return true;
      }
    }
    *why = "true or false";
    return false;
  }
  if (type == "number") {
    if (value.is_number()) {
      *out = value;
      return true;
    }
    if (literal && value.is_string()) {
      const std::string text = value.get<std::string>();
      char* end = nullptr;
      double number = std::strtod(text.c_str(), &end);
      if (!text.empty() && end && *end == '\0' && std::isfinite(number)) {
        if (number == std::floor(number) && std::fabs(number) < 9e15) {
          *out = static_cast<int64_t>(number);
        } else {
          *out = number;
        }
        return true;
      }
    }
    *why = "a number";
    return false;
  }
  *out = value.is_string() ? value : json(ValueToTemplateString(value));
  return true;
}

json ZeroValue(const std::string& type) {
  // GitHub: an optional input not given and without a default is false, 0 or "".
  if (type == "boolean") return false;
  if (type == "number") return 0;
  return "";
}

}  // namespace

const WorkflowSource* WorkflowSet::CalleeOf(uint32_t source, uint32_t job) const {
  if (source >= sources.size()) return nullptr;
  auto it = sources[source].calls.find(job);
  if (it == sources[source].calls.end() || it->second >= sources.size()) return nullptr;
  return &sources[it->second];
}

json WorkflowSet::CalledFilesJson() const {
  json out = json::array();
  for (size_t i = 1; i < sources.size(); ++i) {
    out.push_back(
        {{"uses", sources[i].uses}, {"path", sources[i].path}, {"sha256", sources[i].sha256}});
  }
  return out;
}

std::string InstanceKey(const std::string& job_id, const json& matrix) {
  if (!matrix.is_object() || matrix.empty()) return job_id;
  std::string key = job_id + " (";
  bool first = true;
  for (auto it = matrix.begin(); it != matrix.end(); ++it) {
    if (!first) key += ", ";
    first = false;
    key += it->is_string()      ? it->get<std::string>()
           : it->is_primitive() ? ValueToTemplateString(*it)
                                : it->dump();
  }
  return key + ")";
}

std::string CalledJobId(const std::string& caller_key, const std::string& inner_id) {
  return caller_key + "/" + inner_id;
}

CallInputs EvaluateCallInputs(const model::Job& caller, const model::Trigger* call,
                              const Scope& caller_scope, const Scope& callee_scope) {
  CallInputs out;
  if (!call) return out;
  for (const model::InputDef& input : call->inputs) {
    const std::string& name = input.name.value;
    const std::string type = input.type_name();
    const model::Str* given = nullptr;
    for (const auto& [key, value] : caller.with) {
      if (SameName(key.value, name)) given = &value;
    }
    if (!given && !input.default_value) {
      out.inputs[name] = ZeroValue(type);
      continue;
    }
    Evaluation value = given ? EvaluateValue(given->value, caller_scope)
                             : EvaluateValue(input.default_value->value, callee_scope);
    if (value.kind == Evaluation::Kind::kUnknown) {
      out.unknown.push_back(name);
      continue;
    }
    if (value.kind == Evaluation::Kind::kError) {
      if (out.error.empty()) out.error = fmt::format("input \"{}\": {}", name, value.error);
      continue;
    }
    json typed;
    std::string expected;
    const std::string& text = given ? given->value : input.default_value->value;
    if (!Typed(type, value.value, text.find("${{") == std::string::npos, &typed, &expected)) {
      if (out.error.empty()) {
        out.error = fmt::format("input \"{}\" of the called workflow is a {}; \"{}\" is not {}",
                                name, type, ValueToTemplateString(value.value), expected);
      }
      continue;
    }
    out.inputs[name] = std::move(typed);
  }
  return out;
}

std::map<std::string, std::string> EvaluateCallSecrets(
    const model::Job& caller, const std::map<std::string, std::string>& caller_secrets,
    const Scope& caller_scope, std::string* error) {
  if (caller.secrets_inherit) return caller_secrets;
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : caller.secrets) {
    Substitution text = Substitute(value.value, caller_scope);
    if (!text.error.empty() && error && error->empty()) {
      *error = fmt::format("secret \"{}\": {}", key.value, text.error);
    }
    if (!text.text.empty()) out[key.value] = text.text;
  }
  return out;
}

std::map<std::string, std::string> EvaluateCallOutputs(const model::Trigger* call,
                                                       const json& jobs, const Scope& scope,
                                                       std::string* error) {
  std::map<std::string, std::string> out;
  if (!call) return out;
  Scope with_jobs(&scope);
  with_jobs.Set("jobs", jobs);
  for (const model::NamedDecl& output : call->outputs) {
    if (!output.value) continue;
    Substitution text = Substitute(output.value->value, with_jobs);
    if (!text.error.empty() && error && error->empty()) {
      *error = fmt::format("output \"{}\": {}", output.name.value, text.error);
    }
    if (!text.text.empty()) out[output.name.value] = text.text;
  }
  return out;
}

}  // namespace slipway::plan
