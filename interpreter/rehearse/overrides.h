#pragma once
/// ScenarioOverrides: a scenario's forced jobs, steps and actions and its URL routing, as exec's
/// RunOverrides (interpreter/exec/run_overrides.h).

#include "interpreter/exec/run_overrides.h"
#include "interpreter/rehearse/test_file.h"

namespace slipway::rehearse {

class HttpStubs;

class ScenarioOverrides final : public exec::RunOverrides {
 public:
  ScenarioOverrides(const Stubs& stubs, const HttpStubs* http) : stubs_(stubs), http_(http) {}
  std::optional<exec::ForcedJob> ForceJob(const std::string& job_id) const override;
  std::optional<step_api::StepOutcome> ForceStep(const std::string& job_id,
                                                 const std::string& step_id) const override;
  std::optional<step_api::StepOutcome> ForceAction(const std::string& uses) const override;
  /// Every http(s):// and smtp(s):// string in `with` goes to the stubs; e-mail drops STARTTLS
  /// (the sink speaks plain SMTP on loopback).
  void RouteInputs(const std::string& uses, nlohmann::json* with) const override;

 private:
  const Stubs& stubs_;
  const HttpStubs* http_;
};

}  // namespace slipway::rehearse
