// The `ctx` a strategy's callbacks receive (internal to src/lua; documented in
// docs/lua-api.md).
#pragma once

#include <lua.hpp>

namespace dalbit::lua::detail {

class Script;

// Pushes a new ctx bound to `script`, with `params_index` (the read-only
// params view) as ctx.params. Read-only itself; one per strategy, so every
// intent carries the strategy's name.
void push_ctx(lua_State* L, Script& script, int params_index);

}  // namespace dalbit::lua::detail
