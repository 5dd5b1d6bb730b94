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
#include <map>
#include <tuple>
#include <unordered_set>
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
  std::uint64_t stop_floor_exits = 0;  // sells the engine's own stop-loss floor placed
  std::uint64_t modifies = 0;          // modify requests (cancel and replace)
  std::uint64_t notifications = 0;     // ctx:notify messages
  std::uint64_t unfilled_actions = 0;  // limit orders the unfilled-order policy re-placed or cancelled
  std::uint64_t kill_exits = 0;        // sells the kill switch placed
  Krw peak_equity;
  Krw max_drawdown;                    // largest fall from a peak of equity, won
  double max_drawdown_pct = 0;         // that fall over its peak, percent
};

// The strategy names of orders no strategy placed: the engine's stop-loss
// floor, the kill switch's exits, and open orders found at the broker.
inline constexpr std::string_view kStopFloorStrategy = "stop_loss_floor";
inline constexpr std::string_view kKillStrategy = "kill";
inline constexpr std::string_view kExternalStrategy = "external";

// The reason of a risk state the daily loss limit entered starts with this;
// only such a state ends by itself at the next trading day (also after a restart).
inline constexpr std::string_view kDailyLossReason = "daily loss limit";

class Engine final : public lua::StrategyApi, public broker::Listener {
 public:
  // What the store remembered, for restore() after a restart, before any event.
  struct RestoredState {
    std::vector<Order> orders;        // orders not terminal at the crash, with broker_no when they had one
    OrderId next_order_id = 1;        // ids never repeat across restarts
    RiskState risk = RiskState::Active;
    std::string risk_reason;
    KstDate risk_since{};             // the KST day it was entered (a daily-loss halt ends the next day)
    std::vector<std::string> known_broker_nos;  // every broker number the store has (done orders too)
  };
  struct ReconcileReport {
    std::vector<std::string> resolved;  // one line per difference resolved
  };

  Engine(const config::Config& config, const Clock& clock, broker::Broker& broker, Journal* journal);

  void set_strategies(Strategies* strategies) { strategies_ = strategies; }

  // Market data, with the clock already at the event's time.
  void on_tick(const Tick& tick);
  void on_bar(const Bar& bar);
  // The session is over: bars built from ticks complete, open day orders
  // expire, positions are journaled, and tomorrow's limit bands are set.
  void close_day();
  // Clock-driven work when no market event comes (the live runner calls it
  // every 100 ms): strategy timers and session phases, the unfilled-order
  // policy, the daily loss check and the connectivity emergency stop.
  void on_heartbeat();

  // ACTIVE: everything; REDUCING: only sells; HALTED: nothing from strategies.
  // The engine's own exits (the stop-loss floor, the kill switch's sells) go
  // through in every state: they only reduce risk.
  [[nodiscard]] RiskState risk_state() const { return risk_; }
  [[nodiscard]] const std::string& risk_reason() const { return risk_reason_; }
  // A manual change (e.g. `dalbit resume`): journaled and logged.
  void set_risk_state(RiskState state, std::string reason);
  // The kill switch: HALTED, every open order cancelled, and with `flatten`
  // every holding sold at market (again whenever shares are freed or bought
  // later, until the state is set again).
  void kill(bool flatten, std::string reason);

  // After a restart, before any event. Also tells the broker the orders it
  // knows by number (Broker::adopt).
  void restore(const RestoredState& state);
  // The broker is the truth: applies every difference (missed fills, orders
  // that ended or were never sent, foreign open orders, holdings, cash).
  ReconcileReport reconcile(const broker::AccountSnapshot& snapshot);
  // The same comparison, changing nothing: one line per drift.
  [[nodiscard]] std::vector<std::string> drift(const broker::AccountSnapshot& snapshot) const;
  // The broker connection is up or down. Down longer than
  // risk.connectivity_timeout_s: an emergency stop of new buys until it returns.
  void set_connected(bool up);
  [[nodiscard]] bool emergency_stop() const { return emergency_stop_; }
  // True once an order's fate is unknown (Listener::on_unknown): the runner reconciles and clears it.
  [[nodiscard]] bool needs_reconcile() const { return needs_reconcile_; }
  void clear_needs_reconcile() { needs_reconcile_ = false; }
  // Orders sent by this process still waiting for the broker's first answer.
  [[nodiscard]] std::size_t orders_awaiting_answer() const { return awaiting_answer_.size(); }

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
  void on_unknown(OrderId id, std::string_view reason) override;

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
  // Who asks for an order: strategies pass every check; the engine's own exits skip the
  // risk state, the duplicate guard and the order-rate limits.
  enum class Origin : std::uint8_t { Strategy, StopFloor, Kill };
  // One difference between the engine and the broker, and how to resolve it.
  struct Difference {
    enum class Kind : std::uint8_t { MissedFill, Accepted, NeverSent, Ended, Foreign, Position, Cash };
    Kind kind = Kind::Cash;
    std::string text;                                // the report's line
    OrderId id = 0;                                  // the engine's order (order kinds but Foreign)
    const broker::BrokerOrder* at_broker = nullptr;  // into the snapshot being compared
    Fill fill;                                       // MissedFill
    StockCode code;                                  // Position
    Qty qty;     // Position: shares at the broker; Ended: shares no longer working
    Krw amount;  // Position: cost; Cash: the broker's cash
  };
  // The identity of an intent, for the duplicate guard.
  struct IntentKey {
    OrderType type;
    Qty qty;
    Krw amount;
    Price limit;
    Timestamp at;
  };
  struct OrderBook {  // per open order bookkeeping beyond the OMS
    Price reserve_price;  // buys: the price cash is held back at
    Krw reserved;         // buys: cash held back now
    Krw realized;         // sells: realized P&L so far
  };

  void record_intent(const Intent& intent);
  // Sizing, the hard limits and the OMS: everything after the risk scripts.
  IntentResult route(Intent intent, Origin origin = Origin::Strategy);
  // Empty when a strategy's intent may go on; else why not (risk state, emergency stop,
  // duplicates, order rate).
  std::string strategy_veto(const Intent& intent, Timestamp now);
  void record_order(const Intent& intent, Timestamp now);
  void enter_risk_state(RiskState state, std::string reason, bool from_daily_loss);
  // Before each event: a daily-loss state ends on a new trading day, then advance_clock.
  void begin_event();
  [[nodiscard]] bool trading_day(KstDate day) const;
  void check_daily_loss();
  void check_connectivity();
  void apply_unfilled_policy();
  void flatten_step();
  void request_cancel(OrderId id);
  IntentResult start_replacement(const Order& order, Replacement replacement);
  [[nodiscard]] std::vector<Difference> order_differences(const broker::AccountSnapshot& snapshot) const;
  [[nodiscard]] std::vector<Difference> account_differences(const broker::AccountSnapshot& snapshot) const;
  [[nodiscard]] Fill missed_fill(const Order& order, const broker::BrokerOrder& at_broker) const;
  void resolve(const Difference& d);
  void veto(const Intent& intent, const std::string& reason);
  void update_stop_floor(StockCode code);
  void check_stop_floor(StockCode code, Price last);
  void on_price(StockCode code, Price old_last, Price new_last);
  void recompute_holdings();
  void update_drawdown();
  void after_order_change(const Order& order);
  void release(OrderId id);
  // Starts the bookkeeping of an open order; a buy holds back cash at `reserve_price`.
  void hold_back(const Order& order, Price reserve_price);
  void report_anomaly(const std::string& what);
  void drain();
  // Before each event: the strategies' timers and the session phases the clock passed.
  void advance_clock();
  IntentResult place_replacement(const Order& cancelled, Replacement replacement);
  // An execution as the OMS applied it: portfolio, reservations, journal, strategy callbacks.
  void apply_fill(const Order& order, const Fill& fill);

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
  std::unordered_map<StockCode, Price> stop_floor_;  // held codes -> the engine's stop-loss price
  std::int64_t stop_floor_bp_ = 0;                     // risk.stop_loss_floor_pct in basis points
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

  RiskState risk_ = RiskState::Active;
  std::string risk_reason_;
  KstDate risk_since_{};
  bool risk_from_daily_loss_ = false;
  bool flatten_ = false;        // the kill switch keeps selling whatever is held
  bool connected_ = true;
  Timestamp disconnected_since_{};
  bool emergency_stop_ = false;
  bool needs_reconcile_ = false;
  // Orders sent by this process whose broker answer (accepted, rejected or
  // unknown) has not come yet: reconciliation cannot judge them, as the broker
  // may not list an order it is still taking in.
  // Broker numbers of orders done before a restart: reconciliation never takes them for an order whose
  // acknowledgement was lost.
  std::unordered_set<std::string> known_broker_nos_;
  std::unordered_set<OrderId> awaiting_answer_;
  std::unordered_set<OrderId> cancel_requested_;  // open orders whose cancel went out
  std::deque<Timestamp> recent_orders_;           // strategy orders of the last second
  KstDate orders_day_{};
  int orders_today_ = 0;                          // strategy orders on orders_day_
  // (strategy, code, side) -> its last order's intent.
  std::map<std::tuple<std::string, StockCode, Side>, IntentKey> last_intents_;
};

}  // namespace dalbit::engine
