// A broker that fills orders in process with the fill model (src/match):
// backtests and paper trading.
#pragma once

#include <string>
#include <vector>

#include "broker/broker.h"
#include "match/matcher.h"

namespace dalbit::broker {

class SimBroker final : public Broker {
 public:
  // Fill ids are `fill_prefix` + a counter: a paper run passes one of its own
  // ("P<run>-"), so ids stay unique across restarts in the same store.
  explicit SimBroker(match::Params params, std::string fill_prefix = "SIMF")
      : matcher_(params), fill_prefix_(std::move(fill_prefix)) {}

  void submit(const Order& order, const krx::PriceBand& band) override;
  void cancel(OrderId id) override;
  void on_tick(const Tick& t) override;
  void on_bar(const Bar& b) override;
  void end_of_day() override;

 private:
  void deliver();

  match::Matcher matcher_;
  std::vector<match::Execution> executions_;  // reused: no allocation per tick
  std::string fill_prefix_;
  std::uint64_t next_fill_ = 1;
};

}  // namespace dalbit::broker
