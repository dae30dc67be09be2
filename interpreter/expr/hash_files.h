#pragma once
/// hashFiles(): GitHub's algorithm (actions/runner src/Misc/expressionFunc/hashFiles): the
/// SHA-256 of each matching regular file under the workspace, in the order @actions/glob finds
/// them, fed into one
/// SHA-256 whose hex digest is the result; "" when nothing matches.

#include <string>
#include <vector>

#include "interpreter/base/expected.h"

namespace slipway::expr {

/// Patterns follow @actions/glob: one per line or argument, relative to `workspace`; `*`, `?`,
/// `[...]` within a path segment, `**` across segments, a leading `!` excludes, a `#` line is a
/// comment, and a pattern that names a directory matches every file below it. Files are taken
/// in @actions/glob's walk order: the include patterns' search roots in the order written, each
/// depth first with a directory's entries sorted by name (so `a/f` before `a-b/f`). Errors
/// (unreadable file) are messages.
Expected<std::string> HashFiles(const std::string& workspace,
                                const std::vector<std::string>& patterns, bool follow_symlinks);

/// The regular files the patterns (as HashFiles reads them) match, relative to `workspace`, in
/// @actions/glob's walk order; with `search_roots`, also the search paths as @actions/glob's
/// getSearchPaths() gives them: each include pattern's segments before the first one with a
/// wildcard ("" for the workspace itself), without a leading "./", repeated or trailing '/',
/// in the order written, a path equal to or under an earlier-kept one left out. A `..`
/// segment, or `.` but as the first one, is an error with @actions/glob's message.
Expected<std::vector<std::string>> GlobFiles(const std::string& workspace,
                                             const std::vector<std::string>& patterns,
                                             bool follow_symlinks,
                                             std::vector<std::string>* search_roots);

/// Whether `path` (relative, '/'-separated) matches the glob `pattern` or lies below a match.
bool GlobMatch(std::string_view pattern, std::string_view path);

}  // namespace slipway::expr
