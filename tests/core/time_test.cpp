#include "core/clock.h"
#include "core/time.h"

#include <gtest/gtest.h>

namespace dalbit {
namespace {

TEST(Kst, IsUtcPlusNineWithoutDst) {
  // 2026-07-01 00:30 UTC is 09:30 KST the same day; no summer shift.
  const auto t = *parse_kst_timestamp("2026-07-01 09:30:00");
  const auto utc = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  EXPECT_EQ(utc, 1782865800);
  const auto k = to_kst(t);
  EXPECT_EQ(k.date, (KstDate{2026, 7, 1}));
  EXPECT_EQ(k.time, TimeOfDay::hm(9, 30));
}

TEST(Kst, DateChangesAtKstMidnightNotUtc) {
  const auto t = *parse_kst_timestamp("2026-01-06 08:59:59");  // 2026-01-05 23:59:59 UTC
  EXPECT_EQ(kst_date(t), (KstDate{2026, 1, 6}));
  EXPECT_EQ(format_kst(kst_midnight(t)), "2026-01-06 00:00:00");
}

TEST(Kst, ParsesFractionsAndRejectsGarbage) {
  const auto t = parse_kst_timestamp("2026-01-05 09:00:01.250");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_kst(*t), "2026-01-05 09:00:01.250");
  EXPECT_TRUE(parse_kst_timestamp("2026-01-05T09:00:01"));
  EXPECT_FALSE(parse_kst_timestamp("2026-02-30 09:00:00"));
  EXPECT_FALSE(parse_kst_timestamp("2026-01-05 24:00:00"));
  EXPECT_FALSE(parse_kst_timestamp("2026-01-05 09:00"));
  EXPECT_FALSE(parse_kst_timestamp("2026-01-05 09:00:00."));
  EXPECT_FALSE(parse_kst_timestamp("2026-01-05 09:00:00.12a"));
  EXPECT_FALSE(parse_time_of_day("9:00"));
  EXPECT_EQ(*parse_time_of_day("15:20"), TimeOfDay::hm(15, 20));
}

TEST(Kst, Weekday) {
  EXPECT_EQ((KstDate{2026, 1, 5}).weekday(), 1);   // Monday
  EXPECT_EQ((KstDate{2026, 11, 29}).weekday(), 0);  // Sunday
}

TEST(SimClock, MovesOnlyForward) {
  SimClock clock(*parse_kst_timestamp("2026-01-05 09:00:00"));
  const Clock& c = clock;
  EXPECT_TRUE(clock.set(*parse_kst_timestamp("2026-01-05 09:00:01")));
  EXPECT_FALSE(clock.set(*parse_kst_timestamp("2026-01-05 08:59:59")));
  EXPECT_EQ(format_kst(c.now()), "2026-01-05 09:00:01");
  clock.advance(std::chrono::milliseconds(500));
  EXPECT_EQ(format_kst(c.now()), "2026-01-05 09:00:01.500");
  clock.advance(std::chrono::milliseconds(-5));  // ignored
  EXPECT_EQ(format_kst(c.now()), "2026-01-05 09:00:01.500");
}

TEST(WallClock, IsCloseToSystemTime) {
  WallClock wall;
  const auto sys = std::chrono::system_clock::now();
  EXPECT_LT(std::chrono::abs(wall.now() - sys), std::chrono::seconds(5));
}

}  // namespace
}  // namespace dalbit
