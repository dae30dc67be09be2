#include "interpreter/exec/run_journal.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "interpreter/base/fd_io.h"
#include "interpreter/exec/masker.h"

namespace slipway::exec {

using nlohmann::json;

RunStore::Journal::~Journal() {
  if (fd >= 0) close(fd);
}

Expected<bool> ReplayJournal(const std::string& path, RunRecord& record) {
  std::string text, error;
  if (!ReadStateFile(path, &text, &error)) {
    if (errno == ENOENT) return true;
    return MakeUnexpected(fmt::format("cannot read \"{}\": {}", path, error));
  }
  size_t line_number = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) break;  // cut short by a crash: never complete
    ++line_number;
    json entry = json::parse(text.begin() + start, text.begin() + end, nullptr, false);
    start = end + 1;
    auto where = [&] { return fmt::format("\"{}\" line {}", path, line_number); };
    if (entry.is_discarded() || !entry.is_object() || !entry["seq"].is_number_unsigned() ||
        !entry["job"].is_string()) {
      return MakeUnexpected(where() + ": not a journal entry");
    }
    uint64_t seq = entry["seq"].get<uint64_t>();
    if (seq <= record.journal_seq) continue;  // already in run.json
    record.journal_seq = seq;
    const std::string key = entry["job"].get<std::string>();
    if (entry.value("removed", false)) {
      record.jobs.erase(key);
      continue;
    }
    Expected<JobRecord> job =
        JobRecordFromJson(entry["record"], fmt::format("{}: job \"{}\"", where(), key));
    if (!job) return MakeUnexpected(job.error());
    record.jobs[key] = std::move(job).value();
  }
  return true;
}

Expected<bool> RunStore::SaveJobs(const RunRecord& record, const std::set<std::string>& changed,
                                  bool durable) const {
  Journal& journal = *journal_;
  if (journal.base_bytes < kJournalFromBytes) return Save(record, durable);
  if (changed.empty()) return true;
  std::string lines;
  for (const std::string& key : changed) {
    json entry = {{"seq", ++journal.seq}, {"job", key}};
    auto it = record.jobs.find(key);
    if (it == record.jobs.end()) {
      entry["removed"] = true;
    } else {
      entry["record"] = ToJson(it->second);
    }
    MaskJsonInPlace(&entry, masker_);
    lines += entry.dump(-1, ' ', false, json::error_handler_t::replace);
    lines += '\n';
  }
  const std::string path = run_dir_ + "/" + kRunJournal;
  if (journal.fd < 0) {
    journal.fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (journal.fd < 0) {
      return Remember(MakeUnexpected(fmt::format("cannot write \"{}\": {}", path, strerror(errno))));
    }
  }
  if (!WriteAll(journal.fd, lines)) {
    int saved = errno;
    // Leave no half line in the middle of the journal for the next append to follow.
    if (ftruncate(journal.fd, static_cast<off_t>(journal.bytes)) != 0) journal.bytes = 0;
    return Remember(MakeUnexpected(fmt::format("cannot write \"{}\": {}", path, strerror(saved))));
  }
  if (durable && fdatasync(journal.fd) != 0) {
    return Remember(MakeUnexpected(fmt::format("cannot write \"{}\": {}", path, strerror(errno))));
  }
  journal.bytes += lines.size();
  // Folded into run.json once the journal outgrows it: O(n) bytes written for n changes.
  if (journal.bytes > journal.base_bytes) return Save(record, durable);
  return true;
}

}  // namespace slipway::exec
