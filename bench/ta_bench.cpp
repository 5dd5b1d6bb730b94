// Update throughput of the streaming indicators (src/ta).
//
//   cmake --build build -j2 --target dalbit_ta_bench
//   build/bench/dalbit_ta_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// items_per_second is updates per second. The *Registry* cases go through
// make_indicator() (a virtual update taking a Bar, outputs copied for
// values()), the path of the CLI and the Lua binding.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "core/types.h"
#include "ta/indicators.h"
#include "ta/registry.h"

namespace {

constexpr std::size_t kSeriesLength = 1 << 16;  // a power of two: the index wraps with a mask

// A random walk of whole-won closes, as KRX prices are.
const std::vector<dalbit::Bar>& bars() {
  static const std::vector<dalbit::Bar> series = [] {
    std::mt19937_64 rng(1);
    std::vector<dalbit::Bar> out(kSeriesLength);
    std::int64_t close = 70'000;
    for (dalbit::Bar& b : out) {
      close = std::max<std::int64_t>(1'000, close + static_cast<std::int64_t>(rng() % 11) * 100 - 500);
      b.open = b.close = dalbit::Price(close);
      b.high = dalbit::Price(close + 200);
      b.low = dalbit::Price(close - 200);
      b.volume = dalbit::Qty(static_cast<std::int64_t>(rng() % 50'000));
    }
    return out;
  }();
  return series;
}

const std::vector<double>& closes() {
  static const std::vector<double> series = [] {
    std::vector<double> out;
    for (const dalbit::Bar& b : bars()) out.push_back(static_cast<double>(b.close.value()));
    return out;
  }();
  return series;
}

template <class Indicator, class Read>
void run(benchmark::State& state, Indicator indicator, Read read) {
  const auto& xs = closes();
  std::size_t i = 0;
  for (auto _ : state) {
    indicator.update(xs[i]);
    benchmark::DoNotOptimize(read(indicator));
    i = (i + 1) & (kSeriesLength - 1);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Rsi14(benchmark::State& state) {
  run(state, dalbit::ta::Rsi(14), [](const auto& r) { return r.value(); });
}

void BM_Bollinger20x2(benchmark::State& state) {
  run(state, dalbit::ta::Bollinger(20, 2.0), [](const auto& b) { return b.upper() + b.lower() + b.percent_b(); });
}

void BM_Macd12_26_9(benchmark::State& state) {
  run(state, dalbit::ta::Macd(12, 26, 9), [](const auto& m) { return m.histogram(); });
}

void BM_Registry(benchmark::State& state, const char* spec) {
  auto made = dalbit::ta::make_indicator(spec);
  if (!made) {
    state.SkipWithError(made.error().message.c_str());
    return;
  }
  dalbit::ta::Indicator& indicator = **made;
  const auto& series = bars();
  std::size_t i = 0;
  for (auto _ : state) {
    indicator.update(series[i]);
    benchmark::DoNotOptimize(indicator.values()[0]);
    i = (i + 1) & (kSeriesLength - 1);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_Rsi14);
BENCHMARK(BM_Bollinger20x2);
BENCHMARK(BM_Macd12_26_9);
BENCHMARK_CAPTURE(BM_Registry, rsi_14, "rsi:14");
BENCHMARK_CAPTURE(BM_Registry, bb_20_2, "bb:20:2");
BENCHMARK_CAPTURE(BM_Registry, macd_12_26_9, "macd:12:26:9");
