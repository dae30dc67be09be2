#pragma once
/// FakeCloudFormation: the CloudFormation Query API on 127.0.0.1 for stdlib tests. Responses
/// are queued per Action (the last one repeats); every call's form is recorded. The XML helpers
/// build answers shaped like the real service's.

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tests/support/loopback_http_server.h"

namespace slipway::testing {

/// A form-encoded request body, decoded.
using Form = std::map<std::string, std::string>;
Form ParseForm(const std::string& body);

/// An XML answer with `status`.
LoopbackHttpServer::Response CfnXml(int status, std::string body);
/// `<ActionResponse><ActionResult>result</ActionResult>...</ActionResponse>`, status 200.
LoopbackHttpServer::Response CfnResult(const std::string& action, const std::string& result = "");
/// An AWS error document: `<ErrorResponse><Error><Code>code</Code><Message>...`.
LoopbackHttpServer::Response CfnError(int status, const std::string& code,
                                      const std::string& message);

class FakeCloudFormation {
 public:
  FakeCloudFormation();
  void On(const std::string& action, LoopbackHttpServer::Response response);
  bool ok() const { return server_.ok(); }
  std::string url() const { return server_.base_url(); }
  /// Every call's form, in order.
  std::vector<Form> calls() const;
  /// The calls of one Action.
  std::vector<Form> Calls(const std::string& action) const;
  /// The Action of every call, in order.
  std::vector<std::string> actions() const;
  std::vector<LoopbackHttpServer::Request> requests() const { return server_.requests(); }

 private:
  LoopbackHttpServer::Response Handle(const LoopbackHttpServer::Request& request);

  LoopbackHttpServer server_;
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<LoopbackHttpServer::Response>> scripts_;
  std::vector<Form> calls_;
};

}  // namespace slipway::testing
