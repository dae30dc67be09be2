#pragma once
/// Process records and process groups, for process_posix.cc (process.h is the interface the
/// rest of slipway uses): implemented in process_records.cc.

#include <string>

namespace slipway::exec {

/// True while a process of group `pgid` is alive. Zombies do not count: an orphan whose new
/// parent does not reap it stays a zombie, but it runs nothing.
bool GroupAlive(int pgid);

/// Writes the record of `pid` (`{"pid":N,"start":"T"}`, padded to a fixed length) into a record
/// file of `dir`, a released one when there is one; its path, or "" when it could not be written.
std::string WriteRecord(const std::string& dir, int pid);

/// Blanks a record of a group that is gone, for the next WriteRecord; false when it could not
/// (the caller removes it).
bool ReleaseRecord(const std::string& record);

}  // namespace slipway::exec
