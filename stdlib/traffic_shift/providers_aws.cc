// The AWS providers: a Lambda alias's weighted routing (Lambda's REST-JSON API, UpdateAlias)
// and an Application Load Balancer listener's weighted target groups (the Elastic Load
// Balancing v2 Query API, ModifyListener). Both signed with SigV4 (aws_sigv4.h).
#include <cmath>
#include <cstdio>

#include "stdlib/aws_query.h"
#include "stdlib/aws_rest.h"
#include "stdlib/traffic_shift/provider.h"

namespace slipway::stdlib::traffic_shift {
namespace {

constexpr int kAttempts = 4;
constexpr std::chrono::milliseconds kCallTimeout{30'000};

/// https://docs.aws.amazon.com/lambda/latest/api/API_UpdateAlias.html: the alias keeps
/// FunctionVersion (the stable version) and sends AdditionalVersionWeights[new] of the calls
/// to the new version; at 100 % the alias simply points at the new version.
class LambdaAliasProvider final : public Provider {
 public:
  LambdaAliasProvider(const Config& config, aws::ServiceTarget target,
                      step_api::StepContext& context)
      : config_(config), target_(std::move(target)), context_(context) {
    stable_ = config.stable_version;
    path_ = "/2015-03-31/functions/" + aws::UriEncode(config.function_name) + "/aliases/" +
            aws::UriEncode(config.alias);
  }

  std::string ReadPercent(int* percent) override {
    aws::RestResponse response = Call("GET", nullptr);
    if (!response.ok()) return "GetAlias " + Name() + ": " + response.Describe();
    std::string error = Remember(response.json);
    if (!error.empty()) return error;
    std::string version = response.json.value("FunctionVersion", "");
    double weight = 0;
    const nlohmann::json& routing = response.json.value("RoutingConfig", nlohmann::json::object());
    if (routing.is_object() && routing.contains("AdditionalVersionWeights") &&
        routing["AdditionalVersionWeights"].is_object()) {
      const nlohmann::json& weights = routing["AdditionalVersionWeights"];
      if (weights.contains(config_.function_version) &&
          weights[config_.function_version].is_number()) {
        weight = weights[config_.function_version].get<double>();
      }
    }
    *percent = version == config_.function_version ? 100
                                                   : static_cast<int>(std::lround(weight * 100));
    if (stable_.empty() && version != config_.function_version) stable_ = version;
    return "";
  }

  std::string Apply(int percent) override {
    if (stable_.empty() && percent < 100) {
      return "alias " + Name() + " already points at version " + config_.function_version +
             " and no \"stable-version\" was given to keep the rest of the traffic";
    }
    nlohmann::json weights = nlohmann::json::object();
    nlohmann::json body;
    if (percent >= 100) {
      body["FunctionVersion"] = config_.function_version;
    } else {
      body["FunctionVersion"] = stable_;
      if (percent > 0) weights[config_.function_version] = percent / 100.0;
    }
    // An empty map removes the routing, as the API documents.
    body["RoutingConfig"] = {{"AdditionalVersionWeights", weights}};
    if (!revision_.empty()) body["RevisionId"] = revision_;
    aws::RestResponse response = Call("PUT", body);
    if (!response.ok()) return "UpdateAlias " + Name() + ": " + response.Describe();
    return Remember(response.json);
  }

 private:
  std::string Name() const { return config_.function_name + ":" + config_.alias; }

  aws::RestResponse Call(const char* method, const nlohmann::json& body) {
    bool cancelled = false;
    aws::RestResponse response = aws::CallRestJsonWithRetries(
        target_, "lambda", method, path_, body, context_, kAttempts, kCallTimeout, &cancelled);
    if (cancelled) response.transport_error = "cancelled";
    return response;
  }

  // Keeps the alias's RevisionId, so an UpdateAlias fails (PreconditionFailedException)
  // rather than overwrite a change someone else made meanwhile.
  std::string Remember(const nlohmann::json& alias) {
    if (!alias.is_object() || !alias.contains("FunctionVersion")) {
      return "Lambda answered without the alias (no FunctionVersion)";
    }
    revision_ = alias.value("RevisionId", "");
    return "";
  }

  const Config& config_;
  aws::ServiceTarget target_;
  step_api::StepContext& context_;
  std::string path_;
  std::string stable_;
  std::string revision_;
};

/// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyListener.html:
/// the listener's default action forwards to two target groups with weights N and 100-N.
class AlbProvider final : public Provider {
 public:
  AlbProvider(const Config& config, aws::ServiceTarget target, step_api::StepContext& context)
      : config_(config), target_(std::move(target)), context_(context) {
    endpoint_ = {target_.endpoint, target_.region, "elasticloadbalancing", "2015-12-01"};
  }

  std::string ReadPercent(int* percent) override {
    aws::QueryResponse response =
        Call("DescribeListeners", {{"ListenerArns.member.1", config_.listener_arn}});
    if (!response.ok()) return "DescribeListeners: " + response.Describe();
    const aws::XmlElement* listener =
        response.xml->Path("DescribeListenersResult/Listeners/member");
    if (!listener) return "DescribeListeners: listener " + config_.listener_arn + " not found";
    const aws::XmlElement* actions = listener->Child("DefaultActions");
    double next = 0, previous = 0, other = 0;
    for (const aws::XmlElement* action :
         actions ? actions->Children("member") : std::vector<const aws::XmlElement*>{}) {
      if (action->TextAt("Type") != "forward") continue;
      const aws::XmlElement* groups = action->Path("ForwardConfig/TargetGroups");
      std::vector<const aws::XmlElement*> members =
          groups ? groups->Children("member") : std::vector<const aws::XmlElement*>{};
      if (members.empty() && !action->TextAt("TargetGroupArn").empty()) {
        Count(action->TextAt("TargetGroupArn"), 1, &next, &previous, &other);
      }
      for (const aws::XmlElement* group : members) {
        std::string weight = group->TextAt("Weight");
        Count(group->TextAt("TargetGroupArn"), weight.empty() ? 1 : std::atof(weight.c_str()),
              &next, &previous, &other);
      }
    }
    if (other > 0) {
      return "listener " + config_.listener_arn +
             " also forwards to target groups other than target-group and "
             "previous-target-group; refusing to change it";
    }
    *percent = next + previous > 0 ? static_cast<int>(std::lround(100 * next / (next + previous)))
                                   : 0;
    return "";
  }

  std::string Apply(int percent) override {
    const std::string action = "DefaultActions.member.1.";
    const std::string groups = action + "ForwardConfig.TargetGroups.member.";
    aws::QueryParams params = {
        {"ListenerArn", config_.listener_arn},
        {action + "Type", "forward"},
        {groups + "1.TargetGroupArn", config_.previous_target_group},
        {groups + "1.Weight", std::to_string(100 - percent)},
        {groups + "2.TargetGroupArn", config_.target_group},
        {groups + "2.Weight", std::to_string(percent)},
    };
    aws::QueryResponse response = Call("ModifyListener", params);
    if (!response.ok()) return "ModifyListener: " + response.Describe();
    return "";
  }

 private:
  void Count(const std::string& arn, double weight, double* next, double* previous,
             double* other) const {
    if (arn == config_.target_group) {
      *next += weight;
    } else if (arn == config_.previous_target_group) {
      *previous += weight;
    } else if (weight > 0) {
      *other += weight;
    }
  }

  aws::QueryResponse Call(const char* action, const aws::QueryParams& params) {
    bool cancelled = false;
    aws::QueryResponse response = aws::CallQueryApiWithRetries(
        endpoint_, target_.credentials, action, params, context_, kAttempts, kCallTimeout,
        &cancelled);
    if (cancelled) response.transport_error = "cancelled";
    return response;
  }

  const Config& config_;
  aws::ServiceTarget target_;
  step_api::StepContext& context_;
  aws::QueryEndpoint endpoint_;
};

}  // namespace

std::unique_ptr<Provider> MakeLambdaAliasProvider(const Config& config,
                                                  const std::map<std::string, std::string>& env,
                                                  step_api::StepContext& context,
                                                  std::string* error) {
  aws::ServiceTarget target;
  *error = aws::ResolveServiceTarget("lambda", "provider lambda-alias", config.region,
                                     config.endpoint, env, &target);
  if (!error->empty()) return nullptr;
  return std::make_unique<LambdaAliasProvider>(config, std::move(target), context);
}

std::unique_ptr<Provider> MakeAlbProvider(const Config& config,
                                          const std::map<std::string, std::string>& env,
                                          step_api::StepContext& context, std::string* error) {
  aws::ServiceTarget target;
  *error = aws::ResolveServiceTarget("elasticloadbalancing", "provider alb", config.region,
                                     config.endpoint, env, &target);
  if (!error->empty()) return nullptr;
  return std::make_unique<AlbProvider>(config, std::move(target), context);
}

}  // namespace slipway::stdlib::traffic_shift
