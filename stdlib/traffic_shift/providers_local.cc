// The providers that run on this machine: HAProxy's runtime API, and a command of the user's.
#include "stdlib/input_reader.h"
#include "stdlib/text_util.h"
#include "stdlib/traffic_shift/haproxy_runtime.h"
#include "stdlib/traffic_shift/provider.h"

namespace slipway::stdlib::traffic_shift {
namespace {

/// Weights of two servers of one HAProxy backend, set through the runtime API.
class HaproxyProvider final : public Provider {
 public:
  explicit HaproxyProvider(const Config& config) : config_(config) {}
  std::string ReadPercent(int* percent) override {
    return haproxy::GetShare(config_.haproxy_socket, config_.backend, config_.server,
                             config_.previous_server, percent);
  }
  std::string Apply(int percent) override {
    return haproxy::SetShare(config_.haproxy_socket, config_.backend, config_.server,
                             config_.previous_server, percent);
  }

 private:
  const Config& config_;
};

/// The user's command sets the weight; slipway only knows what it last asked for.
class CommandProvider final : public Provider {
 public:
  CommandProvider(const Config& config, int recorded, step_api::StepContext& context)
      : config_(config), recorded_(recorded), context_(context) {}
  std::string ReadPercent(int* percent) override {
    *percent = recorded_;
    return "";
  }
  std::string Apply(int percent) override {
    std::string output;
    std::string script =
        "export SLIPWAY_TRAFFIC_PERCENT=" + std::to_string(percent) +
        "\nexport SLIPWAY_TRAFFIC_TARGET=" + ShellQuote(config_.target) + "\n" +
        FillPlaceholders(config_.apply_command, {{"percent", std::to_string(percent)}});
    int code = context_.RunCommand(script, &output);
    if (code != 0) return "apply-command exited with " + std::to_string(code);
    recorded_ = percent;
    return "";
  }

 private:
  const Config& config_;
  int recorded_;
  step_api::StepContext& context_;
};

}  // namespace

std::unique_ptr<Provider> MakeHaproxyProvider(const Config& config) {
  return std::make_unique<HaproxyProvider>(config);
}

std::unique_ptr<Provider> MakeProvider(const Config& config,
                                       const std::map<std::string, std::string>& env,
                                       int recorded_percent, step_api::StepContext& context,
                                       std::string* error) {
  switch (config.provider) {
    case ProviderKind::kHaproxy:
      return MakeHaproxyProvider(config);
    case ProviderKind::kLambdaAlias:
      return MakeLambdaAliasProvider(config, env, context, error);
    case ProviderKind::kAlb:
      return MakeAlbProvider(config, env, context, error);
    case ProviderKind::kCommand:
      return std::make_unique<CommandProvider>(config, recorded_percent, context);
  }
  *error = "unknown provider";
  return nullptr;
}

}  // namespace slipway::stdlib::traffic_shift
