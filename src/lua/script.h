// One loaded strategy: its Vm, the callbacks it defines, its ctx and the
// event tables it is handed (internal to src/lua).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "config/config.h"
#include "core/types.h"
#include "lua/host.h"
#include "lua/vm.h"

namespace dalbit::lua::detail {

enum class Callback : std::uint8_t { Init, Tick, Bar, Order, Fill, Reload };
inline constexpr std::size_t kCallbackCount = 6;
[[nodiscard]] std::string_view callback_name(Callback cb);  // "on_bar"

// An event's time as scripts see it; computed once per event for all scripts.
struct EventTime {
  double epoch = 0;       // seconds since 1970-01-01 UTC, fraction below the second
  int hhmm = 0;           // KST, 901 for 09:01
  std::int64_t day = 0;   // KST days since 1970-01-01: `date` changes with it
  std::string_view date;  // KST, "2026-01-05"
};

// Computes EventTime, formatting the date only when the KST day changes.
class EventClock {
 public:
  [[nodiscard]] EventTime at(Timestamp t);

 private:
  std::int64_t day_ = std::numeric_limits<std::int64_t>::min();
  std::string date_;
};

[[nodiscard]] double epoch_seconds(Timestamp t);

struct ScriptSpec {
  std::string name;
  std::string path;        // <strategies_dir>/<name>.lua
  config::Params params;   // the config's overrides of S.params
  Budgets budgets;
};

// Plain data handed from one version of a strategy to the next (on_reload's
// result to the new on_init). The versions live in different Lua states, so
// it is copied out of one and into the other.
struct Saved {
  // nil, a boolean, a number, a string, or a table as key, value, key, value...
  std::variant<std::monostate, bool, double, std::string, std::vector<Saved>> value;
};

class Script {
 public:
  static Result<std::unique_ptr<Script>> load(const ScriptSpec& spec, StrategyApi& api);

  [[nodiscard]] const std::string& name() const { return spec_.name; }
  [[nodiscard]] const ScriptSpec& spec() const { return spec_; }
  [[nodiscard]] bool enabled() const { return vm_ != nullptr; }
  [[nodiscard]] bool has(Callback cb) const {
    return enabled() && callbacks_[static_cast<std::size_t>(cb)] != LUA_NOREF;
  }
  [[nodiscard]] std::uint64_t errors() const { return errors_; }
  [[nodiscard]] const std::string& last_error() const { return last_error_; }

  // False when on_init raised an error (or the strategy was disabled by it).
  bool on_init(const Saved* saved);
  // What on_reload(ctx) returns, for the next version; nil when the strategy
  // has no on_reload or is disabled. An error when on_reload fails or returns
  // something that is not plain data.
  [[nodiscard]] Result<Saved> hand_over();
  void on_tick(const Tick& tick, const EventTime& time);
  void on_bar(const Bar& bar, const EventTime& time);
  void on_order(const Order& order);
  void on_fill(const Fill& fill);

  // For the ctx bindings.
  [[nodiscard]] StrategyApi& api() const { return api_; }
  [[nodiscard]] const void* ctx_block() const { return ctx_block_; }
  void set_ctx_block(const void* block) { ctx_block_ = block; }
  // Pushes the code as a Lua string, interned once per code (no garbage per event).
  void push_code(lua_State* L, StockCode code);

 private:
  friend struct Setup;
  template <class PushArgs, class TakeResult>
  friend class Call;

  // StockCode's own hash runs a byte hash over the six characters; this is per event.
  struct CodeHash {
    std::size_t operator()(StockCode code) const noexcept {
      std::uint64_t packed = 0;
      std::memcpy(&packed, code.view().data(), StockCode::kLength);
      return static_cast<std::size_t>(packed * 0x9E3779B97F4A7C15ull);
    }
  };

  Script(ScriptSpec spec, StrategyApi& api, std::unique_ptr<Vm> vm);
  void push_date(lua_State* L, const EventTime& time);
  // The one way a callback is called (see Call); returns its fault, or None
  // when the strategy does not define it or is disabled.
  template <class PushArgs, class TakeResult>
  Fault call(Callback cb, PushArgs push_args, TakeResult take_result);
  template <class FillEvent>
  void deliver_event(Callback cb, FillEvent fill_event);
  void report(Callback cb, Fault fault);

  ScriptSpec spec_;
  StrategyApi& api_;
  std::unique_ptr<Vm> vm_;  // null once disabled
  std::array<int, kCallbackCount> callbacks_;
  std::array<int, kCallbackCount> event_tables_;  // none for on_init
  int ctx_ref_ = LUA_NOREF;
  const void* ctx_block_ = nullptr;
  std::unordered_map<StockCode, int, CodeHash> code_refs_;
  int field_names_ref_ = LUA_NOREF;
  int date_ref_ = LUA_NOREF;  // the date string of date_day_
  std::int64_t date_day_ = std::numeric_limits<std::int64_t>::min();
  std::uint64_t errors_ = 0;
  std::string last_error_;
};

}  // namespace dalbit::lua::detail
