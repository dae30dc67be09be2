#include "stdlib/traffic_shift/traffic_shift.h"

#include <cstdio>
#include <filesystem>
#include <optional>

#include "stdlib/files.h"
#include "stdlib/http_client.h"
#include "stdlib/input_reader.h"
#include "stdlib/text_util.h"

namespace slipway::stdlib::traffic_shift {
namespace fs = std::filesystem;
namespace {

using step_api::StepOutcome;
using step_api::StepStatus;

struct Config {
  std::string target;
  std::string version;
  std::vector<int> phases;
  std::chrono::milliseconds bake{5 * 60 * 1000};
  std::string health_url;
  std::string health_command;
  long expect_status = 200;
  std::optional<double> max_error_rate;
  std::string error_rate_field;
  std::optional<double> max_latency_ms;
  std::string apply_command;
  std::string revert_to;
};

std::optional<Config> ParseConfig(const nlohmann::json& with, std::string* error) {
  InputReader in(with, kSchema);
  Config c;
  c.target = in.String("target");
  c.version = in.String("version");
  for (const std::string& item : in.List("phases")) {
    std::string text = item;
    if (!text.empty() && text.back() == '%') text.pop_back();
    if (text.empty() || text.size() > 3 || text.find_first_not_of("0123456789") != std::string::npos) {
      in.AddError("input \"phases\": \"" + item + "\" is not a percentage");
      continue;
    }
    c.phases.push_back(std::stoi(text));
  }
  for (size_t i = 0; i < c.phases.size(); ++i) {
    if (c.phases[i] < 1 || c.phases[i] > 100 || (i > 0 && c.phases[i] <= c.phases[i - 1])) {
      in.AddError("input \"phases\": expected ascending percentages from 1 to 100");
      break;
    }
  }
  if (c.phases.empty() && in.ok()) in.AddError("input \"phases\": expected at least one phase");
  c.bake = in.Duration("bake-time", std::chrono::minutes(5));
  c.health_url = in.String("health-url");
  c.health_command = in.String("health-command");
  c.expect_status = static_cast<long>(in.Int("expect-status", 200));
  c.max_error_rate = in.Number("max-error-rate");
  c.error_rate_field = in.String("error-rate-field", "error_rate");
  c.max_latency_ms = in.Number("max-latency-ms");
  c.apply_command = in.String("apply-command");
  c.revert_to = in.String("revert-to", "previous");
  if (c.target.empty()) in.AddError("input \"target\" is required");
  if (c.revert_to != "previous" && c.revert_to != "zero") {
    in.AddError("input \"revert-to\": expected previous or zero, got \"" + c.revert_to + "\"");
  }
  if (c.health_url.empty() && c.health_command.empty()) {
    in.AddError("give \"health-url\" or \"health-command\": traffic is never shifted unchecked");
  }
  if (c.health_url.empty() && (c.max_error_rate || c.max_latency_ms)) {
    in.AddError("max-error-rate and max-latency-ms need \"health-url\"");
  }
  if (!in.ok()) {
    *error = in.ErrorText();
    return std::nullopt;
  }
  return c;
}

// "" when healthy, else why not.
std::string CheckHealth(const Config& c, int percent, step_api::StepContext& context) {
  if (!c.health_url.empty()) {
    HttpRequest request;
    request.url = c.health_url;
    HttpResponse response = SendHttp(request);
    if (!response.received()) return "health URL did not answer: " + response.transport_error;
    if (response.status != c.expect_status) {
      return "health URL answered " + std::to_string(response.status) + ", expected " +
             std::to_string(c.expect_status);
    }
    if (c.max_latency_ms && response.latency_ms > *c.max_latency_ms) {
      return "health URL took " + std::to_string(static_cast<int>(response.latency_ms)) +
             " ms, more than " + std::to_string(static_cast<int>(*c.max_latency_ms)) + " ms";
    }
    if (c.max_error_rate) {
      nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
      const nlohmann::json* rate = body.is_discarded() ? nullptr : FindJsonPath(body, c.error_rate_field);
      if (!rate || !rate->is_number()) {
        return "health answer has no numeric \"" + c.error_rate_field + "\"";
      }
      if (rate->get<double>() > *c.max_error_rate) {
        char limit[32];
        std::snprintf(limit, sizeof limit, "%g", *c.max_error_rate);
        return "error rate " + rate->dump() + " above " + limit;
      }
    }
  }
  if (!c.health_command.empty()) {
    std::string output;
    int code = context.RunCommand("export SLIPWAY_TRAFFIC_PERCENT=" + std::to_string(percent) +
                                      "\n" + c.health_command,
                                  &output);
    if (code != 0) return "health command exited with " + std::to_string(code);
  }
  return "";
}

}  // namespace

step_api::StepPreview TrafficShift::Preview(const step_api::StepInputs& inputs) const {
  std::string error;
  std::optional<Config> c = ParseConfig(inputs.with, &error);
  if (!c) return {"traffic shift: invalid inputs: " + error, {}};
  std::string phases;
  for (int p : c->phases) phases += (phases.empty() ? "" : " → ") + std::to_string(p) + "%";
  step_api::StepPreview preview;
  preview.summary = "shift " + c->target + " to " + (c->version.empty() ? "the new version" : c->version) +
                    ": " + phases + ", bake " + FormatDuration(c->bake) + " per phase";
  if (!c->health_url.empty()) preview.details.push_back("health: GET " + c->health_url);
  if (!c->health_command.empty()) preview.details.push_back("health: " + c->health_command);
  if (!c->apply_command.empty()) preview.details.push_back("apply: " + c->apply_command);
  preview.details.push_back("on failure: revert to " +
                            std::string(c->revert_to == "zero" ? "0%" : "the previous weights") +
                            " and fail");
  return preview;
}

StepOutcome TrafficShift::Run(const step_api::StepInputs& inputs, step_api::StepContext& context) {
  std::string error;
  std::optional<Config> parsed = ParseConfig(inputs.with, &error);
  if (!parsed) return {StepStatus::kFailure, 1, "traffic shift: " + error, {}};
  const Config& c = *parsed;
  fs::path state_file = fs::path(context.state_dir()) / "traffic" / (SafeName(c.target) + ".json");
  nlohmann::json state = nlohmann::json::object();
  std::string text;
  if (ReadFileText(state_file, &text, &error)) {
    state = nlohmann::json::parse(text, nullptr, false);
    if (!state.is_object()) state = nlohmann::json::object();
  }
  const int previous_percent = state.value("percent", 0);
  if (!state.contains("history")) state["history"] = nlohmann::json::array();
  state["target"] = c.target;

  // Applies `percent` (the real command, then the record); "" or why it failed.
  auto apply = [&](int percent, const std::string& event) -> std::string {
    if (!c.apply_command.empty()) {
      std::string output;
      std::string script = "export SLIPWAY_TRAFFIC_PERCENT=" + std::to_string(percent) +
                           "\nexport SLIPWAY_TRAFFIC_TARGET=" + ShellQuote(c.target) + "\n" +
                           FillPlaceholders(c.apply_command, {{"percent", std::to_string(percent)}});
      int code = context.RunCommand(script, &output);
      if (code != 0) return "apply-command exited with " + std::to_string(code);
    }
    state["percent"] = percent;
    state["version"] = c.version;
    state["updated_at"] = FormatUtc(context.NowMs());
    state["history"].push_back({{"event", event}, {"percent", percent}, {"at", state["updated_at"]}});
    std::string write_error;
    if (!WriteFileAtomic(state_file, state.dump(2) + "\n", &write_error)) return write_error;
    return "";
  };
  auto revert = [&](const std::string& why, StepStatus status, int phase) {
    int back = c.revert_to == "zero" ? 0 : previous_percent;
    std::string revert_error = apply(back, "revert");
    context.Log("reverted " + c.target + " to " + std::to_string(back) + "%" +
                (revert_error.empty() ? "" : " (revert failed: " + revert_error + ")"));
    StepOutcome outcome{status, 1,
                        "traffic shift of " + c.target + " aborted at " + std::to_string(phase) +
                            "%: " + why + "; reverted to " + std::to_string(back) + "%",
                        {}};
    if (!revert_error.empty()) outcome.message += " (revert failed: " + revert_error + ")";
    outcome.outputs = {{"percent", std::to_string(back)},
                       {"result", "reverted"},
                       {"failed-phase", std::to_string(phase)}};
    return outcome;
  };

  for (int percent : c.phases) {
    if (context.cancelled()) return revert("cancelled", StepStatus::kCancelled, percent);
    std::string apply_error = apply(percent, "phase");
    if (!apply_error.empty()) return revert(apply_error, StepStatus::kFailure, percent);
    context.Log(c.target + ": " + std::to_string(percent) + "% of traffic to " +
                (c.version.empty() ? "the new version" : c.version) + "; baking " +
                FormatDuration(c.bake));
    if (!context.Sleep(c.bake)) return revert("cancelled", StepStatus::kCancelled, percent);
    std::string unhealthy = CheckHealth(c, percent, context);
    if (!unhealthy.empty()) {
      context.Log("health check failed at " + std::to_string(percent) + "%: " + unhealthy);
      return revert(unhealthy, StepStatus::kFailure, percent);
    }
    context.Log("healthy at " + std::to_string(percent) + "%");
  }
  StepOutcome outcome;
  outcome.outputs = {{"percent", std::to_string(c.phases.back())},
                     {"result", "completed"},
                     {"state-file", state_file.string()}};
  return outcome;
}

std::unique_ptr<step_api::StepImpl> Make() { return std::make_unique<TrafficShift>(); }

}  // namespace slipway::stdlib::traffic_shift
