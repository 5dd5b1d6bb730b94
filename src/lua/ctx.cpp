#include "lua/ctx.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/krx.h"
#include "log/log.h"
#include "lua/ta_module.h"
#include "lua/vm.h"

namespace dalbit::lua::detail {
namespace {

// Integers above 2^53 are not all representable as Lua numbers.
constexpr double kMaxWhole = 9007199254740992.0;
// add_ticks walks tick by tick; the daily band is at most a few hundred ticks wide.
constexpr int kMaxTicks = 1000;
constexpr std::size_t kMaxTimers = 1000;
constexpr double kMinPeriodSeconds = 0.001;
constexpr double kMaxDelaySeconds = 366.0 * 86'400;
// Telegram's message limit; longer notifications are cut.
constexpr std::size_t kMaxNotifyLength = 4000;

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
    case LUA_TNONE:
      return "nil";  // a missing argument reads as nil to the script
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

std::optional<StockCode> optional_code_arg(lua_State* L, int index, const char* method) {
  if (lua_isnoneornil(L, index)) return std::nullopt;
  return code_arg(L, index, method);
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

// Reads a "5m" interval (or a number of minutes) the host aggregates bars to.
std::optional<int> interval_arg(lua_State* L, int index) {
  int minutes = 0;
  if (lua_type(L, index) == LUA_TSTRING) {
    const std::string_view text = lua_tostring(L, index);
    if (text.size() < 2 || text.back() != 'm') return std::nullopt;
    for (const char c : text.substr(0, text.size() - 1)) {
      if (c < '0' || c > '9' || minutes > 1000) return std::nullopt;
      minutes = minutes * 10 + (c - '0');
    }
  } else {
    return std::nullopt;
  }
  if (std::find(kBarMinutes.begin(), kBarMinutes.end(), minutes) == kBarMinutes.end()) return std::nullopt;
  return minutes;
}

constexpr const char* kIntervals = "\"1m\", \"3m\", \"5m\", \"15m\" or \"60m\"";

// ---------------------------------------------------------------- intents

struct PriceOptions {
  bool price_given = false;
  std::optional<double> limit;  // as the script gave it
  std::optional<int> ticks;
};

// Reads opts.price / opts.ticks (the key-value pair at the top of the stack); false for another key.
bool read_price_option(lua_State* L, std::string_view key, const char* method, PriceOptions& p, bool market_ok) {
  if (key == "price") {
    p.price_given = true;
    const bool market = lua_type(L, -1) == LUA_TSTRING && std::string_view(lua_tostring(L, -1)) == "market";
    if (market && market_ok) return true;
    const double v = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
    if (!(v >= 1 && v <= kMaxWhole)) {
      fail(L, method, fmt::format("opts.price must be {}a limit price in won, got {}",
                                  market_ok ? "\"market\" or " : "", shown(L, -1)));
    }
    p.limit = v;
    return true;
  }
  if (key == "ticks") {
    const auto v = whole(L, -1);
    if (!v || *v < -kMaxTicks || *v > kMaxTicks) {
      fail(L, method, fmt::format("opts.ticks must be a whole number of ticks from the last price, "
                                  "between {} and {}, got {}", -kMaxTicks, kMaxTicks, shown(L, -1)));
    }
    p.ticks = static_cast<int>(*v);
    return true;
  }
  return false;
}

Qty qty_option(lua_State* L, const char* method) {
  const auto v = whole(L, -1);
  if (!v || *v <= 0) fail(L, method, "opts.qty must be a positive whole number of shares, got " + shown(L, -1));
  return Qty(*v);
}

// The limit price the options ask for, on the grid in the order's favour;
// nullopt for a market order; an error text when there is no last price.
Result<std::optional<Price>> limit_of(lua_State* L, const char* method, Script& script, StockCode code, Side side,
                                      const PriceOptions& p) {
  if (p.ticks) {
    const Price last = call_engine(L, method, [&] { return script.api().last_price(code); });
    if (last.value() <= 0) return Error{fmt::format("no last price for {} to count ticks from", code.view())};
    return std::optional<Price>(krx::round_limit(krx::add_ticks(last, *p.ticks), side));
  }
  if (p.limit) {
    // A buy never pays more than asked, a sell never takes less.
    const double won = side == Side::Buy ? std::floor(*p.limit) : std::ceil(*p.limit);
    return std::optional<Price>(krx::round_limit(Price(static_cast<std::int64_t>(won)), side));
  }
  return std::optional<Price>();
}

struct OrderOptions {
  std::optional<Qty> qty;
  std::optional<Krw> amount;
  PriceOptions price;
  std::string reason;
  std::string condition;
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
      o.qty = qty_option(L, method);
    } else if (key == "amount") {
      const auto v = whole(L, -1);
      if (!v || *v <= 0) {
        fail(L, method, "opts.amount must be a positive whole number of won (math.floor it), got " +
                            shown(L, -1));
      }
      o.amount = Krw(*v);
    } else if (read_price_option(L, key, method, o.price, true)) {
    } else if (key == "reason") {
      if (lua_type(L, -1) != LUA_TSTRING) fail(L, method, "opts.reason must be a string, got " + shown(L, -1));
      o.reason = lua_tostring(L, -1);
    } else if (key == "condition") {
      if (lua_type(L, -1) != LUA_TSTRING || lua_objlen(L, -1) == 0) {
        fail(L, method, "opts.condition must be the formula's name, a non-empty string, got " + shown(L, -1));
      }
      o.condition = lua_tostring(L, -1);
    } else {
      fail(L, method,
           fmt::format("unknown option '{}' (known: qty, amount, price, ticks, reason, condition)", key));
    }
    lua_pop(L, 1);
  }
  if (o.qty && o.amount) fail(L, method, "give opts.qty or opts.amount, not both");
  if (o.price.price_given && o.price.ticks) fail(L, method, "give opts.price or opts.ticks, not both");
  return o;
}

// nil plus the reason: the intent was not made or was vetoed (not a script bug).
int refuse(lua_State* L, std::string_view reason, bool as_false = false) {
  if (as_false) {
    lua_pushboolean(L, 0);
  } else {
    lua_pushnil(L);
  }
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
  intent.condition = std::move(o.condition);
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
  const auto limit = limit_of(L, method, script, code, side, o.price);
  if (!limit) return refuse(L, limit.error().message);
  if (*limit) {
    intent.type = OrderType::Limit;
    intent.limit = **limit;
  }

  const IntentResult result = call_engine(L, method, [&] { return api.submit(std::move(intent)); });
  if (!result.accepted) return refuse(L, result.reason.empty() ? std::string_view("refused") : result.reason);
  lua_pushnumber(L, static_cast<double>(result.order_id));
  return 1;
}

int ctx_buy(lua_State* L) { return order(L, Side::Buy); }
int ctx_sell(lua_State* L) { return order(L, Side::Sell); }

OrderId order_id_arg(lua_State* L, const char* method) {
  const auto id = whole(L, 2);
  if (!id || *id <= 0) {
    fail(L, method, "order_id must be an id returned by ctx:buy or ctx:sell, got " + shown(L, 2));
  }
  return static_cast<OrderId>(*id);
}

int ctx_cancel(lua_State* L) {
  Script& script = script_of(L, "cancel");
  const OrderId id = order_id_arg(L, "cancel");
  const bool cancelled = call_engine(L, "cancel", [&] { return script.api().cancel(script.name(), id); });
  lua_pushboolean(L, cancelled ? 1 : 0);
  return 1;
}

int ctx_modify(lua_State* L) {
  constexpr const char* kMethod = "modify";
  Script& script = script_of(L, kMethod);
  const OrderId id = order_id_arg(L, kMethod);
  if (!lua_istable(L, 3)) {
    fail(L, kMethod, "opts must be a table such as { price = 72500 } or { qty = 5 }, got " + shown(L, 3));
  }
  PriceOptions price;
  std::optional<Qty> qty;
  lua_pushnil(L);
  while (lua_next(L, 3) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) fail(L, kMethod, "option names must be strings, got " + shown(L, -2));
    const std::string_view key = lua_tostring(L, -2);
    if (key == "qty") {
      qty = qty_option(L, kMethod);
    } else if (!read_price_option(L, key, kMethod, price, false)) {
      fail(L, kMethod, fmt::format("unknown option '{}' (known: price, ticks, qty)", key));
    }
    lua_pop(L, 1);
  }
  if (price.price_given && price.ticks) fail(L, kMethod, "give opts.price or opts.ticks, not both");
  if (!price.price_given && !price.ticks && !qty) fail(L, kMethod, "give a new price, ticks or qty");

  StrategyApi& api = script.api();
  const auto open = call_engine(L, kMethod, [&] { return api.open_orders(script.name()); });
  const auto it = std::find_if(open.begin(), open.end(), [id](const Order& o) { return o.id == id; });
  if (it == open.end()) return refuse(L, fmt::format("order {} is not an open order of {}", id, script.name()), true);
  const auto limit = limit_of(L, kMethod, script, it->code, it->side, price);
  if (!limit) return refuse(L, limit.error().message, true);
  const IntentResult result = call_engine(L, kMethod, [&] { return api.modify(script.name(), id, *limit, qty); });
  if (!result.accepted) return refuse(L, result.reason.empty() ? std::string_view("refused") : result.reason, true);
  lua_pushboolean(L, 1);
  if (result.order_id == 0) return 1;
  lua_pushnumber(L, static_cast<double>(result.order_id));
  return 2;
}

// ---------------------------------------------------------------- reading

void push_position(lua_State* L, Script& script, const Position& held) {
  lua_createtable(L, 0, 6);
  script.push_code(L, held.code);
  lua_setfield(L, -2, "code");
  set_field(L, "qty", held.qty.value());
  set_field(L, "avg_price", held.avg_price().value());
  set_field(L, "cost", held.cost.value());
  set_field(L, "realized", held.realized.value());
  set_field(L, "opened", epoch_seconds(held.opened));
}

int ctx_position(lua_State* L) {
  Script& script = script_of(L, "position");
  const StockCode code = code_arg(L, 2, "position");
  const Position* held = call_engine(L, "position", [&] { return script.api().position(code); });
  if (held == nullptr || held->qty.value() <= 0) {
    lua_pushnil(L);
    return 1;
  }
  push_position(L, script, *held);
  return 1;
}

int ctx_positions(lua_State* L) {
  Script& script = script_of(L, "positions");
  const auto all = call_engine(L, "positions", [&] { return script.api().positions(); });
  lua_createtable(L, static_cast<int>(all.size()), 0);
  int n = 0;
  for (const Position& p : all) {
    if (p.qty.value() <= 0) continue;
    push_position(L, script, p);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

int ctx_open_orders(lua_State* L) {
  Script& script = script_of(L, "open_orders");
  const auto code = optional_code_arg(L, 2, "open_orders");
  // A risk script judges the account: it sees every strategy's orders.
  const std::string_view owner = script.role() == Role::Strategy ? std::string_view(script.name()) : "";
  const auto open = call_engine(L, "open_orders", [&] { return script.api().open_orders(owner); });
  lua_createtable(L, static_cast<int>(open.size()), 0);
  int n = 0;
  for (const Order& o : open) {
    if (code && o.code != *code) continue;
    lua_createtable(L, 0, 10);
    set_field(L, "id", static_cast<double>(o.id));
    script.push_code(L, o.code);
    lua_setfield(L, -2, "code");
    set_field(L, "side", to_string(o.side));
    set_field(L, "type", to_string(o.type));
    set_field(L, "limit", o.limit.value());
    set_field(L, "qty", o.qty.value());
    set_field(L, "filled", o.filled.value());
    set_field(L, "status", to_string(o.status));
    set_field(L, "reason", o.reason);
    set_field(L, "strategy", o.strategy);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

int ctx_todays_sells(lua_State* L) {
  Script& script = script_of(L, "todays_sells");
  const auto code = optional_code_arg(L, 2, "todays_sells");
  const auto sells = call_engine(L, "todays_sells", [&] { return script.api().todays_sells(); });
  lua_createtable(L, static_cast<int>(sells.size()), 0);
  int n = 0;
  for (const SellRecord& s : sells) {
    if (code && s.code != *code) continue;
    lua_createtable(L, 0, 6);
    script.push_code(L, s.code);
    lua_setfield(L, -2, "code");
    set_field(L, "time", epoch_seconds(s.time));
    set_field(L, "qty", s.qty.value());
    set_field(L, "price", s.price.value());
    set_field(L, "realized", s.realized.value());
    set_field(L, "strategy", s.strategy);
    lua_rawseti(L, -2, ++n);
  }
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

// string.format(ctx:<method>'s arguments from index 2); leaves the text on the stack.
std::string_view formatted(lua_State* L, const char* method) {
  const int n = lua_gettop(L);
  Vm::push_string_format(L);
  for (int i = 2; i <= n; ++i) lua_pushvalue(L, i);
  if (lua_pcall(L, n - 1, 1, 0) != 0) {
    // string.format called from C is nameless in its own message.
    std::string message = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "format failed";
    if (const auto at = message.find("'?'"); at != std::string::npos) message.replace(at, 3, "'format'");
    fail(L, method, message);
  }
  std::size_t length = 0;
  const char* text = lua_tolstring(L, -1, &length);
  return {text, length};
}

int ctx_log(lua_State* L) {
  Script& script = script_of(L, "log");
  if (lua_type(L, 2) != LUA_TSTRING) fail(L, "log", "needs a format string (as string.format), got " + shown(L, 2));
  log::lua().info("[{}] {}", script.name(), formatted(L, "log"));
  return 0;
}

int ctx_notify(lua_State* L) {
  Script& script = script_of(L, "notify");
  if (lua_type(L, 2) != LUA_TSTRING) fail(L, "notify", "needs a text, got " + shown(L, 2));
  // One argument is sent as is ("up 5%" is no format); more are formatted like ctx:log.
  std::string_view text = lua_gettop(L) > 2 ? formatted(L, "notify") : std::string_view(lua_tostring(L, 2));
  std::string cut;
  if (text.size() > kMaxNotifyLength) {
    cut = std::string(text.substr(0, kMaxNotifyLength)) + "...";
    text = cut;
  }
  log::lua().info("[{}] notify: {}", script.name(), text);
  call_engine(L, "notify", [&] { script.api().notify(script.name(), text); });
  return 0;
}

// ------------------------------------------------------------ subscriptions

[[noreturn]] void bad_bars(lua_State* L, int index) {
  fail(L, "subscribe", fmt::format("bars must be {} or a list of them, got {}", kIntervals, shown(L, index)));
}

void read_bars(lua_State* L, Subscription& sub) {
  sub.bars.fill(false);
  const auto add = [&](int index, bool first) {
    const auto minutes = interval_arg(L, index);
    if (!minutes) bad_bars(L, index);
    const auto at = std::find(kBarMinutes.begin(), kBarMinutes.end(), *minutes) - kBarMinutes.begin();
    sub.bars[static_cast<std::size_t>(at)] = true;
    if (first) sub.primary_minutes = *minutes;
  };
  if (lua_type(L, -1) == LUA_TBOOLEAN && lua_toboolean(L, -1) == 0) return;
  if (lua_type(L, -1) == LUA_TSTRING) return add(lua_gettop(L), true);
  if (!lua_istable(L, -1)) bad_bars(L, -1);
  const int list = lua_gettop(L);
  const int n = static_cast<int>(lua_objlen(L, list));
  for (int i = 1; i <= n; ++i) {
    lua_rawgeti(L, list, i);
    add(lua_gettop(L), i == 1);
    lua_pop(L, 1);
  }
}

template <class Each>
void read_names(lua_State* L, const char* key, Each each) {
  if (!lua_istable(L, -1)) fail(L, "subscribe", fmt::format("{} must be a list of names, got {}", key, shown(L, -1)));
  const int list = lua_gettop(L);
  const int n = static_cast<int>(lua_objlen(L, list));
  for (int i = 1; i <= n; ++i) {
    lua_rawgeti(L, list, i);
    if (lua_type(L, -1) != LUA_TSTRING || lua_objlen(L, -1) == 0) {
      fail(L, "subscribe", fmt::format("{}[{}] must be a non-empty string, got {}", key, i, shown(L, -1)));
    }
    each(std::string_view(lua_tostring(L, -1)), i);
    lua_pop(L, 1);
  }
}

bool boolean_option(lua_State* L, const char* key) {
  if (lua_type(L, -1) != LUA_TBOOLEAN) {
    fail(L, "subscribe", fmt::format("{} must be true or false, got {}", key, shown(L, -1)));
  }
  return lua_toboolean(L, -1) != 0;
}

int ctx_subscribe(lua_State* L) {
  Script& script = script_of(L, "subscribe");
  if (!lua_istable(L, 2)) {
    fail(L, "subscribe", "needs a table such as { bars = \"5m\", ticks = true }, got " + shown(L, 2));
  }
  // The first call starts from nothing (no default bars); later calls change only the keys they give.
  Subscription sub = script.subscription().explicit_ ? script.subscription() : Subscription{};
  if (!script.subscription().explicit_) sub.bars.fill(false);
  lua_pushnil(L);
  while (lua_next(L, 2) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) fail(L, "subscribe", "keys must be names, got " + shown(L, -2));
    const std::string_view key = lua_tostring(L, -2);
    if (key == "ticks") {
      sub.ticks = boolean_option(L, "ticks");
    } else if (key == "bars") {
      read_bars(L, sub);
    } else if (key == "book") {
      sub.book = boolean_option(L, "book");
    } else if (key == "conditions") {
      sub.conditions.clear();
      read_names(L, "conditions", [&](std::string_view name, int) { sub.conditions.emplace_back(name); });
    } else if (key == "scans") {
      sub.scans.fill(false);
      read_names(L, "scans", [&](std::string_view name, int i) {
        const auto at = std::find(kScanKinds.begin(), kScanKinds.end(), name);
        if (at == kScanKinds.end()) {
          fail(L, "subscribe", fmt::format("scans[{}]: unknown scan \"{}\" (known: volume_surge, change_rate, "
                                           "volume_top, value_top)", i, name));
        }
        sub.scans[static_cast<std::size_t>(at - kScanKinds.begin())] = true;
      });
    } else {
      fail(L, "subscribe", fmt::format("unknown key '{}' (known: ticks, bars, book, conditions, scans)", key));
    }
    lua_pop(L, 1);
  }
  script.subscribe(sub);
  return 0;
}

int ctx_watch(lua_State* L) {
  Script& script = script_of(L, "watch");
  lua_pushboolean(L, script.watch(code_arg(L, 2, "watch")) ? 1 : 0);
  return 1;
}

int ctx_unwatch(lua_State* L) {
  Script& script = script_of(L, "unwatch");
  lua_pushboolean(L, script.unwatch(code_arg(L, 2, "unwatch")) ? 1 : 0);
  return 1;
}

int ctx_watchlist(lua_State* L) {
  Script& script = script_of(L, "watchlist");
  const auto& codes = script.watchlist();
  lua_createtable(L, static_cast<int>(codes.size()), 0);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    script.push_code(L, codes[i]);
    lua_rawseti(L, -2, static_cast<int>(i) + 1);
  }
  return 1;
}

// ------------------------------------------------------------------- timers

int add_timer(lua_State* L, const char* method, bool repeat) {
  Script& script = script_of(L, method);
  const double seconds = lua_type(L, 2) == LUA_TNUMBER ? lua_tonumber(L, 2) : -1;
  const double least = repeat ? kMinPeriodSeconds : 0;
  if (!(seconds >= least && seconds <= kMaxDelaySeconds)) {
    fail(L, method, fmt::format("seconds must be a number from {} to {}, got {}", least, kMaxDelaySeconds,
                                shown(L, 2)));
  }
  if (lua_type(L, 3) != LUA_TSTRING) fail(L, method, "needs a timer name (a string) for on_timer, got " + shown(L, 3));
  if (script.timer_count() >= kMaxTimers) fail(L, method, fmt::format("at most {} timers at a time", kMaxTimers));
  const auto delay = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
  const std::uint64_t id = script.add_timer(lua_tostring(L, 3), delay, repeat ? delay : Duration::zero());
  lua_pushnumber(L, static_cast<double>(id));
  return 1;
}

int ctx_every(lua_State* L) { return add_timer(L, "every", true); }
int ctx_after(lua_State* L) { return add_timer(L, "after", false); }

int ctx_cancel_timer(lua_State* L) {
  Script& script = script_of(L, "cancel_timer");
  const auto id = whole(L, 2);
  if (!id || *id <= 0) fail(L, "cancel_timer", "needs an id returned by ctx:every or ctx:after, got " + shown(L, 2));
  lua_pushboolean(L, script.cancel_timer(static_cast<std::uint64_t>(*id)) ? 1 : 0);
  return 1;
}

// --------------------------------------------------------------- indicators

int ctx_indicator(lua_State* L) {
  Script& script = script_of(L, "indicator");
  const StockCode code = code_arg(L, 2, "indicator");
  if (lua_type(L, 3) != LUA_TSTRING) {
    fail(L, "indicator", "needs an indicator spec such as \"rsi:14\", got " + shown(L, 3));
  }
  int minutes = script.subscription().explicit_ ? script.subscription().primary_minutes : 1;
  if (!lua_isnoneornil(L, 4)) {
    const auto given = interval_arg(L, 4);
    if (!given) fail(L, "indicator", fmt::format("interval must be {}, got {}", kIntervals, shown(L, 4)));
    minutes = *given;
  }
  if (!script.takes_bars(minutes)) {
    fail(L, "indicator", fmt::format("the strategy does not receive {}m bars: subscribe{{ bars = \"{}m\" }} "
                                     "first", minutes, minutes));
  }
  std::size_t length = 0;
  const char* spec = lua_tolstring(L, 3, &length);
  const auto made = script.indicator(code, minutes, {spec, length}, spec);
  if (!made) fail(L, "indicator", made.error().message);
  // Keep the spec string alive, so its address stays a unique key of the cache.
  lua_rawgeti(L, LUA_REGISTRYINDEX, script.spec_anchor());
  lua_pushvalue(L, 3);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  return push_values(L, **made);
}

// -------------------------------------------------------------------- tables

struct Method {
  std::string_view name;
  lua_CFunction function;
};

constexpr std::array kReadMethods = {
    Method{"position", ctx_position},     Method{"positions", ctx_positions}, Method{"cash", ctx_cash},
    Method{"open_orders", ctx_open_orders}, Method{"todays_sells", ctx_todays_sells},
    Method{"now", ctx_now},               Method{"last", ctx_last},           Method{"log", ctx_log},
};
constexpr std::array kStrategyMethods = {
    Method{"buy", ctx_buy},           Method{"sell", ctx_sell},         Method{"modify", ctx_modify},
    Method{"cancel", ctx_cancel},     Method{"notify", ctx_notify},     Method{"subscribe", ctx_subscribe},
    Method{"watch", ctx_watch},       Method{"unwatch", ctx_unwatch},   Method{"watchlist", ctx_watchlist},
    Method{"every", ctx_every},       Method{"after", ctx_after},       Method{"cancel_timer", ctx_cancel_timer},
    Method{"indicator", ctx_indicator},
};

template <std::size_t N>
constexpr auto names_of(const std::array<Method, N>& methods) {
  std::array<std::string_view, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = methods[i].name;
  return out;
}

constexpr auto kRiskNames = [] {
  std::array<std::string_view, kReadMethods.size() + 1> out{};
  const auto read = names_of(kReadMethods);
  std::copy(read.begin(), read.end(), out.begin());
  out.back() = "params";
  return out;
}();
constexpr auto kStrategyNames = [] {
  std::array<std::string_view, kReadMethods.size() + kStrategyMethods.size() + 1> out{};
  const auto read = names_of(kReadMethods);
  const auto own = names_of(kStrategyMethods);
  std::copy(own.begin(), own.end(), std::copy(read.begin(), read.end(), out.begin()));
  out.back() = "params";
  return out;
}();

void set_methods(lua_State* L, Script& script, std::span<const Method> methods) {
  for (const auto& m : methods) {
    lua_pushlightuserdata(L, &script);
    lua_pushcclosure(L, m.function, 1);
    lua_setfield(L, -2, std::string(m.name).c_str());
  }
}

}  // namespace

std::span<const std::string_view> ctx_methods(Role role) {
  if (role == Role::Strategy) return kStrategyNames;
  return kRiskNames;
}

void push_ctx(lua_State* L, Script& script, int params_index) {
  if (params_index < 0) params_index = lua_gettop(L) + params_index + 1;
  script.set_ctx_block(lua_newuserdata(L, 1));
  lua_createtable(L, 0, 3);
  lua_createtable(L, 0, static_cast<int>(kStrategyNames.size()));
  set_methods(L, script, kReadMethods);
  if (script.role() == Role::Strategy) set_methods(L, script, kStrategyMethods);
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
