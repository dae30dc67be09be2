#include "stdlib/stack_deploy/local_stack_origin.h"

namespace slipway::stdlib::stack_deploy {
namespace {

const nlohmann::json& Deployer(const nlohmann::json& meta) {
  static const nlohmann::json kNone = nullptr;
  if (!meta.is_object()) return kNone;
  auto it = meta.find("deployed_by");
  return it != meta.end() && it->is_object() && !it->value("run_id", "").empty() ? *it : kNone;
}

std::string EnvironmentOf(const nlohmann::json& meta) {
  const nlohmann::json& deployer = Deployer(meta);
  return deployer.is_object() ? deployer.value("environment", "") : "";
}

// "a job without an environment" / "a job of environment "production"".
std::string JobOf(const std::string& environment) {
  return environment.empty() ? "a job without an environment"
                             : "a job of environment \"" + environment + "\"";
}

}  // namespace

nlohmann::json DeployedBy(const step_api::RunOrigin& origin) {
  return {{"run_id", origin.run_id},
          {"workflow", origin.workflow},
          {"job", origin.job},
          {"ref", origin.ref},
          {"sha", origin.sha},
          {"actor", origin.actor},
          {"environment", origin.environment}};
}

std::string DescribeDeployer(const nlohmann::json& deployed_by) {
  std::string environment = deployed_by.value("environment", "");
  return "run " + deployed_by.value("run_id", "") + " (" + deployed_by.value("workflow", "") +
         ", job " + deployed_by.value("job", "") + ") from " + deployed_by.value("ref", "") +
         (environment.empty() ? " without an environment"
                              : " to environment \"" + environment + "\"");
}

std::string ActingEnvironment(const nlohmann::json& live, const step_api::RunOrigin& origin) {
  if (!origin.environment.empty()) return origin.environment;
  const nlohmann::json& deployer = Deployer(live);
  if (deployer.is_object() && !origin.run_id.empty() &&
      deployer.value("run_id", "") == origin.run_id) {
    return deployer.value("environment", "");
  }
  return "";
}

std::string TakeDownRefusal(const nlohmann::json& live, const std::string& environment) {
  std::string live_environment = EnvironmentOf(live);
  if (live_environment.empty() || live_environment == environment) return "";
  return "the live version " + live.value("version", "") + " was deployed by " +
         DescribeDeployer(Deployer(live)) + ", and " + JobOf(environment) +
         " does not take it down; roll it back from a job of environment \"" + live_environment +
         "\"";
}

std::string RestoreRefusal(const nlohmann::json& meta, const std::string& environment,
                           const step_api::StepContext& context) {
  std::string version = meta.is_object() ? meta.value("version", "") : "";
  const nlohmann::json& deployer = Deployer(meta);
  if (!deployer.is_object()) {
    return version +
           "'s record does not say which run deployed it (it was written before slipway "
           "recorded that), so it is not restored; deploy that version again instead";
  }
  std::string deployed_to = deployer.value("environment", "");
  if (deployed_to != environment) {
    return version + " was deployed by " + DescribeDeployer(deployer) + ", and " +
           JobOf(environment) + " restores only versions deployed " +
           (environment.empty() ? std::string("without one") : "to \"" + environment + "\"");
  }
  std::string ref = deployer.value("ref", "");
  std::string own_ref = context.origin().ref;
  switch (context.DeploymentPolicy(environment, ref)) {
    case step_api::RefPolicy::kAdmits:
      return "";
    case step_api::RefPolicy::kRefuses:
      return version + " was deployed by " + DescribeDeployer(deployer) +
             ", a ref the deployment_branches of environment \"" + environment + "\" do not admit";
    case step_api::RefPolicy::kNone:
      break;
  }
  if (ref == own_ref) return "";
  return version + " was deployed by " + DescribeDeployer(deployer) + ", not from this run's ref " +
         own_ref + "; " +
         (environment.empty()
              ? std::string("without an environment, only versions deployed from the same ref "
                            "are restored")
              : "environment \"" + environment +
                    "\" has no deployment_branches that would admit other refs");
}

}  // namespace slipway::stdlib::stack_deploy
