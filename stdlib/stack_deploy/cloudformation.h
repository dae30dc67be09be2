#pragma once
/// tool cloudformation of stack-deploy: the CloudFormation Query API (version 2010-05-15) over
/// HTTPS, SigV4-signed with the credentials in the step's environment.
///   deploy:   CreateChangeSet (CREATE or UPDATE) → DescribeChangeSet until ready ("no
///             changes" is success) → ExecuteChangeSet → DescribeStacks/DescribeStackEvents
///             until *_COMPLETE or failure; the stack's Outputs become step outputs. Before an
///             update, the current template and parameters are saved (GetTemplate) under
///             <state-dir>/cloudformation/<region>/<stack>/previous.json for rollback.
///   diff:     the same change set, its changes logged, then DeleteChangeSet.
///   rollback: RollbackStack (failed stack), ContinueUpdateRollback (UPDATE_ROLLBACK_FAILED),
///             CancelUpdateStack (update in progress), else a change set back to previous.json.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/step_api/step_api.h"
#include "stdlib/aws_sigv4.h"
#include "stdlib/stack_deploy/stack_deploy.h"

namespace slipway::stdlib::stack_deploy {

/// Where the CloudFormation API is and whose credentials sign the calls.
struct CloudFormationTarget {
  std::string endpoint;  // without a trailing slash
  std::string region;
  aws::AwsCredentials credentials;
};

/// Resolves the target from the inputs and the step's environment: region from `region`,
/// AWS_REGION, AWS_DEFAULT_REGION; endpoint from `endpoint`, AWS_ENDPOINT_URL_CLOUDFORMATION,
/// AWS_ENDPOINT_URL, else https://cloudformation.<region>.amazonaws.com; credentials from
/// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN. Returns "" or why it cannot.
std::string ResolveCloudFormationTarget(const Config& config,
                                        const std::map<std::string, std::string>& env,
                                        CloudFormationTarget* target);

/// Runs deploy / diff / rollback for tool cloudformation.
step_api::StepOutcome RunCloudFormation(const Config& config,
                                        const std::map<std::string, std::string>& env,
                                        step_api::StepContext& context);

/// Describes what RunCloudFormation would do, for `plan` (no network).
std::vector<std::string> PreviewCloudFormation(const Config& config,
                                               const std::map<std::string, std::string>& env);

/// Whether a stack status is still moving, finished well, or finished badly. `rollback` is
/// true while waiting for a rollback, whose *ROLLBACK_COMPLETE end is the success.
enum class StackPhase { kInProgress, kSucceeded, kFailed };
StackPhase ClassifyStackStatus(std::string_view status, bool rollback);

/// True when a FAILED change set's StatusReason only means "nothing to change".
bool IsNoChangeReason(std::string_view reason);

}  // namespace slipway::stdlib::stack_deploy
