// The LuaJIT script host: loads scripts/strategies/<name>.lua and
// scripts/risk/<name>.lua and calls them on every event. docs/lua-api.md
// documents what a script sees.
//
//   MyEngineApi api(...);                       // implements StrategyApi
//   lua::Host host(api, {.strategies_dir = cfg.lua.strategies_dir, ...});
//   if (auto st = host.load({"momentum_tpsl"}, cfg.strategies); !st) fail(st.message());
//   if (auto st = host.load_risk({"rebuy"}, cfg.risk_scripts); !st) fail(st.message());
//   host.on_init();
//   ... host.on_clock(now); host.on_bar(bar); host.on_order(order); host.check_risk(intent); ...
//
// Scripts express intents; the host hands them to the engine through
// StrategyApi and never touches a broker. Each script runs in its own
// sandboxed, interpreted Lua state with a wall-time budget per callback and a
// memory cap: a script that exceeds either (or overflows its stack), or that
// raises errors too often, is disabled and reported, and the others keep
// running. A plain Lua error is logged with script:line and the script keeps
// receiving events.
//
// Single-threaded: call it from the engine thread only. Events that arrive
// while a script is running (say an immediate rejection inside ctx:buy) are
// queued and delivered, in order, once that callback has returned.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/intent.h"
#include "core/krx.h"
#include "core/result.h"
#include "core/types.h"

namespace dalbit::lua {

// What a script's ctx reaches; implemented by the engine (tests implement a fake).
class StrategyApi {
 public:
  virtual ~StrategyApi() = default;
  // Routes an intent through risk and the OMS: the order id, or the veto's reason.
  virtual IntentResult submit(Intent intent) = 0;
  // False when `strategy` does not own an open order `id`.
  virtual bool cancel(std::string_view strategy, OrderId id) = 0;
  // Changes the limit price and/or the shares still to trade of `strategy`'s
  // open order `id`. Accepted with the id of the order that now works (a new
  // one when the engine cancels and replaces; 0 while that replacement waits
  // for the broker to confirm the cancel), or refused with the reason.
  virtual IntentResult modify(std::string_view strategy, OrderId id, std::optional<Price> limit,
                              std::optional<Qty> qty) = 0;
  // Open orders of `strategy` in creation order; every strategy's when empty.
  [[nodiscard]] virtual std::vector<Order> open_orders(std::string_view strategy) const = 0;
  [[nodiscard]] virtual const Position* position(StockCode code) const = 0;  // nullptr when flat
  [[nodiscard]] virtual std::vector<Position> positions() const = 0;         // by code
  [[nodiscard]] virtual std::vector<SellRecord> todays_sells() const = 0;    // in time order
  [[nodiscard]] virtual Krw cash() const = 0;
  [[nodiscard]] virtual Timestamp now() const = 0;                 // from the engine's Clock
  [[nodiscard]] virtual Price last_price(StockCode code) const = 0;  // Price(0) when unknown
  // A message for the user (Telegram, the terminal), from `strategy`.
  virtual void notify(std::string_view strategy, std::string_view text) = 0;
};

// What the host reports for the terminal and alerts (besides its log lines).
struct HostEvent {
  enum class Kind : std::uint8_t {
    Reloaded,      // a new version of the script runs
    ReloadFailed,  // the new version did not load or start: the old one keeps running
    Disabled,      // the script stopped for good (budget, error rate, fatal error)
  };
  Kind kind = Kind::Reloaded;
  std::string script;   // "rsi", or "risk/rebuy" for a risk script
  std::string file;     // the file the message is about
  int line = 0;         // its line, 0 when unknown
  std::string message;
};
[[nodiscard]] std::string_view to_string(HostEvent::Kind kind);  // "reloaded", "reload failed", "disabled"
// "[rsi] reload failed: scripts/strategies/rsi.lua:12: ..." for a terminal.
[[nodiscard]] std::string describe(const HostEvent& event);

struct HostOptions {
  std::string strategies_dir = "scripts/strategies";
  std::string risk_dir = "scripts/risk";
  // Wall time per callback (steady clock, not trading time), checked every
  // 1000 VM instructions. One stretch between two checks is charged at most
  // half the budget, so a single OS pause of the engine thread (or slow engine
  // call) does not disable a script. Also bounds the script's top-level code
  // when it is loaded.
  std::chrono::microseconds call_budget{5000};
  // Bytes per script state: the allocator refuses beyond it, and a script
  // whose live data stays above 3/4 of it after a full collection is stopped.
  // Indicators (dalbit.ta, ctx:indicator) count too.
  std::size_t memory_budget = 64u << 20;
  // A script raising this many errors within error_window (engine time) is disabled.
  int max_errors = 20;
  std::chrono::seconds error_window{60};
  // Bars of N > 1 minutes are aligned to sessions.open and the day's last one ends at sessions.close.
  krx::SessionTimes sessions{};
  // Called for every HostEvent, on the engine thread (the app prints them).
  std::function<void(const HostEvent&)> on_event{};
};

// What the loaded strategies want from the market, for the engine's feeds.
struct Subscriptions {
  bool ticks = false;
  std::vector<int> bar_minutes;          // ascending
  bool book = false;
  std::vector<std::string> conditions;   // sorted, unique
  std::vector<std::string> scans;        // "volume_surge", "change_rate", "volume_top", "value_top"
  // Codes some strategy watches; `all_codes` when some strategy has no watchlist.
  std::vector<StockCode> watched;
  bool all_codes = true;
};

class Host {
 public:
  Host(StrategyApi& api, HostOptions options);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // Loads <strategies_dir>/<name>.lua for each name, merging params[name] (from
  // the config) over the script's S.params defaults. All or nothing: on error
  // nothing is loaded and the message names the missing file, the script:line
  // of a syntax or runtime error in the chunk, or the bad params entry (one
  // line per failing strategy).
  [[nodiscard]] Status load(const std::vector<std::string>& names,
                            const std::map<std::string, config::Params>& params);
  // Likewise for <risk_dir>/<name>.lua, named "risk/<name>" from then on.
  // Their R.check runs in this order on every intent (check_risk).
  [[nodiscard]] Status load_risk(const std::vector<std::string>& names,
                                 const std::map<std::string, config::Params>& params);

  // Calls on_init(ctx) (then self_check(ctx)) of each script not started yet.
  // A script whose on_init raises or whose self_check fails is not started:
  // it is disabled and reported (log, HostEvent) with its script:line, and
  // last_error() holds the message. The others start regardless.
  void on_init();
  // Hot reload, between two events: loads the file afresh (same params),
  // calls the running version's on_reload(ctx) and hands what it returns
  // (plain data, copied) to the new version's on_init(ctx, saved), then runs
  // its self_check(ctx). Only when all of that succeeds does the new version
  // take over, with a fresh error count, the old version's watchlist and
  // ctx:indicator history (timers and subscriptions come from its on_init);
  // otherwise the version loaded before stays (still disabled if it was) and
  // the error is returned, logged and reported (HostEvent). `name` is a
  // strategy's name or "risk/<name>". Not from inside a callback.
  [[nodiscard]] Status reload(std::string_view name);
  // Reloads every script (SIGHUP); one line per failure.
  [[nodiscard]] Status reload_all();

  // The engine's clock, before each event: fires the timers due by `now` in
  // (due time, creation) order. One comparison when none is due.
  void on_clock(Timestamp now) {
    if (now >= next_timer_) {
      clock_due(now);
    } else {
      clock_ = now;
    }
  }
  // "pre_open", "open", "closing" or "closed". At "closed" the day's partial
  // N-minute bars complete first.
  void on_session(std::string_view phase);
  void on_tick(const Tick& tick);
  // A 1-minute bar also feeds the N-minute bars strategies subscribed to; a
  // bar of another length goes to the strategies subscribed to that length.
  void on_bar(const Bar& bar);
  void on_book(const Book& book);
  // A condition search (조건검색) hit: `kind` is "enter" (편입) or "exit" (편출).
  void on_condition(StockCode code, std::string_view condition, std::string_view kind);
  // A market ranking: "volume_surge", "change_rate", "volume_top" or "value_top".
  void on_scan(std::string_view kind, std::span<const ScanItem> items);
  void on_order(const Order& order);                   // to order.strategy only
  void on_fill(const Fill& fill, const Order& order);  // to order.strategy only

  // The risk scripts' verdict on an intent, in load order: each may veto or
  // shrink it (the next sees the shrunk size). A script that fails, answers
  // something the host cannot honour, or is disabled refuses a buy (fail
  // closed) and lets a sell through as it stands (exits are never blocked by
  // a broken veto script). A failure or an invalid answer counts as the
  // script's error.
  [[nodiscard]] RiskVerdict check_risk(const Intent& intent);

  // Some enabled strategy takes ticks (the engine may skip the call otherwise).
  [[nodiscard]] bool wants_ticks() const { return wants_ticks_; }
  [[nodiscard]] Subscriptions subscriptions() const;
  [[nodiscard]] std::vector<std::string> names() const;       // strategies, load order, disabled included
  [[nodiscard]] std::vector<std::string> risk_names() const;  // "risk/<name>", load order
  [[nodiscard]] bool has(std::string_view name) const;
  [[nodiscard]] bool enabled(std::string_view name) const;
  // Errors raised by the script's callbacks so far (the fatal one included).
  [[nodiscard]] std::uint64_t errors(std::string_view name) const;
  // "<callback>: <script>:<line>: <message>" of the latest error; empty when none.
  [[nodiscard]] std::string last_error(std::string_view name) const;

 private:
  void clock_due(Timestamp now);

  // Read per event, so kept here for inline access; before impl_, which refers to them.
  std::optional<Timestamp> clock_;
  Timestamp next_timer_ = Timestamp::min();  // the first clock goes to clock_due (timers made in on_init)
  bool wants_ticks_ = false;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The host's options from the configuration (lua.* and the session times); on_event is left to the caller.
[[nodiscard]] HostOptions host_options(const config::Config& config);

}  // namespace dalbit::lua
