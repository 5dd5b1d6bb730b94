// Drives the engine through recorded market data on a simulated clock: the
// backtest loop. Live trading feeds the same engine from the network instead.
#pragma once

#include <cstdint>
#include <functional>

#include "core/clock.h"
#include "core/krx.h"
#include "core/result.h"
#include "data/replay.h"
#include "engine/engine.h"

namespace dalbit::engine {

struct ReplayProgress {
  std::uint64_t events = 0;
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
  Timestamp now;
};

// Feeds every event of `source` to `engine`, moving `clock` to each event's
// time (a bar's end: it is known only once complete) and closing each trading
// day at the session's close. `progress` is called every `progress_every` events.
[[nodiscard]] Status run_replay(data::ReplaySource& source, Engine& engine, SimClock& clock,
                                const krx::SessionTimes& sessions,
                                const std::function<void(const ReplayProgress&)>& progress,
                                std::uint64_t progress_every = 1 << 16);

}  // namespace dalbit::engine
