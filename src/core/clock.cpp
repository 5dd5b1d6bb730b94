#include "core/clock.h"

namespace dalbit {

Timestamp WallClock::now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

bool SimClock::set(Timestamp t) {
  if (t < now_) return false;
  now_ = t;
  return true;
}

void SimClock::advance(Duration d) {
  if (d.count() > 0) now_ += d;
}

Timestamp ScaledClock::now() const {
  const std::chrono::duration<double, std::nano> real = std::chrono::steady_clock::now() - started_;
  return origin_ + std::chrono::duration_cast<Duration>(real * speed_);
}

}  // namespace dalbit
