#include "lua/bars.h"

#include <algorithm>

namespace dalbit::lua::detail {

BarAggregator::BarAggregator(int minutes, const krx::SessionTimes& sessions, Timestamp complete_from)
    : minutes_(minutes), sessions_(sessions), complete_from_(complete_from) {}

void BarAggregator::complete(Building& b, std::vector<Bar>& out) {
  if (!b.drop) out.push_back(b.bar);
  b.active = false;
}

void BarAggregator::recompute_earliest_end() {
  earliest_end_ = Timestamp::max();
  for (const Building& b : codes_) {
    if (b.active) earliest_end_ = std::min(earliest_end_, b.end);
  }
}

void BarAggregator::complete_before(Timestamp t, std::vector<Bar>& out) {
  if (t < earliest_end_) return;
  for (Building& b : codes_) {
    if (b.active && b.end <= t) complete(b, out);
  }
  recompute_earliest_end();
}

void BarAggregator::add(const Bar& bar, std::vector<Bar>& out) {
  const Timestamp midnight = kst_midnight(bar.time);
  const Duration open = std::chrono::seconds(sessions_.open.seconds);
  const Duration length = std::chrono::minutes(minutes_);
  // Floor division: a bar before the open belongs to a bucket that ends at or before it.
  const Duration offset = bar.time - midnight - open;
  auto index = offset / length;
  if (offset % length < Duration::zero()) --index;
  const Timestamp start = midnight + open + index * length;
  Timestamp end = start + length;
  const Timestamp close = midnight + std::chrono::seconds(sessions_.close.seconds);
  if (start < close) end = std::min(end, close);

  auto [it, fresh] = index_.try_emplace(bar.code, codes_.size());
  if (fresh) codes_.emplace_back();
  Building& b = codes_[it->second];
  if (b.active && b.bar.time != start) complete(b, out);  // out of order: never merge two buckets
  if (!b.active) {
    b.active = true;
    b.drop = start < complete_from_;
    b.end = end;
    b.bar = bar;
    b.bar.time = start;
    b.bar.minutes = minutes_;
  } else {
    b.bar.high = std::max(b.bar.high, bar.high);
    b.bar.low = std::min(b.bar.low, bar.low);
    b.bar.close = bar.close;
    b.bar.volume += bar.volume;
  }
  if (bar.time + std::chrono::minutes(1) >= b.end) {
    // earliest_end_ may now be too early: that only costs complete_before one scan.
    complete(b, out);
  } else {
    earliest_end_ = std::min(earliest_end_, b.end);
  }
}

void BarAggregator::flush(std::vector<Bar>& out) {
  for (Building& b : codes_) {
    if (b.active) complete(b, out);
  }
  earliest_end_ = Timestamp::max();
}

}  // namespace dalbit::lua::detail
