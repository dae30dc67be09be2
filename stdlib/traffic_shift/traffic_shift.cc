#include "stdlib/traffic_shift/traffic_shift.h"

#include <cstdio>
#include <filesystem>
#include <optional>

#include "interpreter/base/json_nesting.h"
#include "stdlib/files.h"
#include "stdlib/http_client.h"
#include "stdlib/input_reader.h"
#include "stdlib/text_util.h"
#include "stdlib/traffic_shift/provider.h"

namespace slipway::stdlib::traffic_shift {
namespace fs = std::filesystem;
namespace {

using step_api::StepOutcome;
using step_api::StepStatus;

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
      nlohmann::json body = JsonNestingError(response.body).empty()
                                ? nlohmann::json::parse(response.body, nullptr, false)
                                : nlohmann::json(nlohmann::json::value_t::discarded);
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
  std::optional<Config> c = ParseConfig(inputs.with, &error, /*planning=*/true);
  if (!c) return {"traffic shift: invalid inputs: " + error, {}};
  std::string phases;
  for (int p : c->phases) phases += (phases.empty() ? "" : " → ") + std::to_string(p) + "%";
  step_api::StepPreview preview;
  preview.summary = "shift " + c->target + " to " + (c->version.empty() ? "the new version" : c->version) +
                    ": " + phases + ", bake " + FormatDuration(c->bake) + " per phase";
  preview.details = DescribeProvider(*c);
  if (!c->health_url.empty()) preview.details.push_back("health: GET " + c->health_url);
  if (!c->health_command.empty()) preview.details.push_back("health: " + c->health_command);
  preview.details.push_back("on failure: revert to " +
                            std::string(c->revert_to == RevertTo::kZero
                                            ? "0%"
                                            : "the weights found before the shift") +
                            " and fail");
  return preview;
}

StepOutcome TrafficShift::Run(const step_api::StepInputs& inputs, step_api::StepContext& context) {
  std::string error;
  std::optional<Config> parsed = ParseConfig(inputs.with, &error);
  if (!parsed) return {StepStatus::kFailure, 1, "traffic shift: " + error, {}};
  const Config& c = *parsed;
  // A record of what this step asked the provider for (the provider holds the real weights).
  fs::path state_file = fs::path(context.state_dir()) / "traffic" / (SafeName(c.target) + ".json");
  nlohmann::json state = nlohmann::json::object();
  std::string text;
  if (ReadFileText(state_file, &text, &error)) {
    if (JsonNestingError(text).empty()) state = nlohmann::json::parse(text, nullptr, false);
    if (!state.is_object()) state = nlohmann::json::object();
  }
  if (!state.contains("history") || !state["history"].is_array()) {
    state["history"] = nlohmann::json::array();
  }
  state["target"] = c.target;
  state["provider"] = ProviderName(c.provider);

  std::unique_ptr<Provider> provider =
      MakeProvider(c, inputs.env, state.value("percent", 0), context, &error);
  if (!provider) return {StepStatus::kFailure, 1, "traffic shift of " + c.target + ": " + error, {}};
  int previous_percent = 0;
  error = provider->ReadPercent(&previous_percent);
  if (!error.empty()) {
    return {StepStatus::kFailure, 1,
            "traffic shift of " + c.target + ": cannot read the current weights: " + error,
            {}};
  }
  context.Log(c.target + ": the new version has " + std::to_string(previous_percent) +
              "% of traffic now (" + ProviderName(c.provider) + ")");

  // Applies `percent` through the provider, then records it; "" or why it failed.
  auto apply = [&](int percent, const std::string& event) -> std::string {
    std::string apply_error = provider->Apply(percent);
    if (!apply_error.empty()) return apply_error;
    state["percent"] = percent;
    state["version"] = c.version;
    state["updated_at"] = FormatUtc(context.NowMs());
    state["history"].push_back({{"event", event}, {"percent", percent}, {"at", state["updated_at"]}});
    std::string write_error;
    // Masked as it is stored: `version` may hold a secret that came through env.
    if (!WriteFileAtomic(state_file, step_api::MaskJson(state, context).dump(2) + "\n",
                         &write_error)) {
      return "traffic moved to " + std::to_string(percent) + "% but its record was not written: " +
             write_error;
    }
    return "";
  };
  auto revert = [&](const std::string& why, StepStatus status, int phase) {
    int back = c.revert_to == RevertTo::kZero ? 0 : previous_percent;
    std::string revert_error = apply(back, "revert");
    // Says "reverted" only when the provider confirmed it; otherwise traffic may still be on
    // the new version (or wherever the failed command left it).
    std::string reverted = revert_error.empty()
                               ? "reverted to " + std::to_string(back) + "%"
                               : "could not revert to " + std::to_string(back) +
                                     "%: " + revert_error + "; check the live weights by hand";
    context.Log(c.target + ": " + reverted);
    StepOutcome outcome{status, 1,
                        "traffic shift of " + c.target + " aborted at " + std::to_string(phase) +
                            "%: " + why + "; " + reverted,
                        {}};
    outcome.outputs = {{"percent", revert_error.empty() ? std::to_string(back) : "unknown"},
                       {"result", revert_error.empty() ? "reverted" : "revert-failed"},
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
                     {"previous-percent", std::to_string(previous_percent)},
                     {"result", "completed"},
                     {"state-file", state_file.string()}};
  return outcome;
}

std::unique_ptr<step_api::StepImpl> Make() { return std::make_unique<TrafficShift>(); }

}  // namespace slipway::stdlib::traffic_shift
