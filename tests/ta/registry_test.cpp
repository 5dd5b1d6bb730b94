#include "ta/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "series.h"
#include "ta/indicators.h"

namespace dalbit::ta {
namespace {

using testing::close_enough;

std::unique_ptr<Indicator> build(std::string_view spec) {
  auto made = make_indicator(spec);
  EXPECT_TRUE(made.ok()) << spec << ": " << (made.ok() ? "" : made.error().message);
  return made.ok() ? std::move(*made) : nullptr;
}

std::string error_of(std::string_view spec) {
  auto made = make_indicator(spec);
  return made.ok() ? "(built " + (*made)->spec() + ")" : made.error().message;
}

// Bars that always trade, so every indicator's readiness is its look-back alone.
std::vector<Bar> trading_bars(int count) {
  auto bars = testing::random_bars(count, 5);
  for (Bar& b : bars) b.volume = Qty(1'000 + b.close.value() % 7);
  return bars;
}

TEST(Registry, SpecsNameTheirColumnsAndLookback) {
  struct Case {
    std::string_view spec;
    std::string canonical;
    std::vector<std::string> columns;
    int lookback;
  };
  const Case cases[] = {
      {"rsi:14", "rsi:14", {"rsi_14"}, 14},
      {"bb:20:2", "bb:20:2", {"bb_20_2_middle", "bb_20_2_upper", "bb_20_2_lower", "bb_20_2_pctb"}, 19},
      {"bb:20:2.5", "bb:20:2.5", {"bb_20_2.5_middle", "bb_20_2.5_upper", "bb_20_2.5_lower", "bb_20_2.5_pctb"}, 19},
      {"macd:12:26:9", "macd:12:26:9", {"macd_12_26_9_line", "macd_12_26_9_signal", "macd_12_26_9_hist"}, 33},
      {"stoch:14:3:3", "stoch:14:3:3", {"stoch_14_3_3_fastk", "stoch_14_3_3_k", "stoch_14_3_3_d"}, 17},
      {"sma:5", "sma:5", {"sma_5"}, 4},
      {"ema:12", "ema:12", {"ema_12"}, 11},
      {"wma:10", "wma:10", {"wma_10"}, 9},
      {"mom:10", "mom:10", {"mom_10"}, 10},
      {"disparity:20", "disparity:20", {"disparity_20"}, 19},
      {"atr:14", "atr:14", {"atr_14"}, 14},
      {"obv", "obv", {"obv"}, 0},
      {"volma:20", "volma:20", {"volma_20"}, 19},
      {"ad", "ad", {"ad"}, 0},
      {"chaikin:3:10", "chaikin:3:10", {"chaikin_3_10"}, 9},
      {"vwap", "vwap", {"vwap"}, 0},
      // defaults fill omitted trailing parameters; names are case-insensitive
      {"rsi", "rsi:14", {"rsi_14"}, 14},
      {"macd:5", "macd:5:26:9", {"macd_5_26_9_line", "macd_5_26_9_signal", "macd_5_26_9_hist"}, 33},
      {"chaikin", "chaikin:3:10", {"chaikin_3_10"}, 9},
      {" RSI : 9 ", "rsi:9", {"rsi_9"}, 9},
  };
  for (const Case& c : cases) {
    auto ind = build(c.spec);
    ASSERT_NE(ind, nullptr);
    EXPECT_EQ(ind->spec(), c.canonical) << c.spec;
    EXPECT_EQ(ind->columns(), c.columns) << c.spec;
    EXPECT_EQ(ind->lookback(), c.lookback) << c.spec;
    EXPECT_EQ(ind->values().size(), c.columns.size()) << c.spec;
  }
}

TEST(Registry, EveryIndicatorIsReadyExactlyAfterItsLookback) {
  const auto bars = trading_bars(200);
  for (const IndicatorInfo& info : indicator_catalog()) {
    auto ind = build(info.name);  // default parameters
    ASSERT_NE(ind, nullptr);
    for (int i = 0; i < 120; ++i) {
      ind->update(bars[i]);
      ASSERT_EQ(ind->ready(), i >= ind->lookback()) << ind->spec() << " after " << i + 1 << " bars";
      for (double v : ind->values()) {
        ASSERT_EQ(std::isnan(v), !ind->ready()) << ind->spec() << " after " << i + 1 << " bars";
      }
    }
  }
}

// The registry must hand out the outputs in column order: compare with the
// classes themselves.
TEST(Registry, ValuesFollowColumnOrder) {
  const auto bars = trading_bars(300);
  auto bb = build("bb:10:1.5");
  auto macd = build("macd:4:9:3");
  auto stoch = build("stoch:5:3:2");
  auto chaikin = build("chaikin:3:10");
  Bollinger bb_ref(10, 1.5);
  Macd macd_ref(4, 9, 3);
  Stochastic stoch_ref(5, 3, 2);
  Chaikin chaikin_ref(3, 10);
  for (const Bar& b : bars) {
    bb->update(b);
    macd->update(b);
    stoch->update(b);
    chaikin->update(b);
    bb_ref.update(b);
    macd_ref.update(b);
    stoch_ref.update(b);
    chaikin_ref.update(b);
  }
  const auto expect = [](const Indicator& ind, const std::vector<double>& want) {
    ASSERT_EQ(ind.values().size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(ind.values()[i], want[i]) << ind.columns()[i];
    }
  };
  expect(*bb, {bb_ref.middle(), bb_ref.upper(), bb_ref.lower(), bb_ref.percent_b()});
  expect(*macd, {macd_ref.line(), macd_ref.signal(), macd_ref.histogram()});
  expect(*stoch, {stoch_ref.fast_k(), stoch_ref.slow_k(), stoch_ref.slow_d()});
  expect(*chaikin, {chaikin_ref.value()});
}

TEST(Registry, BadSpecsSayWhatIsWrong) {
  struct Case {
    std::string_view spec;
    std::string message;
  };
  const Case cases[] = {
      {"rsi:x", R"(rsi: period must be an integer >= 2, got "x")"},
      {"rsi:1", R"(rsi: period must be an integer >= 2, got "1")"},
      {"rsi:-3", R"(rsi: period must be an integer >= 2, got "-3")"},
      {"rsi:14.5", R"(rsi: period must be an integer >= 2, got "14.5")"},
      {"rsi:", R"(rsi: period must be an integer >= 2, got "")"},
      {"rsi:99999999999999999999", R"(rsi: period must be an integer >= 2, got "99999999999999999999")"},
      {"rsi:100001", R"(rsi: period must be at most 100000, got "100001")"},
      {"rsi:14:3", R"(rsi: takes 1 parameter (period), got 2 in "rsi:14:3")"},
      {"macd:12:26:9:1", R"(macd: takes 3 parameters (fast, slow, signal), got 4 in "macd:12:26:9:1")"},
      {"obv:3", R"(obv: takes no parameters, got 1 in "obv:3")"},
      {"bb:20:0", R"(bb: k must be a number > 0, got "0")"},
      {"bb:20:-2", R"(bb: k must be a number > 0, got "-2")"},
      {"bb:20:nan", R"(bb: k must be a number > 0, got "nan")"},
      {"bb:20:inf", R"(bb: k must be a number > 0, got "inf")"},
      {"bb:20:2x", R"(bb: k must be a number > 0, got "2x")"},
      {"bb:20:101", R"(bb: k must be at most 100, got "101")"},
      {"macd:26:12:9", "macd: fast period must be less than slow period, got fast 26 and slow 12"},
      {"macd:12:12:9", "macd: fast period must be less than slow period, got fast 12 and slow 12"},
      {"macd:12:26:0", R"(macd: signal must be an integer >= 1, got "0")"},
      {"stoch:14:0:3", R"(stoch: slowk must be an integer >= 1, got "0")"},
      {"chaikin:1:10", R"(chaikin: fast must be an integer >= 2, got "1")"},
      {"", R"(empty indicator name in spec "")"},
      {":14", R"(empty indicator name in spec ":14")"},
  };
  for (const Case& c : cases) EXPECT_EQ(error_of(c.spec), c.message) << c.spec;
}

TEST(Registry, UnknownNameListsTheKnownOnes) {
  const std::string message = error_of("rsx:14");
  EXPECT_EQ(message.rfind(R"(unknown indicator "rsx" (known: sma, ema, )", 0), 0u) << message;
  EXPECT_NE(message.find("vwap"), std::string::npos) << message;
}

TEST(Registry, CatalogIsConsistent) {
  std::set<std::string_view> names;
  for (const IndicatorInfo& info : indicator_catalog()) {
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate " << info.name;
    EXPECT_FALSE(info.summary.empty()) << info.name;
    EXPECT_FALSE(info.outputs.empty()) << info.name;
    for (const ParamInfo& p : info.params) {
      EXPECT_GE(p.default_value, p.min) << info.name << " " << p.name;
      EXPECT_LE(p.default_value, p.max) << info.name << " " << p.name;
    }
  }
  EXPECT_EQ(names.size(), 15u);
}

}  // namespace
}  // namespace dalbit::ta
