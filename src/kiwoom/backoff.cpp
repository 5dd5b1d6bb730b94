#include "kiwoom/backoff.h"

#include <algorithm>
#include <cmath>

namespace dalbit::kiwoom {

Backoff::Backoff(BackoffConfig config, std::uint64_t seed)
    : config_(config), current_(config.initial), rng_(seed) {}

Duration Backoff::next() {
  if (attempts_ > 0) {
    const double grown = static_cast<double>(current_.count()) * config_.multiplier;
    const double cap = static_cast<double>(config_.max.count());
    current_ = Duration(static_cast<Duration::rep>(std::min(grown, cap)));
  }
  ++attempts_;
  if (config_.jitter <= 0.0) return current_;
  // A uniform double in [0, 1) from the top 53 bits: unlike
  // std::uniform_real_distribution, the same on every standard library.
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
  const double factor = 1.0 - config_.jitter + 2.0 * config_.jitter * u;
  return Duration(static_cast<Duration::rep>(std::llround(static_cast<double>(current_.count()) * factor)));
}

void Backoff::reset() {
  current_ = config_.initial;
  attempts_ = 0;
}

}  // namespace dalbit::kiwoom
