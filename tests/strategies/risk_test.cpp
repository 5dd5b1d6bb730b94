// The risk scripts (scripts/risk): each one's veto, shrink and allow cases,
// through the host's check_risk as the engine calls it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "strategies/strategy_harness.h"

namespace dalbit::strategies::testing {
namespace {

using ::testing::HasSubstr;

SellRecord sold(std::string_view stock, std::string_view when, std::int64_t realized,
                std::string_view strategy = "take_profit_stop_loss") {
  return SellRecord{.code = code(stock), .time = *parse_kst_timestamp(std::string(kDay) + " " + std::string(when)),
                    .qty = Qty(10), .price = Price(10'000), .realized = Krw(realized),
                    .strategy = std::string(strategy)};
}

// ------------------------------------------------------------------ rebuy

class Rebuy : public StrategyTest {};

TEST_F(Rebuy, AllBlocksAnyStockSoldToday) {
  start_risk("rebuy", {{"mode", std::string("all")}});
  clock("10:00:00");
  api.sells = {sold("900010", "09:30:00", 5'000)};
  const auto vetoed = check("momentum", "900010", Side::Buy, 0, 1'000'000);
  EXPECT_FALSE(vetoed.allowed);
  EXPECT_EQ(vetoed.reason, "risk/rebuy: 900010 was sold today");
  EXPECT_TRUE(check("momentum", "900020", Side::Buy, 0, 1'000'000).allowed);  // not sold
  EXPECT_TRUE(check("time_exit", "900010", Side::Sell, 10, 0).allowed);      // sells pass
  expect_no_errors("risk/rebuy");
}

TEST_F(Rebuy, LossOnlyBlocksOnlyAfterALoss) {
  start_risk("rebuy", {{"mode", std::string("loss_only")}});
  clock("10:00:00");
  api.sells = {sold("900010", "09:30:00", 5'000), sold("900020", "09:31:00", 2'000),
               sold("900020", "09:32:00", -3'000)};
  EXPECT_TRUE(check("momentum", "900010", Side::Buy, 0, 1'000'000).allowed);  // sold at a profit
  const auto vetoed = check("momentum", "900020", Side::Buy, 0, 1'000'000);
  EXPECT_FALSE(vetoed.allowed);
  EXPECT_EQ(vetoed.reason, "risk/rebuy: 900020 was sold at a loss today (-3000 won)");
}

TEST_F(Rebuy, SameConditionOnlyBlocksTheSourceThatBoughtIt) {
  start_risk("rebuy", {{"mode", std::string("same_condition_only")}});
  clock("09:10:00");
  EXPECT_TRUE(check("condition_entry", "900010", Side::Buy, 0, 500'000, "condition [golden] entered").allowed);
  clock("09:40:00");
  api.sells = {sold("900010", "09:30:00", -1'000)};
  const auto vetoed = check("condition_entry", "900010", Side::Buy, 0, 500'000, "condition [golden] entered");
  EXPECT_FALSE(vetoed.allowed);
  EXPECT_EQ(vetoed.reason, "risk/rebuy: 900010 was bought by condition_entry [golden] and sold today");
  EXPECT_TRUE(check("condition_entry", "900010", Side::Buy, 0, 500'000, "condition [spike] entered").allowed);
  // spike's buy is now the last one let through: golden may buy again, spike may not.
  EXPECT_FALSE(check("condition_entry", "900010", Side::Buy, 0, 500'000, "condition [spike] entered").allowed);
  EXPECT_TRUE(check("momentum", "900010", Side::Buy, 0, 500'000, "momentum +10").allowed);
}

TEST_F(Rebuy, SameConditionOnlyReadsTheIntentsCondition) {
  start_risk("rebuy", {{"mode", std::string("same_condition_only")}});
  clock("09:10:00");
  EXPECT_TRUE(check("condition_entry", "900010", Side::Buy, 0, 500'000, "entry", 0, "golden").allowed);
  clock("09:40:00");
  api.sells = {sold("900010", "09:30:00", -1'000)};
  const auto vetoed = check("condition_entry", "900010", Side::Buy, 0, 500'000, "entry", 0, "golden");
  EXPECT_FALSE(vetoed.allowed);
  EXPECT_EQ(vetoed.reason, "risk/rebuy: 900010 was bought by condition_entry [golden] and sold today");
  EXPECT_TRUE(check("condition_entry", "900010", Side::Buy, 0, 500'000, "entry", 0, "spike").allowed);
}

TEST_F(Rebuy, CooldownBlocksForTheMinutesAfterTheLastSell) {
  start_risk("rebuy", {{"mode", std::string("cooldown")}, {"cooldown_minutes", std::int64_t{30}}});
  api.sells = {sold("900010", "09:00:00", 1'000), sold("900010", "10:00:00", 1'000)};
  clock("10:29:59");
  const auto vetoed = check("momentum", "900010", Side::Buy, 0, 1'000'000);
  EXPECT_FALSE(vetoed.allowed);
  EXPECT_EQ(vetoed.reason, "risk/rebuy: 900010 was sold 29 min ago (cooldown 30 min)");
  clock("10:30:00");
  EXPECT_TRUE(check("momentum", "900010", Side::Buy, 0, 1'000'000).allowed);
}

TEST_F(Rebuy, AnUnknownModeDisablesItBuysAreRefusedAndSellsPass) {
  start_risk("rebuy");  // the shipped params load
  api.sells.clear();
  host = std::make_unique<lua::Host>(api, options);
  ASSERT_TRUE(host->load_risk({"rebuy"}, {{"rebuy", {{"mode", std::string("sometimes")}}}}).ok());
  host->on_init();
  EXPECT_FALSE(host->enabled("risk/rebuy"));
  EXPECT_THAT(logs->text(), HasSubstr("mode must be all, loss_only, same_condition_only or cooldown, got \"sometimes\""));
  const auto buy = check("momentum", "900010", Side::Buy, 0, 1'000'000);
  EXPECT_FALSE(buy.allowed);
  EXPECT_THAT(buy.reason, HasSubstr("risk/rebuy: disabled until it is reloaded, so the buy is refused: "));
  // Exits are never blocked by a broken risk script.
  const auto sell = check("take_profit_stop_loss", "900010", Side::Sell, 10, 0);
  EXPECT_TRUE(sell.allowed);
  EXPECT_EQ(sell.qty, Qty(10));
}

// ----------------------------------------------------------- max_holdings

class MaxHoldings : public StrategyTest {
 protected:
  void SetUp() override {
    StrategyTest::SetUp();
    start_risk("max_holdings", {{"max", std::int64_t{2}}});
  }
};

TEST_F(MaxHoldings, VetoesANewStockAtTheMaximum) {
  hold("900010", 10, 10'000);
  EXPECT_TRUE(check("momentum", "900020", Side::Buy, 0, 1'000'000).allowed);  // 1 held
  hold("900020", 10, 5'000);
  const auto vetoed = check("momentum", "900030", Side::Buy, 0, 1'000'000);
  EXPECT_FALSE(vetoed.allowed);
  EXPECT_EQ(vetoed.reason, "risk/max_holdings: 2 stocks held or being bought (max 2)");
  EXPECT_TRUE(check("momentum", "900010", Side::Buy, 0, 1'000'000).allowed);  // adds to a holding
  EXPECT_TRUE(check("time_exit", "900010", Side::Sell, 10, 0).allowed);
  expect_no_errors("risk/max_holdings");
}

TEST_F(MaxHoldings, CountsOpenBuysOfStocksNotHeld) {
  hold("900010", 10, 10'000);
  Order working = lua::testing::order(7, "bollinger", "900020");
  working.side = Side::Buy;
  working.status = OrderStatus::Accepted;
  api.orders = {working};
  EXPECT_FALSE(check("momentum", "900030", Side::Buy, 0, 1'000'000).allowed);
  EXPECT_TRUE(check("momentum", "900020", Side::Buy, 0, 1'000'000).allowed);  // already counted
}

// --------------------------------------------------- per_condition_window

class PerConditionWindow : public StrategyTest {
 protected:
  void SetUp() override {
    StrategyTest::SetUp();
    start_risk("per_condition_window",
               {{"windows", std::string("golden: 09:00-10:30 budget=1000000; momentum: 09:30-14:00")},
                {"unlisted", std::string("allow")}});
  }
};

TEST_F(PerConditionWindow, VetoesBuysOutsideTheSourcesWindow) {
  clock("10:30:00");
  const auto late = check("condition_entry", "900010", Side::Buy, 0, 500'000, "condition [golden] entered");
  EXPECT_FALSE(late.allowed);
  EXPECT_EQ(late.reason, "risk/per_condition_window: golden buys only 09:00-10:30");
  clock("09:29:00");
  EXPECT_FALSE(check("momentum", "900010", Side::Buy, 0, 500'000, "momentum +10").allowed);
  clock("09:30:00");
  EXPECT_TRUE(check("momentum", "900010", Side::Buy, 0, 500'000, "momentum +10").allowed);
  EXPECT_TRUE(check("bollinger", "900010", Side::Buy, 0, 500'000, "close back").allowed);  // not listed
  clock("15:00:00");
  EXPECT_TRUE(check("momentum", "900010", Side::Sell, 10, 0, "exit").allowed);  // sells pass
  expect_no_errors("risk/per_condition_window");
}

TEST_F(PerConditionWindow, ReadsTheFormulaFromTheIntentsCondition) {
  clock("10:30:00");
  const auto late = check("condition_entry", "900010", Side::Buy, 0, 500'000, "entry", 0, "golden");
  EXPECT_FALSE(late.allowed);
  EXPECT_EQ(late.reason, "risk/per_condition_window: golden buys only 09:00-10:30");
  clock("10:00:00");
  EXPECT_TRUE(check("condition_entry", "900010", Side::Buy, 0, 500'000, "entry", 0, "golden").allowed);
}

TEST_F(PerConditionWindow, ShrinksABuyToWhatIsLeftOfTheBudgetThenVetoes) {
  clock("09:10:00");
  const std::string golden = "condition [golden] entered";
  EXPECT_TRUE(check("condition_entry", "900010", Side::Buy, 0, 600'000, golden).allowed);  // 400,000 left
  const auto shrunk = check("condition_entry", "900020", Side::Buy, 0, 600'000, golden);
  EXPECT_TRUE(shrunk.allowed);
  EXPECT_EQ(shrunk.amount, Krw(400'000));
  const auto spent = check("condition_entry", "900030", Side::Buy, 0, 100'000, golden);
  EXPECT_FALSE(spent.allowed);
  EXPECT_EQ(spent.reason, "risk/per_condition_window: golden spent its budget of 1000000 won today");
  clock("09:10:00", "2026-01-06");  // a new day, a new budget
  EXPECT_TRUE(check("condition_entry", "900030", Side::Buy, 0, 100'000, golden).allowed);
}

TEST_F(PerConditionWindow, ShrinksABuyBySharesAtItsPrice) {
  clock("09:10:00");
  const std::string golden = "condition [golden] entered";
  EXPECT_TRUE(check("condition_entry", "900010", Side::Buy, 0, 600'000, golden).allowed);  // 400,000 left
  // A limit at 5,000: 400,000 / 5,000 = 80 of the 100 shares.
  const auto limit = check("condition_entry", "900020", Side::Buy, 100, 0, golden, 5'000);
  EXPECT_TRUE(limit.allowed);
  EXPECT_EQ(limit.qty, Qty(80));
  // The budget is spent; a market buy by shares is priced at the last price.
  api.last[code("900030")] = Price(1'850);
  EXPECT_FALSE(check("condition_entry", "900030", Side::Buy, 1, 0, golden).allowed);
}

TEST_F(PerConditionWindow, UnlistedBlockVetoesEveryOtherSource) {
  start_risk("per_condition_window", {{"windows", std::string("momentum: 09:30-14:00")},
                                      {"unlisted", std::string("block")}});
  clock("10:00:00");
  const auto vetoed = check("bollinger", "900010", Side::Buy, 0, 500'000, "close back");
  EXPECT_FALSE(vetoed.allowed);
  EXPECT_EQ(vetoed.reason, "risk/per_condition_window: bollinger has no window");
  EXPECT_TRUE(check("momentum", "900010", Side::Buy, 0, 500'000).allowed);
}

}  // namespace
}  // namespace dalbit::strategies::testing
