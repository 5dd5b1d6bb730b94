// Streaming technical indicators (the C++ behind the Lua module dalbit.ta).
//
// Each class takes one bar, or one value, per update() in O(1) time (the
// stochastic's rolling high/low is amortized O(1)), with storage sized by its
// constructor: nothing allocates after construction. Values are doubles:
// indicators are analytics, not money.
//
// Definitions, seeding and look-back follow TA-Lib (default compatibility,
// unstable period 0), except where docs/indicators.md says otherwise and why.
// Common to every class:
//   lookback()  updates consumed before the first value (TA-Lib's *_Lookback);
//               ready() turns true on update number lookback() + 1.
//   ready()     whether the outputs hold a value.
//   outputs     NaN until ready().
// Constructors throw std::invalid_argument on parameters outside the ranges
// below (a programming error); untrusted input goes through make_indicator()
// (ta/registry.h), which reports them as values.
#pragma once

#include <cstdint>
#include <limits>

#include "core/time.h"
#include "core/types.h"
#include "ta/window.h"

namespace dalbit::ta {

inline constexpr int kMaxPeriod = 100'000;  // TA-Lib's bound; also caps ring storage
inline constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();  // before ready()

// Simple moving average of the last `period` values.
class Sma {
 public:
  static constexpr int kMinPeriod = 2;
  explicit Sma(int period);
  void update(double x);
  void update(const Bar& bar);  // close
  [[nodiscard]] bool ready() const { return window_.full(); }
  [[nodiscard]] int lookback() const { return window_.length() - 1; }
  [[nodiscard]] double value() const;

 private:
  RollingWindow window_;
};

// Exponential moving average, k = 2 / (period + 1), seeded with the SMA of the
// first `period` values.
class Ema {
 public:
  static constexpr int kMinPeriod = 1;
  explicit Ema(int period);
  void update(double x);
  void update(const Bar& bar);  // close
  [[nodiscard]] bool ready() const { return count_ >= period_; }
  [[nodiscard]] int lookback() const { return period_ - 1; }
  [[nodiscard]] double value() const { return value_; }

 private:
  int period_;
  double k_;
  int count_ = 0;
  double seed_sum_ = 0.0;
  double value_ = kNoValue;
};

// Linearly weighted moving average: weights 1..period, the newest heaviest.
class Wma {
 public:
  static constexpr int kMinPeriod = 2;
  explicit Wma(int period);
  void update(double x);
  void update(const Bar& bar);  // close
  [[nodiscard]] bool ready() const { return window_.full(); }
  [[nodiscard]] int lookback() const { return window_.length() - 1; }
  [[nodiscard]] double value() const;

 private:
  RollingWindow window_;
};

// x - x[period bars ago] (TA-Lib MOM).
class Momentum {
 public:
  static constexpr int kMinPeriod = 1;
  explicit Momentum(int period);
  void update(double x);
  void update(const Bar& bar);  // close
  [[nodiscard]] bool ready() const { return ready_; }
  [[nodiscard]] int lookback() const { return past_.capacity(); }
  [[nodiscard]] double value() const { return value_; }

 private:
  Ring past_;
  bool ready_ = false;
  double value_ = kNoValue;
};

// Disparity (이격도): x / SMA(period) * 100. Not in TA-Lib; the SMA is the
// usual base for it on Korean charts.
class Disparity {
 public:
  static constexpr int kMinPeriod = Sma::kMinPeriod;
  explicit Disparity(int period);
  void update(double x);
  void update(const Bar& bar);  // close
  [[nodiscard]] bool ready() const { return sma_.ready(); }
  [[nodiscard]] int lookback() const { return sma_.lookback(); }
  [[nodiscard]] double value() const { return value_; }

 private:
  Sma sma_;
  double value_ = kNoValue;
};

// Wilder's RSI: average gain and loss seeded with the simple average of the
// first `period` changes, then smoothed as avg = (avg * (period-1) + x) / period.
// 50 while there has been no change at all (TA-Lib says 0).
class Rsi {
 public:
  static constexpr int kMinPeriod = 2;
  explicit Rsi(int period);
  void update(double x);
  void update(const Bar& bar);  // close
  [[nodiscard]] bool ready() const { return count_ > period_; }
  [[nodiscard]] int lookback() const { return period_; }
  [[nodiscard]] double value() const { return value_; }

 private:
  int period_;
  int count_ = 0;
  double prev_ = 0.0;
  double avg_gain_ = 0.0;  // sums until seeded
  double avg_loss_ = 0.0;
  double value_ = kNoValue;
};

// Bollinger bands: SMA(period) middle, +/- k population standard deviations,
// and %b = (x - lower) / (upper - lower) (0.5 when the bands collapse).
class Bollinger {
 public:
  static constexpr int kMinPeriod = 2;
  Bollinger(int period, double k);
  void update(double x);
  void update(const Bar& bar);  // close
  [[nodiscard]] bool ready() const { return window_.full(); }
  [[nodiscard]] int lookback() const { return window_.length() - 1; }
  [[nodiscard]] double middle() const { return middle_; }
  [[nodiscard]] double upper() const { return upper_; }
  [[nodiscard]] double lower() const { return lower_; }
  [[nodiscard]] double percent_b() const { return percent_b_; }

 private:
  RollingWindow window_;
  double k_;
  double middle_ = kNoValue;
  double upper_ = kNoValue;
  double lower_ = kNoValue;
  double percent_b_ = kNoValue;
};

// MACD as TA-Lib aligns it: the slow EMA is seeded with the SMA of the first
// `slow` values and the fast EMA with the SMA of the `fast` values ending on
// the same bar; the line starts there, and the signal EMA is seeded with the
// SMA of the first `signal` line values. k = 2 / (period + 1) for all three.
class Macd {
 public:
  static constexpr int kMinPeriod = 2;        // fast and slow
  static constexpr int kMinSignalPeriod = 1;
  Macd(int fast, int slow, int signal);  // requires fast < slow
  void update(double x);
  void update(const Bar& bar);  // close
  [[nodiscard]] bool ready() const { return signal_ema_.ready(); }
  [[nodiscard]] int lookback() const { return slow_ - 1 + signal_ema_.lookback(); }
  [[nodiscard]] double line() const { return ready() ? line_ : kNoValue; }
  [[nodiscard]] double signal() const { return signal_ema_.value(); }
  [[nodiscard]] double histogram() const { return ready() ? line_ - signal_ema_.value() : kNoValue; }

 private:
  int slow_;
  int fast_start_;  // first bar fed to the fast EMA
  int count_ = 0;
  Ema fast_ema_;
  Ema slow_ema_;
  Ema signal_ema_;
  double line_ = 0.0;
};

// Stochastic as TA-Lib's STOCH with SMA smoothing:
//   fast %K = (close - lowest low) / (highest high - lowest low) * 100 over
//             fast_k bars (50 when the range is zero; TA-Lib says 0),
//   slow %K = SMA(slow_k) of fast %K,   slow %D = SMA(slow_d) of slow %K.
// All three are published from the same bar, as TA-Lib does.
class Stochastic {
 public:
  static constexpr int kMinPeriod = 1;
  Stochastic(int fast_k, int slow_k, int slow_d);
  void update(double high, double low, double close);
  void update(const Bar& bar);
  [[nodiscard]] bool ready() const { return ready_; }
  [[nodiscard]] int lookback() const { return fast_k_ - 1 + slow_k_.length() - 1 + slow_d_.length() - 1; }
  [[nodiscard]] double fast_k() const { return ready_ ? fast_k_value_ : kNoValue; }
  [[nodiscard]] double slow_k() const { return ready_ ? slow_k_.mean() : kNoValue; }
  [[nodiscard]] double slow_d() const { return ready_ ? slow_d_.mean() : kNoValue; }

 private:
  int fast_k_;
  int count_ = 0;
  bool ready_ = false;
  RollingMax highest_;
  RollingMin lowest_;
  double fast_k_value_ = 0.0;
  RollingWindow slow_k_;  // SMA smoothing; period 1 passes values through, as in TA-Lib
  RollingWindow slow_d_;
};

// Average true range, Wilder-smoothed. TR = max(high, prev close) - min(low,
// prev close) needs a previous close, so (as in TA-Lib) the first bar only
// provides one; the seed is the mean TR of bars 2..period+1.
class Atr {
 public:
  static constexpr int kMinPeriod = 1;
  explicit Atr(int period);
  void update(double high, double low, double close);
  void update(const Bar& bar);
  [[nodiscard]] bool ready() const { return count_ > period_; }
  [[nodiscard]] int lookback() const { return period_; }
  [[nodiscard]] double value() const { return value_; }

 private:
  int period_;
  int count_ = 0;
  double prev_close_ = 0.0;
  double atr_ = 0.0;  // sum of TR until seeded
  double value_ = kNoValue;
};

// On-balance volume. Starts at the first bar's volume, as TA-Lib does.
class Obv {
 public:
  void update(double close, double volume);
  void update(const Bar& bar);
  [[nodiscard]] bool ready() const { return started_; }
  [[nodiscard]] int lookback() const { return 0; }
  [[nodiscard]] double value() const { return value_; }

 private:
  bool started_ = false;
  double prev_close_ = 0.0;
  double value_ = kNoValue;
};

// Simple moving average of volume.
class VolumeMa {
 public:
  static constexpr int kMinPeriod = Sma::kMinPeriod;
  explicit VolumeMa(int period) : sma_(period) {}
  void update(double volume) { sma_.update(volume); }
  void update(const Bar& bar);
  [[nodiscard]] bool ready() const { return sma_.ready(); }
  [[nodiscard]] int lookback() const { return sma_.lookback(); }
  [[nodiscard]] double value() const { return sma_.value(); }

 private:
  Sma sma_;
};

// Accumulation/distribution line: the running sum of
// ((close - low) - (high - close)) / (high - low) * volume; a bar with
// high == low adds nothing.
class AccumulationDistribution {
 public:
  void update(double high, double low, double close, double volume);
  void update(const Bar& bar);
  [[nodiscard]] bool ready() const { return started_; }
  [[nodiscard]] int lookback() const { return 0; }
  [[nodiscard]] double value() const { return started_ ? ad_ : kNoValue; }

 private:
  bool started_ = false;
  double ad_ = 0.0;
};

// Chaikin oscillator, TA-Lib ADOSC: EMA(fast) - EMA(slow) of the A/D line,
// both EMAs seeded with the first A/D value, published from bar
// max(fast, slow). fast > slow is allowed (the difference is still fast - slow).
class Chaikin {
 public:
  static constexpr int kMinPeriod = 2;
  Chaikin(int fast, int slow);
  void update(double high, double low, double close, double volume);
  void update(const Bar& bar);
  [[nodiscard]] bool ready() const { return count_ > lookback_; }
  [[nodiscard]] int lookback() const { return lookback_; }
  [[nodiscard]] double value() const { return ready() ? fast_ema_ - slow_ema_ : kNoValue; }

 private:
  double fast_k_;
  double slow_k_;
  int lookback_;
  int count_ = 0;  // stops at lookback_ + 1
  AccumulationDistribution ad_;
  double fast_ema_ = 0.0;
  double slow_ema_ = 0.0;
};

// Session VWAP: sum(typical price * volume) / sum(volume) since the first bar
// of the bar's KST calendar day, typical price = (high + low + close) / 3.
// Not ready while the day's volume is still zero. Not in TA-Lib.
class Vwap {
 public:
  void update(Timestamp time, double high, double low, double close, double volume);
  void update(const Bar& bar);
  [[nodiscard]] bool ready() const { return volume_ > 0.0; }
  [[nodiscard]] int lookback() const { return 0; }
  [[nodiscard]] double value() const { return ready() ? price_volume_ / volume_ : kNoValue; }

 private:
  std::int64_t day_ = 0;  // days since 1970-01-01 KST
  bool started_ = false;
  double price_volume_ = 0.0;
  double volume_ = 0.0;
};

}  // namespace dalbit::ta
