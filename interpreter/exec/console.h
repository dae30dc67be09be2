#pragma once
/// Console: what `slipway run` prints while it runs. Thread-safe; every line passes through the
/// Masker. Plain timestamped lines ("12:34:56 [build] ...") that stay readable when several
/// jobs interleave. Inside GitHub Actions (GITHUB_ACTIONS=true) workflow commands are
/// re-emitted (masked) so the real runner shows annotations. With a LiveView attached (a
/// terminal), the same lines are printed above the live region instead (live_view.h).

#include <atomic>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace slipway::exec {

class Clock;
class LiveView;
class Masker;

/// Where run progress goes (stdout by default; tests pass a temporary file).
class Console {
 public:
  Console(const Masker& masker, const Clock& clock, std::FILE* out = stdout,
          bool github_actions = false)
      : masker_(masker), clock_(clock), out_(out), github_actions_(github_actions) {}

  /// "12:34:56 [job] text" (no job: "12:34:56 text").
  void Line(std::string_view job, std::string_view text);
  /// A raw line without timestamp (summary table, run id line, workflow commands).
  void Raw(std::string_view text);
  bool github_actions() const { return github_actions_; }
  /// Routes every later line through `live` (nullptr: back to the stream). `live` must outlive
  /// every thread that prints.
  void AttachLiveView(LiveView* live) { live_.store(live); }
  /// Also hands every Line() to `tap` (the event stream, event_stream.h). Set it before any
  /// worker starts and clear it after the last one ended.
  void SetTap(std::function<void(std::string_view, std::string_view)> tap) {
    tap_ = std::move(tap);
  }

 private:
  const Masker& masker_;
  const Clock& clock_;
  std::FILE* out_;
  bool github_actions_;
  std::atomic<LiveView*> live_ = nullptr;
  std::function<void(std::string_view, std::string_view)> tap_;
  std::mutex mutex_;
};

}  // namespace slipway::exec
