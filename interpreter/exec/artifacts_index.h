#pragma once
/// The files a run's steps stored under its artifacts/ directory (backups, reports, uploaded
/// artifacts): read for the artifacts index of either backend (exec/store.h) — listed with
/// their sha256 and size from a state directory, and carried with their content to the
/// PostgreSQL backend by the worker that ran the job.

#include <string>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/exec/store.h"

namespace slipway::exec {

/// One file under artifacts/: its path relative to it ('/'-separated) and its bytes.
struct ArtifactFile {
  std::string name;
  std::string content;
};

/// Every regular file under `artifacts_dir`, sorted by name; none when the directory does not
/// exist. An unreadable file is an error naming it.
Expected<std::vector<ArtifactFile>> ReadArtifacts(const std::string& artifacts_dir);

/// The same as index entries (no job key: a state directory keeps one artifacts/ per run).
Expected<std::vector<ArtifactEntry>> ListArtifacts(const std::string& artifacts_dir);

}  // namespace slipway::exec
