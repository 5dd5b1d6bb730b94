// The Lua host seen through the engine's Strategies interface.
#pragma once

#include "engine/strategies.h"
#include "lua/host.h"

namespace dalbit::engine {

class LuaStrategies final : public Strategies {
 public:
  explicit LuaStrategies(lua::Host& host) : host_(host) {}
  void on_tick(const Tick& tick) override { host_.on_tick(tick); }
  void on_bar(const Bar& bar) override { host_.on_bar(bar); }
  void on_order(const Order& order) override { host_.on_order(order); }
  void on_fill(const Fill& fill, const Order& order) override { host_.on_fill(fill, order); }
  // Follows subscriptions, reloads and disabled scripts.
  [[nodiscard]] bool wants_ticks() const override { return host_.wants_ticks(); }
  void on_clock(Timestamp now) override { host_.on_clock(now); }
  // krx::to_string gives the names scripts see: "pre_open", "open", "closing", "closed".
  void on_session(krx::SessionPhase phase) override { host_.on_session(krx::to_string(phase)); }
  [[nodiscard]] RiskVerdict check_risk(const Intent& intent) override { return host_.check_risk(intent); }

 private:
  lua::Host& host_;
};

}  // namespace dalbit::engine
