#include "live/scans.h"

#include <gtest/gtest.h>

namespace dalbit::live {
namespace {

kiwoom::RankRow row(const char* code, std::int64_t price, std::int64_t rate_hundredths, int sign) {
  kiwoom::RankRow r;
  r.code = *StockCode::parse(code);
  r.price = Price(price);
  r.change_rate = kiwoom::Rate{rate_hundredths};
  r.change_sign = sign;
  return r;
}

TEST(Scans, RankingsBecomeScanItemsInOrderWithSignedChanges) {
  kiwoom::VolumeSurge surge;
  kiwoom::VolumeSurgeRow up;
  static_cast<kiwoom::RankRow&>(up) = row("005930", 72'500, 250, 2);
  up.volume = Qty(1'000'000);
  up.surge_rate = kiwoom::Rate{31'250};
  kiwoom::VolumeSurgeRow down;
  static_cast<kiwoom::RankRow&>(down) = row("000660", 180'000, 130, 5);
  surge.rows = {up, down};
  const auto items = scan_items(surge);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].code.str(), "005930");
  EXPECT_EQ(items[0].rank, 1);
  EXPECT_DOUBLE_EQ(items[0].change_pct, 2.5);
  EXPECT_DOUBLE_EQ(items[0].surge_pct, 312.5);
  EXPECT_EQ(items[0].volume, Qty(1'000'000));
  EXPECT_EQ(items[1].rank, 2);
  EXPECT_DOUBLE_EQ(items[1].change_pct, -1.3) << "sign 5 (down) makes the magnitude negative";
}

TEST(Scans, TradingValueKeepsTheBrokersRankAndValue) {
  kiwoom::TradingValueTop top;
  kiwoom::TradingValueRow r;
  static_cast<kiwoom::RankRow&>(r) = row("035420", 200'000, 0, 3);
  r.rank = 7;
  r.value = Krw(12'000'000'000);
  top.rows = {r};
  const auto items = scan_items(top);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].rank, 7);
  EXPECT_EQ(items[0].value, Krw(12'000'000'000));
  EXPECT_DOUBLE_EQ(items[0].change_pct, 0);
}

}  // namespace
}  // namespace dalbit::live
