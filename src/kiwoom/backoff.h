// Reconnect backoff in the manner of gRPC's BackOff (grpc/grpc
// src/core/lib/backoff/backoff.cc): the first delay is `initial`, each next
// one is the previous times `multiplier` up to `max`, and each is spread by
// ±jitter. reset() after a success starts over. The RNG is seeded, so a test
// sees one fixed sequence.
#pragma once

#include <cstdint>
#include <random>

#include "core/time.h"

namespace dalbit::kiwoom {

struct BackoffConfig {
  Duration initial = std::chrono::seconds(1);
  double multiplier = 1.6;
  double jitter = 0.2;  // a delay d becomes uniform in [d*(1-jitter), d*(1+jitter))
  Duration max = std::chrono::seconds(120);
};

class Backoff {
 public:
  explicit Backoff(BackoffConfig config = {}, std::uint64_t seed = 1);
  // The delay before the next attempt.
  [[nodiscard]] Duration next();
  void reset();
  [[nodiscard]] int attempts() const { return attempts_; }
  [[nodiscard]] const BackoffConfig& config() const { return config_; }

 private:
  BackoffConfig config_;
  Duration current_;
  int attempts_ = 0;
  std::mt19937_64 rng_;  // its output sequence is fixed by the standard
};

}  // namespace dalbit::kiwoom
