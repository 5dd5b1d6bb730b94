// The exit strategies: take_profit_stop_loss, trailing_stop, time_exit and
// eod_liquidation sell at the exact bar, tick or time their rule says, once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "strategies/strategy_harness.h"

namespace dalbit::strategies::testing {
namespace {

using ::testing::HasSubstr;

class TakeProfitStopLoss : public StrategyTest {};

TEST_F(TakeProfitStopLoss, TakesProfitOnTheBarThatReachesThePercent) {
  start("take_profit_stop_loss", {{"take_profit_pct", 2.0}, {"take_profit_won", std::int64_t{0}},
                                  {"stop_loss_pct", 1.5}, {"stop_loss_won", std::int64_t{0}}});
  hold("900010", 100, 10'000);
  // 10,000 x 1.02 = 10,200: +1.50 % and +1.90 % hold, +2.00 % sells all 100 shares at market.
  closes("900010", "09:00", {10'150, 10'190});
  EXPECT_TRUE(api.intents.empty());
  closes("900010", "09:02", {10'200});
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Sell, .qty = 100, .amount = 0, .type = OrderType::Market,
                          .reason = "take profit +2.00%"});
  EXPECT_EQ(api.intents[0].strategy, "take_profit_stop_loss");

  closes("900010", "09:03", {10'300});  // the sell still works: nothing more
  EXPECT_EQ(api.intents.size(), 1u);
  filled("take_profit_stop_loss", 1, "900010", Side::Sell, 100, 10'200);
  closes("900010", "09:04", {10'400});  // flat now
  EXPECT_EQ(api.intents.size(), 1u);
  expect_no_errors("take_profit_stop_loss");
}

TEST_F(TakeProfitStopLoss, StopsTheLossOnTheBarThatReachesThePercent) {
  start("take_profit_stop_loss", {{"take_profit_pct", 2.0}, {"stop_loss_pct", 1.5}});
  hold("900020", 30, 10'000);
  // 10,000 x 0.985 = 9,850: -1.40 % holds, -1.50 % exactly sells (compared without a division).
  closes("900020", "09:00", {9'860});
  EXPECT_TRUE(api.intents.empty());
  closes("900020", "09:01", {9'850});
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900020", .side = Side::Sell, .qty = 30, .type = OrderType::Market,
                          .reason = "stop loss -1.50%"});
}

TEST_F(TakeProfitStopLoss, WonThresholdsOnTheHoldingsPnl) {
  start("take_profit_stop_loss", {{"take_profit_pct", 0.0}, {"take_profit_won", std::int64_t{30'000}},
                                  {"stop_loss_pct", 0.0}, {"stop_loss_won", std::int64_t{20'000}}});
  hold("900010", 50, 20'000);
  hold("900020", 40, 5'000);
  // 900010: 50 x (20,550 - 20,000) = +27,500 holds; 50 x 600 = +30,000 sells.
  closes("900010", "09:00", {20'550});
  // 900020: 40 x (4,505 - 5,000) = -19,800 holds; 40 x -500 = -20,000 sells.
  closes("900020", "09:00", {4'505});
  EXPECT_TRUE(api.intents.empty());
  closes("900010", "09:01", {20'600});
  closes("900020", "09:01", {4'500});
  ASSERT_EQ(api.intents.size(), 2u);
  expect(api.intents[0], {.code = "900010", .side = Side::Sell, .qty = 50, .reason = "take profit +30000 won"});
  expect(api.intents[1], {.code = "900020", .side = Side::Sell, .qty = 40, .reason = "stop loss -20000 won"});
}

TEST_F(TakeProfitStopLoss, ZeroTurnsAThresholdOff) {
  start("take_profit_stop_loss", {{"take_profit_pct", 0.0}, {"take_profit_won", std::int64_t{0}},
                                  {"stop_loss_pct", 1.0}, {"stop_loss_won", std::int64_t{0}}});
  hold("900010", 10, 10'000);
  closes("900010", "09:00", {20'000});  // +100 %, but take profit is off
  EXPECT_TRUE(api.intents.empty());
}

TEST_F(TakeProfitStopLoss, SellsOnATick) {
  start("take_profit_stop_loss", {{"take_profit_pct", 2.0}, {"stop_loss_pct", 1.5}});
  hold("900010", 7, 10'000);
  trade("900010", "09:00:01", 10'190);
  EXPECT_TRUE(api.intents.empty());
  trade("900010", "09:00:02", 10'200);
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Sell, .qty = 7, .reason = "take profit +2.00%"});
  trade("900010", "09:00:03", 10'250);
  EXPECT_EQ(api.intents.size(), 1u);
}

TEST_F(TakeProfitStopLoss, AVetoedSellIsLoggedAndAskedAgainOnTheNextBar) {
  start("take_profit_stop_loss", {{"take_profit_pct", 2.0}, {"stop_loss_pct", 1.5}});
  hold("900010", 10, 10'000);
  api.veto = "trading halted";
  closes("900010", "09:00", {9'800});
  EXPECT_EQ(api.intents.size(), 1u);
  EXPECT_THAT(logs->text(), HasSubstr("900010: stop loss -2.00% refused: trading halted"));
  api.veto.clear();
  closes("900010", "09:01", {9'800});
  ASSERT_EQ(api.intents.size(), 2u);
  expect(api.intents[1], {.code = "900010", .side = Side::Sell, .reason = "stop loss -2.00%"});
}

TEST_F(TakeProfitStopLoss, ACancelledSellFreesTheStockForTheNextExit) {
  start("take_profit_stop_loss", {{"take_profit_pct", 2.0}, {"stop_loss_pct", 1.5}});
  hold("900010", 10, 10'000);
  closes("900010", "09:00", {9'800});
  ASSERT_EQ(api.intents.size(), 1u);
  ended("take_profit_stop_loss", 1, "900010", Side::Sell, OrderStatus::Cancelled);
  closes("900010", "09:01", {9'790});
  ASSERT_EQ(api.intents.size(), 2u);
  expect(api.intents[1], {.code = "900010", .side = Side::Sell, .reason = "stop loss -2.10%"});
}

TEST_F(TakeProfitStopLoss, IgnoresStocksNotHeld) {
  start("take_profit_stop_loss");
  closes("900010", "09:00", {10'000, 1'000, 100'000});
  trade("900010", "09:03:00", 50'000);
  EXPECT_TRUE(api.intents.empty());
  expect_no_errors("take_profit_stop_loss");
}

class TrailingStop : public StrategyTest {
 protected:
  void SetUp() override {
    StrategyTest::SetUp();
    start("trailing_stop", {{"activate_pct", 1.0}, {"trail_pct", 0.5}});
  }
};

TEST_F(TrailingStop, ActivatesAtThePercentThenSellsOnTheFallFromTheHigh) {
  hold("900010", 20, 10'000);
  // Activation at 10,000 x 1.01 = 10,100.
  bar("900010", "09:00", {.open = 10'000, .high = 10'090, .low = 9'950, .close = 10'050});  // not yet
  bar("900010", "09:01", {.open = 10'050, .high = 10'100, .low = 10'040, .close = 10'080});  // activates
  EXPECT_THAT(logs->text(), HasSubstr("900010: trailing from 10100 (average 10000)"));
  // 10,080 > 10,100 x 0.995 = 10,049.5: hold.
  bar("900010", "09:02", {.open = 10'080, .high = 10'300, .low = 10'080, .close = 10'260});  // 10,248.5
  bar("900010", "09:03", {.open = 10'260, .high = 10'280, .low = 10'249, .close = 10'249});  // above it
  EXPECT_TRUE(api.intents.empty());
  bar("900010", "09:04", {.open = 10'249, .high = 10'260, .low = 10'240, .close = 10'240});  // at or under
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Sell, .qty = 20, .type = OrderType::Market,
                          .reason = "trailing stop 10240 from high 10300"});
  bar("900010", "09:05", {.close = 10'000});
  EXPECT_EQ(api.intents.size(), 1u);
  expect_no_errors("trailing_stop");
}

TEST_F(TrailingStop, NeverSellsBeforeActivation) {
  hold("900010", 20, 10'000);
  closes("900010", "09:00", {10'090, 9'500, 9'000, 8'000});
  EXPECT_TRUE(api.intents.empty());
}

TEST_F(TrailingStop, ABarThatPeaksAndFallsBackWithinItselfSellsAtItsClose) {
  hold("900010", 20, 10'000);
  // High 10,200 activates and sets the high; the close 10,140 <= 10,200 x 0.995 = 10,149.
  bar("900010", "09:00", {.open = 10'000, .high = 10'200, .low = 10'000, .close = 10'140});
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Sell, .reason = "trailing stop 10140 from high 10200"});
}

TEST_F(TrailingStop, FollowsTicks) {
  hold("900010", 5, 50'000);
  // Activation at 50,500; trail 0.5 % under the high.
  trade("900010", "09:00:01", 50'400);
  trade("900010", "09:00:02", 50'500);  // activates
  trade("900010", "09:00:03", 51'000);  // high; sells at 51,000 x 0.995 = 50,745 or under
  trade("900010", "09:00:04", 50'800);
  EXPECT_TRUE(api.intents.empty());
  trade("900010", "09:00:05", 50'700);
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Sell, .qty = 5, .reason = "trailing stop 50700 from high 51000"});
}

TEST_F(TrailingStop, ANewHoldingStartsAfresh) {
  hold("900010", 20, 10'000, "09:00:00");
  bar("900010", "09:00", {.open = 10'000, .high = 10'300, .low = 10'000, .close = 10'290});  // high 10,300
  filled("trailing_stop", 99, "900010", Side::Sell, 20, 10'290);  // sold by someone else; not our order
  EXPECT_TRUE(api.intents.empty());
  hold("900010", 20, 10'200, "09:05:00");  // bought again
  // The old high is gone: 10,200 is under 10,300 x 0.995, but the new trail needs 10,302 first.
  bar("900010", "09:05", {.open = 10'200, .high = 10'250, .low = 10'150, .close = 10'200});
  EXPECT_TRUE(api.intents.empty());
  expect_no_errors("trailing_stop");
}


class TimeExit : public StrategyTest {
 protected:
  void SetUp() override {
    StrategyTest::SetUp();
    start("time_exit", {{"max_minutes", std::int64_t{30}}, {"check_seconds", std::int64_t{10}}});
  }
};

TEST_F(TimeExit, SellsOnTheBarThatCompletesTheHoldingTime) {
  hold("900010", 10, 10'000, "09:00:00");
  bar("900010", "09:28", {.close = 10'000});  // ends 09:29: held 29 minutes
  EXPECT_TRUE(api.intents.empty());
  bar("900010", "09:29", {.close = 10'000});  // ends 09:30: 30 minutes
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Sell, .qty = 10, .type = OrderType::Market,
                          .reason = "held 30 min"});
  bar("900010", "09:30", {.close = 10'000});  // the sell works: nothing more
  EXPECT_EQ(api.intents.size(), 1u);
  expect_no_errors("time_exit");
}

TEST_F(TimeExit, TheTimerSellsAStockThatDoesNotTrade) {
  hold("900020", 4, 5'000, "09:00:00");
  clock("09:29:59");
  EXPECT_TRUE(api.intents.empty());
  clock("09:30:00");  // a check every 10 s from 08:59:00 falls on 09:30:00
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900020", .side = Side::Sell, .qty = 4, .reason = "held 30 min"});
  expect_no_errors("time_exit");
}

TEST_F(TimeExit, AHoldingFromAnEarlierDayGoesAtTheFirstCheck) {
  hold("900010", 3, 10'000, "09:00:00");
  clock("09:00:00", "2026-01-06");
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Sell, .reason = "held 1440 min"});
}

class EodLiquidation : public StrategyTest {
 protected:
  void SetUp() override {
    StrategyTest::SetUp();
    start("eod_liquidation", {{"enabled", true}, {"at", std::string("15:15")}, {"attempts", std::int64_t{3}}});
    hold("900010", 10, 10'000);
    hold("900020", 5, 5'000);
  }
};

TEST_F(EodLiquidation, SellsEveryHoldingFromTheConfiguredTime) {
  clock("15:14:59");
  EXPECT_TRUE(api.intents.empty());
  clock("15:15:00");
  ASSERT_EQ(api.intents.size(), 2u);
  expect(api.intents[0], {.code = "900010", .side = Side::Sell, .qty = 10, .type = OrderType::Market,
                          .reason = "end of day 15:15"});
  expect(api.intents[1], {.code = "900020", .side = Side::Sell, .qty = 5, .type = OrderType::Market,
                          .reason = "end of day 15:15"});
  clock("15:15:30");  // both sells work: nothing more
  EXPECT_EQ(api.intents.size(), 2u);
  expect_no_errors("eod_liquidation");
}

TEST_F(EodLiquidation, TriesAgainAfterACancelThenGivesUp) {
  api.held.erase(code("900020"));
  clock("15:15:00");
  ASSERT_EQ(api.intents.size(), 1u);
  ended("eod_liquidation", 1, "900010", Side::Sell, OrderStatus::Cancelled);
  clock("15:15:10");
  ASSERT_EQ(api.intents.size(), 2u);
  ended("eod_liquidation", 2, "900010", Side::Sell, OrderStatus::Rejected);
  clock("15:15:20");
  ASSERT_EQ(api.intents.size(), 3u);
  ended("eod_liquidation", 3, "900010", Side::Sell, OrderStatus::Cancelled);
  clock("15:15:30");
  clock("15:15:40");
  EXPECT_EQ(api.intents.size(), 3u);
  EXPECT_THAT(logs->text(), HasSubstr("900010: giving up after 3 attempts; the holding stays"));
}

TEST_F(EodLiquidation, AFilledSellLeavesNothingToSell) {
  clock("15:15:00");
  ASSERT_EQ(api.intents.size(), 2u);
  filled("eod_liquidation", 1, "900010", Side::Sell, 10, 10'000);
  filled("eod_liquidation", 2, "900020", Side::Sell, 5, 5'000);
  clock("15:16:00");
  EXPECT_EQ(api.intents.size(), 2u);
}

TEST_F(EodLiquidation, TheSwitchOffDoesNothing) {
  start("eod_liquidation", {{"enabled", false}});
  clock("15:15:00");
  clock("15:29:00");
  bar("900010", "15:29", {.close = 10'000});
  EXPECT_TRUE(api.intents.empty());
}

TEST_F(EodLiquidation, ABarAfterTheTimeSellsToo) {
  bar("900010", "15:20", {.close = 10'000});  // the timer at 15:21:00 and the bar both come after 15:15
  EXPECT_EQ(api.intents.size(), 2u);
}

}  // namespace
}  // namespace dalbit::strategies::testing
