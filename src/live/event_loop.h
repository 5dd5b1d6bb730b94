// The engine thread's loop: work posted from any thread (network completions,
// signals) runs here one item at a time, in order, and a heartbeat runs at
// least every `period` so that clock-driven work (timers, session phases,
// unfilled orders, reloads) happens without market events.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace dalbit::live {

class EventLoop {
 public:
  // Any thread.
  void post(std::function<void()> fn);
  // Any thread (not a signal handler): run() returns after the item it is running.
  void stop();

  // On the engine thread: runs posted work and `heartbeat` until stop().
  // `after_each` runs after every posted item and heartbeat (the journal commits there).
  void run(std::chrono::milliseconds period, const std::function<void()>& heartbeat,
           const std::function<void()>& after_each);

  // Runs what is queued now and returns (tests, shutdown).
  void run_pending(const std::function<void()>& after_each);

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
};

}  // namespace dalbit::live
