#include "lua/script.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "log/log.h"
#include "lua/ctx.h"
#include "lua/ta_module.h"

namespace dalbit::lua::detail {
namespace {

constexpr std::array<std::string_view, kCallbackCount> kCallbackNames = {
    "on_init",    "on_tick",    "on_bar",  "on_order",     "on_fill",    "on_reload", "on_timer",
    "on_session", "on_book",    "on_condition", "on_scan", "self_check", "check"};

// The fields of the event tables. Their names live in one array table in the
// registry: filling an event indexes it instead of interning each name again
// (lua_setfield would hash and compare the key on every call).
enum Field : int {
  kCode = 1, kPrice, kVolume, kTime, kDate, kHhmm, kOpen, kHigh, kLow, kClose, kMinutes,
  kId, kSide, kType, kLimit, kStatus, kQty, kFilled, kReason, kOrderId, kCommission, kTax,
  kCondition, kKind, kAsks, kBids, kItems,
};
constexpr std::array<std::string_view, 27> kFieldNames = {
    "code",   "price",  "volume", "time",      "date",     "hhmm",       "open",      "high", "low",
    "close",  "minutes", "id",    "side",      "type",     "limit",      "status",    "qty",  "filled",
    "reason", "order_id", "commission", "tax", "condition", "kind",      "asks",      "bids", "items"};
// Each table is created once per script with all its fields, so that an
// event only overwrites existing slots.
constexpr std::array<Field, 6> kTickFields = {kCode, kPrice, kVolume, kTime, kDate, kHhmm};
constexpr std::array<Field, 10> kBarFields = {kCode, kTime,  kDate, kHhmm,   kOpen,
                                              kHigh, kLow, kClose, kVolume, kMinutes};
constexpr std::array<Field, 9> kOrderFields = {kId, kCode, kSide, kType, kLimit, kStatus, kQty, kFilled, kReason};
constexpr std::array<Field, 8> kFillFields = {kOrderId, kCode, kSide, kPrice, kQty, kCommission, kTax, kTime};
constexpr std::array<Field, 6> kBookFields = {kCode, kTime, kDate, kHhmm, kAsks, kBids};
constexpr std::array<Field, 6> kConditionFields = {kCode, kCondition, kKind, kTime, kDate, kHhmm};

// Logged in full for the first errors of a script, then one in this many, so
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
    if (field == kAsks || field == kBids) {
      lua_newtable(L);
    } else {
      lua_pushboolean(L, 0);
    }
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

std::string_view role_label(Role role) { return role == Role::Strategy ? "strategy" : "risk script"; }

// The file name without its directory and ".lua": what S.name should say.
std::string_view file_stem(std::string_view name) {
  const auto slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

std::size_t minutes_index(int minutes) {
  for (std::size_t i = 0; i < kBarMinutes.size(); ++i) {
    if (kBarMinutes[i] == minutes) return i;
  }
  return kBarMinutes.size();
}

}  // namespace

std::string_view callback_name(Callback cb) { return kCallbackNames[static_cast<std::size_t>(cb)]; }

bool allowed(Role role, Callback cb) {
  if (role == Role::Strategy) return cb != Callback::Check;
  return cb == Callback::Init || cb == Callback::Reload || cb == Callback::SelfCheck || cb == Callback::Check;
}

double epoch_seconds(Timestamp t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

bool valid_script_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-';
    if (!ok) return false;
  }
  return true;
}

Location location_of(std::string_view message) {
  // "... <file>:<line>: ..." : the first ":<digits>: " ends the location; the
  // file name starts after the last space before it (messages put a prefix
  // such as "strategy 'x': " in front).
  for (auto colon = message.find(':'); colon != std::string_view::npos; colon = message.find(':', colon + 1)) {
    std::size_t end = colon + 1;
    while (end < message.size() && message[end] >= '0' && message[end] <= '9') ++end;
    if (end > colon + 1 && end + 1 < message.size() && message[end] == ':' && message[end + 1] == ' ') {
      int line = 0;
      std::from_chars(message.data() + colon + 1, message.data() + end, line);
      const auto space = message.rfind(' ', colon);
      const std::size_t begin = space == std::string_view::npos ? 0 : space + 1;
      return {std::string(message.substr(begin, colon - begin)), line};
    }
  }
  return {};
}

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

void Shared::report(HostEvent event) const {
  if (options.on_event) options.on_event(event);
}

// ---------------------------------------------------------------- indicators

IndicatorStore::Entry* IndicatorStore::find(StockCode code, int minutes, std::string_view spec) const {
  const auto it = by_spec_.find(std::make_tuple(code, minutes, std::string(spec)));
  return it == by_spec_.end() ? nullptr : it->second;
}

IndicatorStore::Entry& IndicatorStore::add(Entry entry) {
  bytes_ += entry.bytes;
  entries_.push_back(std::make_unique<Entry>(std::move(entry)));
  index(*entries_.back());
  return *entries_.back();
}

void IndicatorStore::index(Entry& entry) {
  by_series_[{entry.code, entry.minutes}].push_back(&entry);
  by_spec_.emplace(std::make_tuple(entry.code, entry.minutes, entry.spec), &entry);
}

void IndicatorStore::update(const Bar& bar) {
  const auto it = by_series_.find({bar.code, bar.minutes});
  if (it == by_series_.end()) return;
  for (Entry* e : it->second) e->indicator->update(bar);
}

void IndicatorStore::truncate(std::size_t n) {
  if (n >= entries_.size()) return;
  entries_.resize(n);
  by_series_.clear();
  by_spec_.clear();
  bytes_ = 0;
  for (auto& e : entries_) {
    bytes_ += e->bytes;
    index(*e);
  }
}

// --------------------------------------------------------------------- setup

// Runs the chunk and builds the script from what it returns, all inside the
// Vm's protected call and budgets.
struct Setup final : Vm::Body {
  Setup(Script& s, const ScriptSpec& sp, const std::string& src) : script(s), spec(sp), source(src) {}

  void run(lua_State* L) override {
    Vm::register_module(L, "dalbit.ta", open_ta);
    script.vm_->load_chunk(L, source);
    lua_call(L, 0, 1);
    if (!lua_istable(L, -1)) {
      raise(L, fmt::format("{}: the script must end with `return {}`, a table of callbacks; it returned {}",
                           spec.path, spec.role == Role::Strategy ? "S" : "R", luaL_typename(L, -1)));
    }
    const int table = lua_gettop(L);
    bind_callbacks(L, table);
    const int params = merge_params(L, table);
    Vm::push_read_only(L, params, "ctx.params");
    const int view = lua_gettop(L);
    lua_pushliteral(L, "params");
    lua_pushvalue(L, view);
    lua_rawset(L, table);
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
    tables[static_cast<std::size_t>(Callback::Book)] = new_event_table(L, names, kBookFields);
    tables[static_cast<std::size_t>(Callback::Condition)] = new_event_table(L, names, kConditionFields);
    script.field_names_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushboolean(L, 0);
    script.date_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_newtable(L);
    script.spec_anchor_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    anchor_enum_strings(L);
  }

  void bind_callbacks(lua_State* L, int table) {
    const char* self = spec.role == Role::Strategy ? "S" : "R";
    for (std::size_t i = 0; i < kCallbackCount; ++i) {
      const std::string_view name = kCallbackNames[i];
      lua_pushlstring(L, name.data(), name.size());
      lua_rawget(L, table);
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
      } else if (!allowed(spec.role, static_cast<Callback>(i))) {
        if (name.starts_with("on_")) {
          note(true, name, fmt::format("{}: {}.{} is never called: a risk script gets no events, only "
                                         "check(ctx, intent)", spec.path, self, name));
        }
        lua_pop(L, 1);
      } else if (lua_isfunction(L, -1)) {
        script.callbacks_[i] = luaL_ref(L, LUA_REGISTRYINDEX);
      } else {
        raise(L, fmt::format("{}: {}.{} must be a function, got {}", spec.path, self, name, luaL_typename(L, -1)));
      }
    }
    if (spec.role == Role::Risk && script.callbacks_[static_cast<std::size_t>(Callback::Check)] == LUA_NOREF) {
      raise(L, fmt::format("{}: a risk script must define R.check(ctx, intent)", spec.path));
    }
    // A misspelt callback would silently never run.
    std::vector<std::string_view> known;
    for (std::size_t i = 0; i < kCallbackCount; ++i) {
      if (allowed(spec.role, static_cast<Callback>(i)) && kCallbackNames[i].starts_with("on_")) {
        known.push_back(kCallbackNames[i]);
      }
    }
    lua_pushnil(L);
    while (lua_next(L, table) != 0) {
      if (lua_type(L, -2) == LUA_TSTRING) {
        const std::string_view key = lua_tostring(L, -2);
        if (key.starts_with("on_") &&
            std::find(kCallbackNames.begin(), kCallbackNames.end(), key) == kCallbackNames.end()) {
          note(true, key, fmt::format("{}: {}.{} is not a callback dalbit calls (known: {})", spec.path, self,
                                         key, fmt::join(known, ", ")));
        }
      }
      lua_pop(L, 1);
    }
    lua_pushliteral(L, "name");
    lua_rawget(L, table);
    const std::string_view stem = file_stem(spec.name);
    if (lua_type(L, -1) == LUA_TSTRING && stem != lua_tostring(L, -1)) {
      note(false, "name", fmt::format("{}: {}.name is '{}' but the {} is loaded (and {}) as '{}', its file name",
                                     spec.path, self, lua_tostring(L, -1), role_label(spec.role),
                                     spec.role == Role::Strategy ? "its intents attributed" : "its vetoes named",
                                     spec.name));
    }
    lua_pop(L, 1);
  }

  // Pushes S.params (or a new table) with the config's values written over
  // the script's defaults.
  int merge_params(lua_State* L, int table) {
    const char* self = spec.role == Role::Strategy ? "S" : "R";
    lua_pushliteral(L, "params");
    lua_rawget(L, table);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      lua_newtable(L);
    } else if (!lua_istable(L, -1)) {
      raise(L, fmt::format("{}: {}.params must be a table of name = default value, got {}", spec.path, self,
                           luaL_typename(L, -1)));
    }
    const int params = lua_gettop(L);
    std::vector<std::string> declared;
    lua_pushnil(L);
    while (lua_next(L, params) != 0) {
      if (lua_type(L, -2) != LUA_TSTRING) {
        raise(L, fmt::format("{}: {}.params keys must be names, got a {} key", spec.path, self,
                             luaL_typename(L, -2)));
      }
      declared.emplace_back(lua_tostring(L, -2));
      script.declared_params_.emplace(declared.back(), lua_kind(lua_type(L, -1)));
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
        problems.push_back(fmt::format("params.{}: not declared in {} ({}.params declares: {})", key, spec.path,
                                       self,
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
    constexpr std::array<std::string_view, 22> kStrings = {
        "buy", "sell", "market", "limit", "new", "sent", "accepted", "partially_filled", "filled",
        "cancelled", "rejected", "enter", "exit", "pre_open", "open", "closing", "closed",
        "volume_surge", "change_rate", "volume_top", "value_top", "price"};
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
  void note(bool mistake, std::string_view key, std::string text) {
    notes.push_back({mistake, std::string(key), std::move(text)});
  }

  std::vector<LoadNote> notes;
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
  // Pushes the table held in `field` (asks, bids).
  void push_field(Field field) {
    lua_rawgeti(L_, names_, field);
    lua_rawget(L_, table_);
  }
  [[nodiscard]] lua_State* state() const { return L_; }

 private:
  lua_State* L_;
  int table_;
  int names_;
};

// Fills the reused array of {price, qty} tables at the top of the stack;
// levels beyond `levels` are cleared.
void fill_levels(lua_State* L, const std::vector<BookLevel>& levels) {
  const int array = lua_gettop(L);
  const int old = static_cast<int>(lua_objlen(L, array));
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const int slot = static_cast<int>(i) + 1;
    lua_rawgeti(L, array, slot);
    if (!lua_istable(L, -1)) {
      lua_pop(L, 1);
      lua_createtable(L, 0, 2);
      lua_pushvalue(L, -1);
      lua_rawseti(L, array, slot);
    }
    lua_pushnumber(L, static_cast<double>(levels[i].price.value()));
    lua_setfield(L, -2, "price");
    lua_pushnumber(L, static_cast<double>(levels[i].qty.value()));
    lua_setfield(L, -2, "qty");
    lua_pop(L, 1);
  }
  for (int slot = old; slot > static_cast<int>(levels.size()); --slot) {
    lua_pushnil(L);
    lua_rawseti(L, array, slot);
  }
}

// Calls one callback, fn(ctx, ...), inside the Vm's protected call:
// push_args(L) pushes the arguments after ctx and returns how many (filling
// an event table there: it may allocate); take_result(L, n) reads the
// callback's `results` results, the last at the top.
struct IgnoreResult {
  static constexpr int kResults = 0;
  void operator()(lua_State*) const {}
};

template <class PushArgs, class TakeResult>
class Call final : public Vm::Body {
 public:
  Call(const Script& script, Callback cb, PushArgs& push_args, TakeResult& take_result)
      : script_(script), index_(static_cast<std::size_t>(cb)), push_args_(push_args), take_result_(take_result) {}

  void run(lua_State* L) override {
    lua_rawgeti(L, LUA_REGISTRYINDEX, script_.callbacks_[index_]);
    lua_rawgeti(L, LUA_REGISTRYINDEX, script_.ctx_ref_);
    const int nargs = push_args_(L);
    lua_call(L, 1 + nargs, TakeResult::kResults);
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

// What S.self_check returned: it fails only by returning false (and maybe a reason) or raising.
struct SelfCheckAnswer {
  static constexpr int kResults = 2;
  void operator()(lua_State* L) {
    passed = !(lua_type(L, -2) == LUA_TBOOLEAN && lua_toboolean(L, -2) == 0);
    if (!passed && lua_type(L, -1) == LUA_TSTRING) why = lua_tostring(L, -1);
  }
  bool passed = true;
  std::string why;
};

// What on_reload returned, copied out.
struct SavedAnswer {
  static constexpr int kResults = 1;
  void operator()(lua_State* L) { saved = SavedReader(L).read(lua_gettop(L)); }
  Saved saved;
};

// ------------------------------------------------------------------- script

Script::Script(ScriptSpec spec, Shared& shared, std::unique_ptr<Vm> vm)
    : spec_(std::move(spec)), shared_(shared), vm_(std::move(vm)) {
  callbacks_.fill(LUA_NOREF);
  event_tables_.fill(LUA_NOREF);
}

Result<std::unique_ptr<Script>> Script::load(const ScriptSpec& spec, Shared& shared,
                                             std::vector<LoadNote>* notes) {
  const auto label = role_label(spec.role);
  auto source = read_file(spec.path);
  if (!source) return Error{fmt::format("{} '{}': {}", label, spec.name, source.error().message)};
  auto vm = Vm::create(spec.name, spec.path, spec.budgets);
  if (!vm) return Error{fmt::format("{} '{}': {}", label, spec.name, vm.error().message)};
  std::unique_ptr<Script> script(new Script(spec, shared, std::move(*vm)));
  Setup setup(*script, spec, *source);
  if (script->vm_->run(setup) != Fault::None) {
    return Error{fmt::format("{} '{}': {}", label, spec.name, script->vm_->error())};
  }
  for (const auto& n : setup.notes) log::lua().warn("[{}] {}", spec.name, n.text);
  if (notes != nullptr) *notes = std::move(setup.notes);
  script->refresh_routing();
  return script;
}

template <class PushArgs, class TakeResult>
Fault Script::call(Callback cb, PushArgs push_args, TakeResult&& take_result) {
  if (!has(cb)) return Fault::None;
  Call<PushArgs, std::remove_reference_t<TakeResult>> body(*this, cb, push_args, take_result);
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
    log::lua().error("[{}] disabled after {}{}{}", name(), last_error_, traceback.empty() ? "" : "\n", traceback);
    disable(fmt::format("disabled after {}", last_error_), location_of(vm_->error()));
    return;
  }
  if (error_rate_exceeded()) {
    const auto& options = shared_.options;
    const std::string why = fmt::format("disabled after {} errors within {} s; the last: {}", options.max_errors,
                                        options.error_window.count(), last_error_);
    log::lua().error("[{}] {}\n{}", name(), why, traceback);
    disable(why, location_of(vm_->error()));
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

bool Script::error_rate_exceeded() {
  const auto limit = static_cast<std::size_t>(std::max(shared_.options.max_errors, 1));
  const Timestamp now = shared_.api.now();
  recent_errors_.push_back(now);
  while (recent_errors_.size() > limit) recent_errors_.pop_front();
  return recent_errors_.size() == limit && now - recent_errors_.front() <= shared_.options.error_window;
}

void Script::disable(const std::string& why, const Location& at) {
  shared_.report({HostEvent::Kind::Disabled, name(), at.file.empty() ? spec_.path : at.file, at.line, why});
  vm_.reset();  // frees its memory; it never runs again
  timers_.clear();
  next_due_ = Timestamp::max();
  indicator_cache_.clear();
  refresh_routing();
  shared_.subscriptions_changed = true;
}

void Script::refresh_routing() {
  takes_ticks_ = enabled() && has(Callback::Tick) && (!subscription_.explicit_ || subscription_.ticks);
}

bool Script::takes_bars(int minutes) const {
  if (!enabled() || role() != Role::Strategy) return false;
  if (!subscription_.explicit_) return minutes == 1;
  const std::size_t i = minutes_index(minutes);
  return i < kBarMinutes.size() && subscription_.bars[i];
}

bool Script::takes_condition(std::string_view condition) const {
  if (!has(Callback::Condition)) return false;
  const auto& c = subscription_.conditions;
  return std::find(c.begin(), c.end(), condition) != c.end();
}

bool Script::takes_scan(std::size_t kind) const {
  return has(Callback::Scan) && kind < kScanKinds.size() && subscription_.scans[kind];
}

void Script::subscribe(const Subscription& subscription) {
  subscription_ = subscription;
  subscription_.explicit_ = true;
  refresh_routing();
  shared_.subscriptions_changed = true;
}

bool Script::watch(StockCode code) {
  constexpr std::size_t kMaxWatched = 2000;
  if (watch_set_.contains(code)) return true;
  if (watch_set_.size() >= kMaxWatched) return false;
  watch_set_.insert(code);
  watchlist_.push_back(code);
  shared_.subscriptions_changed = true;
  return true;
}

bool Script::unwatch(StockCode code) {
  if (watch_set_.erase(code) == 0) return false;
  watchlist_.erase(std::find(watchlist_.begin(), watchlist_.end(), code));
  shared_.subscriptions_changed = true;
  return true;
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

// ------------------------------------------------------------------- timers

std::uint64_t Script::add_timer(std::string timer_name, Duration delay, Duration period) {
  Timer t;
  t.id = next_timer_id_++;
  t.seq = shared_.timer_seq++;
  t.name = std::move(timer_name);
  t.delay = delay;
  t.period = period;
  t.anchored = shared_.clock.has_value();
  if (t.anchored) t.due = *shared_.clock + delay;
  timers_.push_back(std::move(t));
  recompute_next_due();
  shared_.next_timer = std::min(shared_.next_timer, next_due_);
  return timers_.back().id;
}

bool Script::cancel_timer(std::uint64_t id) {
  const auto it = std::find_if(timers_.begin(), timers_.end(), [id](const Timer& t) { return t.id == id; });
  if (it == timers_.end()) return false;
  timers_.erase(it);
  recompute_next_due();
  return true;
}

void Script::anchor_timers(Timestamp now) {
  for (Timer& t : timers_) {
    if (!t.anchored) {
      t.due = now + t.delay;
      t.anchored = true;
    }
  }
  recompute_next_due();
}

void Script::recompute_next_due() {
  next_due_ = Timestamp::max();
  for (const Timer& t : timers_) {
    if (t.anchored) next_due_ = std::min(next_due_, t.due);
  }
}

std::optional<std::pair<Timestamp, std::uint64_t>> Script::due_timer(Timestamp now, std::uint64_t seq_limit) const {
  if (!enabled() || next_due_ > now) return std::nullopt;
  std::optional<std::pair<Timestamp, std::uint64_t>> first;
  for (const Timer& t : timers_) {
    if (!t.anchored || t.due > now || t.seq >= seq_limit) continue;
    const std::pair<Timestamp, std::uint64_t> key{t.due, t.seq};
    if (!first || key < *first) first = key;
  }
  return first;
}

void Script::fire_timer(std::uint64_t seq, Timestamp now) {
  const auto it = std::find_if(timers_.begin(), timers_.end(), [seq](const Timer& t) { return t.seq == seq; });
  if (it == timers_.end()) return;
  const std::uint64_t id = it->id;
  std::string timer_name = it->name;
  if (it->period == Duration::zero()) {
    timers_.erase(it);
  } else {
    // A clock that jumped over several periods (a bar replay) fires it once.
    it->due += it->period * ((now - it->due) / it->period + 1);
  }
  recompute_next_due();
  call(
      Callback::Timer,
      [&](lua_State* L) {
        lua_pushlstring(L, timer_name.data(), timer_name.size());
        lua_pushnumber(L, static_cast<double>(id));
        return 2;
      },
      IgnoreResult{});
}

// --------------------------------------------------------------- indicators

Result<const ta::Indicator*> Script::indicator(StockCode code, int minutes, std::string_view spec,
                                               const void* spec_key) {
  const SpecKey key{code, minutes, spec_key};
  if (const auto it = indicator_cache_.find(key); it != indicator_cache_.end()) return it->second->indicator.get();
  IndicatorStore::Entry* entry = indicators_->find(code, minutes, spec);
  if (entry == nullptr) {
    auto made = ta::make_indicator(spec);
    if (!made) return Error{made.error().message};
    const std::size_t bytes = indicator_bytes(**made);
    if (!vm_->charge(bytes)) {
      return Error{fmt::format("{} needs about {}, more than is left of the memory budget ({} indicators so far)",
                               spec, describe_bytes(bytes), indicators_->size())};
    }
    entry = &indicators_->add({code, minutes, std::string(spec), std::move(*made), bytes});
    if (delivering_bar_ != nullptr && delivering_bar_->code == code && delivering_bar_->minutes == minutes) {
      entry->indicator->update(*delivering_bar_);
    }
  }
  indicator_cache_.emplace(key, entry);
  return entry->indicator.get();
}

bool Script::adopt(const Script& previous) {
  if (!vm_->charge(previous.indicators_->bytes())) return false;
  indicators_ = previous.indicators_;
  watchlist_ = previous.watchlist_;
  watch_set_ = previous.watch_set_;
  return true;
}

// ---------------------------------------------------------------- callbacks

bool Script::on_init(const Saved* saved) {
  initialised_ = true;
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

Status Script::self_check() {
  SelfCheckAnswer verdict;
  const Fault fault = call(Callback::SelfCheck, [](lua_State*) { return 0; }, verdict);
  const std::string label = fmt::format("{} '{}'", role_label(role()), name());
  if (fault != Fault::None) return Error{fmt::format("{}: {}", label, last_error_)};
  if (!verdict.passed) {
    return Error{fmt::format("{}: {}: self_check returned false{}{}", label, spec_.path,
                             verdict.why.empty() ? "" : ": ", verdict.why)};
  }
  return {};
}

Result<Saved> Script::hand_over() {
  SavedAnswer take;
  const Fault fault = call(Callback::Reload, [](lua_State*) { return 0; }, take);
  if (fault != Fault::None) return Error{fmt::format("{} '{}': {}", role_label(role()), name(), last_error_)};
  return std::move(take.saved);
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
  if (!indicators_->empty()) indicators_->update(bar);
  if (!has(Callback::Bar)) return;
  delivering_bar_ = &bar;
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
  delivering_bar_ = nullptr;
}

void Script::on_book(const Book& book, const EventTime& time) {
  deliver_event(Callback::Book, [&](EventTable& e) {
    e.set_pushed(kCode, [&](lua_State* S) { push_code(S, book.code); });
    e.set(kTime, time.epoch);
    e.set_pushed(kDate, [&](lua_State* S) { push_date(S, time); });
    e.set(kHhmm, time.hhmm);
    lua_State* L = e.state();
    e.push_field(kAsks);
    fill_levels(L, book.asks);
    lua_pop(L, 1);
    e.push_field(kBids);
    fill_levels(L, book.bids);
    lua_pop(L, 1);
  });
}

void Script::on_condition(StockCode code, std::string_view condition, std::string_view kind,
                          const EventTime& time) {
  deliver_event(Callback::Condition, [&](EventTable& e) {
    e.set_pushed(kCode, [&](lua_State* S) { push_code(S, code); });
    e.set(kCondition, condition);
    e.set(kKind, kind);
    e.set(kTime, time.epoch);
    e.set_pushed(kDate, [&](lua_State* S) { push_date(S, time); });
    e.set(kHhmm, time.hhmm);
  });
}

void Script::on_scan(std::string_view kind, std::span<const ScanItem> items, const EventTime& time) {
  // Scans come every few seconds at most: a fresh table each, which a script may keep.
  call(
      Callback::Scan,
      [&](lua_State* L) {
        lua_createtable(L, 0, 5);
        lua_pushlstring(L, kind.data(), kind.size());
        lua_setfield(L, -2, "kind");
        lua_pushnumber(L, time.epoch);
        lua_setfield(L, -2, "time");
        push_date(L, time);
        lua_setfield(L, -2, "date");
        lua_pushnumber(L, time.hhmm);
        lua_setfield(L, -2, "hhmm");
        lua_createtable(L, static_cast<int>(items.size()), 0);
        for (std::size_t i = 0; i < items.size(); ++i) {
          const ScanItem& item = items[i];
          lua_createtable(L, 0, 7);
          push_code(L, item.code);
          lua_setfield(L, -2, "code");
          lua_pushnumber(L, item.rank);
          lua_setfield(L, -2, "rank");
          lua_pushnumber(L, static_cast<double>(item.price.value()));
          lua_setfield(L, -2, "price");
          lua_pushnumber(L, item.change_pct);
          lua_setfield(L, -2, "change_pct");
          lua_pushnumber(L, static_cast<double>(item.volume.value()));
          lua_setfield(L, -2, "volume");
          lua_pushnumber(L, static_cast<double>(item.value.value()));
          lua_setfield(L, -2, "value");
          lua_pushnumber(L, item.surge_pct);
          lua_setfield(L, -2, "surge_pct");
          lua_rawseti(L, -2, static_cast<int>(i) + 1);
        }
        lua_setfield(L, -2, "items");
        return 1;
      },
      IgnoreResult{});
}

void Script::on_session(std::string_view phase) {
  call(
      Callback::Session,
      [&](lua_State* L) {
        lua_pushlstring(L, phase.data(), phase.size());
        return 1;
      },
      IgnoreResult{});
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

// ---------------------------------------------------------------- risk check

namespace {

// What R.check returned, read inside the protected call and judged outside it.
struct RiskAnswer {
  static constexpr int kResults = 2;
  enum class Kind { Allow, Veto, Shrink, Invalid } kind = Kind::Allow;
  std::optional<double> qty;
  std::optional<double> amount;
  std::string reason;
  std::string problem;  // Invalid: what was wrong with it

  void operator()(lua_State* L) {
    const int first = lua_gettop(L) - 1;
    switch (lua_type(L, first)) {
      case LUA_TNIL: kind = Kind::Allow; return;
      case LUA_TBOOLEAN:
        if (lua_toboolean(L, first) != 0) return;
        kind = Kind::Veto;
        if (lua_type(L, first + 1) == LUA_TSTRING) reason = lua_tostring(L, first + 1);
        return;
      case LUA_TTABLE: read_shrink(L, first); return;
      default:
        kind = Kind::Invalid;
        problem = fmt::format("check returned a {}; return true, false and a reason, or {{ qty = ... }} / "
                              "{{ amount = ... }} to shrink", luaL_typename(L, first));
    }
  }

  void read_shrink(lua_State* L, int table) {
    kind = Kind::Shrink;
    lua_pushnil(L);
    while (lua_next(L, table) != 0) {
      const std::string key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : std::string("?");
      if ((key == "qty" || key == "amount") && lua_type(L, -1) == LUA_TNUMBER) {
        (key == "qty" ? qty : amount) = lua_tonumber(L, -1);
      } else if (key == "reason" && lua_type(L, -1) == LUA_TSTRING) {
        reason = lua_tostring(L, -1);
      } else if (problem.empty()) {
        problem = fmt::format("check may only shrink qty or amount, but its table sets '{}' to a {}", key,
                              luaL_typename(L, -1));
      }
      lua_pop(L, 1);
    }
    if (!problem.empty()) {
      kind = Kind::Invalid;
    } else if (qty.has_value() == amount.has_value()) {
      kind = Kind::Invalid;
      problem = "check's table must set exactly one of qty or amount";
    }
  }
};

bool positive_whole(double v) { return v >= 1 && v <= kMaxWhole && std::floor(v) == v; }

}  // namespace

bool Script::check(const Intent& intent, RiskVerdict& verdict) {
  const auto veto = [&](const std::string& why) {
    verdict.allowed = false;
    verdict.reason = fmt::format("{}: {}", name(), why);
    return false;
  };
  // A broken script (it failed, answered what cannot be honoured, or is
  // disabled) fails closed for entries and open for exits: a veto script
  // that needs fixing must never keep a losing position open.
  const auto broken = [&](std::string_view what, const std::string& detail) {
    if (intent.side == Side::Sell) {
      log::lua().warn("[{}] {}, but {}'s sell of {} passes (a broken risk script never blocks an exit): {}",
                      name(), what, intent.strategy, intent.code.view(), detail);
      return true;
    }
    return veto(fmt::format("{}, so the buy is refused: {}", what, detail));
  };
  if (!enabled()) return broken("disabled until it is reloaded", last_error_);
  RiskAnswer answer;
  const Fault fault = call(
      Callback::Check,
      [&](lua_State* L) {
        lua_createtable(L, 0, 9);
        lua_pushlstring(L, intent.strategy.data(), intent.strategy.size());
        lua_setfield(L, -2, "strategy");
        push_code(L, intent.code);
        lua_setfield(L, -2, "code");
        const auto side = to_string(intent.side);
        lua_pushlstring(L, side.data(), side.size());
        lua_setfield(L, -2, "side");
        const auto type = to_string(intent.type);
        lua_pushlstring(L, type.data(), type.size());
        lua_setfield(L, -2, "type");
        if (intent.type == OrderType::Limit) {
          lua_pushnumber(L, static_cast<double>(intent.limit.value()));
          lua_setfield(L, -2, "price");
        }
        if (verdict.qty.value() > 0) {
          lua_pushnumber(L, static_cast<double>(verdict.qty.value()));
          lua_setfield(L, -2, "qty");
        }
        if (verdict.amount.value() > 0) {
          lua_pushnumber(L, static_cast<double>(verdict.amount.value()));
          lua_setfield(L, -2, "amount");
        }
        lua_pushlstring(L, intent.reason.data(), intent.reason.size());
        lua_setfield(L, -2, "reason");
        if (!intent.condition.empty()) {
          lua_pushlstring(L, intent.condition.data(), intent.condition.size());
          lua_setfield(L, -2, "condition");
        }
        return 1;
      },
      answer);
  if (fault != Fault::None) return broken("failed", last_error_);
  switch (answer.kind) {
    case RiskAnswer::Kind::Allow: return true;
    case RiskAnswer::Kind::Veto: return veto(answer.reason.empty() ? std::string("vetoed") : answer.reason);
    case RiskAnswer::Kind::Shrink: break;
    case RiskAnswer::Kind::Invalid: break;
  }
  std::string problem = answer.problem;
  if (problem.empty() && answer.qty) {
    Qty ceiling = verdict.qty;
    if (verdict.qty.value() == 0 && verdict.amount.value() == 0) {  // a sell of the whole position
      const Position* held = api().position(intent.code);
      ceiling = held != nullptr ? held->qty : Qty(0);
    }
    if (verdict.amount.value() > 0) {
      problem = "check returned { qty = ... } for an intent sized by amount; shrink its amount";
    } else if (!positive_whole(*answer.qty) || *answer.qty > static_cast<double>(ceiling.value())) {
      problem = fmt::format("check may only shrink qty to a whole number from 1 to {}, got {}", ceiling.value(),
                            *answer.qty);
    } else {
      verdict.qty = Qty(static_cast<std::int64_t>(*answer.qty));
    }
  } else if (problem.empty() && answer.amount) {
    if (verdict.amount.value() == 0) {
      problem = "check returned { amount = ... } for an intent sized by qty; shrink its qty";
    } else if (!positive_whole(*answer.amount) || *answer.amount > static_cast<double>(verdict.amount.value())) {
      problem = fmt::format("check may only shrink amount to a whole number from 1 to {}, got {}",
                            verdict.amount.value(), *answer.amount);
    } else {
      verdict.amount = Krw(static_cast<std::int64_t>(*answer.amount));
    }
  }
  if (!problem.empty()) {
    // An answer the host cannot honour is the script's error; the intent is judged as by a broken script.
    ++errors_;
    last_error_ = fmt::format("check: {}: {}", spec_.path, problem);
    log::lua().error("[{}] {} (error #{}) on the {} of {} on {}", name(), last_error_, errors_,
                     to_string(intent.side), intent.strategy, intent.code.view());
    if (error_rate_exceeded()) {
      disable(fmt::format("disabled after {} errors within {} s; the last: {}", shared_.options.max_errors,
                          shared_.options.error_window.count(), last_error_),
              Location{spec_.path, 0});
    }
    return broken("invalid answer", problem);
  }
  log::lua().info("[{}] shrank {}'s {} {} to {}{}", name(), intent.strategy, to_string(intent.side),
                  intent.code.view(),
                  verdict.qty.value() > 0 ? fmt::format("{} shares", verdict.qty.value())
                                          : fmt::format("{} won", verdict.amount.value()),
                  answer.reason.empty() ? "" : ": " + answer.reason);
  return true;
}

}  // namespace dalbit::lua::detail
