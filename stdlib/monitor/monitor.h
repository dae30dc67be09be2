#pragma once
/// slipway/monitor@v1: sample metrics (HTTP JSON endpoint, command, CloudWatch alarm count) for
/// a duration at an interval on the run's clock, against thresholds; fail on a breach.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/step_api/step_api.h"

namespace slipway::stdlib::monitor {

extern const char kSchema[];

/// One threshold on one metric (a JSON path in the sample).
struct Rule {
  std::string metric;
  std::optional<double> max;
  std::optional<double> min;
  std::optional<nlohmann::json> equals;
};

/// Why `sample` breaches `rule`, or "" when it does not.
std::string Check(const Rule& rule, const nlohmann::json& sample);

/// The step.
class Monitor final : public step_api::StepImpl {
 public:
  step_api::StepPreview Preview(const step_api::StepInputs& inputs) const override;
  step_api::StepOutcome Run(const step_api::StepInputs& inputs,
                            step_api::StepContext& context) override;
};

std::unique_ptr<step_api::StepImpl> Make();

}  // namespace slipway::stdlib::monitor
