#include "interpreter/exec/local_actions.h"

#include <fmt/format.h>

#include <filesystem>

namespace slipway::exec {
namespace {

namespace fs = std::filesystem;
using step_api::StepOutcome;
using step_api::StepStatus;

std::string With(const nlohmann::json& with, const char* key, std::string fallback = "") {
  auto it = with.find(key);
  if (it == with.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

StepOutcome Failed(std::string message) {
  StepOutcome outcome;
  outcome.status = StepStatus::kFailure;
  outcome.exit_code = 1;
  outcome.message = std::move(message);
  return outcome;
}

fs::path InWorkspace(const std::string& workspace, const std::string& path) {
  fs::path p(path);
  return p.is_absolute() ? p : fs::path(workspace) / p;
}

StepOutcome ConfigureAwsCredentials(const nlohmann::json& with, const LocalActionContext& ctx) {
  struct Mapping {
    const char* input;
    const char* variable;
    bool secret;
  };
  const Mapping kMappings[] = {
      {"aws-access-key-id", "AWS_ACCESS_KEY_ID", true},
      {"aws-secret-access-key", "AWS_SECRET_ACCESS_KEY", true},
      {"aws-session-token", "AWS_SESSION_TOKEN", true},
      {"aws-region", "AWS_REGION", false},
  };
  for (const Mapping& m : kMappings) {
    std::string value = With(with, m.input);
    if (value.empty()) continue;
    if (m.secret) ctx.add_mask(value);
    ctx.set_env(m.variable, value);
    if (std::string(m.variable) == "AWS_REGION") ctx.set_env("AWS_DEFAULT_REGION", value);
  }
  if (!With(with, "role-to-assume").empty()) {
    ctx.log(
        fmt::format("role-to-assume \"{}\" is not assumed locally; the AWS tools use the "
                    "credentials already in the environment",
                    With(with, "role-to-assume")));
  }
  ctx.log("AWS credentials exported to the following steps");
  return StepOutcome{};
}

StepOutcome UploadArtifact(const nlohmann::json& with, const LocalActionContext& ctx) {
  std::string name = With(with, "name", "artifact");
  std::string path = With(with, "path");
  if (path.empty()) return Failed("input \"path\" is required by actions/upload-artifact");
  fs::path target = fs::path(ctx.artifacts_dir) / name;
  std::error_code error;
  fs::create_directories(target, error);
  size_t copied = 0;
  // `path` may list several paths, one per line.
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('\n', start);
    if (end == std::string::npos) end = path.size();
    std::string item = path.substr(start, end - start);
    start = end + 1;
    while (!item.empty() && (item.back() == ' ' || item.back() == '\r')) item.pop_back();
    if (item.empty()) continue;
    fs::path source = InWorkspace(ctx.workspace, item);
    if (!fs::exists(source)) {
      if (With(with, "if-no-files-found", "warn") == "error") {
        return Failed(fmt::format("no files found at \"{}\"", item));
      }
      ctx.log(fmt::format("warning: no files found at \"{}\"", item));
      continue;
    }
    fs::copy(source, target / source.filename(),
             fs::copy_options::recursive | fs::copy_options::overwrite_existing, error);
    if (error) return Failed(fmt::format("cannot copy \"{}\": {}", item, error.message()));
    ++copied;
  }
  ctx.log(fmt::format("artifact \"{}\": {} path(s) stored in the run's artifacts", name, copied));
  return StepOutcome{};
}

StepOutcome DownloadArtifact(const nlohmann::json& with, const LocalActionContext& ctx) {
  std::string name = With(with, "name");
  fs::path destination = InWorkspace(ctx.workspace, With(with, "path", "."));
  std::error_code error;
  fs::create_directories(destination, error);
  std::vector<fs::path> sources;
  if (name.empty()) {
    for (const auto& entry : fs::directory_iterator(ctx.artifacts_dir, error)) {
      sources.push_back(entry.path());
    }
  } else {
    fs::path source = fs::path(ctx.artifacts_dir) / name;
    if (!fs::exists(source)) return Failed(fmt::format("artifact \"{}\" not found", name));
    sources.push_back(source);
  }
  for (const fs::path& source : sources) {
    for (const auto& entry : fs::directory_iterator(source, error)) {
      fs::copy(entry.path(), destination / entry.path().filename(),
               fs::copy_options::recursive | fs::copy_options::overwrite_existing, error);
      if (error) return Failed(fmt::format("cannot copy artifact: {}", error.message()));
    }
  }
  ctx.log(fmt::format("artifact(s) copied to \"{}\"", destination.string()));
  return StepOutcome{};
}

}  // namespace

std::string ActionName(std::string_view uses) {
  size_t at = uses.find('@');
  return std::string(uses.substr(0, at));
}

std::optional<StepOutcome> RunLocalAction(std::string_view uses, const nlohmann::json& with,
                                          const LocalActionContext& context) {
  std::string name = ActionName(uses);
  if (name == "actions/checkout") {
    context.log("the workspace is already the checkout: nothing to do");
    return StepOutcome{};
  }
  if (name.rfind("actions/setup-", 0) == 0 || name.find("/setup-") != std::string::npos) {
    context.log(fmt::format("{}: using the tools already on PATH", name));
    return StepOutcome{};
  }
  if (name == "aws-actions/configure-aws-credentials") {
    return ConfigureAwsCredentials(with, context);
  }
  if (name == "actions/upload-artifact") return UploadArtifact(with, context);
  if (name == "actions/download-artifact") return DownloadArtifact(with, context);
  return std::nullopt;
}

}  // namespace slipway::exec
