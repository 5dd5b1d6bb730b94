// Issue 4's proof, through the real engine: four runaway strategies loaded
// together (an endless loop, a loop to 1e15, unbounded allocation, endless
// recursion), each woken by the first tick, next to a well-behaved strategy
// and a holding under the engine's stop-loss floor. With the default budgets
// (config::Lua: 5 ms a call, 64 MiB a script): the floor sells within 100 ms of wall time
// of the tick that crosses it, the well-behaved strategy gets every tick, the
// four are disabled and reported with script and line, and afterwards no
// thread is left burning CPU.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "broker/sim_broker.h"
#include "config/config.h"
#include "engine/engine.h"
#include "engine/lua_strategies.h"
#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

const StockCode kHeld = *StockCode::parse("900010");
const StockCode kOther = *StockCode::parse("900020");

// The issue's bound for the floor, measured on the engine thread's wall clock.
constexpr milliseconds kFloorDeadline{100};

// Each runaway spins in on_tick, line 3 of its script.
struct Runaway {
  std::string name;
  std::string body;
  std::string message;
};

const std::vector<Runaway>& runaways() {
  static const std::vector<Runaway> all = {
      {"spin", "while true do end", "call budget of 5 ms exceeded"},
      {"count", "for i = 1, 1e15 do end", "call budget of 5 ms exceeded"},
      // A MiB a turn. The clock stops it: filling 64 MiB takes far longer
      // than 5 ms, and a large allocation checks the clock (budget_test.cpp
      // shows the allocator cap with a smaller budget).
      {"hoard", "local t, n = {}, 0 while true do n = n + 1 t[n] = string.rep(n .. ' ', 262144) end",
       "call budget of 5 ms exceeded"},
      {"dive", "local function f(n) return 1 + f(n + 1) end f(1)", "stack overflow"},
  };
  return all;
}

// Counts its ticks (ctx:notify is the engine's counter) and never trades.
constexpr const char* kWellBehaved = R"(
local S = { seen = 0 }
function S.on_tick(ctx, t)
  S.seen = S.seen + 1
  ctx:notify("tick %d %s %d", S.seen, t.code, t.price)
end
return S
)";

double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

class RunawaysInTheEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    log::init({.dir = "", .level = "info", .console = false});
    logs = std::make_unique<LogCapture>();
    config.risk.stop_loss_floor_pct = 3.0;
    config.risk.max_order_value = Krw(100'000'000);
    config.risk.max_position_value = Krw(100'000'000);
    broker = std::make_unique<broker::SimBroker>(match::Params{25, config.fees});
    engine = std::make_unique<engine::Engine>(config, clock, *broker, nullptr);
  }
  void TearDown() override {
    engine->set_strategies(nullptr);
    host.reset();
    logs.reset();
    log::shutdown();
  }

  // A print of 10,000 shares: enough volume for the fill model to fill 100 at once.
  void feed(const char* kst_time, StockCode code, std::int64_t price) {
    const Timestamp t = *parse_kst_timestamp(std::string("2026-01-05 ") + kst_time);
    ASSERT_TRUE(clock.set(t));
    engine->on_tick({t, code, Price(price), Qty(10'000)});
    ++ticks_fed;
  }

  // A holding of 100 shares at 10,000 won, bought before any script runs:
  // the floor is 3 % under, at 9,700.
  void hold() {
    feed("09:00:01", kHeld, 10'000);
    Intent buy;
    buy.strategy = "setup";
    buy.reason = "a holding to protect";
    buy.code = kHeld;
    buy.qty = Qty(100);
    ASSERT_TRUE(engine->submit(buy).accepted);
    feed("09:00:02", kHeld, 10'000);  // the market buy fills at this print
    const Position* held = engine->position(kHeld);
    ASSERT_NE(held, nullptr);
    ASSERT_EQ(held->qty, Qty(100));
  }

  // The four runaways and the well-behaved strategy, with the default budgets (config::Lua).
  void load_strategies() {
    std::vector<std::string> names;
    for (const Runaway& r : runaways()) {
      dir.write(r.name, "local S = {}\nfunction S.on_tick(ctx, t)\n" + r.body + "\nend\nreturn S\n");
      names.push_back(r.name);
    }
    dir.write("steady", kWellBehaved);
    names.emplace_back("steady");
    const config::Lua lua;
    HostOptions options;
    options.strategies_dir = dir.str();
    options.call_budget = milliseconds(lua.call_budget_ms);
    options.memory_budget = static_cast<std::size_t>(lua.memory_budget_mb) << 20;
    options.max_errors = lua.max_errors;
    options.error_window = std::chrono::seconds(lua.error_window_s);
    options.on_event = [this](const HostEvent& e) { events.push_back(e); };
    host = std::make_unique<Host>(*engine, options);
    const Status loaded = host->load(names, {});
    ASSERT_TRUE(loaded.ok()) << loaded.message();
    strategies = std::make_unique<engine::LuaStrategies>(*host);
    engine->set_strategies(strategies.get());
    host->on_init();
    ticks_fed = 0;
  }

  // The floor's sell orders sent so far.
  [[nodiscard]] std::uint64_t floor_sells() const { return engine->stats().stop_floor_exits; }

  void expect_the_runaways_disabled_and_reported() {
    for (const Runaway& r : runaways()) {
      SCOPED_TRACE(r.name);
      EXPECT_FALSE(host->enabled(r.name));
      EXPECT_EQ(host->errors(r.name), 1u);
      EXPECT_THAT(host->last_error(r.name), HasSubstr("on_tick: " + dir.script(r.name) + ":3: "));
      EXPECT_THAT(host->last_error(r.name), HasSubstr(r.message));
      const auto event = std::find_if(events.begin(), events.end(),
                                      [&](const HostEvent& e) { return e.script == r.name; });
      ASSERT_NE(event, events.end());
      EXPECT_EQ(event->kind, HostEvent::Kind::Disabled);
      EXPECT_EQ(event->file, dir.script(r.name));
      EXPECT_EQ(event->line, 3);
      EXPECT_THAT(describe(*event), HasSubstr("[" + r.name + "] disabled: disabled after on_tick: " +
                                              dir.script(r.name) + ":3: "));
    }
    EXPECT_EQ(events.size(), runaways().size());  // the well-behaved one is never reported
    EXPECT_TRUE(host->enabled("steady"));
    EXPECT_EQ(host->errors("steady"), 0u);
  }

  // The process uses (next to) no CPU over 200 ms of idling: nothing spins.
  static void expect_no_thread_spinning() {
    const double before = process_cpu_ms();
    std::this_thread::sleep_for(milliseconds(200));
    EXPECT_LT(process_cpu_ms() - before, 20.0);
  }

  config::Config config;
  SimClock clock;
  std::unique_ptr<broker::SimBroker> broker;
  std::unique_ptr<engine::Engine> engine;
  ScriptDir dir;
  std::unique_ptr<Host> host;
  std::unique_ptr<engine::LuaStrategies> strategies;
  std::vector<HostEvent> events;
  std::unique_ptr<LogCapture> logs;
  std::uint64_t ticks_fed = 0;
};

TEST_F(RunawaysInTheEngine, TheFloorSellsOnTheTickThatWakesThemAll) {
  hold();
  load_strategies();
  // One print: it crosses the floor and sends all four into their loops.
  const auto start = SteadyClock::now();
  feed("09:00:03", kHeld, 9'700);
  const auto elapsed = SteadyClock::now() - start;
  EXPECT_EQ(floor_sells(), 1u);
  EXPECT_LT(elapsed, kFloorDeadline) << std::chrono::duration<double, std::milli>(elapsed).count() << " ms";
  expect_the_runaways_disabled_and_reported();

  feed("09:00:04", kHeld, 9'700);  // the market sell fills at the next print
  EXPECT_EQ(engine->position(kHeld), nullptr);
  feed("09:00:05", kOther, 5'000);
  EXPECT_EQ(engine->stats().notifications, ticks_fed);  // every tick reached the well-behaved strategy
  expect_no_thread_spinning();
}

TEST_F(RunawaysInTheEngine, ACrossingTickQueuedBehindThemSellsWithin100Ms) {
  hold();
  load_strategies();
  // The first print wakes the four (it is above the floor); the crossing
  // print arrives while they spin and waits for the engine thread. The
  // deadline counts from the first print: the worst wait a real feed sees.
  const auto start = SteadyClock::now();
  feed("09:00:03", kHeld, 9'800);
  EXPECT_EQ(floor_sells(), 0u);
  feed("09:00:03.100", kHeld, 9'690);
  const auto elapsed = SteadyClock::now() - start;
  EXPECT_EQ(floor_sells(), 1u);
  EXPECT_LT(elapsed, kFloorDeadline) << std::chrono::duration<double, std::milli>(elapsed).count() << " ms";
  expect_the_runaways_disabled_and_reported();

  for (int i = 0; i < 50; ++i) {
    feed(fmt::format("09:01:{:02}", i).c_str(), i % 2 == 0 ? kHeld : kOther, 9'600 + i * 10);
  }
  EXPECT_EQ(engine->position(kHeld), nullptr);
  EXPECT_EQ(engine->stats().notifications, ticks_fed);
  EXPECT_EQ(engine->stats().stop_floor_exits, 1u);
  expect_no_thread_spinning();
}

}  // namespace
}  // namespace dalbit::lua::testing
