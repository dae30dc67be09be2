#pragma once
/// LoopbackHttpServer: a tiny threaded HTTP/1.1 server on 127.0.0.1 (port 0 → ephemeral) for
/// tests. Responses are scripted per path (a queue; the last one repeats) and every request is
/// logged. Connections are closed after each response.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback_listener.h"

namespace slipway::testing {

class LoopbackHttpServer {
 public:
  /// One scripted response.
  struct Response {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::chrono::milliseconds delay{0};  // wait before answering
  };
  /// One received request.
  struct Request {
    std::string method;
    std::string path;                            // including the query string
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
  };

  LoopbackHttpServer();  // starts listening; check ok()
  ~LoopbackHttpServer();
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  bool ok() const { return listener_.ok(); }
  int port() const { return listener_.port(); }
  /// "http://127.0.0.1:<port>"
  std::string base_url() const;
  /// Queues `response` for `path` (without query). Unscripted paths get 404.
  void Respond(const std::string& path, Response response);
  void Respond(const std::string& path, int status, std::string body = "");
  /// Answers every request with `handler` instead of the per-path scripts (requests are still
  /// logged). The handler runs on the connection's thread.
  void SetHandler(std::function<Response(const Request&)> handler);
  std::vector<Request> requests() const;
  /// Requests whose path (without query) is `path`.
  int CountRequests(const std::string& path) const;

 private:
  void Serve(int fd);

  mutable std::mutex mutex_;
  std::map<std::string, std::vector<Response>> scripts_;
  std::function<Response(const Request&)> handler_;
  std::vector<Request> requests_;
  std::vector<std::thread> connections_;
  LoopbackListener listener_;  // last: it starts accepting as soon as it is made
};

}  // namespace slipway::testing
