// The bar and tick entry strategies: each fires on the exact bar (or tick)
// its rule names, not before, not again for the same signal. Small periods
// keep the arithmetic in the comments checkable by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "strategies/strategy_harness.h"

namespace dalbit::strategies::testing {
namespace {

using ::testing::HasSubstr;

// --------------------------------------------------------------- momentum

class Momentum : public StrategyTest {
 protected:
  void SetUp() override {
    StrategyTest::SetUp();
    start("momentum", {{"period", std::int64_t{2}}, {"amount", std::int64_t{1'000'000}},
                       {"first_entry", std::string("09:00")}, {"last_entry", std::string("15:00")}});
  }
};

TEST_F(Momentum, BuysWhenMomentumTurnsPositiveAndRising) {
  // mom = close - close two bars before, from the third bar: 0, -10, +10, +50, +50, +60.
  closes("900010", "09:00", {10'000, 10'000, 10'000, 9'990});  // 0 then -10: the state is "not up"
  EXPECT_TRUE(api.intents.empty());
  closes("900010", "09:04", {10'010});  // +10 > 0 and > -10: starts
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Buy, .qty = 0, .amount = 1'000'000,
                          .type = OrderType::Market, .reason = "momentum +10 rising from -10"});
  closes("900010", "09:05", {10'040, 10'060});  // +50 goes on rising, then +50 is not rising
  closes("900010", "09:07", {10'100});          // +60 starts again, but our buy still works
  EXPECT_EQ(api.intents.size(), 1u);
  filled("momentum", 1, "900010", Side::Buy, 99, 10'010);
  closes("900010", "09:08", {10'000, 10'200});  // -100, then +100 starts: held, no buy
  EXPECT_EQ(api.intents.size(), 1u);
  expect_no_errors("momentum");
}

TEST_F(Momentum, TheFirstBarsNeverFire) {
  // +30 then +50 is up from the first momentum on, but nothing is known of the bar before it.
  closes("900010", "09:00", {10'000, 10'010, 10'030, 10'060, 10'100});
  EXPECT_TRUE(api.intents.empty());
  expect_no_errors("momentum");
}

TEST_F(Momentum, EachStockHasItsOwnSeries) {
  // Minute by minute, two stocks: 900010's momentum 0, -10, -10 never turns up; 900020's 0, -10, +10 does.
  const std::int64_t a[] = {10'000, 10'000, 10'000, 9'990, 9'990};
  const std::int64_t b[] = {5'000, 5'000, 5'000, 4'990, 5'010};
  for (int minute = 0; minute < 5; ++minute) {
    const std::string hhmm = "09:0" + std::to_string(minute);
    bar("900010", hhmm, {.close = a[minute]});
    bar("900020", hhmm, {.close = b[minute]});
  }
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900020", .side = Side::Buy, .reason = "momentum +10 rising from -10"});
}

TEST_F(Momentum, NoEntryOutsideTheWindowAndTheSignalIsUsedUp) {
  start("momentum", {{"period", std::int64_t{2}}, {"last_entry", std::string("09:04")}});
  closes("900010", "09:00", {10'000, 10'000, 10'000, 9'990, 10'010});  // starts on the 09:04 bar
  closes("900010", "09:05", {10'040});                                  // goes on: not a new signal
  EXPECT_TRUE(api.intents.empty());
}

TEST_F(Momentum, IgnoresBarsOfOtherIntervals) {
  closes("900010", "09:00", {10'000, 10'000, 10'000, 9'990});
  bar("900010", "09:00", {.close = 12'000}, 5);  // a 5-minute bar does not feed the 1-minute rule
  closes("900010", "09:04", {10'010});
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.reason = "momentum +10 rising from -10"});
}

// -------------------------------------------------------------- disparity

class Disparity : public StrategyTest {
 protected:
  void SetUp() override {
    StrategyTest::SetUp();
    start("disparity", {{"period", std::int64_t{3}}, {"buy_below", 95.0}, {"sell_above", 105.0},
                        {"amount", std::int64_t{1'000'000}}});
  }
};

TEST_F(Disparity, BuysOnTheCrossBelowAndSellsItsOwnAbove) {
  closes("900010", "09:00", {10'000, 10'000, 10'000});  // disparity 100
  EXPECT_TRUE(api.intents.empty());
  // SMA(10,000, 10,000, 9,200) = 9,733.33; 9,200 / 9,733.33 = 94.52 %: crossed below 95.
  closes("900010", "09:03", {9'200});
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Buy, .amount = 1'000'000, .type = OrderType::Market,
                          .reason = "disparity 94.52 below 95.00"});
  filled("disparity", 1, "900010", Side::Buy, 108, 9'200);
  // 9,100 / 9,433.33 = 96.47 %, 8,900 / 9,066.67 = 98.16 %: hold.
  closes("900010", "09:04", {9'100, 8'900});
  EXPECT_EQ(api.intents.size(), 1u);
  // 10,000 / SMA(9,100, 8,900, 10,000) = 10,000 / 9,333.33 = 107.14 %: above 105, sell all.
  closes("900010", "09:06", {10'000});
  ASSERT_EQ(api.intents.size(), 2u);
  expect(api.intents[1], {.code = "900010", .side = Side::Sell, .qty = 108, .type = OrderType::Market,
                          .reason = "disparity 107.14 above 105.00"});
  expect_no_errors("disparity");
}

TEST_F(Disparity, StayingBelowBuysOnce) {
  closes("900010", "09:00", {10'000, 10'000, 10'000, 9'200});
  ASSERT_EQ(api.intents.size(), 1u);
  ended("disparity", 1, "900010", Side::Buy, OrderStatus::Rejected);
  // 8,500 / SMA(10,000, 9,200, 8,500) = 8,500 / 9,233.33 = 92.06 %: still below, no new cross.
  closes("900010", "09:04", {8'500});
  EXPECT_EQ(api.intents.size(), 1u);
}

TEST_F(Disparity, LeavesHoldingsItDidNotBuy) {
  hold("900010", 10, 9'000);
  closes("900010", "09:00", {9'000, 9'000, 9'000, 10'000});  // 10,000 / 9,333.33 = 107.14 %
  EXPECT_TRUE(api.intents.empty());
}

// -------------------------------------------------------------- bollinger

class Bollinger : public StrategyTest {
 protected:
  void SetUp() override {
    StrategyTest::SetUp();
    start("bollinger", {{"period", std::int64_t{3}}, {"k", 1.0}, {"amount", std::int64_t{1'000'000}}});
  }
};

// Bands of three closes, k = 1, population deviation:
//   (10,000, 10,200, 10,100): middle 10,100, sd sqrt(20,000 / 3) = 81.65, lower 10,018.35
//   (10,200, 10,100,  9,900): middle 10,066.67, sd sqrt(46,666.67 / 3) = 124.72, lower 9,941.95
//   (10,100,  9,900, 10,000): middle 10,000, sd 81.65, lower 9,918.35
TEST_F(Bollinger, BuysOnTheFirstCloseBackInsideAfterATouch) {
  bar("900010", "09:00", {.open = 10'000, .high = 10'000, .low = 10'000, .close = 10'000});
  bar("900010", "09:01", {.open = 10'000, .high = 10'200, .low = 10'000, .close = 10'200});
  bar("900010", "09:02", {.open = 10'200, .high = 10'200, .low = 10'050, .close = 10'100});  // low above 10,018
  bar("900010", "09:03", {.open = 10'100, .high = 10'100, .low = 9'850, .close = 9'900});  // touch, close under
  EXPECT_TRUE(api.intents.empty());
  bar("900010", "09:04", {.open = 9'900, .high = 10'000, .low = 9'950, .close = 10'000});  // back above 9,918
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Buy, .amount = 1'000'000, .type = OrderType::Market,
                          .reason = "close 10000 back above lower band 9918"});
  expect_no_errors("bollinger");
}

TEST_F(Bollinger, AWickThroughTheBandThatClosesInsideBuysOnThatBar) {
  bar("900010", "09:00", {.close = 10'000});
  bar("900010", "09:01", {.close = 10'200});
  // Bands of (10,000, 10,200, 10,100): lower 10,018.35; the low 10,000 touches, the close is inside.
  bar("900010", "09:02", {.open = 10'200, .high = 10'200, .low = 10'000, .close = 10'100});
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.reason = "close 10100 back above lower band 10018"});
}

TEST_F(Bollinger, TheSignalIsUsedUpWhileHeldAndANewTouchIsNeeded) {
  hold("900010", 10, 10'000);
  bar("900010", "09:00", {.close = 10'000});
  bar("900010", "09:01", {.close = 10'200});
  bar("900010", "09:02", {.open = 10'200, .high = 10'200, .low = 10'000, .close = 10'100});  // fires while held
  EXPECT_TRUE(api.intents.empty());
  api.held.clear();
  // (10,200, 10,100, 10,150): middle 10,150, sd 40.82, lower 10,109.18; low 10,120 does not touch.
  bar("900010", "09:03", {.open = 10'100, .high = 10'150, .low = 10'120, .close = 10'150});
  EXPECT_TRUE(api.intents.empty());
}

// ------------------------------------------------------------- rsi_volume

class RsiVolume : public StrategyTest {
 protected:
  void SetUp() override {
    StrategyTest::SetUp();
    start("rsi_volume", {{"period", std::int64_t{2}}, {"buy_below", 30.0}, {"sell_above", 70.0},
                         {"volume_ratio", 1.5}, {"volume_period", std::int64_t{3}},
                         {"amount", std::int64_t{1'000'000}}});
  }
  // RSI(2), Wilder: changes -100, -100 seed avgGain 0, avgLoss 100 (RSI 0); -100 keeps RSI 0.
  void fall(std::int64_t v1, std::int64_t v2, std::int64_t v3) {
    bar("900010", "09:00", {.close = 10'000, .volume = 1000});
    bar("900010", "09:01", {.close = 9'900, .volume = v1});
    bar("900010", "09:02", {.close = 9'800, .volume = v2});
    bar("900010", "09:03", {.close = 9'700, .volume = v3});
  }
};

// +50: avgGain (0 + 50) / 2 = 25, avgLoss (100 + 0) / 2 = 50, RSI 100 x 25 / 75 = 33.33, up from 0.
TEST_F(RsiVolume, BuysWhenRsiTurnsUpFromOversoldOnHeavyVolume) {
  fall(1000, 1000, 1000);  // weighted average of the three before: 1,000, so 1,500 is needed
  bar("900010", "09:04", {.close = 9'750, .volume = 1500});  // 1,500 is not over 1,500
  EXPECT_TRUE(api.intents.empty());
}

TEST_F(RsiVolume, TheAverageWeighsTheNewestBarsMost) {
  // Weighted (1 x 1,000 + 2 x 1,000 + 3 x 3,000) / 6 = 2,000: the buy needs over 3,000. (A plain
  // average, 1,666.67, would take 2,800.)
  fall(1000, 1000, 3000);
  bar("900010", "09:04", {.close = 9'750, .volume = 2800});
  EXPECT_TRUE(api.intents.empty());
}

TEST_F(RsiVolume, BuysOnTheTurnWithVolumeAndSellsOnTheTurnDownFromOverbought) {
  fall(1000, 1000, 3000);
  bar("900010", "09:04", {.close = 9'750, .volume = 3200});  // RSI 33.33 from 0, 3,200 / 2,000 = 1.6x
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Buy, .amount = 1'000'000, .type = OrderType::Market,
                          .reason = "rsi 33.3 turned up from 0.0, volume 1.6x"});
  filled("rsi_volume", 1, "900010", Side::Buy, 102, 9'750);
  // +150: avgGain 87.5, avgLoss 25, RSI 77.78; +100: 93.75 / 12.5, RSI 88.24: rising, hold.
  bar("900010", "09:05", {.close = 9'900});
  bar("900010", "09:06", {.close = 10'000});
  EXPECT_EQ(api.intents.size(), 1u);
  // -10: avgGain 46.875, avgLoss 11.25, RSI 80.65, down from 88.24 > 70: sell all.
  bar("900010", "09:07", {.close = 9'990});
  ASSERT_EQ(api.intents.size(), 2u);
  expect(api.intents[1], {.code = "900010", .side = Side::Sell, .qty = 102, .type = OrderType::Market,
                          .reason = "rsi 80.6 turned down from 88.2"});
  expect_no_errors("rsi_volume");
}

// ---------------------------------------------------------------- chaikin

class Chaikin : public StrategyTest {
 protected:
  void SetUp() override {
    StrategyTest::SetUp();
    start("chaikin", {{"fast", std::int64_t{2}}, {"slow", std::int64_t{3}}, {"amount", std::int64_t{1'000'000}}});
  }
};

// A/D adds ((close - low) - (high - close)) / (high - low) x volume: -1,000 for a close at the low,
// +1,000 at the high (volume 1,000). EMAs from the first A/D, k 2/3 (fast 2) and 1/2 (slow 3):
//   A/D -1,000  -2,000     -3,000     -2,000     -1,000
//   fast -1,000 -1,666.67  -2,555.56  -2,185.19  -1,395.06
//   slow -1,000 -1,500     -2,250     -2,125     -1,562.5
//   osc  (from the third bar) -305.56 -60.19     +167.44: crosses above 0 on the fifth bar
TEST_F(Chaikin, BuysWhenTheOscillatorCrossesAboveZero) {
  const Candle at_low{.open = 10'000, .high = 10'100, .low = 9'900, .close = 9'900, .volume = 1000};
  const Candle at_high{.open = 10'000, .high = 10'100, .low = 9'900, .close = 10'100, .volume = 1000};
  bar("900010", "09:00", at_low);
  bar("900010", "09:01", at_low);
  bar("900010", "09:02", at_low);
  bar("900010", "09:03", at_high);
  EXPECT_TRUE(api.intents.empty());
  bar("900010", "09:04", at_high);
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Buy, .amount = 1'000'000, .type = OrderType::Market,
                          .reason = "chaikin crossed above 0 (-60 -> 167)"});
  filled("chaikin", 1, "900010", Side::Buy, 99, 10'100);
  api.held.clear();  // sold elsewhere: staying above 0 is not a new cross
  bar("900010", "09:05", at_high);
  EXPECT_EQ(api.intents.size(), 1u);
  expect_no_errors("chaikin");
}

// ------------------------------------------------------- reference_candle

class ReferenceCandle : public StrategyTest {
 protected:
  void SetUp() override {
    StrategyTest::SetUp();
    start("reference_candle", {{"volume_ratio", 3.0}, {"volume_period", std::int64_t{3}},
                               {"min_body_pct", 1.0}, {"valid_bars", std::int64_t{2}},
                               {"amount", std::int64_t{1'000'000}}});
    closes("900010", "09:00", {10'000, 10'000, 10'000}, 1000);  // average volume 1,000
  }
  // Volume 3,000 = 3 x 1,000; body 10,150 >= 10,000 x 1.01 = 10,100.
  void reference(std::int64_t volume = 3000, std::int64_t close = 10'150) {
    bar("900010", "09:03", {.open = 10'000, .high = 10'200, .low = 9'990, .close = close, .volume = volume});
  }
};

TEST_F(ReferenceCandle, BuysOnTheFirstCloseAboveTheReferenceHigh) {
  reference();
  EXPECT_THAT(logs->text(), HasSubstr("900010: reference 09:03 high 10200, volume 3.0x"));
  bar("900010", "09:04", {.close = 10'200});  // not above 10,200
  EXPECT_TRUE(api.intents.empty());
  bar("900010", "09:05", {.close = 10'250});  // the second bar after it: still valid
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Buy, .amount = 1'000'000, .type = OrderType::Market,
                          .reason = "close 10250 broke reference 09:03 high 10200"});
  ended("reference_candle", 1, "900010", Side::Buy, OrderStatus::Cancelled);
  bar("900010", "09:06", {.close = 10'300});  // used up
  EXPECT_EQ(api.intents.size(), 1u);
  expect_no_errors("reference_candle");
}

TEST_F(ReferenceCandle, AReferenceExpiresAfterValidBars) {
  reference();
  closes("900010", "09:04", {10'200, 10'200, 10'300});  // the break comes on the third bar after
  EXPECT_TRUE(api.intents.empty());
}

TEST_F(ReferenceCandle, NeedsTheVolume) {
  reference(2999);  // 2.999x
  bar("900010", "09:04", {.close = 10'300});
  EXPECT_TRUE(api.intents.empty());
}

TEST_F(ReferenceCandle, NeedsTheBody) {
  reference(3000, 10'090);  // 0.9 % over the open
  bar("900010", "09:04", {.close = 10'300});
  EXPECT_TRUE(api.intents.empty());
}

// --------------------------------------------------------------- scalping

class Scalping : public StrategyTest {
 protected:
  void SetUp() override {
    StrategyTest::SetUp();
    start("scalping", {{"window_seconds", std::int64_t{30}}, {"entry_rise_pct", 0.5},
                       {"min_ticks", std::int64_t{3}}, {"amount", std::int64_t{500'000}},
                       {"take_profit_pct", 0.6}, {"stop_loss_pct", 0.3},
                       {"max_hold_seconds", std::int64_t{180}}, {"first_entry", std::string("09:05")}});
  }
  // Rises 0.5 % in 25 s on four trades: 10,000 -> 10,050.
  void rise() {
    trade("900010", "09:10:00", 10'000);
    trade("900010", "09:10:10", 10'020);
    trade("900010", "09:10:20", 10'040);  // +0.40 %
  }
};

TEST_F(Scalping, BuysOnTheTickTheRiseReachesThePercent) {
  rise();
  EXPECT_TRUE(api.intents.empty());
  trade("900010", "09:10:25", 10'050);  // (10,050 - 10,000) x 100 = 5,000 >= 0.5 x 10,000
  ASSERT_EQ(api.intents.size(), 1u);
  expect(api.intents[0], {.code = "900010", .side = Side::Buy, .amount = 500'000, .type = OrderType::Market,
                          .reason = "tick rise +0.50% in 30s"});
  expect_no_errors("scalping");
}

TEST_F(Scalping, OldTradesLeaveTheWindow) {
  trade("900010", "09:10:00", 10'000);
  trade("900010", "09:10:20", 10'020);
  trade("900010", "09:10:25", 10'030);
  // At 09:10:31 the 09:10:00 trade is out (older than 30 s): +0.20 % over 10,020.
  trade("900010", "09:10:31", 10'050);
  EXPECT_TRUE(api.intents.empty());
}

TEST_F(Scalping, NeedsMinTicksInTheWindow) {
  trade("900010", "09:10:00", 10'000);
  trade("900010", "09:10:10", 10'100);  // +1 % on two trades
  EXPECT_TRUE(api.intents.empty());
}

TEST_F(Scalping, TakesTheProfit) {
  rise();
  trade("900010", "09:10:25", 10'050);
  filled("scalping", 1, "900010", Side::Buy, 49, 10'050);
  // Take profit at change x 100 >= 0.6 x 10,050 = 6,030: 10,110 (+60) holds, 10,120 (+70) sells.
  trade("900010", "09:10:30", 10'110);
  EXPECT_EQ(api.intents.size(), 1u);
  trade("900010", "09:10:31", 10'120);
  ASSERT_EQ(api.intents.size(), 2u);
  expect(api.intents[1], {.code = "900010", .side = Side::Sell, .qty = 49, .type = OrderType::Market,
                          .reason = "scalp take profit +0.70%"});
}

TEST_F(Scalping, StopsTightly) {
  rise();
  trade("900010", "09:10:25", 10'050);
  filled("scalping", 1, "900010", Side::Buy, 49, 10'050);
  // Stop at change x 100 <= -0.3 x 10,050 = -3,015: 10,020 (-30) holds, 10,010 (-40) sells.
  trade("900010", "09:10:30", 10'020);
  EXPECT_EQ(api.intents.size(), 1u);
  trade("900010", "09:10:31", 10'010);
  ASSERT_EQ(api.intents.size(), 2u);
  expect(api.intents[1], {.code = "900010", .side = Side::Sell, .qty = 49, .reason = "scalp stop -0.40%"});
}

TEST_F(Scalping, SellsAfterTheMaximumHold) {
  rise();
  trade("900010", "09:10:25", 10'050);
  filled("scalping", 1, "900010", Side::Buy, 49, 10'050);  // opened 09:10:25
  trade("900010", "09:13:24", 10'060);                    // 179 s
  EXPECT_EQ(api.intents.size(), 1u);
  trade("900010", "09:13:25", 10'060);  // 180 s
  ASSERT_EQ(api.intents.size(), 2u);
  expect(api.intents[1], {.code = "900010", .side = Side::Sell, .qty = 49, .reason = "scalp held 180s"});
}

TEST_F(Scalping, NoEntryBeforeFirstEntry) {
  trade("900010", "09:04:35", 10'000);
  trade("900010", "09:04:45", 10'020);
  trade("900010", "09:04:55", 10'050);  // +0.50 % on three trades: starts at 09:04, too early
  trade("900010", "09:05:00", 10'060);  // +0.60 %, still rising: not a new start
  EXPECT_TRUE(api.intents.empty());
}

}  // namespace
}  // namespace dalbit::strategies::testing
