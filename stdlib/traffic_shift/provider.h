#pragma once
/// The traffic-shift step's inputs and the providers that move traffic for real: HAProxy's
/// runtime API, a Lambda alias's weighted routing, an ALB listener's weighted target groups,
/// or a command. Each provider reads where traffic stands and sets the new version's share;
/// the phase loop (traffic_shift.cc) is the same for all of them.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter/step_api/step_api.h"

namespace slipway::stdlib::traffic_shift {

/// Who moves the traffic.
enum class ProviderKind { kHaproxy, kLambdaAlias, kAlb, kCommand };

/// What to do after a failed phase.
enum class RevertTo { kZero, kPrevious };

/// The step's inputs, parsed.
struct Config {
  ProviderKind provider = ProviderKind::kCommand;
  std::string target;
  std::string version;
  std::vector<int> phases;
  std::chrono::milliseconds bake{5 * 60 * 1000};
  std::string health_url;
  std::string health_command;
  long expect_status = 200;
  std::optional<double> max_error_rate;
  std::string error_rate_field;
  std::optional<double> max_latency_ms;
  RevertTo revert_to = RevertTo::kZero;
  // command
  std::string apply_command;
  // haproxy
  std::string haproxy_socket;  // a Unix socket path, or HOST:PORT of a TCP stats socket
  std::string backend;
  std::string server;           // the new version's server
  std::string previous_server;  // the old version's server ("" when there is none)
  // lambda-alias
  std::string function_name;
  std::string alias;
  std::string function_version;  // receives the shifted traffic
  std::string stable_version;    // keeps the rest (default: the alias's version when found)
  // alb
  std::string listener_arn;
  std::string target_group;           // the new version's target group
  std::string previous_target_group;  // the old version's target group
  // lambda-alias and alb
  std::string region;
  std::string endpoint;
};

/// Parses and checks `with`; nullopt with every problem in `error`. `planning`: the values may
/// still hold `${{ }}` expressions (the plan's preview), so a name that holds one is not
/// checked yet; a run always checks every name.
std::optional<Config> ParseConfig(const nlohmann::json& with, std::string* error,
                                   bool planning = false);

/// "haproxy", "lambda-alias", "alb", "command".
const char* ProviderName(ProviderKind kind);

/// Moves traffic for one step run.
class Provider {
 public:
  virtual ~Provider() = default;
  /// Reads the new version's share of traffic now (0-100) into `percent`. Returns "" or why
  /// it could not.
  virtual std::string ReadPercent(int* percent) = 0;
  /// Gives the new version `percent` % of traffic (the old one the rest); "" or why not.
  virtual std::string Apply(int percent) = 0;
};

/// The provider for `config`, or nullptr with `error` (missing credentials, bad address).
/// `recorded_percent` is the share slipway last applied (for the command provider, which
/// cannot read the live state).
std::unique_ptr<Provider> MakeProvider(const Config& config,
                                       const std::map<std::string, std::string>& env,
                                       int recorded_percent, step_api::StepContext& context,
                                       std::string* error);

std::unique_ptr<Provider> MakeHaproxyProvider(const Config& config);
std::unique_ptr<Provider> MakeLambdaAliasProvider(const Config& config,
                                                  const std::map<std::string, std::string>& env,
                                                  step_api::StepContext& context,
                                                  std::string* error);
std::unique_ptr<Provider> MakeAlbProvider(const Config& config,
                                          const std::map<std::string, std::string>& env,
                                          step_api::StepContext& context, std::string* error);

/// What the provider would do, for `plan` (no network).
std::vector<std::string> DescribeProvider(const Config& config);

}  // namespace slipway::stdlib::traffic_shift
