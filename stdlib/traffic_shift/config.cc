// The traffic-shift step's inputs: parsing, checks that name the missing input, and the plan's
// description of each provider.
#include <algorithm>

#include "stdlib/input_reader.h"
#include "stdlib/traffic_shift/haproxy_runtime.h"
#include "stdlib/traffic_shift/provider.h"
#include "stdlib/traffic_shift/traffic_shift.h"

namespace slipway::stdlib::traffic_shift {
namespace {

struct ProviderRow {
  ProviderKind kind;
  const char* name;
  std::vector<const char*> required;  // inputs the provider cannot do without
};

// The one table of providers: its name, and the inputs it needs.
const ProviderRow kProviders[] = {
    {ProviderKind::kHaproxy, "haproxy", {"haproxy-socket", "backend", "server"}},
    {ProviderKind::kLambdaAlias, "lambda-alias", {"function-name", "alias", "function-version"}},
    {ProviderKind::kAlb, "alb", {"listener-arn", "target-group", "previous-target-group"}},
    {ProviderKind::kCommand, "command", {"apply-command"}},
};

// Inputs that belong to one provider only.
const std::pair<const char*, ProviderKind> kProviderInputs[] = {
    {"apply-command", ProviderKind::kCommand},
    {"haproxy-socket", ProviderKind::kHaproxy},
    {"backend", ProviderKind::kHaproxy},
    {"server", ProviderKind::kHaproxy},
    {"previous-server", ProviderKind::kHaproxy},
    {"function-name", ProviderKind::kLambdaAlias},
    {"alias", ProviderKind::kLambdaAlias},
    {"function-version", ProviderKind::kLambdaAlias},
    {"stable-version", ProviderKind::kLambdaAlias},
    {"listener-arn", ProviderKind::kAlb},
    {"target-group", ProviderKind::kAlb},
    {"previous-target-group", ProviderKind::kAlb},
};

}  // namespace

const char* ProviderName(ProviderKind kind) {
  for (const ProviderRow& row : kProviders) {
    if (row.kind == kind) return row.name;
  }
  return "?";
}

std::optional<Config> ParseConfig(const nlohmann::json& with, std::string* error,
                                   bool planning) {
  // Checked later, in the run, once `${{ }}` is evaluated.
  auto unresolved = [&](const std::string& value) {
    return planning && value.find("${{") != std::string::npos;
  };
  InputReader in(with, kSchema);
  Config c;
  std::string provider = in.String("provider");
  const ProviderRow* row = nullptr;
  for (const ProviderRow& candidate : kProviders) {
    if (provider == candidate.name) row = &candidate;
  }
  if (provider.empty()) {
    in.AddError(
        "input \"provider\" is required (haproxy, lambda-alias, alb or command): traffic is "
        "never shifted on paper only");
  } else if (!row) {
    in.AddError("input \"provider\": expected haproxy, lambda-alias, alb or command, got \"" +
                provider + "\"");
  } else {
    c.provider = row->kind;
    for (const char* key : row->required) {
      if (in.String(key).empty()) {
        in.AddError("provider " + provider + " needs input \"" + key + "\"");
      }
    }
    for (const auto& [key, kind] : kProviderInputs) {
      if (kind != c.provider && in.Has(key)) {
        in.AddError("input \"" + std::string(key) + "\" applies to provider " +
                    ProviderName(kind) + ", not " + provider);
      }
    }
    if ((in.Has("region") || in.Has("endpoint")) && c.provider != ProviderKind::kAlb &&
        c.provider != ProviderKind::kLambdaAlias) {
      in.AddError("inputs \"region\" and \"endpoint\" apply to providers lambda-alias and alb");
    }
  }
  c.target = in.String("target");
  c.version = in.String("version");
  for (const std::string& item : in.List("phases")) {
    std::string text = item;
    if (!text.empty() && text.back() == '%') text.pop_back();
    if (text.empty() || text.size() > 3 || text.find_first_not_of("0123456789") != std::string::npos) {
      in.AddError("input \"phases\": \"" + item + "\" is not a percentage");
      continue;
    }
    c.phases.push_back(std::stoi(text));
  }
  for (size_t i = 0; i < c.phases.size(); ++i) {
    if (c.phases[i] < 1 || c.phases[i] > 100 || (i > 0 && c.phases[i] <= c.phases[i - 1])) {
      in.AddError("input \"phases\": expected ascending percentages from 1 to 100");
      break;
    }
  }
  if (c.phases.empty() && in.ok()) in.AddError("input \"phases\": expected at least one phase");
  c.bake = in.Duration("bake-time", std::chrono::minutes(5));
  c.health_url = in.String("health-url");
  c.health_command = in.String("health-command");
  c.expect_status = static_cast<long>(in.Int("expect-status", 200));
  c.max_error_rate = in.Number("max-error-rate");
  c.error_rate_field = in.String("error-rate-field", "error_rate");
  c.max_latency_ms = in.Number("max-latency-ms");
  c.apply_command = in.String("apply-command");
  c.haproxy_socket = in.String("haproxy-socket");
  c.backend = in.String("backend");
  c.server = in.String("server");
  c.previous_server = in.String("previous-server");
  c.function_name = in.String("function-name");
  c.alias = in.String("alias");
  c.function_version = in.String("function-version");
  c.stable_version = in.String("stable-version");
  c.listener_arn = in.String("listener-arn");
  c.target_group = in.String("target-group");
  c.previous_target_group = in.String("previous-target-group");
  c.region = in.String("region");
  c.endpoint = in.String("endpoint");
  std::string revert = in.String("revert-to", "zero");
  if (revert == "zero") {
    c.revert_to = RevertTo::kZero;
  } else if (revert == "previous") {
    c.revert_to = RevertTo::kPrevious;
  } else {
    in.AddError("input \"revert-to\": expected zero or previous, got \"" + revert + "\"");
  }
  if (c.target.empty()) in.AddError("input \"target\" is required");
  // Checked before anything is sent: the runtime API would run what follows a ';'.
  for (const auto& [key, value] : {std::pair{"backend", &c.backend}, std::pair{"server", &c.server},
                                   std::pair{"previous-server", &c.previous_server}}) {
    if (value->empty() || unresolved(*value)) continue;
    if (std::string invalid = haproxy::CheckName(key, *value); !invalid.empty()) {
      in.AddError(invalid);
    }
  }
  if (!c.server.empty() && c.server == c.previous_server) {
    in.AddError("inputs \"server\" and \"previous-server\" name the same server");
  }
  if (!c.target_group.empty() && c.target_group == c.previous_target_group) {
    in.AddError("inputs \"target-group\" and \"previous-target-group\" are the same");
  }
  if (!c.endpoint.empty() && c.endpoint.rfind("https://", 0) != 0 &&
      c.endpoint.rfind("http://", 0) != 0) {
    in.AddError("input \"endpoint\": expected an http:// or https:// URL, got \"" + c.endpoint +
                "\"");
  }
  if (c.health_url.empty() && c.health_command.empty()) {
    in.AddError("give \"health-url\" or \"health-command\": traffic is never shifted unchecked");
  }
  if (c.health_url.empty() && (c.max_error_rate || c.max_latency_ms)) {
    in.AddError("max-error-rate and max-latency-ms need \"health-url\"");
  }
  if (!in.ok()) {
    *error = in.ErrorText();
    return std::nullopt;
  }
  return c;
}

std::vector<std::string> DescribeProvider(const Config& c) {
  std::vector<std::string> out;
  switch (c.provider) {
    case ProviderKind::kHaproxy:
      out.push_back("provider haproxy: runtime API at " + c.haproxy_socket + ": set server " +
                    c.backend + "/" + c.server + " weight N%" +
                    (c.previous_server.empty()
                         ? std::string()
                         : " and " + c.backend + "/" + c.previous_server + " weight (100-N)%"));
      break;
    case ProviderKind::kLambdaAlias:
      out.push_back("provider lambda-alias: UpdateAlias " + c.function_name + ":" + c.alias +
                    " with RoutingConfig.AdditionalVersionWeights {" + c.function_version +
                    ": N/100}" +
                    (c.stable_version.empty() ? std::string(" (stable: the alias's version)")
                                              : " (stable: " + c.stable_version + ")"));
      break;
    case ProviderKind::kAlb:
      out.push_back("provider alb: ModifyListener " + c.listener_arn +
                    " forwarding to " + c.target_group + " (weight N) and " +
                    c.previous_target_group + " (weight 100-N)");
      break;
    case ProviderKind::kCommand:
      out.push_back("provider command: " + c.apply_command);
      break;
  }
  return out;
}

}  // namespace slipway::stdlib::traffic_shift
