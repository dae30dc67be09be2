#pragma once
/// The shell commands stack-deploy runs for tool cdk and sam, and the parsers for what they
/// print. Building them is separate from running them so plan can show them exactly.

#include <map>
#include <string>

#include "stdlib/stack_deploy/stack_deploy.h"

namespace slipway::stdlib::stack_deploy {

/// The command for config.action with cdk (deploy writes outputs to `outputs_file`).
std::string CdkCommand(const Config& config, const std::string& outputs_file);
/// The command for config.action with sam (diff: a change set that is not executed). With
/// `parameters_file` (a SamParametersConfig file), sam reads the parameters from it
/// (--config-file) instead of --parameter-overrides on its command line.
std::string SamCommand(const Config& config, const std::string& parameters_file = "");
/// A sam configuration file (TOML) holding config.parameters as deploy's parameter_overrides.
std::string SamParametersConfig(const Config& config);
/// `aws cloudformation describe-stacks` printing the stack's outputs as JSON.
std::string StackOutputsCommand(const Config& config);
/// Flattens cdk's --outputs-file ({"Stack": {"Key": "value"}}) into Key → value.
bool ParseCdkOutputs(const std::string& text, std::map<std::string, std::string>* outputs);
/// Parses [{"OutputKey": k, "OutputValue": v}, ...] from describe-stacks.
bool ParseStackOutputs(const std::string& text, std::map<std::string, std::string>* outputs);

}  // namespace slipway::stdlib::stack_deploy
