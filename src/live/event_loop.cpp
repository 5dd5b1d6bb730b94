#include "live/event_loop.h"

namespace dalbit::live {

void EventLoop::post(std::function<void()> fn) {
  {
    const std::lock_guard lock(mutex_);
    queue_.push_back(std::move(fn));
  }
  wake_.notify_one();
}

void EventLoop::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
}

void EventLoop::run_pending(const std::function<void()>& after_each) {
  std::deque<std::function<void()>> batch;
  {
    const std::lock_guard lock(mutex_);
    batch.swap(queue_);
  }
  for (auto& fn : batch) {
    fn();
    if (after_each) after_each();
  }
}

void EventLoop::run(std::chrono::milliseconds period, const std::function<void()>& heartbeat,
                    const std::function<void()>& after_each) {
  auto next_beat = std::chrono::steady_clock::now();
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next_beat, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      if (!queue_.empty()) {
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
    }
    if (fn) {
      fn();
      if (after_each) after_each();
    }
    // A busy market must not starve the heartbeat: it runs on time between two items.
    if (std::chrono::steady_clock::now() >= next_beat) {
      heartbeat();
      if (after_each) after_each();
      next_beat = std::chrono::steady_clock::now() + period;
    }
  }
}

}  // namespace dalbit::live
