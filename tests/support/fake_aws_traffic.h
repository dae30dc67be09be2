#pragma once
/// FakeAwsTraffic: the two AWS APIs that traffic-shift's cloud providers call, on 127.0.0.1,
/// with state (not scripts) so a test sees the service move as the real one would:
/// - Lambda (REST-JSON): GetAlias / UpdateAlias on /2015-03-31/functions/F/aliases/A, with
///   RevisionId checks (412 PreconditionFailedException) and the documented limits of
///   AdditionalVersionWeights (one entry, 0.0-1.0, never the alias's own version);
/// - Elastic Load Balancing v2 (Query, Version 2015-12-01): DescribeListeners and
///   ModifyListener with a forward action's weighted target groups (weights 0-999).
/// Every request must be SigV4-signed for the right service; failures can be injected.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/loopback_http_server.h"

namespace slipway::testing {

class FakeAwsTraffic {
 public:
  /// A Lambda alias's state.
  struct Alias {
    std::string function_version;
    std::map<std::string, double> weights;  // AdditionalVersionWeights
    int revision = 1;
  };
  /// A listener's forward action: target group ARN -> weight.
  using Listener = std::map<std::string, int>;

  FakeAwsTraffic();
  bool ok() const { return server_.ok(); }
  std::string url() const { return server_.base_url(); }

  void AddAlias(const std::string& function, const std::string& alias, Alias state);
  Alias alias(const std::string& function, const std::string& alias) const;
  void AddListener(const std::string& arn, Listener state);
  Listener listener(const std::string& arn) const;
  /// The next `count` calls answer `status` with a service error (e.g. 500, 429).
  void FailNext(int count, int status);
  /// Changes the alias behind the client's back (a concurrent writer).
  void TouchAlias(const std::string& function, const std::string& alias);

  /// "GetAlias", "UpdateAlias", "DescribeListeners", "ModifyListener", in order.
  std::vector<std::string> calls() const;
  /// The new version's share after each successful update, in percent.
  std::vector<int> shares() const;
  std::vector<LoopbackHttpServer::Request> requests() const { return server_.requests(); }

 private:
  LoopbackHttpServer::Response Handle(const LoopbackHttpServer::Request& request);
  LoopbackHttpServer::Response Lambda(const LoopbackHttpServer::Request& request);
  LoopbackHttpServer::Response Elb(const LoopbackHttpServer::Request& request);

  LoopbackHttpServer server_;
  mutable std::mutex mutex_;
  std::map<std::string, Alias> aliases_;        // "function/alias"
  std::map<std::string, int> newest_version_;   // "function/alias" -> highest version seen
  std::map<std::string, Listener> listeners_;  // listener ARN
  int fail_count_ = 0;
  int fail_status_ = 500;
  std::vector<std::string> calls_;
  std::vector<int> shares_;
};

}  // namespace slipway::testing
