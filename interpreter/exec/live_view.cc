#include "interpreter/exec/live_view.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "interpreter/exec/job_runner.h"
#include "interpreter/exec/masker.h"

namespace slipway::exec {
namespace {

constexpr size_t kMaxNameWidth = 30;
constexpr const char* kUnicodeSpinner[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
constexpr const char* kAsciiSpinner[] = {"|", "/", "-", "\\"};

// SGR parameters.
constexpr const char* kCyan = "36";
constexpr const char* kYellow = "33";
constexpr const char* kGreen = "32";
constexpr const char* kRed = "31";
constexpr const char* kDim = "2";

std::string Lookup(const std::map<std::string, std::string>& environment, const char* name) {
  auto it = environment.find(name);
  return it == environment.end() ? "" : it->second;
}

int PositiveInt(const std::string& text) {
  if (text.empty() || text.size() > 6) return 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return 0;
  }
  return std::stoi(text);
}

// "0:07", "12:03", "1:02:03".
std::string Elapsed(Clock::Duration duration) {
  int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
  if (seconds < 0) seconds = 0;
  if (seconds >= 3600) {
    return fmt::format("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }
  return fmt::format("{}:{:02}", seconds / 60, seconds % 60);
}

// Terminal columns taken by UTF-8 `text`: one per code point (job names and step names are
// rarely wide characters; a miscount only shortens the cut).
size_t Width(std::string_view text) {
  size_t width = 0;
  for (char c : text) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return width;
}

// The first `columns` code points of `text`.
std::string_view Cut(std::string_view text, size_t columns) {
  size_t width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (width == columns) return text.substr(0, i);
      ++width;
    }
  }
  return text;
}

std::string PadRight(std::string_view text, size_t width) {
  std::string padded(text);
  size_t have = Width(text);
  if (have < width) padded.append(width - have, ' ');
  return padded;
}

// `text` with control characters (tabs, escape sequences from a program's output) as spaces:
// in the region they would move the cursor and break the line count.
std::string Printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

/// One run of text in one colour (sgr nullptr: default colour).
struct Segment {
  std::string text;
  const char* sgr = nullptr;
};

}  // namespace

std::optional<ProgressMode> ParseProgressMode(std::string_view text) {
  if (text == "auto") return ProgressMode::kAuto;
  if (text == "live") return ProgressMode::kLive;
  if (text == "plain") return ProgressMode::kPlain;
  return std::nullopt;
}

bool UseLiveView(ProgressMode mode, int out_fd,
                 const std::map<std::string, std::string>& environment) {
  switch (mode) {
    case ProgressMode::kLive:
      return true;
    case ProgressMode::kPlain:
      return false;
    case ProgressMode::kAuto:
      break;
  }
  std::string term = Lookup(environment, "TERM");
  return isatty(out_fd) && !term.empty() && term != "dumb" &&
         Lookup(environment, "GITHUB_ACTIONS") != "true";
}

LiveViewOptions LiveViewOptionsFor(const std::map<std::string, std::string>& environment) {
  LiveViewOptions options;
  // https://no-color.org: set and not empty.
  options.color = Lookup(environment, "NO_COLOR").empty();
  // The locale that decides the character set: the first of these that is set.
  std::string locale = Lookup(environment, "LC_ALL");
  if (locale.empty()) locale = Lookup(environment, "LC_CTYPE");
  if (locale.empty()) locale = Lookup(environment, "LANG");
  std::transform(locale.begin(), locale.end(), locale.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  options.unicode =
      locale.find("utf-8") != std::string::npos || locale.find("utf8") != std::string::npos;
  return options;
}

LiveView::LiveView(const Masker& masker, const Clock& clock, std::FILE* out,
                   LiveViewOptions options)
    : masker_(masker), clock_(clock), out_(out), options_(options), epoch_(clock.Now()) {
  if (options_.interval <= std::chrono::milliseconds(0)) {
    options_.interval = std::chrono::milliseconds(100);
  }
}

LiveView::~LiveView() { Stop(); }

LiveView::Job* LiveView::FindLocked(const std::string& key) {
  for (Job& job : jobs_) {
    if (job.key == key) return &job;
  }
  return nullptr;
}

void LiveView::JobStarted(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  name_width_ = std::max(name_width_, std::min(Width(key), kMaxNameWidth));
  if (Job* job = FindLocked(key)) {
    job->state = State::kRunning;
  } else {
    jobs_.push_back(Job{key, State::kRunning, clock_.Now(), "", ""});
  }
  ChangedLocked();
}

void LiveView::JobWaiting(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Job* job = FindLocked(key)) {
    job->state = State::kWaiting;
    ChangedLocked();
  }
}

void LiveView::JobRunning(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Job* job = FindLocked(key); job && job->state != State::kRunning) {
    job->state = State::kRunning;
    ChangedLocked();
  }
}

void LiveView::StepStarted(const std::string& key, const std::string& step_name) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Job* job = FindLocked(key)) {
    job->state = State::kRunning;
    job->step = step_name;
    ChangedLocked();
  }
}

void LiveView::JobFinished(const std::string& key, const JobOutcome& outcome) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::optional<Clock::TimePoint> started;
  auto it = std::find_if(jobs_.begin(), jobs_.end(), [&](const Job& j) { return j.key == key; });
  if (it != jobs_.end()) {
    started = it->started;
    jobs_.erase(it);
  }
  name_width_ = std::max(name_width_, std::min(Width(key), kMaxNameWidth));
  pending_ += ResultLine(key, outcome, started, clock_.Now());
  ChangedLocked();
}

void LiveView::Print(std::string_view job, std::string_view text, std::string_view line) {
  std::string masked = masker_.Mask(line);
  if (masked.empty() || masked.back() != '\n') masked.push_back('\n');
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopped_) {
    WriteLocked(masked);
    return;
  }
  pending_ += masked;
  // Kept whatever the state: a worker's line can arrive before its JobWaiting event.
  if (Job* found = job.empty() ? nullptr : FindLocked(std::string(job))) {
    found->latest_line = std::string(text);
  }
  ChangedLocked();
}

void LiveView::ChangedLocked() {
  dirty_ = true;
  if (stopped_) return;
  Clock::TimePoint now = clock_.Now();
  if (!last_draw_ || now - *last_draw_ >= options_.interval) FlushLocked();
}

void LiveView::Tick() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopped_) return;
  bool waiting = std::any_of(jobs_.begin(), jobs_.end(),
                             [](const Job& job) { return job.state == State::kWaiting; });
  // Only the clock moved: keep still while someone may be typing an approval.
  if (options_.interactive && waiting && !dirty_ && pending_.empty()) return;
  // Nothing on screen and nothing to say: no bytes at all.
  if (!dirty_ && pending_.empty() && jobs_.empty() && drawn_lines_ == 0) return;
  FlushLocked();
}

void LiveView::FlushLocked() {
  Clock::TimePoint now = clock_.Now();
  std::vector<std::string> region = RegionLocked(now);
  std::string bytes;
  // Lines go above the region: erase it first, so no line is drawn over half a status line.
  bool erased = drawn_lines_ > 0 && !pending_.empty();
  if (drawn_lines_ > 0) bytes += fmt::format("\r\x1b[{}A", drawn_lines_);
  if (erased) bytes += "\x1b[J";
  bytes += pending_;
  pending_.clear();
  for (const std::string& line : region) {
    bytes += line;
    bytes += "\x1b[K\n";
  }
  if (!erased && drawn_lines_ > region.size()) bytes += "\x1b[J";
  drawn_lines_ = region.size();
  dirty_ = false;
  last_draw_ = now;
  WriteLocked(bytes);
}

std::vector<std::string> LiveView::RegionLocked(Clock::TimePoint now) {
  std::vector<std::string> lines;
  if (jobs_.empty()) return lines;
  size_t columns = static_cast<size_t>(std::max(Columns(), 10));
  // Never the last column: writing there makes some terminals wrap, and the cursor-up count
  // would be wrong from then on.
  size_t budget = columns - 1;
  size_t limit = static_cast<size_t>(std::max(2, std::min(Rows() / 2, 20)));
  size_t shown = jobs_.size() <= limit ? jobs_.size() : limit - 1;

  size_t frame = static_cast<size_t>((now - epoch_) / options_.interval);
  const char* spinner = options_.unicode ? kUnicodeSpinner[frame % std::size(kUnicodeSpinner)]
                                         : kAsciiSpinner[frame % std::size(kAsciiSpinner)];
  for (size_t i = 0; i < shown; ++i) {
    const Job& job = jobs_[i];
    bool waiting = job.state == State::kWaiting;
    std::vector<Segment> segments = {
        {spinner, kCyan},
        {" " + PadRight(Printable(job.key), name_width_) + " ", nullptr},
        {PadRight(waiting ? "waiting" : "running", 7), waiting ? kYellow : kCyan},
        {" " + Elapsed(now - job.started), kDim},
    };
    const std::string& detail = waiting ? job.latest_line : job.step;
    if (!detail.empty()) segments.push_back({"  " + Printable(detail), nullptr});

    std::string plain;
    for (const Segment& s : segments) plain += s.text;
    // A secret may sit in a job key (matrix value) or a step name: mask before cutting.
    std::string masked = masker_.Mask(plain);
    if (masked != plain) segments = {{masked, nullptr}};
    std::string line;
    size_t left = budget;
    for (const Segment& s : segments) {
      if (left == 0) break;
      std::string_view text = Cut(s.text, left);
      left -= Width(text);
      line += Paint(text, s.sgr);
    }
    lines.push_back(std::move(line));
  }
  if (shown < jobs_.size()) {
    std::string more = fmt::format("  … and {} more", jobs_.size() - shown);
    if (!options_.unicode) more = fmt::format("  ... and {} more", jobs_.size() - shown);
    lines.push_back(Paint(Cut(more, budget), kDim));
  }
  return lines;
}

std::string LiveView::ResultLine(const std::string& key, const JobOutcome& outcome,
                                 std::optional<Clock::TimePoint> started, Clock::TimePoint now) {
  const char* symbol = "";
  const char* sgr = nullptr;
  switch (outcome.result) {
    case JobResult::kSuccess:
      symbol = options_.unicode ? "✓" : "+";
      sgr = kGreen;
      break;
    case JobResult::kFailure:
      symbol = options_.unicode ? "✗" : "x";
      sgr = kRed;
      break;
    case JobResult::kCancelled:
      symbol = options_.unicode ? "⊘" : "!";
      sgr = kYellow;
      break;
    case JobResult::kSkipped:
      symbol = "-";
      sgr = kDim;
      break;
  }
  // Padded so the times line up; a job that never started (skipped, restored) has no time.
  std::string result = JobResultName(outcome.result);
  if (started) result = PadRight(result, 9);
  std::string line = Paint(symbol, sgr) + " " + masker_.Mask(PadRight(key, name_width_)) + " " +
                     Paint(result, sgr);
  if (started) line += " " + Paint(Elapsed(now - *started), kDim);
  if (!outcome.message.empty()) {
    line += (options_.unicode ? " — " : " - ") + masker_.Mask(outcome.message);
  }
  // Trailing padding is noise in a scrollback.
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + "\n";
}

std::string LiveView::Paint(std::string_view text, const char* sgr) const {
  if (!options_.color || !sgr || text.empty()) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", sgr, text);
}

int LiveView::Columns() const {
  if (options_.columns > 0) return options_.columns;
  struct winsize size {};
  int fd = fileno(out_);
  // Asked at every draw, so a resized terminal is followed.
  if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  const char* env = std::getenv("COLUMNS");
  int columns = env ? PositiveInt(env) : 0;
  return columns > 0 ? columns : 80;
}

int LiveView::Rows() const {
  if (options_.rows > 0) return options_.rows;
  struct winsize size {};
  int fd = fileno(out_);
  if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_row > 0) return size.ws_row;
  const char* env = std::getenv("LINES");
  int rows = env ? PositiveInt(env) : 0;
  return rows > 0 ? rows : 24;
}

void LiveView::WriteLocked(const std::string& bytes) {
  if (bytes.empty()) return;
  std::fwrite(bytes.data(), 1, bytes.size(), out_);
  std::fflush(out_);
}

void LiveView::StartTicker() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ticker_.joinable() || stopped_) return;
  ticker_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!ticker_stopping_) {
      // Real time, not clock_: the ticker paces the screen, it measures nothing.
      if (stop_ticker_.wait_for(lock, options_.interval, [this] { return ticker_stopping_; })) {
        break;
      }
      lock.unlock();
      Tick();
      lock.lock();
    }
  });
}

void LiveView::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ticker_stopping_ = true;
  }
  stop_ticker_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopped_) return;
  stopped_ = true;
  std::string bytes;
  if (drawn_lines_ > 0) bytes += fmt::format("\r\x1b[{}A\x1b[J", drawn_lines_);
  bytes += pending_;
  pending_.clear();
  drawn_lines_ = 0;
  WriteLocked(bytes);
}

}  // namespace slipway::exec
