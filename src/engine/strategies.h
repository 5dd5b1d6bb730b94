// The strategy layer as the engine sees it: the Lua host behind an adapter
// (engine/lua_strategies.h), or plain C++ in tests.
#pragma once

#include "core/intent.h"
#include "core/krx.h"
#include "core/types.h"

namespace dalbit::engine {

class Strategies {
 public:
  virtual ~Strategies() = default;
  virtual void on_tick(const Tick& tick) = 0;
  virtual void on_bar(const Bar& bar) = 0;
  virtual void on_order(const Order& order) = 0;
  virtual void on_fill(const Fill& fill, const Order& order) = 0;
  // False lets the engine skip the per-tick call entirely.
  [[nodiscard]] virtual bool wants_ticks() const = 0;
  // The engine's clock, before each event (strategies' timers).
  virtual void on_clock(Timestamp) {}
  // The session moved on: PreOpen, Continuous and ClosingAuction as the clock
  // passes their start, Closed once the day's last bars are delivered.
  virtual void on_session(krx::SessionPhase) {}
  // The risk scripts' verdict on an intent, before the hard limits.
  [[nodiscard]] virtual RiskVerdict check_risk(const Intent& intent) {
    return {true, intent.qty, intent.amount, {}};
  }
};

}  // namespace dalbit::engine
