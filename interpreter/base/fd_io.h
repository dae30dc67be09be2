#pragma once
/// Whole reads and writes with plain POSIX calls: a short write is continued and EINTR retried,
/// so callers check one result; no stream that throws (an ifstream does when a /proc file's
/// process ends mid-read).

#include <cstddef>
#include <string>
#include <string_view>

namespace slipway {

/// The most ReadWholeFile reads: 32 MiB, above GitHub's 25 MB cap on an event payload, far above
/// any workflow, environments, secrets or context file or run record; an endless or huge file
/// is refused instead of filling memory.
inline constexpr size_t kMaxWholeFileBytes = 32u * 1024 * 1024;

/// What ReadWholeFile opens: a regular file only (slipway's own records, which a step may have
/// replaced by a FIFO or a link to a device), or a pipe too (an input named on the command line:
/// `--secrets-file <(pass show ci)`, `plan /dev/stdin`).
enum class FileKinds { kRegular, kRegularOrPipe };

/// Reads a whole file of `kinds`, at most kMaxWholeFileBytes: the one rule for every file slipway
/// reads whole (model::ReadWholeFile for inputs, ReadStateFile for records). False, with
/// `error` set to the reason ("is a directory", "is not a regular file", "is larger than 32 MiB
/// ...", or the OS reason), when it cannot, and errno set (ENOENT for a missing file, EISDIR,
/// EINVAL for another kind, EFBIG). A FIFO that is refused is never opened, so the read never
/// waits for a writer.
bool ReadWholeFile(const std::string& path, FileKinds kinds, std::string* text, std::string* error,
                   size_t max_bytes = kMaxWholeFileBytes);

/// A record of slipway's state (run.json, its journal, approvals, lock holders, the summary): a
/// regular file of at most kMaxWholeFileBytes. False when it is missing, unreadable, or not such
/// a file, with the reason in `error`; errno is ENOENT after a missing file.
bool ReadStateFile(const std::string& path, std::string* text, std::string* error);

/// A log of slipway's state (a step's log, events.jsonl, audit.jsonl): a regular file, whole,
/// of any size (a log grows with the work it records). False as for ReadStateFile.
bool ReadStateLog(const std::string& path, std::string* text, std::string* error);

/// True when `path` is a regular file (after links), for a reader that follows a growing log.
bool IsRegularFile(const std::string& path);

/// Writes all of `text` to `fd`. False with errno set when a write fails.
bool WriteAll(int fd, std::string_view text);

/// The whole file, "" when it cannot be read. It runs four times per `run:` step.
std::string ReadText(const std::string& path);

}  // namespace slipway
