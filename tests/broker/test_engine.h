// The engine thread of a broker test and a Listener that records what it hears.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "broker/broker.h"

namespace dalbit::broker::testing {

using namespace std::chrono_literals;

// The engine thread of the test: other threads post, the test thread runs.
class EngineQueue {
 public:
  void post(std::function<void()> fn) {
    std::lock_guard lock(m_);
    q_.push_back(std::move(fn));
    cv_.notify_all();
  }
  // Runs posted work until `done` holds (checked after each item) or `limit` passes.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      std::function<void()> fn;
      {
        std::unique_lock lock(m_);
        if (!cv_.wait_until(lock, deadline, [&] { return !q_.empty(); })) return done();
        fn = std::move(q_.front());
        q_.pop_front();
      }
      fn();
    }
    return true;
  }
  // Runs whatever arrives for `d` (to see that nothing more happens).
  void run_for(std::chrono::milliseconds d) { (void)run_until([] { return false; }, d); }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> q_;
};

struct Recorded {
  std::vector<std::string> events;  // "accepted 1", "fill 1 7", "cancelled 1 10", "rejected 1", "unknown 1"
  std::map<OrderId, std::string> broker_no;
  std::vector<Fill> fills;
  std::map<OrderId, Qty> cancelled;
  std::map<OrderId, std::string> rejected;
  std::map<OrderId, std::string> unknown;
};

class RecordingListener final : public Listener {
 public:
  explicit RecordingListener(Recorded& r) : r_(r) {}
  void on_accepted(OrderId id, std::string_view broker_no) override {
    r_.events.push_back("accepted " + std::to_string(id));
    r_.broker_no[id] = std::string(broker_no);
  }
  void on_rejected(OrderId id, std::string_view reason) override {
    r_.events.push_back("rejected " + std::to_string(id));
    r_.rejected[id] = std::string(reason);
  }
  void on_fill(const Fill& fill) override {
    r_.events.push_back("fill " + std::to_string(fill.order_id) + " " + std::to_string(fill.qty.value()));
    r_.fills.push_back(fill);
  }
  void on_cancelled(OrderId id, Qty cancelled, std::string_view) override {
    r_.events.push_back("cancelled " + std::to_string(id) + " " + std::to_string(cancelled.value()));
    r_.cancelled[id] = cancelled;
  }
  void on_unknown(OrderId id, std::string_view reason) override {
    r_.events.push_back("unknown " + std::to_string(id));
    r_.unknown[id] = std::string(reason);
  }

 private:
  Recorded& r_;
};

}  // namespace dalbit::broker::testing
