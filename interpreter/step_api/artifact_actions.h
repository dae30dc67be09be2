#pragma once
/// The local equivalents of actions/upload-artifact and actions/download-artifact (two rows of
/// local_equivalents.cc). An artifact is the directory artifacts/<name>/ of the run; names are
/// checked as @actions/artifact checks them (and may not reveal a secret, nor be "." or ".."),
/// so nothing is ever written or read outside that directory under an artifact's name. An
/// upload is staged in the run's tmp/ and moved into place in one rename, so another job sees
/// an artifact whole or not at all, and a second upload under a name fails unless
/// `overwrite: true` (v4's CreateArtifact conflict).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/step_api/step_api.h"

namespace slipway::step_api {

struct LocalActionContext;

/// Why `name` cannot name an artifact, or nullopt: @actions/artifact's validateArtifactName
/// (path-and-artifact-name-validation.ts: empty, or one of " : < > | * ? \r \n \ /, checked in
/// that order, with the toolkit's first line of message), and locally "." and "..", which would
/// name the artifacts directory or the run's own.
std::optional<std::string> InvalidArtifactName(std::string_view name);

/// Why a file cannot be stored under `path` (its path inside the artifact), or nullopt:
/// @actions/artifact's validateFilePath (the name characters but '\' and '/').
std::optional<std::string> InvalidArtifactFilePath(std::string_view path);

/// The directory the artifact's files are stored relative to (relative to the workspace, ""
/// for the workspace itself), as actions/upload-artifact's findFilesToUpload gives it: the
/// least common ancestor of several search paths (getMultiPathLCA, segment by segment); for
/// one search path that is itself the only file found, that file's directory; else the one
/// search path. `search_paths` as expr::GlobFiles returns them.
std::string ArtifactRoot(const std::vector<std::string>& search_paths,
                         const std::vector<std::string>& files);

/// actions/upload-artifact (src/upload/upload-artifact.ts).
StepOutcome UploadArtifact(std::string_view uses, const nlohmann::json& with,
                           const LocalActionContext& context);

/// actions/download-artifact (src/download-artifact.ts).
StepOutcome DownloadArtifact(std::string_view uses, const nlohmann::json& with,
                             const LocalActionContext& context);

}  // namespace slipway::step_api
