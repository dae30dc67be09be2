#pragma once
/// slipway/backup@v1: snapshot stack state / files / command output into
/// <artifacts>/backups/<name>/ with SHA256SUMS and metadata.json.

#include <memory>

#include "interpreter/step_api/step_api.h"

namespace slipway::stdlib::backup {

extern const char kSchema[];

/// The step.
class Backup final : public step_api::StepImpl {
 public:
  step_api::StepPreview Preview(const step_api::StepInputs& inputs) const override;
  step_api::StepOutcome Run(const step_api::StepInputs& inputs,
                            step_api::StepContext& context) override;
};

std::unique_ptr<step_api::StepImpl> Make();

}  // namespace slipway::stdlib::backup
