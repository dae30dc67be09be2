#include "stdlib/smoke_test/smoke_test.h"

#include <strings.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "interpreter/base/json_nesting.h"
#include "stdlib/files.h"
#include "stdlib/http_headers.h"
#include "stdlib/input_reader.h"
#include "stdlib/text_util.h"

namespace slipway::stdlib::smoke_test {
namespace {

using step_api::StepOutcome;
using step_api::StepStatus;

const std::vector<std::string> kCheckKeys = {"name",          "url",  "path",          "method",
                                             "headers",       "body", "expect-status", "body-contains",
                                             "json",          "max-latency-ms", "timeout"};

std::string FormatMs(double ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f", ms);
  return buffer;
}

/// The result of one check after all its attempts.
struct CheckResult {
  std::string failure;  // "" when passed
  int attempts = 0;
  long status = 0;
  double latency_ms = 0;
};

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters other than tab/newline are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string JunitReport(const Config& config, const std::vector<CheckResult>& results) {
  int failures = 0;
  double total_ms = 0;
  for (const CheckResult& r : results) {
    failures += r.failure.empty() ? 0 : 1;
    total_ms += r.latency_ms;
  }
  char time[32];
  std::snprintf(time, sizeof time, "%.3f", total_ms / 1000.0);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites tests=\"" + std::to_string(results.size()) + "\" failures=\"" +
         std::to_string(failures) + "\">\n";
  xml += "  <testsuite name=\"smoke-test\" tests=\"" + std::to_string(results.size()) +
         "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" time=\"" + time +
         "\">\n";
  for (size_t i = 0; i < results.size(); ++i) {
    const Check& check = config.checks[i];
    const CheckResult& r = results[i];
    std::snprintf(time, sizeof time, "%.3f", r.latency_ms / 1000.0);
    xml += "    <testcase classname=\"smoke-test\" name=\"" + XmlEscape(check.name) +
           "\" time=\"" + time + "\"";
    if (r.failure.empty()) {
      xml += "/>\n";
      continue;
    }
    xml += ">\n      <failure message=\"" + XmlEscape(r.failure) + "\">" +
           XmlEscape(check.request.method + " " + check.request.url + ": " + r.failure +
                     " (after " + std::to_string(r.attempts) + " attempt" +
                     (r.attempts == 1 ? "" : "s") + ")") +
           "</failure>\n    </testcase>\n";
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

std::string Describe(const Check& check) {
  std::string text = check.request.method + " " + check.request.url + " → expect ";
  for (size_t i = 0; i < check.expect_status.size(); ++i) {
    text += (i ? "|" : "") + std::to_string(check.expect_status[i]);
  }
  for (const std::string& s : check.body_contains) text += ", body contains \"" + s + "\"";
  for (const auto& [path, value] : check.json_equals) text += ", " + path + " == " + value.dump();
  if (check.max_latency_ms) text += ", ≤ " + FormatMs(*check.max_latency_ms) + " ms";
  return text;
}

bool ParseStatusList(const nlohmann::json& value, std::vector<long>* out) {
  out->clear();
  auto add = [&](const nlohmann::json& item) {
    if (item.is_number_integer()) {
      out->push_back(item.get<long>());
      return true;
    }
    if (!item.is_string()) return false;
    std::string text = item.get<std::string>();
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i < text.size() && text[i] != ',' && text[i] != '|' && text[i] != ' ') continue;
      std::string part = text.substr(start, i - start);
      start = i + 1;
      if (part.empty()) continue;
      if (part.find_first_not_of("0123456789") != std::string::npos || part.size() > 3) {
        return false;
      }
      out->push_back(std::stol(part));
    }
    return true;
  };
  if (value.is_array()) {
    for (const nlohmann::json& item : value) {
      if (!add(item)) return false;
    }
  } else if (!add(value)) {
    return false;
  }
  return !out->empty();
}

}  // namespace

std::optional<Config> ParseConfig(const nlohmann::json& with, std::string* error,
                                  const nlohmann::json& written) {
  InputReader in(with, kSchema);
  Config config;
  config.retries = static_cast<int>(std::clamp<int64_t>(in.Int("retries", 2), 0, 1000));
  config.retry_delay = in.Duration("retry-delay", std::chrono::seconds(5));
  std::chrono::milliseconds timeout = in.Duration("timeout", std::chrono::seconds(10));
  config.parallel = in.Bool("parallel", true);
  config.max_parallel = static_cast<int>(std::clamp<int64_t>(in.Int("max-parallel", 8), 1, 64));
  config.report = in.String("report", "smoke-test-report.xml");
  std::optional<double> default_latency = in.Number("max-latency-ms");
  std::string base_url = in.String("base-url");
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  HeaderList common_headers = ReadHeaders(in, "headers", WrittenText(written, "headers"));
  std::filesystem::path report(config.report);
  if (report.is_absolute() || config.report.find("..") != std::string::npos ||
      config.report.empty()) {
    in.AddError("input \"report\": expected a file name under the artifacts directory, got \"" +
                config.report + "\"");
  }

  nlohmann::json checks = in.Structured("checks");
  if (checks.is_object()) checks = nlohmann::json::array({checks});
  if (!checks.is_array() || checks.empty()) {
    if (in.ok()) in.AddError("input \"checks\": expected a non-empty list of checks");
    checks = nlohmann::json::array();
  }
  for (size_t i = 0; i < checks.size(); ++i) {
    const nlohmann::json& item = checks[i];
    std::string where = "check " + std::to_string(i + 1);
    if (!item.is_object()) {
      in.AddError(where + ": expected a mapping with \"url\" or \"path\"");
      continue;
    }
    CheckKeys(item, kCheckKeys, where, in);
    InputReader c(item, "{}");
    Check check;
    check.request.method = c.String("method", "GET");
    std::transform(check.request.method.begin(), check.request.method.end(),
                   check.request.method.begin(), ::toupper);
    std::string url = c.String("url");
    std::string path = c.String("path");
    if (!url.empty() && !path.empty()) {
      in.AddError(where + ": give \"url\" or \"path\", not both");
    } else if (url.empty() && path.empty()) {
      in.AddError(where + ": \"url\" or \"path\" is required");
    } else if (!path.empty() && base_url.empty()) {
      in.AddError(where + ": \"path\" needs the step input \"base-url\"");
    }
    if (!path.empty() && path[0] != '/') path = "/" + path;
    check.request.url = url.empty() ? base_url + path : url;
    check.name = c.String("name", check.request.method + " " + (url.empty() ? path : url));
    // A check's own header replaces the common one of the same name (one of each is sent).
    HeaderList own = ReadHeaders(c, "headers", "");
    for (const auto& [name, value] : common_headers) {
      bool replaced = std::any_of(own.begin(), own.end(), [&](const auto& h) {
        return strcasecmp(h.first.c_str(), name.c_str()) == 0;
      });
      if (!replaced) check.request.headers.emplace_back(name, value);
    }
    check.request.headers.insert(check.request.headers.end(), own.begin(), own.end());
    check.request.body = c.String("body");
    check.request.timeout = c.Duration("timeout", timeout);
    if (item.contains("expect-status") &&
        !ParseStatusList(item["expect-status"], &check.expect_status)) {
      in.AddError(where + ": \"expect-status\" must be a status code or a list of them, got " +
                  item["expect-status"].dump());
    }
    check.body_contains = c.List("body-contains");
    if (item.contains("body-contains") && item["body-contains"].is_string()) {
      // A single string is one needle even if it holds commas.
      check.body_contains = {item["body-contains"].get<std::string>()};
    }
    if (item.contains("json")) {
      if (!item["json"].is_object()) {
        in.AddError(where + ": \"json\" must map JSON paths to expected values");
      } else {
        for (const auto& [p, expected] : item["json"].items()) {
          check.json_equals.emplace_back(p, expected);
        }
      }
    }
    check.max_latency_ms = c.Number("max-latency-ms");
    if (!check.max_latency_ms) check.max_latency_ms = default_latency;
    for (const std::string& e : c.errors()) in.AddError(where + ": " + e);
    config.checks.push_back(std::move(check));
  }
  if (!in.ok()) {
    *error = in.ErrorText();
    return std::nullopt;
  }
  return config;
}

std::string Evaluate(const Check& check, const HttpResponse& response) {
  if (!response.received()) return "no response: " + response.transport_error;
  if (std::find(check.expect_status.begin(), check.expect_status.end(), response.status) ==
      check.expect_status.end()) {
    std::string expected;
    for (long s : check.expect_status) expected += (expected.empty() ? "" : "|") + std::to_string(s);
    return "status " + std::to_string(response.status) + ", expected " + expected;
  }
  for (const std::string& needle : check.body_contains) {
    if (response.body.find(needle) == std::string::npos) {
      return "body does not contain \"" + needle + "\"";
    }
  }
  if (!check.json_equals.empty()) {
    if (std::string deep = JsonNestingError(response.body); !deep.empty()) return "body " + deep;
    nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_discarded()) return "body is not JSON";
    for (const auto& [path, expected] : check.json_equals) {
      const nlohmann::json* found = FindJsonPath(body, path);
      if (!found) return "JSON path \"" + path + "\" not found";
      bool equal = *found == expected;
      // `with:` values arrive as strings: "ok" matches "ok", "3" matches 3, "true" matches true.
      if (!equal && expected.is_string() && !found->is_string()) {
        equal = found->dump() == expected.get<std::string>();
      }
      if (!equal) return "JSON path \"" + path + "\" is " + found->dump() + ", expected " +
                         expected.dump();
    }
  }
  if (check.max_latency_ms && response.latency_ms > *check.max_latency_ms) {
    return "latency " + FormatMs(response.latency_ms) + " ms exceeds " +
           FormatMs(*check.max_latency_ms) + " ms";
  }
  return "";
}

step_api::StepPreview SmokeTest::Preview(const step_api::StepInputs& inputs) const {
  std::string error;
  std::optional<Config> config = ParseConfig(inputs.with, &error);
  if (!config) return {"smoke test: invalid inputs: " + error, {}};
  step_api::StepPreview preview;
  preview.summary = std::to_string(config->checks.size()) + " HTTP check" +
                    (config->checks.size() == 1 ? "" : "s") +
                    (config->parallel ? " in parallel" : " one by one") + ", " +
                    std::to_string(config->retries) + " retr" +
                    (config->retries == 1 ? "y" : "ies") + " every " +
                    FormatDuration(config->retry_delay);
  for (const Check& check : config->checks) {
    preview.details.push_back(check.name + ": " + Describe(check));
  }
  preview.details.push_back("JUnit report: artifacts/" + config->report);
  return preview;
}

StepOutcome SmokeTest::Run(const step_api::StepInputs& inputs, step_api::StepContext& context) {
  std::string error;
  std::optional<Config> config = ParseConfig(inputs.with, &error, inputs.with_written);
  if (!config) return {StepStatus::kFailure, 1, "smoke test: " + error, {}};
  if (std::string refused = SecretInName("report", config->report, context); !refused.empty()) {
    return {StepStatus::kFailure, 1, "smoke test: " + refused, {}};
  }
  const size_t count = config->checks.size();
  std::vector<CheckResult> results(count);
  std::vector<size_t> pending(count);
  for (size_t i = 0; i < count; ++i) pending[i] = i;
  bool cancelled = false;
  for (int attempt = 0; attempt <= config->retries && !pending.empty(); ++attempt) {
    if (context.cancelled()) {
      cancelled = true;
      break;
    }
    // Requests run on worker threads; only this thread talks to the StepContext.
    std::vector<HttpResponse> responses(pending.size());
    size_t workers = config->parallel
                         ? std::min<size_t>(pending.size(), static_cast<size_t>(config->max_parallel))
                         : 1;
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t k = next++; k < pending.size(); k = next++) {
        responses[k] = SendHttp(config->checks[pending[k]].request);
      }
    };
    std::vector<std::thread> threads;
    for (size_t w = 1; w < workers; ++w) threads.emplace_back(work);
    work();
    for (std::thread& t : threads) t.join();

    std::vector<size_t> still_failing;
    for (size_t k = 0; k < pending.size(); ++k) {
      size_t i = pending[k];
      const Check& check = config->checks[i];
      CheckResult& result = results[i];
      result.attempts = attempt + 1;
      result.status = responses[k].status;
      result.latency_ms = responses[k].latency_ms;
      result.failure = Evaluate(check, responses[k]);
      if (result.failure.empty()) {
        context.Log("PASS " + check.name + " (" + std::to_string(result.status) + ", " +
                    FormatMs(result.latency_ms) + " ms)");
      } else {
        context.Log((attempt < config->retries ? "retry " : "FAIL ") + check.name + ": " +
                    result.failure);
        still_failing.push_back(i);
      }
    }
    pending = std::move(still_failing);
    if (!pending.empty() && attempt < config->retries) {
      context.Log("waiting " + FormatDuration(config->retry_delay) + " before attempt " +
                  std::to_string(attempt + 2) + " of " + std::to_string(config->retries + 1));
      if (!context.Sleep(config->retry_delay)) {
        cancelled = true;
        break;
      }
    }
  }

  int failed = 0;
  for (const CheckResult& r : results) failed += r.failure.empty() ? 0 : 1;
  if (cancelled) {
    // Checks that never ran to the end are reported as not passed.
    for (size_t i : pending) {
      if (results[i].failure.empty()) results[i].failure = "cancelled";
    }
    failed = 0;
    for (const CheckResult& r : results) failed += r.failure.empty() ? 0 : 1;
  }
  int passed = static_cast<int>(count) - failed;
  std::filesystem::path report = std::filesystem::path(context.artifacts_dir()) / config->report;
  std::string write_error;
  if (!WriteFileAtomic(report, context.Mask(JunitReport(*config, results)), &write_error)) {
    context.Log("could not write the JUnit report: " + write_error);
  }
  StepOutcome outcome;
  outcome.outputs = {{"passed", std::to_string(passed)},
                     {"failed", std::to_string(failed)},
                     {"total", std::to_string(count)},
                     {"report", report.string()},
                     {"result", failed == 0 ? "passed" : "failed"}};
  context.Log(std::to_string(passed) + " of " + std::to_string(count) + " checks passed");
  if (cancelled) {
    outcome.status = StepStatus::kCancelled;
    outcome.exit_code = 1;
    outcome.message = "smoke test cancelled";
  } else if (failed > 0) {
    outcome.status = StepStatus::kFailure;
    outcome.exit_code = 1;
    outcome.message = std::to_string(failed) + " of " + std::to_string(count) +
                      " smoke check" + (count == 1 ? "" : "s") + " failed";
  }
  return outcome;
}

std::unique_ptr<step_api::StepImpl> Make() { return std::make_unique<SmokeTest>(); }

}  // namespace slipway::stdlib::smoke_test
