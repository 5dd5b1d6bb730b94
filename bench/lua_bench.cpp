// The Lua host's cost per event, against a fake engine.
//   build/bench/dalbit_lua_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "log/log.h"
#include "lua/host.h"

namespace {

using namespace dalbit;

class NullApi final : public lua::StrategyApi {
 public:
  IntentResult submit(Intent) override { return {.accepted = true, .order_id = ++last_id_, .reason = {}}; }
  bool cancel(std::string_view, OrderId) override { return true; }
  IntentResult modify(std::string_view, OrderId, std::optional<Price>, std::optional<Qty>) override {
    return {.accepted = true, .order_id = ++last_id_, .reason = {}};
  }
  std::vector<Order> open_orders(std::string_view) const override { return {}; }
  const Position* position(StockCode) const override { return nullptr; }
  std::vector<Position> positions() const override { return {}; }
  std::vector<SellRecord> todays_sells() const override { return {}; }
  Krw cash() const override { return Krw(10'000'000); }
  Timestamp now() const override { return Timestamp{}; }
  Price last_price(StockCode) const override { return Price(72'500); }
  void notify(std::string_view, std::string_view) override {}

 private:
  OrderId last_id_ = 0;
};

// One strategy named "s" whose source is `text`, loaded into a fresh host.
class Fixture {
 public:
  explicit Fixture(const std::string& text)
      : dir_(std::filesystem::temp_directory_path() / ("dalbit-lua-bench-" + std::to_string(::getpid()))) {
    log::init({.dir = "", .level = "warn", .console = true});
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "s.lua") << text;
    host_ = std::make_unique<lua::Host>(api_, lua::HostOptions{.strategies_dir = dir_.string()});
    if (const Status st = host_->load({"s"}, {}); !st) throw std::runtime_error(st.message());
    host_->on_init();
  }
  ~Fixture() { std::filesystem::remove_all(dir_); }
  lua::Host& host() { return *host_; }

 private:
  std::filesystem::path dir_;
  NullApi api_;
  std::unique_ptr<lua::Host> host_;
};

Tick make_tick(std::int64_t i) {
  Tick t;
  t.time = *parse_kst_timestamp("2026-01-05 09:00:00") + std::chrono::milliseconds(i);
  t.code = *StockCode::parse(i % 2 == 0 ? "005930" : "000660");
  t.price = Price(72'500 + (i % 10) * 100);
  t.volume = Qty(1 + i % 50);
  return t;
}

void run_ticks(benchmark::State& state, const std::string& script) {
  Fixture f(script);
  std::vector<Tick> ticks;
  for (std::int64_t i = 0; i < 1024; ++i) ticks.push_back(make_tick(i));
  std::size_t i = 0;
  for (auto _ : state) f.host().on_tick(ticks[i++ % ticks.size()]);
  state.SetItemsProcessed(state.iterations());
  if (!f.host().enabled("s") || f.host().errors("s") != 0) state.SkipWithError("the strategy failed");
}

// The host's floor: fill the reused tick table, call an empty function.
void BM_OnTickEmpty(benchmark::State& state) { run_ticks(state, "return { on_tick = function(ctx, t) end }\n"); }
BENCHMARK(BM_OnTickEmpty);

// A script that reads every field (what a real strategy does at least).
void BM_OnTickReadFields(benchmark::State& state) {
  run_ticks(state, R"(
local n = 0
return { on_tick = function(ctx, t)
  if t.price > 0 and t.volume > 0 and t.hhmm >= 900 and t.code ~= "" and t.date ~= "" and t.time > 0 then n = n + 1 end
end }
)");
}
BENCHMARK(BM_OnTickReadFields);

// The intent path: argument checks, Intent, submit, the id back to Lua.
void BM_OnTickBuyEveryTick(benchmark::State& state) {
  run_ticks(state, R"(
return { on_tick = function(ctx, t) ctx:buy(t.code, { qty = 1, reason = "bench" }) end }
)");
}
BENCHMARK(BM_OnTickBuyEveryTick);

// A limit N ticks from the last price.
void BM_OnTickBuyTicksFromLast(benchmark::State& state) {
  run_ticks(state, R"(
return { on_tick = function(ctx, t) ctx:buy(t.code, { amount = 1000000, ticks = -2, reason = "bench" }) end }
)");
}
BENCHMARK(BM_OnTickBuyTicksFromLast);

void BM_OnBarEmpty(benchmark::State& state) {
  Fixture f("return { on_bar = function(ctx, b) end }\n");
  Bar b;
  b.time = *parse_kst_timestamp("2026-01-05 09:00:00");
  b.code = *StockCode::parse("005930");
  b.open = b.high = b.low = b.close = Price(72'500);
  b.volume = Qty(100);
  for (auto _ : state) f.host().on_bar(b);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OnBarEmpty);

// The host feeds the strategy's indicator before on_bar; the script reads it.
void BM_OnBarIndicator(benchmark::State& state) {
  Fixture f(R"(
local n = 0
return { on_bar = function(ctx, b) if ctx:indicator(b.code, "rsi:14") then n = n + 1 end end }
)");
  Bar b;
  b.time = *parse_kst_timestamp("2026-01-05 09:00:00");
  b.code = *StockCode::parse("005930");
  b.volume = Qty(100);
  std::int64_t i = 0;
  for (auto _ : state) {
    b.close = Price(72'500 + (i++ % 10) * 100);
    b.open = b.high = b.low = b.close;
    f.host().on_bar(b);
  }
  state.SetItemsProcessed(state.iterations());
  if (!f.host().enabled("s") || f.host().errors("s") != 0) state.SkipWithError("the strategy failed");
}
BENCHMARK(BM_OnBarIndicator);

}  // namespace

BENCHMARK_MAIN();
