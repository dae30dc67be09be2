#pragma once
/// slipway/smoke-test@v1: HTTP checks with assertions, retries, parallelism, JUnit report.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/step_api/step_api.h"
#include "stdlib/http_client.h"

namespace slipway::stdlib::smoke_test {

extern const char kSchema[];

/// One HTTP check and what its response must satisfy.
struct Check {
  std::string name;
  HttpRequest request;
  std::vector<long> expect_status = {200};
  std::vector<std::string> body_contains;
  std::vector<std::pair<std::string, nlohmann::json>> json_equals;
  std::optional<double> max_latency_ms;
};

/// The step's inputs, parsed.
struct Config {
  std::vector<Check> checks;
  int retries = 2;
  std::chrono::milliseconds retry_delay{5000};
  bool parallel = true;
  int max_parallel = 8;
  std::string report = "smoke-test-report.xml";
};

/// Parses `with:`; sets `error` (all problems, "; "-joined) and returns nullopt when invalid.
/// `written` is StepInputs::with_written (see ReadHeaders).
std::optional<Config> ParseConfig(const nlohmann::json& with, std::string* error,
                                  const nlohmann::json& written = nlohmann::json::object());
/// Why `response` fails `check`, or "" when it passes.
std::string Evaluate(const Check& check, const HttpResponse& response);

/// The step.
class SmokeTest final : public step_api::StepImpl {
 public:
  step_api::StepPreview Preview(const step_api::StepInputs& inputs) const override;
  step_api::StepOutcome Run(const step_api::StepInputs& inputs,
                            step_api::StepContext& context) override;
};

std::unique_ptr<step_api::StepImpl> Make();

}  // namespace slipway::stdlib::smoke_test
