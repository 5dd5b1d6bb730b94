#include "engine/portfolio.h"

#include <gtest/gtest.h>

namespace dalbit::engine {
namespace {

const StockCode kCode = *StockCode::parse("900010");

Fill exec(Side side, std::int64_t price, std::int64_t qty, const krx::FeeSchedule& fees) {
  static int n = 0;
  Fill f;
  f.fill_id = "f" + std::to_string(++n);
  f.code = kCode;
  f.side = side;
  f.price = Price(price);
  f.qty = Qty(qty);
  f.commission = krx::commission(fees, f.value());
  f.tax = side == Side::Sell ? krx::sell_tax(fees, f.value()) : Krw(0);
  return f;
}

TEST(Portfolio, RoundTripPnlToTheWon) {
  const krx::FeeSchedule fees;  // 0.015 % (10-won units), 0.20 % tax
  Portfolio pf(Krw(10'000'000), fees);
  // Buy 13 at 72,500 = 942,500; commission floor(141.375) = 141 -> 140.
  ASSERT_TRUE(pf.apply(exec(Side::Buy, 72'500, 13, fees), "s").ok());
  EXPECT_EQ(pf.cash(), Krw(10'000'000 - 942'500 - 140));
  const Position* p = pf.position(kCode);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->avg_price(), Price(72'500));
  // Sell 13 at 73,600 = 956,800; commission 143.52 -> 140; tax 0.2 % = 1,913.6 -> 1,913.
  auto pnl = pf.apply(exec(Side::Sell, 73'600, 13, fees), "s");
  ASSERT_TRUE(pnl.ok());
  EXPECT_EQ(*pnl, Krw(956'800 - 140 - 1'913 - 942'500 - 140));  // 12,107
  EXPECT_EQ(*pnl, Krw(12'107));
  EXPECT_EQ(pf.cash(), Krw(10'000'000 + 12'107));
  EXPECT_EQ(pf.position(kCode), nullptr);
  EXPECT_EQ(pf.realized(), Krw(12'107));
  EXPECT_EQ(pf.commission_paid(), Krw(280));
  EXPECT_EQ(pf.tax_paid(), Krw(1'913));
  ASSERT_EQ(pf.todays_sells().size(), 1u);
  EXPECT_EQ(pf.todays_sells()[0].realized, Krw(12'107));
}

TEST(Portfolio, PartialSellsReleaseCostProportionallyAndExactlyAtTheEnd) {
  const krx::FeeSchedule fees;
  Portfolio pf(Krw(10'000'000), fees);
  ASSERT_TRUE(pf.apply(exec(Side::Buy, 10'010, 3, fees), "s").ok());  // 30,030; fee 4.5 -> 0
  ASSERT_TRUE(pf.apply(exec(Side::Buy, 10'020, 4, fees), "s").ok());  // 40,080; fee 6.0 -> 0
  const Position* p = pf.position(kCode);
  EXPECT_EQ(p->cost, Krw(70'110));
  EXPECT_EQ(p->avg_price(), Price(10'015));  // 70,110 / 7 = 10,015.7 truncated
  auto a = pf.apply(exec(Side::Sell, 10'100, 2, fees), "s");  // 20,200; fee 3 -> 0; tax 40
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, Krw(20'200 - 40 - 70'110 * 2 / 7));  // cost part 20,031 -> pnl 129
  auto b = pf.apply(exec(Side::Sell, 9'990, 5, fees), "s");  // 49,950; fee 7 -> 0; tax 99
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, Krw(49'950 - 99 - (70'110 - 20'031)));
  // Whatever the split, the round trip sums to sells - buys - all fees and tax.
  EXPECT_EQ(pf.realized(), Krw(20'200 + 49'950 - 40 - 99 - 70'110));
  EXPECT_EQ(pf.cash(), Krw(10'000'000) + pf.realized());
}

TEST(Portfolio, SellingMoreThanHeldIsRefused) {
  const krx::FeeSchedule fees;
  Portfolio pf(Krw(1'000'000), fees);
  ASSERT_TRUE(pf.apply(exec(Side::Buy, 10'000, 2, fees), "s").ok());
  auto r = pf.apply(exec(Side::Sell, 10'000, 3, fees), "s");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(pf.position(kCode)->qty, Qty(2));
  EXPECT_EQ(pf.cash(), Krw(1'000'000 - 20'000));
}

TEST(Portfolio, UnrealizedCountsTheExitsCosts) {
  const krx::FeeSchedule fees;
  Portfolio pf(Krw(10'000'000), fees);
  ASSERT_TRUE(pf.apply(exec(Side::Buy, 72'500, 13, fees), "s").ok());
  // At 73,600: 956,800 - 140 - 1,913 - 942,500 - 140.
  EXPECT_EQ(pf.unrealized(*pf.position(kCode), Price(73'600)), Krw(12'107));
}

TEST(Portfolio, ReconciliationSetsHoldingsAndCashExplicitly) {
  const krx::FeeSchedule fees;
  Portfolio pf(Krw(10'000'000), fees);
  ASSERT_TRUE(pf.apply(exec(Side::Buy, 10'000, 100, fees), "s").ok());  // fee 150
  const Krw realized = pf.realized();
  pf.set_position(kCode, Qty(40), Krw(396'000), Timestamp{});  // shrink: fees shrink with the shares
  const Position* p = pf.position(kCode);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->qty, Qty(40));
  EXPECT_EQ(p->avg_price(), Price(9'900));
  EXPECT_EQ(p->buy_fees, Krw(60));
  pf.set_position(kCode, Qty(50), Krw(500'000), Timestamp{});  // grow: the fees known stay
  EXPECT_EQ(pf.position(kCode)->buy_fees, Krw(60));
  const StockCode other = *StockCode::parse("900020");
  pf.set_position(other, Qty(3), Krw(6'000), Timestamp{});
  EXPECT_EQ(pf.position(other)->buy_fees, Krw(0));
  pf.set_position(other, Qty(0), Krw(0), Timestamp{});
  EXPECT_EQ(pf.position(other), nullptr);
  pf.set_cash(Krw(123));
  EXPECT_EQ(pf.cash(), Krw(123));
  EXPECT_EQ(pf.realized(), realized) << "nothing is realized by a correction";
}

TEST(Portfolio, RealizedTodayIsTheSumOfTodaysSells) {
  const krx::FeeSchedule fees;
  Portfolio pf(Krw(10'000'000), fees);
  ASSERT_TRUE(pf.apply(exec(Side::Buy, 10'000, 100, fees), "s").ok());
  const auto a = pf.apply(exec(Side::Sell, 10'500, 40, fees), "s");
  const auto b = pf.apply(exec(Side::Sell, 9'500, 60, fees), "s");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(pf.realized_today(), *a + *b);
  pf.new_day();
  EXPECT_EQ(pf.realized_today(), Krw(0));
}

}  // namespace
}  // namespace dalbit::engine
