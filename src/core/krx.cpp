#include "core/krx.h"

namespace dalbit::krx {

Price add_ticks(Price p, int n) {
  for (; n > 0; --n) p = tick_up(p);
  for (; n < 0 && p.value() > 1; ++n) p = tick_down(p);
  return p;
}

PriceBand daily_band(Price base, int limit_pct) {
  const auto tick = tick_size(base).value();
  auto amount = base.value() * limit_pct / 100;
  amount -= amount % tick;
  const Price upper = floor_to_tick(Price(base.value() + amount));
  Price lower = floor_to_tick(Price(base.value() - amount));
  if (lower.value() < 1) lower = Price(1);
  return {lower, upper};
}

std::string_view to_string(SessionPhase p) {
  switch (p) {
    case SessionPhase::Closed: return "closed";
    case SessionPhase::PreOpen: return "pre_open";
    case SessionPhase::Continuous: return "open";
    case SessionPhase::ClosingAuction: return "closing";
  }
  return "closed";
}

SessionPhase phase_at(const SessionTimes& s, TimeOfDay t) {
  if (t < s.pre_open || t >= s.close) return SessionPhase::Closed;
  if (t < s.open) return SessionPhase::PreOpen;
  if (t < s.closing_auction) return SessionPhase::Continuous;
  return SessionPhase::ClosingAuction;
}

Krw commission(const FeeSchedule& f, Krw value) {
  const auto raw = value.value() * f.commission_ppm / 1'000'000;
  const auto unit = f.commission_unit > 0 ? f.commission_unit : 1;
  return Krw(raw - raw % unit);
}

Krw sell_tax(const FeeSchedule& f, Krw value) {
  return Krw(value.value() * f.sell_tax_ppm / 1'000'000);
}

}  // namespace dalbit::krx
