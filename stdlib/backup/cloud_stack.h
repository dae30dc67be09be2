#pragma once
/// source stack of slipway/backup@v1 for the tools that deploy CloudFormation stacks (cdk, sam,
/// cloudformation): the stack's state read through the CloudFormation Query API (the same
/// endpoint, region and credential resolution as stack-deploy's tool cloudformation), saved as
/// the JSON the AWS CLI prints for the same calls:
///   stack/describe-stacks.json      DescribeStacks: {"Stacks": [{...}]}
///   stack/template.json             GetTemplate (Original): {"TemplateBody", "StagesAvailable"}
///   stack/template-body.json|.yaml  the template itself, byte for byte, ready to redeploy
///   stack/stack-resources.json      DescribeStackResources: {"StackResources": [...]}
/// A stack that does not exist yet (or was never executed: REVIEW_IN_PROGRESS) has nothing to
/// back up: no file is written and the metadata says so.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "interpreter/step_api/step_api.h"
#include "stdlib/aws_xml.h"

namespace slipway::stdlib::backup {

/// Which stack to capture and where its API is.
struct CloudStackRequest {
  std::string stack;     // name or stack id
  std::string tool;      // cdk, sam or cloudformation (recorded in the metadata)
  std::string region;    // input "region" ("" → AWS_REGION, AWS_DEFAULT_REGION)
  std::string endpoint;  // input "endpoint" ("" → AWS_ENDPOINT_URL_CLOUDFORMATION, ...)
};

/// Writes the files above under `dir` and fills `stack_metadata` (name, tool, region,
/// endpoint, exists, stack_id, status). Returns a success outcome to go on with, or the
/// failure (missing credentials, an AWS error with its code and message) or cancellation.
step_api::StepOutcome CaptureCloudStack(const CloudStackRequest& request,
                                        const std::map<std::string, std::string>& env,
                                        step_api::StepContext& context,
                                        const std::filesystem::path& dir,
                                        nlohmann::json* stack_metadata);

/// A CloudFormation Query API result element as the AWS CLI prints it: lists of <member>
/// become arrays (empty lists included, for the fields known to be lists), the known boolean
/// and integer fields become JSON booleans and numbers, every other leaf stays a string.
nlohmann::json QueryXmlToJson(const aws::XmlElement& element);

}  // namespace slipway::stdlib::backup
