#pragma once
/// slipway/traffic-shift@v1: move traffic in phases with a bake time and a health check after
/// each; revert and fail on a failed check. A provider (provider.h) moves the traffic; what
/// was asked for is recorded in <state_dir>/traffic/<target>.json.

#include <memory>

#include "interpreter/step_api/step_api.h"

namespace slipway::stdlib::traffic_shift {

extern const char kSchema[];

/// The step.
class TrafficShift final : public step_api::StepImpl {
 public:
  step_api::StepPreview Preview(const step_api::StepInputs& inputs) const override;
  step_api::StepOutcome Run(const step_api::StepInputs& inputs,
                            step_api::StepContext& context) override;
};

std::unique_ptr<step_api::StepImpl> Make();

}  // namespace slipway::stdlib::traffic_shift
