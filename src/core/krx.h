// KRX market rules (../shared/kiwoom/krx.md): the tick grid in force since
// 2023-01-25, the daily price band, session phases, commission and tax.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/money.h"
#include "core/time.h"
#include "core/types.h"

namespace dalbit::krx {

// Tick size of a price ("X 이상 Y 미만": a price on a boundary takes the larger tick).
[[nodiscard]] constexpr Price tick_size(Price p) {
  const auto v = p.value();
  if (v < 2'000) return Price(1);
  if (v < 5'000) return Price(5);
  if (v < 20'000) return Price(10);
  if (v < 50'000) return Price(50);
  if (v < 200'000) return Price(100);
  if (v < 500'000) return Price(500);
  return Price(1'000);
}

[[nodiscard]] constexpr bool on_grid(Price p) {
  return p.value() > 0 && p.value() % tick_size(p).value() == 0;
}
// Largest valid price <= p (tick sizes divide each other, so this is well defined).
[[nodiscard]] constexpr Price floor_to_tick(Price p) {
  return Price(p.value() - p.value() % tick_size(p).value());
}
// Smallest valid price >= p.
[[nodiscard]] constexpr Price ceil_to_tick(Price p) {
  const auto t = tick_size(p).value();
  return p.value() % t ? Price(floor_to_tick(p).value() + t) : p;
}
// Next valid price strictly above p.
[[nodiscard]] constexpr Price tick_up(Price p) {
  const Price f = floor_to_tick(p);
  return f + tick_size(f);
}
// Next valid price strictly below p.
[[nodiscard]] constexpr Price tick_down(Price p) {
  return p.value() % tick_size(p).value() ? floor_to_tick(p) : p - tick_size(p - Price(1));
}
// n ticks away from an on-grid price (n < 0 goes down); never below one won.
[[nodiscard]] Price add_ticks(Price p, int n);

// Rounds a limit price onto the grid in the order's favour-safe direction: a
// buy never pays more than asked (down), a sell never takes less (up).
[[nodiscard]] constexpr Price round_limit(Price p, Side side) {
  return side == Side::Buy ? floor_to_tick(p) : ceil_to_tick(p);
}

struct PriceBand {
  Price lower;
  Price upper;
  [[nodiscard]] constexpr bool contains(Price p) const { return p >= lower && p <= upper; }
};

// The day's limit prices around the base price (normally the previous close):
// amount = base * pct / 100 truncated to tick(base); upper and lower are then
// truncated to their own ticks. Gives 94,200 / 50,800 for a 72,500 base.
[[nodiscard]] PriceBand daily_band(Price base, int limit_pct = 30);

// True when `p` is a price an order may carry today: on the grid, inside the band.
[[nodiscard]] constexpr bool valid_limit_price(Price p, const PriceBand& band) {
  return on_grid(p) && band.contains(p);
}

enum class SessionPhase : std::uint8_t {
  Closed,          // before the pre-open and after the close
  PreOpen,         // 08:30-09:00 opening call auction: orders collected
  Continuous,      // 09:00-15:20 continuous matching
  ClosingAuction,  // 15:20-15:30 closing call auction
};
[[nodiscard]] std::string_view to_string(SessionPhase p);

struct SessionTimes {
  TimeOfDay pre_open = TimeOfDay::hm(8, 30);
  TimeOfDay open = TimeOfDay::hm(9, 0);
  TimeOfDay closing_auction = TimeOfDay::hm(15, 20);
  TimeOfDay close = TimeOfDay::hm(15, 30);
};
[[nodiscard]] SessionPhase phase_at(const SessionTimes& s, TimeOfDay t);

// Rates in parts per million of the trade value (0.015 % = 150 ppm).
struct FeeSchedule {
  std::int64_t commission_ppm = 150;   // Kiwoom online, both sides
  std::int64_t commission_unit = 10;   // commission is truncated to a multiple of this (won)
  std::int64_t sell_tax_ppm = 2'000;   // 2026: 0.05 % + 0.15 % rural special tax, sells only
};

// floor(value * rate) truncated to the commission unit; see krx.md 7.2.
[[nodiscard]] Krw commission(const FeeSchedule& f, Krw value);
// floor(value * rate) to the won; sells only.
[[nodiscard]] Krw sell_tax(const FeeSchedule& f, Krw value);

}  // namespace dalbit::krx
