// The numbers a trader reads at the end of a run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace dalbit::engine {

struct PositionSummary {
  StockCode code;
  Qty qty;
  Price avg_price;
  Price last;
  Krw unrealized;  // after the commission and tax a sale at `last` would pay
};

struct Summary {
  Krw initial_cash;
  Krw final_cash;
  Krw final_equity;  // cash + holdings at their last price
  Krw realized;
  Krw unrealized;
  Krw pnl;           // realized + unrealized
  double pnl_pct = 0;
  Krw commission;
  Krw tax;
  std::uint64_t trades = 0;
  std::uint64_t wins = 0;
  std::uint64_t losses = 0;
  double win_rate_pct = 0;
  Krw max_drawdown;
  double max_drawdown_pct = 0;
  std::vector<PositionSummary> open_positions;
};

[[nodiscard]] Summary summarize(const Engine& engine, Krw initial_cash);

}  // namespace dalbit::engine
