#include "engine/market_state.h"

namespace dalbit::engine {

Timestamp minute_start(Timestamp t) { return std::chrono::floor<std::chrono::minutes>(t); }

CodeState& MarketState::touch(StockCode code, Price first_price) {
  auto [it, fresh] = codes_.try_emplace(code);
  CodeState& s = it->second;
  if (fresh) {
    s.code = code;
    order_.push_back(code);
  }
  if (!s.seen_today) {
    s.seen_today = true;
    if (s.base.value() == 0) {
      s.base = first_price;
      s.band = krx::daily_band(s.base, limit_pct_);
    }
  }
  return s;
}

const CodeState& MarketState::on_tick(const Tick& t) {
  CodeState& s = touch(t.code, t.price);
  s.last = t.price;
  const Timestamp minute = minute_start(t.time);
  Bar& b = s.building;
  if (!s.has_building || b.time != minute) {
    // A tick for a new minute when the old bar was not completed yet can only
    // happen if the caller skipped complete_bars_before; start afresh.
    b = Bar{minute, t.code, t.price, t.price, t.price, t.price, t.volume, 1};
    s.has_building = true;
  } else {
    if (t.price > b.high) b.high = t.price;
    if (t.price < b.low) b.low = t.price;
    b.close = t.price;
    b.volume += t.volume;
  }
  return s;
}

const CodeState& MarketState::on_bar(const Bar& bar) {
  CodeState& s = touch(bar.code, bar.open);
  s.last = bar.close;
  return s;
}

void MarketState::complete_bars_before(Timestamp minute, std::vector<Bar>& out) {
  for (const StockCode& code : order_) {
    CodeState& s = codes_.at(code);
    if (s.has_building && s.building.time < minute) {
      out.push_back(s.building);
      s.has_building = false;
    }
  }
}

void MarketState::new_day() {
  for (auto& [code, s] : codes_) {
    if (s.last.value() > 0) {
      s.base = s.last;
      s.band = krx::daily_band(s.base, limit_pct_);
    }
    s.seen_today = false;
    s.has_building = false;
  }
}

const CodeState* MarketState::find(StockCode code) const {
  const auto it = codes_.find(code);
  return it == codes_.end() ? nullptr : &it->second;
}

Price MarketState::last(StockCode code) const {
  const auto* s = find(code);
  return s ? s->last : Price(0);
}

}  // namespace dalbit::engine
