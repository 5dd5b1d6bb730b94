// Test doubles shared by the engine's tests: a broker, a journal and
// strategies the test drives by hand, and an engine over them.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "broker/broker.h"
#include "core/clock.h"
#include "engine/engine.h"
#include "engine/journal.h"
#include "engine/strategies.h"

namespace dalbit::engine {

inline const StockCode kA = *StockCode::parse("900010");
inline const StockCode kB = *StockCode::parse("900020");

inline Timestamp at(const char* kst) { return *parse_kst_timestamp(kst); }

// A broker the test drives by hand.
class FakeBroker final : public broker::Broker {
 public:
  void submit(const Order& order, const krx::PriceBand&) override { submitted.push_back(order); }
  void cancel(OrderId id) override {
    cancels.push_back(id);
    if (cancel_at_once) listener_->on_cancelled(id, Qty(0), "cancelled at once");
  }
  broker::Listener& listener() { return *listener_; }
  void adopt(OrderId id, const Order& order) override { adopted.emplace_back(id, order.broker_no); }
  std::vector<Order> submitted;
  std::vector<OrderId> cancels;
  std::vector<std::pair<OrderId, std::string>> adopted;  // (client id, broker number)
  bool cancel_at_once = false;  // like SimBroker: confirms inside cancel()
};

class RecordingJournal final : public Journal {
 public:
  void order(const Order& o) override { orders.push_back(o); }
  void order_event(const Order& o, std::string_view d) override {
    events.push_back(std::to_string(o.id) + " " + std::string(to_string(o.status)) + " " + std::string(d));
  }
  void fill(const Fill& f) override { fills.push_back(f); }
  void position(const Position& p, Timestamp) override { positions.push_back(p); }
  void signal(const SignalRecord& s) override { signals.push_back(s); }
  bool before_send() override {
    ++syncs;
    return durable;
  }
  bool durable = true;  // false: the store cannot make the order durable
  void risk_state(RiskState state, std::string_view reason, Timestamp) override {
    risk_states.push_back(std::string(to_string(state)) + ": " + std::string(reason));
  }
  int syncs = 0;
  std::vector<std::string> risk_states;  // "<state>: <reason>"
  std::vector<Order> orders;
  std::vector<std::string> events;
  std::vector<Fill> fills;
  std::vector<Position> positions;
  std::vector<SignalRecord> signals;
};

// Strategies as plain C++ callbacks.
class ScriptedStrategies final : public Strategies {
 public:
  std::function<void(const Tick&)> tick;
  std::function<void(const Bar&)> bar;
  std::function<void(const Order&)> order;
  std::function<void(const Fill&, const Order&)> fill;
  void on_tick(const Tick& t) override { if (tick) tick(t); }
  void on_bar(const Bar& b) override {
    bars.push_back(b);
    if (bar) bar(b);
  }
  void on_order(const Order& o) override {
    order_statuses.push_back(o.status);
    if (order) order(o);
  }
  void on_fill(const Fill& f, const Order& o) override {
    ++fills;
    if (fill) fill(f, o);
  }
  bool wants_ticks() const override { return true; }
  void on_clock(Timestamp now) override { clocks.push_back(now); }
  void on_session(krx::SessionPhase phase) override {
    sessions.push_back(format_kst(clocks.empty() ? Timestamp{} : clocks.back()) + " " +
                       std::string(krx::to_string(phase)));
  }
  RiskVerdict check_risk(const Intent& i) override {
    return risk ? risk(i) : RiskVerdict{true, i.qty, i.amount, {}};
  }
  std::function<RiskVerdict(const Intent&)> risk;
  std::vector<Bar> bars;
  std::vector<OrderStatus> order_statuses;
  std::vector<Timestamp> clocks;
  std::vector<std::string> sessions;  // "<time of the last clock> <phase>"
  int fills = 0;
};

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : EngineTest(config::Config{}) {}
  explicit EngineTest(config::Config config)
      : config_(std::move(config)), engine_(config_, clock_, broker_, &journal_) {
    engine_.set_strategies(&strategies_);
  }

  void tick(const char* when, StockCode code, std::int64_t price, std::int64_t volume = 100) {
    ASSERT_TRUE(clock_.set(at(when)));
    engine_.on_tick({at(when), code, Price(price), Qty(volume)});
  }
  Intent intent(StockCode code, Side side) {
    Intent i;
    i.strategy = "test";
    i.reason = "because";
    i.code = code;
    i.side = side;
    return i;
  }
  Fill fill(OrderId id, const char* fill_id, Side side, std::int64_t price, std::int64_t qty) {
    Fill f;
    f.order_id = id;
    f.fill_id = fill_id;
    f.code = kA;
    f.side = side;
    f.price = Price(price);
    f.qty = Qty(qty);
    f.commission = krx::commission(config_.fees, f.value());
    f.tax = side == Side::Sell ? krx::sell_tax(config_.fees, f.value()) : Krw(0);
    f.time = clock_.now();
    return f;
  }

  config::Config config_;
  SimClock clock_;
  FakeBroker broker_;
  RecordingJournal journal_;
  ScriptedStrategies strategies_;
  Engine engine_;
};

}  // namespace dalbit::engine
