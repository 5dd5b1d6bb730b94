// The simulator's one account: cash, holdings, orders and executions over
// the shared fill model (match::Matcher). Every change is reported as the
// Kiwoom events a client would see: 00 (order/execution) and 04 (balance).
//
// Cash is settled at once (no D+2 in the simulator): a buy takes its value
// and commission when it fills, an open buy holds back its worst-case cost
// from what is orderable. Realized P&L is after commission and tax.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/krx.h"
#include "core/money.h"
#include "core/result.h"
#include "core/stock_code.h"
#include "core/time.h"
#include "core/types.h"
#include "kiwoom/rest.h"
#include "kiwoom/ws_codec.h"
#include "match/matcher.h"

namespace dalbit::sim {

enum class RejectKind : std::uint8_t { UnknownCode, BadPrice, BadQty, NoCash, NoShares, MarketClosed, UnknownOrder };

struct Reject {
  RejectKind kind = RejectKind::BadQty;
  std::string message;
};

// An order number, or why the order was refused.
struct OrderOutcome {
  std::string order_no;
  std::optional<Reject> reject;
  [[nodiscard]] bool ok() const { return !reject.has_value(); }
};

struct SimOrder {
  std::string order_no;       // 7 digits, "0000001"
  std::string orig_order_no;  // for modifies and cancels, else ""
  StockCode code;
  std::string name;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  kiwoom::OrderAction action = kiwoom::OrderAction::New;
  Price price;                // zero for market orders
  Price reserve_price;        // what a buy holds back per share: its limit, or the upper limit
  OrderId matcher_id = 0;
  Qty qty;
  Qty filled;
  Krw filled_value;
  Krw fees;
  Krw tax;
  Price last_fill_price;
  Qty last_fill_qty;
  TimeOfDay time;
  bool working = false;
  bool cancelled = false;
  [[nodiscard]] Qty unfilled() const { return working ? qty - filled : Qty(0); }
};

struct SimExecution {
  std::string exec_no;
  std::string order_no;
  StockCode code;
  Side side = Side::Buy;
  Price price;
  Qty qty;
  Krw fee;
  Krw tax;
  Timestamp time;
};

struct SimHolding {
  Qty qty;
  Krw cost;  // buy value of the shares held, excluding fees
  Krw buy_fees;
  Qty bought_today;
  Qty sold_today;
  Krw realized_today;
  [[nodiscard]] Price avg_price() const { return qty.value() > 0 ? Price(cost.value() / qty.value()) : Price(0); }
};

// What changed, in the order a client should see it.
struct AccountEvents {
  std::vector<kiwoom::OrderEvent> orders;
  std::vector<kiwoom::BalanceEvent> balances;
};

struct NewOrder {
  Side side = Side::Buy;
  StockCode code;
  std::string name;
  Qty qty;
  std::optional<Price> price;  // none: market order
  krx::PriceBand band;
  TimeOfDay time;
};

class Account {
 public:
  Account(std::string number, Krw cash, krx::FeeSchedule fees = {});

  OrderOutcome place(const NewOrder& order, AccountEvents& events);
  // Kiwoom's modify: the rest of `orig` (at most `qty`) becomes a new order at
  // `price`; the new order number is returned.
  OrderOutcome modify(const std::string& orig, Qty qty, Price price, const krx::PriceBand& band,
                             TimeOfDay time, AccountEvents& events);
  // qty 0 cancels all that is left; the rest of a partial cancel keeps
  // working (`band` re-validates it). Returns the cancel's order number.
  OrderOutcome cancel(const std::string& orig, Qty qty, const krx::PriceBand& band, TimeOfDay time,
                      AccountEvents& events);
  void on_tick(const Tick& tick, const std::string& name, Price base, AccountEvents& events);
  // Day orders end at the close.
  void expire_all(TimeOfDay time, AccountEvents& events);
  void new_day();

  [[nodiscard]] const std::string& number() const { return number_; }
  [[nodiscard]] Krw cash() const { return cash_; }
  [[nodiscard]] Krw orderable() const { return cash_ - reserved(); }
  [[nodiscard]] Krw reserved() const;
  [[nodiscard]] const std::map<StockCode, SimHolding>& holdings() const { return holdings_; }
  [[nodiscard]] const std::vector<SimOrder>& orders() const { return orders_; }
  [[nodiscard]] const std::vector<SimExecution>& executions() const { return executions_; }
  [[nodiscard]] const SimOrder* find(const std::string& order_no) const;
  [[nodiscard]] Krw realized_today() const;
  [[nodiscard]] Krw bought_today() const { return bought_today_; }
  [[nodiscard]] Krw sold_today() const { return sold_today_; }
  [[nodiscard]] Krw fees_today() const { return fees_today_; }
  [[nodiscard]] Krw taxes_today() const { return taxes_today_; }
  [[nodiscard]] const krx::FeeSchedule& fees() const { return fees_; }
  [[nodiscard]] Qty sellable(const StockCode& code) const;

 private:
  SimOrder* find_mut(const std::string& order_no);
  // Modify (a price) or cancel (none) `qty` shares (0: all) of a working order.
  OrderOutcome amend(const std::string& orig, Qty qty, std::optional<Price> price, const krx::PriceBand& band,
                     TimeOfDay time, AccountEvents& events);
  Status submit(SimOrder& o, const krx::PriceBand& band);
  [[nodiscard]] Krw reserve_of(const SimOrder& o) const;
  kiwoom::OrderEvent event_of(const SimOrder& o, kiwoom::OrderEventStatus status) const;
  kiwoom::BalanceEvent balance_of(const StockCode& code, const std::string& name, Price current, Price base) const;
  std::string next_order_no();

  std::string number_;
  Krw cash_;
  krx::FeeSchedule fees_;
  match::Matcher matcher_;
  std::vector<match::Execution> fills_;  // reused between ticks
  OrderId next_matcher_id_ = 1;
  std::map<StockCode, SimHolding> holdings_;
  std::vector<SimOrder> orders_;
  std::vector<SimExecution> executions_;
  std::uint64_t next_order_ = 1;
  std::uint64_t next_exec_ = 1;
  Krw bought_today_;
  Krw sold_today_;
  Krw fees_today_;
  Krw taxes_today_;
};

}  // namespace dalbit::sim
