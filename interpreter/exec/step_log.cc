#include "interpreter/exec/step_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "interpreter/base/fd_io.h"
#include "interpreter/exec/console.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/terminal_text.h"

namespace slipway::exec {

namespace {

/// Cuts `line` to at most `max` bytes (never inside a UTF-8 sequence) and says so.
void CutLongLine(std::string& line, size_t max) {
  if (line.size() <= max) return;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  const size_t left_out = line.size() - cut;
  line.resize(cut);
  line += fmt::format(" [slipway: line truncated, {} more bytes not kept]", left_out);
}

}  // namespace

StepLog::StepLog(const Masker& masker, Console& console, std::string job_key,
                 const std::string& path, StepLogLimits limits)
    : masker_(masker),
      console_(console),
      job_key_(std::move(job_key)),
      path_(path),
      limits_(limits),
      fd_(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) {
  if (fd_ < 0) error_ = fmt::format("cannot open step log \"{}\": {}", path, std::strerror(errno));
}

StepLog::~StepLog() {
  Finish();
  if (fd_ >= 0) close(fd_);
}

void StepLog::WriteLocked(const std::string& line) {
  if (fd_ < 0 || !error_.empty()) return;
  std::string bytes = line + "\n";
  if (!WriteAll(fd_, bytes)) {
    error_ = fmt::format("the step log \"{}\" is truncated: {}", path_, std::strerror(errno));
  }
}

void StepLog::Line(std::string_view text) {
  // Masked first (a secret may contain control characters, and a cut must not leave half of
  // one), then made safe for a terminal: the log file is what `slipway logs` prints.
  std::string masked = SafeForTerminal(masker_.Mask(text));
  CutLongLine(masked, limits_.max_line_bytes);
  std::string notice;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!truncating_ && written_ + masked.size() + 1 <= limits_.head_bytes) {
      written_ += masked.size() + 1;
      WriteLocked(masked);
    } else {
      if (!truncating_) {
        truncating_ = true;
        notice = fmt::format(
            "[slipway: output truncated: the step printed more than {} KiB; the rest is not kept "
            "but for its last {} KiB, shown when the step ends]",
            limits_.head_bytes / 1024, limits_.tail_bytes / 1024);
        WriteLocked(notice);
      }
      tail_size_ += masked.size() + 1;
      tail_.push_back(std::move(masked));
      while (tail_size_ > limits_.tail_bytes && !tail_.empty()) {
        tail_size_ -= tail_.front().size() + 1;
        dropped_bytes_ += tail_.front().size() + 1;
        ++dropped_lines_;
        tail_.pop_front();
      }
      if (notice.empty()) return;
    }
  }
  console_.Line(job_key_, notice.empty() ? masked : notice);
}

void StepLog::Finish() {
  std::deque<std::string> tail;
  std::string notice;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!truncating_ || (finished_ && tail_.empty() && dropped_lines_ == 0)) return;
    finished_ = true;
    notice = fmt::format("[slipway: output truncated: {} lines ({} bytes) not kept; the last {} "
                         "lines follow]",
                         dropped_lines_, dropped_bytes_, tail_.size());
    WriteLocked(notice);
    for (const std::string& line : tail_) WriteLocked(line);
    tail.swap(tail_);
    tail_size_ = 0;
    dropped_lines_ = 0;
    dropped_bytes_ = 0;
  }
  console_.Line(job_key_, notice);
  for (const std::string& line : tail) console_.Line(job_key_, line);
}

std::string StepLog::error() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return error_;
}

void LineSplitter::Write(OutputStream stream, std::string_view chunk) {
  const bool is_out = stream == OutputStream::kStdout;
  std::string& pending = is_out ? out_ : err_;
  bool& after_cr = is_out ? out_after_cr_ : err_after_cr_;
  // A CR that ended the previous chunk ended its line then; an LF right after it belongs to it.
  if (after_cr && !chunk.empty()) {
    if (chunk.front() == '\n') chunk.remove_prefix(1);
    after_cr = false;
  }
  pending.append(chunk);
  // As .NET's StreamReader.ReadLine (the runner's ProcessInvoker): "\n", "\r\n" or a lone "\r"
  // ends a line. A CR last in the buffer ends its line at once (the line is complete whatever
  // follows); whether an LF follows is seen in the next chunk.
  size_t start = 0;
  for (size_t end = pending.find_first_of("\r\n"); end != std::string::npos;
       end = pending.find_first_of("\r\n", start)) {
    on_line_(std::string_view(pending.data() + start, end - start));
    start = end + 1;
    if (pending[end] == '\r') {
      if (start == pending.size()) {
        after_cr = true;
      } else if (pending[start] == '\n') {
        ++start;
      }
    }
  }
  pending.erase(0, start);
  if (pending.size() > kMaxLine) {
    std::shared_ptr<const Masker::Patterns> patterns = masker_.patterns();
    size_t keep = patterns->empty() ? 0 : patterns->front().size() - 1;
    on_line_(std::string_view(pending).substr(0, pending.size() - keep));
    pending.erase(0, pending.size() - keep);
  }
}

void LineSplitter::Flush() {
  for (std::string* pending : {&out_, &err_}) {
    if (!pending->empty()) on_line_(*pending);
    pending->clear();
  }
}


}  // namespace slipway::exec
