// REAL 0B (trade tick) decoding: the hot path of the market feed.
//
//   build/bench/dalbit_kiwoom_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// "allocs/msg" counts calls to the global operator new per message, through
// the counting operators below (this program is single-threaded).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>

#include "kiwoom/rest.h"
#include "kiwoom/ws_codec.h"

namespace {
std::uint64_t g_allocations = 0;
}  // namespace

// noinline: inlined into callers, GCC 12 takes free() for a mismatch with
// operator new (-Wmismatched-new-delete).
[[gnu::noinline]] void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new[](std::size_t n) { return ::operator new(n); }
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace dalbit::kiwoom;

// A full 0B entry: every FID of the official list, the tail mostly empty as in practice.
const std::string kFrame = R"({"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"005930","values":{)"
                           R"("20":"165208","10":"-20800","11":"-50","12":"-0.24","27":"-20800","28":"-20700",)"
                           R"("15":"+82","13":"30379732","14":"632640","16":"20850","17":"+21150","18":"-20450",)"
                           R"("25":"5","26":"-1234567","29":"-123456789","30":"-12.34","31":"0.52","32":"",)"
                           R"("228":"98.92","311":"1243","290":"2","691":"0","567":"000000","568":"000000",)"
                           R"("851":"","1890":"090000","1891":"091512","1892":"143002","1030":"15012345",)"
                           R"("1031":"15367387","1032":"50.58","1071":"51234","1072":"52345","1313":"1705600",)"
                           R"("1315":"","1316":"82","1314":"355042","1497":"","1498":"","620":"20812","732":"",)"
                           R"("852":"","9081":"1"}}]})";

template <class F>
void run(benchmark::State& state, F&& body) {
  const std::uint64_t before = g_allocations;
  for (auto _ : state) body();
  const auto n = static_cast<double>(state.iterations());
  state.counters["allocs/msg"] = static_cast<double>(g_allocations - before) / n;
  state.SetItemsProcessed(state.iterations());
}

void BM_Real0B_ParseAndDecode(benchmark::State& state) {
  run(state, [] {
    WsMessage m = parse_ws_message(kFrame);
    auto trade = decode_trade(std::get<Real>(m).entries.front());
    benchmark::DoNotOptimize(trade);
  });
}
BENCHMARK(BM_Real0B_ParseAndDecode);

void BM_Real0B_ParseOnly(benchmark::State& state) {
  run(state, [] {
    WsMessage m = parse_ws_message(kFrame);
    benchmark::DoNotOptimize(m);
  });
}
BENCHMARK(BM_Real0B_ParseOnly);

void BM_Real0B_DecodeOnly(benchmark::State& state) {
  const RealEntry entry = std::get<Real>(parse_ws_message(kFrame)).entries.front();
  run(state, [&] {
    auto trade = decode_trade(entry);
    benchmark::DoNotOptimize(trade);
  });
}
BENCHMARK(BM_Real0B_DecodeOnly);

}  // namespace

BENCHMARK_MAIN();
