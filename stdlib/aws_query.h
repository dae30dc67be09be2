#pragma once
/// The AWS Query protocol (CloudFormation, STS, ...): an `Action` and its parameters POSTed
/// form-encoded to the service endpoint, signed with SigV4, answered with XML. Errors come
/// back as <ErrorResponse><Error><Code/><Message/></Error></ErrorResponse>.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interpreter/step_api/step_api.h"
#include "stdlib/aws_sigv4.h"
#include "stdlib/aws_xml.h"

namespace slipway::stdlib::aws {

/// Name/value pairs of one call, in order ("Parameters.member.1.ParameterKey", ...).
using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// Where a Query API lives.
struct QueryEndpoint {
  std::string url;      // "https://cloudformation.us-east-1.amazonaws.com"
  std::string region;   // signing region
  std::string service;  // signing service name, e.g. "cloudformation"
  std::string version;  // API version, e.g. "2010-05-15"
};

/// The answer to one call. ok() when a 2xx response with an XML body arrived.
struct QueryResponse {
  long http_status = 0;
  std::string transport_error;  // no HTTP response at all (connection refused, timeout, ...)
  std::optional<XmlElement> xml;
  std::string error_code;  // e.g. "ValidationError", "AccessDenied"
  std::string error_message;
  std::string body;  // raw response body, for diagnostics

  bool ok() const { return transport_error.empty() && http_status / 100 == 2 && xml.has_value(); }
  /// One line for a log or a step failure: "AccessDenied: User ... (HTTP 403)".
  std::string Describe() const;
  /// Worth retrying: throttling, 5xx, or no response.
  bool Retryable() const;
};

/// "Action=X&Version=Y&K=V..." with RFC 3986 percent-encoding.
std::string FormEncode(const QueryParams& params);

/// Sends one signed call; `now_ms` (milliseconds since the epoch) dates the signature.
QueryResponse CallQueryApi(const QueryEndpoint& endpoint, const AwsCredentials& credentials,
                           std::string_view action, const QueryParams& params, int64_t now_ms,
                           std::chrono::milliseconds timeout);

/// A Query API service resolved for one step: where its calls go and whose keys sign them.
struct ServiceTarget {
  std::string endpoint;  // without a trailing slash
  std::string region;    // signing region
  AwsCredentials credentials;
};

/// https://<service>.<region>.amazonaws.com (amazonaws.com.cn in the cn-* regions).
std::string DefaultServiceEndpoint(std::string_view service, std::string_view region);

/// Resolves `service` (e.g. "cloudformation") from a step's inputs and environment, as the AWS
/// CLI does: region from `region_input`, AWS_REGION, AWS_DEFAULT_REGION; endpoint from
/// `endpoint_input`, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, else
/// DefaultServiceEndpoint (an endpoint without any region signs for us-east-1); credentials
/// from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN. Returns "" or why it
/// cannot, as a sentence that starts with `who` ("tool cloudformation needs a region: ...").
std::string ResolveServiceTarget(std::string_view service, std::string_view who,
                                 std::string_view region_input, std::string_view endpoint_input,
                                 const std::map<std::string, std::string>& env,
                                 ServiceTarget* target);

/// CallQueryApi, tried up to `attempts` times while the answer is Retryable(), waiting 1 s,
/// 2 s, 4 s ... on the step's clock and logging each retry. A cancelled wait stops early: the
/// last answer is returned and `*cancelled` is set.
QueryResponse CallQueryApiWithRetries(const QueryEndpoint& endpoint,
                                      const AwsCredentials& credentials, std::string_view action,
                                      const QueryParams& params, step_api::StepContext& context,
                                      int attempts, std::chrono::milliseconds timeout,
                                      bool* cancelled);

}  // namespace slipway::stdlib::aws
