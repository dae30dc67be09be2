// SigV4 against AWS's published examples: the IAM ListUsers walk-through of the AWS General
// Reference ("Create a signed AWS API request": canonical request, its hash, the derived
// signing key and the signature) and cases of AWS's SigV4 test suite (credentials AKIDEXAMPLE /
// wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830T123600Z, us-east-1, service "service").
#include "stdlib/aws_sigv4.h"

#include <gtest/gtest.h>

#include "stdlib/files.h"

namespace slipway::stdlib::aws {
namespace {

const AwsCredentials kExample{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
constexpr char kDate[] = "20150830T123600Z";

// The AWS SigV4 test suite's session token (post-sts-token cases).
constexpr char kSuiteToken[] =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSP"
    "fIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT"
    "7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlz"
    "m8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

std::string Suite(const std::string& signed_headers, const std::string& signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
         "SignedHeaders=" +
         signed_headers + ", Signature=" + signature;
}

SignableRequest IamListUsers() {
  SignableRequest request;
  request.method = "GET";
  request.path = "/";
  request.query = {{"Action", "ListUsers"}, {"Version", "2010-05-08"}};
  request.headers = {{"Host", "iam.amazonaws.com"},
                     {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                     {"X-Amz-Date", kDate}};
  return request;
}

TEST(SigV4Test, IamListUsersCanonicalRequest) {
  std::string signed_headers;
  std::string canonical = CanonicalRequest(IamListUsers(), &signed_headers);
  EXPECT_EQ(canonical,
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
            "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "content-type;host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(signed_headers, "content-type;host;x-amz-date");
  EXPECT_EQ(Sha256Hex(canonical),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
}

TEST(SigV4Test, IamListUsersStringToSignKeyAndSignature) {
  std::string scope = CredentialScope("20150830", "us-east-1", "iam");
  EXPECT_EQ(scope, "20150830/us-east-1/iam/aws4_request");
  std::string to_sign = StringToSign(kDate, scope, CanonicalRequest(IamListUsers(), nullptr));
  EXPECT_EQ(to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  std::string key = SigningKey(kExample.secret_access_key, "20150830", "us-east-1", "iam");
  EXPECT_EQ(HexEncode(key), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
  EXPECT_EQ(HexEncode(HmacSha256(key, to_sign)),
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  EXPECT_EQ(AuthorizationHeader(IamListUsers(), kExample, kDate, "us-east-1", "iam"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST(SigV4Test, SuitePostVanilla) {
  SignableRequest request;
  request.method = "POST";
  request.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kDate}};
  EXPECT_EQ(
      AuthorizationHeader(request, kExample, kDate, "us-east-1", "service"),
      Suite("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
}

TEST(SigV4Test, SuitePostFormBody) {
  // post-x-www-form-urlencoded: the body is hashed into the signature.
  SignableRequest request;
  request.method = "POST";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Host", "example.amazonaws.com"},
                     {"X-Amz-Date", kDate}};
  request.body = "Param1=value1";
  EXPECT_EQ(AuthorizationHeader(request, kExample, kDate, "us-east-1", "service"),
            Suite("content-type;host;x-amz-date",
                  "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
  request.body = "Param1=value2";
  EXPECT_NE(AuthorizationHeader(request, kExample, kDate, "us-east-1", "service"),
            Suite("content-type;host;x-amz-date",
                  "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

TEST(SigV4Test, SuiteQueryEncodingAndOrder) {
  // post-vanilla-query-nonunreserved: reserved characters are %-encoded, pairs sorted encoded.
  SignableRequest request;
  request.method = "POST";
  request.query = {{"@#$%^", ""}, {"+", "/,?><`\";:\\|][{}"}};
  request.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kDate}};
  EXPECT_EQ(
      AuthorizationHeader(request, kExample, kDate, "us-east-1", "service"),
      Suite("host;x-amz-date", "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"));
}

TEST(SigV4Test, SignHttpRequestSuiteGetQueryOrder) {
  // get-vanilla-query-order-key-case, through the URL parser.
  HttpRequest request;
  request.method = "GET";
  request.url = "https://example.amazonaws.com/?Param2=value2&Param1=value1";
  ASSERT_TRUE(SignHttpRequest(&request, kExample, "us-east-1", "service", kDate));
  std::map<std::string, std::string> headers(request.headers.begin(), request.headers.end());
  EXPECT_EQ(headers["Host"], "example.amazonaws.com");
  EXPECT_EQ(headers["X-Amz-Date"], kDate);
  EXPECT_EQ(headers.count("X-Amz-Security-Token"), 0u);
  EXPECT_EQ(
      headers["Authorization"],
      Suite("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST(SigV4Test, SignHttpRequestSuiteSessionToken) {
  // post-sts-header-before: the session token is sent and signed as x-amz-security-token.
  HttpRequest request;
  request.method = "POST";
  request.url = "https://example.amazonaws.com:443/";
  AwsCredentials session = kExample;
  session.session_token = kSuiteToken;
  ASSERT_TRUE(SignHttpRequest(&request, session, "us-east-1", "service", kDate));
  std::map<std::string, std::string> headers(request.headers.begin(), request.headers.end());
  EXPECT_EQ(headers["Host"], "example.amazonaws.com");  // the default port is not part of it
  EXPECT_EQ(headers["X-Amz-Security-Token"], kSuiteToken);
  EXPECT_EQ(headers["Authorization"],
            Suite("host;x-amz-date;x-amz-security-token",
                  "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"));
}

TEST(SigV4Test, SignHttpRequestKeepsPortsAndReplacesOwnHeaders) {
  HttpRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:8080";
  request.headers = {{"authorization", "stale"}, {"Content-Type", "text/plain"}};
  ASSERT_TRUE(SignHttpRequest(&request, kExample, "us-east-1", "cloudformation", kDate));
  int authorizations = 0;
  std::string host;
  for (const auto& [name, value] : request.headers) {
    if (name == "Authorization" || name == "authorization") ++authorizations;
    if (name == "Host") host = value;
  }
  EXPECT_EQ(authorizations, 1);
  EXPECT_EQ(host, "127.0.0.1:8080");
  HttpRequest bad;
  bad.url = "not a url";
  EXPECT_FALSE(SignHttpRequest(&bad, kExample, "us-east-1", "cloudformation", kDate));
}

TEST(SigV4Test, CanonicalHeadersTrimAndJoin) {
  SignableRequest request;
  request.method = "GET";
  request.headers = {{"Host", "example.amazonaws.com"},
                     {"My-Header1", "  a   b  c "},
                     {"my-header1", "d"},
                     {"X-Amz-Date", kDate}};
  std::string signed_headers;
  std::string canonical = CanonicalRequest(request, &signed_headers);
  EXPECT_NE(canonical.find("my-header1:a b c,d\n"), std::string::npos) << canonical;
  EXPECT_EQ(signed_headers, "host;my-header1;x-amz-date");
}

TEST(SigV4Test, UriEncodeAndDecode) {
  EXPECT_EQ(UriEncode("a b+c/d~e_f.g-h"), "a%20b%2Bc%2Fd~e_f.g-h");
  EXPECT_EQ(UriEncode("/a b/c", /*keep_slash=*/true), "/a%20b/c");
  EXPECT_EQ(UriEncode("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(UriDecode("a%20b%2Bc+d%zz%4"), "a b+c+d%zz%4");
}

}  // namespace
}  // namespace slipway::stdlib::aws
