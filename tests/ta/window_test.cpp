#include "ta/window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <numeric>
#include <stdexcept>

#include "series.h"
#include "ta/indicators.h"

namespace dalbit::ta {
namespace {

using testing::close_enough;
using testing::unit;

struct WindowStats {
  double mean;
  double variance;
  double weighted_mean;
};

// Two passes over the window, the textbook way.
WindowStats batch_stats(const std::deque<double>& w) {
  const double n = static_cast<double>(w.size());
  const double mean = std::accumulate(w.begin(), w.end(), 0.0) / n;
  double sq = 0.0;
  double weighted = 0.0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    sq += (w[i] - mean) * (w[i] - mean);
    weighted += static_cast<double>(i + 1) * w[i];
  }
  return {mean, sq / n, weighted / (n * (n + 1) / 2)};
}

TEST(Ring, KeepsTheLatestValues) {
  Ring r(3);
  EXPECT_FALSE(r.full());
  r.push(1);
  EXPECT_EQ(r.oldest(), 1);
  r.push(2);
  r.push(3);
  EXPECT_TRUE(r.full());
  EXPECT_EQ(r.oldest(), 1);
  r.push(4);  // 2 3 4
  EXPECT_EQ(r.oldest(), 2);
  EXPECT_EQ(r.size(), 3);
}

TEST(Ring, RejectsAnEmptyCapacity) { EXPECT_THROW(Ring(0), std::invalid_argument); }

TEST(RollingWindow, MatchesTwoPassStatisticsAcrossEpochs) {
  // Length 7 with 300 values crosses 42 epoch hand-overs.
  const auto xs = testing::random_values(300, 11);
  RollingWindow w(7);
  std::deque<double> window;
  for (double x : xs) {
    w.push(x);
    window.push_back(x);
    if (window.size() > 7) window.pop_front();
    const auto want = batch_stats(window);
    ASSERT_TRUE(close_enough(want.mean, w.mean(), 1e-12)) << want.mean << " " << w.mean();
    ASSERT_TRUE(close_enough(std::sqrt(want.variance), std::sqrt(w.variance())));
    if (w.full()) {
      ASSERT_TRUE(close_enough(want.weighted_mean, w.weighted_mean(), 1e-12));
    }
  }
}

TEST(RollingWindow, MeanAndVarianceWhileFilling) {
  RollingWindow w(4);
  w.push(2);
  EXPECT_EQ(w.mean(), 2);
  EXPECT_EQ(w.variance(), 0);
  w.push(4);  // mean 3, variance ((2-3)^2 + (4-3)^2) / 2 = 1
  EXPECT_FALSE(w.full());
  EXPECT_DOUBLE_EQ(w.mean(), 3);
  EXPECT_DOUBLE_EQ(w.variance(), 1);
}

TEST(RollingWindow, FlatWindowIsExactlyFlat) {
  // Runs of identical fractional values after uneven ones (a few hundred
  // either side), at every offset to the epoch hand-over: the running sums
  // alone leave a rounding residue in the variance (bands that never quite
  // close) for many of these.
  const auto noise = testing::random_values(40, 3);
  int runs = 0;
  for (int length : {3, 5, 7, 20}) {
    for (double flat : {0.1, 1234.567, 98'765.4321, 1.0 / 3.0}) {
      for (int lead = 0; lead < length; ++lead) {
        RollingWindow w(length);
        for (int i = 0; i < length + lead; ++i) w.push(flat + (noise[i] - 50'000.0) / 7.0);
        for (int i = 0; i < length; ++i) w.push(flat);
        ASSERT_EQ(w.mean(), flat) << length << " " << flat << " " << lead;
        ASSERT_EQ(w.variance(), 0.0) << length << " " << flat << " " << lead;
        ASSERT_EQ(w.weighted_mean(), flat) << length << " " << flat << " " << lead;
        w.push(flat + 1.0);  // the run is broken: variance (n-1)/n^2 again
        const double n = length;
        ASSERT_TRUE(close_enough((n - 1) / (n * n), w.variance(), 1e-9)) << w.variance();
        ++runs;
      }
    }
  }
  EXPECT_EQ(runs, 4 * (3 + 5 + 7 + 20));
}

// Five million updates of a random walk far from zero with a small spread,
// jumping tenfold now and then: the conditions under which running sums of
// x and x^2 lose the variance. Checked against a fresh two-pass computation
// every 100,000 updates; the same data through naive running sums is checked
// to be off by far more than the tolerance, so this test can tell the two apart.
TEST(RollingWindow, NoDriftOverMillionsOfUpdates) {
  constexpr int kLength = 20;
  constexpr int kUpdates = 5'000'000;
  std::mt19937_64 rng(7);
  RollingWindow w(kLength);
  std::deque<double> window;
  double naive_sum = 0.0;
  double naive_sum_sq = 0.0;
  double naive_worst = 0.0;
  double level = 1'000'000.0;
  int checks = 0;
  for (int i = 1; i <= kUpdates; ++i) {
    level += (unit(rng) - 0.5) * 50.0;
    if (i % 400'000 == 0) level = (i / 400'000) % 2 == 1 ? level / 10.0 : level * 10.0;
    const double x = level + (unit(rng) - 0.5) * 20.0;
    w.push(x);
    window.push_back(x);
    naive_sum += x;
    naive_sum_sq += x * x;
    if (window.size() > kLength) {
      naive_sum -= window.front();
      naive_sum_sq -= window.front() * window.front();
      window.pop_front();
    }
    if (i % 100'000 != 0) continue;
    ++checks;
    const auto want = batch_stats(window);
    ASSERT_TRUE(close_enough(want.mean, w.mean(), 1e-12)) << "update " << i;
    ASSERT_TRUE(close_enough(std::sqrt(want.variance), std::sqrt(w.variance()), 1e-9))
        << "update " << i << ": " << std::sqrt(want.variance) << " vs " << std::sqrt(w.variance());
    ASSERT_TRUE(close_enough(want.weighted_mean, w.weighted_mean(), 1e-12)) << "update " << i;
    const double naive_mean = naive_sum / kLength;
    const double naive_sd = std::sqrt(std::max(0.0, naive_sum_sq / kLength - naive_mean * naive_mean));
    naive_worst = std::max(naive_worst, std::fabs(naive_sd - std::sqrt(want.variance)) /
                                            std::sqrt(want.variance));
  }
  EXPECT_EQ(checks, 50);
  EXPECT_GT(naive_worst, 1e-6) << "the data no longer exposes drift; the test lost its teeth";
}

TEST(RollingWindow, BollingerStaysAccurateOverMillionsOfBars) {
  constexpr int kUpdates = 3'000'000;
  std::mt19937_64 rng(3);
  Bollinger bb(20, 2.0);
  std::deque<double> window;
  double level = 300'000.0;
  for (int i = 0; i < kUpdates; ++i) {
    level += std::round((unit(rng) - 0.5) * 20.0) * 500.0;  // on the 500-won tick grid
    level = std::clamp(level, 200'000.0, 499'500.0);
    bb.update(level);
    window.push_back(level);
    if (window.size() > 20) window.pop_front();
  }
  const auto want = batch_stats(window);
  const double sd = std::sqrt(want.variance);
  EXPECT_TRUE(close_enough(want.mean, bb.middle(), 1e-12));
  EXPECT_TRUE(close_enough(want.mean + 2 * sd, bb.upper(), 1e-12));
  EXPECT_TRUE(close_enough(want.mean - 2 * sd, bb.lower(), 1e-12));
}

template <bool kMax>
void check_extreme(int length, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  RollingExtreme<kMax> e(length);
  std::deque<double> window;
  for (int i = 0; i < 500; ++i) {
    const double x = std::floor(unit(rng) * 6.0);  // few distinct values: many ties
    e.push(x);
    window.push_back(x);
    if (static_cast<int>(window.size()) > length) window.pop_front();
    const double want = kMax ? *std::max_element(window.begin(), window.end())
                             : *std::min_element(window.begin(), window.end());
    ASSERT_EQ(want, e.value()) << "length " << length << " push " << i;
  }
}

TEST(RollingExtreme, MatchesAScanOfTheWindow) {
  for (int length : {1, 2, 3, 5, 14, 40}) {
    check_extreme<true>(length, 100 + static_cast<std::uint64_t>(length));
    check_extreme<false>(length, 200 + static_cast<std::uint64_t>(length));
  }
}

TEST(RollingExtreme, StrictlyMonotonicInputFillsEverySlot) {
  // Falling values never dominate each other for the max: the queue holds the
  // whole window, and the ring must wrap correctly around it.
  RollingMax m(4);
  for (int i = 0; i < 20; ++i) {
    m.push(100.0 - i);
    EXPECT_EQ(m.value(), 100.0 - std::max(0, i - 3)) << i;
  }
}

}  // namespace
}  // namespace dalbit::ta
