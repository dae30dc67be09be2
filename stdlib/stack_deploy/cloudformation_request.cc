#include "stdlib/stack_deploy/cloudformation_request.h"

#include <filesystem>
#include <set>

#include "stdlib/files.h"
#include "stdlib/input_reader.h"
#include "stdlib/text_util.h"

namespace slipway::stdlib::stack_deploy {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxTemplateBody = 51'200;  // CloudFormation's TemplateBody limit, bytes

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// "s3://bucket/key" → "https://bucket.s3.<region>.amazonaws.com/key".
std::string S3ToHttps(std::string_view url, std::string_view region) {
  std::string_view rest = url.substr(5);
  size_t slash = rest.find('/');
  std::string bucket(rest.substr(0, slash));
  std::string key = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
  return "https://" + bucket + ".s3." + std::string(region) + "." + CloudFormationDomain(region) + "/" + key;
}

}  // namespace

std::string CloudFormationDomain(std::string_view region) {
  return StartsWith(region, "cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

bool IsTemplateUrl(std::string_view path) {
  return StartsWith(path, "https://") || StartsWith(path, "s3://") || StartsWith(path, "http://");
}

std::string ResolveTemplate(const Config& config, std::string_view region,
                            const std::string& workspace, bool creating, TemplateSource* source) {
  const std::string& path = config.template_path;
  if (path.empty()) {
    if (creating) return "input \"template\" is required to create stack " + config.stack;
    source->use_previous = true;
    return "";
  }
  if (StartsWith(path, "s3://")) {
    source->url = S3ToHttps(path, region);
    return "";
  }
  if (StartsWith(path, "https://")) {
    source->url = path;
    return "";
  }
  if (StartsWith(path, "http://")) {
    return "input \"template\": CloudFormation reads template URLs over https:// only, got \"" +
           path + "\"";
  }
  fs::path file =
      fs::path(path).is_absolute() ? fs::path(path) : fs::path(workspace) / path;
  std::string error;
  if (!ReadFileText(file, &source->body, &error)) {
    return "cannot read template \"" + path + "\": " + error;
  }
  if (source->body.size() > kMaxTemplateBody) {
    return "template \"" + path + "\" is " + std::to_string(source->body.size()) +
           " bytes; CloudFormation takes at most 51200 bytes inline, so upload it to S3 and "
           "pass its s3:// or https:// URL as \"template\"";
  }
  std::string parse_error;
  if (!ParseYamlText(source->body, &source->parsed, &parse_error)) source->parsed = nullptr;
  return "";
}

aws::QueryParams ChangeSetParams(const Config& config, const std::string& name, bool creating,
                                 const TemplateSource& source,
                            const std::map<std::string, std::string>& parameters,
                            const std::vector<std::string>& capabilities,
                            const StackInfo& existing) {
  aws::QueryParams params = {{"StackName", config.stack},
                        {"ChangeSetName", name},
                        {"ChangeSetType", creating ? "CREATE" : "UPDATE"},
                        {"Description", "slipway stack-deploy"}};
  if (source.use_previous) {
    params.emplace_back("UsePreviousTemplate", "true");
  } else if (!source.url.empty()) {
    params.emplace_back("TemplateURL", source.url);
  } else {
    params.emplace_back("TemplateBody", source.body);
  }
  // Parameters not given keep their previous value on an update, when the template still
  // declares them (as `aws cloudformation deploy` does).
  std::set<std::string> declared;
  bool know_declared = source.use_previous;
  if (source.parsed.is_object() && source.parsed.contains("Parameters") &&
      source.parsed["Parameters"].is_object()) {
    know_declared = true;
    for (const auto& [key, value] : source.parsed["Parameters"].items()) declared.insert(key);
  }
  int n = 0;
  for (const auto& [key, value] : parameters) {
    std::string prefix = "Parameters.member." + std::to_string(++n) + ".";
    params.emplace_back(prefix + "ParameterKey", key);
    params.emplace_back(prefix + "ParameterValue", value);
  }
  if (!creating && know_declared) {
    for (const auto& [key, value] : existing.parameters) {
      if (parameters.count(key) || (!source.use_previous && !declared.count(key))) continue;
      std::string prefix = "Parameters.member." + std::to_string(++n) + ".";
      params.emplace_back(prefix + "ParameterKey", key);
      params.emplace_back(prefix + "UsePreviousValue", "true");
    }
  }
  n = 0;
  for (const std::string& capability : capabilities) {
    params.emplace_back("Capabilities.member." + std::to_string(++n), capability);
  }
  n = 0;
  for (const auto& [key, value] : config.tags) {
    std::string prefix = "Tags.member." + std::to_string(++n) + ".";
    params.emplace_back(prefix + "Key", key);
    params.emplace_back(prefix + "Value", value);
  }
  return params;
}

void LogChangeSetChanges(step_api::StepContext& context, const aws::XmlElement& result,
                         int* count) {
  const aws::XmlElement* changes = result.Child("Changes");
  if (!changes) return;
  for (const aws::XmlElement* member : changes->Children("member")) {
    const aws::XmlElement* change = member->Child("ResourceChange");
    if (!change) continue;
    ++*count;
    std::string line = "  " + change->TextAt("Action") + " " +
                       change->TextAt("LogicalResourceId") + " (" +
                       change->TextAt("ResourceType") + ")";
    std::string replacement = change->TextAt("Replacement");
    if (!replacement.empty() && replacement != "False") line += " replacement: " + replacement;
    context.Log(line);
  }
}

}  // namespace slipway::stdlib::stack_deploy
