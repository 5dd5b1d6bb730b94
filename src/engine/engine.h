// The engine: one thread owns all trading state. Market data comes in, the
// simulated or real broker reports back, strategies express intents, and
// every intent passes the hard limits before the OMS creates an order.
//
// Re-entrancy: broker events update the OMS and portfolio at once, but the
// strategy callbacks they cause (on_order, on_fill) are queued and run only
// when no strategy code is on the stack, so a strategy never sees a
// half-updated state or gets called back from inside its own ctx:buy.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/broker.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/intent.h"
#include "engine/journal.h"
#include "engine/market_state.h"
#include "engine/oms.h"
#include "engine/portfolio.h"
#include "engine/strategies.h"
#include "lua/host.h"
#include "risk/limits.h"

namespace dalbit::engine {

// A completed sell order: the unit of "trades" and "win rate".
struct Trade {
  OrderId order_id = 0;
  std::string strategy;
  StockCode code;
  Qty qty;
  Price avg_price;  // average sell price, truncated to the won
  Krw realized;     // after every fee and tax, buy side included
  Timestamp closed;
};

struct Stats {
  std::uint64_t ticks = 0;
  std::uint64_t bars = 0;
  std::uint64_t intents = 0;
  std::uint64_t vetoes = 0;
  std::uint64_t orders = 0;
  std::uint64_t rejected = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t fills = 0;
  std::uint64_t duplicate_fills = 0;
  std::uint64_t broker_anomalies = 0;  // messages that made no sense for the order's state
  std::uint64_t modifies = 0;          // modify requests (cancel and replace)
  std::uint64_t notifications = 0;     // ctx:notify messages
  Krw peak_equity;
  Krw max_drawdown;                    // largest fall from a peak of equity, won
  double max_drawdown_pct = 0;         // that fall over its peak, percent
};

class Engine final : public lua::StrategyApi, public broker::Listener {
 public:
  Engine(const config::Config& config, const Clock& clock, broker::Broker& broker, Journal* journal);

  void set_strategies(Strategies* strategies) { strategies_ = strategies; }

  // Market data, with the clock already at the event's time.
  void on_tick(const Tick& tick);
  void on_bar(const Bar& bar);
  // The session is over: bars built from ticks complete, open day orders
  // expire, positions are journaled, and tomorrow's limit bands are set.
  void close_day();

  // lua::StrategyApi
  IntentResult submit(Intent intent) override;
  bool cancel(std::string_view strategy, OrderId id) override;
  // Cancel and replace: the old order is cancelled and, once the broker has
  // confirmed it, a new intent with the new price and quantity (default: the
  // old limit and the shares left unfilled) goes through risk like any other.
  IntentResult modify(std::string_view strategy, OrderId id, std::optional<Price> limit,
                      std::optional<Qty> qty) override;
  std::vector<Order> open_orders(std::string_view strategy) const override;
  const Position* position(StockCode code) const override { return portfolio_.position(code); }
  std::vector<Position> positions() const override;
  std::vector<SellRecord> todays_sells() const override { return portfolio_.todays_sells(); }
  void notify(std::string_view strategy, std::string_view text) override;
  Krw cash() const override { return portfolio_.cash(); }
  Timestamp now() const override { return clock_.now(); }
  Price last_price(StockCode code) const override { return market_.last(code); }

  // broker::Listener
  void on_accepted(OrderId id, std::string_view broker_no) override;
  void on_rejected(OrderId id, std::string_view reason) override;
  void on_fill(const Fill& fill) override;
  void on_cancelled(OrderId id, Qty cancelled, std::string_view reason) override;

  [[nodiscard]] const Portfolio& portfolio() const { return portfolio_; }
  [[nodiscard]] const Oms& oms() const { return oms_; }
  [[nodiscard]] const MarketState& market() const { return market_; }
  [[nodiscard]] const Stats& stats() const { return stats_; }
  [[nodiscard]] const std::vector<Trade>& trades() const { return trades_; }
  // Cash plus every holding at its last trade price.
  [[nodiscard]] Krw equity() const { return portfolio_.cash() + holdings_value_; }
  // Cash not held back by open buy orders.
  [[nodiscard]] Krw available_cash() const { return portfolio_.cash() - reserved_total_; }

 private:
  struct Pending {
    enum class Kind : std::uint8_t { Order, Fill } kind;
    OrderId order_id;
    Fill fill;
  };
  // A modify waiting for the broker to confirm the old order's cancel.
  struct Replacement {
    Intent intent;
    std::optional<Qty> qty;  // none: the old order's unfilled shares
  };
  struct OrderBook {  // per open order bookkeeping beyond the OMS
    Price reserve_price;  // buys: the price cash is held back at
    Krw reserved;         // buys: cash held back now
    Krw realized;         // sells: realized P&L so far
  };

  void veto(const Intent& intent, const std::string& reason);
  void on_price(StockCode code, Price old_last, Price new_last);
  void recompute_holdings();
  void update_drawdown();
  void after_order_change(const Order& order);
  void release(OrderId id);
  void report_anomaly(const std::string& what);
  void drain();
  // Before each event: the strategies' timers and the session phases the clock passed.
  void advance_clock();
  IntentResult place_replacement(const Order& cancelled, Replacement replacement);

  const config::Config& config_;
  const Clock& clock_;
  broker::Broker& broker_;
  Journal* journal_;
  Strategies* strategies_ = nullptr;
  risk::Limits limits_;
  MarketState market_;
  Oms oms_;
  Portfolio portfolio_;
  Stats stats_;
  std::vector<Trade> trades_;
  std::unordered_map<OrderId, OrderBook> books_;
  std::unordered_map<OrderId, Replacement> replacements_;  // by the id of the order being cancelled
  OrderId modifying_ = 0;  // the order whose cancel modify() is waiting for synchronously
  Krw reserved_total_;
  Krw holdings_value_;
  Timestamp current_minute_{};
  // Session phases already announced today (0 to 3: pre_open, open, closing), and when the next begins.
  KstDate session_day_{};
  int session_step_ = 0;
  Timestamp next_session_change_{};
  std::vector<Bar> completed_;        // reused
  std::deque<Pending> pending_;
  bool draining_ = false;
};

}  // namespace dalbit::engine
