// Cash, positions and P&L after fees and tax, to the won.
//
// A position keeps its buy value (cost) and the buy commission separately.
// Selling q of Q shares releases cost * q / Q of each (integer division); the
// last sell of a holding releases whatever is left, so a round trip's realized
// P&L is exact: sell value - sell fees - tax - buy value - buy fees.
#pragma once

#include <unordered_map>
#include <vector>

#include "core/krx.h"
#include "core/result.h"
#include "core/types.h"

namespace dalbit::engine {

class Portfolio {
 public:
  Portfolio(Krw cash, krx::FeeSchedule fees) : cash_(cash), fees_(fees) {}

  // Applies an execution. A sell of more shares than held is refused (and
  // changes nothing): dalbit never sells short.
  [[nodiscard]] Result<Krw> apply(const Fill& fill, std::string_view strategy);

  // Reconciliation with the broker, whose account is the truth. The holding
  // becomes `qty` shares costing `cost` (0 shares: none); buy fees shrink with
  // the shares (a holding the engine never bought has none), and nothing is
  // realized.
  void set_position(StockCode code, Qty qty, Krw cost, Timestamp at);
  void set_cash(Krw cash) { cash_ = cash; }

  [[nodiscard]] Krw cash() const { return cash_; }
  [[nodiscard]] const Position* position(StockCode code) const;
  [[nodiscard]] const std::unordered_map<StockCode, Position>& positions() const { return positions_; }
  [[nodiscard]] std::size_t open_positions() const { return positions_.size(); }
  [[nodiscard]] Krw realized() const { return realized_; }
  [[nodiscard]] Krw commission_paid() const { return commission_paid_; }
  [[nodiscard]] Krw tax_paid() const { return tax_paid_; }

  // P&L if the position were sold at `last` now, after the sell's commission and tax.
  [[nodiscard]] Krw unrealized(const Position& p, Price last) const;

  // Sells executed since the last new_day(); rebuy rules read these.
  [[nodiscard]] const std::vector<SellRecord>& todays_sells() const { return todays_sells_; }
  // Realized P&L of today's sells.
  [[nodiscard]] Krw realized_today() const;
  void new_day() { todays_sells_.clear(); }

 private:
  Krw cash_;
  krx::FeeSchedule fees_;
  std::unordered_map<StockCode, Position> positions_;  // only codes with shares held
  Krw realized_;
  Krw commission_paid_;
  Krw tax_paid_;
  std::vector<SellRecord> todays_sells_;
};

}  // namespace dalbit::engine
