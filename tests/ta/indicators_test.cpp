#include "ta/indicators.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "series.h"

namespace dalbit::ta {
namespace {

using testing::close_enough;
using testing::kNaN;
using testing::px;
using testing::vol;
using Series = std::vector<double>;

// --- Batch references ---------------------------------------------------------
// Straight from the definitions (TA-Lib's, with our documented choices), each
// output recomputed from scratch: window sums re-added for every bar, and
// exponential smoothing in closed form
//   out[i] = (1-k)^(i-s) * seed + sum over j in (s, i] of k * (1-k)^(i-j) * x[j]
// rather than by the recursion the streaming code uses.

Series smooth_from(const Series& x, std::size_t s, double seed, double k) {
  Series out(x.size(), kNaN);
  for (std::size_t i = s; i < x.size(); ++i) {
    double v = std::pow(1.0 - k, static_cast<double>(i - s)) * seed;
    for (std::size_t j = s + 1; j <= i; ++j) v += k * std::pow(1.0 - k, static_cast<double>(i - j)) * x[j];
    out[i] = v;
  }
  return out;
}

double mean_of(const Series& x, std::size_t first, std::size_t last) {  // inclusive
  double s = 0.0;
  for (std::size_t j = first; j <= last; ++j) s += x[j];
  return s / static_cast<double>(last - first + 1);
}

Series ref_sma(const Series& x, int n) {
  Series out(x.size(), kNaN);
  for (std::size_t i = n - 1; i < x.size(); ++i) out[i] = mean_of(x, i + 1 - n, i);
  return out;
}

Series ref_ema(const Series& x, int n) {
  if (x.size() < static_cast<std::size_t>(n)) return Series(x.size(), kNaN);
  return smooth_from(x, n - 1, mean_of(x, 0, n - 1), 2.0 / (n + 1));
}

Series ref_wma(const Series& x, int n) {
  Series out(x.size(), kNaN);
  for (std::size_t i = n - 1; i < x.size(); ++i) {
    double s = 0.0;
    for (int w = 1; w <= n; ++w) s += w * x[i + 1 - n + (w - 1)];
    out[i] = s / (n * (n + 1) / 2.0);
  }
  return out;
}

Series ref_mom(const Series& x, int n) {
  Series out(x.size(), kNaN);
  for (std::size_t i = n; i < x.size(); ++i) out[i] = x[i] - x[i - n];
  return out;
}

Series ref_disparity(const Series& x, int n) {
  Series out = ref_sma(x, n);
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = x[i] / out[i] * 100.0;
  return out;
}

Series ref_rsi(const Series& x, int n) {
  Series gains(x.size(), 0.0), losses(x.size(), 0.0);
  for (std::size_t j = 1; j < x.size(); ++j) {
    gains[j] = std::max(0.0, x[j] - x[j - 1]);
    losses[j] = std::max(0.0, x[j - 1] - x[j]);
  }
  const auto g = smooth_from(gains, n, mean_of(gains, 1, n), 1.0 / n);
  const auto l = smooth_from(losses, n, mean_of(losses, 1, n), 1.0 / n);
  Series out(x.size(), kNaN);
  for (std::size_t i = n; i < x.size(); ++i) out[i] = g[i] + l[i] == 0.0 ? 50.0 : 100.0 * g[i] / (g[i] + l[i]);
  return out;
}

struct Bands {
  Series middle, upper, lower, pctb;
};

Bands ref_bollinger(const Series& x, int n, double k) {
  Bands b{Series(x.size(), kNaN), Series(x.size(), kNaN), Series(x.size(), kNaN), Series(x.size(), kNaN)};
  for (std::size_t i = n - 1; i < x.size(); ++i) {
    const double m = mean_of(x, i + 1 - n, i);
    double sq = 0.0;
    for (std::size_t j = i + 1 - n; j <= i; ++j) sq += (x[j] - m) * (x[j] - m);
    const double sd = std::sqrt(sq / n);
    b.middle[i] = m;
    b.upper[i] = m + k * sd;
    b.lower[i] = m - k * sd;
    b.pctb[i] = sd == 0.0 ? 0.5 : (x[i] - b.lower[i]) / (b.upper[i] - b.lower[i]);
  }
  return b;
}

struct MacdLines {
  Series line, signal, hist;
};

MacdLines ref_macd(const Series& x, int fast, int slow, int signal) {
  const std::size_t s = slow - 1;  // both price EMAs are seeded on this bar
  const auto slow_ema = smooth_from(x, s, mean_of(x, 0, s), 2.0 / (slow + 1));
  const auto fast_ema = smooth_from(x, s, mean_of(x, slow - fast, s), 2.0 / (fast + 1));
  Series line(x.size(), kNaN);
  for (std::size_t i = s; i < x.size(); ++i) line[i] = fast_ema[i] - slow_ema[i];
  const std::size_t first = s + signal - 1;
  const auto sig = smooth_from(line, first, mean_of(line, s, first), 2.0 / (signal + 1));
  MacdLines out{Series(x.size(), kNaN), Series(x.size(), kNaN), Series(x.size(), kNaN)};
  for (std::size_t i = first; i < x.size(); ++i) {
    out.line[i] = line[i];
    out.signal[i] = sig[i];
    out.hist[i] = line[i] - sig[i];
  }
  return out;
}

struct StochLines {
  Series fast_k, slow_k, slow_d;
};

StochLines ref_stoch(const std::vector<Bar>& bars, int fk, int sk, int sd) {
  const std::size_t size = bars.size();
  Series fast(size, kNaN), slow(size, kNaN);
  for (std::size_t i = fk - 1; i < size; ++i) {
    double hh = px(bars[i].high), ll = px(bars[i].low);
    for (std::size_t j = i + 1 - fk; j <= i; ++j) {
      hh = std::max(hh, px(bars[j].high));
      ll = std::min(ll, px(bars[j].low));
    }
    fast[i] = hh == ll ? 50.0 : (px(bars[i].close) - ll) / (hh - ll) * 100.0;
  }
  for (std::size_t i = fk - 1 + sk - 1; i < size; ++i) slow[i] = mean_of(fast, i + 1 - sk, i);
  const std::size_t lookback = fk - 1 + sk - 1 + sd - 1;
  StochLines out{Series(size, kNaN), Series(size, kNaN), Series(size, kNaN)};
  for (std::size_t i = lookback; i < size; ++i) {
    out.fast_k[i] = fast[i];
    out.slow_k[i] = slow[i];
    out.slow_d[i] = mean_of(slow, i + 1 - sd, i);
  }
  return out;
}

Series ref_atr(const std::vector<Bar>& bars, int n) {
  Series tr(bars.size(), 0.0);
  for (std::size_t j = 1; j < bars.size(); ++j) {
    const double prev = px(bars[j - 1].close);
    tr[j] = std::max(px(bars[j].high), prev) - std::min(px(bars[j].low), prev);
  }
  return smooth_from(tr, n, mean_of(tr, 1, n), 1.0 / n);
}

Series ref_obv(const std::vector<Bar>& bars) {
  Series out(bars.size(), kNaN);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    double obv = vol(bars[0].volume);
    for (std::size_t j = 1; j <= i; ++j) {
      const double diff = px(bars[j].close) - px(bars[j - 1].close);
      obv += diff > 0 ? vol(bars[j].volume) : diff < 0 ? -vol(bars[j].volume) : 0.0;
    }
    out[i] = obv;
  }
  return out;
}

Series ref_ad(const std::vector<Bar>& bars) {
  Series out(bars.size(), kNaN);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    double ad = 0.0;
    for (std::size_t j = 0; j <= i; ++j) {
      const double h = px(bars[j].high), l = px(bars[j].low), c = px(bars[j].close);
      if (h > l) ad += ((c - l) - (h - c)) / (h - l) * vol(bars[j].volume);
    }
    out[i] = ad;
  }
  return out;
}

Series ref_chaikin(const std::vector<Bar>& bars, int fast, int slow) {
  const auto ad = ref_ad(bars);
  const auto f = smooth_from(ad, 0, ad[0], 2.0 / (fast + 1));
  const auto s = smooth_from(ad, 0, ad[0], 2.0 / (slow + 1));
  Series out(bars.size(), kNaN);
  for (std::size_t i = std::max(fast, slow) - 1; i < bars.size(); ++i) out[i] = f[i] - s[i];
  return out;
}

Series ref_vwap(const std::vector<Bar>& bars) {
  Series out(bars.size(), kNaN);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    double pv = 0.0, v = 0.0;
    for (std::size_t j = i + 1; j-- > 0 && kst_date(bars[j].time) == kst_date(bars[i].time);) {
      const double tp = (px(bars[j].high) + px(bars[j].low) + px(bars[j].close)) / 3.0;
      pv += tp * vol(bars[j].volume);
      v += vol(bars[j].volume);
    }
    if (v > 0.0) out[i] = pv / v;
  }
  return out;
}

// --- Streaming runs -------------------------------------------------------------

// Feeds every input to `ind` and records read(ind), NaN while not ready; an
// output that is not NaN before ready() fails the test.
template <class Ind, class Input, class Read>
Series run(Ind& ind, const std::vector<Input>& inputs, Read read) {
  Series out;
  for (const Input& in : inputs) {
    ind.update(in);
    const double v = read(ind);
    EXPECT_TRUE(ind.ready() || std::isnan(v)) << "a value before ready() at bar " << out.size();
    out.push_back(ind.ready() ? v : kNaN);
  }
  return out;
}

void expect_series(const std::string& what, const Series& want, const Series& got) {
  ASSERT_EQ(want.size(), got.size()) << what;
  std::size_t compared = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    ASSERT_TRUE(close_enough(want[i], got[i])) << what << " at bar " << i << ": want " << want[i] << ", got "
                                               << got[i];
    if (!std::isnan(want[i])) ++compared;
  }
  EXPECT_GT(compared, want.size() / 2) << what << ": too few bars had a value to compare";
}

const std::vector<Bar>& bars() {
  static const auto b = testing::random_bars(900, 20260105);  // three trading days
  return b;
}

const Series& values() {
  static const auto v = testing::random_values(400, 42);
  return v;
}

auto value_of = [](const auto& ind) { return ind.value(); };

TEST(Sma, MatchesBatch) {
  for (int n : {2, 5, 20}) {
    Sma a(n), b(n);
    expect_series("sma " + std::to_string(n), ref_sma(values(), n), run(a, values(), value_of));
    expect_series("sma bars " + std::to_string(n), ref_sma(testing::closes(bars()), n), run(b, bars(), value_of));
  }
}

TEST(Ema, MatchesBatch) {
  for (int n : {1, 3, 20}) {
    Ema a(n), b(n);
    expect_series("ema " + std::to_string(n), ref_ema(values(), n), run(a, values(), value_of));
    expect_series("ema bars " + std::to_string(n), ref_ema(testing::closes(bars()), n), run(b, bars(), value_of));
  }
}

TEST(Wma, MatchesBatch) {
  for (int n : {2, 9, 30}) {
    Wma a(n), b(n);
    expect_series("wma " + std::to_string(n), ref_wma(values(), n), run(a, values(), value_of));
    expect_series("wma bars " + std::to_string(n), ref_wma(testing::closes(bars()), n), run(b, bars(), value_of));
  }
}

TEST(Momentum, MatchesBatch) {
  for (int n : {1, 10}) {
    Momentum a(n), b(n);
    expect_series("mom " + std::to_string(n), ref_mom(values(), n), run(a, values(), value_of));
    expect_series("mom bars " + std::to_string(n), ref_mom(testing::closes(bars()), n), run(b, bars(), value_of));
  }
}

TEST(Disparity, MatchesBatch) {
  for (int n : {5, 20}) {
    Disparity a(n), b(n);
    expect_series("disparity " + std::to_string(n), ref_disparity(values(), n), run(a, values(), value_of));
    expect_series("disparity bars", ref_disparity(testing::closes(bars()), n), run(b, bars(), value_of));
  }
}

TEST(Rsi, MatchesBatch) {
  for (int n : {2, 14}) {
    Rsi a(n), b(n);
    expect_series("rsi " + std::to_string(n), ref_rsi(values(), n), run(a, values(), value_of));
    expect_series("rsi bars " + std::to_string(n), ref_rsi(testing::closes(bars()), n), run(b, bars(), value_of));
  }
}

TEST(Bollinger, MatchesBatch) {
  struct Case {
    int n;
    double k;
  };
  for (const Case c : {Case{20, 2.0}, Case{5, 1.5}}) {
    for (const Series& xs : {values(), testing::closes(bars())}) {
      const auto want = ref_bollinger(xs, c.n, c.k);
      Bollinger m(c.n, c.k), u(c.n, c.k), l(c.n, c.k), p(c.n, c.k);
      expect_series("bb middle", want.middle, run(m, xs, [](const Bollinger& b) { return b.middle(); }));
      expect_series("bb upper", want.upper, run(u, xs, [](const Bollinger& b) { return b.upper(); }));
      expect_series("bb lower", want.lower, run(l, xs, [](const Bollinger& b) { return b.lower(); }));
      expect_series("bb %b", want.pctb, run(p, xs, [](const Bollinger& b) { return b.percent_b(); }));
    }
  }
}

TEST(Macd, MatchesBatch) {
  struct Case {
    int fast, slow, signal;
  };
  for (const Case c : {Case{12, 26, 9}, Case{3, 5, 1}, Case{2, 3, 2}}) {
    for (const Series& xs : {values(), testing::closes(bars())}) {
      const auto want = ref_macd(xs, c.fast, c.slow, c.signal);
      Macd a(c.fast, c.slow, c.signal), b(c.fast, c.slow, c.signal), h(c.fast, c.slow, c.signal);
      const std::string what = "macd " + std::to_string(c.fast) + "/" + std::to_string(c.slow) + "/" +
                               std::to_string(c.signal);
      expect_series(what + " line", want.line, run(a, xs, [](const Macd& m) { return m.line(); }));
      expect_series(what + " signal", want.signal, run(b, xs, [](const Macd& m) { return m.signal(); }));
      expect_series(what + " hist", want.hist, run(h, xs, [](const Macd& m) { return m.histogram(); }));
    }
  }
}

TEST(Stochastic, MatchesBatch) {
  struct Case {
    int fk, sk, sd;
  };
  for (const Case c : {Case{14, 3, 3}, Case{5, 3, 3}, Case{1, 1, 1}, Case{9, 1, 4}}) {
    const auto want = ref_stoch(bars(), c.fk, c.sk, c.sd);
    Stochastic f(c.fk, c.sk, c.sd), k(c.fk, c.sk, c.sd), d(c.fk, c.sk, c.sd);
    const std::string what = "stoch " + std::to_string(c.fk) + "/" + std::to_string(c.sk) + "/" +
                             std::to_string(c.sd);
    expect_series(what + " fast %K", want.fast_k, run(f, bars(), [](const Stochastic& s) { return s.fast_k(); }));
    expect_series(what + " slow %K", want.slow_k, run(k, bars(), [](const Stochastic& s) { return s.slow_k(); }));
    expect_series(what + " slow %D", want.slow_d, run(d, bars(), [](const Stochastic& s) { return s.slow_d(); }));
  }
}

TEST(Atr, MatchesBatch) {
  for (int n : {1, 14}) {
    Atr a(n);
    expect_series("atr " + std::to_string(n), ref_atr(bars(), n), run(a, bars(), value_of));
  }
}

TEST(Obv, MatchesBatch) {
  Obv a;
  expect_series("obv", ref_obv(bars()), run(a, bars(), value_of));
}

TEST(VolumeMa, MatchesBatch) {
  Series volumes;
  for (const Bar& b : bars()) volumes.push_back(vol(b.volume));
  VolumeMa a(5);
  expect_series("volma", ref_sma(volumes, 5), run(a, bars(), value_of));
}

TEST(AccumulationDistribution, MatchesBatch) {
  AccumulationDistribution a;
  expect_series("ad", ref_ad(bars()), run(a, bars(), value_of));
}

TEST(Chaikin, MatchesBatch) {
  for (auto [fast, slow] : {std::pair{3, 10}, std::pair{10, 3}, std::pair{2, 2}}) {
    Chaikin a(fast, slow);
    expect_series("chaikin " + std::to_string(fast) + "/" + std::to_string(slow), ref_chaikin(bars(), fast, slow),
                  run(a, bars(), value_of));
  }
}

TEST(Vwap, MatchesBatch) {
  Vwap a;
  expect_series("vwap", ref_vwap(bars()), run(a, bars(), value_of));
}

// --- Hand-computed values -------------------------------------------------------

template <class Ind>
Series feed(Ind& ind, const Series& xs) {
  return run(ind, xs, value_of);
}

void expect_values(const Series& want, const Series& got) {
  ASSERT_EQ(want.size(), got.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_TRUE(close_enough(want[i], got[i], 1e-12)) << "bar " << i << ": want " << want[i] << ", got " << got[i];
  }
}

TEST(Sma, HandComputed) {
  Sma sma(3);
  // (1+2+3)/3 = 2, (2+3+4)/3 = 3, (3+4+5)/3 = 4
  expect_values({kNaN, kNaN, 2, 3, 4}, feed(sma, {1, 2, 3, 4, 5}));
}

TEST(Ema, HandComputed) {
  Ema ema(3);  // k = 2/(3+1) = 0.5
  // seed (1+2+3)/3 = 2; then (4-2)*0.5+2 = 3; (5-3)*0.5+3 = 4; (1-4)*0.5+4 = 2.5
  expect_values({kNaN, kNaN, 2, 3, 4, 2.5}, feed(ema, {1, 2, 3, 4, 5, 1}));
}

TEST(Wma, HandComputed) {
  Wma wma(3);  // weights 1, 2, 3 over 6
  // (1*1+2*2+3*3)/6 = 14/6; (1*2+2*3+3*4)/6 = 20/6; (1*3+2*4+3*1)/6 = 14/6
  expect_values({kNaN, kNaN, 14.0 / 6, 20.0 / 6, 14.0 / 6}, feed(wma, {1, 2, 3, 4, 1}));
}

TEST(Momentum, HandComputed) {
  Momentum mom(2);
  // 4-5 = -1, 10-7 = 3
  expect_values({kNaN, kNaN, -1, 3}, feed(mom, {5, 7, 4, 10}));
}

TEST(Disparity, HandComputed) {
  Disparity d(2);
  // 110 / ((100+110)/2) * 100 = 104.7619...; 99 / ((110+99)/2) * 100 = 94.7368...
  expect_values({kNaN, 110.0 / 105.0 * 100.0, 99.0 / 104.5 * 100.0}, feed(d, {100, 110, 99}));
}

TEST(Rsi, HandComputed) {
  Rsi rsi(2);
  // changes +1, -1, +2, 0
  // seed on bar 2: gain (1+0)/2 = 0.5, loss (0+1)/2 = 0.5 -> 100*0.5/1.0 = 50
  // bar 3: gain (0.5*1+2)/2 = 1.25, loss (0.5*1+0)/2 = 0.25 -> 100*1.25/1.5 = 83.33
  // bar 4: gain (1.25+0)/2 = 0.625, loss (0.25+0)/2 = 0.125 -> 100*0.625/0.75 = 83.33
  expect_values({kNaN, kNaN, 50, 100 * 1.25 / 1.5, 100 * 0.625 / 0.75}, feed(rsi, {10, 11, 10, 12, 12}));
}

TEST(Rsi, NoMovementIsNeutralNotOversold) {
  Rsi rsi(3);
  expect_values({kNaN, kNaN, kNaN, 50, 50}, feed(rsi, {7000, 7000, 7000, 7000, 7000}));
}

TEST(Rsi, OnlyGainsIsHundred) {
  Rsi rsi(2);
  expect_values({kNaN, kNaN, 100, 100}, feed(rsi, {1, 2, 3, 4}));
}

TEST(Bollinger, HandComputed) {
  Bollinger bb(3, 2.0);
  for (double x : {1.0, 2.0, 3.0}) bb.update(x);
  // mean 2; variance ((1-2)^2 + 0 + (3-2)^2)/3 = 2/3 (population); sd 0.816497
  const double sd = std::sqrt(2.0 / 3.0);
  EXPECT_DOUBLE_EQ(bb.middle(), 2.0);
  EXPECT_DOUBLE_EQ(bb.upper(), 2.0 + 2 * sd);  // 3.632993
  EXPECT_DOUBLE_EQ(bb.lower(), 2.0 - 2 * sd);  // 0.367007
  // %b = (3 - lower) / (4 sd) = 0.5 + 1/(4 sd) = 0.806186
  EXPECT_DOUBLE_EQ(bb.percent_b(), 0.5 + 1.0 / (4 * sd));
}

TEST(Bollinger, FlatMarketHasClosedBandsAndMiddlePercentB) {
  Bollinger bb(4, 2.0);
  for (double x : {5000.0, 5100.0, 5000.0, 5000.0, 5000.0, 5000.0}) bb.update(x);
  EXPECT_EQ(bb.upper(), 5000.0);
  EXPECT_EQ(bb.lower(), 5000.0);
  EXPECT_EQ(bb.percent_b(), 0.5);
}

TEST(Macd, HandComputed) {
  Macd macd(2, 3, 2);  // fast k 2/3, slow k 1/2, signal k 2/3
  Series line, signal, hist;
  for (double x : {1.0, 2.0, 4.0, 8.0, 16.0}) {
    macd.update(x);
    line.push_back(macd.line());
    signal.push_back(macd.signal());
    hist.push_back(macd.histogram());
  }
  // bar 2: slow seed (1+2+4)/3 = 7/3, fast seed (2+4)/2 = 3 -> line 2/3 (not published yet)
  // bar 3: fast (8-3)*2/3+3 = 19/3, slow (8-7/3)/2+7/3 = 31/6 -> line 7/6
  //        signal seed (2/3 + 7/6)/2 = 11/12, hist 7/6 - 11/12 = 1/4
  // bar 4: fast (16-19/3)*2/3+19/3 = 115/9, slow (16-31/6)/2+31/6 = 127/12 -> line 79/36
  //        signal (79/36-11/12)*2/3+11/12 = 191/108, hist 79/36 - 191/108 = 46/108
  expect_values({kNaN, kNaN, kNaN, 7.0 / 6, 79.0 / 36}, line);
  expect_values({kNaN, kNaN, kNaN, 11.0 / 12, 191.0 / 108}, signal);
  expect_values({kNaN, kNaN, kNaN, 0.25, 46.0 / 108}, hist);
}

TEST(Stochastic, HandComputed) {
  Stochastic st(3, 2, 2);
  struct Hlc {
    double h, l, c;
  };
  Series fast, k, d;
  for (const Hlc b : {Hlc{10, 8, 9}, Hlc{11, 9, 10}, Hlc{12, 9, 11}, Hlc{12, 10, 10}, Hlc{13, 11, 13}}) {
    st.update(b.h, b.l, b.c);
    fast.push_back(st.fast_k());
    k.push_back(st.slow_k());
    d.push_back(st.slow_d());
  }
  // fast %K: bar 2 (11-8)/(12-8) = 75; bar 3 (10-9)/(12-9) = 33.33; bar 4 (13-9)/(13-9) = 100
  // slow %K: bar 3 (75+33.33)/2 = 54.17; bar 4 (33.33+100)/2 = 66.67
  // slow %D: bar 4 (54.17+66.67)/2 = 60.42; everything is published from bar 4
  expect_values({kNaN, kNaN, kNaN, kNaN, 100}, fast);
  expect_values({kNaN, kNaN, kNaN, kNaN, (100.0 / 3 + 100) / 2}, k);
  expect_values({kNaN, kNaN, kNaN, kNaN, ((75 + 100.0 / 3) / 2 + (100.0 / 3 + 100) / 2) / 2}, d);
}

TEST(Stochastic, NoRangeIsNeutral) {
  Stochastic st(3, 1, 1);
  for (int i = 0; i < 3; ++i) st.update(50'000, 50'000, 50'000);  // locked at one price
  EXPECT_EQ(st.fast_k(), 50.0);
  EXPECT_EQ(st.slow_d(), 50.0);
}

TEST(Atr, HandComputed) {
  Atr atr(2);
  Series out;
  struct Hlc {
    double h, l, c;
  };
  for (const Hlc b : {Hlc{10, 8, 9}, Hlc{11, 9, 10}, Hlc{14, 12, 13}, Hlc{13, 12, 12}}) {
    atr.update(b.h, b.l, b.c);
    out.push_back(atr.value());
  }
  // bar 0 only gives a previous close (9)
  // TR bar 1: max(11-9, |9-11|, |9-9|) = 2; bar 2: max(2, |10-14|, |10-12|) = 4 -> seed (2+4)/2 = 3
  // TR bar 3: max(1, |13-13|, |13-12|) = 1 -> (3*1 + 1)/2 = 2
  expect_values({kNaN, kNaN, 3, 2}, out);
}

TEST(Obv, HandComputed) {
  Obv obv;
  Series out;
  const double closes[] = {10, 11, 11, 9};
  const double volumes[] = {100, 200, 300, 400};
  for (int i = 0; i < 4; ++i) {
    obv.update(closes[i], volumes[i]);
    out.push_back(obv.value());
  }
  // starts at the first volume (TA-Lib); up +200; unchanged; down -400
  expect_values({100, 300, 300, -100}, out);
}

TEST(AccumulationDistribution, HandComputed) {
  AccumulationDistribution ad;
  Series out;
  ad.update(12, 8, 11, 100);  // ((11-8)-(12-11))/(12-8) = 0.5 -> +50
  out.push_back(ad.value());
  ad.update(10, 10, 10, 500);  // no range: adds nothing
  out.push_back(ad.value());
  ad.update(10, 6, 6, 40);  // ((6-6)-(10-6))/4 = -1 -> -40
  out.push_back(ad.value());
  expect_values({50, 50, 10}, out);
}

TEST(Chaikin, HandComputed) {
  Chaikin osc(2, 3);  // fast k 2/3, slow k 1/2; published from bar max(2,3)-1 = 2
  Series out;
  osc.update(12, 8, 11, 100);  // A/D 50: both EMAs seeded with 50
  out.push_back(osc.value());
  osc.update(10, 10, 10, 500);  // A/D 50: both stay 50
  out.push_back(osc.value());
  osc.update(10, 6, 6, 40);  // A/D 10: fast 2/3*10 + 1/3*50 = 70/3, slow 10/2 + 50/2 = 30
  out.push_back(osc.value());
  expect_values({kNaN, kNaN, 70.0 / 3 - 30}, out);
}

TEST(Vwap, HandComputedAndResetsOnTheKstDay) {
  const auto day = parse_kst_date("2026-03-02").value();
  Vwap vwap;
  Series out;
  vwap.update(from_kst(day, TimeOfDay::hm(9, 0)), 12, 9, 9, 100);  // typical 10
  out.push_back(vwap.value());
  vwap.update(from_kst(day, TimeOfDay::hm(15, 29)), 14, 11, 11, 300);  // typical 12: (1000+3600)/400
  out.push_back(vwap.value());
  const auto next = parse_kst_date("2026-03-03").value();
  vwap.update(from_kst(next, TimeOfDay::hm(9, 0)), 21, 19, 20, 0);  // new session, nothing traded yet
  EXPECT_FALSE(vwap.ready());
  out.push_back(vwap.value());
  vwap.update(from_kst(next, TimeOfDay::hm(9, 1)), 21, 19, 20, 50);  // typical 20
  out.push_back(vwap.value());
  expect_values({10, 11.5, kNaN, 20}, out);
}

TEST(Vwap, DayBoundaryIsKstMidnightNotUtc) {
  // 23:59 and 00:00 KST straddle a KST day; 08:59 and 09:00 KST are
  // 23:59 and 00:00 UTC, the same KST day.
  const auto day = parse_kst_date("2026-03-02").value();
  Vwap vwap;
  vwap.update(from_kst(day, TimeOfDay::hm(8, 59)), 10, 10, 10, 1);
  vwap.update(from_kst(day, TimeOfDay::hm(9, 0)), 20, 20, 20, 1);
  EXPECT_DOUBLE_EQ(vwap.value(), 15);
  vwap.update(from_kst(day, TimeOfDay::hm(23, 59)), 30, 30, 30, 2);
  EXPECT_DOUBLE_EQ(vwap.value(), (10 + 20 + 60) / 4.0);
  vwap.update(from_kst(day, TimeOfDay::hm(23, 59)) + std::chrono::minutes(1), 40, 40, 40, 1);
  EXPECT_DOUBLE_EQ(vwap.value(), 40);
}

// --- Look-back --------------------------------------------------------------------

// Not ready for `lookback` updates, ready on the next one and after.
template <class Ind, class Feed>
void expect_ready_exactly_at(Ind ind, int lookback, Feed feed) {
  EXPECT_EQ(ind.lookback(), lookback);
  for (int i = 0; i < lookback; ++i) {
    feed(ind, i);
    ASSERT_FALSE(ind.ready()) << "update " << i + 1 << " of look-back " << lookback;
  }
  for (int i = lookback; i < lookback + 5; ++i) {
    feed(ind, i);
    ASSERT_TRUE(ind.ready()) << "update " << i + 1 << " of look-back " << lookback;
  }
}

TEST(Lookback, AsTaLibCountsIt) {
  const auto price = [](auto& ind, int i) { ind.update(1000.0 + (i * 37) % 11); };
  const auto bar = [](auto& ind, int i) { ind.update(bars()[i]); };
  expect_ready_exactly_at(Sma(20), 19, price);
  expect_ready_exactly_at(Ema(20), 19, price);
  expect_ready_exactly_at(Ema(1), 0, price);
  expect_ready_exactly_at(Wma(10), 9, price);
  expect_ready_exactly_at(Momentum(10), 10, price);
  expect_ready_exactly_at(Disparity(20), 19, price);
  expect_ready_exactly_at(Rsi(14), 14, price);
  expect_ready_exactly_at(Bollinger(20, 2), 19, price);
  expect_ready_exactly_at(Macd(12, 26, 9), 33, price);  // (26-1) + (9-1)
  expect_ready_exactly_at(Macd(3, 5, 1), 4, price);
  expect_ready_exactly_at(Stochastic(14, 3, 3), 17, bar);  // (14-1) + (3-1) + (3-1)
  expect_ready_exactly_at(Stochastic(1, 1, 1), 0, bar);
  expect_ready_exactly_at(Atr(14), 14, bar);
  expect_ready_exactly_at(Obv(), 0, bar);
  expect_ready_exactly_at(VolumeMa(20), 19, bar);
  expect_ready_exactly_at(AccumulationDistribution(), 0, bar);
  expect_ready_exactly_at(Chaikin(3, 10), 9, bar);
  expect_ready_exactly_at(Chaikin(10, 3), 9, bar);
}

// --- Parameters -----------------------------------------------------------------

TEST(Parameters, OutOfRangeIsAProgrammingError) {
  EXPECT_THROW(Sma(1), std::invalid_argument);
  EXPECT_THROW(Sma(kMaxPeriod + 1), std::invalid_argument);
  EXPECT_THROW(Ema(0), std::invalid_argument);
  EXPECT_THROW(Rsi(1), std::invalid_argument);
  EXPECT_THROW(Momentum(0), std::invalid_argument);
  EXPECT_THROW(Bollinger(20, 0.0), std::invalid_argument);
  EXPECT_THROW(Bollinger(20, std::nan("")), std::invalid_argument);
  EXPECT_THROW(Macd(26, 12, 9), std::invalid_argument);
  EXPECT_THROW(Macd(12, 12, 9), std::invalid_argument);
  EXPECT_THROW(Macd(12, 26, 0), std::invalid_argument);
  EXPECT_THROW(Stochastic(0, 3, 3), std::invalid_argument);
  EXPECT_THROW(Chaikin(1, 10), std::invalid_argument);
  EXPECT_NO_THROW(Sma{kMaxPeriod});
}

}  // namespace
}  // namespace dalbit::ta
