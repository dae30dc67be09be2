#include "stdlib/http_client.h"

#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>

#include "stdlib/http_headers.h"

namespace slipway::stdlib {
namespace {

// libcurl is loaded on first use rather than linked: its dependency chain (TLS, LDAP, Kerberos,
// SSH, ...) costs ~5 ms of dynamic loading at every process start, and most slipway commands
// (validate, plan, expr) never send a request. Only the handful of entry points below are used.
struct CurlApi {
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_cleanup)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  std::string load_error;  // empty when every entry point was found
};

template <class F>
bool Bind(void* library, const char* name, F* slot, std::string* error) {
  *slot = reinterpret_cast<F>(dlsym(library, name));
  if (!*slot && error->empty()) error->assign(std::string("libcurl has no ") + name);
  return *slot != nullptr;
}

const CurlApi& Curl() {
  static const CurlApi api = [] {
    CurlApi a{};
    void* library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      const char* reason = dlerror();
      a.load_error = std::string("cannot load libcurl.so.4: ") + (reason ? reason : "unknown");
      return a;
    }
    std::string& e = a.load_error;
    Bind(library, "curl_global_init", &a.global_init, &e);
    Bind(library, "curl_easy_init", &a.easy_init, &e);
    Bind(library, "curl_easy_setopt", &a.easy_setopt, &e);
    Bind(library, "curl_easy_perform", &a.easy_perform, &e);
    Bind(library, "curl_easy_getinfo", &a.easy_getinfo, &e);
    Bind(library, "curl_easy_cleanup", &a.easy_cleanup, &e);
    Bind(library, "curl_easy_strerror", &a.easy_strerror, &e);
    Bind(library, "curl_slist_append", &a.slist_append, &e);
    Bind(library, "curl_slist_free_all", &a.slist_free_all, &e);
    if (e.empty()) a.global_init(CURL_GLOBAL_DEFAULT);
    return a;
  }();
  return api;
}

struct CurlDeleter {
  void operator()(CURL* handle) const { Curl().easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const { Curl().slist_free_all(list); }
};
using CurlList = std::unique_ptr<curl_slist, SlistDeleter>;

// Response bodies are capped so a misbehaving endpoint cannot exhaust memory.
constexpr size_t kMaxBody = 8 * 1024 * 1024;

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  size_t n = size * count;
  if (body->size() + n > kMaxBody) return 0;
  body->append(data, n);
  return n;
}

struct UploadSource {
  const std::string* text;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* source = static_cast<UploadSource*>(user);
  size_t n = std::min(size * count, source->text->size() - source->offset);
  std::memcpy(buffer, source->text->data() + source->offset, n);
  source->offset += n;
  return n;
}

CurlList Append(CurlList list, const std::string& line) {
  curl_slist* raw = Curl().slist_append(list.get(), line.c_str());
  if (raw) {
    list.release();
    return CurlList(raw);
  }
  return list;
}

std::string Describe(CURLcode code, const char* error_buffer) {
  std::string text = error_buffer[0] ? error_buffer : Curl().easy_strerror(code);
  return text;
}

}  // namespace

HttpResponse SendHttp(const HttpRequest& request) {
  HttpResponse response;
  if (!Curl().load_error.empty()) {
    response.transport_error = Curl().load_error;
    return response;
  }
  CurlHandle curl(Curl().easy_init());
  if (!curl) {
    response.transport_error = "could not create an HTTP client";
    return response;
  }
  char error_buffer[CURL_ERROR_SIZE] = {0};
  CURL* h = curl.get();
  Curl().easy_setopt(h, CURLOPT_URL, request.url.c_str());
  Curl().easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  Curl().easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  Curl().easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  Curl().easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(request.timeout.count(), 10'000)));
  Curl().easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  Curl().easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
  Curl().easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  Curl().easy_setopt(h, CURLOPT_USERAGENT, "slipway/0.1");
  if (request.method == "HEAD") {
    Curl().easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    Curl().easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    Curl().easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
    Curl().easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  }
  CurlList headers;
  for (const auto& [name, value] : request.headers) {
    // A value with a line break would be sent as headers of its own (libcurl sends it as is).
    if (std::string problem = HeaderProblem(name, value); !problem.empty()) {
      response.transport_error = "not sent: " + problem;
      return response;
    }
    headers = Append(std::move(headers), name + ": " + value);
  }
  // libcurl would otherwise send "Expect: 100-continue" and wait for large bodies.
  headers = Append(std::move(headers), "Expect:");
  Curl().easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

  CURLcode code = Curl().easy_perform(h);
  double total_seconds = 0;
  Curl().easy_getinfo(h, CURLINFO_TOTAL_TIME, &total_seconds);
  response.latency_ms = total_seconds * 1000.0;
  if (code != CURLE_OK) {
    response.transport_error = Describe(code, error_buffer);
    return response;
  }
  Curl().easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

std::string MailAddressProblem(std::string_view address) {
  auto quoted = [&] { return "\"" + std::string(address) + "\""; };
  if (HasLineBreakOrNul(address)) return "the address contains a line break or NUL";
  size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) {
    return quoted() + " is not an e-mail address (expected local@domain)";
  }
  if (address.size() > 254) return quoted() + " is longer than 254 characters";
  std::string_view local = address.substr(0, at);
  std::string_view domain = address.substr(at + 1);
  // RFC 5322 atext, for the dot-atom local part.
  static constexpr std::string_view kAtext = "!#$%&'*+-/=?^_`{|}~";
  auto dot_atom = [](std::string_view text, auto allowed) {
    if (text.empty() || text.front() == '.' || text.back() == '.' ||
        text.find("..") != std::string_view::npos) {
      return false;
    }
    return std::all_of(text.begin(), text.end(), [&](char c) { return c == '.' || allowed(c); });
  };
  bool local_ok = local.size() <= 64 && dot_atom(local, [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) ||
                           kAtext.find(c) != std::string_view::npos;
                  });
  if (!local_ok) {
    return quoted() + " is not an e-mail address slipway sends to (the part before @ must be "
           "letters, digits, dots and !#$%&'*+-/=?^_`{|}~, at most 64 characters)";
  }
  bool domain_ok =
      domain.size() >= 3 && domain.front() == '[' && domain.back() == ']'
          ? std::all_of(domain.begin() + 1, domain.end() - 1,
                        [](char c) { return c > ' ' && c < 0x7f && c != '[' && c != ']' &&
                                            c != '\\'; })
          : dot_atom(domain, [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
            });
  if (!domain_ok) {
    return quoted() + " is not an e-mail address slipway sends to (the domain must be a host "
           "name or an [address literal])";
  }
  return "";
}

std::string MailProblem(const MailMessage& mail) {
  if (std::string problem = MailAddressProblem(mail.from); !problem.empty()) {
    return "from: " + problem;
  }
  for (const auto* list : {&mail.to, &mail.cc}) {
    for (const std::string& address : *list) {
      if (std::string problem = MailAddressProblem(address); !problem.empty()) {
        return (list == &mail.to ? "to: " : "cc: ") + problem;
      }
    }
  }
  // RFC 5322 section 2.2: a header field is one line; CR and LF occur only together, to end it.
  if (HasLineBreakOrNul(mail.subject)) {
    return "the subject contains a line break or NUL, which would add headers or replace the "
           "body";
  }
  if (HasLineBreakOrNul(mail.date)) return "the date contains a line break or NUL";
  return "";
}

std::string RenderMail(const MailMessage& mail) {
  auto join = [](const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) {
      if (!out.empty()) out += ", ";
      out += item;
    }
    return out;
  };
  std::string text;
  if (!mail.date.empty()) text += "Date: " + mail.date + "\r\n";
  text += "From: " + mail.from + "\r\n";
  text += "To: " + join(mail.to) + "\r\n";
  if (!mail.cc.empty()) text += "Cc: " + join(mail.cc) + "\r\n";
  text += "Subject: " + mail.subject + "\r\n";
  text += "MIME-Version: 1.0\r\n";
  text += "Content-Type: text/plain; charset=utf-8\r\n";
  text += "\r\n";
  // RFC 5322 section 2.3: CR and LF only as CRLF. Every LF, CRLF and lone CR ends a line.
  const std::string& body = mail.body;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\r' || body[i] == '\n') {
      if (body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
      text += "\r\n";
    } else {
      text += body[i];
    }
  }
  if (text.size() < 2 || text.substr(text.size() - 2) != "\r\n") text += "\r\n";
  return text;
}

std::string SendMail(const MailMessage& mail) {
  if (std::string problem = MailProblem(mail); !problem.empty()) return "not sent: " + problem;
  if (!Curl().load_error.empty()) return Curl().load_error;
  CurlHandle curl(Curl().easy_init());
  if (!curl) return "could not create an SMTP client";
  char error_buffer[CURL_ERROR_SIZE] = {0};
  CURL* h = curl.get();
  std::string message = RenderMail(mail);
  UploadSource source{&message};
  Curl().easy_setopt(h, CURLOPT_URL, mail.smtp_url.c_str());
  Curl().easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  Curl().easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  Curl().easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  Curl().easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(mail.timeout.count()));
  if (mail.require_tls) Curl().easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!mail.username.empty()) {
    Curl().easy_setopt(h, CURLOPT_USERNAME, mail.username.c_str());
    Curl().easy_setopt(h, CURLOPT_PASSWORD, mail.password.c_str());
  }
  Curl().easy_setopt(h, CURLOPT_MAIL_FROM, mail.from.c_str());
  CurlList recipients;
  for (const std::string& to : mail.to) recipients = Append(std::move(recipients), to);
  for (const std::string& cc : mail.cc) recipients = Append(std::move(recipients), cc);
  Curl().easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  Curl().easy_setopt(h, CURLOPT_READFUNCTION, &ReadUpload);
  Curl().easy_setopt(h, CURLOPT_READDATA, &source);
  Curl().easy_setopt(h, CURLOPT_UPLOAD, 1L);
  CURLcode code = Curl().easy_perform(h);
  if (code != CURLE_OK) return Describe(code, error_buffer);
  return "";
}

}  // namespace slipway::stdlib
