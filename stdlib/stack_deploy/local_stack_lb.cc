#include "stdlib/stack_deploy/local_stack_lb.h"

#include <unistd.h>

#include <chrono>

#include "stdlib/files.h"
#include "stdlib/stack_deploy/local_stack_app.h"
#include "stdlib/text_util.h"
#include "stdlib/traffic_shift/haproxy_runtime.h"

namespace slipway::stdlib::stack_deploy {
namespace fs = std::filesystem;

LocalBalancer::LocalBalancer(const fs::path& stack_dir, int front_port, int blue_port,
                             int green_port)
    : dir_(fs::absolute(stack_dir)), front_port_(front_port), blue_port_(blue_port), green_port_(green_port) {}

fs::path LocalBalancer::socket() const {
  fs::path in_stack = dir_ / "haproxy.sock";
  // HAProxy takes at most 97 bytes for a socket path (sun_path, minus its own suffixes).
  if (in_stack.string().size() <= 90) return in_stack;
  fs::path short_dir = fs::path("/tmp") / ("slipway-" + Sha256Hex(dir_.string()).substr(0, 16));
  return short_dir / "haproxy.sock";
}

std::string LocalBalancer::PrepareSocketDir() const {
  fs::path parent = socket().parent_path();
  if (parent == dir_) return "";
  // A fixed name in /tmp: refused unless it is ours alone (another user who made it first
  // could swap the admin socket for one of their own, or keep ours).
  std::string error = MakePrivateDir(parent);
  return error.empty() ? "" : "HAProxy's runtime API socket: " + error;
}

std::string LocalBalancer::Other(const std::string& slot) {
  return slot == "blue" ? "green" : "blue";
}

int LocalBalancer::SlotPort(const std::string& slot) const {
  return slot == "blue" ? blue_port_ : green_port_;
}

fs::path LocalBalancer::SlotPidFile(const std::string& slot) const {
  return dir_ / (slot + ".pid");
}

fs::path LocalBalancer::SlotLogFile(const std::string& slot) const {
  return dir_ / (slot + ".log");
}

std::string LocalBalancer::Config() const {
  // Both servers have the same configured weight, so `weight N%` is a share of traffic.
  return "# Written by slipway's local stack tool (blue/green); do not edit.\n"
         "global\n"
         "  stats socket " + socket().string() + " mode 600 level admin\n"
         "  maxconn 1024\n"
         "defaults\n"
         "  mode http\n"
         "  timeout connect 2s\n"
         "  timeout client 30s\n"
         "  timeout server 30s\n"
         "frontend web\n"
         "  bind 127.0.0.1:" + std::to_string(front_port_) + "\n"
         "  default_backend " + kBackend + "\n"
         "backend " + std::string(kBackend) + "\n"
         "  balance roundrobin\n"
         "  server blue 127.0.0.1:" + std::to_string(blue_port_) + " weight 100\n"
         "  server green 127.0.0.1:" + std::to_string(green_port_) + " weight 100\n";
}

std::string LocalBalancer::Ensure(step_api::StepContext& context) {
  if (std::string error = PrepareSocketDir(); !error.empty()) return error;
  fs::path pid_file = dir_ / "haproxy.pid";
  fs::path config_file = dir_ / "haproxy.cfg";
  std::string marker = AppMarker(dir_);
  std::string wanted = Config(), existing, error;
  bool same = ReadFileText(config_file, &existing, &error) && existing == wanted;
  if (RunningPid(pid_file, marker) != 0) {
    if (same) return "";
    context.Log("the stack's ports changed; restarting HAProxy");
    Stop(context);
  }
  const char* candidates[] = {"/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy"};
  std::string binary;
  for (const char* candidate : candidates) {
    if (::access(candidate, X_OK) == 0) binary = candidate;
  }
  if (binary.empty()) {
    return "blue/green needs HAProxy (Debian package haproxy), and it is not installed";
  }
  if (!PortFree(front_port_)) {
    return "port " + std::to_string(front_port_) +
           " is in use by a process this stack did not start";
  }
  if (!WriteFileAtomic(config_file, wanted, &error)) return "cannot write HAProxy's config: " + error;
  std::error_code ec;
  fs::remove(socket(), ec);
  int pid = 0;
  error = StartDetached(binary + " -db -f " + ShellQuote(config_file.string()),
                        {{marker.substr(0, marker.find('=')), marker.substr(marker.find('=') + 1)}},
                        pid_file, dir_ / "haproxy.log", context, &pid);
  if (!error.empty()) return error;
  // Ready when the runtime API answers; then no slot has traffic until one is made live.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string answer;
    if (haproxy::RuntimeCommand(socket().string(), "show info", &answer).empty() &&
        answer.find("Name: HAProxy") != std::string::npos) {
      std::string command = std::string("set server ") + kBackend + "/blue weight 0; set server " +
                            kBackend + "/green weight 0";
      error = haproxy::RuntimeCommand(socket().string(), command, &answer);
      if (!error.empty()) return error;
      context.Log("HAProxy (pid " + std::to_string(pid) + ") listens on 127.0.0.1:" +
                  std::to_string(front_port_) + "; runtime API at " + socket().string());
      return "";
    }
    // Only a process that is gone has failed: its environment reads empty while it execs.
    if (!ProcessAlive(pid)) {
      std::string log;
      if (!ReadFileText(dir_ / "haproxy.log", &log, &error)) log = error;
      return "HAProxy exited at start-up: " + log;
    }
    if (!context.Sleep(std::chrono::milliseconds(50))) return "cancelled";
  }
  return "HAProxy's runtime API did not answer within 5 s";
}

std::string LocalBalancer::SetLive(const std::string& slot) {
  if (std::string error = PrepareSocketDir(); !error.empty()) return error;
  return haproxy::SetShare(socket().string(), kBackend, slot, Other(slot), 100);
}

void LocalBalancer::Stop(step_api::StepContext& context) {
  StopProcess(dir_ / "haproxy.pid", AppMarker(dir_), context);
}

}  // namespace slipway::stdlib::stack_deploy
