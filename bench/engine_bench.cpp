// The engine's hot path: a tick through market state, the fill model, the Lua
// strategies, the hard limits and the OMS to the broker edge.
//
// Latency benchmarks time every iteration and report p50/p99 as counters;
// `allocs_per_tick` counts heap allocations (a replaced operator new) per
// tick in steady state.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <vector>

#include <benchmark/benchmark.h>

#include "broker/broker.h"
#include "broker/sim_broker.h"
#include "config/config.h"
#include "engine/engine.h"
#include "engine/lua_strategies.h"
#include "log/log.h"
#include "lua/host.h"

namespace {

std::atomic<std::uint64_t> g_allocs{0};

}  // namespace

// free() is the right partner of the malloc() in this replacement operator new.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace dalbit {
namespace {

// The broker edge: answers every order at once with a rejection, so orders
// never pile up and the measured path ends at the order request.
class RejectingBroker final : public broker::Broker {
 public:
  void submit(const Order& order, const krx::PriceBand&) override { listener_->on_rejected(order.id, "bench"); }
  void cancel(OrderId) override {}
};

struct Rig {
  explicit Rig(const char* strategy, bool sim_broker) {
    log::init({.dir = "", .level = "error", .console_level = "off", .console = false});
    config.risk.max_order_value = Krw(1'000'000'000);
    config.risk.max_position_value = Krw(1'000'000'000);
    broker = sim_broker ? std::unique_ptr<broker::Broker>(new broker::SimBroker({25, config.fees}))
                        : std::unique_ptr<broker::Broker>(new RejectingBroker());
    engine = std::make_unique<engine::Engine>(config, clock, *broker, nullptr);
    lua::HostOptions options;
    options.strategies_dir = DALBIT_SOURCE_DIR "/bench/scripts";
    host = std::make_unique<lua::Host>(*engine, options);
    if (auto st = host->load({strategy}, {}); !st.ok()) {
      std::fprintf(stderr, "%s\n", st.message().c_str());
      std::abort();
    }
    strategies = std::make_unique<engine::LuaStrategies>(*host);
    engine->set_strategies(strategies.get());
    host->on_init();
    for (int i = 0; i < 8; ++i) codes.push_back(*StockCode::parse("90" + std::to_string(1000 + i * 10)));
    start = *parse_kst_timestamp("2026-01-05 09:00:00");
  }

  // A random-walk-free but varied stream: 8 codes, prices on the grid, one print every 10 ms.
  Tick next() {
    ++n;
    const auto& code = codes[n % codes.size()];
    const std::int64_t price = 10'000 + static_cast<std::int64_t>((n * 7) % 40) * 10;
    return {start + std::chrono::milliseconds(10 * static_cast<std::int64_t>(n)), code, Price(price), Qty(10)};
  }

  void feed(const Tick& t) {
    (void)clock.set(t.time);
    engine->on_tick(t);
  }

  config::Config config;
  SimClock clock;
  std::unique_ptr<broker::Broker> broker;
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<lua::Host> host;
  std::unique_ptr<engine::LuaStrategies> strategies;
  std::vector<StockCode> codes;
  Timestamp start;
  std::uint64_t n = 0;
};

void report_latency(benchmark::State& state, std::vector<double>& ns, std::uint64_t allocs, std::uint64_t ticks) {
  std::sort(ns.begin(), ns.end());
  state.counters["p50_ns"] = ns[ns.size() / 2];
  state.counters["p99_ns"] = ns[ns.size() * 99 / 100];
  state.counters["allocs_per_tick"] = static_cast<double>(allocs) / static_cast<double>(ticks);
  state.SetItemsProcessed(static_cast<std::int64_t>(ticks));
}

// Throughput of the engine on ticks, SimBroker matching included, with
// tick_noop (a Lua on_tick on every tick that almost never orders) or
// bar_only (no Lua call per tick).
void BM_TickThroughput(benchmark::State& state, const char* strategy) {
  Rig rig(strategy, true);
  for (int i = 0; i < 10'000; ++i) rig.feed(rig.next());  // warm up: bars, maps, tables
  const auto allocs0 = g_allocs.load();
  std::uint64_t ticks = 0;
  for (auto _ : state) {
    rig.feed(rig.next());
    ++ticks;
  }
  state.counters["allocs_per_tick"] = static_cast<double>(g_allocs.load() - allocs0) / static_cast<double>(ticks);
  state.SetItemsProcessed(static_cast<std::int64_t>(ticks));
}
BENCHMARK_CAPTURE(BM_TickThroughput, lua_on_tick, "tick_noop");
BENCHMARK_CAPTURE(BM_TickThroughput, bars_only, "bar_only");

// Latency of a tick that leads to an order: tick -> Lua on_tick -> ctx:buy ->
// hard limits -> OMS -> broker.submit (which answers at once).
void BM_TickToOrderLatency(benchmark::State& state) {
  Rig rig("tick_buy", false);
  for (int i = 0; i < 10'000; ++i) rig.feed(rig.next());
  std::vector<double> ns;
  ns.reserve(1 << 20);
  const auto allocs0 = g_allocs.load();
  std::uint64_t ticks = 0;
  for (auto _ : state) {
    const Tick t = rig.next();
    const auto a = std::chrono::steady_clock::now();
    rig.feed(t);
    const auto b = std::chrono::steady_clock::now();
    if (ns.size() < ns.capacity()) ns.push_back(std::chrono::duration<double, std::nano>(b - a).count());
    ++ticks;
  }
  const auto allocs = g_allocs.load() - allocs0;
  report_latency(state, ns, allocs, ticks);
  state.counters["orders"] = static_cast<double>(rig.engine->stats().orders);
}
BENCHMARK(BM_TickToOrderLatency);

}  // namespace
}  // namespace dalbit

BENCHMARK_MAIN();
