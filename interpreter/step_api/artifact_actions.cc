#include "interpreter/step_api/artifact_actions.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdio.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <random>
#include <system_error>
#include <utility>

#include "interpreter/base/ascii.h"
#include "interpreter/expr/hash_files.h"
#include "interpreter/step_api/action_inputs.h"
#include "interpreter/step_api/local_equivalents.h"

namespace slipway::step_api {
namespace {

namespace fs = std::filesystem;

// @actions/artifact path-and-artifact-name-validation.ts: the characters a file path inside an
// artifact may not hold, then the two more an artifact's name may not hold; checked in this
// order, so the message names the first of them in this list that the text holds.
struct Forbidden {
  char character;
  const char* description;
};
constexpr Forbidden kForbiddenInPaths[] = {
    {'"', " Double quote \""}, {':', " Colon :"},
    {'<', " Less than <"},     {'>', " Greater than >"},
    {'|', " Vertical bar |"},  {'*', " Asterisk *"},
    {'?', " Question mark ?"}, {'\r', " Carriage return \\r"},
    {'\n', " Line feed \\n"},
};
constexpr Forbidden kForbiddenInNamesOnly[] = {{'\\', " Backslash \\"}, {'/', " Forward slash /"}};

std::optional<const Forbidden*> FirstForbidden(std::string_view text, bool name) {
  for (const Forbidden& f : kForbiddenInPaths) {
    if (text.find(f.character) != std::string_view::npos) return &f;
  }
  if (name) {
    for (const Forbidden& f : kForbiddenInNamesOnly) {
      if (text.find(f.character) != std::string_view::npos) return &f;
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

std::string RandomSuffix() {
  std::random_device device;
  return fmt::format("{:08x}{:08x}", device(), device());
}

// Moves directory `from` to `to` unless `to` exists (renameat2 RENAME_NOREPLACE: atomic, so
// two jobs uploading one name at the same time cannot both succeed). False with errno EEXIST
// when `to` exists.
bool RenameNoReplace(const fs::path& from, const fs::path& to, std::error_code* error) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
    return true;
  }
  if (errno == EINVAL || errno == ENOSYS) {  // a file system without RENAME_NOREPLACE
    std::error_code exists_error;
    if (fs::exists(to, exists_error)) {
      *error = std::make_error_code(std::errc::file_exists);
      return false;
    }
    fs::rename(from, to, *error);
    return !*error;
  }
  *error = std::error_code(errno, std::generic_category());
  return false;
}

// A temporary directory that removes itself unless released.
class StagingDirectory {
 public:
  explicit StagingDirectory(fs::path path) : path_(std::move(path)) {}
  ~StagingDirectory() {
    if (!path_.empty()) {
      std::error_code ignored;
      fs::remove_all(path_, ignored);
    }
  }
  StagingDirectory(const StagingDirectory&) = delete;
  StagingDirectory& operator=(const StagingDirectory&) = delete;
  const fs::path& path() const { return path_; }
  void Release() { path_.clear(); }

 private:
  fs::path path_;
};

bool Reveals(const LocalActionContext& ctx, std::string_view text) {
  return ctx.mask && ctx.mask(text) != text;
}

// The run's artifacts (the directories with a valid artifact name) under `dir`, sorted.
std::vector<fs::path> ListArtifactDirectories(const fs::path& dir) {
  std::vector<fs::path> artifacts;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    std::error_code type_error;
    if (!entry.is_directory(type_error) || entry.is_symlink(type_error)) continue;
    if (InvalidArtifactName(entry.path().filename().string())) continue;
    artifacts.push_back(entry.path());
  }
  std::sort(artifacts.begin(), artifacts.end());
  return artifacts;
}

constexpr std::string_view kUpload = "actions/upload-artifact";

}  // namespace

std::optional<std::string> InvalidArtifactName(std::string_view name) {
  if (name.empty()) return "Provided artifact name input during validation is empty";
  if (std::optional<const Forbidden*> f = FirstForbidden(name, true)) {
    return fmt::format("The artifact name is not valid: {}. Contains the following character: {}",
                       name, (*f)->description);
  }
  if (name == "." || name == "..") {
    return fmt::format(
        "The artifact name is not valid: {} (it would name a directory of the "
        "state directory, not an artifact)",
        name);
  }
  if (name.find('\0') != std::string_view::npos) {
    return "The artifact name is not valid: it contains a NUL character";
  }
  return std::nullopt;
}

std::optional<std::string> InvalidArtifactFilePath(std::string_view path) {
  if (path.empty()) return "Provided file path input during validation is empty";
  if (std::optional<const Forbidden*> f = FirstForbidden(path, false)) {
    return fmt::format(
        "The path for one of the files in artifact is not valid: {}. Contains the "
        "following character: {}",
        path, (*f)->description);
  }
  return std::nullopt;
}

std::string ArtifactRoot(const std::vector<std::string>& search_paths,
                         const std::vector<std::string>& files) {
  if (search_paths.empty()) return "";
  if (search_paths.size() == 1) {
    const std::string& only = search_paths.front();
    if (files.size() == 1 && files.front() == only) {
      return fs::path(only).parent_path().generic_string();
    }
    return only;
  }
  std::vector<std::vector<std::string_view>> split;
  for (const std::string& path : search_paths) split.push_back(Segments(path));
  std::string common;
  for (size_t i = 0;; ++i) {
    bool same = i < split.front().size();
    for (const auto& segments : split) {
      same = same && i < segments.size() && segments[i] == split.front()[i];
    }
    if (!same) break;
    common += (common.empty() ? "" : "/") + std::string(split.front()[i]);
  }
  return common;
}

// actions/upload-artifact (src/upload/upload-artifact.ts, src/shared/search.ts, and
// @actions/artifact's uploadArtifact): `path` is @actions/glob patterns; if-no-files-found
// applies when nothing at all matched; the name (with `archive: false`, the one file's name)
// and each stored path are validated; `overwrite: true` replaces an artifact of that name, else
// a second upload under it fails. Outputs artifact-id and artifact-url.
StepOutcome UploadArtifact(std::string_view, const nlohmann::json& with,
                           const LocalActionContext& ctx) {
  std::string name = ActionInput(with, "name", "artifact");
  std::string path = ActionInput(with, "path");
  if (path.empty()) return ActionFailed("Input required and not supplied: path");
  std::string error;
  std::optional<bool> overwrite = ActionBooleanInput(with, "overwrite", false, &error);
  std::optional<bool> hidden = ActionBooleanInput(with, "include-hidden-files", false, &error);
  std::optional<bool> archive = ActionBooleanInput(with, "archive", true, &error);
  if (!overwrite || !hidden || !archive) return ActionFailed(error);
  std::string if_none = ActionInput(with, "if-no-files-found", "warn");
  if (if_none != "warn" && if_none != "error" && if_none != "ignore") {
    return ActionFailed(
        fmt::format("Unrecognized if-no-files-found input. Provided: {}. "
                    "Available options: warn, error, ignore",
                    if_none));
  }
  if (std::string level = ActionInput(with, "compression-level"); !level.empty()) {
    if (level.size() != 1 || level[0] < '0' || level[0] > '9') {
      return ActionFailed("Invalid compression-level. Valid values are 0-9");
    }
    ctx.log("compression-level has no effect locally: artifacts are stored unzipped");
  }
  if (std::string days = ActionInput(with, "retention-days"); !days.empty()) {
    if (days.find_first_not_of("0123456789") != std::string::npos) {
      return ActionFailed("Invalid retention-days");
    }
    ctx.log(
        fmt::format("retention-days {} has no effect locally: the artifact stays with the "
                    "run in the state directory",
                    days));
  }
  std::vector<std::string> search_paths;
  Expected<std::vector<std::string>> found =
      expr::GlobFiles(ctx.workspace, {path}, true, &search_paths);
  if (!found) return ActionFailed(found.error());
  std::vector<std::string> files;
  for (const std::string& file : *found) {
    bool is_hidden = false;
    for (std::string_view segment : Segments(file)) is_hidden = is_hidden || segment[0] == '.';
    if (*hidden || !is_hidden) files.push_back(file);
  }
  if (files.empty()) {
    std::string message = fmt::format(
        "No files were found with the provided path: {}. No artifacts will be uploaded.", path);
    if (if_none == "error") return ActionFailed(message);
    ctx.log((if_none == "warn" ? "warning: " : "") + message);
    return StepOutcome{};
  }
  ctx.log(fmt::format("With the provided path, there will be {} file{} uploaded", files.size(),
                      files.size() == 1 ? "" : "s"));
  if (!*archive && files.size() > 1) {
    return ActionFailed(
        fmt::format("When 'archive' is set to false, only a single file can be "
                    "uploaded. Found {} files to upload.",
                    files.size()));
  }
  const std::string root = ArtifactRoot(search_paths, files);
  if (!*archive) name = fs::path(files.front()).filename().string();
  if (std::optional<std::string> invalid = InvalidArtifactName(name)) {
    return ActionFailed(*invalid);
  }
  // GitHub masks a secret in the logs, but here the name becomes a directory of the state
  // directory and is listed by `show` and `report`: refuse it (run_differences.txt).
  if (Reveals(ctx, name)) {
    return ActionFailed(
        fmt::format("{}: the artifact name contains a secret; it would be stored "
                    "in the state directory and shown by `slipway show` and "
                    "`report`: name the artifact without secrets",
                    kUpload));
  }
  // Each file's path inside the artifact: below the root (getUploadZipSpecification).
  std::vector<std::pair<std::string, std::string>> stored;  // workspace path → artifact path
  for (const std::string& file : files) {
    if (!root.empty() && file.compare(0, root.size() + 1, root + "/") != 0) {
      return ActionFailed(
          fmt::format("The rootDirectory: {} is not a parent directory of the "
                      "file: {}",
                      root, file));
    }
    std::string relative = root.empty() ? file : file.substr(root.size() + 1);
    if (std::optional<std::string> invalid = InvalidArtifactFilePath(relative)) {
      return ActionFailed(*invalid);
    }
    for (std::string_view segment : Segments(relative)) {
      if (segment == "." || segment == "..") {
        return ActionFailed(
            fmt::format("{}: the path \"{}\" inside the artifact is not valid", kUpload, relative));
      }
    }
    if (Reveals(ctx, relative)) {
      return ActionFailed(
          fmt::format("{}: the path of the file \"{}\" contains a secret; it "
                      "would be stored in the state directory and shown by "
                      "`slipway show` and `report`",
                      kUpload, file));
    }
    stored.emplace_back(file, std::move(relative));
  }
  // Staged beside the artifacts, then moved into place whole.
  std::error_code fs_error;
  const fs::path artifacts(ctx.artifacts_dir);
  fs::create_directories(artifacts, fs_error);
  if (fs_error) {
    return ActionFailed(fmt::format("cannot create the artifacts directory \"{}\": {}",
                                    artifacts.string(), fs_error.message()));
  }
  const fs::path staging_root =
      ctx.staging_dir.empty() ? artifacts.parent_path() : fs::path(ctx.staging_dir);
  fs::create_directories(staging_root, fs_error);
  StagingDirectory staged(staging_root / (".upload-" + RandomSuffix()));
  if (!fs::create_directory(staged.path(), fs_error) || fs_error) {
    return ActionFailed(fmt::format("cannot create \"{}\": {}", staged.path().string(),
                                    fs_error ? fs_error.message() : "it exists"));
  }
  for (const auto& [file, relative] : stored) {
    fs::path into = staged.path() / relative;
    fs::create_directories(into.parent_path(), fs_error);
    if (!fs_error) fs::copy_file(InWorkspace(ctx.workspace, file), into, fs_error);
    if (fs_error) {
      return ActionFailed(fmt::format("cannot copy \"{}\": {}", file, fs_error.message()));
    }
  }
  const fs::path target = artifacts / name;
  if (*overwrite) {
    // deleteArtifactIfExists: the earlier artifact goes away first.
    if (fs::exists(target, fs_error)) {
      StagingDirectory old(staging_root / (".replaced-" + RandomSuffix()));
      fs::rename(target, old.path(), fs_error);
      if (fs_error) {
        return ActionFailed(
            fmt::format("cannot replace artifact \"{}\": {}", name, fs_error.message()));
      }
      ctx.log(fmt::format("artifact \"{}\" replaced (overwrite: true)", name));
    }
  }
  if (!RenameNoReplace(staged.path(), target, &fs_error)) {
    if (fs_error == std::errc::file_exists || fs_error == std::errc::directory_not_empty) {
      return ActionFailed(
          "Failed to CreateArtifact: Received non-retryable error: Failed request: (409) "
          "Conflict: an artifact with this name already exists on the workflow run");
    }
    return ActionFailed(fmt::format("cannot store artifact \"{}\": {}", name, fs_error.message()));
  }
  staged.Release();
  // A local id: the artifact's position among the run's artifacts.
  size_t id = 0;
  for (auto it = fs::directory_iterator(artifacts, fs_error);
       !fs_error && it != fs::directory_iterator(); it.increment(fs_error)) {
    ++id;
  }
  ctx.log(fmt::format("artifact \"{}\": {} file(s) stored in the run's artifacts (artifact-id {})",
                      name, stored.size(), id));
  StepOutcome outcome;
  outcome.outputs["artifact-id"] = std::to_string(id);
  outcome.outputs["artifact-url"] =
      fmt::format("{}/{}/actions/runs/{}/artifacts/{}", EnvValue(ctx.env, "GITHUB_SERVER_URL"),
                  EnvValue(ctx.env, "GITHUB_REPOSITORY"), EnvValue(ctx.env, "GITHUB_RUN_ID"), id);
  return outcome;
}

namespace {

// download-artifact's inputs that choose where artifacts come from: this run's artifacts
// directory, or (with `github-token`, as the action reads `repository` and `run-id` only with
// a token) another run of this repository in the state directory.
Expected<fs::path> SourceRun(const nlohmann::json& with, const LocalActionContext& ctx) {
  std::string token = ActionInput(with, "github-token");
  std::string repository = ActionInput(with, "repository");
  std::string run_id = ActionInput(with, "run-id");
  const std::string this_repository = EnvValue(ctx.env, "GITHUB_REPOSITORY");
  const std::string this_run = EnvValue(ctx.env, "GITHUB_RUN_ID");
  if (token.empty()) {
    std::vector<std::string> unused;
    if (!run_id.empty() && run_id != this_run) unused.push_back("run-id \"" + run_id + "\"");
    if (!repository.empty() && AsciiLower(repository) != AsciiLower(this_repository)) {
      unused.push_back("repository \"" + repository + "\"");
    }
    if (!unused.empty()) {
      ctx.log(
          fmt::format("warning: {} {} not used without `github-token` (the action reads "
                      "run-id and repository only with a token): downloading from this run",
                      fmt::join(unused, " and "), unused.size() == 1 ? "is" : "are"));
    }
    return fs::path(ctx.artifacts_dir);
  }
  if (repository.empty()) repository = this_repository;
  size_t slash = repository.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == repository.size()) {
    return MakeUnexpected(
        fmt::format("Invalid repository: '{}'. Must be in format owner/repo", repository));
  }
  if (AsciiLower(repository) != AsciiLower(this_repository)) {
    return MakeUnexpected(fmt::format(
        "repository \"{}\": another repository's artifacts cannot be downloaded locally (the "
        "state directory holds the runs of {} only)",
        repository, this_repository));
  }
  if (run_id.empty() || run_id == this_run) return fs::path(ctx.artifacts_dir);
  if (!ctx.run_artifacts) {
    return MakeUnexpected(
        fmt::format("run-id \"{}\": another run's artifacts cannot be read here", run_id));
  }
  Expected<std::string> other = ctx.run_artifacts(run_id);
  if (!other) return MakeUnexpected(other.error());
  ctx.log(fmt::format("artifacts of run \"{}\"", run_id));
  return fs::path(*other);
}

}  // namespace

// actions/download-artifact (src/download-artifact.ts, v4): `name` downloads one artifact into
// `path`; without it, every artifact (filtered by `pattern`) goes to path/<name>/ unless
// `merge-multiple: true`. `~` in `path` is the home directory. Output download-path. Errors are
// "Unable to download artifact(s): <why>", as the action's setFailed words them.
StepOutcome DownloadArtifact(std::string_view, const nlohmann::json& with,
                             const LocalActionContext& ctx) {
  auto failed = [](const std::string& why) {
    return ActionFailed("Unable to download artifact(s): " + why);
  };
  std::string name = ActionInput(with, "name");
  std::string path = ActionInput(with, "path", ".");
  std::string error;
  std::optional<bool> merge = ActionBooleanInput(with, "merge-multiple", false, &error);
  std::optional<bool> skip_decompress = ActionBooleanInput(with, "skip-decompress", false, &error);
  if (!merge || !skip_decompress) return failed(error);
  std::string digest_mismatch = ActionInput(with, "digest-mismatch", "error");
  if (digest_mismatch.empty()) digest_mismatch = "error";
  if (digest_mismatch != "ignore" && digest_mismatch != "info" && digest_mismatch != "warn" &&
      digest_mismatch != "error") {
    return failed(
        fmt::format("Invalid value for 'digest-mismatch': '{}'. Valid options are: "
                    "ignore, info, warn, error",
                    digest_mismatch));
  }
  if (path.empty()) path = ".";
  if (path[0] == '~') path.replace(0, 1, EnvValue(ctx.env, "HOME"));
  std::string ids = ActionInput(with, "artifact-ids");
  if (!name.empty() && !ids.empty()) {
    return failed(
        "Inputs 'name' and 'artifact-ids' cannot be used together. Please specify "
        "only one.");
  }
  if (!ids.empty()) {
    return failed(
        "artifact-ids: artifacts have no stable ids locally (artifact-id is the "
        "artifact's position in its run); download them by `name` or `pattern`");
  }
  if (*skip_decompress) {
    return failed(
        "skip-decompress: true: artifacts are stored unzipped locally; there is no "
        "archive to hand over");
  }
  Expected<fs::path> source_run = SourceRun(with, ctx);
  if (!source_run) return failed(source_run.error());
  fs::path destination = InWorkspace(ctx.workspace, path).lexically_normal();
  std::error_code fs_error;
  std::vector<std::pair<fs::path, fs::path>> copies;  // artifact → where its files go
  if (!name.empty()) {
    // A name no upload accepts is never a directory to read (a path, "..").
    fs::path source = *source_run / name;
    if (InvalidArtifactName(name) || !fs::is_directory(fs::symlink_status(source, fs_error))) {
      return failed(fmt::format("Artifact '{}' not found", name));
    }
    copies.emplace_back(source, destination);
  } else {
    std::string pattern = ActionInput(with, "pattern");
    for (const fs::path& artifact : ListArtifactDirectories(*source_run)) {
      if (!pattern.empty() && !expr::GlobMatch(pattern, artifact.filename().string())) continue;
      copies.emplace_back(artifact, *merge ? destination : destination / artifact.filename());
    }
  }
  for (const auto& [source, into] : copies) {
    fs::create_directories(into, fs_error);
    if (!fs_error) {
      fs::copy(source, into, fs::copy_options::recursive | fs::copy_options::overwrite_existing,
               fs_error);
    }
    if (fs_error) {
      return failed(fmt::format("cannot copy artifact '{}' to \"{}\": {}",
                                source.filename().string(), into.string(), fs_error.message()));
    }
  }
  ctx.log(fmt::format("Total of {} artifact(s) downloaded to \"{}\"", copies.size(),
                      destination.string()));
  StepOutcome outcome;
  outcome.outputs["download-path"] = destination.string();
  return outcome;
}

}  // namespace slipway::step_api
