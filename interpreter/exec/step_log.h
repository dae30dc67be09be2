#pragma once
/// Where a step's output goes: StepLog appends masked lines to the step's log file and the
/// console, within StepLogLimits; LineSplitter cuts a child's output into lines without ever
/// cutting a secret.

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "interpreter/exec/process.h"

namespace slipway::exec {

class Console;
class Masker;

/// How much of a step's output is kept. A step may print without end (a chatty build, a hostile
/// pull request, a service's answer echoed back); what slipway keeps of it (the log file, the
/// console and, through it, events.jsonl and the report) stays bounded: the first `head_bytes`,
/// then a "output truncated" line, then, when the step ends, the last `tail_bytes` — where the
/// error usually is. GitHub's own log view likewise cuts very large step logs.
struct StepLogLimits {
  size_t max_line_bytes = 64 * 1024;    // a longer line is cut, saying how much was left out
  size_t head_bytes = 8 * 1024 * 1024;  // kept from the step's start
  size_t tail_bytes = 1024 * 1024;      // kept from its end once the head is full
};

/// Appends masked lines to one step's log file (and the console), within `limits`. A failed
/// write is remembered (error()) so the job can report a truncated log instead of hiding it.
class StepLog {
 public:
  StepLog(const Masker& masker, Console& console, std::string job_key, const std::string& path,
          StepLogLimits limits = {});
  /// Calls Finish().
  ~StepLog();
  StepLog(const StepLog&) = delete;
  StepLog& operator=(const StepLog&) = delete;

  void Line(std::string_view text);
  /// Writes the kept end of a truncated log (nothing when the log was not truncated). Lines
  /// after it are kept as the tail again; call it when the step's output has ended.
  void Finish();
  /// Why the log file could not be opened or written; "" when every line was written.
  std::string error() const;

 private:
  /// Writes `line` (no newline) to the file; mutex_ held.
  void WriteLocked(const std::string& line);


  const Masker& masker_;
  Console& console_;
  std::string job_key_;
  std::string path_;
  StepLogLimits limits_;
  int fd_;
  std::string error_;
  size_t written_ = 0;         // bytes of the head written
  bool truncating_ = false;    // the head is full: lines go to tail_
  bool finished_ = false;      // Finish() has written a tail
  std::deque<std::string> tail_;
  size_t tail_size_ = 0;       // bytes in tail_ (with newlines)
  size_t dropped_lines_ = 0;   // lines between the head and the tail, not kept
  size_t dropped_bytes_ = 0;
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
