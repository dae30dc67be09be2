#include "tests/support/haproxy_fixture.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "stdlib/http_client.h"
#include "stdlib/traffic_shift/haproxy_runtime.h"

namespace slipway::testing {
namespace fs = std::filesystem;

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

namespace {
bool CanBind(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}
}  // namespace

int FreeLoopbackPortRun(int count) {
  std::random_device random;
  std::uniform_int_distribution<int> base(20000, 32000 - count);
  for (int attempt = 0; attempt < 100; ++attempt) {
    int first = base(random);
    bool all = true;
    for (int i = 0; i < count && all; ++i) all = CanBind(first + i);
    if (all) return first;
  }
  return 0;
}

HaproxyProcess::HaproxyProcess(const fs::path& dir, int front_port,
                               const std::vector<Server>& servers)
    : socket_(dir / "haproxy.sock"), front_port_(front_port), admin_port_(FreeLoopbackPort()) {
  fs::path config = dir / "haproxy.cfg";
  {
    std::ofstream out(config);
    out << "global\n  stats socket " << socket_.string() << " mode 600 level admin\n"
        << "  stats socket ipv4@127.0.0.1:" << admin_port_ << " level admin\n"
        << "  maxconn 512\n"
        << "defaults\n  mode http\n  timeout connect 2s\n  timeout client 10s\n"
        << "  timeout server 10s\n"
        << "frontend web\n  bind 127.0.0.1:" << front_port << "\n  default_backend app\n"
        << "backend app\n  balance roundrobin\n";
    for (const Server& s : servers) {
      out << "  server " << s.name << " 127.0.0.1:" << s.port << " weight " << s.weight << "\n";
    }
    if (!out) {
      error_ = "cannot write " + config.string();
      return;
    }
  }
  const char* candidates[] = {"/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy"};
  std::string binary;
  for (const char* candidate : candidates) {
    if (::access(candidate, X_OK) == 0) binary = candidate;
  }
  if (binary.empty()) {
    error_ = "haproxy is not installed (Debian package haproxy)";
    return;
  }
  fs::path log = dir / "haproxy.log";
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setpgid(0, 0);
    FILE* out = std::freopen(log.c_str(), "w", stderr);
    if (out) ::dup2(::fileno(stderr), STDOUT_FILENO);
    ::execl(binary.c_str(), binary.c_str(), "-db", "-f", config.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  if (pid_ < 0) {
    error_ = "fork failed";
    return;
  }
  // Ready when the runtime API answers (bounded: 5 s).
  for (int i = 0; i < 100; ++i) {
    std::string answer;
    if (stdlib::haproxy::RuntimeCommand(socket_.string(), "show info", &answer).empty() &&
        answer.find("Name: HAProxy") != std::string::npos) {
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::ifstream in(log);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      error_ = "haproxy exited at start-up: " + text;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  error_ = "haproxy's runtime API did not answer within 5 s";
}

HaproxyProcess::~HaproxyProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

double MeasureShare(const std::string& url, const std::string& marker, int requests) {
  int hits = 0;
  for (int i = 0; i < requests; ++i) {
    stdlib::HttpRequest request;
    request.url = url;
    request.timeout = std::chrono::milliseconds(3000);
    stdlib::HttpResponse response = stdlib::SendHttp(request);
    if (!response.received() || response.status / 100 != 2) return -1;
    if (response.body.find(marker) != std::string::npos) ++hits;
  }
  return 100.0 * hits / requests;
}

}  // namespace slipway::testing
