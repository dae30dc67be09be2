#pragma once
/// The AWS REST-JSON protocol (Lambda, ...): a method on a resource path, a JSON body, signed
/// with SigV4, answered with JSON. Errors come back as a non-2xx status with a JSON body
/// holding "message" (or "Message") and, for Lambda, "Type".

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "interpreter/step_api/step_api.h"
#include "stdlib/aws_query.h"

namespace slipway::stdlib::aws {

/// The answer to one REST-JSON call. ok() when a 2xx response with a JSON body (or none) came.
struct RestResponse {
  long http_status = 0;
  std::string transport_error;
  nlohmann::json json;  // the parsed body; null when empty or not JSON
  std::string error_message;
  std::string body;

  bool ok() const { return transport_error.empty() && http_status / 100 == 2; }
  /// One line for a log or a step failure: "ResourceNotFoundException: ... (HTTP 404)".
  std::string Describe() const;
  /// Worth retrying: throttling (429), 5xx, or no response.
  bool Retryable() const;
};

/// Sends one signed call to `target.endpoint` + `path` (already percent-encoded); `body` is sent
/// as application/json when it is not null. `now_ms` dates the signature.
RestResponse CallRestJson(const ServiceTarget& target, std::string_view service,
                          std::string_view method, std::string_view path,
                          const nlohmann::json& body, int64_t now_ms,
                          std::chrono::milliseconds timeout);

/// CallRestJson, tried up to `attempts` times while Retryable(), waiting 1 s, 2 s, 4 s ... on
/// the step's clock; a cancelled wait stops early and sets `*cancelled`.
RestResponse CallRestJsonWithRetries(const ServiceTarget& target, std::string_view service,
                                     std::string_view method, std::string_view path,
                                     const nlohmann::json& body, step_api::StepContext& context,
                                     int attempts, std::chrono::milliseconds timeout,
                                     bool* cancelled);

}  // namespace slipway::stdlib::aws
