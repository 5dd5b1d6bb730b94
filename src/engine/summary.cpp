#include "engine/summary.h"

#include <algorithm>

namespace dalbit::engine {

Summary summarize(const Engine& engine, Krw initial_cash) {
  const Portfolio& pf = engine.portfolio();
  Summary s;
  s.initial_cash = initial_cash;
  s.final_cash = pf.cash();
  s.final_equity = engine.equity();
  s.realized = pf.realized();
  for (const auto& [code, p] : pf.positions()) {
    const Price last = engine.market().last(code);
    const Krw u = pf.unrealized(p, last);
    s.unrealized += u;
    s.open_positions.push_back({code, p.qty, p.avg_price(), last, u});
  }
  std::sort(s.open_positions.begin(), s.open_positions.end(),
            [](const PositionSummary& a, const PositionSummary& b) { return a.code < b.code; });
  s.pnl = s.realized + s.unrealized;
  if (initial_cash.value() > 0) {
    s.pnl_pct = 100.0 * static_cast<double>(s.pnl.value()) / static_cast<double>(initial_cash.value());
  }
  s.commission = pf.commission_paid();
  s.tax = pf.tax_paid();
  for (const Trade& t : engine.trades()) {
    ++s.trades;
    if (t.realized.value() > 0) {
      ++s.wins;
    } else {
      ++s.losses;
    }
  }
  if (s.trades > 0) s.win_rate_pct = 100.0 * static_cast<double>(s.wins) / static_cast<double>(s.trades);
  s.max_drawdown = engine.stats().max_drawdown;
  s.max_drawdown_pct = engine.stats().max_drawdown_pct;
  return s;
}

}  // namespace dalbit::engine
