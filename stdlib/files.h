#pragma once
/// File helpers shared by the steps that write state and artifacts (stack-deploy, backup,
/// traffic-shift, smoke-test reports): checksums, atomic writes, glob expansion.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/step_api/step_api.h"

namespace slipway::stdlib {

/// Lower-case hex SHA-256 of `data` (OpenSSL).
std::string Sha256Hex(std::string_view data);
/// SHA-256 of a file's contents; false (with `error`) when it cannot be read.
bool Sha256File(const std::filesystem::path& path, std::string* hex, std::string* error);
/// Reads a whole file; false (with `error`) when it cannot.
bool ReadFileText(const std::filesystem::path& path, std::string* text, std::string* error);
/// Writes `text` to a temporary file beside `path`, then renames it over `path`, so readers
/// never see half a file. Creates parent directories.
bool WriteFileAtomic(const std::filesystem::path& path, std::string_view text,
                     std::string* error);
/// Writes `text` to a new file `path` that only this user can read (0600, created exclusively,
/// never through a symlink): for values a tool must read from a file rather than its command
/// line. Fails when `path` exists.
bool WritePrivateFile(const std::filesystem::path& path, std::string_view text,
                      std::string* error);
/// Makes `dir` a directory only this user can use: creates it 0700, or accepts an existing one
/// only when it is a real directory (not a symlink) owned by this user with no access for group
/// or others. "" or why not. For fixed names in shared places (/tmp), which another local user
/// could have created first to control what appears inside.
std::string MakePrivateDir(const std::filesystem::path& dir);
/// Expands a glob relative to `base` (absolute patterns allowed). `*`, `?` and `[...]` match
/// within one path segment; `**` matches any number of segments. Plain paths (files or
/// directories) match themselves. Results are sorted, regular files only (directories are
/// walked).
std::vector<std::filesystem::path> ExpandGlob(const std::filesystem::path& base,
                                              std::string_view pattern);
/// True when `name` is safe as one path segment: [A-Za-z0-9._-], not "." or "..".
bool IsSafeName(std::string_view name);
/// Turns any text into a safe path segment ("amplify:app/main" → "amplify_app_main").
std::string SafeName(std::string_view text);
/// "" when `name`, the value of input `input`, carries no secret of the run; else why it is
/// refused. A name a step gives to what it creates (a backup, a report, a stack) becomes a file
/// or directory name, shown as it is by listings, `slipway show` and the report, where masking
/// cannot reach: a secret in it would be revealed (and a "/" in the secret would make
/// subdirectories).
std::string SecretInName(std::string_view input, std::string_view name,
                         const step_api::StepContext& context);

}  // namespace slipway::stdlib
