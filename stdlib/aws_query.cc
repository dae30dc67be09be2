#include "stdlib/aws_query.h"

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

}  // namespace slipway::stdlib::aws
