#include "lua/ctx.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/krx.h"
#include "log/log.h"
#include "lua/script.h"
#include "lua/vm.h"

namespace dalbit::lua::detail {
namespace {

// Integers above 2^53 are not all representable as Lua numbers.
constexpr double kMaxWhole = 9007199254740992.0;
// add_ticks walks tick by tick; the daily band is at most a few hundred ticks wide.
constexpr int kMaxTicks = 1000;

std::string shown(lua_State* L, int index) {
  switch (lua_type(L, index)) {
    case LUA_TNUMBER: {
      const double v = lua_tonumber(L, index);
      return std::isnan(v) ? std::string("nan") : fmt::format("{}", v);
    }
    case LUA_TSTRING: {
      std::size_t length = 0;
      const char* text = lua_tolstring(L, index, &length);
      constexpr std::size_t kShown = 40;
      return fmt::format("\"{}{}\"", std::string_view(text, std::min(length, kShown)),
                         length > kShown ? "..." : "");
    }
    default:
      return luaL_typename(L, index);
  }
}

// Raises "<script>:<line>: ctx:<method>: <what>" (the line of the caller).
[[noreturn]] void fail(lua_State* L, const char* method, const std::string& what) {
  luaL_error(L, "ctx:%s: %s", method, what.c_str());
  std::abort();  // luaL_error does not return
}

Script& script_of(lua_State* L, const char* method) {
  auto* script = static_cast<Script*>(lua_touserdata(L, lua_upvalueindex(1)));
  if (lua_touserdata(L, 1) != script->ctx_block()) {
    fail(L, method, fmt::format("call it with a colon: ctx:{}(...)", method));
  }
  return *script;
}

// The engine is C++: an exception must not unwind through the script's frames
// unexplained, so it becomes a Lua error naming the method.
template <class F>
auto call_engine(lua_State* L, const char* method, F&& f) -> decltype(f()) {
  std::string failure;
  try {
    return f();
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  fail(L, method, "engine error: " + failure);
}

StockCode code_arg(lua_State* L, int index, const char* method) {
  if (lua_type(L, index) == LUA_TSTRING) {
    std::size_t length = 0;
    const char* text = lua_tolstring(L, index, &length);
    if (const auto code = StockCode::parse({text, length})) return *code;
  }
  fail(L, method, "code must be a 6-character KRX code such as \"005930\", got " + shown(L, index));
}

std::optional<std::int64_t> whole(lua_State* L, int index) {
  if (lua_type(L, index) != LUA_TNUMBER) return std::nullopt;
  const double v = lua_tonumber(L, index);
  if (!(std::fabs(v) <= kMaxWhole) || std::floor(v) != v) return std::nullopt;  // NaN fails too
  return static_cast<std::int64_t>(v);
}

void set_field(lua_State* L, const char* key, double value) {
  lua_pushnumber(L, value);
  lua_setfield(L, -2, key);
}

void set_field(lua_State* L, const char* key, std::int64_t value) {
  set_field(L, key, static_cast<double>(value));
}

void set_field(lua_State* L, const char* key, std::string_view value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, key);
}

struct OrderOptions {
  std::optional<Qty> qty;
  std::optional<Krw> amount;
  bool price_given = false;
  std::optional<double> limit;  // as the script gave it
  std::optional<int> ticks;
  std::string reason;
};

OrderOptions order_options(lua_State* L, int index, const char* method) {
  OrderOptions o;
  if (lua_isnoneornil(L, index)) return o;
  if (!lua_istable(L, index)) {
    fail(L, method, "opts must be a table such as { qty = 10 }, got " + shown(L, index));
  }
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) fail(L, method, "option names must be strings, got " + shown(L, -2));
    const std::string_view key = lua_tostring(L, -2);
    if (key == "qty") {
      const auto v = whole(L, -1);
      if (!v || *v <= 0) fail(L, method, "opts.qty must be a positive whole number of shares, got " + shown(L, -1));
      o.qty = Qty(*v);
    } else if (key == "amount") {
      const auto v = whole(L, -1);
      if (!v || *v <= 0) {
        fail(L, method, "opts.amount must be a positive whole number of won (math.floor it), got " +
                            shown(L, -1));
      }
      o.amount = Krw(*v);
    } else if (key == "price") {
      o.price_given = true;
      const bool market = lua_type(L, -1) == LUA_TSTRING && std::string_view(lua_tostring(L, -1)) == "market";
      if (!market) {
        const double v = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
        if (!(v >= 1 && v <= kMaxWhole)) {
          fail(L, method, "opts.price must be \"market\" or a limit price in won, got " + shown(L, -1));
        }
        o.limit = v;
      }
    } else if (key == "ticks") {
      const auto v = whole(L, -1);
      if (!v || *v < -kMaxTicks || *v > kMaxTicks) {
        fail(L, method, fmt::format("opts.ticks must be a whole number of ticks from the last price, "
                                    "between {} and {}, got {}", -kMaxTicks, kMaxTicks, shown(L, -1)));
      }
      o.ticks = static_cast<int>(*v);
    } else if (key == "reason") {
      if (lua_type(L, -1) != LUA_TSTRING) fail(L, method, "opts.reason must be a string, got " + shown(L, -1));
      o.reason = lua_tostring(L, -1);
    } else {
      fail(L, method, fmt::format("unknown option '{}' (known: qty, amount, price, ticks, reason)", key));
    }
    lua_pop(L, 1);
  }
  if (o.qty && o.amount) fail(L, method, "give opts.qty or opts.amount, not both");
  if (o.price_given && o.ticks) fail(L, method, "give opts.price or opts.ticks, not both");
  return o;
}

// nil plus the reason: the intent was not made or was vetoed (not a script bug).
int refuse(lua_State* L, std::string_view reason) {
  lua_pushnil(L);
  lua_pushlstring(L, reason.data(), reason.size());
  return 2;
}

int order(lua_State* L, Side side) {
  const char* method = side == Side::Buy ? "buy" : "sell";
  Script& script = script_of(L, method);
  const StockCode code = code_arg(L, 2, method);
  OrderOptions o = order_options(L, 3, method);
  StrategyApi& api = script.api();

  Intent intent;
  intent.strategy = script.name();
  intent.reason = std::move(o.reason);
  intent.code = code;
  intent.side = side;
  if (o.qty) {
    intent.qty = *o.qty;
  } else if (o.amount) {
    intent.amount = *o.amount;
  } else if (side == Side::Buy) {
    fail(L, method, "give opts.qty (shares) or opts.amount (won)");
  } else {
    const Position* held = call_engine(L, method, [&] { return api.position(code); });
    if (held == nullptr || held->qty.value() <= 0) {
      return refuse(L, fmt::format("no position in {} to sell", code.view()));
    }
    intent.qty = held->qty;
  }
  if (o.ticks) {
    const Price last = call_engine(L, method, [&] { return api.last_price(code); });
    if (last.value() <= 0) return refuse(L, fmt::format("no last price for {} to count ticks from", code.view()));
    intent.type = OrderType::Limit;
    intent.limit = krx::round_limit(krx::add_ticks(last, *o.ticks), side);
  } else if (o.limit) {
    // A buy never pays more than asked, a sell never takes less.
    const double won = side == Side::Buy ? std::floor(*o.limit) : std::ceil(*o.limit);
    intent.type = OrderType::Limit;
    intent.limit = krx::round_limit(Price(static_cast<std::int64_t>(won)), side);
  }

  const IntentResult result = call_engine(L, method, [&] { return api.submit(std::move(intent)); });
  if (!result.accepted) return refuse(L, result.reason.empty() ? std::string_view("refused") : result.reason);
  lua_pushnumber(L, static_cast<double>(result.order_id));
  return 1;
}

int ctx_buy(lua_State* L) { return order(L, Side::Buy); }
int ctx_sell(lua_State* L) { return order(L, Side::Sell); }

int ctx_cancel(lua_State* L) {
  Script& script = script_of(L, "cancel");
  const auto id = whole(L, 2);
  if (!id || *id <= 0) {
    fail(L, "cancel", "order_id must be an id returned by ctx:buy or ctx:sell, got " + shown(L, 2));
  }
  const bool cancelled = call_engine(L, "cancel", [&] {
    return script.api().cancel(script.name(), static_cast<OrderId>(*id));
  });
  lua_pushboolean(L, cancelled ? 1 : 0);
  return 1;
}

int ctx_position(lua_State* L) {
  Script& script = script_of(L, "position");
  const StockCode code = code_arg(L, 2, "position");
  const Position* held = call_engine(L, "position", [&] { return script.api().position(code); });
  if (held == nullptr || held->qty.value() <= 0) {
    lua_pushnil(L);
    return 1;
  }
  lua_createtable(L, 0, 6);
  script.push_code(L, code);
  lua_setfield(L, -2, "code");
  set_field(L, "qty", held->qty.value());
  set_field(L, "avg_price", held->avg_price().value());
  set_field(L, "cost", held->cost.value());
  set_field(L, "realized", held->realized.value());
  set_field(L, "opened", epoch_seconds(held->opened));
  return 1;
}

int ctx_cash(lua_State* L) {
  Script& script = script_of(L, "cash");
  lua_pushnumber(L, static_cast<double>(call_engine(L, "cash", [&] { return script.api().cash(); }).value()));
  return 1;
}

int ctx_now(lua_State* L) {
  Script& script = script_of(L, "now");
  const Timestamp now = call_engine(L, "now", [&] { return script.api().now(); });
  const KstDateTime kst = to_kst(now);
  const int h = kst.time.seconds / 3600, m = kst.time.seconds / 60 % 60, s = kst.time.seconds % 60;
  lua_createtable(L, 0, 5);
  set_field(L, "epoch", epoch_seconds(now));
  set_field(L, "date", kst.date.str());
  set_field(L, "time", fmt::format("{:02}:{:02}:{:02}", h, m, s));
  set_field(L, "hhmm", std::int64_t{h * 100 + m});
  set_field(L, "weekday", std::int64_t{kst.date.weekday()});
  return 1;
}

int ctx_last(lua_State* L) {
  Script& script = script_of(L, "last");
  const StockCode code = code_arg(L, 2, "last");
  const Price last = call_engine(L, "last", [&] { return script.api().last_price(code); });
  if (last.value() <= 0) {
    lua_pushnil(L);
  } else {
    lua_pushnumber(L, static_cast<double>(last.value()));
  }
  return 1;
}

int ctx_log(lua_State* L) {
  Script& script = script_of(L, "log");
  if (lua_type(L, 2) != LUA_TSTRING) fail(L, "log", "needs a format string (as string.format), got " + shown(L, 2));
  const int n = lua_gettop(L);
  Vm::push_string_format(L);
  for (int i = 2; i <= n; ++i) lua_pushvalue(L, i);
  if (lua_pcall(L, n - 1, 1, 0) != 0) {
    // string.format called from C is nameless in its own message.
    std::string message = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "format failed";
    if (const auto at = message.find("'?'"); at != std::string::npos) message.replace(at, 3, "'format'");
    fail(L, "log", message);
  }
  std::size_t length = 0;
  const char* text = lua_tolstring(L, -1, &length);
  log::lua().info("[{}] {}", script.name(), std::string_view(text, length));
  return 0;
}

}  // namespace

void push_ctx(lua_State* L, Script& script, int params_index) {
  if (params_index < 0) params_index = lua_gettop(L) + params_index + 1;
  script.set_ctx_block(lua_newuserdata(L, 1));
  lua_createtable(L, 0, 3);
  const luaL_Reg methods[] = {{"buy", ctx_buy},       {"sell", ctx_sell}, {"cancel", ctx_cancel},
                              {"position", ctx_position}, {"cash", ctx_cash}, {"now", ctx_now},
                              {"last", ctx_last},     {"log", ctx_log}};
  lua_createtable(L, 0, static_cast<int>(std::size(methods)) + 1);
  for (const auto& m : methods) {
    lua_pushlightuserdata(L, &script);
    lua_pushcclosure(L, m.func, 1);
    lua_setfield(L, -2, m.name);
  }
  lua_pushvalue(L, params_index);
  lua_setfield(L, -2, "params");
  lua_setfield(L, -2, "__index");
  Vm::push_write_guard(L, "ctx");
  lua_setfield(L, -2, "__newindex");
  lua_pushliteral(L, "ctx");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  Vm::protect(L, -1, "ctx");
}

}  // namespace dalbit::lua::detail
