#include "kiwoom/values.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <regex>
#include <string>

namespace dalbit::kiwoom {
namespace {

using ::testing::HasSubstr;

TEST(KiwoomValues, SignedPricesReadAsTheirMagnitude) {
  EXPECT_EQ(parse_price("cur_prc", "+72500").value(), Price(72500));
  EXPECT_EQ(parse_price("cur_prc", "-00072500").value(), Price(72500));
  EXPECT_EQ(parse_price("cur_prc", "72500").value(), Price(72500));
  EXPECT_EQ(parse_price("18", " 67300").value(), Price(67300));
  EXPECT_EQ(parse_price("open_pric", "-0").value(), Price(0));
  EXPECT_EQ(price_direction("+72500"), Direction::Up);
  EXPECT_EQ(price_direction("-00072500"), Direction::Down);
  EXPECT_EQ(price_direction("72500"), Direction::Flat);
  EXPECT_EQ(price_direction(" -1"), Direction::Down);
}

TEST(KiwoomValues, ZeroPaddedSignedAmounts) {
  EXPECT_EQ(parse_krw("entr", "000000000017534").value(), Krw(17534));
  EXPECT_EQ(parse_krw("evltv_prft", "-00000000196888").value(), Krw(-196888));
  EXPECT_EQ(parse_krw("d1_slby_exct_amt", "-00000000000084").value(), Krw(-84));
  EXPECT_EQ(parse_int("x", "000000012345").value(), 12345);
  EXPECT_EQ(parse_int("x", " 123 ").value(), 123);
  EXPECT_EQ(parse_int("x", "+0").value(), 0);
  EXPECT_EQ(parse_int("x", "-0").value(), 0);
  EXPECT_EQ(parse_int("x", "--123").value(), -123);
  EXPECT_EQ(parse_int("x", "-9223372036854775807").value(), -9223372036854775807LL);
  EXPECT_EQ(parse_int("x", "00000000000000000000000000042").value(), 42);
}

TEST(KiwoomValues, RejectsGarbageNamingKeyAndText) {
  for (const char* bad : {"", "   ", "abc", "12a", "1 2", "+-1", "-+1", "---1", "+", "-", "1.5", "1,000",
                          "0x10", "9223372036854775808", "99999999999999999999"}) {
    auto r = parse_int("cur_prc", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.error().message, HasSubstr("cur_prc")) << bad;
    EXPECT_THAT(r.error().message, HasSubstr(std::string("\"") + bad)) << bad;
  }
  EXPECT_THAT(parse_price("cur_prc", "").error().message, HasSubstr("empty"));
}

TEST(KiwoomValues, QuantitiesAreNotNegativeUnlessSigned) {
  EXPECT_EQ(parse_qty("rmnd_qty", "000000000000003").value(), Qty(3));
  EXPECT_EQ(parse_qty("15", "+82").value(), Qty(82));
  EXPECT_FALSE(parse_qty("rmnd_qty", "-3").ok());
  EXPECT_THAT(parse_qty("rmnd_qty", "-3").error().message, HasSubstr("negative"));
  EXPECT_EQ(parse_signed_qty("15", "-82").value(), Qty(-82));
  EXPECT_EQ(parse_price_change("pred_pre", "-600").value(), Price(-600));
}

TEST(KiwoomValues, RatesKeepTwoDecimalsExactly) {
  EXPECT_EQ(parse_rate("flu_rt", "+1.25").value(), Rate{125});
  EXPECT_EQ(parse_rate("flu_rt", "-0.24").value(), Rate{-24});
  EXPECT_EQ(parse_rate("flu_rt", "+28.97").value(), Rate{2897});
  EXPECT_EQ(parse_rate("tot_prft_rt", "46.25").value(), Rate{4625});
  EXPECT_EQ(parse_rate("crd_grnt_rt", "0.00").value(), Rate{0});
  EXPECT_EQ(parse_rate("x", "3").value(), Rate{300});
  EXPECT_EQ(parse_rate("x", "-1.5").value(), Rate{-150});
  EXPECT_EQ(parse_rate("x", " 98.92 ").value(), Rate{9892});
  EXPECT_DOUBLE_EQ(Rate{125}.percent(), 1.25);
  for (const char* bad : {"", ".5", "1.", "1.234", "1..2", "1.2.3", "a.00", "1.x", "+", "1 .5", "- 1.0"}) {
    auto r = parse_rate("flu_rt", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.error().message, HasSubstr("flu_rt")) << bad;
  }
}

TEST(KiwoomValues, DatesAndTimesAreKst) {
  EXPECT_EQ(parse_date("dt", "20260315").value(), (KstDate{2026, 3, 15}));
  EXPECT_FALSE(parse_date("dt", "20260230").ok());
  EXPECT_FALSE(parse_date("dt", "2026031").ok());
  EXPECT_FALSE(parse_date("dt", "00000000").ok());
  EXPECT_TRUE(is_no_date("00000000"));
  EXPECT_TRUE(is_no_date(""));
  EXPECT_FALSE(is_no_date("20260315"));
  EXPECT_EQ(parse_time("20", "093000").value().seconds, 9 * 3600 + 30 * 60);
  EXPECT_EQ(parse_time("20", "165208").value().seconds, 16 * 3600 + 52 * 60 + 8);
  EXPECT_FALSE(parse_time("20", "240000").ok());
  EXPECT_FALSE(parse_time("20", "0930").ok());
  EXPECT_FALSE(parse_time("20", "09:30:00").ok());
  const auto t = parse_date_time("expires_dt", "20260315083713");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, from_kst(KstDate{2026, 3, 15}, TimeOfDay{8 * 3600 + 37 * 60 + 13}));
  EXPECT_EQ(format_kst(*t), "2026-03-15 08:37:13");
  EXPECT_THAT(parse_date_time("expires_dt", "2026031508371").error().message, HasSubstr("expires_dt"));
}

TEST(KiwoomValues, StockCodesAndVenues) {
  EXPECT_EQ(parse_stock_code("stk_cd", "A005930").value().view(), "005930");
  EXPECT_EQ(parse_stock_code("stk_cd", "005930").value().view(), "005930");
  EXPECT_FALSE(parse_stock_code("stk_cd", "05930").ok());
  EXPECT_FALSE(parse_stock_code("stk_cd", "B005930").ok());
  const auto nx = parse_instrument("stk_cd", "005930_NX");
  ASSERT_TRUE(nx.ok());
  EXPECT_EQ(nx->venue, Venue::Nxt);
  EXPECT_EQ(nx->code.view(), "005930");
  EXPECT_EQ(parse_instrument("stk_cd", "005930_AL").value().venue, Venue::Sor);
  EXPECT_EQ(parse_instrument("stk_cd", "005930").value().venue, Venue::Krx);
  EXPECT_FALSE(parse_instrument("stk_cd", "005930_XX").ok());
  EXPECT_EQ(format_instrument(*nx), "005930_NX");
  EXPECT_EQ(format_stock_code(nx->code, true), "A005930");
  EXPECT_EQ(parse_venue_code("dmst_stex_tp", "NXT").value(), Venue::Nxt);
  EXPECT_FALSE(parse_venue_code("dmst_stex_tp", "nxt").ok());
}

TEST(KiwoomValues, Formatting) {
  EXPECT_EQ(format_padded(17534, 15), "000000000017534");
  EXPECT_EQ(format_padded(-196888, 15), "-00000000196888");
  EXPECT_EQ(format_padded(123456, 3), "123456");
  EXPECT_EQ(format_signed(600), "+600");
  EXPECT_EQ(format_signed(-600), "-600");
  EXPECT_EQ(format_signed(0), "0");
  EXPECT_EQ(format_price(Price(72500), Direction::Up), "+72500");
  EXPECT_EQ(format_price(Price(72500), Direction::Down), "-72500");
  EXPECT_EQ(format_rate(Rate{125}, true), "+1.25");
  EXPECT_EQ(format_rate(Rate{-24}, true), "-0.24");
  EXPECT_EQ(format_rate(Rate{0}, true), "0.00");
  EXPECT_EQ(format_rate(Rate{4625}, false), "46.25");
  EXPECT_EQ(format_date(KstDate{2026, 3, 5}), "20260305");
  EXPECT_EQ(format_time(TimeOfDay{9 * 3600 + 5}), "090005");
}

TEST(KiwoomValues, QuoteForErrorIsShortAndPrintable) {
  EXPECT_EQ(quote_for_error("a\nb"), "\"a?b\"");
  const std::string long_text(100, '7');
  const std::string q = quote_for_error(long_text);
  EXPECT_LT(q.size(), 40u);
  EXPECT_THAT(q, HasSubstr("..."));
  // 11 Korean syllables (33 bytes): the cut must not split one.
  const std::string korean = "가나다라마바사아자차카";
  const std::string k = quote_for_error(korean);
  EXPECT_EQ(k, "\"가나다라마바사아자차...\"");
}

// ---------------------------------------------------------------- properties (seeded)

class KiwoomValueProperties : public ::testing::Test {
 protected:
  std::mt19937_64 rng{20260315};
  std::int64_t any_int() {
    switch (rng() % 4) {
      case 0: return static_cast<std::int64_t>(rng() % 10);
      case 1: return static_cast<std::int64_t>(rng() % 1'000'000) - 500'000;
      case 2: return static_cast<std::int64_t>(rng() % 1'000'000'000'000'000LL) - 500'000'000'000'000LL;
      default: return static_cast<std::int64_t>(rng() >> 1) * ((rng() & 1) ? 1 : -1);
    }
  }
  std::string spaces() { return std::string(rng() % 3, ' '); }
};

TEST_F(KiwoomValueProperties, IntegersRoundTripInEveryKiwoomSpelling) {
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t v = any_int();
    const std::string plain = format_int(v);
    const std::string signed_text = format_signed(v);
    const std::string padded = format_padded(v, 15);
    const std::string doubled = v < 0 ? "-" + plain : plain;  // "--123"
    for (const std::string& text : {plain, signed_text, padded, doubled, spaces() + padded + spaces()}) {
      auto r = parse_int("k", text);
      ASSERT_TRUE(r.ok()) << text;
      ASSERT_EQ(*r, v) << text;
    }
  }
}

TEST_F(KiwoomValueProperties, PricesRoundTripWithTheirDirection) {
  for (int i = 0; i < 20000; ++i) {
    const Price p(static_cast<std::int64_t>(rng() % 5'000'000));
    const auto d = static_cast<Direction>(rng() % 3);
    const std::string text = format_price(p, d);
    ASSERT_EQ(parse_price("cur_prc", text).value(), p) << text;
    if (p.value() != 0) {
      ASSERT_EQ(price_direction(text), d) << text;
    }
  }
}

TEST_F(KiwoomValueProperties, RatesRoundTrip) {
  for (int i = 0; i < 20000; ++i) {
    const Rate r{static_cast<std::int64_t>(rng() % 2'000'000) - 1'000'000};
    const bool plus = (rng() & 1) != 0;
    const std::string text = format_rate(r, plus);
    ASSERT_EQ(parse_rate("flu_rt", text).value(), r) << text;
  }
}

TEST_F(KiwoomValueProperties, DatesAndTimesRoundTrip) {
  for (int i = 0; i < 5000; ++i) {
    KstDate d{1990 + static_cast<int>(rng() % 60), 1 + static_cast<int>(rng() % 12),
              1 + static_cast<int>(rng() % 28)};
    ASSERT_EQ(parse_date("dt", format_date(d)).value(), d);
    const TimeOfDay t{static_cast<int>(rng() % 86400)};
    ASSERT_EQ(parse_time("tm", format_time(t)).value(), t);
    const Timestamp ts = from_kst(d, t);
    ASSERT_EQ(parse_date_time("cntr_tm", format_date_time(ts)).value(), ts);
  }
}

// Random strings over the characters Kiwoom values are made of, checked against
// an independent description of the grammar.
TEST_F(KiwoomValueProperties, GarbageIsRejectedAndValidTextAccepted) {
  const std::string alphabet = "0123456789+- .,aA_\t";
  const std::regex int_grammar(R"(^[ \t]*(\+|-|--)?([0-9]+)[ \t]*$)");
  const std::regex rate_grammar(R"(^[ \t]*(\+|-|--)?([0-9]+)(\.[0-9]{1,2})?[ \t]*$)");
  int accepted = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string s(rng() % 8, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    std::smatch m;
    const bool int_ok = std::regex_match(s, m, int_grammar) && m[2].length() <= 18;
    auto r = parse_int("k", s);
    ASSERT_EQ(r.ok(), int_ok) << '"' << s << '"';
    if (int_ok) {
      ++accepted;
      const std::int64_t magnitude = std::stoll(m[2].str());
      ASSERT_EQ(*r, m[1].length() > 0 && m[1].str()[0] == '-' ? -magnitude : magnitude) << s;
    } else {
      ASSERT_THAT(r.error().message, HasSubstr("k: ")) << s;
    }
    const bool rate_ok = std::regex_match(s, rate_grammar);
    ASSERT_EQ(parse_rate("r", s).ok(), rate_ok) << '"' << s << '"';
  }
  EXPECT_GT(accepted, 100);  // the generator does reach valid numbers
}

}  // namespace
}  // namespace dalbit::kiwoom
