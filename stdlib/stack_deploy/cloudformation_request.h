#pragma once
/// What a CloudFormation change set request says (cloudformation.h runs it): the template
/// source from the `template` input, the CreateChangeSet parameters, and the change set's
/// changes as the log shows them.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interpreter/step_api/step_api.h"
#include "stdlib/aws_query.h"
#include "stdlib/stack_deploy/stack_deploy.h"

namespace slipway::stdlib::stack_deploy {

// The template argument as CloudFormation takes it.
struct TemplateSource {
  std::string body;  // TemplateBody
  std::string url;   // TemplateURL
  bool use_previous = false;
  nlohmann::json parsed;  // the body as JSON when it could be read (for its Parameters)
};

// One stack as DescribeStacks reports it.
struct StackInfo {
  bool exists = false;
  std::string id;
  std::string status;
  std::string reason;
  std::map<std::string, std::string> outputs;
  std::vector<std::pair<std::string, std::string>> parameters;
  std::vector<std::string> capabilities;
};

/// "amazonaws.com", or "amazonaws.com.cn" for a China region.
std::string CloudFormationDomain(std::string_view region);

/// Whether the `template` input is a URL (https://, s3://, http://) rather than a file.
bool IsTemplateUrl(std::string_view path);

/// The template source of `config` (a file of the workspace, inline up to CloudFormation's
/// 51,200 bytes; an s3:// or https:// URL; none on an update: the previous template); "" or
/// why not.
std::string ResolveTemplate(const Config& config, std::string_view region,
                            const std::string& workspace, bool creating, TemplateSource* source);

/// CreateChangeSet's parameters: an update keeps the previous value of parameters not given
/// that the template still declares (as `aws cloudformation deploy` does).
aws::QueryParams ChangeSetParams(const Config& config, const std::string& name, bool creating,
                                 const TemplateSource& source,
                                 const std::map<std::string, std::string>& parameters,
                                 const std::vector<std::string>& capabilities,
                                 const StackInfo& existing);

/// Logs each resource change of a DescribeChangeSet result; adds their number to `count`.
void LogChangeSetChanges(step_api::StepContext& context, const aws::XmlElement& result,
                         int* count);

}  // namespace slipway::stdlib::stack_deploy
