#include "interpreter/exec/signal_watcher.h"

#include <pthread.h>

namespace slipway::exec {
namespace {

// SIGUSR2 only wakes the watcher thread when it should stop (sent with pthread_kill).
sigset_t WatchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);
  return set;
}

}  // namespace

SignalWatcher::SignalWatcher(std::function<void(int, int)> on_signal)
    : on_signal_(std::move(on_signal)) {
  sigset_t set = WatchedSignals();
  pthread_sigmask(SIG_BLOCK, &set, &previous_mask_);
  thread_ = std::thread([this] {
    sigset_t watched = WatchedSignals();
    int count = 0;
    while (true) {
      int signal = 0;
      if (sigwait(&watched, &signal) != 0) continue;
      if (stopping_.load()) return;
      if (signal == SIGUSR2) continue;
      on_signal_(signal, ++count);
    }
  });
}

SignalWatcher::~SignalWatcher() {
  stopping_.store(true);
  pthread_kill(thread_.native_handle(), SIGUSR2);
  thread_.join();
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

}  // namespace slipway::exec
