#pragma once
/// AWS Signature Version 4 (the AWS General Reference's "Signing AWS API requests"): the
/// canonical request, the string to sign, the derived signing key and the Authorization header,
/// with OpenSSL's SHA-256 and HMAC-SHA256. Used by the CloudFormation client of stack-deploy.
/// Every piece is a pure function so it can be checked against AWS's published examples.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stdlib/http_client.h"

namespace slipway::stdlib::aws {

/// An access key pair, with the session token of temporary (STS) credentials when there is one.
struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};

/// The parts of an HTTP request that SigV4 signs. `path` is the URI path as sent ("/" when
/// empty); `query` holds decoded name/value pairs; `headers` must include host and x-amz-date.
struct SignableRequest {
  std::string method = "GET";
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// Percent-encodes everything but A-Z a-z 0-9 - _ . ~ (RFC 3986 unreserved), as SigV4 and the
/// AWS Query protocol require; '/' is kept when `keep_slash` (for URI paths).
std::string UriEncode(std::string_view text, bool keep_slash = false);
/// Decodes %XX escapes ('+' stays '+'); malformed escapes are kept as written.
std::string UriDecode(std::string_view text);
/// Raw (binary) HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
/// Lower-case hex of binary data.
std::string HexEncode(std::string_view bytes);

/// The canonical request; `signed_headers` receives "host;x-amz-date;...".
std::string CanonicalRequest(const SignableRequest& request, std::string* signed_headers);
/// "20150830/us-east-1/iam/aws4_request" for date "20150830".
std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service);
/// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of canonical request>".
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);
/// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);
/// The Authorization header value for `request` (which already carries host and x-amz-date,
/// and x-amz-security-token when the credentials have a session token).
std::string AuthorizationHeader(const SignableRequest& request, const AwsCredentials& credentials,
                                std::string_view amz_date, std::string_view region,
                                std::string_view service);

/// Signs an outgoing request in place: adds Host (with the port when it is not the scheme's
/// default), X-Amz-Date, X-Amz-Security-Token (session credentials) and Authorization.
/// `amz_date` is "YYYYMMDDTHHMMSSZ". Returns false when the URL cannot be parsed.
bool SignHttpRequest(HttpRequest* request, const AwsCredentials& credentials,
                     std::string_view region, std::string_view service, std::string_view amz_date);

}  // namespace slipway::stdlib::aws
