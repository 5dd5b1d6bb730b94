// Every shipped script over the sample market data (data/sample), through the
// real engine, simulated broker and Lua host as `dalbit backtest` wires them
// (the risk scripts too), with the params of config/dalbit.json: none may
// raise a Lua error or be disabled on real-looking data, and together they
// must trade.
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "broker/sim_broker.h"
#include "config/config.h"
#include "data/replay.h"
#include "engine/engine.h"
#include "engine/lua_strategies.h"
#include "engine/replay.h"
#include "log/log.h"
#include "lua/host.h"

namespace dalbit::strategies::testing {
namespace {

const std::vector<std::string> kStrategies = {
    "momentum_tpsl",    "condition_entry", "momentum",  "disparity",     "bollinger",
    "rsi_volume",       "chaikin",         "reference_candle", "scalping", "take_profit_stop_loss",
    "trailing_stop",    "time_exit",       "eod_liquidation"};
const std::vector<std::string> kRiskScripts = {"rebuy", "max_holdings", "per_condition_window"};

class SampleBacktest : public ::testing::Test {
 protected:
  void SetUp() override { log::init({.dir = "", .level = "warn", .console = false}); }
  void TearDown() override { log::shutdown(); }

  // Replays `data` with `names` loaded; returns the orders each strategy made.
  std::map<std::string, int> run(const std::string& data, const std::vector<std::string>& names) {
    auto cfg = config::load(DALBIT_SOURCE_DIR "/config/dalbit.json");
    EXPECT_TRUE(cfg.ok()) << cfg.error().message;
    if (!cfg.ok()) return {};
    SimClock clock;
    broker::SimBroker broker(match::Params{cfg->fill_model.max_volume_pct, cfg->fees});
    engine::Engine engine(*cfg, clock, broker, nullptr);
    lua::HostOptions options;
    options.strategies_dir = DALBIT_SOURCE_DIR "/scripts/strategies";
    options.risk_dir = DALBIT_SOURCE_DIR "/scripts/risk";
    options.sessions = cfg->market.sessions;
    lua::Host host(engine, options);
    const Status loaded = host.load(names, cfg->strategies);
    EXPECT_TRUE(loaded.ok()) << loaded.message();
    const Status risk_loaded = host.load_risk(kRiskScripts, cfg->risk_scripts);
    EXPECT_TRUE(risk_loaded.ok()) << risk_loaded.message();
    if (!loaded.ok() || !risk_loaded.ok()) return {};
    engine::LuaStrategies strategies(host);
    engine.set_strategies(&strategies);
    host.on_init();

    auto source = data::ReplaySource::open(data, {});
    EXPECT_TRUE(source.ok()) << source.error().message;
    if (!source.ok()) return {};
    const Status replayed = engine::run_replay(**source, engine, clock, cfg->market.sessions, nullptr);
    EXPECT_TRUE(replayed.ok()) << replayed.message();

    std::vector<std::string> everyone = names;
    for (const auto& name : kRiskScripts) everyone.push_back("risk/" + name);
    for (const auto& name : everyone) {
      EXPECT_TRUE(host.enabled(name)) << name << ": " << host.last_error(name);
      EXPECT_EQ(host.errors(name), 0u) << name << ": " << host.last_error(name);
    }
    std::map<std::string, int> orders;
    for (OrderId id = 1; id <= engine.oms().size(); ++id) {
      if (const Order* o = engine.oms().find(id)) ++orders[o->strategy];
    }
    EXPECT_GT(engine.stats().fills, 0u);
    return orders;
  }
};

TEST_F(SampleBacktest, EveryShippedScriptRunsFifteenDaysOfBarsWithoutAnError) {
  const auto orders = run(DALBIT_SOURCE_DIR "/data/sample/bars", kStrategies);
  for (const auto& [strategy, n] : orders) std::printf("  %-22s %d orders\n", strategy.c_str(), n);
}

// The last day as trades: the tick rules (scalping, the exits' tick checks)
// run, and the engine builds the bars the others use.
TEST_F(SampleBacktest, EveryShippedScriptRunsADayOfTicksWithoutAnError) {
  const auto orders = run(DALBIT_SOURCE_DIR "/data/sample/ticks", kStrategies);
  for (const auto& [strategy, n] : orders) std::printf("  %-22s %d orders\n", strategy.c_str(), n);
}

}  // namespace
}  // namespace dalbit::strategies::testing
