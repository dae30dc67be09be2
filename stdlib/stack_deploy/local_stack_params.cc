#include "stdlib/stack_deploy/local_stack_params.h"

#include <re2/re2.h>

#include "stdlib/input_reader.h"

namespace slipway::stdlib::stack_deploy {
namespace {

// ${{ secrets.NAME }} or ${{ secrets['NAME'] }}, alone inside its braces.
const RE2& SecretReference() {
  static const RE2 pattern(R"(\$\{\{\s*secrets(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*\])\s*\}\})");
  return pattern;
}

}  // namespace

bool UsesSecrets(const std::string& written) {
  // Any expression that mentions the secrets context, however it is spelled.
  static const RE2 mention(R"(\$\{\{(?:[^}]|\}[^}])*\bsecrets\b)");
  return RE2::PartialMatch(written, mention);
}

nlohmann::json RecordParameters(const std::map<std::string, std::string>& values,
                                const std::map<std::string, std::string>& written) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : values) {
    auto it = written.find(name);
    out[name] = it != written.end() && UsesSecrets(it->second) ? it->second : value;
  }
  return out;
}

nlohmann::json RecordOutputs(const std::map<std::string, std::string>& values,
                             const std::map<std::string, std::string>& written) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : values) {
    auto it = written.find(name);
    out[name] = it != written.end() && UsesSecrets(it->second) ? "***" : value;
  }
  return out;
}

nlohmann::json MaskVersionRecord(const nlohmann::json& meta, const step_api::StepContext& context) {
  nlohmann::json out = step_api::MaskJson(meta, context);
  if (!meta.is_object()) return out;
  nlohmann::json unrecorded = nlohmann::json::array();
  for (const auto& [key, value] : meta.items()) {
    if (key == "outputs" || key == "unrecorded") continue;  // outputs are not needed to restart
    if (key == "parameters" && value.is_object()) {
      for (const auto& [name, parameter] : value.items()) {
        if (step_api::MaskJson(parameter, context) != parameter) {
          unrecorded.push_back("parameter " + context.Mask(name));
        }
      }
    } else if (step_api::MaskJson(value, context) != value) {
      unrecorded.push_back(key);
    }
  }
  if (!unrecorded.empty()) out["unrecorded"] = unrecorded;
  return out;
}

std::string UnrecordedProblem(const nlohmann::json& meta) {
  if (!meta.is_object() || !meta.contains("unrecorded") || !meta["unrecorded"].is_array() ||
      meta["unrecorded"].empty()) {
    return "";
  }
  std::string fields;
  for (const nlohmann::json& field : meta["unrecorded"]) {
    fields += (fields.empty() ? "" : ", ") + ScalarText(field);
  }
  return "its record holds \"***\" for " + fields +
         ": a secret not written as ${{ secrets.NAME }} in `with:` (it came through env or a step "
         "output) is never stored, so it cannot be restored; pass secrets to stack-deploy as "
         "${{ secrets.NAME }} to make a version restartable";
}

std::string RestoreParameters(const nlohmann::json& recorded, const step_api::StepContext& context,
                              std::map<std::string, std::string>* values) {
  if (!recorded.is_object()) return "";
  for (const auto& [name, value] : recorded.items()) {
    std::string text = ScalarText(value);
    if (!UsesSecrets(text)) {
      (*values)[name] = text;
      continue;
    }
    // Put each secret back; any other expression could not be evaluated again faithfully.
    std::string restored;
    size_t pos = 0;
    re2::StringPiece groups[3];
    auto literal = [&](size_t from, size_t to) -> bool {
      std::string piece = text.substr(from, to - from);
      if (piece.find("${{") != std::string::npos) return false;
      restored += piece;
      return true;
    };
    while (pos <= text.size() && SecretReference().Match(text, pos, text.size(), RE2::UNANCHORED,
                                                         groups, 3)) {
      size_t begin = static_cast<size_t>(groups[0].data() - text.data());
      if (!literal(pos, begin)) break;
      std::string secret = groups[1].empty() ? std::string(groups[2]) : std::string(groups[1]);
      std::optional<std::string> resolved = context.Secret(secret);
      if (!resolved) {
        return "parameter " + name + " came from secret " + secret +
               ", which this job does not have; give the job that secret to restore the version "
               "(an environment's secret reaches only the jobs of that environment)";
      }
      restored += *resolved;
      pos = begin + groups[0].size();
    }
    if (!literal(pos, text.size())) {
      return "parameter " + name + " was recorded as \"" + text +
             "\", which mixes a secret with other expressions and cannot be restored";
    }
    (*values)[name] = restored;
  }
  return "";
}

}  // namespace slipway::stdlib::stack_deploy
