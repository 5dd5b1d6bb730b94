// N-minute bars built from 1-minute bars (internal to src/lua).
//
// Buckets are aligned to the session's open (09:00, 09:05, ... for 5 minutes;
// 09:00, 10:00, ... for 60) and the day's last bucket ends at the close, so
// the 60-minute bar from 15:00 covers 15:00-15:30. `time` of a built bar is its
// bucket's start and `minutes` is N.
//
// When is a bucket complete? 1-minute bars arrive in time order (the engine
// completes a minute's bars before it goes on), so a bucket is complete when
// its code's bar for its last minute arrives, when any bar of a later minute
// arrives (complete_before), or when the session closes (flush). A bucket
// that began before the aggregator existed is incomplete and never delivered.
#pragma once

#include <unordered_map>
#include <vector>

#include "core/krx.h"
#include "core/types.h"
#include "lua/script.h"

namespace dalbit::lua::detail {

class BarAggregator {
 public:
  // Buckets starting before `complete_from` are dropped (their first minutes were missed).
  BarAggregator(int minutes, const krx::SessionTimes& sessions, Timestamp complete_from);

  [[nodiscard]] int minutes() const { return minutes_; }
  // Appends the bars of buckets that end by `t` (every code), in first-seen code order.
  void complete_before(Timestamp t, std::vector<Bar>& out);
  // Adds a 1-minute bar; appends its bucket's bar when `bar` is the bucket's last minute.
  void add(const Bar& bar, std::vector<Bar>& out);
  // Appends every bar still building (the session closed).
  void flush(std::vector<Bar>& out);

 private:
  struct Building {
    Bar bar;
    Timestamp end;
    bool active = false;
    bool drop = false;  // began before the aggregator existed
  };
  void complete(Building& b, std::vector<Bar>& out);
  void recompute_earliest_end();

  int minutes_;
  krx::SessionTimes sessions_;
  Timestamp complete_from_;
  std::unordered_map<StockCode, std::size_t, CodeHash> index_;
  std::vector<Building> codes_;  // first-seen order
  Timestamp earliest_end_ = Timestamp::max();
};

}  // namespace dalbit::lua::detail
