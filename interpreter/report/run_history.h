#pragma once
/// Run history: what `slipway runs`, `show`, `logs` and `report` read from a state directory —
/// runs/<id>/run.json, the run's events.jsonl (event_stream.h), its step logs, summary.md and the
/// run's entries of audit.jsonl. Everything there was masked when it was written; a Masker given
/// here masks once more (secrets known to the reader, e.g. SLIPWAY_SECRET_* in its environment).

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/exec/store.h"

namespace slipway::exec {
class Masker;
class Store;
}

namespace slipway::report {

/// One row of `slipway runs`.
struct RunRow {
  std::string id;
  std::string workflow;
  std::string event;
  std::string ref;
  std::string actor;
  std::string status;
  std::string started_at;
  std::string finished_at;
  std::optional<double> duration_s;  // when both times are known
};

/// Every run under DIR/runs/, newest first (by start time, then id). Directories without a
/// readable run.json are listed in `unreadable` (may be null) and skipped.
std::vector<RunRow> ListRuns(const std::string& state_dir, std::vector<std::string>* unreadable);

/// A run.json time ("2026-01-31T12:34:56.789Z") as seconds since the epoch.
std::optional<double> ParseUtc(const std::string& text);
/// Seconds between two run.json times ("2026-01-31T12:34:56.789Z"); nullopt when either is
/// missing or malformed.
std::optional<double> SecondsBetween(const std::string& from, const std::string& to);
/// "1.2s", "3m04s", "1h02m".
std::string FormatSeconds(double seconds);

/// A whole run, as the report and `show` need it.
struct RunView {
  std::string state_dir;
  std::string run_dir;
  exec::RunRecord record;
  nlohmann::json run_json;            // run.json as written (field order aside)
  std::vector<nlohmann::json> events;  // events.jsonl (empty for runs before it existed)
  std::vector<nlohmann::json> audit;   // audit.jsonl entries whose run_id is this run
  std::string summary_markdown;        // summary.md ("" when none)
  /// The run's artifacts index (exec/store.h): name, sha256, size; on PostgreSQL also the job
  /// that stored each, whose worker wrote it with the job's completion.
  std::vector<exec::ArtifactEntry> artifacts;
};

/// Loads run `run_id` (errors: no such run, unreadable run.json). `masker` may be null.
Expected<RunView> LoadRun(const std::string& state_dir, const std::string& run_id,
                          const exec::Masker* masker);

/// The same two through a Store (exec/store.h), for either backend: what the Store keeps of a
/// run is its record, so the view has no events, audit entries, summary or run directory.
/// Runs whose record cannot be read are listed in `unreadable` (may be null) and skipped.
Expected<std::vector<RunRow>> ListRuns(exec::Store& store, std::vector<std::string>* unreadable);
Expected<RunView> LoadRun(exec::Store& store, const std::string& run_id,
                          const exec::Masker* masker);

/// The text of a step log (path relative to the run directory), masked; "" when missing (or
/// when the view has no run directory).
std::string ReadStepLog(const RunView& run, const std::string& relative_path,
                        const exec::Masker* masker);

/// At most `max_bytes` of a step log, for a report: the whole log when it is that small, else
/// its first and last max_bytes / 2 (whole lines) around a line saying how much is left out and
/// how to see it all. Reads only those parts of the file, so memory does not follow its size.
std::string ReadStepLogExcerpt(const RunView& run, const std::string& relative_path,
                               const exec::Masker* masker, size_t max_bytes);

/// The events.jsonl records (JSON objects; other lines skipped) of `run_dir`, but for
/// step_output records: they are most of the stream and no part of a report's timeline, so they
/// are neither parsed nor kept (the file is read line by line).
std::vector<nlohmann::json> ReadEvents(const std::string& run_dir);

}  // namespace slipway::report
