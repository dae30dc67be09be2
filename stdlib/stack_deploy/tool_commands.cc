#include "stdlib/stack_deploy/tool_commands.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "interpreter/base/json_nesting.h"
#include "stdlib/text_util.h"

namespace slipway::stdlib::stack_deploy {
namespace {

// "cd dir && AWS_REGION=r AWS_DEFAULT_REGION=r timeout 1800 " in front of every tool command.
std::string Prefix(const Config& config) {
  std::string prefix;
  if (!config.working_directory.empty()) {
    prefix += "cd " + ShellQuote(config.working_directory) + " && ";
  }
  if (!config.region.empty()) {
    prefix += "AWS_REGION=" + ShellQuote(config.region) +
              " AWS_DEFAULT_REGION=" + ShellQuote(config.region) + " ";
  }
  int64_t seconds = std::max<int64_t>(1, config.timeout.count() / 1000);
  prefix += "timeout " + std::to_string(seconds) + " ";
  return prefix;
}

std::string Suffix(const Config& config) {
  return config.extra_args.empty() ? "" : " " + config.extra_args;
}

}  // namespace

std::string CdkCommand(const Config& config, const std::string& outputs_file) {
  std::string verb = config.action == "diff"       ? "diff"
                     : config.action == "rollback" ? "rollback"
                                                   : "deploy";
  std::string command = Prefix(config) + "cdk " + verb;
  if (config.stacks.empty()) {
    command += " " + ShellQuote(config.stack);
  } else {
    for (const std::string& stack : config.stacks) {
      // "--all" is a flag, not a stack name.
      command += " " + (stack == "--all" ? stack : ShellQuote(stack));
    }
  }
  if (!config.app.empty()) command += " --app " + ShellQuote(config.app);
  for (const auto& [key, value] : config.context) {
    command += " --context " + ShellQuote(key + "=" + value);
  }
  if (config.action == "deploy") {
    command += " --require-approval " + ShellQuote(config.require_approval);
    for (const auto& [key, value] : config.parameters) {
      command += " --parameters " + ShellQuote(key + "=" + value);
    }
    command += " --outputs-file " + ShellQuote(outputs_file);
  }
  return command + Suffix(config);
}

std::string SamCommand(const Config& config, const std::string& parameters_file) {
  if (config.action == "rollback") {
    std::string region = config.region.empty() ? "" : " --region " + ShellQuote(config.region);
    return Prefix(config) + "aws cloudformation rollback-stack --stack-name " +
           ShellQuote(config.stack) + region + " && aws cloudformation wait " +
           "stack-rollback-complete --stack-name " + ShellQuote(config.stack) + region;
  }
  std::string command = Prefix(config) + "sam deploy --stack-name " + ShellQuote(config.stack);
  if (!config.template_path.empty()) {
    command += " --template-file " + ShellQuote(config.template_path);
  }
  if (!config.region.empty()) command += " --region " + ShellQuote(config.region);
  if (!config.capabilities.empty()) {
    command += " --capabilities";
    for (const std::string& c : config.capabilities) command += " " + ShellQuote(c);
  }
  if (!parameters_file.empty()) {
    command += " --config-file " + ShellQuote(parameters_file);
  } else if (!config.parameters.empty()) {
    command += " --parameter-overrides";
    for (const auto& [key, value] : config.parameters) command += " " + ShellQuote(key + "=" + value);
  }
  command += config.s3_bucket.empty() ? " --resolve-s3" : " --s3-bucket " + ShellQuote(config.s3_bucket);
  command += " --no-confirm-changeset";
  command += config.action == "diff" ? " --no-execute-changeset" : " --no-fail-on-empty-changeset";
  return command + Suffix(config);
}

std::string SamParametersConfig(const Config& config) {
  // sam's own syntax for one override is KEY="VALUE" (\" inside); the list is one TOML string.
  std::string overrides;
  for (const auto& [key, value] : config.parameters) {
    std::string quoted;
    for (char c : value) quoted += c == '"' ? std::string("\\\"") : std::string(1, c);
    overrides += (overrides.empty() ? "" : " ") + key + "=\"" + quoted + "\"";
  }
  std::string toml;
  for (char c : overrides) {
    if (c == '"' || c == '\\') {
      toml += '\\';
      toml += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04X", static_cast<unsigned>(c));
      toml += escaped;
    } else {
      toml += c;
    }
  }
  return "# Written by slipway for one sam deploy; removed when it ends.\nversion = 0.1\n\n"
         "[default.deploy.parameters]\nparameter_overrides = \"" + toml + "\"\n";
}

std::string StackOutputsCommand(const Config& config) {
  std::string command = "aws cloudformation describe-stacks --stack-name " +
                        ShellQuote(config.stack) +
                        " --query 'Stacks[0].Outputs' --output json";
  if (!config.region.empty()) command += " --region " + ShellQuote(config.region);
  return command;
}

bool ParseCdkOutputs(const std::string& text, std::map<std::string, std::string>* outputs) {
  if (!JsonNestingError(text).empty()) return false;
  nlohmann::json root = nlohmann::json::parse(text, nullptr, false);
  if (!root.is_object()) return false;
  for (const auto& [stack, values] : root.items()) {
    if (!values.is_object()) continue;
    for (const auto& [key, value] : values.items()) {
      (*outputs)[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  return true;
}

bool ParseStackOutputs(const std::string& text, std::map<std::string, std::string>* outputs) {
  // The AWS CLI may print warnings before the JSON; start at the first '['.
  size_t start = text.find('[');
  if (start == std::string::npos) return text.find("null") != std::string::npos;
  if (!JsonNestingError(text).empty()) return false;
  nlohmann::json root = nlohmann::json::parse(text.substr(start), nullptr, false);
  if (!root.is_array()) return false;
  for (const nlohmann::json& item : root) {
    if (!item.is_object() || !item.contains("OutputKey")) continue;
    const nlohmann::json& value = item.value("OutputValue", nlohmann::json(""));
    (*outputs)[item["OutputKey"].get<std::string>()] =
        value.is_string() ? value.get<std::string>() : value.dump();
  }
  return true;
}

}  // namespace slipway::stdlib::stack_deploy
