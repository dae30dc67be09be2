#include "interpreter/base/fd_io.h"
#include "interpreter/base/json_nesting.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace slipway {

bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) {
      errno = EIO;
      return false;
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool ReadWholeFile(const std::string& path, FileKinds kinds, std::string* text, std::string* error,
                   size_t max_bytes) {
  // A device such as /dev/zero never ends, a directory reads as nothing, and a FIFO waits for a
  // writer: only the kinds asked for are opened.
  const bool pipes = kinds == FileKinds::kRegularOrPipe;
  const char* kind_error = pipes ? "is not a regular file or a pipe" : "is not a regular file";
  auto acceptable = [pipes](const struct stat& info) {
    return S_ISREG(info.st_mode) || (pipes && S_ISFIFO(info.st_mode));
  };
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    const int saved = errno;
    *error = std::strerror(saved);
    errno = saved;
    return false;
  }
  if (S_ISDIR(info.st_mode)) {
    *error = "is a directory";
    errno = EISDIR;
    return false;
  }
  if (!acceptable(info)) {
    *error = kind_error;
    errno = EINVAL;
    return false;
  }
  // O_NONBLOCK: should the path become a FIFO after stat(), opening it does not wait for a
  // writer (fstat below then refuses it); reads of a regular file ignore the flag.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | (pipes ? 0 : O_NONBLOCK));
  if (fd < 0) {
    *error = std::strerror(errno);
    return false;
  }
  // The same question of what was opened: the path may have changed since stat().
  if (fstat(fd, &info) != 0 || !acceptable(info)) {
    close(fd);
    *error = kind_error;
    errno = EINVAL;
    return false;
  }
  std::string bytes;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      *error = std::strerror(saved);
      close(fd);
      errno = saved;
      return false;
    }
    if (n == 0) break;
    if (bytes.size() + static_cast<size_t>(n) > max_bytes) {
      close(fd);
      *error = "is larger than " + std::to_string(max_bytes / (1024 * 1024)) +
               " MiB, the limit for a file slipway reads";
      errno = EFBIG;
      return false;
    }
    bytes.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  *text = std::move(bytes);
  return true;
}

bool ReadStateFile(const std::string& path, std::string* text, std::string* error) {
  if (!ReadWholeFile(path, FileKinds::kRegular, text, error)) return false;
  // A record is JSON, and a step can write into the state directory: its depth is bounded
  // before a caller parses and walks it.
  if (std::string deep = JsonNestingError(*text, kMaxRecordJsonNesting); !deep.empty()) {
    text->clear();
    *error = std::move(deep);
    errno = EINVAL;
    return false;
  }
  return true;
}

bool ReadStateLog(const std::string& path, std::string* text, std::string* error) {
  return ReadWholeFile(path, FileKinds::kRegular, text, error, static_cast<size_t>(-1));
}

bool IsRegularFile(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

std::string ReadText(const std::string& path) {
  std::string text;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[16384];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  close(fd);
  return text;
}

}  // namespace slipway
