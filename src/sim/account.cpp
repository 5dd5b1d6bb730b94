#include "sim/account.h"

#include <algorithm>
#include <cstdio>

namespace dalbit::sim {
namespace {

namespace kw = kiwoom;

std::string seven_digits(std::uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%07llu", static_cast<unsigned long long>(n));
  return buf;
}

std::string kind_text(Side side, kw::OrderAction action) {
  const std::string_view word = side == Side::Buy ? kw::order_kind_text::kBuy : kw::order_kind_text::kSell;
  switch (action) {
    case kw::OrderAction::New:
      return std::string(side == Side::Buy ? "+" : "-") + std::string(word);
    case kw::OrderAction::Modify:
      return std::string(side == Side::Buy ? "+" : "-") + std::string(word) + std::string(kw::order_kind_text::kModify);
    case kw::OrderAction::Cancel:
      return std::string(word) + std::string(kw::order_kind_text::kCancel);
  }
  return std::string(word);
}

OrderOutcome reject(RejectKind kind, std::string message) { return OrderOutcome{{}, Reject{kind, std::move(message)}}; }

OrderOutcome accepted(const std::string& order_no) { return OrderOutcome{order_no, std::nullopt}; }

}  // namespace

Account::Account(std::string number, Krw cash, krx::FeeSchedule fees)
    : number_(std::move(number)), cash_(cash), fees_(fees), matcher_(match::Params{100, fees}) {}

const SimOrder* Account::find(const std::string& order_no) const {
  for (const auto& o : orders_) {
    if (o.order_no == order_no) return &o;
  }
  return nullptr;
}

SimOrder* Account::find_mut(const std::string& order_no) {
  return const_cast<SimOrder*>(std::as_const(*this).find(order_no));
}

std::string Account::next_order_no() { return seven_digits(next_order_++); }

Krw Account::reserve_of(const SimOrder& o) const {
  if (o.side != Side::Buy || !o.working) return Krw(0);
  const Krw value = o.reserve_price * o.unfilled();
  return value + krx::commission(fees_, value);
}

Krw Account::reserved() const {
  Krw sum(0);
  for (const auto& o : orders_) sum += reserve_of(o);
  return sum;
}

Qty Account::sellable(const StockCode& code) const {
  const auto it = holdings_.find(code);
  Qty held = it == holdings_.end() ? Qty(0) : it->second.qty;
  for (const auto& o : orders_) {
    if (o.side == Side::Sell && o.code == code) held -= o.unfilled();
  }
  return held;
}

Krw Account::realized_today() const {
  Krw sum(0);
  for (const auto& [code, h] : holdings_) sum += h.realized_today;
  return sum;
}

Status Account::submit(SimOrder& o, const krx::PriceBand& band) {
  Order m;
  m.id = next_matcher_id_++;
  m.code = o.code;
  m.side = o.side;
  m.type = o.type;
  m.limit = o.price;
  m.qty = o.qty - o.filled;
  if (auto s = matcher_.submit(m, band); !s) return s;
  o.matcher_id = m.id;
  o.working = true;
  return {};
}

OrderOutcome Account::place(const NewOrder& req, AccountEvents& events) {
  if (req.qty.value() <= 0) return reject(RejectKind::BadQty, "qty " + std::to_string(req.qty.value()));
  if (req.price && !krx::valid_limit_price(*req.price, req.band)) {
    return reject(RejectKind::BadPrice, "price " + std::to_string(req.price->value()) + " is off the tick grid or outside " +
                                            std::to_string(req.band.lower.value()) + ".." +
                                            std::to_string(req.band.upper.value()));
  }
  SimOrder o;
  o.code = req.code;
  o.name = req.name;
  o.side = req.side;
  o.type = req.price ? OrderType::Limit : OrderType::Market;
  o.price = req.price.value_or(Price(0));
  o.reserve_price = req.price.value_or(req.band.upper);
  o.qty = req.qty;
  o.time = req.time;
  if (o.side == Side::Buy) {
    const Krw value = o.reserve_price * o.qty;
    const Krw need = value + krx::commission(fees_, value);
    if (need > orderable()) {
      return reject(RejectKind::NoCash, "needs " + std::to_string(need.value()) + " won, orderable " +
                                            std::to_string(orderable().value()));
    }
  } else if (sellable(o.code) < o.qty) {
    return reject(RejectKind::NoShares, "sellable " + std::to_string(sellable(o.code).value()) + " of " + o.code.str());
  }
  if (auto s = submit(o, req.band); !s) return reject(RejectKind::BadPrice, s.message());
  o.order_no = next_order_no();
  orders_.push_back(o);
  events.orders.push_back(event_of(orders_.back(), kw::OrderEventStatus::Accepted));
  return accepted(orders_.back().order_no);
}

OrderOutcome Account::amend(const std::string& orig_no, Qty qty, std::optional<Price> price,
                                   const krx::PriceBand& band, TimeOfDay time, AccountEvents& events) {
  SimOrder* orig = find_mut(orig_no);
  if (orig == nullptr || !orig->working) {
    return reject(RejectKind::UnknownOrder, "no working order " + orig_no);
  }
  const Qty rest = orig->unfilled();
  if (qty.value() < 0 || qty > rest) {
    return reject(RejectKind::BadQty, "qty " + std::to_string(qty.value()) + " of " + std::to_string(rest.value()) + " open");
  }
  const Qty moved = qty.value() == 0 ? rest : qty;
  if (price && !krx::valid_limit_price(*price, band)) {
    return reject(RejectKind::BadPrice, "price " + std::to_string(price->value()) + " is off the tick grid or outside " +
                                            std::to_string(band.lower.value()) + ".." + std::to_string(band.upper.value()));
  }
  SimOrder changed = *orig;
  changed.order_no = next_order_no();
  changed.orig_order_no = orig_no;
  changed.action = price ? kw::OrderAction::Modify : kw::OrderAction::Cancel;
  changed.qty = moved;
  changed.filled = Qty(0);
  changed.filled_value = Krw(0);
  changed.fees = changed.tax = Krw(0);
  changed.time = time;
  changed.working = false;
  if (price) {
    changed.type = OrderType::Limit;
    changed.price = *price;
    changed.reserve_price = *price;
    if (changed.side == Side::Buy) {
      const Krw value = *price * moved;
      const Krw extra = value + krx::commission(fees_, value);
      const Krw old_value = orig->reserve_price * moved;
      const Krw freed = old_value + krx::commission(fees_, old_value);
      if (extra - freed > orderable()) {
        return reject(RejectKind::NoCash, "modify needs " + std::to_string((extra - freed).value()) + " won more");
      }
    }
  }
  // Take `moved` shares off the original: the matcher cannot shrink an order,
  // so the rest is resubmitted under a new matcher id.
  matcher_.cancel(orig->matcher_id);
  orig->working = false;
  orig->qty -= moved;
  if (orig->qty > orig->filled) {
    if (auto s = submit(*orig, band); !s) return reject(RejectKind::BadPrice, s.message());
  }
  orders_.push_back(changed);
  SimOrder& added = orders_.back();
  events.orders.push_back(event_of(added, kw::OrderEventStatus::Accepted));
  if (price) {
    if (auto s = submit(added, band); !s) return reject(RejectKind::BadPrice, s.message());
  } else {
    added.cancelled = true;
  }
  events.orders.push_back(event_of(added, kw::OrderEventStatus::Confirmed));
  return accepted(added.order_no);
}

OrderOutcome Account::modify(const std::string& orig, Qty qty, Price price, const krx::PriceBand& band,
                                    TimeOfDay time, AccountEvents& events) {
  return amend(orig, qty, price, band, time, events);
}

OrderOutcome Account::cancel(const std::string& orig, Qty qty, const krx::PriceBand& band, TimeOfDay time,
                             AccountEvents& events) {
  return amend(orig, qty, std::nullopt, band, time, events);
}

void Account::on_tick(const Tick& tick, const std::string& name, Price base, AccountEvents& events) {
  fills_.clear();
  matcher_.on_tick(tick, fills_);
  for (const auto& f : fills_) {
    SimOrder* o = nullptr;
    for (auto& candidate : orders_) {
      if (candidate.working && candidate.matcher_id == f.order_id) o = &candidate;
    }
    if (o == nullptr) continue;
    o->filled += f.qty;
    o->filled_value += f.value();
    o->fees += f.commission;
    o->tax += f.tax;
    o->last_fill_price = f.price;
    o->last_fill_qty = f.qty;
    if (f.order_done) o->working = false;
    SimHolding& h = holdings_[o->code];
    const Krw value = f.value();
    if (o->side == Side::Buy) {
      cash_ -= value + f.commission;
      h.qty += f.qty;
      h.cost += value;
      h.buy_fees += f.commission;
      h.bought_today += f.qty;
      bought_today_ += value;
    } else {
      const Krw cost_share(h.cost.value() * f.qty.value() / h.qty.value());
      const Krw fee_share(h.buy_fees.value() * f.qty.value() / h.qty.value());
      cash_ += value - f.commission - f.tax;
      h.realized_today += value - cost_share - fee_share - f.commission - f.tax;
      h.cost -= cost_share;
      h.buy_fees -= fee_share;
      h.qty -= f.qty;
      h.sold_today += f.qty;
      sold_today_ += value;
    }
    fees_today_ += f.commission;
    taxes_today_ += f.tax;
    SimExecution e{seven_digits(next_exec_++), o->order_no, o->code, o->side, f.price, f.qty, f.commission, f.tax, f.time};
    executions_.push_back(e);
    auto ev = event_of(*o, kw::OrderEventStatus::Filled);
    ev.exec_no = e.exec_no;
    ev.exec_price = f.price;
    ev.exec_qty = o->filled;
    ev.unit_exec_price = f.price;
    ev.unit_exec_qty = f.qty;
    ev.time = kst_time_of_day(tick.time);
    events.orders.push_back(ev);
    events.balances.push_back(balance_of(o->code, name, tick.price, base));
  }
}

void Account::expire_all(TimeOfDay time, AccountEvents& events) {
  (void)matcher_.expire_all();
  for (auto& o : orders_) {
    if (!o.working) continue;
    o.working = false;
    o.cancelled = true;
    auto ev = event_of(o, kw::OrderEventStatus::Cancelled);
    ev.time = time;
    events.orders.push_back(ev);
  }
}

void Account::new_day() {
  for (auto& [code, h] : holdings_) {
    h.bought_today = h.sold_today = Qty(0);
    h.realized_today = Krw(0);
  }
  bought_today_ = sold_today_ = fees_today_ = taxes_today_ = Krw(0);
}

kw::OrderEvent Account::event_of(const SimOrder& o, kw::OrderEventStatus status) const {
  kw::OrderEvent e;
  e.order_no = o.order_no;
  e.code = o.code;
  e.status = status;
  e.side = o.side;
  e.order_qty = o.qty;
  e.order_price = o.price;
  e.unfilled = o.action == kw::OrderAction::Cancel ? Qty(0) : o.qty - o.filled;
  if (status == kw::OrderEventStatus::Cancelled) e.unfilled = Qty(0);
  e.time = o.time;
  e.account = number_;
  e.name = o.name;
  e.kind = kind_text(o.side, o.action);
  e.trade_type = std::string(o.type == OrderType::Market ? kw::trade_type_text::kMarket : kw::trade_type_text::kLimit);
  e.filled_amount = o.filled_value;
  if (!o.orig_order_no.empty()) e.orig_order_no = o.orig_order_no;
  e.fee = o.fees;
  e.tax = o.tax;
  e.reject_reason = "0";
  return e;
}

kw::BalanceEvent Account::balance_of(const StockCode& code, const std::string& name, Price current, Price base) const {
  const auto it = holdings_.find(code);
  const SimHolding h = it == holdings_.end() ? SimHolding{} : it->second;
  kw::BalanceEvent b;
  b.code = code;
  b.qty = h.qty;
  b.avg_price = h.avg_price();
  b.total_cost = h.cost;
  b.sellable = sellable(code);
  b.account = number_;
  b.name = name;
  b.current = current;
  b.base_price = base;
  b.net_bought_today = h.bought_today - h.sold_today;
  b.realized_today = h.realized_today;
  b.credit_type = "00";
  return b;
}

}  // namespace dalbit::sim
