#pragma once
/// Whole writes to a file descriptor: a short write is continued and EINTR retried, so callers
/// check one result.

#include <string_view>

namespace slipway {

/// Writes all of `text` to `fd`. False with errno set when a write fails.
bool WriteAll(int fd, std::string_view text);

}  // namespace slipway
