// Deterministic test series for the indicator tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "core/time.h"
#include "core/types.h"

namespace dalbit::ta::testing {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Uniform in [0, 1) from the 53 high bits: unlike the std distributions, the
// same on every standard library.
inline double unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// A random walk with fractional values around 50,000.
inline std::vector<double> random_values(int count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> out;
  double x = 50'000.0;
  for (int i = 0; i < count; ++i) {
    x += (unit(rng) - 0.5) * 400.0;
    out.push_back(x);
  }
  return out;
}

// One-minute bars on integer prices, 390 a day from 09:00 KST, with the awkward
// cases mixed in: a 20-bar stretch of identical bars (no range, no change),
// occasional bars with high == low, and bars without volume, including the
// first bar of a day.
inline std::vector<Bar> random_bars(int count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Bar> out;
  std::int64_t close = 50'000;
  const auto day0 = parse_kst_date("2026-01-05").value();
  for (int i = 0; i < count; ++i) {
    const int day = i / 390;
    const int minute = i % 390;
    Bar b;
    b.time = from_kst(day0, TimeOfDay::hm(9, 0)) + std::chrono::days(day) + std::chrono::minutes(minute);
    const std::int64_t open = close;
    const bool flat = i >= 100 && i < 120;
    if (!flat) close = std::max<std::int64_t>(1'000, close + static_cast<std::int64_t>(unit(rng) * 21.0 - 10.0) * 50);
    std::int64_t high = std::max(open, close);
    std::int64_t low = std::min(open, close);
    if (!flat && i % 17 != 5) {
      high += static_cast<std::int64_t>(unit(rng) * 6.0) * 50;
      low -= static_cast<std::int64_t>(unit(rng) * 6.0) * 50;
    }
    if (i % 17 == 5) low = high = close;  // no range (the open is left out of it)
    b.open = Price(std::clamp(open, low, high));
    b.high = Price(high);
    b.low = Price(low);
    b.close = Price(close);
    const bool no_volume = (flat && i % 2 == 0) || minute == 0 || i % 29 == 3;
    b.volume = Qty(no_volume ? 0 : static_cast<std::int64_t>(unit(rng) * 20'000.0));
    out.push_back(b);
  }
  return out;
}

inline double px(Price p) { return static_cast<double>(p.value()); }
inline double vol(Qty q) { return static_cast<double>(q.value()); }

inline std::vector<double> closes(const std::vector<Bar>& bars) {
  std::vector<double> out;
  for (const Bar& b : bars) out.push_back(px(b.close));
  return out;
}

// Relative closeness, with an absolute floor of `tol` for values below 1 in
// magnitude (MACD histograms and oscillators cross zero).
inline bool close_enough(double expected, double actual, double tol = 1e-9) {
  if (std::isnan(expected) || std::isnan(actual)) return std::isnan(expected) && std::isnan(actual);
  return std::fabs(expected - actual) <= tol * std::max({1.0, std::fabs(expected), std::fabs(actual)});
}

}  // namespace dalbit::ta::testing
