#include "interpreter/step_api/local_equivalents.h"
#include "interpreter/base/ascii.h"
#include "interpreter/expr/hash_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace slipway::step_api {
namespace {

namespace fs = std::filesystem;

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

// aws-actions/configure-aws-credentials (src/index.ts): static keys are exported as given; a
// `role-to-assume` is assumed with STS (the keys given, else the credentials already in the
// environment — there is no OIDC provider locally) and the role's temporary credentials are
// exported. Like the action, the step fails when that yields no credentials.
StepOutcome ConfigureAwsCredentials(std::string_view, const nlohmann::json& with,
                                    const LocalActionContext& ctx) {
  const std::string name = "aws-actions/configure-aws-credentials";
  std::string key_id = With(with, "aws-access-key-id");
  std::string secret_key = With(with, "aws-secret-access-key");
  std::string session_token = With(with, "aws-session-token");
  std::string region = With(with, "aws-region");
  std::string role = With(with, "role-to-assume");
  for (const std::string* secret : {&key_id, &secret_key, &session_token}) {
    if (!secret->empty()) ctx.add_mask(*secret);
  }
  if (key_id.empty() != secret_key.empty()) {
    return Failed(fmt::format("{}: {} is empty while {} is given (a secret that is not set?)",
                              name, key_id.empty() ? "aws-access-key-id" : "aws-secret-access-key",
                              key_id.empty() ? "aws-secret-access-key" : "aws-access-key-id"));
  }
  if (key_id.empty() && role.empty()) {
    return Failed(name +
                  ": no credentials: aws-access-key-id and aws-secret-access-key are empty (a "
                  "secret that is not set?) and no role-to-assume is given");
  }
  if (!role.empty()) {
    if (!ctx.run) {
      return Failed(fmt::format("{}: role-to-assume \"{}\" cannot be assumed here (no command "
                                "can be run); give aws-access-key-id and aws-secret-access-key",
                                name, role));
    }
    std::vector<std::string> argv = {
        "aws", "sts", "assume-role", "--role-arn", role, "--role-session-name",
        With(with, "role-session-name", "GitHubActions"), "--duration-seconds",
        With(with, "role-duration-seconds", "3600"), "--output", "json"};
    if (std::string external = With(with, "role-external-id"); !external.empty()) {
      argv.insert(argv.end(), {"--external-id", external});
    }
    std::map<std::string, std::string> credentials;
    if (!key_id.empty()) {
      credentials = {{"AWS_ACCESS_KEY_ID", key_id}, {"AWS_SECRET_ACCESS_KEY", secret_key}};
      if (!session_token.empty()) credentials["AWS_SESSION_TOKEN"] = session_token;
    }
    if (!region.empty()) credentials["AWS_REGION"] = credentials["AWS_DEFAULT_REGION"] = region;
    ctx.log(fmt::format("assuming role \"{}\" with `aws sts assume-role` ({})", role,
                        key_id.empty() ? "no OIDC provider locally: with the credentials already "
                                         "in the environment"
                                       : "with the given access key"));
    std::optional<std::string> answer = ctx.run(argv, credentials);
    nlohmann::json assumed =
        answer ? nlohmann::json::parse(*answer, nullptr, false) : nlohmann::json();
    const nlohmann::json* got = nullptr;
    if (assumed.is_object() && assumed.contains("Credentials") &&
        assumed["Credentials"].is_object()) {
      got = &assumed["Credentials"];
    }
    auto field = [&](const char* key) {
      return got && got->contains(key) && (*got)[key].is_string() ? (*got)[key].get<std::string>()
                                                                  : std::string();
    };
    key_id = field("AccessKeyId");
    secret_key = field("SecretAccessKey");
    session_token = field("SessionToken");
    if (key_id.empty() || secret_key.empty()) {
      return Failed(fmt::format(
          "{}: could not assume role \"{}\": `aws sts assume-role` {}; no credentials are set "
          "(give credentials that may assume the role, or aws-access-key-id and "
          "aws-secret-access-key)",
          name, role, answer ? "returned no credentials" : "failed"));
    }
    ctx.add_mask(key_id);
    ctx.add_mask(secret_key);
    if (!session_token.empty()) ctx.add_mask(session_token);
  }
  ctx.set_env("AWS_ACCESS_KEY_ID", key_id);
  ctx.set_env("AWS_SECRET_ACCESS_KEY", secret_key);
  if (!session_token.empty()) ctx.set_env("AWS_SESSION_TOKEN", session_token);
  if (!region.empty()) {
    ctx.set_env("AWS_REGION", region);
    ctx.set_env("AWS_DEFAULT_REGION", region);
  }
  ctx.log(role.empty() ? "AWS credentials exported to the following steps"
                       : fmt::format("credentials of role \"{}\" exported to the following steps",
                                     role));
  return StepOutcome{};
}

std::string EnvOf(const LocalActionContext& ctx, const char* key) {
  auto it = ctx.env.find(key);
  return it == ctx.env.end() ? std::string() : it->second;
}

// A path with a segment that starts with '.': upload-artifact leaves it out (v4.4.0 and later)
// unless `include-hidden-files: true`.
bool IsHidden(const std::string& relative) {
  size_t start = 0;
  while (start < relative.size()) {
    if (relative[start] == '.') return true;
    size_t slash = relative.find('/', start);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return false;
}

// actions/upload-artifact (src/upload, src/shared/search.ts): `path` is @actions/glob patterns;
// the files are stored relative to the search paths' least common ancestor (a single directory
// is the artifact's root, a single file's directory likewise); if-no-files-found applies when
// nothing at all matched. Outputs artifact-id and artifact-url.
StepOutcome UploadArtifact(std::string_view, const nlohmann::json& with,
                           const LocalActionContext& ctx) {
  std::string name = With(with, "name", "artifact");
  std::string path = With(with, "path");
  if (path.empty()) return Failed("Input required and not supplied: path");
  std::string if_none = With(with, "if-no-files-found", "warn");
  if (if_none != "warn" && if_none != "error" && if_none != "ignore") {
    return Failed(fmt::format("Unrecognized if-no-files-found input. Provided: {}. Available "
                              "options: warn, error, ignore",
                              if_none));
  }
  if (std::string level = With(with, "compression-level"); !level.empty()) {
    if (level.size() != 1 || level[0] < '0' || level[0] > '9') {
      return Failed("Invalid compression-level. Valid values are 0-9");
    }
  }
  if (std::string days = With(with, "retention-days"); !days.empty()) {
    if (days.find_first_not_of("0123456789") != std::string::npos) {
      return Failed("Invalid retention-days");
    }
  }
  std::vector<std::string> roots;
  Expected<std::vector<std::string>> found = expr::GlobFiles(ctx.workspace, {path}, true, &roots);
  if (!found) return Failed(found.error());
  bool hidden = With(with, "include-hidden-files", "false") == "true";
  std::vector<std::string> files;
  for (const std::string& file : *found) {
    if (hidden || !IsHidden(file)) files.push_back(file);
  }
  if (files.empty()) {
    std::string message = fmt::format(
        "No files were found with the provided path: {}. No artifacts will be uploaded.", path);
    if (if_none == "error") return Failed(message);
    ctx.log((if_none == "warn" ? "warning: " : "") + message);
    return StepOutcome{};
  }
  // The root: one search path that is a directory is the root, a file's directory otherwise;
  // several are reduced to their common leading segments (getMultiPathLCA).
  std::string root = roots.empty() ? std::string() : roots.front();
  if (roots.size() == 1) {
    std::error_code error;
    if (!fs::is_directory(InWorkspace(ctx.workspace, root), error)) {
      root = fs::path(root).parent_path().generic_string();
    }
  } else {
    for (const std::string& other : roots) {
      size_t common = 0, i = 0;
      while (i < root.size() && i < other.size() && root[i] == other[i]) {
        if (root[i] == '/') common = i;
        ++i;
      }
      bool whole = i == root.size() && (i == other.size() || other[i] == '/');
      root = whole ? root : root.substr(0, common);
    }
  }
  fs::path target = fs::path(ctx.artifacts_dir) / name;
  std::error_code error;
  fs::create_directories(target, error);
  for (const std::string& file : files) {
    std::string relative = root.empty() ? file : file.substr(root.size() + 1);
    fs::create_directories((target / relative).parent_path(), error);
    fs::copy_file(fs::path(ctx.workspace) / file, target / relative,
                  fs::copy_options::overwrite_existing, error);
    if (error) return Failed(fmt::format("cannot copy \"{}\": {}", file, error.message()));
  }
  ctx.log(fmt::format("artifact \"{}\": {} file(s) stored in the run's artifacts", name,
                      files.size()));
  // A local id: the artifact's position among the run's artifacts.
  size_t id = 0;
  for (const auto& entry : fs::directory_iterator(ctx.artifacts_dir, error)) {
    (void)entry;
    ++id;
  }
  StepOutcome outcome;
  outcome.outputs["artifact-id"] = std::to_string(id);
  outcome.outputs["artifact-url"] =
      fmt::format("{}/{}/actions/runs/{}/artifacts/{}", EnvOf(ctx, "GITHUB_SERVER_URL"),
                  EnvOf(ctx, "GITHUB_REPOSITORY"), EnvOf(ctx, "GITHUB_RUN_ID"), id);
  return outcome;
}

// actions/download-artifact (src/download-artifact.ts): `name` downloads one artifact into
// `path`; without it, every artifact (filtered by `pattern`) goes to path/<name>/ unless
// `merge-multiple: true`. `~` in `path` is the home directory. Output download-path.
StepOutcome DownloadArtifact(std::string_view, const nlohmann::json& with,
                             const LocalActionContext& ctx) {
  std::string name = With(with, "name");
  std::string path = With(with, "path", ".");
  if (size_t tilde = path.find('~'); tilde != std::string::npos) {
    path.replace(tilde, 1, EnvOf(ctx, "HOME"));
  }
  fs::path destination = InWorkspace(ctx.workspace, path).lexically_normal();
  std::error_code error;
  std::vector<std::pair<fs::path, fs::path>> copies;  // artifact → where its files go
  if (!name.empty()) {
    fs::path source = fs::path(ctx.artifacts_dir) / name;
    if (!fs::is_directory(source, error)) {
      return Failed(fmt::format("Unable to download artifact(s): Artifact '{}' not found", name));
    }
    copies.emplace_back(source, destination);
  } else {
    std::string pattern = With(with, "pattern");
    bool merge = With(with, "merge-multiple", "false") == "true";
    std::vector<fs::path> artifacts;
    for (const auto& entry : fs::directory_iterator(ctx.artifacts_dir, error)) {
      std::string artifact = entry.path().filename().string();
      if (pattern.empty() || expr::GlobMatch(pattern, artifact)) artifacts.push_back(entry.path());
    }
    std::sort(artifacts.begin(), artifacts.end());
    for (const fs::path& artifact : artifacts) {
      copies.emplace_back(artifact, merge ? destination : destination / artifact.filename());
    }
  }
  for (const auto& [source, into] : copies) {
    fs::create_directories(into, error);
    fs::copy(source, into, fs::copy_options::recursive | fs::copy_options::overwrite_existing,
             error);
    if (error) return Failed(fmt::format("cannot copy artifact: {}", error.message()));
  }
  ctx.log(fmt::format("{} artifact(s) copied to \"{}\"", copies.size(), destination.string()));
  StepOutcome outcome;
  outcome.outputs["download-path"] = destination.string();
  return outcome;
}

// actions/checkout: the workspace is the checkout already. Its outputs are the ref and the
// commit checked out (src/main.ts, git-source-provider.ts). What would change the files the
// action leaves (another `ref`, submodules, LFS, a sparse checkout) cannot be done in the
// workspace: the step fails rather than let later steps run other code than asked for.
StepOutcome Checkout(std::string_view, const nlohmann::json& with, const LocalActionContext& ctx) {
  const std::string name = "actions/checkout";
  if (!With(with, "path").empty() || !With(with, "repository").empty()) {
    return Failed(name + ": `path` and `repository` are not done locally (the workspace is the "
                         "checkout)");
  }
  for (const char* input : {"submodules", "lfs", "sparse-checkout"}) {
    std::string value = With(with, input);
    if (!value.empty() && value != "false") {
      return Failed(fmt::format("{}: `{}: {}` cannot be done locally: the workspace is used as it "
                                "is",
                                name, input, value));
    }
  }
  std::string ref = With(with, "ref");
  std::string commit = EnvOf(ctx, "GITHUB_SHA");
  if (!ref.empty()) {
    auto cannot = [&](const std::string& why) {
      return Failed(fmt::format("{}: ref \"{}\" {}; a local run cannot check out another ref (it "
                                "runs the workspace as it is): check out that ref yourself and "
                                "run again",
                                name, ref, why));
    };
    if (ref[0] == '-') return cannot("is not a ref");
    if (!ctx.run) return cannot("cannot be resolved here (no command can be run)");
    auto resolve = [&](const std::string& what) -> std::string {
      std::optional<std::string> out =
          ctx.run({"git", "rev-parse", "--verify", "--quiet", what + "^{commit}"}, {});
      std::string sha = out ? *out : "";
      while (!sha.empty() && (sha.back() == '\n' || sha.back() == '\r')) sha.pop_back();
      return sha;
    };
    std::string wanted = resolve(ref);
    if (wanted.empty()) return cannot("does not resolve to a commit in the workspace");
    std::string head = resolve("HEAD");
    if (wanted != head) {
      return cannot(fmt::format("is commit {}, but the workspace is at {}", wanted,
                                head.empty() ? std::string("no commit") : head));
    }
    ctx.log(fmt::format("ref \"{}\" is the workspace's commit {}", ref, head));
    commit = head;
  }
  if (std::string depth = With(with, "fetch-depth"); !depth.empty()) {
    ctx.log(fmt::format("fetch-depth {} has no effect locally: the workspace's history is used as "
                        "it is",
                        depth));
  }
  ctx.log("the workspace is already the checkout: nothing to do");
  StepOutcome outcome;
  outcome.outputs["ref"] = ref.empty() ? EnvOf(ctx, "GITHUB_REF") : ref;
  outcome.outputs["commit"] = commit;
  return outcome;
}

StepOutcome SetupFromPath(std::string_view uses, const nlohmann::json& with,
                          const LocalActionContext& ctx) {
  std::string name = AsciiLower(ActionName(uses));
  if (!ctx.probe) {
    ctx.log(fmt::format("{}: rehearsal: the requested version is not checked", name));
    return StepOutcome{};
  }
  SetupCheck check = CheckSetupTool(uses, with, ctx.path, ctx.workspace, ctx.probe);
  if (check.kind == SetupCheck::Kind::kUnsatisfied) return Failed(name + ": " + check.message);
  ctx.log(fmt::format("{}: {}", name, check.message));
  StepOutcome outcome;
  outcome.outputs = std::move(check.outputs);
  return outcome;
}

std::string FromEnv(const std::map<std::string, std::string>& env, const char* key) {
  auto it = env.find(key);
  return it == env.end() ? std::string() : it->second;
}

BuiltinCall NotifyCall() {
  BuiltinCall call;
  call.uses = "slipway/notify@v1";
  return call;
}

// slackapi/slack-github-action: v2 takes `webhook` (+ `webhook-type`); v1 the
// SLACK_WEBHOOK_URL variable.
BuiltinCall SlackGithubAction(const nlohmann::json& with,
                              const std::map<std::string, std::string>& env,
                              const std::string& workspace) {
  const std::string name = "slackapi/slack-github-action";
  BuiltinCall call = NotifyCall();
  std::string url = With(with, "webhook", FromEnv(env, "SLACK_WEBHOOK_URL"));
  if (!With(with, "method").empty() || !With(with, "token").empty() ||
      !FromEnv(env, "SLACK_BOT_TOKEN").empty()) {
    call.error = name +
                 ": posting with a bot token (Slack API method) has no local "
                 "equivalent; use an incoming webhook";
    return call;
  }
  if (url.empty()) {
    call.error = name + ": no webhook: give `with.webhook` or the SLACK_WEBHOOK_URL variable";
    return call;
  }
  call.with["webhook-url"] = url;
  std::string payload = With(with, "payload");
  if (std::string file = With(with, "payload-file-path"); !file.empty()) {
    std::ifstream in(InWorkspace(workspace, file), std::ios::binary);
    if (!in) {
      call.error = fmt::format("{}: cannot read payload-file-path \"{}\"", name, file);
      return call;
    }
    std::stringstream body;
    body << in.rdbuf();
    payload = body.str();
  }
  if (!payload.empty()) {
    nlohmann::json parsed = nlohmann::json::parse(payload, nullptr, false);
    if (parsed.is_discarded()) {
      call.error = name + ": `payload` is not JSON (YAML payloads have no local equivalent)";
      return call;
    }
    call.with["channel"] = "webhook";
    call.with["body"] = parsed.dump();
  } else {
    call.with["channel"] = "slack";
    call.with["message"] = With(with, "slack-message");
  }
  return call;
}

BuiltinCall ActionSlack(const nlohmann::json& with, const std::map<std::string, std::string>& env,
                        const std::string&) {
  BuiltinCall call = NotifyCall();
  std::string url = With(with, "webhook_url", FromEnv(env, "SLACK_WEBHOOK_URL"));
  if (url.empty()) {
    call.error = "8398a7/action-slack: no webhook: set the SLACK_WEBHOOK_URL variable";
    return call;
  }
  call.with["webhook-url"] = url;
  std::string custom = With(with, "custom_payload");
  if (!custom.empty()) {
    call.with["channel"] = "webhook";
    call.with["body"] = custom;
    return call;
  }
  call.with["channel"] = "slack";
  std::string status = With(with, "status", "info");
  call.with["status"] = status == "custom" ? "info" : status;
  if (std::string text = With(with, "text"); !text.empty()) call.with["message"] = text;
  if (std::string mention = With(with, "mention"); !mention.empty()) {
    call.with["mention"] = mention;
  }
  return call;
}

BuiltinCall SlackNotify(const nlohmann::json&, const std::map<std::string, std::string>& env,
                        const std::string&) {
  BuiltinCall call = NotifyCall();
  std::string url = FromEnv(env, "SLACK_WEBHOOK");
  if (url.empty()) {
    call.error = "rtcamp/action-slack-notify: no webhook: set the SLACK_WEBHOOK variable";
    return call;
  }
  call.with["channel"] = "slack";
  call.with["webhook-url"] = url;
  std::string color = AsciiLower(FromEnv(env, "SLACK_COLOR"));
  call.with["status"] = color == "good" || color == "success"     ? "success"
                        : color == "danger" || color == "failure" ? "failure"
                        : color == "cancelled"                    ? "cancelled"
                                                                  : "info";
  if (std::string title = FromEnv(env, "SLACK_TITLE"); !title.empty()) call.with["title"] = title;
  if (std::string message = FromEnv(env, "SLACK_MESSAGE"); !message.empty()) {
    call.with["message"] = message;
  }
  return call;
}

// The one table (see the header).
constexpr LocalEquivalentRow kLocalEquivalents[] = {
    {"actions/checkout", "the workspace already is the checkout: nothing to do", &Checkout,
     nullptr},
    {"*/setup-", "checks the requested version against the tool on PATH", &SetupFromPath,
     nullptr},
    {"aws-actions/configure-aws-credentials",
     "exports the given AWS credentials and region to later steps (masked)",
     &ConfigureAwsCredentials, nullptr},
    {"actions/upload-artifact", "copies the paths into the run's artifacts", &UploadArtifact,
     nullptr},
    {"actions/download-artifact", "copies from the run's artifacts", &DownloadArtifact, nullptr},
    {"slackapi/slack-github-action", "posts to the webhook through slipway/notify", nullptr,
     &SlackGithubAction},
    {"8398a7/action-slack", "posts to SLACK_WEBHOOK_URL through slipway/notify", nullptr,
     &ActionSlack},
    {"rtCamp/action-slack-notify", "posts to SLACK_WEBHOOK through slipway/notify", nullptr,
     &SlackNotify},
};

// Action names are case-insensitive on GitHub.
bool SameText(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool Matches(std::string_view pattern, std::string_view name) {
  if (pattern.substr(0, 2) == "*/") {
    size_t slash = name.find('/');
    if (slash == std::string_view::npos) return false;
    pattern.remove_prefix(2);
    name.remove_prefix(slash + 1);
  }
  if (pattern.back() == '-') return SameText(name.substr(0, pattern.size()), pattern);
  return SameText(name, pattern);
}

}  // namespace

std::string_view ActionName(std::string_view uses) { return uses.substr(0, uses.find('@')); }

const LocalEquivalentRow* FindLocalEquivalent(std::string_view uses) {
  std::string_view name = ActionName(uses);
  for (const LocalEquivalentRow& row : kLocalEquivalents) {
    if (Matches(row.name, name)) return &row;
  }
  return nullptr;
}

std::string_view LocalEquivalent(std::string_view uses) {
  const LocalEquivalentRow* row = FindLocalEquivalent(uses);
  return row ? row->what : std::string_view();
}

}  // namespace slipway::step_api
