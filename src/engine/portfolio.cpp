#include "engine/portfolio.h"

#include <string>

namespace dalbit::engine {

const Position* Portfolio::position(StockCode code) const {
  const auto it = positions_.find(code);
  return it == positions_.end() ? nullptr : &it->second;
}

Result<Krw> Portfolio::apply(const Fill& fill, std::string_view strategy) {
  const Krw value = fill.value();
  commission_paid_ += fill.commission;
  if (fill.side == Side::Buy) {
    auto [it, fresh] = positions_.try_emplace(fill.code);
    Position& p = it->second;
    if (fresh) {
      p.code = fill.code;
      p.opened = fill.time;
    }
    p.qty += fill.qty;
    p.cost += value;
    p.buy_fees += fill.commission;
    cash_ -= value + fill.commission;
    return Krw(0);
  }

  const auto it = positions_.find(fill.code);
  const Qty held = it == positions_.end() ? Qty(0) : it->second.qty;
  if (fill.qty > held) {
    commission_paid_ -= fill.commission;
    return Error{"sell of " + std::to_string(fill.qty.value()) + " " + fill.code.str() + " exceeds the " +
                 std::to_string(held.value()) + " shares held (execution " + fill.fill_id + ")"};
  }
  Position& p = it->second;
  const bool closes = fill.qty == p.qty;
  const Krw cost_part = closes ? p.cost : Krw(p.cost.value() * fill.qty.value() / p.qty.value());
  const Krw fee_part = closes ? p.buy_fees : Krw(p.buy_fees.value() * fill.qty.value() / p.qty.value());
  const Krw pnl = value - fill.commission - fill.tax - cost_part - fee_part;
  p.qty -= fill.qty;
  p.cost -= cost_part;
  p.buy_fees -= fee_part;
  p.realized += pnl;
  realized_ += pnl;
  tax_paid_ += fill.tax;
  cash_ += value - fill.commission - fill.tax;
  todays_sells_.push_back({fill.code, fill.time, fill.qty, fill.price, pnl, std::string(strategy)});
  if (closes) positions_.erase(it);
  return pnl;
}

void Portfolio::set_position(StockCode code, Qty qty, Krw cost, Timestamp at) {
  const auto it = positions_.find(code);
  if (qty.value() <= 0) {
    if (it != positions_.end()) positions_.erase(it);
    return;
  }
  if (it == positions_.end()) {
    Position p;
    p.code = code;
    p.qty = qty;
    p.cost = cost;
    p.opened = at;
    positions_.emplace(code, p);
    return;
  }
  Position& p = it->second;
  if (qty < p.qty) p.buy_fees = Krw(p.buy_fees.value() * qty.value() / p.qty.value());
  p.qty = qty;
  p.cost = cost;
}

Krw Portfolio::realized_today() const {
  Krw sum;
  for (const SellRecord& s : todays_sells_) sum += s.realized;
  return sum;
}

Krw Portfolio::unrealized(const Position& p, Price last) const {
  const Krw value = last * p.qty;
  return value - krx::commission(fees_, value) - krx::sell_tax(fees_, value) - p.cost - p.buy_fees;
}

}  // namespace dalbit::engine
