#pragma once
/// run.journal: how a large run records its job changes without rewriting run.json each time.
/// Each line is one JSON object {"seq": N, "job": "<key>", "record": {<job as in run.json>}}
/// (or "removed": true for a job that no longer exists, a run-time matrix's placeholder).
/// run.json carries "journal_seq", the last entry it already holds; a reader applies the later
/// entries in order (RunStore::Load). A line cut short by a crash (no final newline) was never
/// complete and is ignored; any other unreadable line is an error.

#include <cstdint>
#include <string>

#include "interpreter/base/expected.h"
#include "interpreter/exec/run_store.h"

namespace slipway::exec {

inline constexpr char kRunJournal[] = "run.journal";

/// run.json below this size is rewritten whole on every change (cheap, and always current for
/// anyone reading it directly); from this size on, changes go to the journal.
inline constexpr size_t kJournalFromBytes = 64 * 1024;

/// The journal's state inside a RunStore (one writer: the scheduler's thread).
struct RunStore::Journal {
  Journal() = default;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  ~Journal();
  uint64_t seq = 0;       // the last entry written (or found when the run was opened)
  size_t base_bytes = 0;  // run.json's size at its last rewrite (0: not written by this store)
  size_t bytes = 0;       // what run.journal holds
  int fd = -1;            // run.journal, opened for appending on first use
};

/// Applies the entries of journal file `path` after `record.journal_seq` to `record` and sets
/// journal_seq to the last one applied. No file is no entries.
Expected<bool> ReplayJournal(const std::string& path, RunRecord& record);

}  // namespace slipway::exec
