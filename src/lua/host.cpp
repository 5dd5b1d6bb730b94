#include "lua/host.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <set>
#include <variant>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "log/log.h"
#include "lua/script.h"

namespace dalbit::lua {
namespace {

using detail::Callback;
using detail::Script;

// A name is also a file name under strategies_dir: no separators, no "..".
bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-';
    if (!ok) return false;
  }
  return true;
}

struct InitEvent {};
struct FillEvent {
  Fill fill;
  Order order;
};
using QueuedEvent = std::variant<InitEvent, Tick, Bar, Order, FillEvent>;

}  // namespace

struct Host::Impl {
  Impl(StrategyApi& a, HostOptions o) : api(a), options(std::move(o)) {}

  [[nodiscard]] Script* find(std::string_view name) const {
    for (const auto& s : scripts) {
      if (s->name() == name) return s.get();
    }
    return nullptr;
  }

  // Delivers now, or after the running callback when called from inside one.
  template <class Event>
  void post(const Event& event) {
    if (busy) {
      queued.emplace_back(event);
      return;
    }
    exclusively([&] { dispatch(event); });
  }

  // Runs `f` (which calls scripts) with the events it raises held back, then
  // delivers those in order.
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
  }

  // Replaces `current` by a fresh load of its file, or leaves it alone.
  Status replace(std::unique_ptr<Script>& current) {
    const std::string name = current->name();
    const auto refuse = [&](const std::string& why) -> Status {
      log::lua().error("[{}] reload failed, the version loaded before stays: {}", name, why);
      return Error{why};
    };
    auto fresh = Script::load(current->spec(), api);
    if (!fresh) return refuse(fresh.error().message);
    const auto saved = current->hand_over();
    if (!saved) return refuse(saved.error().message);
    if (!(*fresh)->on_init(&*saved)) {
      return refuse(fmt::format("strategy '{}': the new version's {}", name, (*fresh)->last_error()));
    }
    current = std::move(*fresh);
    log::lua().info("[{}] reloaded", name);
    return {};
  }

  void dispatch(const InitEvent&) {
    for (const auto& s : scripts) s->on_init(nullptr);
  }
  void dispatch(const Tick& tick) {
    const detail::EventTime time = clock.at(tick.time);
    for (const auto& s : scripts) s->on_tick(tick, time);
  }
  void dispatch(const Bar& bar) {
    const detail::EventTime time = clock.at(bar.time);
    for (const auto& s : scripts) s->on_bar(bar, time);
  }
  void dispatch(const Order& order) {
    if (Script* s = find(order.strategy)) s->on_order(order);
  }
  void dispatch(const FillEvent& event) {
    if (Script* s = find(event.order.strategy)) s->on_fill(event.fill);
  }

  StrategyApi& api;
  HostOptions options;
  std::vector<std::unique_ptr<Script>> scripts;
  detail::EventClock clock;
  bool busy = false;
  std::deque<QueuedEvent> queued;
};

Host::Host(StrategyApi& api, HostOptions options) : impl_(std::make_unique<Impl>(api, std::move(options))) {}

Host::~Host() = default;

Status Host::load(const std::vector<std::string>& names, const std::map<std::string, config::Params>& params) {
  std::vector<std::string> problems;
  std::vector<std::unique_ptr<Script>> loaded;
  std::set<std::string_view> seen;
  for (const auto& name : names) {
    if (!valid_name(name)) {
      problems.push_back(fmt::format("strategy '{}': a strategy name is letters, digits, '_' and '-' "
                                     "(its file is <strategies_dir>/<name>.lua)", name));
      continue;
    }
    if (impl_->find(name) != nullptr || !seen.insert(name).second) {
      problems.push_back(fmt::format("strategy '{}': loaded twice", name));
      continue;
    }
    const auto overrides = params.find(name);
    const detail::ScriptSpec spec{
        .name = name,
        .path = (std::filesystem::path(impl_->options.strategies_dir) / (name + ".lua")).string(),
        .params = overrides == params.end() ? config::Params{} : overrides->second,
        .budgets = {.call = impl_->options.call_budget, .memory = impl_->options.memory_budget}};
    auto script = Script::load(spec, impl_->api);
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
    impl_->scripts.push_back(std::move(script));
  }
  return {};
}

Status Host::reload(std::string_view name) {
  if (impl_->busy) return Error{fmt::format("strategy '{}': cannot reload from inside a callback", name)};
  const auto slot = std::find_if(impl_->scripts.begin(), impl_->scripts.end(),
                                 [&](const auto& s) { return s->name() == name; });
  if (slot == impl_->scripts.end()) return Error{fmt::format("strategy '{}': not loaded", name)};
  Status status;
  impl_->exclusively([&] { status = impl_->replace(*slot); });
  return status;
}

void Host::on_init() { impl_->post(InitEvent{}); }
void Host::on_tick(const Tick& tick) { impl_->post(tick); }
void Host::on_bar(const Bar& bar) { impl_->post(bar); }
void Host::on_order(const Order& order) { impl_->post(order); }

void Host::on_fill(const Fill& fill, const Order& order) { impl_->post(FillEvent{fill, order}); }

bool Host::wants_ticks() const {
  for (const auto& s : impl_->scripts) {
    if (s->has(Callback::Tick)) return true;
  }
  return false;
}

std::vector<std::string> Host::names() const {
  std::vector<std::string> out;
  out.reserve(impl_->scripts.size());
  for (const auto& s : impl_->scripts) out.push_back(s->name());
  return out;
}

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

}  // namespace dalbit::lua
