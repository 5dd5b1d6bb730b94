#include "lua/ta_module.h"

#include <charconv>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "lua/vm.h"

namespace dalbit::lua::detail {
namespace {

constexpr const char* kIndicatorType = "dalbit.ta.indicator";

// A ring of doubles, a rolling extreme's slots, a few sums: about this much per
// unit of period, plus the object itself.
constexpr std::size_t kBytesPerPeriod = 48;
constexpr std::size_t kBaseBytes = 512;

// Prices and volumes in a bar table are whole numbers (won, shares); the
// epoch time may carry a fraction. 2^53 bounds what a Lua number holds exactly.
constexpr double kMaxWhole = 9007199254740992.0;

// The userdata block: the indicator and what it was charged.
struct Handle {
  ta::Indicator* indicator;
  std::size_t charged;
};

Handle& handle(lua_State* L, const char* method) {
  auto* h = static_cast<Handle*>(luaL_checkudata(L, 1, kIndicatorType));
  if (h->indicator == nullptr) luaL_error(L, "ind:%s: the indicator was freed", method);
  return *h;
}

double number_field(lua_State* L, int index, const char* field, const char* what) {
  lua_getfield(L, index, field);
  if (lua_type(L, -1) != LUA_TNUMBER) {
    luaL_error(L, "%s: bar.%s must be a number, got %s", what, field, luaL_typename(L, -1));
  }
  const double v = lua_tonumber(L, -1);
  lua_pop(L, 1);
  if (!(std::fabs(v) <= kMaxWhole)) luaL_error(L, "%s: bar.%s is out of range", what, field);
  return v;
}

int ta_new(lua_State* L) {
  std::size_t length = 0;
  const char* spec = luaL_checklstring(L, 1, &length);
  auto made = ta::make_indicator({spec, length});
  if (!made) return luaL_error(L, "ta.new: %s", made.error().message.c_str());
  const std::size_t bytes = indicator_bytes(**made);
  Vm& vm = Vm::of(L);
  // The userdata first: if it cannot be allocated, nothing is charged or leaked.
  auto* h = static_cast<Handle*>(lua_newuserdata(L, sizeof(Handle)));
  h->indicator = nullptr;
  h->charged = 0;
  luaL_getmetatable(L, kIndicatorType);
  lua_setmetatable(L, -2);
  // Dropped indicators hold their charge until collected, and the collector
  // cannot see it (the userdata is small): collect before refusing.
  bool charged = vm.charge(bytes);
  if (!charged) {
    lua_gc(L, LUA_GCCOLLECT, 0);
    charged = vm.charge(bytes);
  }
  if (!charged) {
    return luaL_error(L, "ta.new: %s needs about %s, more than is left of the memory budget", spec,
                      describe_bytes(bytes).c_str());
  }
  h->charged = bytes;
  h->indicator = made->release();
  return 1;
}

int ind_gc(lua_State* L) {
  auto* h = static_cast<Handle*>(lua_touserdata(L, 1));
  delete h->indicator;
  h->indicator = nullptr;
  Vm::of(L).release(h->charged);
  h->charged = 0;
  return 0;
}

int ind_update(lua_State* L) {
  Handle& h = handle(L, "update");
  luaL_checktype(L, 2, LUA_TTABLE);
  h.indicator->update(bar_from_table(L, 2, "ind:update"));
  return 0;
}

int ind_ready(lua_State* L) {
  lua_pushboolean(L, handle(L, "ready").indicator->ready() ? 1 : 0);
  return 1;
}

int ind_value(lua_State* L) {
  const ta::Indicator& ind = *handle(L, "value").indicator;
  const lua_Integer i = luaL_optinteger(L, 2, 1);
  const auto columns = static_cast<lua_Integer>(ind.columns().size());
  if (i < 1 || i > columns) {
    return luaL_error(L, "ind:value: %s has outputs 1 to %d, asked for %d", ind.spec().c_str(),
                      static_cast<int>(columns), static_cast<int>(i));
  }
  if (ind.ready()) {
    lua_pushnumber(L, ind.values()[static_cast<std::size_t>(i - 1)]);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

int ind_values(lua_State* L) { return push_values(L, *handle(L, "values").indicator); }

int ind_columns(lua_State* L) {
  const auto& columns = handle(L, "columns").indicator->columns();
  lua_createtable(L, static_cast<int>(columns.size()), 0);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    lua_pushlstring(L, columns[i].data(), columns[i].size());
    lua_rawseti(L, -2, static_cast<int>(i) + 1);
  }
  return 1;
}

int ind_spec(lua_State* L) {
  const std::string& spec = handle(L, "spec").indicator->spec();
  lua_pushlstring(L, spec.data(), spec.size());
  return 1;
}

int ind_tostring(lua_State* L) {
  const auto* h = static_cast<const Handle*>(luaL_checkudata(L, 1, kIndicatorType));
  lua_pushstring(L, h->indicator ? fmt::format("dalbit.ta indicator {}", h->indicator->spec()).c_str()
                                 : "dalbit.ta indicator (freed)");
  return 1;
}

}  // namespace

int open_ta(lua_State* L) {
  if (luaL_newmetatable(L, kIndicatorType) != 0) {
    const luaL_Reg methods[] = {{"update", ind_update}, {"ready", ind_ready},     {"value", ind_value},
                                {"values", ind_values}, {"columns", ind_columns}, {"spec", ind_spec}};
    lua_createtable(L, 0, static_cast<int>(std::size(methods)));
    for (const auto& m : methods) {
      lua_pushcfunction(L, m.func);
      lua_setfield(L, -2, m.name);
    }
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ind_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, ind_tostring);
    lua_setfield(L, -2, "__tostring");
    // getmetatable(ind) returns this string: a script cannot reach __gc.
    lua_pushstring(L, kIndicatorType);
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, ta_new);
  lua_setfield(L, -2, "new");
  Vm::push_read_only(L, -1, "dalbit.ta");
  return 1;
}

std::size_t indicator_bytes(const ta::Indicator& indicator) {
  // The canonical spec spells every parameter: "stoch:14:3:3".
  std::size_t periods = 0;
  std::string_view rest = indicator.spec();
  for (auto colon = rest.find(':'); colon != std::string_view::npos; colon = rest.find(':')) {
    rest.remove_prefix(colon + 1);
    double v = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
    if (ec == std::errc() && v > 0) periods += static_cast<std::size_t>(v);
    rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
  }
  return kBaseBytes + kBytesPerPeriod * periods;
}

int push_values(lua_State* L, const ta::Indicator& indicator) {
  if (!indicator.ready()) {
    lua_pushnil(L);
    return 1;
  }
  const auto values = indicator.values();
  luaL_checkstack(L, static_cast<int>(values.size()), "indicator values");
  for (const double v : values) lua_pushnumber(L, v);
  return static_cast<int>(values.size());
}

Bar bar_from_table(lua_State* L, int index, const char* what) {
  if (index < 0) index = lua_gettop(L) + index + 1;
  if (!lua_istable(L, index)) luaL_error(L, "%s: expected a bar table, got %s", what, luaL_typename(L, index));
  const auto price = [&](const char* field) {
    return Price(std::llround(number_field(L, index, field, what)));
  };
  Bar bar;
  bar.open = price("open");
  bar.high = price("high");
  bar.low = price("low");
  bar.close = price("close");
  bar.volume = Qty(std::llround(number_field(L, index, "volume", what)));
  const double seconds = number_field(L, index, "time", what);
  bar.time = Timestamp(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds)));
  return bar;
}

}  // namespace dalbit::lua::detail
