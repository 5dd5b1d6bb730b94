#include "core/krx.h"

#include <gtest/gtest.h>

namespace dalbit::krx {
namespace {

struct TickCase {
  std::int64_t price;
  std::int64_t tick;
};

TEST(TickSize, EveryBandEdgeTakesTheLargerTick) {
  const TickCase cases[] = {
      {1, 1},          {1'999, 1},      {2'000, 5},      {4'995, 5},       {5'000, 10},
      {19'990, 10},    {20'000, 50},    {49'950, 50},    {50'000, 100},    {199'900, 100},
      {200'000, 500},  {499'500, 500},  {500'000, 1'000}, {3'000'000, 1'000},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(tick_size(Price(c.price)), Price(c.tick)) << "price " << c.price;
  }
}

TEST(TickGrid, OnGridAndRounding) {
  EXPECT_TRUE(on_grid(Price(19'990)));
  EXPECT_FALSE(on_grid(Price(19'995)));
  EXPECT_FALSE(on_grid(Price(20'010)));
  EXPECT_TRUE(on_grid(Price(20'050)));
  EXPECT_FALSE(on_grid(Price(0)));
  EXPECT_EQ(floor_to_tick(Price(20'049)), Price(20'000));
  EXPECT_EQ(ceil_to_tick(Price(20'001)), Price(20'050));
  EXPECT_EQ(ceil_to_tick(Price(19'991)), Price(20'000));  // 19,991 rounds up across the edge
  EXPECT_EQ(floor_to_tick(Price(1'999)), Price(1'999));
  EXPECT_EQ(ceil_to_tick(Price(4'996)), Price(5'000));
  EXPECT_EQ(floor_to_tick(Price(500'999)), Price(500'000));
}

TEST(TickGrid, StepsAcrossEveryEdge) {
  EXPECT_EQ(tick_up(Price(19'990)), Price(20'000));
  EXPECT_EQ(tick_up(Price(20'000)), Price(20'050));
  EXPECT_EQ(tick_down(Price(20'000)), Price(19'990));
  EXPECT_EQ(tick_down(Price(2'000)), Price(1'999));
  EXPECT_EQ(tick_up(Price(1'999)), Price(2'000));
  EXPECT_EQ(tick_down(Price(5'000)), Price(4'995));
  EXPECT_EQ(tick_down(Price(50'000)), Price(49'950));
  EXPECT_EQ(tick_down(Price(200'000)), Price(199'900));
  EXPECT_EQ(tick_down(Price(500'000)), Price(499'500));
  EXPECT_EQ(tick_up(Price(499'500)), Price(500'000));
  EXPECT_EQ(tick_down(Price(20'025)), Price(20'000));  // off-grid: the next valid price below
  EXPECT_EQ(add_ticks(Price(19'980), 3), Price(20'050));
  EXPECT_EQ(add_ticks(Price(20'050), -3), Price(19'980));
  EXPECT_EQ(add_ticks(Price(2), -5), Price(1));  // never below one won
}

TEST(LimitRounding, BuyRoundsDownSellRoundsUp) {
  EXPECT_EQ(round_limit(Price(72'549), Side::Buy), Price(72'500));
  EXPECT_EQ(round_limit(Price(72'501), Side::Sell), Price(72'600));
  EXPECT_EQ(round_limit(Price(72'500), Side::Sell), Price(72'500));
}

TEST(DailyBand, MatchesTheKrxWorkedExamples) {
  struct Case {
    std::int64_t base, upper, lower;
  };
  // ../shared/kiwoom/krx.md section 5.
  const Case cases[] = {{9'980, 12'970, 6'990},
                        {16'010, 20'800, 11'210},
                        {72'500, 94'200, 50'800},
                        {154'000, 200'000, 107'800}};
  for (const auto& c : cases) {
    const auto band = daily_band(Price(c.base));
    EXPECT_EQ(band.upper, Price(c.upper)) << "base " << c.base;
    EXPECT_EQ(band.lower, Price(c.lower)) << "base " << c.base;
    EXPECT_TRUE(on_grid(band.upper));
    EXPECT_TRUE(on_grid(band.lower));
  }
}

TEST(DailyBand, LimitPricesOnTheGridInsideTheBand) {
  const auto band = daily_band(Price(72'500));
  EXPECT_TRUE(valid_limit_price(Price(94'200), band));
  EXPECT_FALSE(valid_limit_price(Price(94'300), band));  // one tick above the upper limit
  EXPECT_TRUE(valid_limit_price(Price(50'800), band));
  EXPECT_FALSE(valid_limit_price(Price(50'700), band));  // one tick below the lower limit
  EXPECT_FALSE(valid_limit_price(Price(72'550), band));  // inside, off the grid
}

TEST(Sessions, PhasesAtTheirEdges) {
  const SessionTimes s;
  EXPECT_EQ(phase_at(s, TimeOfDay::hm(8, 29)), SessionPhase::Closed);
  EXPECT_EQ(phase_at(s, TimeOfDay::hm(8, 30)), SessionPhase::PreOpen);
  EXPECT_EQ(phase_at(s, TimeOfDay::hm(9, 0)), SessionPhase::Continuous);
  EXPECT_EQ(phase_at(s, TimeOfDay{15 * 3600 + 19 * 60 + 59}), SessionPhase::Continuous);
  EXPECT_EQ(phase_at(s, TimeOfDay::hm(15, 20)), SessionPhase::ClosingAuction);
  EXPECT_EQ(phase_at(s, TimeOfDay::hm(15, 30)), SessionPhase::Closed);
}

TEST(Fees, CommissionTruncatesToTenWonAndTaxToTheWon) {
  FeeSchedule f;  // 0.015 %, unit 10, tax 0.20 %
  // Kiwoom's kt00018 examples (krx.md 7.2).
  EXPECT_EQ(commission(f, Krw(373'500)), Krw(50));
  EXPECT_EQ(commission(f, Krw(177'000)), Krw(20));
  EXPECT_EQ(commission(f, Krw(1'673'430)), Krw(250));
  EXPECT_EQ(commission(f, Krw(680'000)), Krw(100));
  f.sell_tax_ppm = 1'800;  // 0.18 % (2024)
  EXPECT_EQ(sell_tax(f, Krw(177'000)), Krw(318));
  EXPECT_EQ(sell_tax(f, Krw(680'000)), Krw(1'224));
  EXPECT_EQ(sell_tax(f, Krw(158'200)), Krw(284));
}

}  // namespace
}  // namespace dalbit::krx
