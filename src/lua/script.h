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

#include "config/config.h"
#include "core/types.h"
#include "lua/host.h"
#include "lua/vm.h"

namespace dalbit::lua::detail {

enum class Callback : std::uint8_t { Init, Tick, Bar, Order, Fill };
inline constexpr std::size_t kCallbackCount = 5;
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
  std::string path;               // <strategies_dir>/<name>.lua
  const config::Params* params;   // the config's overrides; may be null
  Budgets budgets;
};

class Script {
 public:
  static Result<std::unique_ptr<Script>> load(const ScriptSpec& spec, StrategyApi& api);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] bool enabled() const { return vm_ != nullptr; }
  [[nodiscard]] bool has(Callback cb) const {
    return enabled() && callbacks_[static_cast<std::size_t>(cb)] != LUA_NOREF;
  }
  [[nodiscard]] std::uint64_t errors() const { return errors_; }
  [[nodiscard]] const std::string& last_error() const { return last_error_; }

  void on_init();
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
  template <class FillEvent>
  friend class Delivery;

  // StockCode's own hash runs a byte hash over the six characters; this is per event.
  struct CodeHash {
    std::size_t operator()(StockCode code) const noexcept {
      std::uint64_t packed = 0;
      std::memcpy(&packed, code.view().data(), StockCode::kLength);
      return static_cast<std::size_t>(packed * 0x9E3779B97F4A7C15ull);
    }
  };

  Script(std::string name, StrategyApi& api, std::unique_ptr<Vm> vm);
  void push_date(lua_State* L, const EventTime& time);
  template <class FillEvent>
  void deliver(Callback cb, FillEvent fill_event);
  void report(Callback cb, Fault fault);

  std::string name_;
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
