#pragma once
/// The run's artifacts on a worker of the PostgreSQL backend, where they live in the database
/// (exec/artifacts_index.h carries them there): which jobs need them fetched before they run
/// — one with an actions/download-artifact step, in the job or inside a local composite action
/// it uses (nested ones too) — and the cap on what one artifact may store in the database.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/backend/queue.h"
#include "interpreter/base/expected.h"
#include "interpreter/exec/artifacts_index.h"
#include "interpreter/plan/plan.h"

namespace slipway::backend {

/// The cap on one artifact stored in the database unless SLIPWAY_ARTIFACT_LIMIT says another.
inline constexpr uint64_t kDefaultArtifactLimit = uint64_t{100} << 20;  // 100 MiB

/// SLIPWAY_ARTIFACT_LIMIT's value ("" → the default): a number of bytes, or with a K, M or G
/// suffix (KiB, MiB, GiB). An error names the value.
Expected<uint64_t> ParseArtifactLimit(const std::string& text);

/// True when `job` downloads artifacts: an actions/download-artifact step, in the job or in a
/// local composite action (`uses: ./path`, read from `workspace`) that it runs. An action that
/// cannot be read counts as downloading (the fetch costs time; a missed fetch fails the job).
bool DownloadsArtifacts(const plan::PlannedJob& job, const std::string& workspace);

/// Writes the run's stored artifacts under `artifacts_dir`; returns what it wrote
/// (name → sha256), so that the job's completion does not store them again.
Expected<std::map<std::string, std::string>> FetchArtifacts(Queue& queue, const std::string& run_id,
                                                            const std::string& artifacts_dir);

/// The first artifact of `files` (grouped by their first path component, the artifact's
/// name) whose size is over `limit`: the error naming it, its size and the limit; nullopt
/// when all fit.
std::optional<std::string> ArtifactOverLimit(const std::vector<exec::ArtifactFile>& files,
                                             uint64_t limit);

}  // namespace slipway::backend
