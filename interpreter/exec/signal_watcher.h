#pragma once
/// SignalWatcher: turns SIGINT/SIGTERM into run events. It blocks both signals in the calling
/// thread — construct it before any worker starts, so every thread inherits the mask — and
/// waits for them with sigwait on its own thread, so no code runs in a signal handler and the
/// only shared state is the event queue (children get default dispositions back in
/// process_posix.cc). The first signal cancels the run; a second one forces it.

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace slipway::exec {

class SignalWatcher {
 public:
  /// `on_signal(signal, count)` runs on the watcher thread.
  explicit SignalWatcher(std::function<void(int signal, int count)> on_signal);
  /// Stops the watcher thread and restores the previous signal mask.
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  std::function<void(int, int)> on_signal_;
  std::atomic<bool> stopping_{false};
  sigset_t previous_mask_;
  std::thread thread_;
};

}  // namespace slipway::exec
