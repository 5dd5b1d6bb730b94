// The Lua host seen through the engine's Strategies interface.
#pragma once

#include "engine/strategies.h"
#include "lua/host.h"

namespace dalbit::engine {

class LuaStrategies final : public Strategies {
 public:
  explicit LuaStrategies(lua::Host& host) : host_(host), wants_ticks_(host.wants_ticks()) {}
  void on_tick(const Tick& tick) override { host_.on_tick(tick); }
  void on_bar(const Bar& bar) override { host_.on_bar(bar); }
  void on_order(const Order& order) override { host_.on_order(order); }
  void on_fill(const Fill& fill, const Order& order) override { host_.on_fill(fill, order); }
  [[nodiscard]] bool wants_ticks() const override { return wants_ticks_; }

 private:
  lua::Host& host_;
  bool wants_ticks_;  // fixed at load; a reload builds a new adapter
};

}  // namespace dalbit::engine
