#include "sim/market.h"

#include <algorithm>
#include <chrono>

#include "data/generator.h"

namespace dalbit::sim {
namespace {

constexpr auto kStep = std::chrono::seconds(1);

bool weekday(KstDate d) { return d.weekday() != 0 && d.weekday() != 6; }

KstDate add_days(KstDate d, int days) {
  return kst_date(from_kst(d, TimeOfDay{12 * 3600}) + std::chrono::hours(24) * days);
}

// A fixed mix of the inputs (splitmix64): book sizes that are stable between
// calls without consuming the market's random stream.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t code_key(const StockCode& c) {
  std::uint64_t k = 0;
  for (char ch : c.view()) k = k * 131 + static_cast<unsigned char>(ch);
  return k;
}

}  // namespace

Market::Market(MarketOptions options, Timestamp start)
    : options_(options), rng_(options.seed), now_(start), date_(kst_date(start)) {
  std::vector<KstDate> days;
  for (KstDate d = add_days(date_, -1); static_cast<int>(days.size()) < options_.history_days;
       d = add_days(d, -1)) {
    if (weekday(d)) days.push_back(d);
  }
  std::reverse(days.begin(), days.end());
  for (const auto& spec : data::default_codes(options_.codes)) {
    Stock s;
    s.code = spec.code;
    s.name = spec.name;
    Price close = spec.start;
    std::normal_distribution<double> daily(0.0, spec.volatility_bp / 10000.0);
    for (const KstDate& d : days) {
      const auto band = krx::daily_band(close);
      const auto move = [&] {
        const double r = daily(rng_);
        return krx::round_limit(Price(static_cast<std::int64_t>(static_cast<double>(close.value()) * (1.0 + r))),
                                Side::Buy);
      };
      const Price open = std::clamp(move(), band.lower, band.upper);
      const Price next = std::clamp(move(), band.lower, band.upper);
      const Qty volume(static_cast<std::int64_t>(700'000 + rng_() % 700'000));
      s.history.push_back({d, open, std::max(open, next), std::min(open, next), next, volume});
      close = next;
    }
    s.base = close;
    s.previous_volume = s.history.empty() ? Qty(100'000) : s.history.back().volume;
    s.band = krx::daily_band(s.base);
    s.last = s.base;
    stocks_.push_back(std::move(s));
  }
}

krx::SessionPhase Market::phase() const {
  if (!weekday(date_)) return krx::SessionPhase::Closed;
  return krx::phase_at(options_.session, kst_time_of_day(now_));
}

const Stock* Market::find(const StockCode& code) const {
  for (const auto& s : stocks_) {
    if (s.code == code) return &s;
  }
  return nullptr;
}

void Market::roll_day(KstDate date) {
  for (auto& s : stocks_) {
    if (s.traded()) {
      s.history.push_back({date_, s.open, s.high, s.low, s.last, s.volume});
      s.previous_volume = s.volume;
      s.base = s.last;
    }
    s.band = krx::daily_band(s.base);
    s.last = s.base;
    s.open = s.high = s.low = Price(0);
    s.volume = Qty(0);
    s.value = Krw(0);
    s.trades.clear();
  }
  date_ = date;
  closing_printed_ = false;
}

Print Market::trade(Stock& s, Timestamp t, Price price, Qty qty) {
  if (!s.traded()) s.open = s.high = s.low = price;
  s.high = std::max(s.high, price);
  s.low = std::min(s.low, price);
  s.last = price;
  s.volume += qty;
  s.value += price * qty;
  Tick tick{t, s.code, price, qty};
  s.trades.push_back(tick);
  return Print{tick, s.volume, s.value, s.open, s.high, s.low};
}

void Market::step(Timestamp t, std::vector<Print>& out) {
  const KstDate d = kst_date(t);
  if (d != date_) roll_day(d);
  now_ = t;
  const auto ph = phase();
  if (ph == krx::SessionPhase::Continuous) {
    for (auto& s : stocks_) {
      if (!s.traded()) {
        // The opening auction's print: a gap of up to 12 ticks from the base.
        const int gap = static_cast<int>(rng_() % 25) - 12;
        const Price open = std::clamp(krx::add_ticks(s.base, gap), s.band.lower, s.band.upper);
        out.push_back(trade(s, t, open, Qty(static_cast<std::int64_t>(1'000 + rng_() % 5'000))));
        continue;
      }
      if (static_cast<int>(rng_() % 1000) >= options_.trade_permille) continue;
      const int direction = static_cast<int>(rng_() % 3) - 1;
      const Price next = std::clamp(krx::add_ticks(s.last, direction), s.band.lower, s.band.upper);
      const Qty qty(static_cast<std::int64_t>(1 + rng_() % 300));
      out.push_back(trade(s, t, next, qty));
    }
  } else if (ph == krx::SessionPhase::Closed && !closing_printed_ && weekday(date_) &&
             kst_time_of_day(t) >= options_.session.close) {
    closing_printed_ = true;  // the closing auction's single print
    for (auto& s : stocks_) {
      out.push_back(trade(s, t, s.last, Qty(static_cast<std::int64_t>(1'000 + rng_() % 5'000))));
    }
  }
}

void Market::advance_to(Timestamp now, std::vector<Print>& out) {
  while (now_ + kStep <= now) step(now_ + kStep, out);
}

Print Market::print_now(const StockCode& code, Qty qty) {
  for (auto& s : stocks_) {
    if (s.code == code) return trade(s, now_, s.last, qty);
  }
  return Print{Tick{now_, code, Price(0), Qty(0)}, Qty(0), Krw(0), Price(0), Price(0), Price(0)};
}

Book Market::book(const StockCode& code) const {
  Book b;
  const Stock* s = find(code);
  if (s == nullptr) return b;
  const std::uint64_t seed = mix(code_key(code) ^ static_cast<std::uint64_t>(s->last.value()));
  for (std::size_t i = 0; i < 10; ++i) {
    const Price ask = krx::add_ticks(s->last, static_cast<int>(i) + 1);
    const Price bid = krx::add_ticks(s->last, -static_cast<int>(i));
    if (s->band.contains(ask)) {
      b.asks.prices[i] = ask;
      b.asks.qtys[i] = Qty(static_cast<std::int64_t>(100 + mix(seed + 2 * i) % 5'000));
    }
    if (s->band.contains(bid) && (i == 0 || bid < b.bids.prices[i - 1])) {
      b.bids.prices[i] = bid;
      b.bids.qtys[i] = Qty(static_cast<std::int64_t>(100 + mix(seed + 2 * i + 1) % 5'000));
    }
  }
  return b;
}

}  // namespace dalbit::sim
