#include "stdlib/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

namespace slipway::stdlib {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
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
  curl_slist* raw = curl_slist_append(list.get(), line.c_str());
  if (raw) {
    list.release();
    return CurlList(raw);
  }
  return list;
}

std::string Describe(CURLcode code, const char* error_buffer) {
  std::string text = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
  return text;
}

}  // namespace

HttpResponse SendHttp(const HttpRequest& request) {
  GlobalInit();
  HttpResponse response;
  CurlHandle curl(curl_easy_init());
  if (!curl) {
    response.transport_error = "could not create an HTTP client";
    return response;
  }
  char error_buffer[CURL_ERROR_SIZE] = {0};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(request.timeout.count(), 10'000)));
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "slipway/0.1");
  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  }
  CurlList headers;
  for (const auto& [name, value] : request.headers) {
    headers = Append(std::move(headers), name + ": " + value);
  }
  // libcurl would otherwise send "Expect: 100-continue" and wait for large bodies.
  headers = Append(std::move(headers), "Expect:");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

  CURLcode code = curl_easy_perform(h);
  double total_seconds = 0;
  curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &total_seconds);
  response.latency_ms = total_seconds * 1000.0;
  if (code != CURLE_OK) {
    response.transport_error = Describe(code, error_buffer);
    return response;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
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
  // Normalise line endings to CRLF, as SMTP requires.
  for (size_t i = 0; i < mail.body.size(); ++i) {
    char c = mail.body[i];
    if (c == '\n' && (i == 0 || mail.body[i - 1] != '\r')) text += '\r';
    text += c;
  }
  if (text.size() < 2 || text.substr(text.size() - 2) != "\r\n") text += "\r\n";
  return text;
}

std::string SendMail(const MailMessage& mail) {
  GlobalInit();
  CurlHandle curl(curl_easy_init());
  if (!curl) return "could not create an SMTP client";
  char error_buffer[CURL_ERROR_SIZE] = {0};
  CURL* h = curl.get();
  std::string message = RenderMail(mail);
  UploadSource source{&message};
  curl_easy_setopt(h, CURLOPT_URL, mail.smtp_url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(mail.timeout.count()));
  if (mail.require_tls) curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!mail.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, mail.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, mail.password.c_str());
  }
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail.from.c_str());
  CurlList recipients;
  for (const std::string& to : mail.to) recipients = Append(std::move(recipients), to);
  for (const std::string& cc : mail.cc) recipients = Append(std::move(recipients), cc);
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(h, CURLOPT_READDATA, &source);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) return Describe(code, error_buffer);
  return "";
}

}  // namespace slipway::stdlib
