// Fixed-length windows over a stream of doubles, the building blocks of the
// indicators in ta/indicators.h. Storage is sized at construction; push() never
// allocates.
#pragma once

#include <cstdint>
#include <vector>

namespace dalbit::ta {

// The latest `capacity` values; push() overwrites the oldest once full.
class Ring {
 public:
  explicit Ring(int capacity);
  void push(double x);
  [[nodiscard]] bool full() const { return size_ == capacity(); }
  [[nodiscard]] int size() const { return size_; }
  [[nodiscard]] int capacity() const { return static_cast<int>(buf_.size()); }
  // The value the next push() overwrites when full (the first one pushed otherwise).
  [[nodiscard]] double oldest() const { return buf_[full() ? head_ : 0]; }

 private:
  std::vector<double> buf_;
  int head_ = 0;  // next slot to write
  int size_ = 0;
};

// Mean, population variance and linearly weighted mean of the latest `length`
// values, each O(1) per push.
//
// Running sums drift: every add/subtract pair leaves a rounding error behind,
// and sum(x^2)/n - mean^2 cancels catastrophically when the values sit far from
// zero (a 1,000,000-won price with a standard deviation of 10). Two measures
// keep the sums as accurate as a fresh pass over the window, for any number of
// updates:
//   - the sums hold deviations from a shift near the window's values, not the
//     raw values (with integer prices every term is then an exact integer);
//   - a second set of sums starts empty at every multiple of `length` pushes
//     and only ever adds. When it has seen `length` values it covers exactly
//     the current window, computed from scratch, and replaces the running sums
//     (and their shift). Errors therefore never outlive one window, and the
//     cost stays O(1) per push: no periodic O(length) recomputation.
// With integer inputs (KRX prices, volumes) every term is an exact integer as
// long as the sums stay below 2^53, and the results are exact up to the final
// division. With fractional inputs the error is the rounding of the values
// pushed in the last 2 * length updates, relative to their distance from the
// shift: small unless the level jumped far within that span.
// A window of identical values is recognised exactly (by the length of the
// trailing run of equal pushes): its mean is that value and its variance is
// 0.0, not a rounding residue, so a flat market gives flat bands.
class RollingWindow {
 public:
  explicit RollingWindow(int length);
  void push(double x);
  [[nodiscard]] bool full() const { return ring_.full(); }
  [[nodiscard]] int length() const { return ring_.capacity(); }
  // Over the values pushed so far while filling, over the window once full.
  [[nodiscard]] double mean() const;
  // Population variance (divides by the count), never negative.
  [[nodiscard]] double variance() const;
  // Weights 1..length, the newest value heaviest (TA-Lib's WMA); full window only.
  [[nodiscard]] double weighted_mean() const;

 private:
  struct Sums {
    double shift = 0.0;  // the sums are over (x - shift)
    double sum = 0.0;
    double sum_sq = 0.0;
    double weighted = 0.0;  // sum of position * (x - shift), positions 1..count
  };
  Ring ring_;
  Sums live_;   // over the window, updated by add and subtract
  Sums fresh_;  // over the pushes of the current epoch, add only
  int epoch_pushes_ = 0;
  double last_ = 0.0;
  int equal_run_ = 0;  // trailing pushes equal to last_
};

// The maximum (kMax) or minimum of the latest `length` values: a monotonic
// queue in a ring of `length` slots, amortized O(1) per push (each value is
// enqueued and dequeued once).
template <bool kMax>
class RollingExtreme {
 public:
  explicit RollingExtreme(int length);
  void push(double x);
  // Requires at least one push.
  [[nodiscard]] double value() const { return slots_[front_].value; }

 private:
  struct Slot {
    std::int64_t seq;
    double value;
  };
  [[nodiscard]] int wrap(int i) const { return i >= length_ ? i - length_ : i; }
  std::vector<Slot> slots_;
  int length_;
  int front_ = 0;
  int size_ = 0;
  std::int64_t seq_ = 0;  // number of pushes so far
};

using RollingMax = RollingExtreme<true>;
using RollingMin = RollingExtreme<false>;

}  // namespace dalbit::ta
