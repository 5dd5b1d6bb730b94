// How fast the store records fills: a backtest (one transaction for the whole
// run) and live trading (one durable commit, with its fsync, per fill).
//
//   build/bench/dalbit_store_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// The scratch database goes under $TMPDIR (default /tmp); fsync costs depend on
// that file system, so a tmpfs makes the per-commit numbers meaningless.
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include <benchmark/benchmark.h>

#include "store/store.h"

namespace dalbit::store {
namespace {

namespace fs = std::filesystem;

// A fresh database for one benchmark call, removed afterwards.
class ScratchStore {
 public:
  ScratchStore()
      : dir_(fs::temp_directory_path() / ("dalbit-store-bench-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    auto opened = Store::open((dir_ / "bench.db").string());
    if (opened) {
      store_ = std::move(*opened);
    } else {
      error_ = opened.error().message;
    }
  }
  ~ScratchStore() {
    store_.reset();
    fs::remove_all(dir_);
  }
  ScratchStore(const ScratchStore&) = delete;
  ScratchStore& operator=(const ScratchStore&) = delete;

  Store* get() { return store_.get(); }
  const std::string& error() const { return error_; }

 private:
  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::string error_;
};

Fill sample_fill() {
  Fill f;
  f.order_id = 1;
  f.code = *StockCode::parse("005930");
  f.side = Side::Buy;
  f.price = Price(72500);
  f.qty = Qty(10);
  f.commission = Krw(108);
  f.time = Timestamp(Duration(1'767'571'200'000'000'000));
  return f;
}

Status record_one(Store& store, std::int64_t run, const Fill& fill) {
  auto fresh = store.record_fill(run, fill);
  if (!fresh) return fresh.error();
  if (!*fresh) return Error{"unexpected duplicate fill"};
  return {};
}

enum class Commit { OncePerRun, EachFill };

// Records one fill per iteration, each with a new fill id.
void record_fills(benchmark::State& state, Commit commit) {
  ScratchStore scratch;
  Store* store = scratch.get();
  if (!store) {
    state.SkipWithError(scratch.error().c_str());
    return;
  }
  auto run = store->begin_run({.mode = "backtest", .config_path = "", .strategies = "bench",
                               .data_path = "", .started = Timestamp{}});
  if (!run) {
    state.SkipWithError(run.error().message.c_str());
    return;
  }
  std::optional<Transaction> whole_run;  // destroyed before the store
  if (commit == Commit::OncePerRun) whole_run.emplace(*store);
  Fill fill = sample_fill();
  std::int64_t n = 0;
  for (auto _ : state) {
    fill.fill_id = std::to_string(++n);  // short enough to stay in the small-string buffer
    fill.time += Duration(1000);
    Status s;
    if (commit == Commit::EachFill) {
      Transaction tx(*store);
      s = record_one(*store, *run, fill);
      if (s) s = tx.commit();
    } else {
      s = record_one(*store, *run, fill);
    }
    if (!s) {
      state.SkipWithError(s.message().c_str());
      break;
    }
  }
  // Untimed: a backtest pays this once at the end.
  if (whole_run && !whole_run->commit()) state.SkipWithError("commit failed");
  state.counters["fills_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// A backtest: every fill inside one transaction.
void BM_RecordFillInOneTransaction(benchmark::State& state) { record_fills(state, Commit::OncePerRun); }
BENCHMARK(BM_RecordFillInOneTransaction)->UseRealTime();

// Live trading at its most durable: each fill is its own committed transaction (an fsync).
void BM_RecordFillCommitEach(benchmark::State& state) { record_fills(state, Commit::EachFill); }
BENCHMARK(BM_RecordFillCommitEach)->UseRealTime();

}  // namespace
}  // namespace dalbit::store

BENCHMARK_MAIN();
