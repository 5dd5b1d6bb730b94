// The one source of "now". Engine, risk and Lua read time only through a
// Clock, so a backtest (SimClock driven by the data) and live trading
// (WallClock) run the same code.
#pragma once

#include <chrono>

#include "core/time.h"

namespace dalbit {

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual Timestamp now() const = 0;
};

class WallClock final : public Clock {
 public:
  [[nodiscard]] Timestamp now() const override;
};

// Time moves only when told to, and never backwards: a replay that feeds an
// older event than the current time is a data error, not a time machine.
class SimClock final : public Clock {
 public:
  explicit SimClock(Timestamp start = Timestamp{}) : now_(start) {}
  [[nodiscard]] Timestamp now() const override { return now_; }
  // Returns false (and leaves the time alone) when `t` is before now().
  bool set(Timestamp t);
  void advance(Duration d);

 private:
  Timestamp now_;
};

// Real time shifted to `origin` and run `speed` times faster: the engine
// follows the simulator's fast market clock with it (a demo's session in two
// minutes). Rate limits and tokens stay on the WallClock: the broker judges
// them in real seconds.
class ScaledClock final : public Clock {
 public:
  ScaledClock(Timestamp origin, double speed)
      : origin_(origin), started_(std::chrono::steady_clock::now()), speed_(speed) {}
  [[nodiscard]] Timestamp now() const override;
  [[nodiscard]] double speed() const { return speed_; }

 private:
  Timestamp origin_;
  std::chrono::steady_clock::time_point started_;
  double speed_;
};

}  // namespace dalbit
