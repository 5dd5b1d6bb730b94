#include "ta/indicators.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

namespace dalbit::ta {

namespace {

int checked_period(const char* what, int period, int min) {
  if (period < min || period > kMaxPeriod) {
    throw std::invalid_argument(std::string(what) + " must be from " + std::to_string(min) + " to " +
                                std::to_string(kMaxPeriod) + ", got " + std::to_string(period));
  }
  return period;
}

double as_double(Price p) { return static_cast<double>(p.value()); }
double as_double(Qty q) { return static_cast<double>(q.value()); }

// Wilder's smoothing step, in TA-Lib's order of operations.
double wilder(double average, double x, int period) {
  average *= static_cast<double>(period - 1);
  average += x;
  return average / static_cast<double>(period);
}

}  // namespace

// --- Sma ---------------------------------------------------------------------

Sma::Sma(int period) : window_(checked_period("sma period", period, kMinPeriod)) {}
void Sma::update(double x) { window_.push(x); }
void Sma::update(const Bar& bar) { update(as_double(bar.close)); }
double Sma::value() const { return ready() ? window_.mean() : kNoValue; }

// --- Ema ---------------------------------------------------------------------

Ema::Ema(int period)
    : period_(checked_period("ema period", period, kMinPeriod)),
      k_(2.0 / static_cast<double>(period + 1)) {}

void Ema::update(double x) {
  if (count_ < period_) {
    seed_sum_ += x;
    if (++count_ == period_) value_ = seed_sum_ / static_cast<double>(period_);
    return;
  }
  value_ = (x - value_) * k_ + value_;
}

void Ema::update(const Bar& bar) { update(as_double(bar.close)); }

// --- Wma ---------------------------------------------------------------------

Wma::Wma(int period) : window_(checked_period("wma period", period, kMinPeriod)) {}
void Wma::update(double x) { window_.push(x); }
void Wma::update(const Bar& bar) { update(as_double(bar.close)); }
double Wma::value() const { return ready() ? window_.weighted_mean() : kNoValue; }

// --- Momentum ----------------------------------------------------------------

Momentum::Momentum(int period) : past_(checked_period("mom period", period, kMinPeriod)) {}

void Momentum::update(double x) {
  if (past_.full()) {
    value_ = x - past_.oldest();
    ready_ = true;
  }
  past_.push(x);
}

void Momentum::update(const Bar& bar) { update(as_double(bar.close)); }

// --- Disparity ---------------------------------------------------------------

Disparity::Disparity(int period) : sma_(checked_period("disparity period", period, kMinPeriod)) {}

void Disparity::update(double x) {
  sma_.update(x);
  if (sma_.ready()) value_ = x / sma_.value() * 100.0;
}

void Disparity::update(const Bar& bar) { update(as_double(bar.close)); }

// --- Rsi ---------------------------------------------------------------------

Rsi::Rsi(int period) : period_(checked_period("rsi period", period, kMinPeriod)) {}

void Rsi::update(double x) {
  if (count_ == 0) {
    prev_ = x;
    count_ = 1;
    return;
  }
  const double change = x - prev_;
  prev_ = x;
  if (count_ <= period_) {  // seeding: sum the first `period` changes
    if (change < 0.0) avg_loss_ -= change; else avg_gain_ += change;
    if (++count_ <= period_) return;
    avg_gain_ /= static_cast<double>(period_);
    avg_loss_ /= static_cast<double>(period_);
  } else {
    avg_gain_ = wilder(avg_gain_, change > 0.0 ? change : 0.0, period_);
    avg_loss_ = wilder(avg_loss_, change < 0.0 ? -change : 0.0, period_);
  }
  const double total = avg_gain_ + avg_loss_;
  // No movement at all is neutral. TA-Lib answers 0 ("oversold"), which would
  // make a buy-below-30 rule buy a halted or limit-locked stock.
  value_ = total == 0.0 ? 50.0 : 100.0 * (avg_gain_ / total);
}

void Rsi::update(const Bar& bar) { update(as_double(bar.close)); }

// --- Bollinger ---------------------------------------------------------------

Bollinger::Bollinger(int period, double k)
    : window_(checked_period("bb period", period, kMinPeriod)), k_(k) {
  if (!(k > 0.0) || !std::isfinite(k)) {
    throw std::invalid_argument("bb k must be a finite number > 0, got " + std::to_string(k));
  }
}

void Bollinger::update(double x) {
  window_.push(x);
  if (!window_.full()) return;
  middle_ = window_.mean();
  const double band = k_ * std::sqrt(window_.variance());
  upper_ = middle_ + band;
  lower_ = middle_ - band;
  const double width = upper_ - lower_;
  // Collapsed bands mean every value in the window equals the middle.
  percent_b_ = width > 0.0 ? (x - lower_) / width : 0.5;
}

void Bollinger::update(const Bar& bar) { update(as_double(bar.close)); }

// --- Macd --------------------------------------------------------------------

Macd::Macd(int fast, int slow, int signal)
    : slow_(checked_period("macd slow period", slow, kMinPeriod)),
      fast_start_(slow - checked_period("macd fast period", fast, kMinPeriod)),
      fast_ema_(fast),
      slow_ema_(slow),
      signal_ema_(checked_period("macd signal period", signal, kMinSignalPeriod)) {
  if (fast >= slow) {
    throw std::invalid_argument("macd fast period must be less than the slow period, got " +
                                std::to_string(fast) + " and " + std::to_string(slow));
  }
}

void Macd::update(double x) {
  slow_ema_.update(x);
  if (count_ >= fast_start_) fast_ema_.update(x);
  if (count_ < slow_) ++count_;
  if (!slow_ema_.ready()) return;
  line_ = fast_ema_.value() - slow_ema_.value();
  signal_ema_.update(line_);
}

void Macd::update(const Bar& bar) { update(as_double(bar.close)); }

// --- Stochastic --------------------------------------------------------------

Stochastic::Stochastic(int fast_k, int slow_k, int slow_d)
    : fast_k_(checked_period("stoch fast %K period", fast_k, kMinPeriod)),
      highest_(fast_k),
      lowest_(fast_k),
      slow_k_(checked_period("stoch slow %K period", slow_k, kMinPeriod)),
      slow_d_(checked_period("stoch slow %D period", slow_d, kMinPeriod)) {}

void Stochastic::update(double high, double low, double close) {
  highest_.push(high);
  lowest_.push(low);
  if (count_ < fast_k_ && ++count_ < fast_k_) return;
  const double lowest = lowest_.value();
  const double range = (highest_.value() - lowest) / 100.0;  // TA-Lib's order of operations
  // A window without range is neutral; TA-Lib answers 0 ("oversold"), even for
  // a stock locked at its upper limit.
  fast_k_value_ = range != 0.0 ? (close - lowest) / range : 50.0;
  slow_k_.push(fast_k_value_);
  if (!slow_k_.full()) return;
  slow_d_.push(slow_k_.mean());
  ready_ = slow_d_.full();
}

void Stochastic::update(const Bar& bar) {
  update(as_double(bar.high), as_double(bar.low), as_double(bar.close));
}

// --- Atr ---------------------------------------------------------------------

Atr::Atr(int period) : period_(checked_period("atr period", period, kMinPeriod)) {}

void Atr::update(double high, double low, double close) {
  if (count_ == 0) {
    prev_close_ = close;
    count_ = 1;
    return;
  }
  const double true_range =
      std::max({high - low, std::fabs(prev_close_ - high), std::fabs(prev_close_ - low)});
  prev_close_ = close;
  if (count_ <= period_) {  // seeding: sum the first `period` true ranges
    atr_ += true_range;
    if (++count_ <= period_) return;
    atr_ /= static_cast<double>(period_);
  } else {
    atr_ = wilder(atr_, true_range, period_);
  }
  value_ = atr_;
}

void Atr::update(const Bar& bar) {
  update(as_double(bar.high), as_double(bar.low), as_double(bar.close));
}

// --- Obv ---------------------------------------------------------------------

void Obv::update(double close, double volume) {
  if (!started_) {
    started_ = true;
    value_ = volume;
  } else if (close > prev_close_) {
    value_ += volume;
  } else if (close < prev_close_) {
    value_ -= volume;
  }
  prev_close_ = close;
}

void Obv::update(const Bar& bar) { update(as_double(bar.close), as_double(bar.volume)); }

// --- VolumeMa ----------------------------------------------------------------

void VolumeMa::update(const Bar& bar) { update(as_double(bar.volume)); }

// --- AccumulationDistribution ------------------------------------------------

void AccumulationDistribution::update(double high, double low, double close, double volume) {
  started_ = true;
  const double range = high - low;
  if (range > 0.0) ad_ += ((close - low) - (high - close)) / range * volume;
}

void AccumulationDistribution::update(const Bar& bar) {
  update(as_double(bar.high), as_double(bar.low), as_double(bar.close), as_double(bar.volume));
}

// --- Chaikin -----------------------------------------------------------------

Chaikin::Chaikin(int fast, int slow)
    : fast_k_(2.0 / (static_cast<double>(checked_period("chaikin fast period", fast, kMinPeriod)) + 1.0)),
      slow_k_(2.0 / (static_cast<double>(checked_period("chaikin slow period", slow, kMinPeriod)) + 1.0)),
      lookback_(std::max(fast, slow) - 1) {}

void Chaikin::update(double high, double low, double close, double volume) {
  ad_.update(high, low, close, volume);
  const double ad = ad_.value();
  if (count_ == 0) {
    fast_ema_ = ad;
    slow_ema_ = ad;
  } else {
    fast_ema_ = fast_k_ * ad + (1.0 - fast_k_) * fast_ema_;
    slow_ema_ = slow_k_ * ad + (1.0 - slow_k_) * slow_ema_;
  }
  if (count_ <= lookback_) ++count_;
}

void Chaikin::update(const Bar& bar) {
  update(as_double(bar.high), as_double(bar.low), as_double(bar.close), as_double(bar.volume));
}

// --- Vwap --------------------------------------------------------------------

void Vwap::update(Timestamp time, double high, double low, double close, double volume) {
  const std::int64_t day =
      std::chrono::floor<std::chrono::days>(time + kKstOffset).time_since_epoch().count();
  if (!started_ || day != day_) {  // a new KST day starts a new session
    started_ = true;
    day_ = day;
    price_volume_ = 0.0;
    volume_ = 0.0;
  }
  price_volume_ += (high + low + close) / 3.0 * volume;
  volume_ += volume;
}

void Vwap::update(const Bar& bar) {
  update(bar.time, as_double(bar.high), as_double(bar.low), as_double(bar.close),
         as_double(bar.volume));
}

}  // namespace dalbit::ta
