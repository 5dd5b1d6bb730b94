#include "lua/host.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <set>
#include <variant>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "log/log.h"
#include "lua/bars.h"
#include "lua/script.h"

namespace dalbit::lua {
namespace {

using detail::Callback;
using detail::Role;
using detail::Script;

constexpr std::string_view kRiskPrefix = "risk/";
constexpr std::array<std::string_view, 4> kPhases = {"pre_open", "open", "closing", "closed"};

struct InitEvent {};
struct ClockEvent {
  Timestamp now;
};
struct SessionEvent {
  std::string phase;
};
struct FillEvent {
  Fill fill;
  Order order;
};
struct ConditionEvent {
  StockCode code;
  std::string condition;
  std::string kind;
};
struct ScanEvent {
  std::string kind;
  std::vector<ScanItem> items;
};
using QueuedEvent = std::variant<InitEvent, ClockEvent, SessionEvent, Tick, Bar, Book, ConditionEvent, ScanEvent,
                                 Order, FillEvent>;

}  // namespace

std::string_view to_string(HostEvent::Kind kind) {
  switch (kind) {
    case HostEvent::Kind::Reloaded: return "reloaded";
    case HostEvent::Kind::ReloadFailed: return "reload failed";
    case HostEvent::Kind::Disabled: return "disabled";
  }
  return "?";
}

std::string describe(const HostEvent& event) {
  return fmt::format("[{}] {}: {}", event.script, to_string(event.kind), event.message);
}

struct Host::Impl {
  Impl(StrategyApi& a, HostOptions o, std::optional<Timestamp>& last_clock, Timestamp& next_timer, bool& ticks)
      : options(std::move(o)), shared{a, options, last_clock, next_timer, 0, false}, wants_ticks(ticks) {}

  [[nodiscard]] Script* find(std::string_view name) const {
    for (const auto* list : {&scripts, &risks}) {
      for (const auto& s : *list) {
        if (s->name() == name) return s.get();
      }
    }
    return nullptr;
  }

  // Delivers now, or after the running callback when called from inside one.
  template <class Event>
  void post(Event&& event) {
    if (busy) {
      queued.emplace_back(std::forward<Event>(event));
      return;
    }
    exclusively([&] { dispatch(event); });
  }

  // Runs `f` (which calls scripts) with the events it raises held back, then
  // delivers those in order and brings the routing up to date.
  template <class F>
  void exclusively(F&& f) {
    struct Busy {
      bool& flag;
      explicit Busy(bool& b) : flag(b) { flag = true; }
      ~Busy() { flag = false; }
    } busy_while_running(busy);
    f();
    while (!queued.empty()) {
      const QueuedEvent next = std::move(queued.front());
      queued.pop_front();
      std::visit([this](const auto& e) { dispatch(e); }, next);
    }
    if (shared.subscriptions_changed) refresh_routing();
  }

  // After subscriptions, watchlists or the set of enabled scripts changed.
  void refresh_routing() {
    shared.subscriptions_changed = false;
    wants_ticks = false;
    for (const auto& s : scripts) wants_ticks = wants_ticks || s->takes_ticks();
    std::vector<std::unique_ptr<detail::BarAggregator>> kept;
    for (const int minutes : detail::kBarMinutes) {
      if (minutes == 1) continue;
      const bool needed = std::any_of(scripts.begin(), scripts.end(),
                                      [minutes](const auto& s) { return s->takes_bars(minutes); });
      if (!needed) continue;
      const auto existing = std::find_if(aggregators.begin(), aggregators.end(),
                                         [minutes](const auto& a) { return a && a->minutes() == minutes; });
      if (existing != aggregators.end()) {
        kept.push_back(std::move(*existing));
      } else {
        // Bars up to the last one seen were missed: a bucket that holds them is incomplete.
        const Timestamp from = last_bar_start ? *last_bar_start + std::chrono::minutes(1) : Timestamp::min();
        kept.push_back(std::make_unique<detail::BarAggregator>(minutes, options.sessions, from));
      }
    }
    aggregators = std::move(kept);
    recompute_next_timer();
  }

  void recompute_next_timer() {
    if (!shared.clock) return;  // stays min: the first clock anchors the timers made before it
    shared.next_timer = Timestamp::max();
    for (const auto& s : scripts) {
      if (s->enabled()) shared.next_timer = std::min(shared.next_timer, s->next_due());
    }
  }

  void report_failure(HostEvent::Kind kind, const std::string& script, const std::string& message,
                      const std::string& fallback_file) {
    const detail::Location at = detail::location_of(message);
    shared.report({kind, script, at.file.empty() ? fallback_file : at.file, at.line, message});
  }

  // Replaces `current` by a fresh load of its file, or leaves it alone.
  Status replace(std::unique_ptr<Script>& current) {
    const std::string name = current->name();
    const std::string label = current->role() == Role::Strategy ? "strategy" : "risk script";
    const auto kept_indicators = current->indicators()->size();
    const auto refuse = [&](const std::string& why) -> Status {
      current->indicators()->truncate(kept_indicators);
      log::lua().error("[{}] reload failed, the version loaded before stays: {}", name, why);
      report_failure(HostEvent::Kind::ReloadFailed, name, why, current->spec().path);
      return Error{why};
    };
    auto fresh = Script::load(current->spec(), shared);
    if (!fresh) return refuse(fresh.error().message);
    if (!(*fresh)->adopt(*current)) {
      return refuse(fmt::format("{} '{}': the {} indicators of the running version do not fit the new "
                                "version's memory budget", label, name, current->indicators()->size()));
    }
    const auto saved = current->hand_over();
    if (!saved) return refuse(saved.error().message);
    if (!(*fresh)->on_init(&*saved)) {
      return refuse(fmt::format("{} '{}': the new version's {}", label, name, (*fresh)->last_error()));
    }
    if (const Status checked = (*fresh)->self_check(); !checked) {
      return refuse(fmt::format("the new version of {}", checked.message()));
    }
    current = std::move(*fresh);
    shared.subscriptions_changed = true;
    log::lua().info("[{}] reloaded", name);
    shared.report({HostEvent::Kind::Reloaded, name, current->spec().path, 0, "the new version runs"});
    return {};
  }

  // A script whose on_init fails does not start: it would run on a state its
  // author never saw complete (a reload keeps the old version instead).
  void start(Script& s) {
    if (!s.on_init(nullptr)) {
      if (!s.enabled()) return;  // stopped by a budget: disabled and reported already
      const std::string why = fmt::format("not started: {}", s.last_error());
      log::lua().error("[{}] disabled: {}", s.name(), why);
      s.disable(why, detail::location_of(s.last_error()));
      return;
    }
    if (const Status checked = s.self_check(); !checked) {
      log::lua().error("[{}] disabled: {}", s.name(), checked.message());
      s.disable(checked.message(), detail::location_of(checked.message()));
    }
  }

  Status load_scripts(Role role, const std::vector<std::string>& names,
                      const std::map<std::string, config::Params>& params) {
    const std::string_view label = role == Role::Strategy ? "strategy" : "risk script";
    const std::string& dir = role == Role::Strategy ? options.strategies_dir : options.risk_dir;
    auto& into = role == Role::Strategy ? scripts : risks;
    std::vector<std::string> problems;
    std::vector<std::unique_ptr<Script>> loaded;
    std::set<std::string_view> seen;
    for (const auto& name : names) {
      const std::string full = role == Role::Strategy ? name : std::string(kRiskPrefix) + name;
      if (!detail::valid_script_name(name)) {
        problems.push_back(fmt::format("{} '{}': a {} name is letters, digits, '_' and '-' (its file is "
                                       "<{}>/<name>.lua)", label, name, label,
                                       role == Role::Strategy ? "strategies_dir" : "risk_dir"));
        continue;
      }
      if (find(full) != nullptr || !seen.insert(name).second) {
        problems.push_back(fmt::format("{} '{}': loaded twice", label, name));
        continue;
      }
      const auto overrides = params.find(name);
      const detail::ScriptSpec spec{
          .role = role,
          .name = full,
          .path = (std::filesystem::path(dir) / (name + ".lua")).string(),
          .params = overrides == params.end() ? config::Params{} : overrides->second,
          .budgets = {.call = options.call_budget, .memory = options.memory_budget}};
      auto script = Script::load(spec, shared);
      if (script) {
        loaded.push_back(std::move(*script));
      } else {
        problems.push_back(script.error().message);
      }
    }
    if (!problems.empty()) return Error{fmt::format("{}", fmt::join(problems, "\n"))};
    for (auto& script : loaded) {
      std::vector<std::string_view> callbacks;
      for (std::size_t i = 0; i < detail::kCallbackCount; ++i) {
        if (script->has(static_cast<Callback>(i))) callbacks.push_back(detail::callback_name(static_cast<Callback>(i)));
      }
      log::lua().info("[{}] loaded ({})", script->name(),
                      callbacks.empty() ? std::string("no callbacks") : fmt::format("{}", fmt::join(callbacks, ", ")));
      into.push_back(std::move(script));
    }
    refresh_routing();
    return {};
  }

  // ------------------------------------------------------------- dispatch

  void dispatch(const InitEvent&) {
    for (const auto* list : {&scripts, &risks}) {
      for (const auto& s : *list) {
        if (!s->initialised()) start(*s);
      }
    }
  }

  void dispatch(const ClockEvent& event) { fire_timers(event.now); }

  void fire_timers(Timestamp now) {
    // Timers a callback makes now wait for the next clock, so after(0) cannot loop.
    const std::uint64_t made_before = shared.timer_seq;
    for (;;) {
      Script* first = nullptr;
      std::pair<Timestamp, std::uint64_t> earliest{};
      for (const auto& s : scripts) {
        const auto due = s->due_timer(now, made_before);
        if (due && (first == nullptr || *due < earliest)) {
          first = s.get();
          earliest = *due;
        }
      }
      if (first == nullptr) break;
      first->fire_timer(earliest.second, now);
    }
    recompute_next_timer();
  }

  void dispatch(const SessionEvent& event) {
    if (event.phase == "closed") {
      built.clear();
      for (const auto& a : aggregators) a->flush(built);
      deliver_bars(built);
    }
    for (const auto& s : scripts) {
      if (s->has(Callback::Session)) s->on_session(event.phase);
    }
  }

  void dispatch(const Tick& tick) {
    const detail::EventTime time = clock.at(tick.time);
    for (const auto& s : scripts) {
      if (s->takes_ticks() && s->watches(tick.code)) s->on_tick(tick, time);
    }
  }

  void deliver_bar(const Bar& bar) {
    const detail::EventTime time = clock.at(bar.time);
    for (const auto& s : scripts) {
      if (s->takes_bars(bar.minutes) && s->watches(bar.code)) s->on_bar(bar, time);
    }
  }

  void deliver_bars(const std::vector<Bar>& bars) {
    for (const Bar& b : bars) deliver_bar(b);
  }

  void dispatch(const Bar& bar) {
    if (bar.minutes != 1 || aggregators.empty()) {
      deliver_bar(bar);
    } else {
      // Buckets that ended before this bar began come first, then the bar, then its own bucket if it ends it.
      built.clear();
      for (const auto& a : aggregators) a->complete_before(bar.time, built);
      deliver_bars(built);
      deliver_bar(bar);
      built.clear();
      for (const auto& a : aggregators) a->add(bar, built);
      deliver_bars(built);
    }
    if (bar.minutes == 1 && (!last_bar_start || bar.time > *last_bar_start)) last_bar_start = bar.time;
  }

  void dispatch(const Book& book) {
    const detail::EventTime time = clock.at(book.time);
    for (const auto& s : scripts) {
      if (s->takes_book() && s->watches(book.code)) s->on_book(book, time);
    }
  }

  void dispatch(const ConditionEvent& event) {
    const detail::EventTime time = clock.at(shared.api.now());
    for (const auto& s : scripts) {
      if (s->takes_condition(event.condition)) s->on_condition(event.code, event.condition, event.kind, time);
    }
  }

  void dispatch(const ScanEvent& event) {
    const auto kind = static_cast<std::size_t>(
        std::find(detail::kScanKinds.begin(), detail::kScanKinds.end(), event.kind) - detail::kScanKinds.begin());
    const detail::EventTime time = clock.at(shared.api.now());
    for (const auto& s : scripts) {
      if (s->takes_scan(kind)) s->on_scan(event.kind, event.items, time);
    }
  }

  void dispatch(const Order& order) {
    if (Script* s = find(order.strategy)) s->on_order(order);
  }
  void dispatch(const FillEvent& event) {
    if (Script* s = find(event.order.strategy)) s->on_fill(event.fill);
  }

  HostOptions options;
  detail::Shared shared;
  std::vector<std::unique_ptr<Script>> scripts;  // strategies
  std::vector<std::unique_ptr<Script>> risks;    // risk scripts, in check order
  std::vector<std::unique_ptr<detail::BarAggregator>> aggregators;  // ascending minutes
  std::vector<Bar> built;  // N-minute bars completed by one event; reused (no dispatch nests)
  std::optional<Timestamp> last_bar_start;  // of the latest 1-minute bar
  detail::EventClock clock;
  bool& wants_ticks;  // Host::wants_ticks_
  bool busy = false;
  std::deque<QueuedEvent> queued;
};

Host::Host(StrategyApi& api, HostOptions options)
    : impl_(std::make_unique<Impl>(api, std::move(options), clock_, next_timer_, wants_ticks_)) {}

Host::~Host() = default;

Status Host::load(const std::vector<std::string>& names, const std::map<std::string, config::Params>& params) {
  return impl_->load_scripts(Role::Strategy, names, params);
}

Status Host::load_risk(const std::vector<std::string>& names,
                       const std::map<std::string, config::Params>& params) {
  return impl_->load_scripts(Role::Risk, names, params);
}

Status Host::reload(std::string_view name) {
  const bool risk = name.starts_with(kRiskPrefix);
  if (impl_->busy) {
    return Error{fmt::format("{} '{}': cannot reload from inside a callback", risk ? "risk script" : "strategy", name)};
  }
  auto& list = risk ? impl_->risks : impl_->scripts;
  const auto slot = std::find_if(list.begin(), list.end(), [&](const auto& s) { return s->name() == name; });
  if (slot == list.end()) return Error{fmt::format("{} '{}': not loaded", risk ? "risk script" : "strategy", name)};
  Status status;
  impl_->exclusively([&] { status = impl_->replace(*slot); });
  return status;
}

Status Host::reload_all() {
  std::vector<std::string> problems;
  for (const auto* list : {&impl_->scripts, &impl_->risks}) {
    std::vector<std::string> names;
    for (const auto& s : *list) names.push_back(s->name());
    for (const auto& name : names) {
      if (Status st = reload(name); !st) problems.push_back(st.message());
    }
  }
  if (!problems.empty()) return Error{fmt::format("{}", fmt::join(problems, "\n"))};
  return {};
}

void Host::on_init() { impl_->post(InitEvent{}); }

void Host::clock_due(Timestamp now) {
  detail::Shared& shared = impl_->shared;
  if (!shared.clock) {
    // Timers made before the first clock (in on_init) count from it.
    shared.clock = now;
    for (const auto& s : impl_->scripts) s->anchor_timers(now);
    impl_->recompute_next_timer();
  }
  shared.clock = now;
  if (now >= shared.next_timer) impl_->post(ClockEvent{now});
}

void Host::on_session(std::string_view phase) {
  if (std::find(kPhases.begin(), kPhases.end(), phase) == kPhases.end()) {
    log::errors().error("lua host: unknown session phase '{}' (known: {})", phase, fmt::join(kPhases, ", "));
    return;
  }
  impl_->post(SessionEvent{std::string(phase)});
}

void Host::on_tick(const Tick& tick) { impl_->post(tick); }
void Host::on_bar(const Bar& bar) { impl_->post(bar); }
void Host::on_book(const Book& book) { impl_->post(book); }

void Host::on_condition(StockCode code, std::string_view condition, std::string_view kind) {
  if (kind != "enter" && kind != "exit") {
    log::errors().error("lua host: condition '{}' {}: kind must be enter or exit, got '{}'", condition,
                        code.view(), kind);
    return;
  }
  impl_->post(ConditionEvent{code, std::string(condition), std::string(kind)});
}

void Host::on_scan(std::string_view kind, std::span<const ScanItem> items) {
  if (std::find(detail::kScanKinds.begin(), detail::kScanKinds.end(), kind) == detail::kScanKinds.end()) {
    log::errors().error("lua host: unknown scan '{}' (known: {})", kind, fmt::join(detail::kScanKinds, ", "));
    return;
  }
  impl_->post(ScanEvent{std::string(kind), std::vector<ScanItem>(items.begin(), items.end())});
}

void Host::on_order(const Order& order) { impl_->post(order); }

void Host::on_fill(const Fill& fill, const Order& order) { impl_->post(FillEvent{fill, order}); }

RiskVerdict Host::check_risk(const Intent& intent) {
  RiskVerdict verdict{true, intent.qty, intent.amount, {}};
  for (const auto& r : impl_->risks) {
    if (!r->check(intent, verdict)) {
      log::lua().info("[{}] vetoed {} {} {}: {}", r->name(), intent.strategy, to_string(intent.side),
                      intent.code.view(), verdict.reason);
      break;
    }
  }
  return verdict;
}

Subscriptions Host::subscriptions() const {
  Subscriptions out;
  std::set<int> minutes;
  std::set<std::string> conditions;
  std::set<std::string_view> scans;
  std::set<StockCode> watched;
  out.all_codes = false;
  for (const auto& s : impl_->scripts) {
    if (!s->enabled()) continue;
    out.ticks = out.ticks || s->takes_ticks();
    for (const int m : detail::kBarMinutes) {
      if (s->takes_bars(m)) minutes.insert(m);
    }
    out.book = out.book || s->takes_book();
    for (const auto& c : s->subscription().conditions) {
      if (s->takes_condition(c)) conditions.insert(c);
    }
    for (std::size_t k = 0; k < detail::kScanKinds.size(); ++k) {
      if (s->takes_scan(k)) scans.insert(detail::kScanKinds[k]);
    }
    if (s->watchlist().empty()) out.all_codes = true;
    watched.insert(s->watchlist().begin(), s->watchlist().end());
  }
  out.bar_minutes.assign(minutes.begin(), minutes.end());
  out.conditions.assign(conditions.begin(), conditions.end());
  for (const auto k : scans) out.scans.emplace_back(k);
  out.watched.assign(watched.begin(), watched.end());
  if (impl_->scripts.empty()) out.all_codes = true;
  return out;
}

std::vector<std::string> Host::names() const {
  std::vector<std::string> out;
  for (const auto& s : impl_->scripts) out.push_back(s->name());
  return out;
}

std::vector<std::string> Host::risk_names() const {
  std::vector<std::string> out;
  for (const auto& s : impl_->risks) out.push_back(s->name());
  return out;
}

bool Host::has(std::string_view name) const { return impl_->find(name) != nullptr; }

bool Host::enabled(std::string_view name) const {
  const Script* s = impl_->find(name);
  return s != nullptr && s->enabled();
}

std::uint64_t Host::errors(std::string_view name) const {
  const Script* s = impl_->find(name);
  return s != nullptr ? s->errors() : 0;
}

std::string Host::last_error(std::string_view name) const {
  const Script* s = impl_->find(name);
  return s != nullptr ? s->last_error() : std::string();
}

HostOptions host_options(const config::Config& config) {
  HostOptions o;
  o.strategies_dir = config.lua.strategies_dir;
  o.risk_dir = config.lua.risk_dir;
  o.call_budget = std::chrono::milliseconds(config.lua.call_budget_ms);
  o.memory_budget = static_cast<std::size_t>(config.lua.memory_budget_mb) << 20;
  o.max_errors = config.lua.max_errors;
  o.error_window = std::chrono::seconds(config.lua.error_window_s);
  o.sessions = config.market.sessions;
  return o;
}

}  // namespace dalbit::lua
