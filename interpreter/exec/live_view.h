#pragma once
/// LiveView: what `slipway run` shows on a terminal. A region at the bottom of the screen lists
/// each running or waiting job (spinner, job, state, elapsed time, current step) and is redrawn
/// in place; log lines and each finished job's result line ("✓ build  success  0:03") are
/// printed above it, so nothing is lost and nothing interleaves. Off a terminal the Console
/// prints plain timestamped lines instead (console.h); `--progress` chooses.
///
/// Redraws are rate-limited: a change is drawn at once when the last draw is at least
/// `interval` old, otherwise by the next Tick() (the ticker thread calls it every `interval`).
/// Every byte written passes through the Masker; region lines are masked before they are cut
/// to the terminal's width, so a cut never exposes part of a secret. Thread-safe.
///
/// Screen protocol: the region is drawn as N lines, each ending in "\n", so the cursor rests at
/// the start of the line below it. Redrawing moves up N lines ("\r\x1b[NA"), rewrites each line
/// (ending it with "\x1b[K") and clears what is left below ("\x1b[J"). Printing lines above
/// first clears the region ("\r\x1b[NA\x1b[J"), writes the lines, then draws the region again.

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "interpreter/exec/clock.h"

namespace slipway::exec {

class Masker;
struct JobOutcome;

/// `slipway run --progress`: auto (live on a terminal), live, or plain.
enum class ProgressMode { kAuto, kLive, kPlain };

/// "auto" | "live" | "plain"; nullopt for anything else.
std::optional<ProgressMode> ParseProgressMode(std::string_view text);

/// Whether the live view is shown: always for kLive, never for kPlain; for kAuto when `out_fd`
/// is a terminal, TERM is set and is not "dumb", and GITHUB_ACTIONS is not "true" (the real
/// runner's log is not a terminal and wants plain lines and workflow commands).
bool UseLiveView(ProgressMode mode, int out_fd,
                 const std::map<std::string, std::string>& environment);

/// How the live view draws.
struct LiveViewOptions {
  bool color = true;    // ANSI colours (false when NO_COLOR is set, https://no-color.org)
  bool unicode = true;  // braille spinner and ✓/✗ (false unless the locale is UTF-8)
  int columns = 0;      // the terminal's width; 0: ask the terminal, then $COLUMNS, then 80
  int rows = 0;         // the terminal's height, to bound the region; 0: ask, then 24
  /// Approvals may be typed on the terminal: while a job waits, only changes redraw (a timed
  /// redraw would wipe the echo of what is being typed).
  bool interactive = false;
  std::chrono::milliseconds interval{100};  // at most one redraw per interval
};

/// Options from slipway's environment (NO_COLOR, LC_ALL/LC_CTYPE/LANG, COLUMNS, LINES).
LiveViewOptions LiveViewOptionsFor(const std::map<std::string, std::string>& environment);

/// The live region and the stream of lines above it.
class LiveView {
 public:
  LiveView(const Masker& masker, const Clock& clock, std::FILE* out, LiveViewOptions options);
  ~LiveView();
  LiveView(const LiveView&) = delete;
  LiveView& operator=(const LiveView&) = delete;

  void JobStarted(const std::string& key);
  /// At an environment gate (approval or wait timer); the job's latest line says which.
  void JobWaiting(const std::string& key);
  /// Past its gate, running steps again.
  void JobRunning(const std::string& key);
  void StepStarted(const std::string& key, const std::string& step_name);
  /// Removes the job from the region and prints its permanent result line above it.
  void JobFinished(const std::string& key, const JobOutcome& outcome);
  /// Prints `line` (a whole console line, newline added when missing) above the region. `job`
  /// and `text` are the line's parts: a waiting job shows its latest text as its detail.
  void Print(std::string_view job, std::string_view text, std::string_view line);

  /// Prints pending lines and redraws the region now.
  void Tick();
  /// Calls Tick() every `interval` on a thread of its own until Stop().
  void StartTicker();
  /// Stops the ticker, prints pending lines and erases the region. Later calls print lines
  /// straight to the stream and draw nothing. Idempotent.
  void Stop();

 private:
  enum class State { kRunning, kWaiting };
  struct Job {
    std::string key;
    State state = State::kRunning;
    Clock::TimePoint started;
    std::string step;         // the current step's name
    std::string latest_line;  // the job's latest console line: the detail while it waits
  };

  Job* FindLocked(const std::string& key);
  void ChangedLocked();
  void FlushLocked();
  std::vector<std::string> RegionLocked(Clock::TimePoint now);
  std::string ResultLine(const std::string& key, const JobOutcome& outcome,
                         std::optional<Clock::TimePoint> started, Clock::TimePoint now);
  std::string Paint(std::string_view text, const char* sgr) const;
  int Columns() const;
  int Rows() const;
  void WriteLocked(const std::string& bytes);

  const Masker& masker_;
  const Clock& clock_;
  std::FILE* out_;
  LiveViewOptions options_;
  Clock::TimePoint epoch_;

  std::mutex mutex_;
  std::vector<Job> jobs_;  // in start order
  size_t name_width_ = 0;  // the widest job key seen (capped), so result lines align
  std::string pending_;    // masked lines waiting to be printed above the region
  bool dirty_ = false;     // the region changed since it was drawn
  size_t drawn_lines_ = 0;
  std::optional<Clock::TimePoint> last_draw_;
  bool stopped_ = false;

  std::thread ticker_;
  std::condition_variable stop_ticker_;
  bool ticker_stopping_ = false;
};

}  // namespace slipway::exec
