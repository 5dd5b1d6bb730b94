#include "match/matcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <random>

namespace dalbit::match {
namespace {

using namespace std::chrono_literals;

const StockCode kSamsung = *StockCode::parse("005930");
const StockCode kHynix = *StockCode::parse("000660");
const krx::PriceBand kSamsungBand = krx::daily_band(Price(72'500));  // 50,800 .. 94,200
const krx::PriceBand kHynixBand = krx::daily_band(Price(200'000));   // 140,000 .. 260,000
const Timestamp kOpen = from_kst(KstDate{2026, 1, 5}, TimeOfDay::hm(9, 0));

Order limit_order(OrderId id, Side side, std::int64_t limit, std::int64_t qty,
                  StockCode code = kSamsung) {
  Order o;
  o.id = id;
  o.code = code;
  o.side = side;
  o.type = OrderType::Limit;
  o.limit = Price(limit);
  o.qty = Qty(qty);
  return o;
}

Order market_order(OrderId id, Side side, std::int64_t qty, StockCode code = kSamsung) {
  Order o;
  o.id = id;
  o.code = code;
  o.side = side;
  o.type = OrderType::Market;
  o.qty = Qty(qty);
  return o;
}

// The essentials of an execution, for one-line expectations.
struct Fx {
  OrderId id;
  std::int64_t price;
  std::int64_t qty;
  bool done;
  friend bool operator==(const Fx&, const Fx&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Fx& f) {
    return os << "{order " << f.id << ", " << f.qty << " @ " << f.price
              << (f.done ? ", done}" : "}");
  }
};
using Fxs = std::vector<Fx>;

Fxs essentials(const std::vector<Execution>& executions) {
  Fxs fx;
  for (const auto& e : executions)
    fx.push_back({e.order_id, e.price.value(), e.qty.value(), e.order_done});
  return fx;
}

class MatcherTest : public ::testing::Test {
 protected:
  void accept(const Order& o, const krx::PriceBand& band = kSamsungBand) {
    const Status s = matcher_.submit(o, band);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  std::string reject(const Order& o, const krx::PriceBand& band = kSamsungBand) {
    const Status s = matcher_.submit(o, band);
    EXPECT_FALSE(s.ok()) << "order " << o.id << " was accepted";
    return s.message();
  }
  // Each print one second after the previous one.
  Tick next_tick(std::int64_t price, std::int64_t volume, StockCode code = kSamsung) {
    return Tick{kOpen + std::chrono::seconds(++prints_), code, Price(price), Qty(volume)};
  }
  const std::vector<Execution>& tick_full(std::int64_t price, std::int64_t volume,
                                          StockCode code = kSamsung) {
    out_.clear();
    matcher_.on_tick(next_tick(price, volume, code), out_);
    return out_;
  }
  Fxs tick(std::int64_t price, std::int64_t volume, StockCode code = kSamsung) {
    return essentials(tick_full(price, volume, code));
  }
  // One-minute bars, one after the other.
  Fxs bar(std::int64_t open, std::int64_t high, std::int64_t low, std::int64_t close,
          std::int64_t volume, StockCode code = kSamsung) {
    out_.clear();
    const Bar b{kOpen + std::chrono::minutes(++prints_),
                code,
                Price(open),
                Price(high),
                Price(low),
                Price(close),
                Qty(volume)};
    matcher_.on_bar(b, out_);
    return essentials(out_);
  }

  Matcher matcher_{Params{}};
  std::vector<Execution> out_;
  int prints_ = 0;
};

// --- submit -----------------------------------------------------------------

TEST_F(MatcherTest, RejectsBadOrdersWithTheirIdAndReason) {
  EXPECT_EQ(reject(limit_order(1, Side::Buy, 72'550, 10)),
            "order 1: limit price 72550 is off the KRX tick grid (tick 100 at that price)");
  EXPECT_EQ(reject(limit_order(2, Side::Buy, 94'300, 10)),
            "order 2: limit price 94300 is outside today's band 50800..94200");
  EXPECT_EQ(reject(limit_order(3, Side::Sell, 50'700, 10)),
            "order 3: limit price 50700 is outside today's band 50800..94200");
  EXPECT_EQ(reject(limit_order(4, Side::Buy, 72'500, 0)), "order 4: quantity 0 is not positive");
  EXPECT_EQ(reject(market_order(5, Side::Sell, -3)), "order 5: quantity -3 is not positive");
  Order priced_market = market_order(6, Side::Buy, 10);
  priced_market.limit = Price(72'500);
  EXPECT_EQ(reject(priced_market),
            "order 6: market order carries price 72500; market orders take none");
  EXPECT_EQ(reject(limit_order(7, Side::Buy, 0, 10)), "order 7: limit price 0 is not positive");
  Order partly_filled = limit_order(8, Side::Buy, 72'500, 30);
  partly_filled.filled = Qty(10);
  EXPECT_EQ(reject(partly_filled),
            "order 8: already has 10 filled shares; submit the open rest as a new order");
  EXPECT_EQ(matcher_.working(), 0u);
  EXPECT_EQ(tick(72'500, 10'000), Fxs{});  // nothing rejected works
}

TEST_F(MatcherTest, RejectsAnIdThatIsAlreadyWorkingButAcceptsItOnceDone) {
  accept(market_order(9, Side::Buy, 10));
  EXPECT_EQ(reject(market_order(9, Side::Buy, 10)), "order 9: id is already working");
  EXPECT_EQ(matcher_.working(), 1u);
  EXPECT_EQ(tick(72'500, 1'000), (Fxs{{9, 72'500, 10, true}}));
  accept(market_order(9, Side::Sell, 10));
  EXPECT_EQ(matcher_.working(), 1u);
}

TEST_F(MatcherTest, AcceptsLimitsOnTheBandEdges) {
  accept(limit_order(1, Side::Buy, 94'200, 10));
  accept(limit_order(2, Side::Sell, 50'800, 10));
  EXPECT_EQ(matcher_.working(), 2u);
}

// --- ticks --------------------------------------------------------------------

TEST_F(MatcherTest, PrintsBeforeSubmitDoNotFill) {
  EXPECT_EQ(tick(72'000, 1'000), Fxs{});
  accept(market_order(1, Side::Buy, 10));
  EXPECT_EQ(tick(72'600, 1'000), (Fxs{{1, 72'600, 10, true}}));
}

TEST_F(MatcherTest, MarketBuyFillsAtTheNextPrintWithCommissionOnly) {
  accept(market_order(1, Side::Buy, 100));
  const auto& fills = tick_full(72'600, 1'000);
  ASSERT_EQ(fills.size(), 1u);
  const Execution& e = fills[0];
  EXPECT_EQ(e.order_id, 1u);
  EXPECT_EQ(e.code, kSamsung);
  EXPECT_EQ(e.side, Side::Buy);
  EXPECT_EQ(e.price, Price(72'600));
  EXPECT_EQ(e.qty, Qty(100));
  EXPECT_EQ(e.value(), Krw(7'260'000));
  EXPECT_EQ(e.commission, Krw(1'080));  // 1,089 truncated to 10 won
  EXPECT_EQ(e.tax, Krw(0));
  EXPECT_EQ(e.time, kOpen + 1s);
  EXPECT_TRUE(e.order_done);
  EXPECT_EQ(matcher_.working(), 0u);
}

TEST_F(MatcherTest, MarketSellPaysCommissionAndTax) {
  accept(market_order(1, Side::Sell, 100));
  const auto& fills = tick_full(72'600, 1'000);
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].side, Side::Sell);
  EXPECT_EQ(fills[0].price, Price(72'600));
  EXPECT_EQ(fills[0].commission, Krw(1'080));
  EXPECT_EQ(fills[0].tax, Krw(14'520));  // 0.20 % of 7,260,000
}

TEST_F(MatcherTest, MarketableLimitFillsAtThePrintNotItsLimit) {
  accept(limit_order(1, Side::Buy, 72'600, 10));
  accept(limit_order(2, Side::Sell, 72'400, 10));
  EXPECT_EQ(tick(72'500, 1'000), (Fxs{{1, 72'500, 10, true}, {2, 72'500, 10, true}}));
}

TEST_F(MatcherTest, TouchFillsAnOrderThatWasMarketableOnArrival) {
  accept(limit_order(1, Side::Buy, 72'500, 10));
  accept(limit_order(2, Side::Sell, 72'500, 10));
  EXPECT_EQ(tick(72'500, 1'000), (Fxs{{1, 72'500, 10, true}, {2, 72'500, 10, true}}));
}

TEST_F(MatcherTest, RestingBuyFillsAtItsLimitOnlyWhenTradedThrough) {
  accept(limit_order(1, Side::Buy, 72'400, 10));
  EXPECT_EQ(tick(72'500, 1'000), Fxs{});  // not marketable: it rests
  EXPECT_EQ(tick(72'400, 1'000), Fxs{});  // touch: others queued before us took it
  EXPECT_EQ(tick(72'000, 1'000), (Fxs{{1, 72'400, 10, true}}));  // at the limit, not 72,000
}

TEST_F(MatcherTest, RestingSellFillsAtItsLimitOnlyWhenTradedThrough) {
  accept(limit_order(1, Side::Sell, 72'600, 10));
  EXPECT_EQ(tick(72'500, 1'000), Fxs{});
  EXPECT_EQ(tick(72'600, 1'000), Fxs{});
  EXPECT_EQ(tick(72'700, 1'000), (Fxs{{1, 72'600, 10, true}}));
}

TEST_F(MatcherTest, ZeroCapacityOnArrivalLeavesAMarketableOrderResting) {
  accept(limit_order(1, Side::Buy, 72'600, 10));
  EXPECT_EQ(tick(72'500, 3), Fxs{});      // marketable, but 3 * 25 % = 0 shares
  EXPECT_EQ(tick(72'600, 1'000), Fxs{});  // now resting: a touch does not fill
  EXPECT_EQ(tick(72'500, 1'000), (Fxs{{1, 72'600, 10, true}}));
}

TEST_F(MatcherTest, PartialFillsAcrossPrintsUntilDone) {
  accept(market_order(1, Side::Buy, 300));
  EXPECT_EQ(tick(72'500, 400), (Fxs{{1, 72'500, 100, false}}));   // 25 % of 400
  EXPECT_EQ(tick(72'500, 3), Fxs{});                              // capacity 0
  EXPECT_EQ(tick(72'600, 1'000), (Fxs{{1, 72'600, 200, true}}));  // capacity 250, 200 open
  EXPECT_EQ(matcher_.working(), 0u);
}

TEST_F(MatcherTest, RestingLimitFillsPartlyPrintByPrint) {
  accept(limit_order(1, Side::Buy, 72'400, 500));
  EXPECT_EQ(tick(72'500, 1'000), Fxs{});
  EXPECT_EQ(tick(72'300, 1'000), (Fxs{{1, 72'400, 250, false}}));
  EXPECT_EQ(tick(72'300, 999), (Fxs{{1, 72'400, 249, false}}));  // floor(249.75)
  EXPECT_EQ(tick(72'200, 8), (Fxs{{1, 72'400, 1, true}}));       // capacity 2, 1 open
}

TEST_F(MatcherTest, CapacityIsSharedFirstInFirstOutAmongEligibleOrders) {
  accept(limit_order(1, Side::Buy, 72'400, 100));
  accept(limit_order(2, Side::Buy, 72'400, 50));
  accept(limit_order(3, Side::Buy, 72'300, 100));
  accept(limit_order(4, Side::Buy, 72'400, 100));
  EXPECT_EQ(tick(72'500, 1'000), Fxs{});
  // Capacity 100: order 1 takes all of it; 3 is only touched.
  EXPECT_EQ(tick(72'300, 400), (Fxs{{1, 72'400, 100, true}}));
  // Capacity 150: 2 then 4; 3 (touched) neither fills nor uses capacity.
  EXPECT_EQ(tick(72'300, 600), (Fxs{{2, 72'400, 50, true}, {4, 72'400, 100, true}}));
  EXPECT_EQ(matcher_.working(), 1u);
}

TEST_F(MatcherTest, EachSideHasItsOwnCapacityPerPrint) {
  accept(market_order(1, Side::Buy, 300));
  accept(market_order(2, Side::Sell, 300));
  accept(market_order(3, Side::Buy, 50));
  EXPECT_EQ(tick(72'500, 400), (Fxs{{1, 72'500, 100, false}, {2, 72'500, 100, false}}));
  EXPECT_EQ(tick(72'500, 1'000),
            (Fxs{{1, 72'500, 200, true}, {2, 72'500, 200, true}, {3, 72'500, 50, true}}));
}

TEST(MatcherParams, VolumeShareIsClampedToZeroToHundredPercent) {
  const auto fill_on_one_print = [](int pct) {
    Matcher m(Params{.max_volume_pct = pct});
    EXPECT_TRUE(m.submit(market_order(1, Side::Buy, 500), kSamsungBand).ok());
    std::vector<Execution> out;
    m.on_tick(Tick{kOpen, kSamsung, Price(72'500), Qty(120)}, out);
    return out.empty() ? 0 : out[0].qty.value();
  };
  EXPECT_EQ(fill_on_one_print(0), 0);
  EXPECT_EQ(fill_on_one_print(-5), 0);
  EXPECT_EQ(fill_on_one_print(10), 12);
  EXPECT_EQ(fill_on_one_print(100), 120);
  EXPECT_EQ(fill_on_one_print(150), 120);
}

TEST_F(MatcherTest, PrintsWithoutVolumeFillNothing) {
  accept(market_order(1, Side::Buy, 10));
  EXPECT_EQ(tick(72'500, 0), Fxs{});
  EXPECT_EQ(tick(72'500, -1), Fxs{});
  EXPECT_EQ(matcher_.working(), 1u);
}

TEST_F(MatcherTest, OrdersOfOtherCodesAreUntouched) {
  accept(limit_order(1, Side::Buy, 200'000, 10, kHynix), kHynixBand);
  accept(limit_order(2, Side::Buy, 72'000, 10));
  EXPECT_EQ(tick(72'500, 1'000), Fxs{});
  EXPECT_EQ(tick(50'800, 1'000), (Fxs{{2, 72'000, 10, true}}));
  // Samsung's prints did not count as Hynix's first print: order 1 is still
  // marketable on arrival and trades at the print, not at its limit.
  EXPECT_EQ(tick(199'500, 1'000, kHynix), (Fxs{{1, 199'500, 10, true}}));
}

TEST(MatcherCodes, ManyCodesEachMatchOnlyTheirOwnOrders) {
  // 2,000 codes (the table grows many times) that differ in single characters.
  Matcher m(Params{});
  const auto code = [](int n) {
    return StockCode::parse(std::to_string(1'000'000 + n).substr(1)).value();
  };
  for (int n = 0; n < 2'000; ++n) {
    ASSERT_TRUE(
        m.submit(market_order(static_cast<OrderId>(n + 1), Side::Buy, 1, code(n)), kSamsungBand)
            .ok());
  }
  std::vector<Execution> out;
  m.on_tick(Tick{kOpen, *StockCode::parse("0000J0"), Price(72'500), Qty(100)}, out);
  EXPECT_TRUE(out.empty());
  for (int n = 1'999; n >= 0; --n) {
    out.clear();
    m.on_tick(Tick{kOpen, code(n), Price(72'500), Qty(100)}, out);
    ASSERT_EQ(out.size(), 1u) << n;
    EXPECT_EQ(out[0].order_id, static_cast<OrderId>(n + 1));
    EXPECT_EQ(out[0].code, code(n));
  }
  EXPECT_EQ(m.working(), 0u);
}

// --- bars ---------------------------------------------------------------------

TEST_F(MatcherTest, MarketOrderFillsAtTheNextBarsOpenAtItsStart) {
  accept(market_order(1, Side::Buy, 100));
  EXPECT_EQ(bar(72'500, 73'000, 72'000, 72'800, 10'000), (Fxs{{1, 72'500, 100, true}}));
  EXPECT_EQ(out_[0].time, kOpen + 1min);
}

TEST_F(MatcherTest, FreshLimitFillsAtAnOpenThatSatisfiesIt) {
  accept(limit_order(1, Side::Buy, 72'600, 10));
  accept(limit_order(2, Side::Buy, 72'500, 10));  // touch on arrival
  accept(limit_order(3, Side::Sell, 72'400, 10));
  accept(limit_order(4, Side::Sell, 72'500, 10));  // touch on arrival
  EXPECT_EQ(bar(72'500, 72'500, 72'500, 72'500, 10'000), (Fxs{{1, 72'500, 10, true},
                                                              {2, 72'500, 10, true},
                                                              {3, 72'500, 10, true},
                                                              {4, 72'500, 10, true}}));
}

TEST_F(MatcherTest, FreshLimitThatMissesTheOpenRestsForTheRestOfTheBar) {
  accept(limit_order(1, Side::Buy, 72'000, 10));
  accept(limit_order(2, Side::Sell, 73'000, 10));
  // Low touches 72,000 and high touches 73,000: neither traded through.
  EXPECT_EQ(bar(72'500, 73'000, 72'000, 72'500, 10'000), Fxs{});
  // Next bar trades through both: each fills at its limit.
  EXPECT_EQ(bar(72'500, 73'100, 71'900, 72'500, 10'000),
            (Fxs{{1, 72'000, 10, true}, {2, 73'000, 10, true}}));
}

TEST_F(MatcherTest, FreshLimitFillsInsideItsFirstBarWhenTradedThrough) {
  accept(limit_order(1, Side::Buy, 72'000, 10));
  EXPECT_EQ(bar(72'500, 72'600, 71'900, 72'100, 10'000), (Fxs{{1, 72'000, 10, true}}));
}

TEST_F(MatcherTest, RestingBuyInBars) {
  accept(limit_order(1, Side::Buy, 72'000, 30));
  EXPECT_EQ(bar(72'500, 72'600, 72'100, 72'200, 10'000), Fxs{});
  // Opens at the limit and never goes below: a touch, no fill.
  EXPECT_EQ(bar(72'000, 72'300, 72'000, 72'100, 10'000), Fxs{});
  // Trades through inside the bar: at the limit. Capacity 10 of 40.
  EXPECT_EQ(bar(72'100, 72'200, 71'900, 72'000, 40), (Fxs{{1, 72'000, 10, false}}));
  // Opens at the limit and trades through: at the limit (= the open).
  EXPECT_EQ(bar(72'000, 72'100, 71'900, 72'000, 40), (Fxs{{1, 72'000, 10, false}}));
  // Gaps below the limit: at the open.
  EXPECT_EQ(bar(71'500, 71'800, 71'400, 71'600, 10'000), (Fxs{{1, 71'500, 10, true}}));
}

TEST_F(MatcherTest, RestingSellInBars) {
  accept(limit_order(1, Side::Sell, 73'000, 30));
  EXPECT_EQ(bar(72'500, 72'900, 72'400, 72'800, 10'000), Fxs{});
  EXPECT_EQ(bar(73'000, 73'000, 72'500, 72'800, 10'000), Fxs{});  // touch
  EXPECT_EQ(bar(72'900, 73'100, 72'800, 73'000, 40), (Fxs{{1, 73'000, 10, false}}));
  EXPECT_EQ(bar(73'000, 73'100, 72'900, 73'000, 40), (Fxs{{1, 73'000, 10, false}}));
  EXPECT_EQ(bar(73'600, 73'800, 73'500, 73'700, 10'000), (Fxs{{1, 73'600, 10, true}}));  // gap up
}

TEST_F(MatcherTest, BarVolumeCapsFillsAndTheRestFillsAtLaterOpens) {
  accept(market_order(1, Side::Buy, 400));
  EXPECT_EQ(bar(72'500, 73'000, 72'000, 72'800, 1'000), (Fxs{{1, 72'500, 250, false}}));
  EXPECT_EQ(bar(72'800, 73'000, 72'000, 72'800, 0), Fxs{});
  EXPECT_EQ(bar(72'900, 73'000, 72'000, 72'800, 1'000), (Fxs{{1, 72'900, 150, true}}));
}

// --- cancel and expiry ------------------------------------------------------------

TEST_F(MatcherTest, CancelReturnsTheOpenRestOfAPartiallyFilledOrder) {
  accept(market_order(1, Side::Buy, 300));
  EXPECT_EQ(tick(72'500, 400), (Fxs{{1, 72'500, 100, false}}));
  EXPECT_EQ(matcher_.cancel(1), std::optional(Qty(200)));
  EXPECT_EQ(matcher_.cancel(1), std::nullopt);
  EXPECT_EQ(matcher_.working(), 0u);
  EXPECT_EQ(tick(72'500, 10'000), Fxs{});
}

TEST_F(MatcherTest, CancelOfUnknownOrFilledOrdersReturnsNothing) {
  EXPECT_EQ(matcher_.cancel(42), std::nullopt);
  accept(market_order(1, Side::Buy, 10));
  EXPECT_EQ(tick(72'500, 1'000), (Fxs{{1, 72'500, 10, true}}));
  EXPECT_EQ(matcher_.cancel(1), std::nullopt);
}

TEST_F(MatcherTest, CancelKeepsTheOthersInTheirOrder) {
  accept(market_order(1, Side::Buy, 10));
  accept(market_order(2, Side::Buy, 10));
  accept(market_order(3, Side::Buy, 10));
  EXPECT_EQ(matcher_.cancel(2), std::optional(Qty(10)));
  EXPECT_EQ(tick(72'500, 40), (Fxs{{1, 72'500, 10, true}}));
  EXPECT_EQ(tick(72'500, 40), (Fxs{{3, 72'500, 10, true}}));
}

TEST_F(MatcherTest, ExpireAllStopsEveryOrderInSubmissionOrder) {
  accept(limit_order(1, Side::Buy, 72'000, 100));
  accept(limit_order(2, Side::Sell, 210'000, 10, kHynix), kHynixBand);
  accept(market_order(3, Side::Buy, 300));
  EXPECT_EQ(tick(72'500, 800), (Fxs{{3, 72'500, 200, false}}));
  const std::vector<std::pair<OrderId, Qty>> expected{{1, Qty(100)}, {2, Qty(10)}, {3, Qty(100)}};
  EXPECT_EQ(matcher_.expire_all(), expected);
  EXPECT_EQ(matcher_.working(), 0u);
  EXPECT_EQ(matcher_.cancel(1), std::nullopt);
  EXPECT_EQ(tick(70'000, 10'000), Fxs{});
  EXPECT_EQ(tick(220'000, 10'000, kHynix), Fxs{});
  EXPECT_TRUE(matcher_.expire_all().empty());
}

// --- fees ---------------------------------------------------------------------

struct FeeCase {
  std::int64_t price;
  std::int64_t qty;
  std::int64_t commission;
  std::int64_t tax;  // of a sell
};

// Values from Kiwoom's kt00018 example (krx.md 7.2) and two that truncate.
TEST(MatcherFees, CommissionTruncatedToTenWonAndTaxFlooredToTheWon) {
  const FeeCase cases[] = {
      {74'700, 5, 50, 747},     // 373,500: 56.025 -> 50; tax 747
      {59'000, 3, 20, 354},     // 177,000: 26.55 -> 20; tax 354
      {68'000, 10, 100, 1360},  // 680,000: 102 -> 100
      {10'000, 10, 10, 200},    // 100,000: 15 -> 10
      {2'810, 25, 10, 140},     // 70,250: 10.5375 -> 10; tax 140.5 -> 140
      {1'000, 5, 0, 10},        // 5,000: 0.75 -> 0
  };
  for (const auto& c : cases) {
    for (const Side side : {Side::Buy, Side::Sell}) {
      Matcher m(Params{});
      ASSERT_TRUE(m.submit(market_order(1, side, c.qty), krx::daily_band(Price(c.price))).ok());
      std::vector<Execution> out;
      m.on_tick(Tick{kOpen, kSamsung, Price(c.price), Qty(c.qty * 4)}, out);
      ASSERT_EQ(out.size(), 1u) << c.price;
      EXPECT_EQ(out[0].commission, Krw(c.commission)) << c.price << " " << to_string(side);
      EXPECT_EQ(out[0].tax, Krw(side == Side::Sell ? c.tax : 0))
          << c.price << " " << to_string(side);
    }
  }
}

TEST(MatcherFees, FollowTheConfiguredSchedule) {
  // 2024's 0.18 % tax reproduces kt00018's 318 and 1,224 won.
  Matcher m(Params{.fees = {.commission_ppm = 150, .commission_unit = 10, .sell_tax_ppm = 1'800}});
  ASSERT_TRUE(m.submit(market_order(1, Side::Sell, 3), kSamsungBand).ok());
  ASSERT_TRUE(
      m.submit(market_order(2, Side::Sell, 10, kHynix), krx::daily_band(Price(68'000))).ok());
  std::vector<Execution> out;
  m.on_tick(Tick{kOpen, kSamsung, Price(59'000), Qty(100)}, out);
  m.on_tick(Tick{kOpen, kHynix, Price(68'000), Qty(100)}, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].tax, Krw(318));
  EXPECT_EQ(out[1].tax, Krw(1'224));
}

TEST_F(MatcherTest, FeesAreChargedPerExecution) {
  // 30 shares at 10,000 in three executions of 100,000 won: 3 * 10 = 30 won,
  // where one computation over the order's 300,000 won would give 40.
  const krx::PriceBand band = krx::daily_band(Price(10'000));
  accept(market_order(1, Side::Buy, 30), band);
  Krw commission(0);
  for (int i = 0; i < 3; ++i) {
    const auto& fills = tick_full(10'000, 40);
    ASSERT_EQ(fills.size(), 1u);
    EXPECT_EQ(fills[0].qty, Qty(10));
    commission += fills[0].commission;
  }
  EXPECT_EQ(commission, Krw(30));
  EXPECT_EQ(krx::commission(krx::FeeSchedule{}, Krw(300'000)), Krw(40));
}

// --- invariants over a long random session ----------------------------------------

struct Session {
  std::vector<Execution> executions;
  std::map<OrderId, Order> accepted;
  std::map<OrderId, Qty> stopped;  // open quantity returned by cancel or expiry
};

// A seeded random walk on the grid with random orders, cancels, ticks for
// Samsung and bars for Hynix; checks the per-print rules as it goes.
Session random_session(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto uniform = [&rng](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  const Params params{};
  Matcher m(params);
  Session s;
  struct Instrument {
    StockCode code;
    krx::PriceBand band;
    Price last;
  };
  Instrument instruments[] = {{kSamsung, kSamsungBand, Price(72'500)},
                              {kHynix, kHynixBand, Price(199'500)}};
  const auto clamp = [](Price p, const krx::PriceBand& band) {
    return std::clamp(p, band.lower, band.upper);
  };
  const auto walk = [&](Instrument& in) {
    in.last = clamp(krx::add_ticks(in.last, static_cast<int>(uniform(-3, 3))), in.band);
    return in.last;
  };
  OrderId next_id = 1;
  for (int step = 0; step < 20'000; ++step) {
    Instrument& in = instruments[uniform(0, 1)];
    const auto action = uniform(0, 9);
    if (action <= 1) {
      const Side side = uniform(0, 1) ? Side::Buy : Side::Sell;
      const std::int64_t qty = uniform(1, 300);
      const Price limit = clamp(krx::add_ticks(in.last, static_cast<int>(uniform(-4, 4))), in.band);
      const Order o = uniform(0, 3) == 0 ? market_order(next_id, side, qty, in.code)
                                         : limit_order(next_id, side, limit.value(), qty, in.code);
      EXPECT_TRUE(m.submit(o, in.band).ok());
      s.accepted.emplace(next_id++, o);
    } else if (action == 2 && next_id > 1) {
      const OrderId id = static_cast<OrderId>(uniform(1, static_cast<std::int64_t>(next_id) - 1));
      if (auto open = m.cancel(id)) s.stopped.emplace(id, *open);
    } else {
      std::vector<Execution> out;
      const Qty volume(uniform(0, 400));
      if (in.code == kSamsung) {
        m.on_tick(Tick{kOpen + std::chrono::seconds(step), in.code, walk(in), volume}, out);
      } else {
        const Price open = walk(in);
        const Price a = walk(in);
        const Price b = walk(in);
        const Price close = walk(in);
        const Bar bar{
            kOpen + std::chrono::minutes(step), in.code, open,  std::max({open, a, b, close}),
            std::min({open, a, b, close}),      close,   volume};
        m.on_bar(bar, out);
      }
      const Qty cap(volume.value() * params.max_volume_pct / 100);
      Qty bought(0);
      Qty sold(0);
      for (std::size_t i = 0; i < out.size(); ++i) {
        const Execution& e = out[i];
        const Order& o = s.accepted.at(e.order_id);
        EXPECT_EQ(e.code, in.code);
        EXPECT_TRUE(krx::valid_limit_price(e.price, in.band)) << e.price.value();
        if (o.type == OrderType::Limit) {
          EXPECT_TRUE(o.side == Side::Buy ? e.price <= o.limit : e.price >= o.limit);
        }
        EXPECT_GT(e.qty.value(), 0);
        if (i > 0) {
          EXPECT_LT(out[i - 1].order_id, e.order_id);  // submission order
        }
        EXPECT_EQ(e.commission, krx::commission(params.fees, e.value()));
        EXPECT_EQ(e.tax, e.side == Side::Sell ? krx::sell_tax(params.fees, e.value()) : Krw(0));
        (e.side == Side::Buy ? bought : sold) += e.qty;
      }
      EXPECT_LE(bought, cap);
      EXPECT_LE(sold, cap);
      s.executions.insert(s.executions.end(), out.begin(), out.end());
    }
  }
  for (const auto& [id, open] : m.expire_all()) s.stopped.emplace(id, open);
  return s;
}

TEST(MatcherInvariants, EveryShareIsFilledOrReturnedExactlyOnce) {
  const Session s = random_session(20260105);
  std::map<OrderId, Qty> filled;
  std::map<OrderId, int> done;
  for (const auto& e : s.executions) {
    filled[e.order_id] += e.qty;
    ASSERT_EQ(done[e.order_id], 0) << "execution after order " << e.order_id << " was done";
    if (e.order_done) ++done[e.order_id];
  }
  std::size_t partly = 0;
  for (const auto& [id, o] : s.accepted) {
    const Qty open = s.stopped.contains(id) ? s.stopped.at(id) : Qty(0);
    EXPECT_EQ(filled[id] + open, o.qty) << "order " << id;
    EXPECT_EQ(done[id], open.value() == 0 ? 1 : 0) << "order " << id;
    if (open.value() > 0 && filled[id].value() > 0) ++partly;
  }
  EXPECT_GT(s.executions.size(), 1'000u);  // the walk exercises the model
  EXPECT_GT(partly, 10u);
}

TEST(MatcherInvariants, SameInputsGiveTheSameExecutions) {
  const Session a = random_session(7);
  const Session b = random_session(7);
  ASSERT_EQ(a.executions.size(), b.executions.size());
  for (std::size_t i = 0; i < a.executions.size(); ++i) {
    const Execution& x = a.executions[i];
    const Execution& y = b.executions[i];
    EXPECT_TRUE(x.order_id == y.order_id && x.price == y.price && x.qty == y.qty &&
                x.time == y.time && x.order_done == y.order_done)
        << "execution " << i;
  }
}

}  // namespace
}  // namespace dalbit::match
