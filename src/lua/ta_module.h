// The Lua module dalbit.ta: streaming indicators backed by src/ta (internal
// to src/lua; documented in docs/lua-api.md).
//
//   local ta = require "dalbit.ta"
//   local rsi = ta.new("rsi:14")      -- a bad spec raises the registry's message
//   rsi:update(bar)                   -- open high low close volume time
//   if rsi:ready() then ... rsi:value() ... end
#pragma once

#include <cstddef>

#include <lua.hpp>

#include "core/types.h"
#include "ta/registry.h"

namespace dalbit::lua::detail {

// The module's opener, registered with Vm::register_module as "dalbit.ta".
int open_ta(lua_State* L);

// What an indicator is charged against its script's memory budget: an
// estimate of its buffers from the parameters of its spec.
[[nodiscard]] std::size_t indicator_bytes(const ta::Indicator& indicator);

// Pushes every output of `indicator`, or one nil before it is ready; returns
// how many values it pushed.
int push_values(lua_State* L, const ta::Indicator& indicator);

// Reads the bar table at `index` (open high low close volume time, as the
// host's bar tables have them); raises "<what>: bar.<field> ..." otherwise.
[[nodiscard]] Bar bar_from_table(lua_State* L, int index, const char* what);

}  // namespace dalbit::lua::detail
