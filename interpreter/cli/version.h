#pragma once
/// The version and the git commit slipway was built from, generated at build time by
/// cmake/version.cmake ("unknown" when built outside a git checkout).

namespace slipway::cli {

extern const char kVersion[];
extern const char kGitCommit[];

}  // namespace slipway::cli
