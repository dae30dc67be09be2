#pragma once
/// A real HAProxy (Debian's haproxy package) for tests: started in the foreground on
/// 127.0.0.1 with a Unix stats socket (level admin), killed when the object dies; plus a way
/// to measure from outside which version answers a share of requests.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace slipway::testing {

/// An unused TCP port on 127.0.0.1 (bound and released; good enough on a test machine).
int FreeLoopbackPort();

/// The first of `count` consecutive loopback ports that are all free now, chosen below the
/// kernel's ephemeral range (32768 up), where other tests' outgoing connections take their
/// source ports; 0 when none was found.
int FreeLoopbackPortRun(int count);

class HaproxyProcess {
 public:
  /// One server of the backend "app".
  struct Server {
    std::string name;
    int port = 0;
    int weight = 100;
  };
  /// Writes `dir`/haproxy.cfg (frontend on 127.0.0.1:front_port → backend "app",
  /// roundrobin) and starts haproxy; check ok() / error().
  HaproxyProcess(const std::filesystem::path& dir, int front_port,
                 const std::vector<Server>& servers);
  ~HaproxyProcess();
  HaproxyProcess(const HaproxyProcess&) = delete;
  HaproxyProcess& operator=(const HaproxyProcess&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::string socket() const { return socket_.string(); }
  /// The same runtime API on a loopback TCP socket: "127.0.0.1:PORT".
  std::string tcp_socket() const { return "127.0.0.1:" + std::to_string(admin_port_); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(front_port_); }

 private:
  std::filesystem::path socket_;
  int front_port_ = 0;
  int admin_port_ = 0;
  pid_t pid_ = -1;
  std::string error_;
};

/// Sends `requests` GETs to `url` (a new connection each) and returns the share, in percent,
/// of answers whose body contains `marker`; -1 when an answer was not 2xx.
double MeasureShare(const std::string& url, const std::string& marker, int requests);

}  // namespace slipway::testing
