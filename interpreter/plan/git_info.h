#pragma once
/// What the local git checkout says about the run: the defaults `plan` and
/// `run` use when
/// --ref, --sha, --actor are absent. Reading it never fails: outside a git
/// repository (or without git installed) every field is simply empty.

#include <string>

namespace slipway::plan {

/// Facts read from `git` in a directory; empty strings when unknown.
struct GitInfo {
  std::string ref;             // "refs/heads/main"; empty on a detached HEAD
  std::string sha;             // HEAD commit
  std::string tag;             // a tag pointing exactly at HEAD, if any
  std::string repository;      // "owner/name" from the origin remote URL
  std::string actor;           // git config user.name
  std::string default_branch;  // from refs/remotes/origin/HEAD, e.g. "main"
};

/// Runs git in `dir` (read-only commands, stderr discarded).
GitInfo ReadGitInfo(const std::string& dir);

/// "owner/name" from a remote URL (https://host/owner/name.git,
/// git@host:owner/name.git, ssh://git@host/owner/name); "" when the URL has no such shape.
std::string RepositoryFromRemoteUrl(std::string_view url);

}  // namespace slipway::plan
