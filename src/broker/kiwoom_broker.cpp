#include "broker/kiwoom_broker.h"

#include <algorithm>
#include <utility>

#include "kiwoom/protocol.h"
#include "kiwoom/rest.h"
#include "kiwoom/rest_client.h"
#include "log/log.h"

namespace dalbit::broker {

namespace kw = kiwoom;

// ---------------------------------------------------------------- the arithmetic

OrderOutcome order_outcome(const kw::ApiError& error) {
  switch (error.kind) {
    case kw::ErrorKind::Network:    // no answer: the request may have reached the broker
    case kw::ErrorKind::Malformed:  // an answer we cannot read may have been an acceptance
      return OrderOutcome::Unknown;
    case kw::ErrorKind::TokenInvalid:  // refused before it was looked at (the client already retried once)
    case kw::ErrorKind::RateLimited:   // refused before it was looked at (after the client's retries)
    case kw::ErrorKind::Rejected:      // the broker said no: price, cash, market closed, unknown code...
      break;
  }
  // A 5xx (with or without a return_code) can come from a gateway that lost
  // the answer of an order the broker accepted: only a 2xx/4xx refusal is definite.
  if (error.http_status >= 500) return OrderOutcome::Unknown;
  return OrderOutcome::Rejected;
}

std::optional<Qty> cumulative_filled(const kw::OrderEvent& event) {
  if (event.status != kw::OrderEventStatus::Filled) return std::nullopt;
  // FID 911 (체결량, exec_qty) is the order's cumulative filled shares by the
  // OCX convention; UNCONFIRMED for REST (docs/kiwoom.md), and the simulator
  // sends it so. It is preferred to 900 - 902 (order_qty - unfilled), which
  // would count shares taken off by a partial cancel as filled if the broker
  // lowers 902 without lowering 900; that is the fallback only.
  if (event.exec_qty) return *event.exec_qty;
  const Qty filled = event.order_qty - event.unfilled;
  if (filled.value() <= 0) return std::nullopt;
  return filled;
}

NewFills new_fills(const kw::OrderEvent& event, Qty reported, Krw reported_value) {
  NewFills out;
  const auto cumulative = cumulative_filled(event);
  if (!cumulative || *cumulative <= reported) return out;
  const Qty added = *cumulative - reported;
  const std::optional<Qty> unit_qty = event.unit_exec_qty;
  const std::optional<Price> unit_price = event.unit_exec_price ? event.unit_exec_price : event.exec_price;
  const auto one = [&](Price price, bool exact) {
    out.parts[0] = {added, price, *cumulative};
    out.count = 1;
    out.exact = exact;
  };
  // The usual case: this event is the one execution not reported yet.
  if (unit_qty && *unit_qty == added && unit_price && unit_price->value() > 0) {
    one(*unit_price, true);
    return out;
  }
  // Events were missed or re-ordered: the broker's filled amount (903) less
  // what was reported is the value of everything not reported yet.
  if (event.filled_amount) {
    const Krw missing = *event.filled_amount - reported_value;
    // This execution at its own price and the earlier ones at what is left:
    // for a swapped pair, the same two fills (ids, fees) as in order.
    if (unit_qty && unit_price && unit_qty->value() > 0 && *unit_qty < added) {
      const Qty earlier = added - *unit_qty;
      const Krw earlier_value = missing - *unit_price * *unit_qty;
      if (earlier_value.value() > 0 && earlier_value.value() % earlier.value() == 0) {
        out.parts[0] = {earlier, Price(earlier_value.value() / earlier.value()), reported + earlier};
        out.parts[1] = {*unit_qty, *unit_price, *cumulative};
        out.count = 2;
        return out;
      }
    }
    if (missing.value() > 0 && missing.value() % added.value() == 0) {
      one(Price(missing.value() / added.value()), true);
      return out;
    }
  }
  if (unit_price && unit_price->value() > 0) {
    one(*unit_price, false);
    return out;
  }
  out.exact = false;  // shares filled, no price to report them at
  return out;
}

namespace {

// Order numbers are digit strings of one width ("0000139"); shorter first
// keeps the order right should the width ever differ.
bool order_no_less(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

Result<kw::OrderKind> kind_of(std::string_view api_id, const std::string& order_no, const std::string& text) {
  auto kind = kw::parse_order_kind("io_tp_nm", text);
  if (!kind) return Error{std::string(api_id) + ": order " + order_no + ": " + kind.error().message};
  return *kind;
}

OrderType type_of(std::string_view trade_type_text) {
  return trade_type_text == kw::trade_type_text::kMarket ? OrderType::Market : OrderType::Limit;
}

}  // namespace

// ka10076 lists every order with an execution (filled = cntr_qty, read as the
// order's cumulative count; a repeated number keeps the larger count), and
// ka10075 every order still working (open = oso_qty; an order missing there is
// not open, whatever ka10076's oso_qty says after a cancel). filled_value
// comes from ka10075's cntr_tot_amt only: ka10076's cntr_pric may be an
// average and its product not the exact value.
Result<std::vector<BrokerOrder>> merge_orders(const std::vector<kw::OpenOrders>& open,
                                              const std::vector<kw::Executions>& executions) {
  std::vector<BrokerOrder> out;
  std::unordered_map<std::string, std::size_t> index;
  const auto entry = [&](const std::string& order_no) -> std::pair<BrokerOrder&, bool> {
    const auto [it, fresh] = index.try_emplace(order_no, out.size());
    if (fresh) out.emplace_back().broker_no = order_no;
    return {out[it->second], fresh};
  };
  const auto describe = [](BrokerOrder& o, const kw::OrderKind& kind, const StockCode& code, std::string_view trade_type,
                           Price price, Qty qty, const std::optional<std::string>& orig) {
    o.orig_broker_no = orig.value_or("");
    o.code = code;
    o.side = kind.side;
    o.type = type_of(trade_type);
    o.limit = o.type == OrderType::Market ? Price(0) : price;
    o.qty = qty;
    o.cancel_order = kind.action == kw::OrderAction::Cancel;
  };
  for (const auto& page : executions) {
    for (const auto& row : page.executions) {
      auto kind = kind_of(kw::api_id::kExecutions, row.order_no, row.kind);
      if (!kind) return kind.error();
      auto [o, fresh] = entry(row.order_no);
      if (!fresh && row.filled <= o.filled) continue;
      describe(o, *kind, row.code, row.trade_type, row.order_price, row.order_qty, row.orig_order_no);
      o.filled = row.filled;
      o.fill_price = row.fill_price;
    }
  }
  for (const auto& page : open) {
    for (const auto& row : page.orders) {
      auto kind = kind_of(kw::api_id::kOpenOrders, row.order_no, row.kind);
      if (!kind) return kind.error();
      auto [o, fresh] = entry(row.order_no);
      describe(o, *kind, row.code, row.trade_type, row.order_price, row.order_qty, row.orig_order_no);
      o.open = row.unfilled;
      if (fresh) o.filled = row.order_qty - row.unfilled;
      if (row.filled_amount) o.filled_value = *row.filled_amount;
    }
  }
  std::sort(out.begin(), out.end(),
            [](const BrokerOrder& a, const BrokerOrder& b) { return order_no_less(a.broker_no, b.broker_no); });
  return out;
}

// ---------------------------------------------------------------- the broker

KiwoomBroker::KiwoomBroker(kw::KiwoomRestClient& rest, const Clock& clock, KiwoomBrokerConfig config)
    : rest_(rest), clock_(clock), config_(config) {}

KiwoomBroker::~KiwoomBroker() = default;

KiwoomBroker::Tracked* KiwoomBroker::find(OrderId id) {
  const auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : &it->second;
}

void KiwoomBroker::submit(const Order& order, const krx::PriceBand& /*band: the broker checks prices itself*/) {
  expire_early_events();
  const auto [it, fresh] = orders_.try_emplace(order.id);
  if (!fresh) {
    log::errors().error("order {}: submitted twice; the second submit is not sent", order.id);
    return;
  }
  it->second.order = order;
  kw::NewOrderRequest request;
  request.side = order.side;
  request.venue = kw::Venue::Krx;
  request.code = order.code;
  request.qty = order.qty;
  if (order.type == OrderType::Limit) {
    request.type = kw::TradeType::Limit;
    request.price = order.limit;
  } else {
    request.type = kw::TradeType::Market;
  }
  ++stats_.sent;
  log::orders().info("order {} sent ({}): {} {} {} x{} @{}", order.id, request.api_id(), to_string(order.side),
                     order.code.view(), to_string(order.type), order.qty.value(), order.limit.value());
  rest_.call(request, [this, alive = std::weak_ptr<bool>(alive_), id = order.id](kw::ApiResult<kw::OrderAck> answer) {
    if (alive.expired()) return;
    if (answer) {
      on_order_answer(id, &answer->order_no, nullptr);
    } else {
      on_order_answer(id, nullptr, &answer.error());
    }
  });
}

void KiwoomBroker::on_order_answer(OrderId id, const std::string* order_no, const kw::ApiError* error) {
  Tracked* t = find(id);
  if (t == nullptr) return;
  if (error != nullptr) {
    t->closed = true;
    const std::string reason = error->describe();
    if (order_outcome(*error) == OrderOutcome::Rejected) {
      ++stats_.rejected;
      log::orders().warn("order {} rejected: {}", id, reason);
      listener_->on_rejected(id, reason);
    } else {
      ++stats_.unknown;
      log::orders().error("order {} outcome unknown, not resent; reconciliation decides: {}", id, reason);
      if (t->cancel_wanted) log::orders().error("order {}: its cancel cannot be sent without an order number", id);
      listener_->on_unknown(id, reason);
    }
    expire_early_events();
    return;
  }
  if (const auto taken = by_broker_no_.find(*order_no); taken != by_broker_no_.end() && taken->second != id) {
    log::errors().error("order {}: broker number {} already belongs to order {}; left to reconciliation", id, *order_no,
                        taken->second);
    ++stats_.unknown;
    t->closed = true;
    listener_->on_unknown(id, "broker number " + *order_no + " already belongs to order " + std::to_string(taken->second));
    return;
  }
  t->broker_no = *order_no;
  by_broker_no_[t->broker_no] = id;
  ++stats_.acked;
  log::orders().info("order {} acked as {}", id, t->broker_no);
  listener_->on_accepted(id, t->broker_no);
  replay_early(t->broker_no);
  if (t->cancel_wanted) {
    if (t->cancel_reported || t->reported >= t->order.qty) {
      t->cancel_wanted = false;
    } else {
      send_cancel(id, *t);
    }
  }
  expire_early_events();
}

void KiwoomBroker::cancel(OrderId id) {
  Tracked* t = find(id);
  if (t == nullptr) {
    log::errors().error("order {}: cancel of an order this broker never sent", id);
    return;
  }
  if (t->closed || t->cancel_reported || t->reported >= t->order.qty) {
    log::orders().info("order {}: nothing left to cancel", id);
    return;
  }
  if (t->broker_no.empty()) {
    t->cancel_wanted = true;
    log::orders().info("order {}: cancel held until the order is acked", id);
    return;
  }
  if (t->cancel_in_flight) return;
  send_cancel(id, *t);
}

void KiwoomBroker::send_cancel(OrderId id, Tracked& t) {
  t.cancel_wanted = false;
  t.cancel_in_flight = true;
  ++stats_.cancels;
  kw::CancelOrderRequest request;
  request.venue = kw::Venue::Krx;
  request.orig_order_no = t.broker_no;
  request.code = t.order.code;
  request.qty = Qty(0);
  log::orders().info("order {} cancel sent ({}) for {}", id, request.api_id(), t.broker_no);
  rest_.call(request, [this, alive = std::weak_ptr<bool>(alive_), id](kw::ApiResult<kw::CancelAck> answer) {
    if (alive.expired()) return;
    Tracked* tracked = find(id);
    if (tracked == nullptr) return;
    tracked->cancel_in_flight = false;
    if (answer) {
      log::orders().info("order {} cancel acked as {}", id, answer->order_no);
    } else {
      // Nothing to tell the engine: the order works on until a 00 event or
      // reconciliation says otherwise, and the engine may ask again.
      log::orders().warn("order {} cancel failed: {}", id, answer.error().describe());
    }
  });
}

void KiwoomBroker::adopt(OrderId id, const Order& order) {
  if (order.broker_no.empty()) {
    log::errors().error("order {}: adopted without a broker number; its events cannot be mapped", id);
    return;
  }
  Tracked& t = orders_[id];
  if (t.broker_no == order.broker_no) {
    // Already tracked (adopted again after a reconcile): keep its cancel
    // state; the engine's booked shares are never reported again.
    if (order.filled > t.reported) {
      t.reported = order.filled;
      t.reported_value = order.filled_value;
    }
    return;
  }
  if (const auto other = by_broker_no_.find(order.broker_no); other != by_broker_no_.end() && other->second != id) {
    log::errors().error("order {}: adopted as {}, which was order {}'s; the adoption wins", id, order.broker_no,
                        other->second);
  }
  if (!t.broker_no.empty()) by_broker_no_.erase(t.broker_no);
  t = Tracked{};
  t.order = order;
  t.broker_no = order.broker_no;
  t.reported = order.filled;
  t.reported_value = order.filled_value;
  by_broker_no_[t.broker_no] = id;
  log::orders().info("order {} adopted as {} with {} filled", id, t.broker_no, t.reported.value());
  replay_early(t.broker_no);
}

void KiwoomBroker::on_order_event(const kw::OrderEvent& event) {
  expire_early_events();
  if (const auto own = by_broker_no_.find(event.order_no); own != by_broker_no_.end()) {
    if (Tracked* t = find(own->second)) on_own_event(own->second, *t, event);
    return;
  }
  if (event.orig_order_no) {
    if (const auto parent = by_broker_no_.find(*event.orig_order_no); parent != by_broker_no_.end()) {
      if (Tracked* t = find(parent->second)) on_child_event(parent->second, *t, event);
      return;
    }
  }
  // Its ack may still be on the way (an execution can overtake the REST answer).
  ++stats_.early_events;
  early_.push_back({event, clock_.now()});
}

void KiwoomBroker::on_own_event(OrderId id, Tracked& t, const kw::OrderEvent& event) {
  switch (event.status) {
    case kw::OrderEventStatus::Accepted:
    case kw::OrderEventStatus::Confirmed:
      return;
    case kw::OrderEventStatus::Filled:
      apply_execution(id, t, event);
      return;
    case kw::OrderEventStatus::Cancelled:
      // The original itself shows cancelled (or expired): its open rest is
      // what was ordered less what filled.
      report_cancelled(id, t, event.order_qty - std::max(t.reported, event.exec_qty.value_or(Qty(0))),
                       "cancelled by the broker");
      return;
    case kw::OrderEventStatus::Rejected:
      if (t.closed) return;
      t.closed = true;
      ++stats_.rejected;
      log::orders().warn("order {} ({}) rejected on the 00 stream: {}", id, t.broker_no, event.reject_reason);
      listener_->on_rejected(id, "rejected by the broker: " + event.reject_reason);
      return;
  }
}

// A modify or cancel order (its own number) of one of ours.
void KiwoomBroker::on_child_event(OrderId id, Tracked& t, const kw::OrderEvent& event) {
  const auto kind = kw::parse_order_kind("905", event.kind);
  const bool is_cancel = kind && kind->action == kw::OrderAction::Cancel;
  switch (event.status) {
    case kw::OrderEventStatus::Confirmed:
      // Either way the shares left our order: a modify (dalbit sends none)
      // moved them to a new order that reconciliation will find.
      if (!is_cancel) {
        log::orders().error("order {} ({}): {} shares moved to order {} outside dalbit ('{}')", id, t.broker_no,
                            event.order_qty.value(), event.order_no, event.kind);
      }
      report_cancelled(id, t, event.order_qty,
                       is_cancel ? "cancelled on request" : "modified outside dalbit to order " + event.order_no);
      return;
    case kw::OrderEventStatus::Rejected:
      t.cancel_in_flight = false;
      log::orders().warn("order {} ({}): cancel {} refused: {}", id, t.broker_no, event.order_no, event.reject_reason);
      return;
    case kw::OrderEventStatus::Filled:
      ++stats_.foreign_events;
      log::orders().error("order {} ({}): execution of order {} made from it outside dalbit; left to reconciliation", id,
                          t.broker_no, event.order_no);
      return;
    case kw::OrderEventStatus::Accepted:
    case kw::OrderEventStatus::Cancelled:
      return;
  }
}

void KiwoomBroker::apply_execution(OrderId id, Tracked& t, const kw::OrderEvent& event) {
  const auto cumulative = cumulative_filled(event);
  if (cumulative && *cumulative > t.order.qty) {
    log::errors().error("order {} ({}): {} shares filled of {} ordered; left to reconciliation", id, t.broker_no,
                        cumulative->value(), t.order.qty.value());
    return;
  }
  const NewFills fills = new_fills(event, t.reported, t.reported_value);
  if (fills.count == 0) {
    if (cumulative && *cumulative > t.reported) {
      log::errors().error("order {} ({}): {} shares filled without a price; left to reconciliation", id, t.broker_no,
                          (*cumulative - t.reported).value());
    } else {
      ++stats_.duplicates;
    }
    return;
  }
  if (!fills.exact) {
    log::orders().warn("order {} ({}): filled amount {} does not split into executions; priced at {}", id, t.broker_no,
                       event.filled_amount.value_or(Krw(0)).value(), fills.parts[0].price.value());
  }
  if (event.exec_qty && event.order_qty - event.unfilled != *event.exec_qty) {
    log::orders().warn("order {} ({}): FID 911 says {} filled, 900 - 902 says {}", id, t.broker_no,
                       event.exec_qty->value(), (event.order_qty - event.unfilled).value());
  }
  const Timestamp at = from_kst(kst_date(clock_.now()), event.time);
  for (std::size_t i = 0; i < fills.count; ++i) {
    const FillPart& part = fills.parts[i];
    Fill f;
    f.order_id = id;
    f.fill_id = t.broker_no + "-" + std::to_string(part.cumulative.value());
    f.code = t.order.code;
    f.side = t.order.side;
    f.price = part.price;
    f.qty = part.qty;
    f.commission = krx::commission(config_.fees, f.value());
    f.tax = f.side == Side::Sell ? krx::sell_tax(config_.fees, f.value()) : Krw(0);
    f.time = at;
    f.cumulative = part.cumulative;
    t.reported = part.cumulative;
    t.reported_value += f.value();
    ++stats_.fills;
    log::orders().info("order {} fill {}: {} x{} @{} ({} of {})", id, f.fill_id, to_string(f.side), f.qty.value(),
                       f.price.value(), part.cumulative.value(), t.order.qty.value());
    listener_->on_fill(f);
  }
}

void KiwoomBroker::report_cancelled(OrderId id, Tracked& t, Qty cancelled, std::string_view reason) {
  if (t.cancel_reported) return;  // the other form of the same confirmation
  if (cancelled.value() <= 0) {
    log::orders().info("order {} ({}): cancel confirmed with nothing left open", id, t.broker_no);
    return;
  }
  t.cancel_reported = true;
  t.cancel_in_flight = false;
  log::orders().info("order {} ({}) cancelled: {} shares, {}", id, t.broker_no, cancelled.value(), reason);
  listener_->on_cancelled(id, cancelled, reason);
}

void KiwoomBroker::replay_early(const std::string& broker_no) {
  std::vector<EarlyEvent> mine;
  std::vector<EarlyEvent> others;
  for (auto& e : early_) {
    const bool belongs =
        e.event.order_no == broker_no || (e.event.orig_order_no && *e.event.orig_order_no == broker_no);
    (belongs ? mine : others).push_back(std::move(e));
  }
  early_ = std::move(others);
  for (const auto& e : mine) on_order_event(e.event);
}

void KiwoomBroker::expire_early_events() {
  if (early_.empty()) return;
  const Timestamp now = clock_.now();
  std::erase_if(early_, [&](const EarlyEvent& e) {
    if (now - e.arrived < config_.early_event_ttl) return false;
    ++stats_.foreign_events;
    log::orders().warn("00 event for order {} ({} {} x{}, {}) not placed by dalbit (or its answer was lost): "
                       "left to reconciliation",
                       e.event.order_no, e.event.code.view(), e.event.kind, e.event.order_qty.value(),
                       e.event.orig_order_no.value_or("no parent"));
    return true;
  });
}

// ---------------------------------------------------------------- the snapshot

namespace {

struct SnapshotJoin {
  AccountSnapshot snapshot;
  std::vector<kw::Balance> balances;
  std::vector<kw::OpenOrders> open;
  std::vector<kw::Executions> executions;
  std::optional<Error> error;
  int pending = 4;
  std::function<void(Result<AccountSnapshot>)> done;

  void fail(const kw::ApiError& e) {
    if (!error) error = Error{"account snapshot: " + e.describe()};
  }
  // Called once per answer; the last one finishes.
  void answered() {
    if (--pending > 0) return;
    if (error) return done(*error);
    for (const auto& page : balances) {
      for (const auto& h : page.holdings) {
        if (h.qty.value() > 0) snapshot.holdings.push_back({h.code, h.qty, h.avg_price});
      }
    }
    auto orders = merge_orders(open, executions);
    if (!orders) return done(Error{"account snapshot: " + orders.error().message});
    snapshot.orders = std::move(*orders);
    done(std::move(snapshot));
  }
};

}  // namespace

void KiwoomBroker::fetch_snapshot(std::function<void(Result<AccountSnapshot>)> done) {
  auto join = std::make_shared<SnapshotJoin>();
  join->snapshot.at = clock_.now();
  join->done = std::move(done);
  // d2_entra: cash after the settlement of every trade so far. The simulator
  // settles at once and sends its cash as both entr and d2_entra.
  rest_.call(kw::DepositRequest{}, [join](kw::ApiResult<kw::Deposit> r) {
    if (r) {
      join->snapshot.cash = r->d2_cash;
    } else {
      join->fail(r.error());
    }
    join->answered();
  });
  rest_.call_pages(kw::BalanceRequest{}, 0, [join](kw::ApiResult<std::vector<kw::Balance>> r) {
    if (r) {
      join->balances = std::move(*r);
    } else {
      join->fail(r.error());
    }
    join->answered();
  });
  rest_.call_pages(kw::OpenOrdersRequest{}, 0, [join](kw::ApiResult<std::vector<kw::OpenOrders>> r) {
    if (r) {
      join->open = std::move(*r);
    } else {
      join->fail(r.error());
    }
    join->answered();
  });
  rest_.call_pages(kw::ExecutionsRequest{}, 0, [join](kw::ApiResult<std::vector<kw::Executions>> r) {
    if (r) {
      join->executions = std::move(*r);
    } else {
      join->fail(r.error());
    }
    join->answered();
  });
}

}  // namespace dalbit::broker
