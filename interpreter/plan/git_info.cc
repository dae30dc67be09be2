#include "interpreter/plan/git_info.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "interpreter/plan/plan.h"

namespace slipway::plan {
namespace {

namespace fs = std::filesystem;

/// Single-quotes `arg` for /bin/sh.
std::string ShellQuote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

/// `git -C dir <args>`'s whole output, nullopt on any failure.
std::optional<std::string> GitOutput(const std::string& dir, const std::string& args) {
  std::string command = "git -C " + ShellQuote(dir) + " " + args + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out;
  std::array<char, 512> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  if (pclose(pipe) != 0) return std::nullopt;
  return out;
}

/// The first line of `git -C dir <args>`'s output, "" on any failure.
std::string Git(const std::string& dir, const std::string& args) {
  std::string out = GitOutput(dir, args).value_or("");
  size_t newline = out.find('\n');
  if (newline != std::string::npos) out.resize(newline);
  return out;
}

/// The files `git status` calls untracked (ignored ones are not), except slipway's own state
/// under .slipway/ (run records, audit key) that a first run creates.
std::vector<std::string> UntrackedFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::string out =
      GitOutput(dir, "status --porcelain=v1 -z --untracked-files=all").value_or("");
  for (size_t start = 0; start < out.size();) {
    size_t end = out.find('\0', start);
    if (end == std::string::npos) end = out.size();
    std::string_view entry(out.data() + start, end - start);
    start = end + 1;
    if (entry.rfind("?? ", 0) != 0) continue;
    std::string_view path = entry.substr(3);
    if (path.rfind(".slipway/", 0) == 0 && path != ".slipway/environments.yml" &&
        path != ".slipway/runners.yml") {
      continue;
    }
    files.emplace_back(path);
  }
  return files;
}

bool IsDirectory(const fs::path& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

bool IsHex(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
}

std::string Short(const std::string& sha) { return sha.substr(0, 12); }

}  // namespace

std::string RepositoryFromRemoteUrl(std::string_view url) {
  std::string_view path = url;
  if (size_t scheme = path.find("://"); scheme != std::string_view::npos) {
    path.remove_prefix(scheme + 3);
    size_t slash = path.find('/');
    if (slash == std::string_view::npos) return "";
    path.remove_prefix(slash + 1);
  } else if (size_t colon = path.find(':'); colon != std::string_view::npos) {
    path.remove_prefix(colon + 1);  // scp-like git@host:owner/name
  } else {
    return "";
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.size() > 4 && path.substr(path.size() - 4) == ".git") path.remove_suffix(4);
  // Keep the last two segments: owner/name.
  size_t last = path.rfind('/');
  if (last == std::string_view::npos || last == 0) return "";
  size_t before = path.rfind('/', last - 1);
  std::string_view owner_name = before == std::string_view::npos ? path : path.substr(before + 1);
  if (owner_name.find('/') == 0 || owner_name.back() == '/') return "";
  return std::string(owner_name);
}

GitInfo ReadGitInfo(const std::string& dir) {
  GitInfo info;
  info.dir = dir;
  info.sha = Git(dir, "rev-parse --verify -q HEAD");
  if (info.sha.empty()) return info;  // not a repository, or no commit yet
  info.ref = Git(dir, "symbolic-ref -q HEAD");
  info.tag = Git(dir, "describe --tags --exact-match HEAD");
  // A detached HEAD has a real ref only when a tag points at it; nothing is invented.
  if (info.ref.empty() && !info.tag.empty()) info.ref = "refs/tags/" + info.tag;
  info.repository = RepositoryFromRemoteUrl(Git(dir, "config --get remote.origin.url"));
  info.actor = Git(dir, "config user.name");
  info.uncommitted_changes = !Git(dir, "status --porcelain --untracked-files=no").empty();
  info.untracked_files = UntrackedFiles(dir);
  std::string head = Git(dir, "symbolic-ref -q refs/remotes/origin/HEAD");
  if (head.rfind("refs/remotes/origin/", 0) == 0) {
    info.default_branch = head.substr(20);
  } else {
    // No remote says which branch is the default: git's init.defaultBranch, else main, else
    // master, when such a branch exists here.
    std::string configured = Git(dir, "config init.defaultBranch");
    for (const std::string& name : {configured, std::string("main"), std::string("master")}) {
      if (!name.empty() && name[0] != '-' &&
          !Git(dir, "rev-parse --verify -q " + ShellQuote("refs/heads/" + name)).empty()) {
        info.default_branch = name;
        break;
      }
    }
  }
  return info;
}

std::string ResolveCommit(const std::string& dir, const std::string& revision) {
  // A leading '-' would be read as an option; no ref or commit starts with one.
  if (revision.empty() || revision[0] == '-') return "";
  return Git(dir, "rev-parse --verify -q " + ShellQuote(revision + "^{commit}"));
}

std::string RepositoryRoot(const std::string& path) {
  std::error_code error;
  fs::path absolute = fs::absolute(path, error);
  if (error) return "";
  fs::path dir = IsDirectory(absolute) ? absolute : absolute.parent_path();
  // The git top-level is the nearest directory holding a `.git` entry (a directory, or the file
  // a worktree or submodule has); found by looking, not by spawning git (validate's start time).
  std::error_code ignored;
  for (fs::path at = dir; !at.empty(); at = at.parent_path()) {
    if (fs::exists(at / ".git", ignored)) return at.string();
    if (at == at.parent_path()) break;
  }
  for (fs::path at = dir; !at.empty(); at = at.parent_path()) {
    if (IsDirectory(at / ".github") || IsDirectory(at / ".slipway")) return at.string();
    if (at == at.parent_path()) break;
  }
  return "";
}

std::string PathInRepository(const std::string& path) {
  std::string root = RepositoryRoot(path);
  if (root.empty()) return path;
  std::error_code error;
  fs::path absolute = fs::absolute(path, error).lexically_normal();
  if (error) return path;
  fs::path relative = absolute.lexically_relative(fs::path(root).lexically_normal());
  if (relative.empty() || relative.begin()->string() == "..") return path;
  return relative.generic_string();
}

std::string DefaultSlipwayFile(const std::string& workflow_path, const std::string& name,
                              std::string* looked_at) {
  std::string root = RepositoryRoot(workflow_path);
  if (root.empty()) {
    if (looked_at) {
      *looked_at = fmt::format(
          "no repository root above \"{}\" (no git repository, no .github/ or .slipway/ "
          "directory)",
          workflow_path);
    }
    return "";
  }
  fs::path file = fs::path(root) / ".slipway" / name;
  // Shown relative to the current directory ("./.slipway/environments.yml" from the root,
  // "../.slipway/environments.yml" from a subdirectory), so plans and records do not depend on
  // where the checkout lives.
  std::error_code error;
  fs::path relative = fs::relative(file, fs::current_path(error), error);
  std::string candidate = file.string();
  if (!error && !relative.empty()) {
    candidate = relative.begin()->string() == ".." ? relative.string() : "./" + relative.string();
  }
  if (looked_at) *looked_at = "\"" + candidate + "\"";
  struct stat info;
  if (stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode)) return candidate;
  return "";
}

std::string DefaultEnvironmentsFile(const std::string& workflow_path, std::string* looked_at) {
  return DefaultSlipwayFile(workflow_path, "environments.yml", looked_at);
}

Expected<bool> VerifyRunRef(const GitInfo& git, const Plan& plan, const ClaimedRef& claimed) {
  if (!git.in_repository()) {
    if (!claimed.ref_given || !claimed.sha_given) {
      return MakeUnexpected(fmt::format(
          "\"{}\" is not a git repository (or has no commit), so there is no HEAD to take the "
          "ref and commit from: pass --ref and --sha",
          git.dir));
    }
    if (!IsHex(plan.sha) || plan.sha.size() > 40) {
      return MakeUnexpected(
          fmt::format("--sha \"{}\" is not a commit id (hexadecimal, at most 40 digits)", plan.sha));
    }
    for (const PlannedJob& job : plan.jobs) {
      if (job.environment && job.environment->has_ref_policy) {
        return MakeUnexpected(fmt::format(
            "environment \"{}\" of job \"{}\" allows only some branches or tags, and \"{}\" is "
            "not a git repository, so ref \"{}\" cannot be verified; run from the repository",
            job.environment->name, job.id, git.dir, plan.ref));
      }
    }
    return true;
  }
  if (!claimed.ref_given && git.ref.empty()) {
    return MakeUnexpected(fmt::format(
        "HEAD ({}) is detached and no tag points at it, so it has no ref: pass --ref with the "
        "branch or tag that names this commit",
        Short(git.sha)));
  }
  const std::string& head = git.sha;
  std::string sha = IsHex(plan.sha) ? ResolveCommit(git.dir, plan.sha) : "";
  if (sha != head) {
    return MakeUnexpected(fmt::format(
        "--sha \"{}\" is not the commit that runs: the workspace's HEAD is {}{}", plan.sha, head,
        sha.empty() || sha == plan.sha ? "" : " (it names " + sha + ")"));
  }
  // Pull requests deploy from their head branch (the gate checks it); other events from ref.
  std::string ref = plan.ref;
  if (plan.event == "pull_request") {
    std::string head_ref = plan.github.value("head_ref", "");
    ref = head_ref.rfind("refs/", 0) == 0 ? head_ref : "refs/heads/" + head_ref;
  }
  std::string commit = ResolveCommit(git.dir, ref);
  if (commit.empty()) {
    return MakeUnexpected(fmt::format(
        "ref \"{}\" does not exist in the repository at \"{}\"; the workspace's HEAD is {}{}", ref,
        git.dir, Short(head), git.ref.empty() ? "" : " (" + git.ref + ")"));
  }
  if (commit != head) {
    return MakeUnexpected(fmt::format(
        "ref \"{}\" is commit {}, but the workspace's HEAD is commit {}{}: a run deploys what is "
        "checked out, so check out \"{}\" or drop --ref",
        ref, Short(commit), Short(head), git.ref.empty() ? "" : " (" + git.ref + ")", ref));
  }
  return true;
}

std::string EnvironmentsFileDrift(const GitInfo& git, const std::string& environments_path,
                                  const std::string& ref) {
  if (!git.in_repository() || git.default_branch.empty()) return "";
  std::string root = RepositoryRoot(git.dir);
  std::string in_repository = ".slipway/environments.yml";
  if (!environments_path.empty()) {
    std::error_code error;
    fs::path relative = fs::weakly_canonical(environments_path, error)
                            .lexically_relative(fs::weakly_canonical(root, error));
    if (error || relative.empty() || relative.begin()->string() == "..") return "";
    in_repository = relative.generic_string();
  }
  // Blob ids: the default branch's committed file and the one this run reads ("" for none).
  std::string committed =
      Git(git.dir, "rev-parse --verify -q " +
                       ShellQuote("refs/heads/" + git.default_branch + ":" + in_repository));
  std::string used = environments_path.empty()
                         ? ""
                         : Git(git.dir, "hash-object -- " + ShellQuote(environments_path));
  if (committed == used) return "";
  if (ref == "refs/heads/" + git.default_branch) {
    // The working tree is anyone's who could write the workspace (an earlier run's steps too):
    // only what is committed on the default branch says what protects it.
    return fmt::format(
        "the environments file \"{}\" in the working tree differs from the one committed on "
        "the default branch \"{}\" ({}): protection rules come from the committed file, so "
        "an edit that is not committed cannot change them; commit it, or restore it with `git "
        "checkout -- {}`",
        in_repository, git.default_branch,
        committed.empty() ? "which has none"
                          : used.empty() ? "the working tree has none" : "uncommitted changes",
        in_repository);
  }
  return fmt::format(
      "the environments file \"{}\" differs from the one on the default branch \"{}\": "
      "protection rules are the repository's (on GitHub they are settings no branch can change), "
      "so {} cannot change them for its own run; merge the change into \"{}\" first",
      in_repository, git.default_branch, ref, git.default_branch);
}

std::string WorkflowOutsideWorkspace(const std::string& workflow_path, const std::string& work_dir) {
  std::string workspace_root = RepositoryRoot(work_dir);
  if (workspace_root.empty()) return "";
  std::string workflow_root = RepositoryRoot(workflow_path);
  std::error_code error;
  if (!workflow_root.empty() && fs::equivalent(workflow_root, workspace_root, error)) return "";
  return fmt::format(
      "\"{}\" is not a file of the repository being run (\"{}\"): a workflow, its "
      "environments file and its protection rules come from the repository it runs in, as on "
      "GitHub; copy the workflow into it or run from {}",
      workflow_path, workspace_root,
      workflow_root.empty() ? "the workflow's own directory" : "\"" + workflow_root + "\"");
}

}  // namespace slipway::plan
