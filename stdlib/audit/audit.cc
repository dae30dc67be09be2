#include "stdlib/audit/audit.h"

#include "stdlib/input_reader.h"

namespace slipway::stdlib::audit {

using step_api::StepOutcome;
using step_api::StepStatus;

nlohmann::json BuildEntry(const step_api::StepInputs& inputs, std::string* error) {
  InputReader in(inputs.with, kSchema);
  nlohmann::json entry = {{"type", "step"}, {"action", in.String("action")}};
  auto put = [&](nlohmann::json& section, const char* key, const char* input) {
    if (in.Has(input)) section[key] = in.String(input);
  };
  nlohmann::json who = nlohmann::json::object();
  put(who, "actor", "actor");
  nlohmann::json what = {{"action", in.String("action")}};
  put(what, "components", "components");
  put(what, "version", "version");
  put(what, "outcome", "outcome");
  nlohmann::json where = nlohmann::json::object();
  put(where, "environment", "environment");
  put(where, "account", "account");
  put(where, "region", "region");
  nlohmann::json how = nlohmann::json::object();
  put(how, "commit", "commit");
  std::map<std::string, std::string> details = in.KeyValues("details");
  if (!details.empty()) how["details"] = details;
  if (!who.empty()) entry["who"] = who;
  if (in.Has("reason")) entry["why"] = in.String("reason");
  entry["what"] = what;
  if (!where.empty()) entry["where"] = where;
  if (!how.empty()) entry["how"] = how;
  if (in.String("action").empty()) in.AddError("input \"action\" is required");
  if (!in.ok()) {
    *error = in.ErrorText();
    return nullptr;
  }
  return entry;
}

step_api::StepPreview Audit::Preview(const step_api::StepInputs& inputs) const {
  std::string error;
  nlohmann::json entry = BuildEntry(inputs, &error);
  if (entry.is_null()) return {"audit entry: " + error, {}};
  step_api::StepPreview preview;
  preview.summary = "append audit entry \"" + entry["action"].get<std::string>() + "\"";
  preview.details.push_back("entry: " + entry.dump());
  return preview;
}

StepOutcome Audit::Run(const step_api::StepInputs& inputs, step_api::StepContext& context) {
  if (context.cancelled()) return {StepStatus::kCancelled, 1, "cancelled", {}};
  std::string error;
  nlohmann::json entry = BuildEntry(inputs, &error);
  if (entry.is_null()) return {StepStatus::kFailure, 1, error, {}};
  context.AppendAudit(entry);
  context.Log("audit: recorded \"" + entry["action"].get<std::string>() + "\"");
  return {StepStatus::kSuccess, 0, "", {{"action", entry["action"].get<std::string>()}}};
}

std::unique_ptr<step_api::StepImpl> Make() { return std::make_unique<Audit>(); }

}  // namespace slipway::stdlib::audit
