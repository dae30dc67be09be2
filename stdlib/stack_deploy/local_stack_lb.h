#pragma once
/// Blue/green for the `local` stack tool: two slots (blue, green), each its own port, behind
/// a real HAProxy (Debian's haproxy) on the stack's port. HAProxy's configuration and Unix
/// stats socket live in the stack directory; the runtime API sets which slot gets the traffic
/// (slipway/traffic-shift@v1 with provider haproxy moves it in phases).

#include <filesystem>
#include <string>

#include "interpreter/step_api/step_api.h"

namespace slipway::stdlib::stack_deploy {

/// The load balancer of one blue/green local stack.
class LocalBalancer {
 public:
  /// `front_port` is where users connect; the slots listen on `blue_port` and `green_port`.
  LocalBalancer(const std::filesystem::path& stack_dir, int front_port, int blue_port,
                int green_port);

  static constexpr const char* kBackend = "app";
  /// The other slot's name ("blue" <-> "green").
  static std::string Other(const std::string& slot);
  int SlotPort(const std::string& slot) const;
  /// The runtime API's Unix socket: in the stack directory, or (when that path is too long
  /// for a Unix socket) in a private /tmp/slipway-<id>/ directory named after the stack
  /// (Ensure and SetLive check that it is ours alone before using it).
  std::filesystem::path socket() const;
  std::filesystem::path SlotPidFile(const std::string& slot) const;
  std::filesystem::path SlotLogFile(const std::string& slot) const;

  /// Starts HAProxy unless ours is already running with this configuration; both slots start
  /// at weight 0 until SetLive. "" or why not (haproxy missing, the port taken by someone else).
  std::string Ensure(step_api::StepContext& context);
  /// All traffic to `slot` (the other slot gets 0 %). "" or why not.
  std::string SetLive(const std::string& slot);
  /// Stops HAProxy (when it is ours).
  void Stop(step_api::StepContext& context);

 private:
  std::string Config() const;
  /// Creates the socket's /tmp directory (0700), or checks that the existing one is ours alone;
  /// "" or why not. Nothing to do when the socket is in the stack directory.
  std::string PrepareSocketDir() const;

  std::filesystem::path dir_;
  int front_port_;
  int blue_port_;
  int green_port_;
};

}  // namespace slipway::stdlib::stack_deploy
