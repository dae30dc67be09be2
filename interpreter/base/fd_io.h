#pragma once
/// Whole reads and writes with plain POSIX calls: a short write is continued and EINTR retried,
/// so callers check one result; no stream that throws (an ifstream does when a /proc file's
/// process ends mid-read).

#include <string>
#include <string_view>

namespace slipway {

/// Writes all of `text` to `fd`. False with errno set when a write fails.
bool WriteAll(int fd, std::string_view text);

/// The whole file, "" when it cannot be read. It runs four times per `run:` step.
std::string ReadText(const std::string& path);

}  // namespace slipway
