#include "engine/replay.h"

#include <fmt/format.h>

namespace dalbit::engine {
namespace {

// Moves the clock to the session close of the day that just ended (if not
// past it already), so that end-of-day events carry that day's time.
void close_session(Engine& engine, SimClock& clock, KstDate day, const krx::SessionTimes& sessions) {
  const Timestamp close = from_kst(day, sessions.close);
  if (clock.now() < close) (void)clock.set(close);
  engine.close_day();
}

}  // namespace

Status run_replay(data::ReplaySource& source, Engine& engine, SimClock& clock,
                  const krx::SessionTimes& sessions,
                  const std::function<void(const ReplayProgress&)>& progress,
                  std::uint64_t progress_every) {
  data::MarketEvent ev;
  ReplayProgress p;
  Timestamp next_midnight{};
  KstDate day;
  bool started = false;
  bool seen_ticks = false, seen_bars = false;
  while (source.next(ev)) {
    const bool is_tick = ev.kind == data::EventKind::Tick;
    // A bar is known only at its end, a tick at once: mixed, the clock would
    // have to run backwards. One replay takes one kind.
    (is_tick ? seen_ticks : seen_bars) = true;
    if (seen_ticks && seen_bars) {
      return Error{"the data mixes bars and ticks: replay one kind at a time (e.g. --data DIR/bars)"};
    }
    const Timestamp start = is_tick ? ev.tick.time : ev.bar.time;
    if (start >= next_midnight) {
      if (started) close_session(engine, clock, day, sessions);
      started = true;
      day = kst_date(start);
      next_midnight = from_kst(day, TimeOfDay{0}) + std::chrono::hours(24);
    }
    const Timestamp at = is_tick ? start : start + std::chrono::minutes(ev.bar.minutes);
    if (!clock.set(at)) {
      return Error{fmt::format("market data goes back in time at {} (the clock is at {})", format_kst(at),
                               format_kst(clock.now()))};
    }
    if (is_tick) {
      engine.on_tick(ev.tick);
    } else {
      engine.on_bar(ev.bar);
    }
    if (++p.events % progress_every == 0 && progress) {
      p.bytes_done = source.bytes_done();
      p.bytes_total = source.bytes_total();
      p.now = clock.now();
      progress(p);
    }
  }
  if (const auto& stop = source.stopped()) return *stop;
  if (started) close_session(engine, clock, day, sessions);
  if (progress) {
    p.bytes_done = source.bytes_total();
    p.bytes_total = source.bytes_total();
    p.now = clock.now();
    progress(p);
  }
  return {};
}

}  // namespace dalbit::engine
