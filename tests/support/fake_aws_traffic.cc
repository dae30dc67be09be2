#include "tests/support/fake_aws_traffic.h"

#include <algorithm>
#include <cmath>

#include "stdlib/aws_sigv4.h"
#include "tests/support/fake_cloudformation.h"

namespace slipway::testing {
namespace {

constexpr char kLambdaPrefix[] = "/2015-03-31/functions/";
constexpr char kElbNs[] = " xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"";

LoopbackHttpServer::Response Json(int status, const nlohmann::json& body) {
  LoopbackHttpServer::Response response;
  response.status = status;
  response.body = body.dump();
  return response;
}

LoopbackHttpServer::Response LambdaError(int status, const std::string& type,
                                         const std::string& message) {
  return Json(status, {{"Type", "User"}, {"message", message}, {"__type", type}});
}

LoopbackHttpServer::Response ElbError(int status, const std::string& code,
                                      const std::string& message) {
  return CfnXml(status, std::string("<ErrorResponse") + kElbNs +
                            "><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" +
                            message + "</Message></Error><RequestId>e-1</RequestId>"
                            "</ErrorResponse>");
}

// The signing scope names the service: ".../us-east-1/lambda/aws4_request".
bool SignedFor(const LoopbackHttpServer::Request& request, const std::string& service) {
  auto it = request.headers.find("authorization");
  return it != request.headers.end() &&
         it->second.rfind("AWS4-HMAC-SHA256 Credential=", 0) == 0 &&
         it->second.find("/" + service + "/aws4_request") != std::string::npos &&
         request.headers.count("x-amz-date");
}

}  // namespace

FakeAwsTraffic::FakeAwsTraffic() {
  server_.SetHandler([this](const LoopbackHttpServer::Request& r) { return Handle(r); });
}

void FakeAwsTraffic::AddAlias(const std::string& function, const std::string& alias,
                              Alias state) {
  std::lock_guard<std::mutex> lock(mutex_);
  aliases_[function + "/" + alias] = std::move(state);
}

FakeAwsTraffic::Alias FakeAwsTraffic::alias(const std::string& function,
                                            const std::string& alias) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = aliases_.find(function + "/" + alias);
  return it == aliases_.end() ? Alias{} : it->second;
}

void FakeAwsTraffic::TouchAlias(const std::string& function, const std::string& alias) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++aliases_[function + "/" + alias].revision;
}

void FakeAwsTraffic::AddListener(const std::string& arn, Listener state) {
  std::lock_guard<std::mutex> lock(mutex_);
  listeners_[arn] = std::move(state);
}

FakeAwsTraffic::Listener FakeAwsTraffic::listener(const std::string& arn) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = listeners_.find(arn);
  return it == listeners_.end() ? Listener{} : it->second;
}

void FakeAwsTraffic::FailNext(int count, int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  fail_count_ = count;
  fail_status_ = status;
}

std::vector<std::string> FakeAwsTraffic::calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return calls_;
}

std::vector<int> FakeAwsTraffic::shares() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return shares_;
}

LoopbackHttpServer::Response FakeAwsTraffic::Handle(const LoopbackHttpServer::Request& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  bool lambda = request.path.rfind(kLambdaPrefix, 0) == 0;
  if (fail_count_ > 0) {
    --fail_count_;
    calls_.push_back("failed");
    return lambda ? LambdaError(fail_status_, "ServiceException", "injected failure")
                  : ElbError(fail_status_, "InternalFailure", "injected failure");
  }
  return lambda ? Lambda(request) : Elb(request);
}

LoopbackHttpServer::Response FakeAwsTraffic::Lambda(const LoopbackHttpServer::Request& request) {
  if (!SignedFor(request, "lambda")) {
    return LambdaError(403, "InvalidSignatureException", "request not signed for lambda");
  }
  // /2015-03-31/functions/F/aliases/A
  std::string rest = request.path.substr(sizeof kLambdaPrefix - 1);
  size_t split = rest.find("/aliases/");
  if (split == std::string::npos) return LambdaError(404, "ResourceNotFoundException", "no route");
  std::string key = stdlib::aws::UriDecode(rest.substr(0, split)) + "/" +
                    stdlib::aws::UriDecode(rest.substr(split + 9));
  auto it = aliases_.find(key);
  if (it == aliases_.end()) {
    return LambdaError(404, "ResourceNotFoundException", "Alias not found: " + key);
  }
  Alias& alias = it->second;
  auto render = [&key, &alias] {
    nlohmann::json weights = nlohmann::json::object();
    for (const auto& [version, weight] : alias.weights) weights[version] = weight;
    return nlohmann::json{{"AliasArn", "arn:aws:lambda:us-east-1:123456789012:function:" + key},
                          {"Name", key.substr(key.find('/') + 1)},
                          {"FunctionVersion", alias.function_version},
                          {"RoutingConfig", {{"AdditionalVersionWeights", weights}}},
                          {"RevisionId", "rev-" + std::to_string(alias.revision)}};
  };
  if (request.method == "GET") {
    calls_.push_back("GetAlias");
    return Json(200, render());
  }
  if (request.method != "PUT") return LambdaError(405, "InvalidRequest", "method not allowed");
  calls_.push_back("UpdateAlias");
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object()) return LambdaError(400, "InvalidParameterValueException", "not JSON");
  if (body.contains("RevisionId") &&
      body["RevisionId"] != "rev-" + std::to_string(alias.revision)) {
    return LambdaError(412, "PreconditionFailedException",
                       "The Revision Id provided does not match the latest Revision Id.");
  }
  std::string version = body.value("FunctionVersion", alias.function_version);
  std::map<std::string, double> weights = alias.weights;
  if (body.contains("RoutingConfig")) {
    weights.clear();
    const nlohmann::json& routing = body["RoutingConfig"];
    if (routing.contains("AdditionalVersionWeights")) {
      for (const auto& [v, w] : routing["AdditionalVersionWeights"].items()) {
        if (!w.is_number() || w.get<double>() < 0 || w.get<double>() > 1) {
          return LambdaError(400, "InvalidParameterValueException", "weight out of range");
        }
        weights[v] = w.get<double>();
      }
    }
  }
  if (weights.size() > 1) {
    return LambdaError(400, "InvalidParameterValueException", "at most one additional version");
  }
  if (weights.count(version)) {
    return LambdaError(400, "InvalidParameterValueException",
                       "additional version is the alias's own version");
  }
  alias.function_version = version;
  alias.weights = weights;
  ++alias.revision;
  // Shares are reported for the highest-numbered version this alias has seen: the new one.
  int& newest = newest_version_[key];
  newest = std::max(newest, std::atoi(version.c_str()));
  for (const auto& [v, w] : weights) newest = std::max(newest, std::atoi(v.c_str()));
  std::string name = std::to_string(newest);
  shares_.push_back(name == version ? 100
                                    : static_cast<int>(std::lround(
                                          weights.count(name) ? weights[name] * 100 : 0)));
  return Json(200, render());
}

LoopbackHttpServer::Response FakeAwsTraffic::Elb(const LoopbackHttpServer::Request& request) {
  Form form = ParseForm(request.body);
  if (!SignedFor(request, "elasticloadbalancing")) {
    return ElbError(403, "InvalidSignature", "request not signed for elasticloadbalancing");
  }
  if (request.method != "POST" || form["Version"] != "2015-12-01") {
    return ElbError(400, "InvalidAction", "expected a POST with Version 2015-12-01");
  }
  const std::string action = form["Action"];
  calls_.push_back(action);
  if (action == "DescribeListeners") {
    auto it = listeners_.find(form["ListenerArns.member.1"]);
    if (it == listeners_.end()) return ElbError(400, "ListenerNotFound", "no such listener");
    std::string groups;
    for (const auto& [arn, weight] : it->second) {
      groups += "<member><TargetGroupArn>" + arn + "</TargetGroupArn><Weight>" +
                std::to_string(weight) + "</Weight></member>";
    }
    return CfnXml(200, std::string("<DescribeListenersResponse") + kElbNs +
                           "><DescribeListenersResult><Listeners><member><ListenerArn>" +
                           it->first +
                           "</ListenerArn><DefaultActions><member><Type>forward</Type>"
                           "<ForwardConfig><TargetGroups>" +
                           groups +
                           "</TargetGroups></ForwardConfig></member></DefaultActions></member>"
                           "</Listeners></DescribeListenersResult></DescribeListenersResponse>");
  }
  if (action != "ModifyListener") return ElbError(400, "InvalidAction", "unknown " + action);
  auto it = listeners_.find(form["ListenerArn"]);
  if (it == listeners_.end()) return ElbError(400, "ListenerNotFound", "no such listener");
  if (form["DefaultActions.member.1.Type"] != "forward") {
    return ElbError(400, "ValidationError", "expected a forward action");
  }
  Listener next;
  const std::string prefix = "DefaultActions.member.1.ForwardConfig.TargetGroups.member.";
  for (int i = 1; form.count(prefix + std::to_string(i) + ".TargetGroupArn"); ++i) {
    std::string arn = form[prefix + std::to_string(i) + ".TargetGroupArn"];
    int weight = std::atoi(form[prefix + std::to_string(i) + ".Weight"].c_str());
    if (weight < 0 || weight > 999) return ElbError(400, "ValidationError", "weight 0-999");
    if (!it->second.count(arn)) return ElbError(400, "TargetGroupNotFound", "no " + arn);
    next[arn] = weight;
  }
  if (next.empty()) return ElbError(400, "ValidationError", "no target groups");
  it->second = next;
  int total = 0;
  for (const auto& [arn, weight] : next) total += weight;
  // Shares are reported for the last target group named (the new one in tests).
  const std::string last = form[prefix + std::to_string(next.size()) + ".TargetGroupArn"];
  shares_.push_back(total ? static_cast<int>(std::lround(100.0 * next[last] / total)) : 0);
  return CfnXml(200, std::string("<ModifyListenerResponse") + kElbNs +
                         "><ModifyListenerResult><Listeners><member><ListenerArn>" + it->first +
                         "</ListenerArn></member></Listeners></ModifyListenerResult>"
                         "</ModifyListenerResponse>");
}

}  // namespace slipway::testing
