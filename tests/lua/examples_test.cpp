// The example strategies that docs/lua-api.md shows, driven through a few
// bars and ticks: the documentation's code is known to work.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::HasSubstr;

class Examples : public LuaTest {
 protected:
  void SetUp() override {
    LuaTest::SetUp();
    options.strategies_dir = DALBIT_SOURCE_DIR "/tests/lua/scripts";
  }
  void bars(std::string_view stock, std::initializer_list<std::int64_t> closes, int first_minute = 0) {
    int minute = first_minute;
    for (const auto close : closes) {
      host->on_bar(bar(stock, close, fmt::format("2026-01-05 {:02}:{:02}:00", 9 + minute / 60, minute % 60)));
      ++minute;
    }
  }
  void filled(OrderId id, std::string_view strategy, std::string_view stock, Side side) {
    Order o = order(id, strategy, stock);
    o.side = side;
    o.status = OrderStatus::Filled;
    host->on_order(o);
  }
};

TEST_F(Examples, MomentumEntersOnARiseAndExitsAtTakeProfitOrStopLoss) {
  // The params of config/dalbit.json.
  load({"momentum_tpsl"}, {{"momentum_tpsl", {{"lookback_bars", std::int64_t{5}}, {"entry_rise_pct", 0.8},
                                               {"budget", std::int64_t{1'000'000}}, {"take_profit_pct", 1.5},
                                               {"stop_loss_pct", 1.0}, {"last_entry", std::string("14:30")}}}});
  host->on_init();
  EXPECT_THAT(logs->text(), HasSubstr("[momentum_tpsl] ready: 5 bars, +0.80%, 1000000 won"));

  bars("005930", {10000, 10010, 10020, 10030, 10040, 10079});  // +0.79 % over 5 bars: no entry
  EXPECT_TRUE(api.intents.empty());
  bars("005930", {10091}, 6);  // 10,010 -> 10,091: +0.81 %
  ASSERT_EQ(api.intents.size(), 1u);
  EXPECT_EQ(api.intents[0].side, Side::Buy);
  EXPECT_EQ(api.intents[0].amount, Krw(1'000'000));
  EXPECT_EQ(api.intents[0].reason, "rise 0.81% in 5 bars");

  bars("005930", {10200}, 7);  // the entry still works: nothing new
  EXPECT_EQ(api.intents.size(), 1u);
  filled(1, "momentum_tpsl", "005930", Side::Buy);
  api.held[code("005930")] = position("005930", 99, 99 * 10091);
  bars("005930", {10200}, 8);  // +1.08 %: hold
  EXPECT_EQ(api.intents.size(), 1u);
  bars("005930", {10250}, 9);  // +1.58 %: take profit, the whole position
  ASSERT_EQ(api.intents.size(), 2u);
  EXPECT_EQ(api.intents[1].side, Side::Sell);
  EXPECT_EQ(api.intents[1].qty, Qty(99));
  EXPECT_EQ(api.intents[1].reason, "take profit 1.58%");

  api.held[code("000660")] = position("000660", 5, 5 * 200000);
  bars("000660", {198000}, 10);  // -1.00 %: stop loss
  ASSERT_EQ(api.intents.size(), 3u);
  EXPECT_EQ(api.intents[2].code, code("000660"));
  EXPECT_EQ(api.intents[2].reason, "stop loss -1.00%");
  EXPECT_EQ(host->errors("momentum_tpsl"), 0u) << host->last_error("momentum_tpsl");
}

TEST_F(Examples, MomentumMakesNoEntryAfterTheLastEntryTime) {
  load({"momentum_tpsl"}, {{"momentum_tpsl", {{"last_entry", std::string("09:03")}}}}).on_init();
  bars("005930", {10000, 10000, 10000, 10000, 10000, 20000});  // 09:05: too late
  EXPECT_TRUE(api.intents.empty());
  EXPECT_EQ(host->errors("momentum_tpsl"), 0u) << host->last_error("momentum_tpsl");
}

TEST_F(Examples, TrailingStopSellsOneTickUnderAFallFromThePeak) {
  load({"trailing_stop"}).on_init();
  api.held[code("005930")] = position("005930", 10, 10 * 70000);
  api.last[code("005930")] = Price(71400);
  for (const std::int64_t price : {70500, 72000, 71000, 70600}) host->on_tick(tick("005930", price));
  EXPECT_TRUE(api.intents.empty());  // 72,000 * 0.98 = 70,560
  api.last[code("005930")] = Price(70500);
  host->on_tick(tick("005930", 70500));
  ASSERT_EQ(api.intents.size(), 1u);
  EXPECT_EQ(api.intents[0].side, Side::Sell);
  EXPECT_EQ(api.intents[0].qty, Qty(10));
  EXPECT_EQ(api.intents[0].type, OrderType::Limit);
  EXPECT_EQ(api.intents[0].limit, Price(70400));
  EXPECT_EQ(api.intents[0].reason, "trailing stop from 72000");
  host->on_tick(tick("005930", 70000));  // the sell still works: no second one
  EXPECT_EQ(api.intents.size(), 1u);
  EXPECT_EQ(host->errors("trailing_stop"), 0u) << host->last_error("trailing_stop");
}

}  // namespace
}  // namespace dalbit::lua::testing
