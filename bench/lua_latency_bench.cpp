// Latencies of the Lua host that a trader feels (issue 4), against a fake
// engine; see docs/performance.md.
//   build/bench/dalbit_lua_latency_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// - reload: Host::reload of a changed file until the new version has handled
//   its first event;
// - watcher: the file saved until the new version has handled its first
//   event, through inotify (ScriptWatcher, debounce 0) and Host::reload;
// - tick -> intent with ten strategies loaded: nine shipped ones (their
//   config/dalbit.json params) and one that buys on every tick, loaded last
//   so that the other nine run before it on each tick.
// Each reports p50_us / p99_us counters over its iterations (the time column
// is the mean of the same samples).
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "config/config.h"
#include "log/log.h"
#include "lua/host.h"
#include "lua/watcher.h"

namespace {

using namespace dalbit;
using SteadyClock = std::chrono::steady_clock;

// Records when the strategy under measurement acts: its ctx:notify (reload
// benchmarks) or the first intent of `timed_strategy` (tick -> intent).
class TimingApi final : public lua::StrategyApi {
 public:
  IntentResult submit(Intent intent) override {
    if (intent.strategy == timed_strategy && !acted) {
      acted = SteadyClock::now();
    }
    return {.accepted = true, .order_id = ++last_id_, .reason = {}};
  }
  bool cancel(std::string_view, OrderId) override { return true; }
  IntentResult modify(std::string_view, OrderId, std::optional<Price>, std::optional<Qty>) override {
    return {.accepted = true, .order_id = ++last_id_, .reason = {}};
  }
  std::vector<Order> open_orders(std::string_view) const override { return {}; }
  const Position* position(StockCode) const override { return nullptr; }
  std::vector<Position> positions() const override { return {}; }
  std::vector<SellRecord> todays_sells() const override { return {}; }
  Krw cash() const override { return Krw(100'000'000); }
  Timestamp now() const override { return clock; }
  Price last_price(StockCode) const override { return Price(10'000); }
  void notify(std::string_view, std::string_view text) override {
    if (!acted) acted = SteadyClock::now();
    last_notice = std::string(text);
  }

  std::string timed_strategy;
  std::optional<SteadyClock::time_point> acted;
  std::string last_notice;
  Timestamp clock = *parse_kst_timestamp("2026-01-05 09:00:00");

 private:
  OrderId last_id_ = 0;
};

class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : path_(std::filesystem::temp_directory_path() / ("dalbit-" + tag + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

const config::Config& shipped_config() {
  static const config::Config cfg = [] {
    auto loaded = config::load(DALBIT_SOURCE_DIR "/config/dalbit.json");
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
      std::abort();
    }
    return *loaded;
  }();
  return cfg;
}

Tick make_tick(std::uint64_t i) {
  static const std::array<StockCode, 8> codes = {
      *StockCode::parse("005930"), *StockCode::parse("000660"), *StockCode::parse("035420"),
      *StockCode::parse("051910"), *StockCode::parse("005380"), *StockCode::parse("068270"),
      *StockCode::parse("105560"), *StockCode::parse("035720")};
  Tick t;
  t.time = *parse_kst_timestamp("2026-01-05 09:00:00") + std::chrono::milliseconds(10 * i);
  t.code = codes[i % codes.size()];
  t.price = Price(10'000 + static_cast<std::int64_t>((i * 7) % 40) * 10);
  t.volume = Qty(static_cast<std::int64_t>(1 + i % 50));
  return t;
}

void report(benchmark::State& state, std::vector<double>& us) {
  if (us.empty()) return;
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
}

// The shipped trailing_stop (a tick strategy with params and self_check),
// with a notice added to its on_tick so the bench sees the version that
// handled the tick. `version` changes the text, as an edit would.
std::string trailing_stop_version(int version) {
  std::string text = read(DALBIT_SOURCE_DIR "/scripts/strategies/trailing_stop.lua");
  const auto end = text.rfind("return S");
  text.insert(end, "local bench_on_tick = S.on_tick\nfunction S.on_tick(ctx, t)\n  bench_on_tick(ctx, t)\n"
                   "  ctx:notify(\"v" + std::to_string(version) + "\")\nend\n");
  return text;
}

struct ReloadRig {
  ReloadRig() : dir("reload-bench") {
    log::init({.dir = "", .level = "error", .console_level = "off", .console = false});
    write(dir.path() / "trailing_stop.lua", trailing_stop_version(0));
    host = std::make_unique<lua::Host>(api, lua::HostOptions{.strategies_dir = dir.path().string()});
    const auto& params = shipped_config().strategies;
    if (const Status st = host->load({"trailing_stop"}, params); !st) {
      std::fprintf(stderr, "%s\n", st.message().c_str());
      std::abort();
    }
    host->on_init();
  }

  // Delivers one tick and answers when the version that handled it acted.
  std::optional<SteadyClock::time_point> tick() {
    api.acted.reset();
    host->on_tick(make_tick(n++));
    return api.acted;
  }

  TempDir dir;
  TimingApi api;
  std::unique_ptr<lua::Host> host;
  std::uint64_t n = 0;
};

// Host::reload of a changed file -> the new version's first on_tick done.
void BM_ReloadLatency(benchmark::State& state) {
  ReloadRig rig;
  std::vector<double> us;
  int version = 0;
  for (auto _ : state) {
    write(rig.dir.path() / "trailing_stop.lua", trailing_stop_version(++version));
    const auto start = SteadyClock::now();
    if (const Status st = rig.host->reload("trailing_stop"); !st) {
      state.SkipWithError(st.message().c_str());
      break;
    }
    const auto acted = rig.tick();
    if (!acted || rig.api.last_notice != "v" + std::to_string(version)) {
      state.SkipWithError("the new version did not handle the tick");
      break;
    }
    const double elapsed = std::chrono::duration<double>(*acted - start).count();
    state.SetIterationTime(elapsed);
    us.push_back(elapsed * 1e6);
  }
  report(state, us);
}
BENCHMARK(BM_ReloadLatency)->UseManualTime()->Unit(benchmark::kMicrosecond)->Iterations(500);

// The file written -> inotify -> ScriptWatcher::poll (debounce 0) ->
// Host::reload -> the new version's first on_tick done. What the engine
// loop adds between a readable fd and the poll is not included.
void BM_WatcherReloadLatency(benchmark::State& state) {
  ReloadRig rig;
  auto watcher = lua::ScriptWatcher::open({{rig.dir.path().string(), ""}}, std::chrono::milliseconds(0));
  if (!watcher) {
    state.SkipWithError(watcher.error().message.c_str());
    return;
  }
  std::vector<double> us;
  std::vector<double> written;    // the write itself (open, write, close)
  std::vector<double> to_report;  // the save until the watcher reports it
  int version = 0;
  for (auto _ : state) {
    const std::string text = trailing_stop_version(++version);
    const auto start = SteadyClock::now();
    write(rig.dir.path() / "trailing_stop.lua", text);
    written.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count());
    std::vector<std::string> saved;
    while (saved.empty()) {
      pollfd ready{(*watcher)->fd(), POLLIN, 0};
      if (::poll(&ready, 1, 1000) <= 0) break;
      saved = (*watcher)->poll(SteadyClock::now());
    }
    if (saved != std::vector<std::string>{"trailing_stop"}) {
      state.SkipWithError("the watcher did not report the save");
      break;
    }
    const auto reported = SteadyClock::now();
    if (const Status st = rig.host->reload("trailing_stop"); !st) {
      state.SkipWithError(st.message().c_str());
      break;
    }
    const auto acted = rig.tick();
    if (!acted || rig.api.last_notice != "v" + std::to_string(version)) {
      state.SkipWithError("the new version did not handle the tick");
      break;
    }
    const double elapsed = std::chrono::duration<double>(*acted - start).count();
    state.SetIterationTime(elapsed);
    us.push_back(elapsed * 1e6);
    to_report.push_back(std::chrono::duration<double, std::micro>(reported - start).count());
  }
  report(state, us);
  if (!to_report.empty()) {
    std::sort(to_report.begin(), to_report.end());
    state.counters["save_to_poll_p50_us"] = to_report[to_report.size() / 2];
    std::sort(written.begin(), written.end());
    state.counters["write_p50_us"] = written[written.size() / 2];
  }
}
BENCHMARK(BM_WatcherReloadLatency)->UseManualTime()->Unit(benchmark::kMicrosecond)->Iterations(500);

// Nine shipped strategies plus tick_buy (bench/scripts), last.
constexpr std::array<const char*, 9> kShipped = {"momentum", "disparity", "bollinger",
                                                 "rsi_volume", "chaikin", "reference_candle",
                                                 "scalping", "take_profit_stop_loss", "trailing_stop"};

// tick -> the tenth strategy's intent, the nine others having run on the
// tick first. A 1-minute bar per code each simulated minute (not timed)
// keeps the bar strategies' indicators moving.
void BM_TickToIntentTenStrategies(benchmark::State& state) {
  log::init({.dir = "", .level = "error", .console_level = "off", .console = false});
  TempDir dir("tick-bench");
  std::vector<std::string> names;
  for (const char* name : kShipped) {
    std::filesystem::copy_file(std::filesystem::path(DALBIT_SOURCE_DIR "/scripts/strategies") / (std::string(name) + ".lua"),
                               dir.path() / (std::string(name) + ".lua"));
    names.emplace_back(name);
  }
  std::filesystem::copy_file(DALBIT_SOURCE_DIR "/bench/scripts/tick_buy.lua", dir.path() / "tick_buy.lua");
  names.emplace_back("tick_buy");
  TimingApi api;
  api.timed_strategy = "tick_buy";
  lua::Host host(api, lua::HostOptions{.strategies_dir = dir.path().string()});
  if (const Status st = host.load(names, shipped_config().strategies); !st) {
    state.SkipWithError(st.message().c_str());
    return;
  }
  host.on_init();
  std::uint64_t n = 0;
  std::vector<double> us;
  us.reserve(1 << 20);
  Timestamp minute = make_tick(0).time;
  for (auto _ : state) {
    const Tick t = make_tick(n++);
    api.clock = t.time;
    if (t.time - minute >= std::chrono::minutes(1)) {
      minute += std::chrono::minutes(1);
      for (std::uint64_t c = 0; c < 8; ++c) {
        const Tick last = make_tick(n + c);
        host.on_bar({.time = minute - std::chrono::minutes(1), .code = last.code, .open = last.price,
                     .high = last.price + Price(50), .low = last.price - Price(50), .close = last.price,
                     .volume = Qty(10'000), .minutes = 1});
      }
    }
    host.on_clock(t.time);
    api.acted.reset();
    const auto start = SteadyClock::now();
    host.on_tick(t);
    if (!api.acted) {
      state.SkipWithError("tick_buy stated no intent");
      break;
    }
    const double elapsed = std::chrono::duration<double>(*api.acted - start).count();
    state.SetIterationTime(elapsed);
    if (us.size() < us.capacity()) us.push_back(elapsed * 1e6);
  }
  report(state, us);
  std::uint64_t errors = 0;
  for (const auto& name : names) errors += host.errors(name);
  state.counters["script_errors"] = static_cast<double>(errors);
}
BENCHMARK(BM_TickToIntentTenStrategies)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
