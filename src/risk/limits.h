// The hard limits. Configured, never scripted: no strategy or risk script can
// loosen them, and they run after every risk script regardless.
#pragma once

#include <string>

#include "config/config.h"
#include "core/krx.h"
#include "core/types.h"

namespace dalbit::risk {

// An order about to be created, after sizing.
struct OrderCheck {
  StockCode code;
  Side side = Side::Buy;
  OrderType type = OrderType::Market;
  Price limit;       // limit orders
  Price reference;   // the price the order is valued at: the limit, or the last trade for market orders
  Qty qty;
};

// The portfolio and market facts the limits are judged against.
struct Exposure {
  Krw available_cash;           // cash minus what open buy orders hold back
  Krw position_cost;            // buy value held in this code
  Krw open_buy_value;           // value of this code's open buy orders
  Qty held;                     // shares of this code held
  Qty open_sell_qty;            // shares already being sold
  int open_positions = 0;       // codes held or being bought
  bool holds_or_buys_code = false;
  krx::PriceBand band;          // today's limits for this code (lower 0: unknown)
  TimeOfDay now;
  Krw total_exposure;           // cost of every position + cash held back by every open buy
};

class Limits {
 public:
  Limits(config::Risk risk, krx::FeeSchedule fees) : risk_(std::move(risk)), fees_(fees) {}
  // Empty when allowed; otherwise the veto's reason, naming the limit and the numbers.
  [[nodiscard]] std::string veto(const OrderCheck& order, const Exposure& exposure) const;
  // What a buy holds back from cash until it is done: its value at `reserve_price` plus commission.
  [[nodiscard]] Krw buy_reservation(Price reserve_price, Qty qty) const;
  // The order-rate limits for a strategy's order (exits of the engine itself are exempt):
  // empty when allowed, else the veto's reason.
  [[nodiscard]] std::string rate_veto(int orders_last_second, int orders_today) const;

 private:
  config::Risk risk_;
  krx::FeeSchedule fees_;
};

}  // namespace dalbit::risk
