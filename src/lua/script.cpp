#include "lua/script.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "log/log.h"
#include "lua/ctx.h"

namespace dalbit::lua::detail {
namespace {

constexpr std::array<std::string_view, kCallbackCount> kCallbackNames = {
    "on_init", "on_tick", "on_bar", "on_order", "on_fill", "on_reload"};

// The fields of the event tables. Their names live in one array table in the
// registry: filling an event indexes it instead of interning each name again
// (lua_setfield would hash and compare the key on every call).
enum Field : int {
  kCode = 1, kPrice, kVolume, kTime, kDate, kHhmm, kOpen, kHigh, kLow, kClose, kMinutes,
  kId, kSide, kType, kLimit, kStatus, kQty, kFilled, kReason, kOrderId, kCommission, kTax,
};
constexpr std::array<std::string_view, 22> kFieldNames = {
    "code", "price", "volume", "time",   "date",   "hhmm",   "open",     "high",       "low", "close", "minutes",
    "id",   "side",  "type",   "limit",  "status", "qty",    "filled",   "reason",     "order_id", "commission", "tax"};
// Each table is created once per strategy with all its fields, so that an
// event only overwrites existing slots.
constexpr std::array<Field, 6> kTickFields = {kCode, kPrice, kVolume, kTime, kDate, kHhmm};
constexpr std::array<Field, 10> kBarFields = {kCode, kTime, kDate, kHhmm, kOpen, kHigh, kLow, kClose, kVolume, kMinutes};
constexpr std::array<Field, 9> kOrderFields = {kId, kCode, kSide, kType, kLimit, kStatus, kQty, kFilled, kReason};
constexpr std::array<Field, 8> kFillFields = {kOrderId, kCode, kSide, kPrice, kQty, kCommission, kTax, kTime};

// Logged in full for the first errors of a strategy, then one in this many, so
// a script failing on every tick cannot flood the log from the engine thread.
constexpr std::uint64_t kErrorsLoggedInFull = 10;
constexpr std::uint64_t kErrorLogInterval = 1000;

constexpr double kMaxWhole = 9007199254740992.0;  // 2^53

// What on_reload may hand over: bounded so a reload cannot stall the engine
// or exhaust memory outside the strategies' budgets.
constexpr std::size_t kMaxSavedValues = 1'000'000;
constexpr int kMaxSavedDepth = 64;

// Raises `message` as is (no location: setup errors name the script themselves).
[[noreturn]] void raise(lua_State* L, const std::string& message) {
  lua_pushlstring(L, message.data(), message.size());
  lua_error(L);
  std::abort();  // lua_error does not return
}

Result<std::string> read_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Error{fmt::format("cannot read {}: {}", path, std::strerror(errno))};
  std::string text;
  char buffer[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  const int read_errno = std::ferror(file) != 0 ? errno : 0;
  std::fclose(file);
  if (read_errno != 0) return Error{fmt::format("cannot read {}: {}", path, std::strerror(read_errno))};
  return text;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

template <std::size_t N>
int new_event_table(lua_State* L, int names, const std::array<Field, N>& fields) {
  lua_createtable(L, 0, static_cast<int>(N));
  for (const Field field : fields) {
    lua_rawgeti(L, names, field);
    lua_pushboolean(L, 0);
    lua_rawset(L, -3);
  }
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

std::string_view lua_kind(int type) {
  switch (type) {
    case LUA_TNUMBER: return "a number";
    case LUA_TBOOLEAN: return "a boolean";
    case LUA_TSTRING: return "a string";
    case LUA_TTABLE: return "a table";
    default: return "something else";
  }
}

}  // namespace

std::string_view callback_name(Callback cb) { return kCallbackNames[static_cast<std::size_t>(cb)]; }

double epoch_seconds(Timestamp t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

EventTime EventClock::at(Timestamp t) {
  constexpr std::int64_t kSecondsPerDay = 86'400;
  const std::int64_t local = floor_div(t.time_since_epoch().count(), 1'000'000'000) +
                             std::chrono::seconds(kKstOffset).count();
  const std::int64_t day = floor_div(local, kSecondsPerDay);
  const std::int64_t second_of_day = local - day * kSecondsPerDay;
  if (day != day_) {
    day_ = day;
    date_ = kst_date(t).str();
  }
  return {epoch_seconds(t), static_cast<int>(second_of_day / 3600 * 100 + second_of_day / 60 % 60), day, date_};
}

// Runs the chunk and builds the strategy from what it returns, all inside the
// Vm's protected call and budgets.
struct Setup final : Vm::Body {
  Setup(Script& s, const ScriptSpec& sp, const std::string& src) : script(s), spec(sp), source(src) {}

  void run(lua_State* L) override {
    script.vm_->load_chunk(L, source);
    lua_call(L, 0, 1);
    if (!lua_istable(L, -1)) {
      raise(L, fmt::format("{}: the script must end with `return S`, a table of callbacks; it returned {}",
                           spec.path, luaL_typename(L, -1)));
    }
    const int strategy = lua_gettop(L);
    bind_callbacks(L, strategy);
    const int params = merge_params(L, strategy);
    Vm::push_read_only(L, params, "ctx.params");
    const int view = lua_gettop(L);
    lua_pushliteral(L, "params");
    lua_pushvalue(L, view);
    lua_rawset(L, strategy);
    push_ctx(L, script, view);
    script.ctx_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_createtable(L, static_cast<int>(kFieldNames.size()), 0);
    const int names = lua_gettop(L);
    for (std::size_t i = 0; i < kFieldNames.size(); ++i) {
      lua_pushlstring(L, kFieldNames[i].data(), kFieldNames[i].size());
      lua_rawseti(L, names, static_cast<int>(i) + 1);
    }
    auto& tables = script.event_tables_;
    tables[static_cast<std::size_t>(Callback::Tick)] = new_event_table(L, names, kTickFields);
    tables[static_cast<std::size_t>(Callback::Bar)] = new_event_table(L, names, kBarFields);
    tables[static_cast<std::size_t>(Callback::Order)] = new_event_table(L, names, kOrderFields);
    tables[static_cast<std::size_t>(Callback::Fill)] = new_event_table(L, names, kFillFields);
    script.field_names_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushboolean(L, 0);
    script.date_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    anchor_enum_strings(L);
  }

  void bind_callbacks(lua_State* L, int strategy) {
    for (std::size_t i = 0; i < kCallbackCount; ++i) {
      const std::string_view name = kCallbackNames[i];
      lua_pushlstring(L, name.data(), name.size());
      lua_rawget(L, strategy);
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
      } else if (lua_isfunction(L, -1)) {
        script.callbacks_[i] = luaL_ref(L, LUA_REGISTRYINDEX);
      } else {
        raise(L, fmt::format("{}: S.{} must be a function, got {}", spec.path, name, luaL_typename(L, -1)));
      }
    }
    // A misspelt callback would silently never run.
    lua_pushnil(L);
    while (lua_next(L, strategy) != 0) {
      if (lua_type(L, -2) == LUA_TSTRING) {
        const std::string_view key = lua_tostring(L, -2);
        if (key.starts_with("on_") &&
            std::find(kCallbackNames.begin(), kCallbackNames.end(), key) == kCallbackNames.end()) {
          warnings.push_back(fmt::format("{}: S.{} is not a callback dalbit calls (known: {})", spec.path,
                                         key, fmt::join(kCallbackNames, ", ")));
        }
      }
      lua_pop(L, 1);
    }
    lua_pushliteral(L, "name");
    lua_rawget(L, strategy);
    if (lua_type(L, -1) == LUA_TSTRING && spec.name != lua_tostring(L, -1)) {
      warnings.push_back(fmt::format("{}: S.name is '{}' but the strategy is loaded (and its intents "
                                     "attributed) as '{}', its file name", spec.path, lua_tostring(L, -1),
                                     spec.name));
    }
    lua_pop(L, 1);
  }

  // Pushes S.params (or a new table) with the config's values written over
  // the script's defaults.
  int merge_params(lua_State* L, int strategy) {
    lua_pushliteral(L, "params");
    lua_rawget(L, strategy);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      lua_newtable(L);
    } else if (!lua_istable(L, -1)) {
      raise(L, fmt::format("{}: S.params must be a table of name = default value, got {}", spec.path,
                           luaL_typename(L, -1)));
    }
    const int params = lua_gettop(L);
    std::vector<std::string> declared;
    lua_pushnil(L);
    while (lua_next(L, params) != 0) {
      if (lua_type(L, -2) != LUA_TSTRING) {
        raise(L, fmt::format("{}: S.params keys must be names, got a {} key", spec.path, luaL_typename(L, -2)));
      }
      declared.emplace_back(lua_tostring(L, -2));
      lua_pop(L, 1);
    }
    if (spec.params.empty()) return params;
    std::sort(declared.begin(), declared.end());
    std::vector<std::string> problems;
    for (const auto& [key, value] : spec.params) {
      lua_pushlstring(L, key.data(), key.size());
      lua_rawget(L, params);
      const int expected = lua_type(L, -1);
      lua_pop(L, 1);
      if (expected == LUA_TNIL) {
        problems.push_back(fmt::format("params.{}: not declared in {} (S.params declares: {})", key, spec.path,
                                       declared.empty() ? "nothing" : fmt::format("{}", fmt::join(declared, ", "))));
        continue;
      }
      lua_pushlstring(L, key.data(), key.size());
      const int given = std::visit(
          [&](const auto& v) -> int {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, bool>) {
              lua_pushboolean(L, v ? 1 : 0);
              return LUA_TBOOLEAN;
            } else if constexpr (std::is_same_v<V, std::string>) {
              lua_pushlstring(L, v.data(), v.size());
              return LUA_TSTRING;
            } else {
              lua_pushnumber(L, static_cast<double>(v));
              return LUA_TNUMBER;
            }
          },
          value);
      if (given != expected) {
        problems.push_back(fmt::format("params.{}: the script's default is {}, the config gives {}", key,
                                       lua_kind(expected), lua_kind(given)));
      } else if (std::holds_alternative<std::int64_t>(value) &&
                 std::abs(static_cast<double>(std::get<std::int64_t>(value))) > kMaxWhole) {
        problems.push_back(fmt::format("params.{}: {} is too large to be exact in Lua", key,
                                       std::get<std::int64_t>(value)));
      } else {
        lua_rawset(L, params);
        continue;
      }
      lua_pop(L, 2);
    }
    if (!problems.empty()) raise(L, fmt::format("{}", fmt::join(problems, "; ")));
    return params;
  }

  // The enum strings events carry stay interned for the state's life, so
  // pushing them per event never allocates.
  static void anchor_enum_strings(lua_State* L) {
    constexpr std::array<std::string_view, 11> kStrings = {
        "buy", "sell", "market", "limit", "new", "sent", "accepted", "partially_filled", "filled",
        "cancelled", "rejected"};
    lua_createtable(L, static_cast<int>(kStrings.size()), 0);
    int i = 0;
    for (const auto s : kStrings) {
      lua_pushlstring(L, s.data(), s.size());
      lua_rawseti(L, -2, ++i);
    }
    lua_setfield(L, LUA_REGISTRYINDEX, "dalbit.enum_strings");
  }

  Script& script;
  const ScriptSpec& spec;
  const std::string& source;
  std::vector<std::string> warnings;
};

// Writes the fields of a reused event table (see Field).
class EventTable {
 public:
  EventTable(lua_State* L, int table, int names) : L_(L), table_(table), names_(names) {}

  void set(Field field, double value) {
    lua_rawgeti(L_, names_, field);
    lua_pushnumber(L_, value);
    lua_rawset(L_, table_);
  }
  template <class Tag>
  void set(Field field, StrongInt<Tag> value) {
    set(field, static_cast<double>(value.value()));
  }
  void set(Field field, std::string_view value) {
    lua_rawgeti(L_, names_, field);
    lua_pushlstring(L_, value.data(), value.size());
    lua_rawset(L_, table_);
  }
  // Sets `field` to what push(L) pushes.
  template <class Push>
  void set_pushed(Field field, Push&& push) {
    lua_rawgeti(L_, names_, field);
    push(L_);
    lua_rawset(L_, table_);
  }

 private:
  lua_State* L_;
  int table_;
  int names_;
};

// Calls one callback, fn(ctx, ...), inside the Vm's protected call:
// push_args(L) pushes the arguments after ctx and returns how many (filling
// an event table there: it may allocate); take_result(L) reads the one result
// when the caller wants it.
struct IgnoreResult {
  void operator()(lua_State*) const {}
};

template <class PushArgs, class TakeResult>
class Call final : public Vm::Body {
 public:
  Call(const Script& script, Callback cb, PushArgs& push_args, TakeResult& take_result)
      : script_(script), index_(static_cast<std::size_t>(cb)), push_args_(push_args), take_result_(take_result) {}

  void run(lua_State* L) override {
    constexpr bool kWantsResult = !std::is_same_v<TakeResult, IgnoreResult>;
    lua_rawgeti(L, LUA_REGISTRYINDEX, script_.callbacks_[index_]);
    lua_rawgeti(L, LUA_REGISTRYINDEX, script_.ctx_ref_);
    const int nargs = push_args_(L);
    lua_call(L, 1 + nargs, kWantsResult ? 1 : 0);
    take_result_(L);
  }

 private:
  const Script& script_;
  std::size_t index_;
  PushArgs& push_args_;
  TakeResult& take_result_;
};

// Copies a Lua value out as Saved, refusing what cannot cross to another
// state (functions, userdata, a table that contains itself).
class SavedReader {
 public:
  explicit SavedReader(lua_State* L) : L_(L) {}

  Saved read(int index, int depth = 0) {
    if (++count_ > kMaxSavedValues) refuse(fmt::format("more than {} values", kMaxSavedValues));
    switch (lua_type(L_, index)) {
      case LUA_TNIL: return {};
      case LUA_TBOOLEAN: return {lua_toboolean(L_, index) != 0};
      case LUA_TNUMBER: return {lua_tonumber(L_, index)};
      case LUA_TSTRING: {
        std::size_t length = 0;
        const char* text = lua_tolstring(L_, index, &length);
        return {std::string(text, length)};
      }
      case LUA_TTABLE: return read_table(index, depth);
      default: refuse(fmt::format("a {} cannot be handed over", luaL_typename(L_, index)));
    }
  }

 private:
  Saved read_table(int index, int depth) {
    if (depth >= kMaxSavedDepth) refuse(fmt::format("tables nested more than {} deep", kMaxSavedDepth));
    const void* table = lua_topointer(L_, index);
    if (std::find(open_.begin(), open_.end(), table) != open_.end()) refuse("a table that contains itself");
    open_.push_back(table);
    luaL_checkstack(L_, 3, "handing over");
    std::vector<Saved> entries;
    lua_pushnil(L_);
    while (lua_next(L_, index) != 0) {
      const int key = lua_gettop(L_) - 1;
      const int key_type = lua_type(L_, key);
      path_.push_back(key_type == LUA_TSTRING ? fmt::format(".{}", lua_tostring(L_, key))
                      : key_type == LUA_TNUMBER ? fmt::format("[{}]", lua_tonumber(L_, key))
                                                : fmt::format("[{}]", luaL_typename(L_, key)));
      if (key_type != LUA_TSTRING && key_type != LUA_TNUMBER && key_type != LUA_TBOOLEAN) {
        refuse("table keys must be strings, numbers or booleans");
      }
      entries.push_back(read(key, depth + 1));
      entries.push_back(read(key + 1, depth + 1));
      path_.pop_back();
      lua_pop(L_, 1);
    }
    open_.pop_back();
    return {std::move(entries)};
  }

  [[noreturn]] void refuse(const std::string& what) {
    std::string where = "saved";
    for (const auto& step : path_) where += step;
    raise(L_, fmt::format("on_reload's result, at {}: {}; only nil, booleans, numbers, strings and tables "
                          "of them can be handed over", where, what));
  }

  lua_State* L_;
  std::size_t count_ = 0;
  std::vector<const void*> open_;  // the tables being read, outermost first
  std::vector<std::string> path_;
};

void push_saved(lua_State* L, const Saved& saved) {
  luaL_checkstack(L, 3, "handing over");
  std::visit(
      [L](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::monostate>) {
          lua_pushnil(L);
        } else if constexpr (std::is_same_v<V, bool>) {
          lua_pushboolean(L, v ? 1 : 0);
        } else if constexpr (std::is_same_v<V, double>) {
          lua_pushnumber(L, v);
        } else if constexpr (std::is_same_v<V, std::string>) {
          lua_pushlstring(L, v.data(), v.size());
        } else {
          lua_createtable(L, 0, static_cast<int>(v.size() / 2));
          for (std::size_t i = 0; i + 1 < v.size(); i += 2) {
            push_saved(L, v[i]);
            push_saved(L, v[i + 1]);
            lua_rawset(L, -3);
          }
        }
      },
      saved.value);
}

Script::Script(ScriptSpec spec, StrategyApi& api, std::unique_ptr<Vm> vm)
    : spec_(std::move(spec)), api_(api), vm_(std::move(vm)) {
  callbacks_.fill(LUA_NOREF);
  event_tables_.fill(LUA_NOREF);
}

Result<std::unique_ptr<Script>> Script::load(const ScriptSpec& spec, StrategyApi& api) {
  auto source = read_file(spec.path);
  if (!source) return Error{fmt::format("strategy '{}': {}", spec.name, source.error().message)};
  auto vm = Vm::create(spec.name, spec.path, spec.budgets);
  if (!vm) return Error{fmt::format("strategy '{}': {}", spec.name, vm.error().message)};
  std::unique_ptr<Script> script(new Script(spec, api, std::move(*vm)));
  Setup setup(*script, spec, *source);
  if (script->vm_->run(setup) != Fault::None) {
    return Error{fmt::format("strategy '{}': {}", spec.name, script->vm_->error())};
  }
  for (const auto& warning : setup.warnings) log::lua().warn("[{}] {}", spec.name, warning);
  return script;
}

template <class PushArgs, class TakeResult>
Fault Script::call(Callback cb, PushArgs push_args, TakeResult take_result) {
  if (!has(cb)) return Fault::None;
  Call<PushArgs, TakeResult> body(*this, cb, push_args, take_result);
  const Fault fault = vm_->run(body);
  if (fault != Fault::None) report(cb, fault);
  return fault;
}

template <class FillEvent>
void Script::deliver_event(Callback cb, FillEvent fill_event) {
  call(
      cb,
      [&](lua_State* L) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, event_tables_[static_cast<std::size_t>(cb)]);
        lua_rawgeti(L, LUA_REGISTRYINDEX, field_names_ref_);
        EventTable event(L, lua_gettop(L) - 1, lua_gettop(L));
        fill_event(event);
        lua_pop(L, 1);
        return 1;
      },
      IgnoreResult{});
}

void Script::report(Callback cb, Fault fault) {
  ++errors_;
  last_error_ = fmt::format("{}: {}", callback_name(cb), vm_->error());
  const std::string& traceback = vm_->traceback();
  if (fault == Fault::Fatal) {
    log::lua().error("[{}] disabled after {}{}{}", name(), last_error_, traceback.empty() ? "" : "\n",
                     traceback);
    vm_.reset();  // frees its memory; it never runs again
    return;
  }
  if (errors_ <= kErrorsLoggedInFull || errors_ % kErrorLogInterval == 0) {
    log::lua().error("[{}] {} (error #{}{})\n{}", name(), last_error_, errors_,
                     errors_ >= kErrorsLoggedInFull ? fmt::format("; from now on one in {} is logged",
                                                                  kErrorLogInterval)
                                                    : "",
                     traceback);
  }
}

void Script::push_code(lua_State* L, StockCode code) {
  auto it = code_refs_.find(code);
  if (it == code_refs_.end()) {
    const std::string_view text = code.view();
    lua_pushlstring(L, text.data(), text.size());
    it = code_refs_.emplace(code, luaL_ref(L, LUA_REGISTRYINDEX)).first;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, it->second);
}

void Script::push_date(lua_State* L, const EventTime& time) {
  if (time.day != date_day_) {
    lua_pushlstring(L, time.date.data(), time.date.size());
    lua_rawseti(L, LUA_REGISTRYINDEX, date_ref_);
    date_day_ = time.day;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, date_ref_);
}

bool Script::on_init(const Saved* saved) {
  const Fault fault = call(
      Callback::Init,
      [saved](lua_State* L) {
        if (saved == nullptr) return 0;
        push_saved(L, *saved);
        return 1;
      },
      IgnoreResult{});
  return fault == Fault::None;
}

Result<Saved> Script::hand_over() {
  Saved saved;
  const Fault fault = call(
      Callback::Reload, [](lua_State*) { return 0; },
      [&saved](lua_State* L) { saved = SavedReader(L).read(lua_gettop(L)); });
  if (fault != Fault::None) return Error{fmt::format("strategy '{}': {}", name(), last_error_)};
  return saved;
}

void Script::on_tick(const Tick& tick, const EventTime& time) {
  deliver_event(Callback::Tick, [&](EventTable& e) {
    e.set_pushed(kCode, [&](lua_State* S) { push_code(S, tick.code); });
    e.set(kPrice, tick.price);
    e.set(kVolume, tick.volume);
    e.set(kTime, time.epoch);
    e.set_pushed(kDate, [&](lua_State* S) { push_date(S, time); });
    e.set(kHhmm, time.hhmm);
  });
}

void Script::on_bar(const Bar& bar, const EventTime& time) {
  deliver_event(Callback::Bar, [&](EventTable& e) {
    e.set_pushed(kCode, [&](lua_State* S) { push_code(S, bar.code); });
    e.set(kTime, time.epoch);
    e.set_pushed(kDate, [&](lua_State* S) { push_date(S, time); });
    e.set(kHhmm, time.hhmm);
    e.set(kOpen, bar.open);
    e.set(kHigh, bar.high);
    e.set(kLow, bar.low);
    e.set(kClose, bar.close);
    e.set(kVolume, bar.volume);
    e.set(kMinutes, bar.minutes);
  });
}

void Script::on_order(const Order& order) {
  deliver_event(Callback::Order, [&](EventTable& e) {
    e.set(kId, static_cast<double>(order.id));
    e.set_pushed(kCode, [&](lua_State* S) { push_code(S, order.code); });
    e.set(kSide, to_string(order.side));
    e.set(kType, to_string(order.type));
    e.set(kLimit, order.limit);
    e.set(kStatus, to_string(order.status));
    e.set(kQty, order.qty);
    e.set(kFilled, order.filled);
    e.set(kReason, order.reason);
  });
}

void Script::on_fill(const Fill& fill) {
  deliver_event(Callback::Fill, [&](EventTable& e) {
    e.set(kOrderId, static_cast<double>(fill.order_id));
    e.set_pushed(kCode, [&](lua_State* S) { push_code(S, fill.code); });
    e.set(kSide, to_string(fill.side));
    e.set(kPrice, fill.price);
    e.set(kQty, fill.qty);
    e.set(kCommission, fill.commission);
    e.set(kTax, fill.tax);
    e.set(kTime, epoch_seconds(fill.time));
  });
}

}  // namespace dalbit::lua::detail
