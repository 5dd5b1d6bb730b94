#include "data/csv.h"

#include <gtest/gtest.h>

namespace dalbit::data {
namespace {

Timestamp at(const char* kst) { return *parse_kst_timestamp(kst); }

TEST(CsvHeader, DecidesTheKind) {
  EXPECT_EQ(kind_of_header("time,code,price,volume"), CsvKind::Ticks);
  EXPECT_EQ(kind_of_header("time,code,open,high,low,close,volume"), CsvKind::Bars);
  EXPECT_EQ(kind_of_header("\xEF\xBB\xBFtime,code,price,volume"), CsvKind::Ticks);  // Excel's BOM
  EXPECT_FALSE(kind_of_header("time,code,volume,price"));
  EXPECT_FALSE(kind_of_header("Time,Code,Price,Volume"));
  EXPECT_FALSE(kind_of_header("time,code,price,volume,"));
  EXPECT_FALSE(kind_of_header(""));
}

TEST(RowParser, ParsesATick) {
  RowParser p;
  Tick t;
  ASSERT_TRUE(p.parse_tick("2026-01-05 09:00:01.250,005930,72500,13", t)) << p.error();
  EXPECT_EQ(t.time, at("2026-01-05 09:00:01.250"));
  EXPECT_EQ(t.code.view(), "005930");
  EXPECT_EQ(t.price, Price(72500));
  EXPECT_EQ(t.volume, Qty(13));
}

TEST(RowParser, ParsesABar) {
  RowParser p;
  Bar b;
  ASSERT_TRUE(p.parse_bar("2026-01-05 09:01:00,0000J0,1850,1852,1849,1851,0", b)) << p.error();
  EXPECT_EQ(b.time, at("2026-01-05 09:01:00"));
  EXPECT_EQ(b.code.view(), "0000J0");
  EXPECT_EQ(b.open, Price(1850));
  EXPECT_EQ(b.high, Price(1852));
  EXPECT_EQ(b.low, Price(1849));
  EXPECT_EQ(b.close, Price(1851));
  EXPECT_EQ(b.volume, Qty(0));
  EXPECT_EQ(b.minutes, 1);
}

// The cached-date fast path must agree with core's parser on every input,
// including when the date changes between rows and after a rejected row.
TEST(RowParser, TimeAgreesWithCoreParser) {
  const char* inputs[] = {
      "2026-01-05 09:00:00",       "2026-01-05 09:00:00.5",     "2026-01-05 15:30:00.123456789",
      "2026-01-05T10:11:12",       "2026-01-06 00:00:00",       "2026-01-05 23:59:59.999",
      "2026-01-05 24:00:00",       "2026-01-05 09:60:00",       "2026-01-05 09:00:60",
      "2026-02-30 09:00:00",       "2026-01-05 09:00",          "2026-01-05 09:00:00.",
      "2026-01-05 09:00:00.1234567890", "2026-01-05 09:00:00,1", "2026/01/05 09:00:00",
      "2026-01-05  9:00:00",       "2026-01-05 09:00:0a",       "2028-02-29 12:00:00",
      "2027-02-29 12:00:00",       "2026-01-05 09:00:00.12a",   "",
      "2026-01-05 -9:00:00",       "2026-01-05 09:00:00 ",      "2026-01-05 09:00:01",
      // After a good row of the same minute, only the seconds decide.
      "2026-01-05 09:00:6x",
      "2026-01-05 09:00:61",
      "2026-01-05 09:00:0",
      "2026-01-05 09:00:05.",
      "2026-01-05 09:00:05.0000000001",
      "2026-01-05 09:00:59.999999999",
      "2026-01-05 09:01:00",
  };
  RowParser p;
  for (int round = 0; round < 2; ++round) {  // the second round runs on a warm date cache
    for (const char* s : inputs) {
      Timestamp fast{};
      const bool ok = p.parse_time(s, fast);
      const auto slow = parse_kst_timestamp(s);
      ASSERT_EQ(ok, slow.has_value()) << s;
      if (ok) {
        EXPECT_EQ(fast, *slow) << s;
      }
    }
  }
}

struct BadRow {
  const char* line;
  const char* error;
};

TEST(RowParser, NamesWhatIsWrongWithATick) {
  const BadRow cases[] = {
      {"2026-01-05 09:00:00,005930,72500", "expected 4 fields (time,code,price,volume), got 3"},
      {"2026-01-05 09:00:00,005930,72500,1,2",
       "expected 4 fields (time,code,price,volume), got 5"},
      {"2026-01-05 9:00:00,005930,72500,1",
       "bad time '2026-01-05 9:00:00' (expected YYYY-MM-DD HH:MM:SS[.fff])"},
      {"2026-13-05 09:00:00,005930,72500,1", "bad date in time '2026-13-05 09:00:00'"},
      {"2026-01-05 09:00:00,5930,72500,1", "invalid stock code '5930'"},
      {"2026-01-05 09:00:00,00593a,72500,1", "invalid stock code '00593a'"},
      {"2026-01-05 09:00:00,005930,72,500,1", "expected 4 fields (time,code,price,volume), got 5"},
      {"2026-01-05 09:00:00,005930,7250x,1", "bad number '7250x' in price"},
      {"2026-01-05 09:00:00,005930,,1", "bad number '' in price"},
      {"2026-01-05 09:00:00,005930,0,1", "price 0 is not positive"},
      {"2026-01-05 09:00:00,005930,-72500,1", "price -72500 is not positive"},
      {"2026-01-05 09:00:00,005930,72550,1", "price 72550 is off the tick grid (tick size 100)"},
      {"2026-01-05 09:00:00,005930,72500,-3", "volume -3 is negative"},
      {"2026-01-05 09:00:00,005930,72500,1.5", "bad number '1.5' in volume"},
      {"2026-01-05 09:00:00,005930,72500,9999999999999999999",
       "bad number '9999999999999999999' in volume"},
  };
  RowParser p;
  for (const auto& c : cases) {
    Tick t;
    EXPECT_FALSE(p.parse_tick(c.line, t)) << c.line;
    EXPECT_EQ(p.error(), c.error) << c.line;
  }
}

TEST(RowParser, NamesWhatIsWrongWithABar) {
  const BadRow cases[] = {
      {"2026-01-05 09:00:00,005930,72500,72600,72400,72500",
       "expected 7 fields (time,code,open,high,low,close,volume), got 6"},
      {"2026-01-05 09:00:00,005930,72500,72600,72450,72500,10",
       "low 72450 is off the tick grid (tick size 100)"},
      {"2026-01-05 09:00:00,005930,72500,72400,72600,72500,10", "high 72400 is below low 72600"},
      {"2026-01-05 09:00:00,005930,72700,72600,72400,72500,10",
       "open 72700 is outside [low 72400, high 72600]"},
      {"2026-01-05 09:00:00,005930,72500,72600,72400,72300,10",
       "close 72300 is outside [low 72400, high 72600]"},
      {"2026-01-05 09:00:00,005930,72500,72600,72400,72500,-1", "volume -1 is negative"},
      {"2026-01-05 09:00:00,005930,0,72600,72400,72500,1", "open 0 is not positive"},
  };
  RowParser p;
  for (const auto& c : cases) {
    Bar b;
    EXPECT_FALSE(p.parse_bar(c.line, b)) << c.line;
    EXPECT_EQ(p.error(), c.error) << c.line;
  }
}

TEST(RowParser, CodeCacheDoesNotLetABadCodeThrough) {
  RowParser p;
  Tick t;
  ASSERT_TRUE(p.parse_tick("2026-01-05 09:00:00,005930,72500,1", t));
  EXPECT_FALSE(p.parse_tick("2026-01-05 09:00:00,005931x,72500,1", t));
  ASSERT_TRUE(p.parse_tick("2026-01-05 09:00:00,000660,200000,1", t));
  EXPECT_EQ(t.code.view(), "000660");
}

}  // namespace
}  // namespace dalbit::data
