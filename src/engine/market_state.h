// What the engine knows of the market: each code's last trade, today's base
// price and limit band, and 1-minute bars built from ticks.
#pragma once

#include <unordered_map>
#include <vector>

#include "core/krx.h"
#include "core/types.h"

namespace dalbit::engine {

struct CodeState {
  StockCode code;
  Price last;
  Price base;            // today's base price (previous close; the first print on the first day seen)
  krx::PriceBand band;   // today's limit prices around `base`
  Bar building;          // the 1-minute bar being built from ticks
  bool has_building = false;
  bool seen_today = false;
};

class MarketState {
 public:
  explicit MarketState(int price_limit_pct) : limit_pct_(price_limit_pct) {}

  // Records a trade print; the code's bar for its minute grows.
  const CodeState& on_tick(const Tick& t);
  // Records a bar read directly from data.
  const CodeState& on_bar(const Bar& b);
  // Completes every bar built from ticks that started before `minute`, in
  // the order codes were first seen (deterministic).
  void complete_bars_before(Timestamp minute, std::vector<Bar>& out);
  // A new trading day: today's base is yesterday's last trade.
  void new_day();

  [[nodiscard]] const CodeState* find(StockCode code) const;
  [[nodiscard]] Price last(StockCode code) const;

 private:
  CodeState& touch(StockCode code, Price first_price);

  int limit_pct_;
  std::unordered_map<StockCode, CodeState> codes_;
  std::vector<StockCode> order_;  // first-seen order
};

[[nodiscard]] Timestamp minute_start(Timestamp t);

}  // namespace dalbit::engine
