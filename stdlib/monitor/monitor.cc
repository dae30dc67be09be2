#include "stdlib/monitor/monitor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "interpreter/base/json_nesting.h"
#include "stdlib/files.h"
#include "stdlib/http_client.h"
#include "stdlib/http_headers.h"
#include "stdlib/input_reader.h"
#include "stdlib/text_util.h"

namespace slipway::stdlib::monitor {
namespace {

using step_api::StepOutcome;
using step_api::StepStatus;

struct Config {
  std::chrono::milliseconds duration{15 * 60 * 1000};
  std::chrono::milliseconds interval{60 * 1000};
  std::string endpoint;
  HeaderList headers;
  std::string command;
  std::string alarm_prefix;
  std::string region;
  std::string latency_field;
  std::vector<Rule> rules;
  int breaches_to_fail = 1;
  int max_sample_failures = 3;
  std::string report;
};

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

std::optional<Config> ParseConfig(const nlohmann::json& with, std::string* error,
                                  const nlohmann::json& written = nlohmann::json::object()) {
  InputReader in(with, kSchema);
  Config c;
  c.duration = in.Duration("duration", std::chrono::minutes(15));
  c.interval = in.Duration("interval", std::chrono::seconds(60));
  c.endpoint = in.String("endpoint");
  c.headers = ReadHeaders(in, "headers", WrittenText(written, "headers"));
  c.command = in.String("command");
  c.alarm_prefix = in.String("alarm-prefix");
  c.region = in.String("region");
  c.latency_field = in.String("latency-field", "latency_ms");
  c.breaches_to_fail = static_cast<int>(std::max<int64_t>(1, in.Int("breaches-to-fail", 1)));
  c.max_sample_failures =
      static_cast<int>(std::max<int64_t>(1, in.Int("max-sample-failures", 3)));
  c.report = in.String("report", "monitoring-report.json");
  if (std::optional<double> v = in.Number("max-error-rate")) {
    c.rules.push_back({in.String("error-rate-field", "error_rate"), v, std::nullopt, std::nullopt});
  }
  if (std::optional<double> v = in.Number("max-latency-ms")) {
    c.rules.push_back({c.latency_field, v, std::nullopt, std::nullopt});
  }
  if (in.Has("max-alarms")) {
    c.rules.push_back({in.String("alarms-field", "alarms"),
                       static_cast<double>(in.Int("max-alarms", 0)), std::nullopt, std::nullopt});
  }
  nlohmann::json thresholds = in.Structured("thresholds");
  if (!thresholds.is_null() && !thresholds.is_object()) {
    in.AddError("input \"thresholds\": expected a mapping of metric to {max, min, equals}");
  } else if (thresholds.is_object()) {
    for (const auto& [metric, spec] : thresholds.items()) {
      std::string where = "threshold \"" + metric + "\"";
      if (!spec.is_object() || spec.empty()) {
        in.AddError(where + ": expected {max, min, equals}");
        continue;
      }
      CheckKeys(spec, {"max", "min", "equals"}, where, in);
      InputReader r(spec, "{}");
      Rule rule{metric, r.Number("max"), r.Number("min"), std::nullopt};
      if (spec.contains("equals")) rule.equals = spec["equals"];
      for (const std::string& e : r.errors()) in.AddError(where + ": " + e);
      c.rules.push_back(rule);
    }
  }
  if (c.endpoint.empty() && c.command.empty() && c.alarm_prefix.empty()) {
    in.AddError("give \"endpoint\", \"command\" or \"alarm-prefix\" to take samples from");
  }
  if (c.rules.empty()) {
    in.AddError("no thresholds: give max-error-rate, max-latency-ms, max-alarms or thresholds");
  }
  if (c.interval.count() <= 0) in.AddError("input \"interval\" must be more than 0");
  if (c.report.empty() || c.report.find("..") != std::string::npos || c.report[0] == '/') {
    in.AddError("input \"report\": expected a file name under the artifacts directory, got \"" +
                c.report + "\"");
  }
  if (!in.ok()) {
    *error = in.ErrorText();
    return std::nullopt;
  }
  return c;
}

std::string Describe(const Rule& rule) {
  std::string text = rule.metric;
  if (rule.max) text += " ≤ " + Number(*rule.max);
  if (rule.min) text += " ≥ " + Number(*rule.min);
  if (rule.equals) text += " == " + rule.equals->dump();
  return text;
}

// Takes one sample; returns "" and fills `sample`, or why no sample could be taken.
std::string TakeSample(const Config& config, step_api::StepContext& context,
                       nlohmann::json* sample) {
  *sample = nlohmann::json::object();
  if (!config.endpoint.empty()) {
    HttpRequest request;
    request.url = config.endpoint;
    request.headers = config.headers;
    HttpResponse response = SendHttp(request);
    if (!response.received()) return "endpoint did not answer: " + response.transport_error;
    if (response.status < 200 || response.status >= 300) {
      return "endpoint answered " + std::to_string(response.status);
    }
    if (std::string deep = JsonNestingError(response.body); !deep.empty()) {
      return "endpoint's answer " + deep;
    }
    nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
    if (!body.is_object()) return "endpoint did not answer with a JSON object";
    sample->update(body);
    if (!FindJsonPath(*sample, config.latency_field)) {
      (*sample)[config.latency_field] = response.latency_ms;
    }
  }
  if (!config.command.empty()) {
    std::string output;
    int code = context.RunCommand(config.command, &output);
    if (code != 0) return "metrics command exited with " + std::to_string(code);
    size_t start = output.find('{');
    if (std::string deep = JsonNestingError(output); !deep.empty()) {
      return "metrics command's output " + deep;
    }
    nlohmann::json body = start == std::string::npos
                              ? nlohmann::json()
                              : nlohmann::json::parse(output.substr(start), nullptr, false);
    if (!body.is_object()) return "metrics command did not print a JSON object";
    sample->update(body);
  }
  if (!config.alarm_prefix.empty()) {
    std::string command = "aws cloudwatch describe-alarms --alarm-name-prefix " +
                          ShellQuote(config.alarm_prefix) +
                          " --state-value ALARM --query 'length(MetricAlarms)' --output text";
    if (!config.region.empty()) command += " --region " + ShellQuote(config.region);
    std::string output;
    if (context.RunCommand(command, &output) != 0) return "could not read CloudWatch alarms";
    try {
      (*sample)["alarms"] = std::stoi(output);
    } catch (const std::exception&) {
      return "unexpected answer from aws cloudwatch: " + output;
    }
  }
  return "";
}

}  // namespace

std::string Check(const Rule& rule, const nlohmann::json& sample) {
  const nlohmann::json* found = FindJsonPath(sample, rule.metric);
  if (!found || found->is_null()) return "metric \"" + rule.metric + "\" missing";
  if (rule.equals) {
    bool equal = *found == *rule.equals ||
                 (rule.equals->is_string() && found->dump() == rule.equals->get<std::string>());
    if (!equal) return rule.metric + " is " + found->dump() + ", expected " + rule.equals->dump();
  }
  if (!rule.max && !rule.min) return "";
  double value = 0;
  if (found->is_number()) {
    value = found->get<double>();
  } else if (found->is_array()) {
    value = static_cast<double>(found->size());  // e.g. a list of firing alarms
  } else if (found->is_boolean()) {
    value = found->get<bool>() ? 1 : 0;
  } else if (found->is_string()) {
    std::string text = found->get<std::string>();
    if (text == "OK" || text == "ok") {
      value = 0;
    } else if (text == "ALARM" || text == "alarm") {
      value = 1;
    } else {
      char* end = nullptr;
      value = std::strtod(text.c_str(), &end);
      if (text.empty() || (*end != '\0' && *end != '%')) {
        return "metric \"" + rule.metric + "\" is not a number: " + found->dump();
      }
    }
  } else {
    return "metric \"" + rule.metric + "\" is not a number: " + found->dump();
  }
  // NaN compares false with every threshold and ±Infinity passes one side of it: a value that
  // is not a finite number is a breach, whatever the thresholds (fail closed).
  if (!std::isfinite(value)) {
    return "metric \"" + rule.metric + "\" is not a finite number: " + found->dump();
  }
  if (rule.max && value > *rule.max) {
    return rule.metric + " " + Number(value) + " > " + Number(*rule.max);
  }
  if (rule.min && value < *rule.min) {
    return rule.metric + " " + Number(value) + " < " + Number(*rule.min);
  }
  return "";
}

step_api::StepPreview Monitor::Preview(const step_api::StepInputs& inputs) const {
  std::string error;
  std::optional<Config> c = ParseConfig(inputs.with, &error);
  if (!c) return {"monitor: invalid inputs: " + error, {}};
  step_api::StepPreview preview;
  preview.summary = "monitor for " + FormatDuration(c->duration) + ", a sample every " +
                    FormatDuration(c->interval) + "; fail on breach";
  if (!c->endpoint.empty()) preview.details.push_back("sample: GET " + c->endpoint);
  if (!c->command.empty()) preview.details.push_back("sample: " + c->command);
  if (!c->alarm_prefix.empty()) {
    preview.details.push_back("alarms: CloudWatch alarms named " + c->alarm_prefix + "* in ALARM");
  }
  for (const Rule& rule : c->rules) preview.details.push_back("threshold: " + Describe(rule));
  preview.details.push_back("fail after " + std::to_string(c->breaches_to_fail) +
                            " consecutive breach(es)");
  return preview;
}

StepOutcome Monitor::Run(const step_api::StepInputs& inputs, step_api::StepContext& context) {
  std::string error;
  std::optional<Config> parsed = ParseConfig(inputs.with, &error, inputs.with_written);
  if (!parsed) return {StepStatus::kFailure, 1, "monitor: " + error, {}};
  const Config& c = *parsed;
  // The report's name becomes a file of the state directory, listed by `show` and `report`.
  if (std::string refused = SecretInName("report", c.report, context); !refused.empty()) {
    return {StepStatus::kFailure, 1, "monitor: " + refused, {}};
  }
  const int64_t start = context.NowMs();
  int samples = 0, breaches = 0, consecutive_breaches = 0, consecutive_failures = 0;
  nlohmann::json report = {{"duration_ms", c.duration.count()},
                           {"interval_ms", c.interval.count()},
                           {"samples", nlohmann::json::array()}};
  StepOutcome outcome;
  context.Log("monitoring for " + FormatDuration(c.duration) + " every " +
              FormatDuration(c.interval));
  while (true) {
    if (context.cancelled()) {
      outcome = {StepStatus::kCancelled, 1, "monitoring cancelled", {}};
      break;
    }
    nlohmann::json sample;
    std::string sample_error = TakeSample(c, context, &sample);
    ++samples;
    int64_t elapsed = context.NowMs() - start;
    nlohmann::json entry = {{"at", FormatUtc(context.NowMs())}, {"elapsed_ms", elapsed}};
    std::string label = "[" + FormatDuration(std::chrono::milliseconds(elapsed / 1000 * 1000)) + "] ";
    if (!sample_error.empty()) {
      ++consecutive_failures;
      entry["error"] = sample_error;
      context.Log(label + "no sample: " + sample_error);
      if (consecutive_failures >= c.max_sample_failures) {
        outcome = {StepStatus::kFailure, 1,
                   "monitoring failed: " + std::to_string(consecutive_failures) +
                       " samples in a row could not be taken (" + sample_error + ")",
                   {}};
        report["samples"].push_back(entry);
        break;
      }
    } else {
      consecutive_failures = 0;
      entry["values"] = sample;
      std::vector<std::string> reasons;
      for (const Rule& rule : c.rules) {
        std::string reason = Check(rule, sample);
        if (!reason.empty()) reasons.push_back(reason);
      }
      entry["breaches"] = reasons;
      if (reasons.empty()) {
        consecutive_breaches = 0;
        context.Log(label + "ok " + sample.dump());
      } else {
        ++breaches;
        ++consecutive_breaches;
        std::string joined;
        for (const std::string& r : reasons) joined += (joined.empty() ? "" : ", ") + r;
        context.Log(label + "BREACH " + joined);
        if (consecutive_breaches >= c.breaches_to_fail) {
          outcome = {StepStatus::kFailure, 1,
                     "threshold breached after " +
                         FormatDuration(std::chrono::milliseconds(elapsed / 1000 * 1000)) + ": " +
                         joined,
                     {}};
          report["samples"].push_back(entry);
          break;
        }
      }
    }
    report["samples"].push_back(entry);
    if (context.NowMs() - start >= c.duration.count()) break;
    std::chrono::milliseconds wait = std::min<std::chrono::milliseconds>(
        c.interval, std::chrono::milliseconds(c.duration.count() - (context.NowMs() - start)));
    if (!context.Sleep(wait)) {
      outcome = {StepStatus::kCancelled, 1, "monitoring cancelled", {}};
      break;
    }
  }
  std::string result = outcome.status == StepStatus::kSuccess     ? "healthy"
                       : outcome.status == StepStatus::kCancelled ? "cancelled"
                                                                  : "breached";
  report["result"] = result;
  std::filesystem::path path = std::filesystem::path(context.artifacts_dir()) / c.report;
  // Samples are whatever the endpoint or command printed: masked like its log.
  if (!WriteFileAtomic(path, step_api::MaskJson(report, context).dump(2) + "\n", &error)) {
    context.Log("could not write the monitoring report: " + error);
  }
  if (outcome.status == StepStatus::kSuccess) {
    context.Log("monitoring passed: " + std::to_string(samples) + " samples, no breach");
  }
  outcome.outputs = {{"samples", std::to_string(samples)},
                     {"breaches", std::to_string(breaches)},
                     {"result", result},
                     {"report", path.string()}};
  return outcome;
}

std::unique_ptr<step_api::StepImpl> Make() { return std::make_unique<Monitor>(); }

}  // namespace slipway::stdlib::monitor
