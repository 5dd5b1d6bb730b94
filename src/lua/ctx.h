// The `ctx` a script's callbacks receive (internal to src/lua; documented in
// docs/lua-api.md).
#pragma once

#include <span>
#include <string_view>

#include <lua.hpp>

#include "lua/script.h"

namespace dalbit::lua::detail {

// Pushes a new ctx bound to `script`, with `params_index` (the read-only
// params view) as ctx.params. Read-only itself; one per script, so every
// intent carries the strategy's name. A risk script's ctx only reads.
void push_ctx(lua_State* L, Script& script, int params_index);

// The methods of a ctx for `role` ("buy", "position", ...), for the linter.
[[nodiscard]] std::span<const std::string_view> ctx_methods(Role role);

}  // namespace dalbit::lua::detail
