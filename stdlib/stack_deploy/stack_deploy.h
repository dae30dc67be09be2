#pragma once
/// slipway/stack-deploy@v1: deploy / diff / rollback a stack with tool local (versions in the
/// state directory, optional local app), cdk or sam (real commands through RunCommand), or
/// cloudformation (the CloudFormation API over HTTPS, SigV4-signed; see cloudformation.h).

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/step_api/step_api.h"

namespace slipway::stdlib::stack_deploy {

extern const char kSchema[];

/// The step's inputs, parsed.
struct Config {
  std::string tool = "local";
  std::string action = "deploy";
  std::string stack;
  std::string template_path;
  std::map<std::string, std::string> parameters;
  std::string region;
  std::vector<std::string> capabilities;
  std::string working_directory;
  std::string app;
  std::vector<std::string> stacks;
  std::map<std::string, std::string> context;
  std::string require_approval = "never";
  std::string s3_bucket;
  std::string extra_args;
  std::chrono::milliseconds timeout{30 * 60 * 1000};
  std::map<std::string, std::string> outputs;
  std::string start;
  int port = 0;
  std::string health_path = "/";
  std::chrono::milliseconds start_timeout{30'000};
  std::string target_version;
  std::optional<std::string> from_version;  // local rollback: only if this version is live
  bool blue_green = false;                  // local: two slots behind HAProxy on `port`
  std::vector<int> slot_ports;              // local blue/green: blue's and green's ports
  // local: `parameters` and `outputs` as written (before `${{ }}`), to record secrets' origin.
  std::map<std::string, std::string> parameters_written;
  std::map<std::string, std::string> outputs_written;
  std::string endpoint;                     // cloudformation: API endpoint override
  std::map<std::string, std::string> tags;  // cloudformation: stack tags
};

/// Parses and checks `with`; nullopt with every problem in `error`. `planning`: the values may
/// still hold `${{ }}` expressions (the plan's preview), so a name that holds one is not
/// checked yet; a run always checks every name.
std::optional<Config> ParseConfig(const nlohmann::json& with, std::string* error,
                                   bool planning = false);

/// The step.
class StackDeploy final : public step_api::StepImpl {
 public:
  step_api::StepPreview Preview(const step_api::StepInputs& inputs) const override;
  step_api::StepOutcome Run(const step_api::StepInputs& inputs,
                            step_api::StepContext& context) override;
};

std::unique_ptr<step_api::StepImpl> Make();

}  // namespace slipway::stdlib::stack_deploy
