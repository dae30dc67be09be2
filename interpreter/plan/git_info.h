#pragma once
/// What the local git checkout says about the run: the defaults `plan` and `run` use when
/// --ref, --sha, --actor are absent, and the checks that keep `run` honest about them.
/// Reading never fails: outside a git repository (or without git installed) every field is
/// simply empty.

#include <string>
#include <vector>
#include <string_view>

#include "interpreter/base/expected.h"

namespace slipway::plan {

struct Plan;

/// Facts read from `git` in a directory; empty strings when unknown.
struct GitInfo {
  std::string dir;             // where git was asked
  std::string ref;             // "refs/heads/main"; on a detached HEAD a tag at HEAD, else empty
  std::string sha;             // HEAD commit
  std::string tag;             // a tag pointing exactly at HEAD, if any
  std::string repository;      // "owner/name" from the origin remote URL
  std::string actor;           // git config user.name
  /// From refs/remotes/origin/HEAD, e.g. "main"; without one, init.defaultBranch, main or
  /// master, the first that exists as a branch; "" when none does.
  std::string default_branch;
  bool uncommitted_changes = false;  // tracked files differ from HEAD (git status)
  /// Files git does not track nor ignore (git status), slipway's state under .slipway/ aside:
  /// a run uses them as they are, though its commit does not hold them.
  std::vector<std::string> untracked_files;
  /// True in a git repository with at least one commit.
  bool in_repository() const { return !sha.empty(); }
};

/// Runs git in `dir` (read-only commands, stderr discarded).
GitInfo ReadGitInfo(const std::string& dir);

/// The commit `revision` names in the repository at `dir` (full hex), "" when it names none.
std::string ResolveCommit(const std::string& dir, const std::string& revision);

/// "owner/name" from a remote URL (https://host/owner/name.git,
/// git@host:owner/name.git, ssh://git@host/owner/name); "" when the URL has no such shape.
std::string RepositoryFromRemoteUrl(std::string_view url);

/// The repository root of the file at `path`: git's top-level of its directory, else the
/// nearest directory at or above it that holds `.github/` or `.slipway/`; "" when none.
std::string RepositoryRoot(const std::string& path);

/// `path` relative to its repository root (RepositoryRoot), "/"-separated, as GitHub names a
/// workflow file (".github/workflows/ci.yml"); `path` as given when there is no root.
std::string PathInRepository(const std::string& path);

/// Where the default environments file of workflow `workflow_path` is:
/// <repository root>/.slipway/environments.yml. Never the current directory: `cd sub &&
/// slipway run ../wf.yml` finds the same file as a run from the root. `looked_at` receives the
/// path looked at (or a sentence when there is no repository root); the result is "" when no
/// such file exists.
std::string DefaultEnvironmentsFile(const std::string& workflow_path, std::string* looked_at);

/// The same for any file of <repository root>/.slipway/ (e.g. "runners.yml").
std::string DefaultSlipwayFile(const std::string& workflow_path, const std::string& name,
                               std::string* looked_at);

/// What the command line said about the ref and commit of a run (before defaults).
struct ClaimedRef {
  bool ref_given = false;  // --ref (or the reviewed plan / the resumed run) named it
  bool sha_given = false;
};

/// Checks that the ref and commit `plan` runs for are the commit that runs: in a git workspace
/// the ref must resolve to HEAD's commit and the sha must equal it (both named in the error);
/// outside one, --ref and --sha must be given, the sha must be hexadecimal and no environment
/// may have a branch or tag policy (there is nothing to verify it against). Errors are usage
/// errors (exit 2).
Expected<bool> VerifyRunRef(const GitInfo& git, const Plan& plan, const ClaimedRef& claimed);

/// Why a run of `ref` may not use the environments file `environments_path` ("" for none): it
/// differs from the default branch's committed `.slipway/environments.yml` (or one of them is
/// missing). Protection rules are repository settings on GitHub, which no branch can change:
/// a commit on another branch must not relax the gates it deploys through, and on the default
/// branch an uncommitted edit (by anyone who could write the workspace, such as an earlier
/// run's steps) must not either. "" when they are the same, or when there is no default branch
/// to compare with (no repository, no such branch).
std::string EnvironmentsFileDrift(const GitInfo& git, const std::string& environments_path,
                                  const std::string& ref);

/// Why `workflow_path` may not run in the workspace `work_dir`: the workspace is in a
/// repository and the workflow file is not in that same repository (its environments file and
/// rules would be another repository's). "" when it may.
std::string WorkflowOutsideWorkspace(const std::string& workflow_path, const std::string& work_dir);

}  // namespace slipway::plan
