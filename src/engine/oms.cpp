#include "engine/oms.h"

#include <algorithm>

namespace dalbit::engine {

Order& Oms::create(const Intent& intent, Qty qty, Price limit, Timestamp now) {
  const OrderId id = next_id_++;
  Order o;
  o.id = id;
  o.code = intent.code;
  o.side = intent.side;
  o.type = intent.type;
  o.limit = intent.type == OrderType::Limit ? limit : Price(0);
  o.qty = qty;
  o.strategy = intent.strategy;
  o.reason = intent.reason;
  o.created = now;
  o.updated = now;
  open_.push_back(id);
  return orders_.emplace(id, std::move(o)).first->second;
}

const Order& Oms::restore(Order order) {
  if (order.id == 0) order.id = next_id_;
  next_id_ = std::max(next_id_, order.id + 1);
  open_.erase(std::remove(open_.begin(), open_.end(), order.id), open_.end());  // restored twice
  if (!is_terminal(order.status)) open_.push_back(order.id);
  auto& placed = orders_[order.id];
  placed = std::move(order);
  return placed;
}

const Order* Oms::find_by_broker_no(std::string_view broker_no) const {
  if (broker_no.empty()) return nullptr;
  for (const auto& [id, o] : orders_) {
    if (o.broker_no == broker_no) return &o;
  }
  return nullptr;
}

const Order* Oms::find(OrderId id) const {
  const auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : &it->second;
}

void Oms::close_if_terminal(Order& order) {
  if (!is_terminal(order.status)) return;
  open_.erase(std::remove(open_.begin(), open_.end(), order.id), open_.end());
}

Result<Applied> Oms::apply(OrderId id, OrderEvent event, Timestamp at) {
  const auto it = orders_.find(id);
  if (it == orders_.end()) {
    return Error{"order " + std::to_string(id) + ": unknown order for " + std::string(to_string(event))};
  }
  Order& o = it->second;
  auto step = transition(o.status, event);
  if (!step) return Error{"order " + std::to_string(id) + ": " + step.error().message};
  if (step->effect == Effect::Transition) {
    o.status = step->next;
    o.updated = at;
    close_if_terminal(o);
  }
  return Applied{&o, step->effect, Qty(0)};
}

Result<Applied> Oms::on_sent(OrderId id, Timestamp at) { return apply(id, OrderEvent::Send, at); }

Result<Applied> Oms::on_accepted(OrderId id, std::string_view broker_no, Timestamp at) {
  auto r = apply(id, OrderEvent::Accept, at);
  if (r.ok()) {
    auto& o = orders_.at(id);
    if (o.broker_no.empty()) o.broker_no = std::string(broker_no);
  }
  return r;
}

Result<Applied> Oms::on_rejected(OrderId id, Timestamp at) { return apply(id, OrderEvent::Reject, at); }

Result<Applied> Oms::on_cancelled(OrderId id, Timestamp at) { return apply(id, OrderEvent::Cancel, at); }

Result<Applied> Oms::on_fill(const Fill& fill) {
  const auto it = orders_.find(fill.order_id);
  if (it == orders_.end()) {
    return Error{"order " + std::to_string(fill.order_id) + ": execution " + fill.fill_id +
                 " for an unknown order"};
  }
  Order& o = it->second;
  Qty qty = fill.qty;
  if (fill.cumulative.value() > 0) {
    // The broker's running total is the truth: whatever this report says it added.
    qty = fill.cumulative - o.filled;
    if (qty.value() <= 0) return Applied{&o, Effect::Ignore, Qty(0)};
  } else if (seen_fills_.count(fill.fill_id)) {
    return Applied{&o, Effect::Ignore, Qty(0)};
  }
  if (qty.value() <= 0 || qty > o.remaining()) {
    return Error{"order " + std::to_string(o.id) + ": execution " + fill.fill_id + " of " +
                 std::to_string(qty.value()) + " shares exceeds the open " +
                 std::to_string(o.remaining().value())};
  }
  const bool completes = qty == o.remaining();
  auto step = transition(o.status, completes ? OrderEvent::Fill : OrderEvent::PartialFill);
  if (!step) return Error{"order " + std::to_string(o.id) + ": " + step.error().message};
  if (fill.cumulative.value() == 0) seen_fills_.insert(fill.fill_id);
  o.filled += qty;
  o.filled_value += fill.price * qty;
  o.status = step->next;
  o.updated = fill.time;
  close_if_terminal(o);
  return Applied{&o, Effect::Transition, qty};
}

Qty Oms::open_sell_qty(StockCode code) const {
  Qty q;
  for (const OrderId id : open_) {
    const Order& o = orders_.at(id);
    if (o.side == Side::Sell && o.code == code) q += o.remaining();
  }
  return q;
}

bool Oms::has_open_buy(StockCode code) const {
  return std::any_of(open_.begin(), open_.end(), [&](OrderId id) {
    const Order& o = orders_.at(id);
    return o.side == Side::Buy && o.code == code;
  });
}

std::vector<StockCode> Oms::codes_with_open_buys() const {
  std::vector<StockCode> codes;
  for (const OrderId id : open_) {
    const Order& o = orders_.at(id);
    if (o.side == Side::Buy && std::find(codes.begin(), codes.end(), o.code) == codes.end()) {
      codes.push_back(o.code);
    }
  }
  return codes;
}

}  // namespace dalbit::engine
