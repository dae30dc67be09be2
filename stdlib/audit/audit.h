#pragma once
/// slipway/audit@v1: one who/when/why/what/where/how entry in the run's audit trail.

#include <memory>

#include "interpreter/step_api/step_api.h"

namespace slipway::stdlib::audit {

extern const char kSchema[];

/// Builds the entry from `with:` and hands it to StepContext::AppendAudit.
class Audit final : public step_api::StepImpl {
 public:
  step_api::StepPreview Preview(const step_api::StepInputs& inputs) const override;
  step_api::StepOutcome Run(const step_api::StepInputs& inputs,
                            step_api::StepContext& context) override;
};

/// The audit entry for `with:` (exec adds run id, actor, time and workflow). Sets `error` and
/// returns null when the inputs are unusable.
nlohmann::json BuildEntry(const step_api::StepInputs& inputs, std::string* error);

std::unique_ptr<step_api::StepImpl> Make();

}  // namespace slipway::stdlib::audit
