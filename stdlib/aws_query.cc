#include "stdlib/aws_query.h"

#include <cctype>

#include "stdlib/text_util.h"

namespace slipway::stdlib::aws {

std::string QueryResponse::Describe() const {
  if (!transport_error.empty()) return "no response: " + transport_error;
  std::string text;
  if (!error_code.empty()) text = error_code;
  if (!error_message.empty()) text += (text.empty() ? "" : ": ") + error_message;
  if (text.empty()) {
    text = xml ? "unexpected response" : "the response is not XML";
    std::string snippet = body.substr(0, 200);
    for (char& c : snippet) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    if (!snippet.empty()) text += " \"" + snippet + "\"";
  }
  return text + " (HTTP " + std::to_string(http_status) + ")";
}

bool QueryResponse::Retryable() const {
  if (!transport_error.empty()) return true;
  if (http_status >= 500 || http_status == 429) return true;
  return error_code == "Throttling" || error_code == "ThrottlingException" ||
         error_code == "RequestLimitExceeded";
}

std::string FormEncode(const QueryParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += UriEncode(name) + "=" + UriEncode(value);
  }
  return out;
}

QueryResponse CallQueryApi(const QueryEndpoint& endpoint, const AwsCredentials& credentials,
                           std::string_view action, const QueryParams& params, int64_t now_ms,
                           std::chrono::milliseconds timeout) {
  QueryParams all = {{"Action", std::string(action)}, {"Version", endpoint.version}};
  all.insert(all.end(), params.begin(), params.end());
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint.url;
  if (request.url.empty() || request.url.back() != '/') request.url += '/';
  request.timeout = timeout;
  request.body = FormEncode(all);
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  QueryResponse response;
  if (!SignHttpRequest(&request, credentials, endpoint.region, endpoint.service,
                       CompactUtc(now_ms))) {
    response.transport_error = "invalid endpoint URL \"" + endpoint.url + "\"";
    return response;
  }
  HttpResponse http = SendHttp(request);
  response.http_status = http.status;
  response.transport_error = http.transport_error;
  response.body = http.body;
  if (!http.received()) return response;
  std::string error;
  response.xml = ParseXml(http.body, &error);
  if (response.xml) {
    const XmlElement* failure =
        response.xml->name == "Error" ? &*response.xml : response.xml->Find("Error");
    if (failure) {
      response.error_code = failure->TextAt("Code");
      response.error_message = failure->TextAt("Message");
    }
  }
  return response;
}

std::string DefaultServiceEndpoint(std::string_view service, std::string_view region) {
  bool china = region.substr(0, 3) == "cn-";
  return "https://" + std::string(service) + "." + std::string(region) +
         (china ? ".amazonaws.com.cn" : ".amazonaws.com");
}

std::string ResolveServiceTarget(std::string_view service, std::string_view who,
                                 std::string_view region_input, std::string_view endpoint_input,
                                 const std::map<std::string, std::string>& env,
                                 ServiceTarget* target) {
  auto env_value = [&env](const std::string& key) {
    auto it = env.find(key);
    return it == env.end() ? std::string() : it->second;
  };
  // The AWS CLI's service-specific variable: AWS_ENDPOINT_URL_ + the service id upper-cased,
  // with spaces and dashes as underscores.
  std::string service_variable = "AWS_ENDPOINT_URL_";
  for (char c : service) {
    service_variable += c == ' ' || c == '-' ? '_' : static_cast<char>(std::toupper(c));
  }
  std::string endpoint(endpoint_input);
  if (endpoint.empty()) endpoint = env_value(service_variable);
  if (endpoint.empty()) endpoint = env_value("AWS_ENDPOINT_URL");
  std::string region(region_input);
  if (region.empty()) region = env_value("AWS_REGION");
  if (region.empty()) region = env_value("AWS_DEFAULT_REGION");
  if (region.empty()) {
    if (endpoint.empty()) {
      return std::string(who) +
             " needs a region: set input \"region\", AWS_REGION or AWS_DEFAULT_REGION";
    }
    region = "us-east-1";  // a custom endpoint still needs a signing region
  }
  if (endpoint.empty()) endpoint = DefaultServiceEndpoint(service, region);
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (endpoint.rfind("https://", 0) != 0 && endpoint.rfind("http://", 0) != 0) {
    std::string name = service == "cloudformation" ? "CloudFormation" : std::string(service);
    return name + " endpoint \"" + endpoint + "\" is not an http:// or https:// URL";
  }
  AwsCredentials credentials{env_value("AWS_ACCESS_KEY_ID"), env_value("AWS_SECRET_ACCESS_KEY"),
                             env_value("AWS_SESSION_TOKEN")};
  std::vector<std::string> missing;
  if (credentials.access_key_id.empty()) missing.push_back("AWS_ACCESS_KEY_ID");
  if (credentials.secret_access_key.empty()) missing.push_back("AWS_SECRET_ACCESS_KEY");
  if (!missing.empty()) {
    return std::string(who) + " needs AWS credentials in the step's environment: " +
           (missing.size() > 1 ? missing[0] + " and " + missing[1] + " are" : missing[0] + " is") +
           " not set (use aws-actions/configure-aws-credentials or `env:`; profiles and "
           "instance roles are not read)";
  }
  target->endpoint = endpoint;
  target->region = region;
  target->credentials = credentials;
  return "";
}

QueryResponse CallQueryApiWithRetries(const QueryEndpoint& endpoint,
                                      const AwsCredentials& credentials, std::string_view action,
                                      const QueryParams& params, step_api::StepContext& context,
                                      int attempts, std::chrono::milliseconds timeout,
                                      bool* cancelled) {
  QueryResponse response;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    response = CallQueryApi(endpoint, credentials, action, params, context.NowMs(), timeout);
    if (response.ok() || !response.Retryable() || attempt + 1 == attempts) break;
    context.Log(std::string(action) + ": " + response.Describe() + "; retrying");
    if (!context.Sleep(std::chrono::milliseconds(1000 << attempt))) {
      *cancelled = true;
      break;
    }
  }
  return response;
}

}  // namespace slipway::stdlib::aws
