// Market-data input speed: rows parsed and events replayed per second on
// files from the synthetic generator (see docs/data.md and docs/performance.md).
//
//   build/bench/dalbit_data_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "data/csv.h"
#include "data/generator.h"
#include "data/replay.h"

namespace dalbit::data {
namespace {

namespace fs = std::filesystem;

// 10 codes x 3 days of ticks at 40 a minute: about 460,000 ticks (20 MB), and
// 10 x 381 x 3 bars. Generated once per run into a scratch directory.
class Dataset {
 public:
  Dataset()
      : dir_(fs::temp_directory_path() / ("dalbit-data-bench-" + std::to_string(::getpid()))) {
    GeneratorOptions o;
    o.seed = 1;
    o.codes = default_codes(10);
    o.days = 3;
    o.tick_days = 3;
    o.ticks_per_minute = 40;
    if (const auto s = generate(o, dir_.string()); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.message().c_str());
      std::abort();
    }
  }
  ~Dataset() { fs::remove_all(dir_); }
  Dataset(const Dataset&) = delete;
  Dataset& operator=(const Dataset&) = delete;

  [[nodiscard]] std::string path(const std::string& relative) const {
    return (dir_ / relative).string();
  }

 private:
  fs::path dir_;
};

const Dataset& dataset() {
  static const Dataset d;
  return d;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The data rows of a file, as string_views into `text`.
std::vector<std::string_view> rows_of(const std::string& text) {
  std::vector<std::string_view> rows;
  std::string_view rest(text);
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const auto line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (!line.empty() && line.front() != '#' && !kind_of_header(line)) rows.push_back(line);
  }
  return rows;
}

// RowParser alone on rows already in memory: the floor under every replay.
void BM_ParseTickRows(benchmark::State& state) {
  const std::string text = slurp(dataset().path("ticks/900010.csv"));
  const auto rows = rows_of(text);
  RowParser parser;
  Tick tick;
  for (auto _ : state) {
    for (const auto row : rows) {
      if (!parser.parse_tick(row, tick)) state.SkipWithError(parser.error().c_str());
      benchmark::DoNotOptimize(tick);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseTickRows)->Unit(benchmark::kMillisecond);

void BM_ParseBarRows(benchmark::State& state) {
  const std::string text = slurp(dataset().path("bars/900010.csv"));
  const auto rows = rows_of(text);
  RowParser parser;
  Bar bar;
  for (auto _ : state) {
    for (const auto row : rows) {
      if (!parser.parse_bar(row, bar)) state.SkipWithError(parser.error().c_str());
      benchmark::DoNotOptimize(bar);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows.size()));
}
BENCHMARK(BM_ParseBarRows)->Unit(benchmark::kMillisecond);

// The whole path from files to events: open, read, parse, validate, merge.
void replay(benchmark::State& state, const std::string& path) {
  std::uint64_t events = 0, bytes = 0;
  for (auto _ : state) {
    auto src = ReplaySource::open(path, {});
    if (!src.ok()) {
      state.SkipWithError(src.error().message.c_str());
      return;
    }
    MarketEvent ev;
    while ((*src)->next(ev)) {
      benchmark::DoNotOptimize(ev);
      ++events;
    }
    bytes += (*src)->bytes_total();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_ReplayOneTickFile(benchmark::State& state) {
  replay(state, dataset().path("ticks/900010.csv"));
}
BENCHMARK(BM_ReplayOneTickFile)->Unit(benchmark::kMillisecond);

// Ten tick files merged by time.
void BM_ReplayTenTickFiles(benchmark::State& state) { replay(state, dataset().path("ticks")); }
BENCHMARK(BM_ReplayTenTickFiles)->Unit(benchmark::kMillisecond);

// Everything: ten bar files and ten tick files merged.
void BM_ReplayBarsAndTicks(benchmark::State& state) { replay(state, dataset().path("")); }
BENCHMARK(BM_ReplayBarsAndTicks)->Unit(benchmark::kMillisecond);

// The generator, writing one code's day of ticks and bars.
void BM_GenerateTicks(benchmark::State& state) {
  const auto dir = fs::temp_directory_path() / ("dalbit-gen-bench-" + std::to_string(::getpid()));
  GeneratorOptions o;
  o.codes = default_codes(1);
  o.days = 1;
  o.tick_days = 1;
  o.ticks_per_minute = 100;
  for (auto _ : state) {
    if (const auto s = generate(o, dir.string()); !s.ok()) state.SkipWithError(s.message().c_str());
  }
  const auto ticks = rows_of(slurp((dir / "ticks/900010.csv").string())).size();
  fs::remove_all(dir);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(ticks));
}
BENCHMARK(BM_GenerateTicks)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dalbit::data

BENCHMARK_MAIN();
