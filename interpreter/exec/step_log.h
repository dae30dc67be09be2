#pragma once
/// Where a step's output goes: StepLog appends masked lines to the step's log file and the
/// console; LineSplitter cuts a child's output into lines without ever cutting a secret.

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "interpreter/exec/process.h"

namespace slipway::exec {

class Console;
class Masker;

/// Appends masked lines to one step's log file (and the console). A failed write is
/// remembered (error()) so the job can report a truncated log instead of hiding it.
class StepLog {
 public:
  StepLog(const Masker& masker, Console& console, std::string job_key, const std::string& path);
  ~StepLog();
  StepLog(const StepLog&) = delete;
  StepLog& operator=(const StepLog&) = delete;

  void Line(std::string_view text);
  /// Why the log file could not be opened or written; "" when every line was written.
  std::string error() const;

 private:
  const Masker& masker_;
  Console& console_;
  std::string job_key_;
  std::string path_;
  int fd_;
  std::string error_;
  mutable std::mutex mutex_;
};

/// Splits a child's output into lines (per stream) without ever cutting a secret: a line is
/// only processed once complete. A line ends at LF, CRLF or a lone CR, as .NET's
/// StreamReader.ReadLine reads the runner's process output.
class LineSplitter {
 public:
  /// A line longer than this is passed on in pieces, keeping back the longest secret's length
  /// (minus one) so a secret is never cut, and memory stays bounded.
  static constexpr size_t kMaxLine = 1 << 20;

  LineSplitter(std::function<void(std::string_view)> on_line, const Masker& masker)
      : on_line_(std::move(on_line)), masker_(masker) {}
  void Write(OutputStream stream, std::string_view chunk);
  void Flush();

 private:
  std::function<void(std::string_view)> on_line_;
  const Masker& masker_;
  std::string out_;
  std::string err_;
  // The stream's last chunk ended with a CR: an LF first in its next chunk is that line's end.
  bool out_after_cr_ = false;
  bool err_after_cr_ = false;
};


}  // namespace slipway::exec
