// One loaded script, a strategy or a risk script: its Vm, the callbacks it
// defines, its ctx, what it subscribed to, its timers and the event tables it
// is handed (internal to src/lua).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "config/config.h"
#include "core/types.h"
#include "lua/host.h"
#include "lua/vm.h"
#include "ta/registry.h"

namespace dalbit::lua::detail {

enum class Role : std::uint8_t { Strategy, Risk };

enum class Callback : std::uint8_t {
  Init, Tick, Bar, Order, Fill, Reload, Timer, Session, Book, Condition, Scan, SelfCheck, Check
};
inline constexpr std::size_t kCallbackCount = 13;
[[nodiscard]] std::string_view callback_name(Callback cb);  // "on_bar", "self_check", "check"
// The callbacks a script of `role` may define.
[[nodiscard]] bool allowed(Role role, Callback cb);

// Bar intervals a strategy may subscribe to, in minutes.
inline constexpr std::array<int, 5> kBarMinutes = {1, 3, 5, 15, 60};
// Kinds of market scans (rankings) a strategy may subscribe to.
inline constexpr std::array<std::string_view, 4> kScanKinds = {"volume_surge", "change_rate", "volume_top",
                                                               "value_top"};

// StockCode's own hash runs a byte hash over the six characters; this is per event.
struct CodeHash {
  std::size_t operator()(StockCode code) const noexcept {
    std::uint64_t packed = 0;
    std::memcpy(&packed, code.view().data(), StockCode::kLength);
    return static_cast<std::size_t>(packed * 0x9E3779B97F4A7C15ull);
  }
};

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

// A script name is also a file name under its directory: letters, digits,
// '_' and '-', at most 64 of them (no separators, no "..").
[[nodiscard]] bool valid_script_name(std::string_view name);

// "path:12: message" -> {path, 12}; {"", 0} when the message names no line.
struct Location {
  std::string file;
  int line = 0;
};
[[nodiscard]] Location location_of(std::string_view message);

struct ScriptSpec {
  Role role = Role::Strategy;
  std::string name;        // "rsi"; "risk/rebuy" for a risk script
  std::string path;        // <dir>/<file name>.lua
  config::Params params;   // the config's overrides of S.params
  Budgets budgets;
};

// The indicators ctx:indicator made, by code, bar interval and spec. Kept
// by the host across reloads: a new version continues their history.
class IndicatorStore {
 public:
  struct Entry {
    StockCode code;
    int minutes = 1;
    std::string spec;  // as the script wrote it
    std::unique_ptr<ta::Indicator> indicator;
    std::size_t bytes = 0;  // charged to the script's memory budget
  };

  [[nodiscard]] Entry* find(StockCode code, int minutes, std::string_view spec) const;
  Entry& add(Entry entry);
  // Updates every indicator of the bar's code and interval.
  void update(const Bar& bar);
  [[nodiscard]] bool empty() const { return entries_.empty(); }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] std::size_t bytes() const { return bytes_; }
  // Drops the entries added after the first `n` (a reload that failed).
  void truncate(std::size_t n);

 private:
  using SeriesKey = std::pair<StockCode, int>;
  struct SeriesHash {
    std::size_t operator()(const SeriesKey& k) const noexcept {
      return CodeHash{}(k.first) ^ static_cast<std::size_t>(k.second);
    }
  };
  void index(Entry& entry);

  std::vector<std::unique_ptr<Entry>> entries_;  // creation order
  std::unordered_map<SeriesKey, std::vector<Entry*>, SeriesHash> by_series_;
  std::map<std::tuple<StockCode, int, std::string>, Entry*, std::less<>> by_spec_;
  std::size_t bytes_ = 0;
};

// What the host's scripts share: the engine, the host's clock and the
// reporting of events. Owned by the host.
struct Shared {
  StrategyApi& api;
  const HostOptions& options;
  // The host's clock state, kept in Host itself so that its inline on_clock
  // costs one comparison: the last on_clock (none before the first), and the
  // earliest due timer of any script (min until the first clock).
  std::optional<Timestamp>& clock;
  Timestamp& next_timer;
  std::uint64_t timer_seq = 0;                     // creation order of timers, across scripts
  bool subscriptions_changed = false;              // recompute the host's routing
  void report(HostEvent event) const;
};

// Plain data handed from one version of a strategy to the next (on_reload's
// result to the new on_init). The versions live in different Lua states, so
// it is copied out of one and into the other.
struct Saved {
  // nil, a boolean, a number, a string, or a table as key, value, key, value...
  std::variant<std::monostate, bool, double, std::string, std::vector<Saved>> value;
};

// What a strategy subscribed to (ctx:subscribe); until it subscribes, the
// defaults: 1-minute bars, and ticks when it defines on_tick.
struct Subscription {
  bool explicit_ = false;
  bool ticks = false;
  std::array<bool, kBarMinutes.size()> bars{};
  int primary_minutes = 1;  // the interval ctx:indicator uses by default: the first subscribed
  bool book = false;
  std::vector<std::string> conditions;
  std::array<bool, kScanKinds.size()> scans{};
};

struct Timer {
  std::uint64_t id = 0;
  std::uint64_t seq = 0;     // creation order, across scripts
  std::string name;
  Timestamp due;
  Duration delay{};          // until the first firing
  Duration period{};         // zero for ctx:after
  bool anchored = true;      // false while the host has no clock yet (due = then + delay)
};

// Something a load noticed: a callback that would never be called (a
// mistake), or an S.name that differs from the file name (a warning).
struct LoadNote {
  bool mistake = false;
  std::string key;   // the field of S it is about ("on_bars", "name")
  std::string text;  // "<path>: ..."
};

class Script {
 public:
  // Loads the file; `notes` (optional) receives what is suspicious but does
  // not stop the load (also logged as warnings).
  static Result<std::unique_ptr<Script>> load(const ScriptSpec& spec, Shared& shared,
                                              std::vector<LoadNote>* notes = nullptr);

  [[nodiscard]] const std::string& name() const { return spec_.name; }
  [[nodiscard]] const ScriptSpec& spec() const { return spec_; }
  [[nodiscard]] Role role() const { return spec_.role; }
  [[nodiscard]] bool enabled() const { return vm_ != nullptr; }
  [[nodiscard]] bool has(Callback cb) const {
    return enabled() && callbacks_[static_cast<std::size_t>(cb)] != LUA_NOREF;
  }
  [[nodiscard]] std::uint64_t errors() const { return errors_; }
  [[nodiscard]] const std::string& last_error() const { return last_error_; }
  [[nodiscard]] bool initialised() const { return initialised_; }
  // S.params as the script declares it: name -> "a number", "a string", ...
  [[nodiscard]] const std::map<std::string, std::string_view>& declared_params() const { return declared_params_; }

  // --- routing (the host asks these per event; cheap)
  [[nodiscard]] bool takes_ticks() const { return takes_ticks_; }
  [[nodiscard]] bool takes_bars(int minutes) const;
  [[nodiscard]] bool takes_book() const { return enabled() && subscription_.book && has(Callback::Book); }
  [[nodiscard]] bool takes_condition(std::string_view condition) const;
  [[nodiscard]] bool takes_scan(std::size_t kind) const;
  [[nodiscard]] bool watches(StockCode code) const { return watch_set_.empty() || watch_set_.contains(code); }
  [[nodiscard]] const Subscription& subscription() const { return subscription_; }
  [[nodiscard]] const std::vector<StockCode>& watchlist() const { return watchlist_; }
  // Recomputes takes_ticks() (after a subscription change or a disable).
  void refresh_routing();
  // Stops the script for good: logs nothing itself, reports a HostEvent.
  void disable(const std::string& why, const Location& at);

  // --- callbacks. False when the callback raised an error.
  bool on_init(const Saved* saved);
  // S.self_check(ctx): an error when it raises or returns false.
  [[nodiscard]] Status self_check();
  // What on_reload(ctx) returns, for the next version; nil when the strategy
  // has no on_reload or is disabled. An error when on_reload fails or returns
  // something that is not plain data.
  [[nodiscard]] Result<Saved> hand_over();
  void on_tick(const Tick& tick, const EventTime& time);
  void on_bar(const Bar& bar, const EventTime& time);
  void on_book(const Book& book, const EventTime& time);
  void on_condition(StockCode code, std::string_view condition, std::string_view kind, const EventTime& time);
  void on_scan(std::string_view kind, std::span<const ScanItem> items, const EventTime& time);
  void on_session(std::string_view phase);
  void on_order(const Order& order);
  void on_fill(const Fill& fill);
  // Risk scripts: R.check(ctx, intent) applied to `verdict` (which holds the
  // size so far). False when this script vetoed or failed (closed).
  bool check(const Intent& intent, RiskVerdict& verdict);

  // --- timers
  [[nodiscard]] Timestamp next_due() const { return next_due_; }  // max when none
  // The earliest timer due at `now` among those made before `seq_limit`: (due, seq).
  [[nodiscard]] std::optional<std::pair<Timestamp, std::uint64_t>> due_timer(Timestamp now,
                                                                           std::uint64_t seq_limit) const;
  // Calls on_timer for the timer `seq` and reschedules (every) or drops (after) it.
  void fire_timer(std::uint64_t seq, Timestamp now);
  // Gives the timers made before the host had a clock their due time.
  void anchor_timers(Timestamp now);

  // --- reload
  [[nodiscard]] const std::shared_ptr<IndicatorStore>& indicators() const { return indicators_; }
  // Takes over the previous version's indicators and watchlist; false when
  // the indicators do not fit this version's memory budget.
  [[nodiscard]] bool adopt(const Script& previous);

  // --- for the ctx bindings
  [[nodiscard]] StrategyApi& api() const { return shared_.api; }
  [[nodiscard]] Shared& shared() const { return shared_; }
  [[nodiscard]] Vm& vm() const { return *vm_; }
  [[nodiscard]] const void* ctx_block() const { return ctx_block_; }
  [[nodiscard]] int spec_anchor() const { return spec_anchor_ref_; }  // registry table of spec strings
  void set_ctx_block(const void* block) { ctx_block_ = block; }
  // Pushes the code as a Lua string, interned once per code (no garbage per event).
  void push_code(lua_State* L, StockCode code);
  void subscribe(const Subscription& subscription);
  // Watchlist changes; false when the list is full (watch) or had no such code (unwatch).
  bool watch(StockCode code);
  bool unwatch(StockCode code);
  // A new timer; its id.
  std::uint64_t add_timer(std::string name, Duration delay, Duration period);
  bool cancel_timer(std::uint64_t id);
  [[nodiscard]] std::size_t timer_count() const { return timers_.size(); }
  // ctx:indicator's instance for (code, minutes, spec), made on first use
  // (and fed the bar being delivered when it is of that series). `spec_key`
  // is the interned Lua string of the spec, for a lookup without hashing it.
  // An error message when the spec is bad or does not fit the memory budget.
  [[nodiscard]] Result<const ta::Indicator*> indicator(StockCode code, int minutes, std::string_view spec,
                                                       const void* spec_key);

 private:
  friend struct Setup;
  template <class PushArgs, class TakeResult>
  friend class Call;

  Script(ScriptSpec spec, Shared& shared, std::unique_ptr<Vm> vm);
  void push_date(lua_State* L, const EventTime& time);
  // The one way a callback is called (see Call); returns its fault, or None
  // when the script does not define it or is disabled.
  template <class PushArgs, class TakeResult>
  Fault call(Callback cb, PushArgs push_args, TakeResult&& take_result);
  template <class FillEvent>
  void deliver_event(Callback cb, FillEvent fill_event);
  void report(Callback cb, Fault fault);
  // Counts an error at the engine's time; true when the rate limit is hit.
  bool error_rate_exceeded();
  void recompute_next_due();

  ScriptSpec spec_;
  Shared& shared_;
  std::unique_ptr<Vm> vm_;  // null once disabled
  std::array<int, kCallbackCount> callbacks_;
  std::array<int, kCallbackCount> event_tables_;  // reused per kind of event
  int ctx_ref_ = LUA_NOREF;
  const void* ctx_block_ = nullptr;
  std::unordered_map<StockCode, int, CodeHash> code_refs_;
  int field_names_ref_ = LUA_NOREF;
  int date_ref_ = LUA_NOREF;  // the date string of date_day_
  std::int64_t date_day_ = std::numeric_limits<std::int64_t>::min();
  std::uint64_t errors_ = 0;
  std::string last_error_;
  std::deque<Timestamp> recent_errors_;  // engine times of the latest errors, at most max_errors
  bool initialised_ = false;
  std::map<std::string, std::string_view> declared_params_;

  Subscription subscription_;
  bool takes_ticks_ = false;
  std::vector<StockCode> watchlist_;  // in the order watched
  std::unordered_set<StockCode, CodeHash> watch_set_;

  std::vector<Timer> timers_;
  std::uint64_t next_timer_id_ = 1;
  Timestamp next_due_ = Timestamp::max();

  std::shared_ptr<IndicatorStore> indicators_ = std::make_shared<IndicatorStore>();
  std::size_t adopted_indicators_ = 0;  // entries that came from the previous version
  // (code, minutes, interned spec string) -> entry; the spec strings are
  // anchored in the registry, so their addresses stay unique.
  struct SpecKey {
    StockCode code;
    int minutes;
    const void* spec;
    friend bool operator==(const SpecKey&, const SpecKey&) = default;
  };
  struct SpecKeyHash {
    std::size_t operator()(const SpecKey& k) const noexcept {
      return CodeHash{}(k.code) ^ (std::hash<const void*>{}(k.spec) * 31) ^ static_cast<std::size_t>(k.minutes);
    }
  };
  std::unordered_map<SpecKey, IndicatorStore::Entry*, SpecKeyHash> indicator_cache_;
  int spec_anchor_ref_ = LUA_NOREF;
  const Bar* delivering_bar_ = nullptr;  // during on_bar
};

}  // namespace dalbit::lua::detail
