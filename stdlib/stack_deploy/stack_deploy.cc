#include "stdlib/stack_deploy/stack_deploy.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "stdlib/files.h"
#include "stdlib/input_reader.h"
#include "stdlib/stack_deploy/cloudformation.h"
#include "stdlib/stack_deploy/local_stack.h"
#include "stdlib/stack_deploy/local_stack_params.h"
#include "stdlib/stack_deploy/tool_commands.h"
#include "stdlib/text_util.h"

namespace slipway::stdlib::stack_deploy {
namespace {

using step_api::StepOutcome;
using step_api::StepStatus;

bool OneOf(const std::string& value, const std::vector<std::string>& allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

std::vector<std::string> SplitWords(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const std::string& item : items) {
    size_t start = 0;
    for (size_t i = 0; i <= item.size(); ++i) {
      if (i < item.size() && item[i] != ' ' && item[i] != '\t') continue;
      if (i > start) out.push_back(item.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// CloudFormation's rule for a stack name: a letter, then letters, digits and '-'; at most 128.
// A name that starts with '-' would be read by sam or cdk as an option (cdk runs --app=CMD).
bool IsCloudFormationStackName(const std::string& name) {
  if (name.empty() || name.size() > 128 || !std::isalpha(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

// cdk also takes construct paths and patterns ("Prod/Api", "Prod/*"): each part a stack name,
// or '*' / '?' patterns; never an option.
bool IsCdkStackSelector(const std::string& selector) {
  if (selector.empty() || selector.size() > 256 || selector[0] == '-') return false;
  return std::all_of(selector.begin(), selector.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '/' ||
           c == '*' || c == '?' || c == '.';
  });
}

// The keys of `values` whose value holds a secret of the run (masking changes it).
std::vector<std::string> SecretKeys(const std::map<std::string, std::string>& values,
                                    const step_api::StepContext& context) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : values) {
    if (context.Mask(value) != value) keys.push_back(key);
  }
  return keys;
}

}  // namespace

std::optional<Config> ParseConfig(const nlohmann::json& with, std::string* error,
                                   bool planning) {
  // Checked later, in the run, once `${{ }}` is evaluated.
  auto unresolved = [&](const std::string& value) {
    return planning && value.find("${{") != std::string::npos;
  };
  InputReader in(with, kSchema);
  Config c;
  c.tool = in.String("tool", "local");
  c.action = in.String("action", "deploy");
  c.stack = in.String("stack-name");
  c.template_path = in.String("template");
  c.parameters = in.KeyValues("parameters");
  c.region = in.String("region");
  c.capabilities = SplitWords(in.List("capabilities"));
  c.working_directory = in.String("working-directory");
  c.app = in.String("app");
  c.stacks = SplitWords(in.List("stacks"));
  c.context = in.KeyValues("context");
  c.require_approval = in.String("require-approval", "never");
  c.s3_bucket = in.String("s3-bucket");
  c.extra_args = in.String("extra-args");
  c.timeout = in.Duration("timeout", std::chrono::minutes(30));
  c.outputs = in.KeyValues("outputs");
  c.start = in.String("start");
  c.port = static_cast<int>(in.Int("port", 0));
  c.health_path = in.String("health-path", "/");
  if (c.health_path.empty() || c.health_path[0] != '/') c.health_path = "/" + c.health_path;
  c.start_timeout = in.Duration("start-timeout", std::chrono::seconds(30));
  c.target_version = in.String("target-version");
  if (in.Has("from-version")) c.from_version = in.String("from-version");
  c.blue_green = in.Bool("blue-green", false);
  for (const std::string& item : in.List("slot-ports")) {
    int port = std::atoi(item.c_str());
    if (port <= 0 || port > 65535 || item.find_first_not_of(" 0123456789") != std::string::npos) {
      in.AddError("input \"slot-ports\": \"" + item + "\" is not a port");
    }
    c.slot_ports.push_back(port);
  }
  c.endpoint = in.String("endpoint");
  c.tags = in.KeyValues("tags");

  if (!OneOf(c.tool, {"local", "cdk", "sam", "cloudformation"})) {
    in.AddError("input \"tool\": expected local, cdk, sam or cloudformation, got \"" + c.tool +
                "\"");
  }
  if (!OneOf(c.action, {"deploy", "rollback", "diff"})) {
    in.AddError("input \"action\": expected deploy, rollback or diff, got \"" + c.action + "\"");
  }
  if (!OneOf(c.require_approval, {"never", "any-change", "broadening"})) {
    in.AddError("input \"require-approval\": expected never, any-change or broadening, got \"" +
                c.require_approval + "\"");
  }
  if (c.stack.empty() && !(c.tool == "cdk" && !c.stacks.empty())) {
    in.AddError(c.tool == "cdk" ? "tool cdk needs \"stack-name\" or \"stacks\""
                                : "input \"stack-name\" is required");
  }
  if (c.tool == "local" && !c.stack.empty() && !IsSafeName(c.stack)) {
    in.AddError("input \"stack-name\": \"" + c.stack +
                "\" is not a valid local stack name (letters, digits, '.', '_', '-')");
  }
  if ((c.tool == "sam" || c.tool == "cloudformation") && !c.stack.empty() &&
      !unresolved(c.stack) && !IsCloudFormationStackName(c.stack)) {
    in.AddError("input \"stack-name\": \"" + c.stack +
                "\" is not a CloudFormation stack name (a letter, then letters, digits and '-'; "
                "at most 128)");
  }
  if (c.tool == "cdk") {
    auto check = [&](const char* key, const std::string& selector) {
      if (unresolved(selector) || IsCdkStackSelector(selector)) return;
      in.AddError("input \"" + std::string(key) + "\": \"" + selector +
                  "\" is not a cdk stack name or pattern (letters, digits, '-', '_', '.', '/', "
                  "'*', '?'; not starting with '-')");
    };
    if (!c.stack.empty()) check("stack-name", c.stack);
    for (const std::string& selector : c.stacks) {
      if (selector != "--all") check("stacks", selector);  // "--all" is cdk's own flag
    }
  }
  if (c.port < 0 || c.port > 65535) {
    in.AddError("input \"port\": expected 1-65535, got " + std::to_string(c.port));
  }
  auto only_for = [&](const char* key, std::vector<std::string> tools) {
    if (in.Has(key) && !OneOf(c.tool, tools)) {
      std::string list;
      for (const std::string& t : tools) list += (list.empty() ? "" : " or ") + t;
      in.AddError("input \"" + std::string(key) + "\" applies to tool " + list + ", not \"" +
                  c.tool + "\"");
    }
  };
  only_for("app", {"cdk"});
  only_for("stacks", {"cdk"});
  only_for("context", {"cdk"});
  only_for("capabilities", {"sam", "cloudformation"});
  only_for("s3-bucket", {"sam"});
  only_for("outputs", {"local"});
  only_for("start", {"local"});
  only_for("port", {"local"});
  only_for("target-version", {"local"});
  only_for("extra-args", {"cdk", "sam"});
  only_for("working-directory", {"cdk", "sam"});
  only_for("endpoint", {"cloudformation"});
  only_for("tags", {"cloudformation"});
  if (!c.endpoint.empty() && c.endpoint.rfind("https://", 0) != 0 &&
      c.endpoint.rfind("http://", 0) != 0) {
    in.AddError("input \"endpoint\": expected an http:// or https:// URL, got \"" + c.endpoint +
                "\"");
  }
  if (in.Has("port") && c.start.empty()) in.AddError("input \"port\" needs \"start\"");
  if (c.blue_green && c.tool != "local") {
    in.AddError("input \"blue-green\" applies to tool local, not \"" + c.tool + "\"");
  }
  only_for("slot-ports", {"local"});
  only_for("from-version", {"local"});
  if (c.blue_green) {
    if (c.start.empty() || c.port <= 0) {
      in.AddError("input \"blue-green\" needs \"start\" and \"port\" (where HAProxy listens)");
    }
    if (c.slot_ports.empty() && c.port > 0 && c.port < 65534) {
      c.slot_ports = {c.port + 1, c.port + 2};
    }
    if (c.slot_ports.size() != 2 || c.slot_ports[0] == c.slot_ports[1] ||
        c.slot_ports[0] == c.port || c.slot_ports[1] == c.port) {
      in.AddError("input \"slot-ports\": expected two ports, different from each other and "
                  "from \"port\"");
    }
  } else if (in.Has("slot-ports")) {
    in.AddError("input \"slot-ports\" needs \"blue-green: true\"");
  }
  if (c.from_version && c.action != "rollback") {
    in.AddError("input \"from-version\" applies to action rollback");
  }
  if (!c.target_version.empty() && c.action != "rollback") {
    in.AddError("input \"target-version\" applies to action rollback");
  }
  if (!in.ok()) {
    *error = in.ErrorText();
    return std::nullopt;
  }
  return c;
}

step_api::StepPreview StackDeploy::Preview(const step_api::StepInputs& inputs) const {
  std::string error;
  std::optional<Config> parsed = ParseConfig(inputs.with, &error, /*planning=*/true);
  if (!parsed) return {"stack deploy: invalid inputs: " + error, {}};
  const Config& c = *parsed;
  std::string what = c.stack.empty() ? std::string("stacks") : "stack " + c.stack;
  step_api::StepPreview preview;
  preview.summary = c.action + " " + what + " with " + c.tool;
  if (c.tool == "local") {
    preview.details = PreviewLocal(c);
  } else if (c.tool == "cdk") {
    if (c.action == "deploy") {
      Config diff = c;
      diff.action = "diff";
      preview.details.push_back("change preview: " + CdkCommand(diff, ""));
    }
    preview.details.push_back("run: " + CdkCommand(c, "<run-dir>/cdk-outputs.json"));
  } else if (c.tool == "sam") {
    if (c.action == "deploy") {
      Config diff = c;
      diff.action = "diff";
      preview.details.push_back("change set preview: " + SamCommand(diff));
    }
    preview.details.push_back("run: " + SamCommand(c));
    if (c.action == "deploy") preview.details.push_back("outputs: " + StackOutputsCommand(c));
  } else {
    preview.details = PreviewCloudFormation(c, inputs.env);
  }
  return preview;
}

StepOutcome StackDeploy::Run(const step_api::StepInputs& inputs, step_api::StepContext& context) {
  std::string error;
  std::optional<Config> parsed = ParseConfig(inputs.with, &error);
  if (!parsed) return {StepStatus::kFailure, 1, "stack deploy: " + error, {}};
  Config& c = *parsed;
  // local and cloudformation keep a directory named after the stack (stacks/<name>/,
  // cloudformation/<region>/<name>/); sam and cdk send the name only (masked in logs).
  if (c.tool == "local" || c.tool == "cloudformation") {
    if (std::string refused = SecretInName("stack-name", c.stack, context); !refused.empty()) {
      return {StepStatus::kFailure, 1, "stack deploy: " + refused, {}};
    }
  }
  if (context.cancelled()) return {StepStatus::kCancelled, 1, "cancelled", {}};
  if (c.tool == "local") {
    // Where each parameter and output came from, so secrets are recorded by origin only.
    InputReader written(inputs.with_written, "{}");
    c.parameters_written = written.KeyValues("parameters");
    c.outputs_written = written.KeyValues("outputs");
    for (const auto& [key, field] : {std::pair{"parameters", &c.parameters_written},
                                     std::pair{"outputs", &c.outputs_written}}) {
      // A whole mapping from one expression cannot be traced key by key: treat every key as
      // secret when that expression reads secrets.
      std::string whole = written.String(key);
      if (field->empty() && UsesSecrets(whole)) {
        for (const auto& [name, value] : key == std::string("parameters") ? c.parameters : c.outputs) {
          (*field)[name] = "${{ " + whole + " }}";
        }
      }
    }
    return RunLocal(c, context);
  }
  if (c.tool == "cloudformation") return RunCloudFormation(c, inputs.env, context);

  std::string outputs_file =
      (std::filesystem::path(context.run_dir()) /
       ("cdk-outputs-" + SafeName(c.stack.empty() ? "all" : context.Mask(c.stack)) + ".json"))
          .string();
  // A command line is readable by every local user (/proc/PID/cmdline): secrets stay off it.
  std::vector<std::string> secret_keys = SecretKeys(c.parameters, context);
  if (c.tool == "cdk") {
    for (const std::string& key : SecretKeys(c.context, context)) {
      secret_keys.push_back("context " + key);
    }
    if (!secret_keys.empty()) {
      return {StepStatus::kFailure, 1,
              "stack deploy: " + secret_keys.front() +
                  " holds a secret, and cdk takes --parameters and --context only on its "
                  "command line, which every local user can read; pass the secret to your CDK "
                  "app through the step's env: and read it there",
              {}};
    }
  }
  // sam reads them from a config file instead (0600, removed when sam is done).
  std::string sam_config;
  if (c.tool == "sam" && c.action != "rollback" && !secret_keys.empty()) {
    // Absolute: the command may `cd` to working-directory first.
    sam_config = std::filesystem::absolute(std::filesystem::path(context.run_dir()) /
                                           ("sam-parameters-" + SafeName(context.Mask(c.stack)) +
                                            ".toml"))
                     .string();
    std::error_code ignored;
    std::filesystem::remove(sam_config, ignored);
    if (!WritePrivateFile(sam_config, SamParametersConfig(c), &error)) {
      return {StepStatus::kFailure, 1, "stack deploy: " + error, {}};
    }
    std::string shown;  // the log masks the secrets
    for (const auto& [key, value] : c.parameters) shown += " " + key + "=" + value;
    context.Log("parameter overrides (in --config-file, 0600):" + shown);
  }
  std::string command = c.tool == "cdk" ? CdkCommand(c, outputs_file) : SamCommand(c, sam_config);
  context.Log("$ " + command);
  std::string output;
  int code = context.RunCommand(command, &output);
  if (!sam_config.empty()) {
    std::error_code ignored;
    std::filesystem::remove(sam_config, ignored);
  }
  StepOutcome outcome;
  outcome.outputs["action"] = c.action;
  outcome.outputs["exit-code"] = std::to_string(code);
  if (context.cancelled()) return {StepStatus::kCancelled, 1, "cancelled", outcome.outputs};
  if (code != 0) {
    outcome.status = StepStatus::kFailure;
    outcome.exit_code = code;
    outcome.message = c.tool + " " + c.action + " failed with exit code " + std::to_string(code) +
                      (code == 124 ? " (timed out after " + FormatDuration(c.timeout) + ")" : "");
    return outcome;
  }
  if (c.action != "deploy") return outcome;
  std::map<std::string, std::string> stack_outputs;
  if (c.tool == "cdk") {
    std::string text;
    if (ReadFileText(outputs_file, &text, &error) && !ParseCdkOutputs(text, &stack_outputs)) {
      context.Log("warning: could not read cdk outputs from " + outputs_file);
    }
  } else {
    std::string text;
    std::string describe = StackOutputsCommand(c);
    context.Log("$ " + describe);
    if (context.RunCommand(describe, &text) != 0 || !ParseStackOutputs(text, &stack_outputs)) {
      context.Log("warning: could not read the stack outputs of " + c.stack);
    }
  }
  for (const auto& [key, value] : stack_outputs) outcome.outputs[key] = value;
  return outcome;
}

std::unique_ptr<step_api::StepImpl> Make() { return std::make_unique<StackDeploy>(); }

}  // namespace slipway::stdlib::stack_deploy
