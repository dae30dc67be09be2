#include "stdlib/aws_rest.h"

#include "interpreter/base/json_nesting.h"
#include "stdlib/text_util.h"

namespace slipway::stdlib::aws {

std::string RestResponse::Describe() const {
  if (!transport_error.empty()) return "no response: " + transport_error;
  std::string text;
  if (json.is_object()) {
    std::string type = json.value("Type", "");
    std::string code = json.value("__type", "");
    if (!code.empty()) text = code.substr(code.rfind('#') == std::string::npos ? 0 : code.rfind('#') + 1);
    if (text.empty() && !type.empty()) text = type;
  }
  if (!error_message.empty()) text += (text.empty() ? "" : ": ") + error_message;
  if (text.empty()) {
    std::string snippet = body.substr(0, 200);
    for (char& c : snippet) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    text = snippet.empty() ? "empty answer" : "\"" + snippet + "\"";
  }
  return text + " (HTTP " + std::to_string(http_status) + ")";
}

bool RestResponse::Retryable() const {
  return !transport_error.empty() || http_status >= 500 || http_status == 429;
}

RestResponse CallRestJson(const ServiceTarget& target, std::string_view service,
                          std::string_view method, std::string_view path,
                          const nlohmann::json& body, int64_t now_ms,
                          std::chrono::milliseconds timeout) {
  HttpRequest request;
  request.method = std::string(method);
  request.url = target.endpoint + std::string(path);
  request.timeout = timeout;
  if (!body.is_null()) {
    request.body = body.dump();
    request.headers.emplace_back("Content-Type", "application/json");
  }
  RestResponse response;
  if (!SignHttpRequest(&request, target.credentials, target.region, service,
                       CompactUtc(now_ms))) {
    response.transport_error = "invalid endpoint URL \"" + target.endpoint + "\"";
    return response;
  }
  HttpResponse http = SendHttp(request);
  response.http_status = http.status;
  response.transport_error = http.transport_error;
  response.body = http.body;
  if (!http.received()) return response;
  // An answer nested deeper than any AWS API answers is not read as JSON.
  response.json = JsonNestingError(http.body).empty()
                      ? nlohmann::json::parse(http.body, nullptr, false)
                      : nlohmann::json(nlohmann::json::value_t::discarded);
  if (response.json.is_discarded()) response.json = nullptr;
  if (!response.ok() && response.json.is_object()) {
    response.error_message = response.json.value("message", response.json.value("Message", ""));
  }
  return response;
}

RestResponse CallRestJsonWithRetries(const ServiceTarget& target, std::string_view service,
                                     std::string_view method, std::string_view path,
                                     const nlohmann::json& body, step_api::StepContext& context,
                                     int attempts, std::chrono::milliseconds timeout,
                                     bool* cancelled) {
  RestResponse response;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    response = CallRestJson(target, service, method, path, body, context.NowMs(), timeout);
    if (response.ok() || !response.Retryable() || attempt + 1 == attempts) break;
    context.Log(std::string(method) + " " + std::string(path) + ": " + response.Describe() +
                "; retrying");
    if (!context.Sleep(std::chrono::milliseconds(1000 << attempt))) {
      *cancelled = true;
      break;
    }
  }
  return response;
}

}  // namespace slipway::stdlib::aws
