#include "stdlib/aws_sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "stdlib/files.h"

namespace slipway::stdlib::aws {
namespace {

constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Trims the value and collapses runs of spaces into one, as the canonical headers require.
std::string CanonicalValue(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string UriDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int high = HexDigit(text[i + 1]);
      int low = HexDigit(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &size);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string HexEncode(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string CanonicalRequest(const SignableRequest& request, std::string* signed_headers) {
  // The path as sent is already percent-encoded once; SigV4 (for every service but S3)
  // encodes it again.
  std::string path = request.path.empty() ? "/" : request.path;
  std::string canonical = request.method + "\n" + UriEncode(path, /*keep_slash=*/true) + "\n";

  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& [name, value] : request.query)
    query.emplace_back(UriEncode(name), UriEncode(value));
  std::sort(query.begin(), query.end());
  for (size_t i = 0; i < query.size(); ++i) {
    if (i > 0) canonical += '&';
    canonical += query[i].first + "=" + query[i].second;
  }
  canonical += "\n";

  std::map<std::string, std::string> headers;  // sorted by lower-case name
  for (const auto& [name, value] : request.headers) {
    std::string key = Lower(name);
    auto [it, inserted] = headers.emplace(key, CanonicalValue(value));
    if (!inserted) it->second += "," + CanonicalValue(value);
  }
  std::string names;
  for (const auto& [name, value] : headers) {
    canonical += name + ":" + value + "\n";
    names += (names.empty() ? "" : ";") + name;
  }
  canonical += "\n" + names + "\n" + Sha256Hex(request.body);
  if (signed_headers) *signed_headers = names;
  return canonical;
}

std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service) {
  return std::string(date) + "/" + std::string(region) + "/" + std::string(service) +
         "/aws4_request";
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  return std::string(kAlgorithm) + "\n" + std::string(amz_date) + "\n" + std::string(scope) + "\n" +
         Sha256Hex(canonical_request);
}

std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  std::string key = HmacSha256("AWS4" + std::string(secret), date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  return HmacSha256(key, "aws4_request");
}

std::string AuthorizationHeader(const SignableRequest& request, const AwsCredentials& credentials,
                                std::string_view amz_date, std::string_view region,
                                std::string_view service) {
  std::string date(amz_date.substr(0, 8));
  std::string signed_headers;
  std::string canonical = CanonicalRequest(request, &signed_headers);
  std::string scope = CredentialScope(date, region, service);
  std::string signature =
      HexEncode(HmacSha256(SigningKey(credentials.secret_access_key, date, region, service),
                           StringToSign(amz_date, scope, canonical)));
  return std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" + scope +
         ", SignedHeaders=" + signed_headers + ", Signature=" + signature;
}

bool SignHttpRequest(HttpRequest* request, const AwsCredentials& credentials,
                     std::string_view region, std::string_view service, std::string_view amz_date) {
  const std::string& url = request->url;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return false;
  std::string scheme = Lower(url.substr(0, scheme_end));
  size_t authority_start = scheme_end + 3;
  size_t path_start = url.find_first_of("/?#", authority_start);
  std::string authority =
      url.substr(authority_start, path_start == std::string::npos ? std::string::npos
                                                                  : path_start - authority_start);
  if (authority.empty() || authority.find('@') != std::string::npos) return false;
  // Drop the scheme's default port: the server sees "host", not "host:443".
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    std::string port = authority.substr(colon + 1);
    if ((scheme == "https" && port == "443") || (scheme == "http" && port == "80")) {
      authority.resize(colon);
    }
  }
  SignableRequest signable;
  signable.method = request->method;
  std::string rest = path_start == std::string::npos ? "" : url.substr(path_start);
  rest = rest.substr(0, rest.find('#'));
  size_t question = rest.find('?');
  signable.path = question == std::string::npos ? rest : rest.substr(0, question);
  if (signable.path.empty()) signable.path = "/";
  if (question != std::string::npos) {
    std::string query = rest.substr(question + 1);
    size_t start = 0;
    while (start <= query.size()) {
      size_t end = query.find('&', start);
      if (end == std::string::npos) end = query.size();
      std::string pair = query.substr(start, end - start);
      if (!pair.empty()) {
        size_t eq = pair.find('=');
        signable.query.emplace_back(UriDecode(pair.substr(0, eq)),
                                    eq == std::string::npos ? "" : UriDecode(pair.substr(eq + 1)));
      }
      start = end + 1;
    }
  }
  // Replace any headers this function owns, then add them fresh.
  auto& headers = request->headers;
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [](const auto& header) {
                                 std::string name = Lower(header.first);
                                 return name == "host" || name == "x-amz-date" ||
                                        name == "x-amz-security-token" || name == "authorization";
                               }),
                headers.end());
  headers.emplace_back("Host", authority);
  headers.emplace_back("X-Amz-Date", std::string(amz_date));
  if (!credentials.session_token.empty()) {
    headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  signable.headers = headers;
  signable.body = request->body;
  headers.emplace_back("Authorization",
                       AuthorizationHeader(signable, credentials, amz_date, region, service));
  return true;
}

}  // namespace slipway::stdlib::aws
