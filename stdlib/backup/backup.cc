#include "stdlib/backup/backup.h"

#include <filesystem>
#include <optional>

#include "stdlib/backup/cloud_stack.h"
#include "stdlib/files.h"
#include "stdlib/input_reader.h"
#include "stdlib/stack_deploy/local_stack.h"
#include "stdlib/text_util.h"

namespace slipway::stdlib::backup {
namespace fs = std::filesystem;
namespace {

using step_api::StepOutcome;
using step_api::StepStatus;

struct Config {
  std::string name;
  std::string source;
  std::string stack;
  std::string tool;
  std::string region;
  std::string endpoint;
  std::vector<std::string> paths;
  std::string command;
};

std::optional<Config> ParseConfig(const nlohmann::json& with, std::string* error) {
  InputReader in(with, kSchema);
  Config c;
  c.name = in.String("name");
  c.source = in.String("source");
  c.stack = in.String("stack-name");
  c.tool = in.String("tool", "local");
  c.region = in.String("region");
  c.endpoint = in.String("endpoint");
  c.paths = in.List("paths");
  c.command = in.String("command");
  if (!IsSafeName(c.name)) {
    in.AddError("input \"name\": \"" + c.name +
                "\" is not a valid backup name (letters, digits, "
                "'.', '_', '-')");
  }
  if (c.source == "stack") {
    if (c.stack.empty()) in.AddError("source stack needs \"stack-name\"");
    if (c.tool != "local" && c.tool != "cdk" && c.tool != "sam" && c.tool != "cloudformation") {
      in.AddError("input \"tool\": expected local, cdk, sam or cloudformation, got \"" + c.tool +
                  "\"");
    }
    if (c.tool == "local" && !c.stack.empty() && !IsSafeName(c.stack)) {
      in.AddError("input \"stack-name\": \"" + c.stack + "\" is not a valid local stack name");
    }
    if (c.tool == "local" && (in.Has("region") || in.Has("endpoint"))) {
      in.AddError(std::string("input \"") + (in.Has("region") ? "region" : "endpoint") +
                  "\" applies to tools cdk, sam and cloudformation, not \"local\"");
    }
  } else if (c.source == "files") {
    if (c.paths.empty()) in.AddError("source files needs \"paths\"");
  } else if (c.source == "command") {
    if (c.command.empty()) in.AddError("source command needs \"command\"");
  } else {
    in.AddError("input \"source\": expected stack, files or command, got \"" + c.source + "\"");
  }
  auto only_for = [&](const char* key, const char* source) {
    if (in.Has(key) && c.source != source) {
      in.AddError("input \"" + std::string(key) + "\" applies to source " + source + ", not \"" +
                  c.source + "\"");
    }
  };
  only_for("stack-name", "stack");
  only_for("region", "stack");
  only_for("endpoint", "stack");
  only_for("paths", "files");
  only_for("command", "command");
  if (!in.ok()) {
    *error = in.ErrorText();
    return std::nullopt;
  }
  return c;
}

StepOutcome Fail(std::string message) { return {StepStatus::kFailure, 1, std::move(message), {}}; }

bool CopyFile(const fs::path& from, const fs::path& to, std::string* error) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) *error = "cannot copy \"" + from.string() + "\": " + ec.message();
  return !ec;
}

// Where a source file goes inside the backup: its path relative to the workspace, or its
// absolute path without the leading "/" when it lies outside.
fs::path Destination(const fs::path& workspace, const fs::path& file) {
  fs::path relative = file.lexically_relative(workspace);
  if (relative.empty() || *relative.begin() == "..") relative = file.relative_path();
  return relative;
}

}  // namespace

step_api::StepPreview Backup::Preview(const step_api::StepInputs& inputs) const {
  std::string error;
  std::optional<Config> c = ParseConfig(inputs.with, &error);
  if (!c) return {"backup: invalid inputs: " + error, {}};
  step_api::StepPreview preview;
  preview.summary = "back up " + c->source + " into artifacts/backups/" + c->name + "/";
  if (c->source == "stack") {
    if (c->tool == "local") {
      preview.details.push_back("copy the live version of <state-dir>/stacks/" + c->stack + "/");
    } else {
      std::string where = !c->endpoint.empty() ? " at " + c->endpoint
                          : !c->region.empty() ? " (region " + c->region + ")"
                                               : "";
      preview.details.push_back(
          "CloudFormation API" + where +
          ", SigV4 with AWS_ACCESS_KEY_ID from the step's environment: save DescribeStacks, "
          "GetTemplate (Original) and DescribeStackResources for " +
          c->stack + " (nothing if it does not exist yet)");
    }
  } else if (c->source == "files") {
    for (const std::string& p : c->paths) preview.details.push_back("files: " + p);
  } else {
    preview.details.push_back("output of: " + c->command);
  }
  preview.details.push_back("with SHA256SUMS and metadata.json");
  return preview;
}

StepOutcome Backup::Run(const step_api::StepInputs& inputs, step_api::StepContext& context) {
  std::string error;
  std::optional<Config> parsed = ParseConfig(inputs.with, &error);
  if (!parsed) return Fail("backup: " + error);
  const Config& c = *parsed;
  if (std::string refused = SecretInName("name", c.name, context); !refused.empty()) {
    return Fail("backup: " + refused);
  }
  if (context.cancelled()) return {StepStatus::kCancelled, 1, "cancelled", {}};
  fs::path root = fs::path(context.artifacts_dir()) / "backups" / c.name;
  std::error_code ec;
  fs::remove_all(root, ec);  // a re-run (e.g. --resume) replaces its own earlier backup
  fs::create_directories(root, ec);
  if (ec) return Fail("cannot create \"" + root.string() + "\": " + ec.message());
  std::string id = c.name + "-" + CompactUtc(context.NowMs());
  nlohmann::json metadata = {{"id", id},
                             {"name", c.name},
                             {"source", c.source},
                             {"created_at", FormatUtc(context.NowMs())}};

  if (c.source == "stack" && c.tool == "local") {
    stack_deploy::LocalStackStore store(context.state_dir(), c.stack);
    std::optional<int> current = store.Current();
    if (current) {
      fs::path version_dir = store.VersionDir(*current);
      std::string version = version_dir.filename().string();
      for (auto it = fs::recursive_directory_iterator(version_dir, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        if (!CopyFile(it->path(),
                      root / "stack" / version / it->path().lexically_relative(version_dir),
                      &error)) {
          return Fail(error);
        }
      }
      if (!CopyFile(store.dir() / "current", root / "stack" / "current", &error))
        return Fail(error);
      metadata["stack"] = {{"name", c.stack}, {"tool", "local"}, {"version", version}};
    } else {
      // A first deployment has nothing to restore: record that instead of failing the
      // pipeline before its first deploy.
      context.Log("stack " + c.stack + " has no deployed version yet; the backup records none");
      metadata["stack"] = {{"name", c.stack}, {"tool", "local"}, {"version", nullptr}};
    }
  } else if (c.source == "stack") {
    nlohmann::json stack;
    StepOutcome captured = CaptureCloudStack({c.stack, c.tool, c.region, c.endpoint}, inputs.env,
                                             context, root / "stack", &stack);
    if (captured.status != StepStatus::kSuccess) return captured;
    metadata["stack"] = stack;
  } else if (c.source == "files") {
    fs::path workspace = context.workspace();
    int copied = 0;
    for (const std::string& pattern : c.paths) {
      std::vector<fs::path> matches = ExpandGlob(workspace, pattern);
      if (matches.empty()) return Fail("backup: no files match \"" + pattern + "\"");
      for (const fs::path& file : matches) {
        if (!CopyFile(file, root / "files" / Destination(workspace, file), &error)) {
          return Fail(error);
        }
        ++copied;
      }
    }
    metadata["paths"] = c.paths;
  } else {
    std::string output;
    int code = context.RunCommand(c.command, &output);
    if (code != 0) {
      return Fail("backup command exited with " + std::to_string(code) + "; backup incomplete");
    }
    // Captured output is a report, not a copy of a file: secrets in it are masked.
    if (!WriteFileAtomic(root / "command" / "output.txt", context.Mask(output), &error)) {
      return Fail(error);
    }
    metadata["command"] = c.command;
  }

  // Checksums of everything captured, in `sha256sum -c` format, sorted by path.
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(it->path().lexically_relative(root));
  }
  std::sort(files.begin(), files.end());
  std::string sums;
  nlohmann::json listed = nlohmann::json::array();
  uint64_t total = 0;
  for (const fs::path& file : files) {
    std::string hex;
    if (!Sha256File(root / file, &hex, &error)) return Fail(error);
    uint64_t size = fs::file_size(root / file, ec);
    total += size;
    sums += hex + "  " + file.generic_string() + "\n";
    listed.push_back({{"path", file.generic_string()}, {"size", size}, {"sha256", hex}});
  }
  metadata["files"] = listed;
  metadata["total_bytes"] = total;
  metadata["sha256sums_sha256"] = Sha256Hex(sums);
  if (!WriteFileAtomic(root / "SHA256SUMS", sums, &error) ||
      !WriteFileAtomic(root / "metadata.json", context.Mask(metadata.dump(2) + "\n"), &error)) {
    return Fail(error);
  }
  context.Log("backup " + id + ": " + std::to_string(files.size()) + " file(s), " +
              std::to_string(total) + " bytes in " + root.string());
  StepOutcome outcome;
  outcome.outputs = {{"backup-id", id},
                     {"path", root.string()},
                     {"files", std::to_string(files.size())},
                     {"checksum", Sha256Hex(sums)}};
  return outcome;
}

std::unique_ptr<step_api::StepImpl> Make() { return std::make_unique<Backup>(); }

}  // namespace slipway::stdlib::backup
