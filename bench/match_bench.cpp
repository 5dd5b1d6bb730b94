// Matching cost per print (docs/fill-model.md, "Performance"). Run:
//   build/bench/dalbit_match_bench --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "match/matcher.h"

namespace dalbit::match {
namespace {

constexpr std::size_t kTicks = 4'096;
const krx::PriceBand kBand = krx::daily_band(Price(72'500));

// "000000", "000001", ...
StockCode code_number(int n) {
  return StockCode::parse(std::to_string(1'000'000 + n).substr(1)).value();
}

// A walk between 72,000 and 73,000 on the grid across `codes` codes.
std::vector<Tick> ticks_over(int codes) {
  std::vector<Tick> ticks;
  ticks.reserve(kTicks);
  const Timestamp start = from_kst(KstDate{2026, 1, 5}, TimeOfDay::hm(9, 0));
  for (std::size_t i = 0; i < kTicks; ++i) {
    const auto step = static_cast<std::int64_t>((i * 7919) % 11);  // 0..10 ticks of 100
    ticks.push_back(Tick{start + std::chrono::milliseconds(i),
                         code_number(static_cast<int>(i % codes)), Price(72'000 + step * 100),
                         Qty(static_cast<std::int64_t>(1 + i % 500))});
  }
  return ticks;
}

Order resting(OrderId id, StockCode code, Side side, std::int64_t limit) {
  Order o;
  o.id = id;
  o.code = code;
  o.side = side;
  o.type = OrderType::Limit;
  o.limit = Price(limit);
  o.qty = Qty(100);
  return o;
}

void run(benchmark::State& state, Matcher& m, const std::vector<Tick>& ticks) {
  std::vector<Execution> out;
  out.reserve(64);
  std::size_t i = 0;
  for (auto _ : state) {
    m.on_tick(ticks[i], out);
    i = (i + 1) % kTicks;
    benchmark::DoNotOptimize(out.data());
  }
  if (!out.empty()) state.SkipWithError("an order filled; the bench measures non-filling prints");
  state.SetItemsProcessed(state.iterations());
}

// Nothing works anywhere: the cheapest path.
void BM_TickNoWorkingOrders(benchmark::State& state) {
  Matcher m(Params{});
  run(state, m, ticks_over(50));
}

// Orders work on 50 other codes; none on the printed codes (a hash miss).
void BM_TickNoOrdersForCode(benchmark::State& state) {
  Matcher m(Params{});
  for (int c = 0; c < 50; ++c) {
    if (!m.submit(resting(static_cast<OrderId>(c + 1), code_number(100 + c), Side::Buy, 60'000),
                  kBand)) {
      state.SkipWithError("submit failed");
    }
  }
  run(state, m, ticks_over(50));
}

// Each printed code has two resting buys below and two resting sells above the walk.
void BM_TickFourRestingOrders(benchmark::State& state) {
  constexpr std::pair<Side, std::int64_t> kRestingAroundTheWalk[] = {
      {Side::Buy, 71'500}, {Side::Buy, 71'000}, {Side::Sell, 73'500}, {Side::Sell, 74'000}};
  Matcher m(Params{});
  OrderId id = 1;
  for (int c = 0; c < 50; ++c) {
    for (const auto& [side, limit] : kRestingAroundTheWalk) {
      if (!m.submit(resting(id++, code_number(c), side, limit), kBand)) {
        state.SkipWithError("submit failed");
      }
    }
  }
  run(state, m, ticks_over(50));
}

BENCHMARK(BM_TickNoWorkingOrders);
BENCHMARK(BM_TickNoOrdersForCode);
BENCHMARK(BM_TickFourRestingOrders);

}  // namespace
}  // namespace dalbit::match

BENCHMARK_MAIN();
