// The LuaJIT strategy host: loads scripts/strategies/<name>.lua and calls them
// on every event. docs/lua-api.md documents what a script sees.
//
//   MyEngineApi api(...);                       // implements StrategyApi
//   lua::Host host(api, {.strategies_dir = cfg.lua.strategies_dir});
//   if (auto st = host.load({"momentum_tpsl"}, cfg.strategies); !st) fail(st.message());
//   host.on_init();
//   ... host.on_bar(bar); host.on_order(order); host.on_fill(fill, order); ...
//
// Scripts express intents; the host hands them to the engine through
// StrategyApi and never touches a broker. Each strategy runs in its own
// sandboxed, interpreted Lua state with a wall-time budget per callback and a
// memory cap: a strategy that exceeds either (or overflows its stack) is
// disabled and reported, and the others keep running. A plain Lua error is
// logged with script:line and the strategy keeps receiving events.
//
// Single-threaded: call it from the engine thread only. Events that arrive
// while a script is running (say an immediate rejection inside ctx:buy) are
// queued and delivered, in order, once that callback has returned.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/intent.h"
#include "core/result.h"
#include "core/types.h"

namespace dalbit::lua {

// What a strategy's ctx reaches; implemented by the engine (tests implement a fake).
class StrategyApi {
 public:
  virtual ~StrategyApi() = default;
  // Routes an intent through risk and the OMS: the order id, or the veto's reason.
  virtual IntentResult submit(Intent intent) = 0;
  // False when `strategy` does not own an open order `id`.
  virtual bool cancel(std::string_view strategy, OrderId id) = 0;
  [[nodiscard]] virtual const Position* position(StockCode code) const = 0;  // nullptr when flat
  [[nodiscard]] virtual Krw cash() const = 0;
  [[nodiscard]] virtual Timestamp now() const = 0;                 // from the engine's Clock
  [[nodiscard]] virtual Price last_price(StockCode code) const = 0;  // Price(0) when unknown
};

struct HostOptions {
  std::string strategies_dir = "scripts/strategies";
  // Wall time per callback (steady clock, not trading time), checked every
  // 1000 VM instructions. One stretch between two checks is charged at most
  // half the budget, so a single OS pause of the engine thread (or slow engine
  // call) does not disable a strategy. Also bounds the script's top-level code
  // when it is loaded.
  std::chrono::microseconds call_budget{5000};
  // Bytes per strategy state: the allocator refuses beyond it, and a script
  // whose live data stays above 3/4 of it after a full collection is stopped.
  std::size_t memory_budget = 64u << 20;
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

  // Calls each strategy's on_init(ctx) once, after load.
  void on_init();
  // Hot reload, between two events: loads <name>.lua afresh (same params),
  // calls the running version's on_reload(ctx) and hands what it returns
  // (plain data, copied) to the new version's on_init(ctx, saved). Only when
  // all of that succeeds does the new version take over, with a fresh error
  // count; otherwise the version loaded before stays (still disabled if it
  // was) and the error is returned and logged. A disabled strategy can be
  // reloaded once its script is fixed. Not from inside a callback.
  [[nodiscard]] Status reload(std::string_view name);

  void on_tick(const Tick& tick);
  void on_bar(const Bar& bar);
  void on_order(const Order& order);                   // to order.strategy only
  void on_fill(const Fill& fill, const Order& order);  // to order.strategy only

  // Some enabled strategy defines on_tick (the engine may skip the call otherwise).
  [[nodiscard]] bool wants_ticks() const;
  [[nodiscard]] std::vector<std::string> names() const;  // load order, disabled ones included
  [[nodiscard]] bool enabled(std::string_view name) const;
  // Errors raised by the strategy's callbacks so far (the fatal one included).
  [[nodiscard]] std::uint64_t errors(std::string_view name) const;
  // "<callback>: <script>:<line>: <message>" of the latest error; empty when none.
  [[nodiscard]] std::string last_error(std::string_view name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dalbit::lua
