// condition_entry: a condition-search formula's "enter" buys with that
// formula's window, size and order type, never twice a day, within
// max_holdings and cash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "strategies/strategy_harness.h"

namespace dalbit::strategies::testing {
namespace {

using ::testing::HasSubstr;

class ConditionEntry : public StrategyTest {
 protected:
  void SetUp() override {
    StrategyTest::SetUp();
    start("condition_entry",
          {{"formulas", std::string("golden cross: 09:00-10:30 amount=500000 ticks=1; spike: 09:30-15:00 qty=10 market")},
           {"max_holdings", std::int64_t{2}}, {"sell_on_exit", true}});
    api.last[code("900010")] = Price(10'000);
    api.last[code("900020")] = Price(5'000);
    api.last[code("900030")] = Price(1'850);
  }
};

TEST_F(ConditionEntry, EachFormulaBuysWithItsOwnSizeAndOrder) {
  clock("09:05:00");
  condition("900010", "golden cross", "enter");
  ASSERT_EQ(api.intents.size(), 1u);
  // 500,000 won, a limit one tick (10 won under 20,000) above the last 10,000.
  expect(api.intents[0], {.code = "900010", .side = Side::Buy, .qty = 0, .amount = 500'000,
                          .type = OrderType::Limit, .limit = 10'010, .reason = "condition [golden cross] entered"});
  clock("09:31:00");
  condition("900020", "spike", "enter");
  ASSERT_EQ(api.intents.size(), 2u);
  expect(api.intents[1], {.code = "900020", .side = Side::Buy, .qty = 10, .amount = 0, .type = OrderType::Market,
                          .reason = "condition [spike] entered"});
  // The formula travels with each intent for the risk scripts.
  EXPECT_EQ(api.intents[0].condition, "golden cross");
  EXPECT_EQ(api.intents[1].condition, "spike");
  expect_no_errors("condition_entry");
}

TEST_F(ConditionEntry, OnlyInsideEachFormulasWindow) {
  clock("10:30:00");  // golden cross's window ends at 10:30 (exclusive)
  condition("900010", "golden cross", "enter");
  clock("09:29:59", "2026-01-06");  // spike's starts at 09:30
  condition("900020", "spike", "enter");
  EXPECT_TRUE(api.intents.empty());
  EXPECT_THAT(logs->text(), HasSubstr("900010 entered golden cross: no buy, outside 0900-1030"));
  EXPECT_THAT(logs->text(), HasSubstr("900020 entered spike: no buy, outside 0930-1500"));
  clock("10:29:59", "2026-01-06");
  condition("900010", "golden cross", "enter");
  EXPECT_EQ(api.intents.size(), 1u);
}

TEST_F(ConditionEntry, NeverBuysTheSameStockTwiceADay) {
  clock("09:05:00");
  condition("900010", "golden cross", "enter");
  ASSERT_EQ(api.intents.size(), 1u);
  condition("900010", "golden cross", "enter");  // the buy works
  filled("condition_entry", 1, "900010", Side::Buy, 49, 10'010);
  api.held.clear();  // sold again by an exit strategy
  clock("09:40:00");
  condition("900010", "golden cross", "enter");
  condition("900010", "spike", "enter");  // another formula: still the same stock
  EXPECT_EQ(api.intents.size(), 1u);
  EXPECT_THAT(logs->text(), HasSubstr("900010 entered spike: no buy, bought today already"));
  clock("09:05:00", "2026-01-06");  // the next day
  condition("900010", "golden cross", "enter");
  EXPECT_EQ(api.intents.size(), 2u);
}

TEST_F(ConditionEntry, AnOrderThatEndedWithoutASharesMayBeTriedAgain) {
  clock("09:05:00");
  condition("900010", "golden cross", "enter");
  ended("condition_entry", 1, "900010", Side::Buy, OrderStatus::Cancelled);
  condition("900010", "golden cross", "enter");
  ASSERT_EQ(api.intents.size(), 2u);
  expect(api.intents[1], {.code = "900010", .side = Side::Buy, .reason = "condition [golden cross] entered"});
}

TEST_F(ConditionEntry, NotBeyondMaxHoldingsCountingWorkingBuys) {
  hold("900030", 100, 1'850);
  clock("09:31:00");
  condition("900010", "spike", "enter");  // 1 held: buys; now 1 held + 1 being bought = 2
  condition("900020", "spike", "enter");
  EXPECT_EQ(api.intents.size(), 1u);
  EXPECT_THAT(logs->text(), HasSubstr("900020 entered spike: no buy, 2 stocks held or being bought"));
  ended("condition_entry", 1, "900010", Side::Buy, OrderStatus::Rejected);
  condition("900020", "spike", "enter");
  EXPECT_EQ(api.intents.size(), 2u);
}

TEST_F(ConditionEntry, NotBeyondCashLessWorkingBuys) {
  api.cash_left = Krw(900'000);
  clock("09:05:00");
  condition("900010", "golden cross", "enter");  // 500,000 of 900,000
  // 900,000 - 500,000 held back = 400,000, short of 500,000.
  condition("900020", "golden cross", "enter");
  EXPECT_EQ(api.intents.size(), 1u);
  EXPECT_THAT(logs->text(), HasSubstr("900020 entered golden cross: no buy, cash 900000 (less 500000 for "
                                      "working buys) is short of 500000"));
  // By shares, at the last price: 10 x 50,000 = 500,000 > 400,000 as well.
  api.last[code("900030")] = Price(50'000);
  clock("09:31:00");
  condition("900030", "spike", "enter");
  EXPECT_EQ(api.intents.size(), 1u);
}

TEST_F(ConditionEntry, FormulasNotListedAreNotActedOn) {
  clock("09:31:00");
  condition("900010", "some other formula", "enter");
  EXPECT_TRUE(api.intents.empty());
  expect_no_errors("condition_entry");
}

TEST_F(ConditionEntry, SellsWhatAFormulaBoughtWhenTheStockLeavesIt) {
  clock("09:05:00");
  condition("900010", "golden cross", "enter");
  filled("condition_entry", 1, "900010", Side::Buy, 49, 10'010);
  clock("09:40:00");
  condition("900010", "spike", "exit");  // not the formula that bought it
  EXPECT_EQ(api.intents.size(), 1u);
  condition("900010", "golden cross", "exit");
  ASSERT_EQ(api.intents.size(), 2u);
  expect(api.intents[1], {.code = "900010", .side = Side::Sell, .qty = 49, .type = OrderType::Market,
                          .reason = "condition [golden cross] exited"});
  EXPECT_EQ(api.intents[1].condition, "golden cross");
}

TEST_F(ConditionEntry, ABadFormulaSettingDisablesTheStrategyAtStart) {
  load({"condition_entry"}, {{"condition_entry", {{"formulas", std::string("golden: 9:00-10:30")}}}});
  host->on_init();
  EXPECT_FALSE(host->enabled("condition_entry"));
  EXPECT_THAT(logs->text(), HasSubstr("formulas: golden: unknown setting \"9:00-10:30\""));
}

TEST_F(ConditionEntry, ANameRunIntoItsSettingsIsCaught) {
  load({"condition_entry"}, {{"condition_entry", {{"formulas", std::string("golden:09:00-10:30")}}}});
  host->on_init();
  EXPECT_FALSE(host->enabled("condition_entry"));
  EXPECT_THAT(logs->text(), HasSubstr("put a blank after the name's colon"));
}

}  // namespace
}  // namespace dalbit::strategies::testing
