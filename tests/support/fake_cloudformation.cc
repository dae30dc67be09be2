#include "tests/support/fake_cloudformation.h"

#include "stdlib/aws_sigv4.h"

namespace slipway::testing {
namespace {

constexpr char kNs[] = " xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"";

}  // namespace

Form ParseForm(const std::string& body) {
  Form form;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    std::string pair = body.substr(start, end - start);
    size_t eq = pair.find('=');
    if (!pair.empty()) {
      form[stdlib::aws::UriDecode(pair.substr(0, eq))] =
          eq == std::string::npos ? "" : stdlib::aws::UriDecode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return form;
}

LoopbackHttpServer::Response CfnXml(int status, std::string body) {
  LoopbackHttpServer::Response response;
  response.status = status;
  response.body = std::move(body);
  response.content_type = "text/xml";
  return response;
}

LoopbackHttpServer::Response CfnResult(const std::string& action, const std::string& result) {
  return CfnXml(200, "<?xml version=\"1.0\"?>\n<" + action + "Response" + kNs + "><" + action +
                         "Result>" + result + "</" + action +
                         "Result><ResponseMetadata><RequestId>r-1</RequestId>"
                         "</ResponseMetadata></" +
                         action + "Response>");
}

LoopbackHttpServer::Response CfnError(int status, const std::string& code,
                                      const std::string& message) {
  return CfnXml(status, std::string("<ErrorResponse") + kNs + "><Error><Type>Sender</Type><Code>" +
                            code + "</Code><Message>" + message +
                            "</Message></Error><RequestId>e-1</RequestId></ErrorResponse>");
}

FakeCloudFormation::FakeCloudFormation() {
  server_.SetHandler(
      [this](const LoopbackHttpServer::Request& request) { return Handle(request); });
}

void FakeCloudFormation::On(const std::string& action, LoopbackHttpServer::Response response) {
  std::lock_guard<std::mutex> lock(mutex_);
  scripts_[action].push_back(std::move(response));
}

std::vector<Form> FakeCloudFormation::calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return calls_;
}

std::vector<Form> FakeCloudFormation::Calls(const std::string& action) const {
  std::vector<Form> out;
  for (const Form& form : calls()) {
    if (form.at("Action") == action) out.push_back(form);
  }
  return out;
}

std::vector<std::string> FakeCloudFormation::actions() const {
  std::vector<std::string> out;
  for (const Form& form : calls()) out.push_back(form.at("Action"));
  return out;
}

LoopbackHttpServer::Response FakeCloudFormation::Handle(
    const LoopbackHttpServer::Request& request) {
  Form form = ParseForm(request.body);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!form.count("Action")) form["Action"] = "";
  calls_.push_back(form);
  if (request.method != "POST" || form["Version"] != "2010-05-15") {
    return CfnError(400, "InvalidAction", "expected a POST with Version 2010-05-15");
  }
  auto it = scripts_.find(form["Action"]);
  if (it == scripts_.end() || it->second.empty()) {
    return CfnError(400, "InvalidAction", "no script for " + form["Action"]);
  }
  LoopbackHttpServer::Response response = it->second.front();
  if (it->second.size() > 1) it->second.pop_front();
  return response;
}

}  // namespace slipway::testing
