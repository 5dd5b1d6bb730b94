#include "ta/window.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace dalbit::ta {

namespace {

int checked_capacity(int n) {
  if (n < 1) throw std::invalid_argument("window length must be >= 1, got " + std::to_string(n));
  return n;
}

}  // namespace

Ring::Ring(int capacity) : buf_(static_cast<std::size_t>(checked_capacity(capacity)), 0.0) {}

void Ring::push(double x) {
  buf_[head_] = x;
  head_ = head_ + 1 == capacity() ? 0 : head_ + 1;
  if (size_ < capacity()) ++size_;
}

RollingWindow::RollingWindow(int length) : ring_(length) {}

void RollingWindow::push(double x) {
  const int n = length();
  if (ring_.size() == 0) live_.shift = x;
  const double d = x - live_.shift;
  if (ring_.full()) {
    const double gone = ring_.oldest() - live_.shift;
    // Every weight drops by one (the leaving value's weight 1 becomes 0), the
    // new value enters with weight n.
    live_.weighted += static_cast<double>(n) * d - live_.sum;
    live_.sum += d - gone;
    live_.sum_sq += d * d - gone * gone;
  } else {
    live_.weighted += static_cast<double>(ring_.size() + 1) * d;
    live_.sum += d;
    live_.sum_sq += d * d;
  }
  ring_.push(x);

  if (epoch_pushes_ == 0) fresh_ = Sums{.shift = x};
  const double f = x - fresh_.shift;
  ++epoch_pushes_;
  fresh_.weighted += static_cast<double>(epoch_pushes_) * f;
  fresh_.sum += f;
  fresh_.sum_sq += f * f;
  if (epoch_pushes_ == n) {
    live_ = fresh_;  // the last n pushes are exactly the window
    epoch_pushes_ = 0;
  }

  equal_run_ = (equal_run_ > 0 && x == last_) ? std::min(equal_run_ + 1, n) : 1;
  last_ = x;
}

double RollingWindow::mean() const {
  const int count = ring_.size();
  if (equal_run_ >= count) return last_;
  return live_.shift + live_.sum / static_cast<double>(count);
}

double RollingWindow::variance() const {
  const int count = ring_.size();
  if (equal_run_ >= count) return 0.0;
  const double c = static_cast<double>(count);
  const double m = live_.sum / c;
  return std::max(0.0, live_.sum_sq / c - m * m);
}

double RollingWindow::weighted_mean() const {
  const int n = length();
  if (equal_run_ >= n) return last_;
  const double weight_total = static_cast<double>(n) * static_cast<double>(n + 1) / 2.0;
  return live_.shift + live_.weighted / weight_total;
}

template <bool kMax>
RollingExtreme<kMax>::RollingExtreme(int length)
    : slots_(static_cast<std::size_t>(checked_capacity(length))), length_(length) {}

template <bool kMax>
void RollingExtreme<kMax>::push(double x) {
  ++seq_;
  // Drop what has left the window (sequence numbers seq_-length_+1..seq_ remain).
  while (size_ > 0 && slots_[front_].seq <= seq_ - length_) {
    front_ = wrap(front_ + 1);
    --size_;
  }
  // Drop what x dominates: it is newer, so it outlives them in the window.
  while (size_ > 0) {
    const double back = slots_[wrap(front_ + size_ - 1)].value;
    if (kMax ? back > x : back < x) break;
    --size_;
  }
  slots_[wrap(front_ + size_)] = Slot{seq_, x};
  ++size_;
}

template class RollingExtreme<true>;
template class RollingExtreme<false>;

}  // namespace dalbit::ta
