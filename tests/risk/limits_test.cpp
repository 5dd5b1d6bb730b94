#include "risk/limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dalbit::risk {
namespace {

using ::testing::HasSubstr;

class LimitsTest : public ::testing::Test {
 protected:
  LimitsTest() : limits_(make_risk(), krx::FeeSchedule{}) {}
  static config::Risk make_risk() {
    config::Risk r;
    r.max_order_value = Krw(1'000'000);
    r.max_position_value = Krw(1'500'000);
    r.max_open_positions = 2;
    return r;
  }
  OrderCheck buy(std::int64_t qty, std::int64_t price = 10'000) {
    OrderCheck o;
    o.code = *StockCode::parse("900010");
    o.side = Side::Buy;
    o.type = OrderType::Limit;
    o.limit = Price(price);
    o.reference = Price(price);
    o.qty = Qty(qty);
    return o;
  }
  Exposure room() {
    Exposure x;
    x.available_cash = Krw(10'000'000);
    x.band = krx::daily_band(Price(10'000));
    x.now = TimeOfDay::hm(10, 0);
    return x;
  }
  Limits limits_;
};

TEST_F(LimitsTest, AllowsAnOrdinaryBuy) { EXPECT_EQ(limits_.veto(buy(10), room()), ""); }

TEST_F(LimitsTest, MaxOrderValue) {
  EXPECT_EQ(limits_.veto(buy(100), room()), "");  // exactly 1,000,000
  EXPECT_THAT(limits_.veto(buy(101), room()), HasSubstr("exceeds risk.max_order_value 1000000"));
}

TEST_F(LimitsTest, MaxPositionValueCountsHoldingsAndOpenBuys) {
  auto x = room();
  x.position_cost = Krw(900'000);
  x.open_buy_value = Krw(100'000);
  x.holds_or_buys_code = true;
  EXPECT_EQ(limits_.veto(buy(50), x), "");
  EXPECT_THAT(limits_.veto(buy(51), x), HasSubstr("above risk.max_position_value"));
}

TEST_F(LimitsTest, MaxOpenPositionsOnlyForANewCode) {
  auto x = room();
  x.open_positions = 2;
  EXPECT_THAT(limits_.veto(buy(1), x), HasSubstr("risk.max_open_positions 2"));
  x.holds_or_buys_code = true;  // adding to a holding opens nothing new
  EXPECT_EQ(limits_.veto(buy(1), x), "");
}

TEST_F(LimitsTest, CashIncludesCommissionAndMarketBuysReserveAtTheUpperLimit) {
  auto x = room();
  x.available_cash = Krw(100'009);  // 10 x 10,000 + commission (15 truncated to 10) = 100,010
  EXPECT_THAT(limits_.veto(buy(10), x), HasSubstr("needs 100010 won (with commission) but only 100009"));
  x.available_cash = Krw(100'010);
  EXPECT_EQ(limits_.veto(buy(10), x), "");
  auto market = buy(10);
  market.type = OrderType::Market;  // held back at the upper limit 13,000: 130,000 + 10
  EXPECT_THAT(limits_.veto(market, x), HasSubstr("needs 130010 won"));
  x.available_cash = Krw(130'010);
  EXPECT_EQ(limits_.veto(market, x), "");
}

TEST_F(LimitsTest, TickGridAndBand) {
  EXPECT_THAT(limits_.veto(buy(1, 10'005), room()), HasSubstr("off the KRX tick grid"));
  EXPECT_THAT(limits_.veto(buy(1, 13'010), room()), HasSubstr("outside today's band 7000..13000"));
}

TEST_F(LimitsTest, NoNewBuysOutsideTheWindowButSellsAlways) {
  auto x = room();
  x.now = TimeOfDay::hm(15, 20);
  EXPECT_THAT(limits_.veto(buy(1), x), HasSubstr("outside the trading window 09:00-15:20"));
  x.now = TimeOfDay{9 * 3600 - 1};
  EXPECT_THAT(limits_.veto(buy(1), x), HasSubstr("trading window"));
  auto sell = buy(5);
  sell.side = Side::Sell;
  x.held = Qty(5);
  x.now = TimeOfDay::hm(15, 25);
  EXPECT_EQ(limits_.veto(sell, x), "");
}

TEST_F(LimitsTest, NoShortSelling) {
  auto sell = buy(5);
  sell.side = Side::Sell;
  auto x = room();
  x.held = Qty(5);
  x.open_sell_qty = Qty(1);
  EXPECT_THAT(limits_.veto(sell, x), HasSubstr("exceeds the 4 shares held"));
}

TEST_F(LimitsTest, UnknownPriceAndZeroQuantity) {
  auto o = buy(1);
  o.type = OrderType::Market;
  o.reference = Price(0);
  EXPECT_THAT(limits_.veto(o, room()), HasSubstr("no price known"));
  EXPECT_THAT(limits_.veto(buy(0), room()), HasSubstr("quantity must be positive"));
}

TEST(LimitsRate, OffByDefault) {
  const Limits limits(config::Risk{}, krx::FeeSchedule{});
  EXPECT_EQ(limits.rate_veto(1'000, 1'000'000), "");
}

TEST(LimitsRate, PerSecondAndPerDay) {
  config::Risk r;
  r.max_orders_per_second = 3;
  r.max_orders_per_day = 10;
  const Limits limits(r, krx::FeeSchedule{});
  EXPECT_EQ(limits.rate_veto(2, 9), "");
  EXPECT_EQ(limits.rate_veto(3, 0), "already 3 orders in the last second (risk.max_orders_per_second 3)");
  EXPECT_EQ(limits.rate_veto(0, 10), "already 10 orders today (risk.max_orders_per_day 10)");
}

TEST_F(LimitsTest, MaxTotalExposureCountsEverythingHeldAndBeingBought) {
  config::Risk r = make_risk();
  r.max_total_exposure = Krw(2'000'000);
  const Limits limits(r, krx::FeeSchedule{});
  auto x = room();
  x.total_exposure = Krw(1'900'000);
  EXPECT_EQ(limits.veto(buy(10), x), "");  // 1,900,000 + 100,000 is the limit itself
  EXPECT_EQ(limits.veto(buy(11), x),
            "total exposure 1900000 + this buy 110000 exceeds risk.max_total_exposure 2000000");
  EXPECT_EQ(limits_.veto(buy(11), x), "") << "off at 0";
  OrderCheck sell = buy(11);
  sell.side = Side::Sell;
  x.held = Qty(11);
  EXPECT_EQ(limits.veto(sell, x), "") << "sells reduce exposure";
}

}  // namespace
}  // namespace dalbit::risk
