#include "tests/support/loopback_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace slipway::testing {
namespace {

std::string PathOnly(const std::string& path) { return path.substr(0, path.find('?')); }

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

}  // namespace

LoopbackHttpServer::LoopbackHttpServer()
    : listener_([this](int fd) {
        std::lock_guard<std::mutex> lock(mutex_);
        connections_.emplace_back([this, fd] { Serve(fd); });
      }) {}

LoopbackHttpServer::~LoopbackHttpServer() {
  listener_.Stop();
  std::vector<std::thread> connections;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connections.swap(connections_);
  }
  for (std::thread& t : connections) t.join();
}

std::string LoopbackHttpServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(listener_.port());
}

void LoopbackHttpServer::Respond(const std::string& path, Response response) {
  std::lock_guard<std::mutex> lock(mutex_);
  scripts_[path].push_back(std::move(response));
}

void LoopbackHttpServer::Respond(const std::string& path, int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  Respond(path, std::move(response));
}

void LoopbackHttpServer::SetHandler(std::function<Response(const Request&)> handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  handler_ = std::move(handler);
}

std::vector<LoopbackHttpServer::Request> LoopbackHttpServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

int LoopbackHttpServer::CountRequests(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(std::count_if(requests_.begin(), requests_.end(), [&](const Request& r) {
    return PathOnly(r.path) == path;
  }));
}

void LoopbackHttpServer::Serve(int fd) {
  std::string data;
  char buffer[4096];
  size_t header_end = std::string::npos;
  size_t content_length = 0;
  Request request;
  // Bounded: at most ~5 s of silence, at most 16 MiB.
  while (data.size() < (16u << 20)) {
    if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) break;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    data.append(buffer, static_cast<size_t>(n));
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        size_t line_end = data.find("\r\n");
        std::string first = data.substr(0, line_end);
        size_t sp1 = first.find(' ');
        size_t sp2 = first.find(' ', sp1 + 1);
        request.method = first.substr(0, sp1);
        request.path = first.substr(sp1 + 1, sp2 - sp1 - 1);
        size_t pos = line_end + 2;
        while (pos < header_end) {
          size_t end = data.find("\r\n", pos);
          std::string line = data.substr(pos, end - pos);
          pos = end + 2;
          size_t colon = line.find(':');
          if (colon == std::string::npos) continue;
          std::string name = line.substr(0, colon);
          std::transform(name.begin(), name.end(), name.begin(), ::tolower);
          size_t value_start = line.find_first_not_of(' ', colon + 1);
          request.headers[name] = value_start == std::string::npos ? "" : line.substr(value_start);
        }
        auto it = request.headers.find("content-length");
        if (it != request.headers.end()) content_length = std::stoul(it->second);
      }
    }
  }
  if (header_end == std::string::npos) {
    ::close(fd);
    return;
  }
  request.body = data.substr(header_end + 4, content_length);
  Response response;
  response.status = 404;
  response.body = "no scripted response";
  std::function<Response(const Request&)> handler;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(request);
    handler = handler_;
    auto it = scripts_.find(PathOnly(request.path));
    if (!handler && it != scripts_.end() && !it->second.empty()) {
      response = it->second.front();
      if (it->second.size() > 1) it->second.erase(it->second.begin());
    }
  }
  if (handler) response = handler(request);
  if (response.delay.count() > 0) std::this_thread::sleep_for(response.delay);
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + Reason(response.status) +
                    "\r\nContent-Type: " + response.content_type +
                    "\r\nContent-Length: " + std::to_string(response.body.size()) +
                    "\r\nConnection: close\r\n\r\n" + response.body;
  SendAll(fd, out);
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

}  // namespace slipway::testing
