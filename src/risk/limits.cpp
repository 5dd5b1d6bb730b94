#include "risk/limits.h"

#include <fmt/format.h>

namespace dalbit::risk {

Krw Limits::buy_reservation(Price reserve_price, Qty qty) const {
  const Krw value = reserve_price * qty;
  return value + krx::commission(fees_, value);
}

std::string Limits::rate_veto(int orders_last_second, int orders_today) const {
  if (risk_.max_orders_per_second > 0 && orders_last_second >= risk_.max_orders_per_second) {
    return fmt::format("already {} orders in the last second (risk.max_orders_per_second {})",
                       orders_last_second, risk_.max_orders_per_second);
  }
  if (risk_.max_orders_per_day > 0 && orders_today >= risk_.max_orders_per_day) {
    return fmt::format("already {} orders today (risk.max_orders_per_day {})", orders_today,
                       risk_.max_orders_per_day);
  }
  return {};
}

std::string Limits::veto(const OrderCheck& o, const Exposure& x) const {
  if (o.qty.value() <= 0) return "quantity must be positive";
  if (o.type == OrderType::Limit) {
    if (!krx::on_grid(o.limit)) {
      return fmt::format("limit price {} is off the KRX tick grid (tick {})", o.limit.value(),
                         krx::tick_size(o.limit).value());
    }
    if (x.band.lower.value() > 0 && !x.band.contains(o.limit)) {
      return fmt::format("limit price {} is outside today's band {}..{}", o.limit.value(),
                         x.band.lower.value(), x.band.upper.value());
    }
  }
  if (o.reference.value() <= 0) return "no price known for " + o.code.str() + " yet";

  if (o.side == Side::Sell) {
    // Exits are never capped by value or time: a stop-loss must always get out.
    if (o.qty > x.held - x.open_sell_qty) {
      return fmt::format("sell of {} exceeds the {} shares held and not already being sold",
                         o.qty.value(), (x.held - x.open_sell_qty).value());
    }
    return {};
  }

  if (x.now < risk_.buy_window_start || x.now >= risk_.buy_window_end) {
    return fmt::format("no new buys outside the trading window {}-{} (now {})",
                       risk_.buy_window_start.str(), risk_.buy_window_end.str(), x.now.str());
  }
  const Krw value = o.reference * o.qty;
  if (value > risk_.max_order_value) {
    return fmt::format("order value {} exceeds risk.max_order_value {}", value.value(),
                       risk_.max_order_value.value());
  }
  const Krw after = x.position_cost + x.open_buy_value + value;
  if (after > risk_.max_position_value) {
    return fmt::format("{} would hold {} won, above risk.max_position_value {}", o.code.str(),
                       after.value(), risk_.max_position_value.value());
  }
  if (risk_.max_total_exposure.value() > 0 && x.total_exposure + value > risk_.max_total_exposure) {
    return fmt::format("total exposure {} + this buy {} exceeds risk.max_total_exposure {}",
                       x.total_exposure.value(), value.value(), risk_.max_total_exposure.value());
  }
  if (!x.holds_or_buys_code && x.open_positions >= risk_.max_open_positions) {
    return fmt::format("already {} open positions (risk.max_open_positions {})", x.open_positions,
                       risk_.max_open_positions);
  }
  // A market buy holds back cash at today's upper limit, as Kiwoom does, so that
  // whatever price it fills at is paid for.
  const Price reserve = o.type == OrderType::Market && x.band.upper.value() > 0 ? x.band.upper : o.reference;
  const Krw needed = buy_reservation(reserve, o.qty);
  if (needed > x.available_cash) {
    return fmt::format("needs {} won (with commission) but only {} is available", needed.value(),
                       x.available_cash.value());
  }
  return {};
}

}  // namespace dalbit::risk
