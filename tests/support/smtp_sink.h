#pragma once
/// SmtpSink: a minimal SMTP server on 127.0.0.1 (ephemeral port) that speaks enough of RFC 5321
/// for libcurl (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and records each message. It can
/// be told to refuse the first N messages with a temporary error, to test retries.

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback_listener.h"

namespace slipway::testing {

class SmtpSink {
 public:
  /// One accepted message.
  struct Message {
    std::string from;
    std::vector<std::string> recipients;
    std::string data;  // headers + body, dot-unstuffed, CRLF line ends
  };

  SmtpSink();
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  bool ok() const { return listener_.ok(); }
  int port() const { return listener_.port(); }
  /// "smtp://127.0.0.1:<port>"
  std::string url() const;
  /// Answers "451" to the first `count` MAIL commands.
  void RefuseFirst(int count) { refuse_ = count; }
  std::vector<Message> messages() const;
  int sessions() const { return sessions_; }

 private:
  void Serve(int fd);

  std::atomic<int> refuse_{0};
  std::atomic<int> sessions_{0};
  mutable std::mutex mutex_;
  std::vector<Message> messages_;
  LoopbackListener listener_;  // last: it starts accepting as soon as it is made
};

}  // namespace slipway::testing
