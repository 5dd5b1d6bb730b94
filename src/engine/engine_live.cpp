// The engine's live-trading duties: the risk state and the kill switch, the
// clock-driven checks (daily loss, connectivity, unfilled orders), and
// restoring and reconciling with the broker after a restart or a reconnect.
#include "engine/engine.h"

#include <algorithm>

#include <fmt/format.h>

#include "log/log.h"

namespace dalbit::engine {
namespace {

std::string describe(const Order& o) {
  return fmt::format(
      "{} {} x{} {}", to_string(o.side), o.code.str(), o.qty.value(),
      o.type == OrderType::Market ? std::string("market") : fmt::format("@{}", o.limit.value()));
}

std::string describe(const broker::BrokerOrder& o) {
  return fmt::format(
      "{} {} x{} {}, {} filled, {} open", to_string(o.side), o.code.str(), o.qty.value(),
      o.type == OrderType::Market ? std::string("market") : fmt::format("@{}", o.limit.value()),
      o.filled.value(), o.open.value());
}

}  // namespace

// ---------------------------------------------------------------- risk state

void Engine::enter_risk_state(RiskState state, std::string reason, bool from_daily_loss) {
  if (state == risk_ && reason == risk_reason_) return;
  const Timestamp now = clock_.now();
  log::trading().warn("risk state {} -> {}: {}", to_string(risk_), to_string(state), reason);
  risk_ = state;
  risk_reason_ = std::move(reason);
  risk_since_ = kst_date(now);
  risk_from_daily_loss_ = from_daily_loss;
  if (journal_) journal_->risk_state(risk_, risk_reason_, now);
}

void Engine::set_risk_state(RiskState state, std::string reason) {
  flatten_ = false;
  enter_risk_state(state, std::move(reason), false);
}

void Engine::kill(bool flatten, std::string reason) {
  log::trading().warn("kill switch{}: {}", flatten ? " (flatten)" : "", reason);
  flatten_ = false;
  enter_risk_state(RiskState::Halted, std::move(reason), false);
  for (const auto& [id, replacement] : replacements_) {
    log::orders().info("modify {}: no replacement, the kill switch halted trading", id);
  }
  replacements_.clear();
  const std::vector<OrderId> open = oms_.open_ids();  // cancels may confirm at once and change the list
  for (const OrderId id : open) {
    const Order* o = oms_.find(id);
    if (!o || is_terminal(o->status)) continue;
    // When flattening, the engine's own market exits already do what the kill would place again.
    const bool own_exit = o->side == Side::Sell && o->type == OrderType::Market &&
                          (o->strategy == kKillStrategy || o->strategy == kStopFloorStrategy);
    if (flatten && own_exit) continue;
    if (journal_) journal_->order_event(*o, "cancel: kill switch");
    request_cancel(id);
  }
  flatten_ = flatten;
  flatten_step();
  drain();
}

void Engine::flatten_step() {
  if (!flatten_) return;
  std::vector<StockCode> codes;
  for (const auto& [code, p] : portfolio_.positions()) codes.push_back(code);
  std::sort(codes.begin(), codes.end());
  for (const StockCode code : codes) {
    const Position* p = portfolio_.position(code);
    if (!p) continue;
    const Qty free = p->qty - oms_.open_sell_qty(code);
    if (free.value() <= 0) continue;
    Intent exit;
    exit.strategy = std::string(kKillStrategy);
    exit.code = code;
    exit.side = Side::Sell;
    exit.type = OrderType::Market;
    exit.qty = free;
    exit.reason = fmt::format("kill switch: flatten ({})", risk_reason_);
    record_intent(exit);
    if (route(std::move(exit), Origin::Kill).accepted) ++stats_.kill_exits;
  }
}

std::string Engine::strategy_veto(const Intent& intent, Timestamp now) {
  if (risk_ == RiskState::Halted) {
    return fmt::format("risk state halted ({}): no orders from strategies", risk_reason_);
  }
  if (risk_ == RiskState::Reducing && intent.side == Side::Buy) {
    return fmt::format("risk state reducing ({}): only sells", risk_reason_);
  }
  if (emergency_stop_ && intent.side == Side::Buy) {
    return fmt::format(
        "emergency stop: the broker connection is down since {} (risk.connectivity_timeout_s {})",
        format_kst(disconnected_since_), config_.risk.connectivity_timeout_s);
  }
  for (const OrderId id : oms_.open_ids()) {
    const Order* o = oms_.find(id);
    if (o->strategy == intent.strategy && o->code == intent.code && o->side == intent.side) {
      return fmt::format("duplicate: order #{} ({}) of {} is still {}", id, describe(*o), o->strategy,
                         to_string(o->status));
    }
  }
  if (config_.risk.duplicate_window_s > 0) {
    const auto it = last_intents_.find({intent.strategy, intent.code, intent.side});
    if (it != last_intents_.end()) {
      const IntentKey& last = it->second;
      const bool same = last.type == intent.type && last.qty == intent.qty && last.amount == intent.amount &&
                        (intent.type == OrderType::Market || last.limit == intent.limit);
      if (same && now - last.at < std::chrono::seconds(config_.risk.duplicate_window_s)) {
        return fmt::format("duplicate: the same intent as {}'s order at {} (risk.duplicate_window_s {})",
                           intent.strategy, format_kst(last.at), config_.risk.duplicate_window_s);
      }
    }
  }
  while (!recent_orders_.empty() && now - recent_orders_.front() >= std::chrono::seconds(1)) {
    recent_orders_.pop_front();
  }
  if (kst_date(now) != orders_day_) {
    orders_day_ = kst_date(now);
    orders_today_ = 0;
  }
  return limits_.rate_veto(static_cast<int>(recent_orders_.size()), orders_today_);
}

void Engine::record_order(const Intent& intent, Timestamp now) {
  recent_orders_.push_back(now);
  ++orders_today_;
  last_intents_[{intent.strategy, intent.code, intent.side}] =
      IntentKey{intent.type, intent.qty, intent.amount, intent.limit, now};
}

bool Engine::trading_day(KstDate day) const {
  const int weekday = day.weekday();
  if (weekday == 0 || weekday == 6) return false;
  const auto& holidays = config_.market.holidays;
  return std::find(holidays.begin(), holidays.end(), day) == holidays.end();
}

void Engine::begin_event() {
  if (risk_from_daily_loss_) {
    const KstDate today = kst_date(clock_.now());
    if (today > risk_since_ && trading_day(today)) {
      enter_risk_state(RiskState::Active,
                       fmt::format("a new trading day {} ends \"{}\"", today.str(), risk_reason_), false);
    }
  }
  advance_clock();
}

void Engine::check_daily_loss() {
  const Krw limit = config_.risk.daily_loss_limit;
  if (limit.value() <= 0) return;
  const RiskState target = config_.risk.daily_loss_action == config::DailyLossAction::Reducing
                               ? RiskState::Reducing
                               : RiskState::Halted;
  // It only ever tightens: a halt is never eased to reducing.
  if (risk_ == RiskState::Halted || risk_ == target) return;
  const Krw realized = portfolio_.realized_today();
  Krw unrealized;
  for (const auto& [code, p] : portfolio_.positions()) {
    const Price last = market_.last(code);
    unrealized += portfolio_.unrealized(p, last.value() > 0 ? last : p.avg_price());
  }
  const Krw pnl = realized + unrealized;
  if (pnl > Krw(0) - limit) return;
  enter_risk_state(
      target,
      fmt::format("{}: today's P&L {} won (realized {} + unrealized {}) <= -{} (risk.daily_loss_limit)",
                  kDailyLossReason, pnl.value(), realized.value(), unrealized.value(), limit.value()),
      true);
}

// ------------------------------------------------------------ the heartbeat

void Engine::on_heartbeat() {
  begin_event();
  check_connectivity();
  check_daily_loss();
  apply_unfilled_policy();
  drain();
}

void Engine::set_connected(bool up) {
  if (up == connected_) return;
  connected_ = up;
  if (!up) {
    disconnected_since_ = clock_.now();
    log::trading().warn("broker connection down");
    return;
  }
  if (emergency_stop_) log::trading().warn("broker connection back: the emergency stop is lifted");
  emergency_stop_ = false;
}

void Engine::check_connectivity() {
  if (connected_ || emergency_stop_) return;
  if (clock_.now() - disconnected_since_ < std::chrono::seconds(config_.risk.connectivity_timeout_s)) return;
  emergency_stop_ = true;
  log::trading().warn(
      "emergency stop: the broker connection is down since {} (risk.connectivity_timeout_s {}): "
      "no new buys until it returns",
      format_kst(disconnected_since_), config_.risk.connectivity_timeout_s);
}

void Engine::apply_unfilled_policy() {
  if (config_.unfilled.empty()) return;
  const Timestamp now = clock_.now();
  const std::vector<OrderId> open = oms_.open_ids();  // replacements change the list
  for (const OrderId id : open) {
    const Order* o = oms_.find(id);
    if (!o || o->type != OrderType::Limit) continue;
    if (o->status != OrderStatus::Accepted && o->status != OrderStatus::PartiallyFilled) continue;
    if (replacements_.contains(id) || cancel_requested_.contains(id)) continue;
    const auto policy_it = config_.unfilled.find(o->strategy);
    if (policy_it == config_.unfilled.end()) continue;
    const config::UnfilledPolicy& policy = policy_it->second;
    if (now - o->created < std::chrono::seconds(policy.after_s)) continue;
    ++stats_.unfilled_actions;
    if (policy.action == config::UnfilledPolicy::Action::Cancel) {
      const std::string reason = fmt::format("unfilled after {} s: cancelled", policy.after_s);
      log::orders().info("order {} {}: {}", id, o->strategy, reason);
      if (journal_) journal_->order_event(*o, reason);
      request_cancel(id);
      continue;
    }
    Replacement r;
    r.intent.strategy = o->strategy;
    r.intent.code = o->code;
    r.intent.side = o->side;
    if (policy.action == config::UnfilledPolicy::Action::Market) {
      r.intent.type = OrderType::Market;
      r.intent.reason =
          fmt::format("unfilled after {} s: re-placed at market (replaces #{})", policy.after_s, id);
    } else {
      r.intent.type = OrderType::Limit;
      r.intent.limit = krx::add_ticks(o->limit, o->side == Side::Buy ? policy.ticks : -policy.ticks);
      r.intent.reason =
          fmt::format("unfilled after {} s: re-priced {} -> {} ({} tick{} toward the market) (replaces #{})",
                      policy.after_s, o->limit.value(), r.intent.limit.value(), policy.ticks,
                      policy.ticks == 1 ? "" : "s", id);
    }
    log::orders().info("order {} {}: {}", id, o->strategy, r.intent.reason);
    if (journal_) journal_->order_event(*o, r.intent.reason);
    (void)start_replacement(*o, std::move(r));
  }
}

// ------------------------------------------------------------ broker state

void Engine::on_unknown(OrderId id, std::string_view reason) {
  awaiting_answer_.erase(id);
  const Order* o = oms_.find(id);
  if (!o) {
    return report_anomaly(fmt::format("order {}: unknown order reported as of unknown fate: {}", id, reason));
  }
  // Never re-sent: the request may have reached the broker. Reconciliation decides.
  needs_reconcile_ = true;
  log::errors().error("order {} {}: fate unknown ({}); kept {} until reconciled", id, describe(*o), reason,
                      to_string(o->status));
  if (journal_) journal_->order_event(*o, fmt::format("unknown: {}", reason));
}

void Engine::hold_back(const Order& order, Price reserve_price) {
  if (order.side == Side::Sell) {
    books_[order.id] = {};
    return;
  }
  const Krw reserved = limits_.buy_reservation(reserve_price, order.remaining());
  books_[order.id] = {reserve_price, reserved, Krw(0)};
  reserved_total_ += reserved;
}

void Engine::restore(const RestoredState& state) {
  for (const Order& saved : state.orders) {
    const Order& o = oms_.restore(saved);
    // A limit buy holds back its price; a market buy's band is not known yet (it fills at once anyway).
    hold_back(o, o.limit);
    if (!o.broker_no.empty()) broker_.adopt(o.id, o);
  }
  oms_.set_next_id(state.next_order_id);
  known_broker_nos_.insert(state.known_broker_nos.begin(), state.known_broker_nos.end());
  risk_ = state.risk;
  risk_reason_ = state.risk_reason;
  risk_since_ = state.risk_since;
  risk_from_daily_loss_ = state.risk != RiskState::Active && state.risk_reason.starts_with(kDailyLossReason);
  log::trading().info("restored {} open orders, next order id {}, risk state {}{}", state.orders.size(),
                      oms_.next_id(), to_string(risk_),
                      risk_reason_.empty() ? "" : " (" + risk_reason_ + ")");
}

Fill Engine::missed_fill(const Order& o, const broker::BrokerOrder& at_broker) const {
  Fill f;
  f.order_id = o.id;
  f.cumulative = at_broker.filled;
  f.qty = at_broker.filled - o.filled;
  f.fill_id = fmt::format("{}-{}", at_broker.broker_no, at_broker.filled.value());
  f.code = o.code;
  f.side = o.side;
  const Krw missing_value = at_broker.filled_value - o.filled_value;
  if (at_broker.filled_value.value() > 0 && missing_value.value() > 0) {
    f.price = Price(missing_value.value() / f.qty.value());  // the missed executions' average
  } else if (at_broker.fill_price.value() > 0) {
    f.price = at_broker.fill_price;
  } else if (o.limit.value() > 0) {
    f.price = o.limit;
  } else {
    f.price = market_.last(o.code);
  }
  f.commission = krx::commission(config_.fees, f.value());
  f.tax = f.side == Side::Sell ? krx::sell_tax(config_.fees, f.value()) : Krw(0);
  f.time = clock_.now();
  return f;
}

std::vector<Engine::Difference> Engine::order_differences(const broker::AccountSnapshot& snapshot) const {
  using Kind = Difference::Kind;
  std::vector<Difference> out;
  const auto add = [&out](Kind kind, OrderId id, const broker::BrokerOrder* b,
                          std::string text) -> Difference& {
    Difference& d = out.emplace_back();
    d.kind = kind;
    d.id = id;
    d.at_broker = b;
    d.text = std::move(text);
    return d;
  };
  std::vector<const broker::BrokerOrder*> unclaimed;
  for (const broker::BrokerOrder& b : snapshot.orders) {
    if (!b.cancel_order && !oms_.find_by_broker_no(b.broker_no) && !known_broker_nos_.contains(b.broker_no)) {
      unclaimed.push_back(&b);
    }
  }
  // The newest first: an order whose acknowledgement was lost is the latest of its kind.
  std::reverse(unclaimed.begin(), unclaimed.end());
  for (const OrderId id : oms_.open_ids()) {
    const Order& o = *oms_.find(id);
    // Placed after the snapshot was taken: the broker could not show it yet; the next reconcile will.
    if (o.created > snapshot.at) continue;
    // Still waiting for the broker's answer: it may not list the order yet.
    if (awaiting_answer_.contains(id)) continue;
    const broker::BrokerOrder* b = nullptr;
    if (!o.broker_no.empty()) {
      const auto it = std::find_if(snapshot.orders.begin(), snapshot.orders.end(), [&](const auto& x) {
        return !x.cancel_order && x.broker_no == o.broker_no;
      });
      if (it != snapshot.orders.end()) b = &*it;
    } else if (o.status == OrderStatus::Sent || o.status == OrderStatus::New) {
      // Sent but never acknowledged (or journaled as New by an older version, before its send):
      // the broker may have it under a number the engine never heard.
      const auto it = std::find_if(unclaimed.begin(), unclaimed.end(), [&](const broker::BrokerOrder* x) {
        return x->code == o.code && x->side == o.side && x->type == o.type && x->qty == o.qty &&
               (o.type == OrderType::Market || x->limit == o.limit);
      });
      if (it != unclaimed.end()) {
        b = *it;
        unclaimed.erase(it);
        add(Kind::Accepted, id, b,
            fmt::format("order #{} ({}): sent, found at the broker as {}: accepted", id, describe(o),
                        b->broker_no));
      }
    }
    if (!b && o.broker_no.empty()) {
      add(Kind::NeverSent, id, nullptr,
          fmt::format("order #{} ({}): not at the broker: rejected (never reached the broker)", id,
                      describe(o)));
      continue;
    }
    if (!b) {
      add(Kind::Ended, id, nullptr,
          fmt::format("order #{} ({}, broker no {}): not among the broker's orders: cancelled", id,
                      describe(o), o.broker_no))
          .qty = o.remaining();
      continue;
    }
    if (b->filled > o.filled) {
      Fill f = missed_fill(o, *b);
      add(Kind::MissedFill, id, b,
          fmt::format("order #{} ({}): missed executions of {} shares @{} applied (broker cumulative {})", id,
                      describe(o), f.qty.value(), f.price.value(), b->filled.value()))
          .fill = std::move(f);
    }
    if (b->open.value() == 0 && b->filled < o.qty) {
      add(Kind::Ended, id, b,
          fmt::format("order #{} ({}): done at the broker with {} of {} filled: cancelled", id, describe(o),
                      b->filled.value(), o.qty.value()))
          .qty = o.qty - b->filled;
    }
  }
  for (const broker::BrokerOrder* b : unclaimed) {
    if (b->open.value() <= 0) continue;
    add(Kind::Foreign, 0, b,
        fmt::format("foreign open order {} ({}): adopted as strategy {}", b->broker_no, describe(*b),
                    kExternalStrategy));
  }
  // Orders found at the broker take their numbers first (a done order can no longer be accepted),
  // then the broker's executions, then what became of the orders.
  const auto rank = [](const Difference& d) { return d.kind == Kind::Accepted ? 0 : d.kind == Kind::MissedFill ? 1 : 2; };
  std::stable_sort(out.begin(), out.end(), [&](const Difference& a, const Difference& b) { return rank(a) < rank(b); });
  return out;
}

std::vector<Engine::Difference> Engine::account_differences(const broker::AccountSnapshot& snapshot) const {
  using Kind = Difference::Kind;
  std::vector<Difference> out;
  const auto add = [&out](Kind kind, std::string text) -> Difference& {
    Difference& d = out.emplace_back();
    d.kind = kind;
    d.text = std::move(text);
    return d;
  };
  std::vector<broker::BrokerHolding> holdings = snapshot.holdings;
  std::sort(holdings.begin(), holdings.end(), [](const auto& a, const auto& b) { return a.code < b.code; });
  for (const broker::BrokerHolding& h : holdings) {
    if (h.qty.value() <= 0) continue;
    const Position* p = portfolio_.position(h.code);
    std::string text;
    if (!p) {
      text = fmt::format("{}: position added: {} shares @ avg {} (held at the broker only)", h.code.str(),
                         h.qty.value(), h.avg_price.value());
    } else if (p->qty != h.qty) {
      text = fmt::format("{}: position resized: {} -> {} shares @ avg {}", h.code.str(), p->qty.value(),
                         h.qty.value(), h.avg_price.value());
    } else if (p->avg_price() != h.avg_price) {
      text = fmt::format("{}: average price corrected: {} -> {} ({} shares)", h.code.str(),
                         p->avg_price().value(), h.avg_price.value(), h.qty.value());
    } else {
      continue;
    }
    Difference& d = add(Kind::Position, std::move(text));
    d.code = h.code;
    d.qty = h.qty;
    d.amount = h.avg_price * h.qty;
  }
  for (const Position& p : positions()) {
    const bool held = std::any_of(holdings.begin(), holdings.end(), [&](const broker::BrokerHolding& h) {
      return h.code == p.code && h.qty.value() > 0;
    });
    if (held) continue;
    add(Kind::Position,
        fmt::format("{}: position removed: {} shares not held at the broker", p.code.str(), p.qty.value()))
        .code = p.code;
  }
  if (portfolio_.cash() != snapshot.cash) {
    add(Kind::Cash, fmt::format("cash corrected: {} -> {} won ({:+})", portfolio_.cash().value(),
                                snapshot.cash.value(), (snapshot.cash - portfolio_.cash()).value()))
        .amount = snapshot.cash;
  }
  return out;
}

void Engine::resolve(const Difference& d) {
  using Kind = Difference::Kind;
  switch (d.kind) {
    case Kind::MissedFill:
      on_fill(d.fill);
      break;
    case Kind::Accepted:
      on_accepted(d.id, d.at_broker->broker_no);
      broker_.adopt(d.id, *oms_.find(d.id));
      break;
    case Kind::NeverSent:
      on_rejected(d.id, "never reached the broker (reconciled)");
      break;
    case Kind::Ended:
      on_cancelled(d.id, d.qty, "reconciled: no longer working at the broker");
      break;
    case Kind::Foreign: {
      const broker::BrokerOrder& b = *d.at_broker;
      Order o;
      o.code = b.code;
      o.side = b.side;
      o.type = b.type;
      o.limit = b.limit;
      o.qty = b.filled + b.open;
      o.filled = b.filled;
      o.filled_value = b.filled_value;
      o.status = b.filled.value() > 0 ? OrderStatus::PartiallyFilled : OrderStatus::Accepted;
      o.broker_no = b.broker_no;
      o.strategy = std::string(kExternalStrategy);
      o.reason = "found at the broker";
      o.created = o.updated = clock_.now();
      const Order& adopted = oms_.restore(std::move(o));
      const CodeState* market = market_.find(adopted.code);
      const Price market_reserve =
          market && market->band.upper.value() > 0 ? market->band.upper : market_.last(adopted.code);
      hold_back(adopted, adopted.type == OrderType::Limit ? adopted.limit : market_reserve);
      broker_.adopt(adopted.id, adopted);
      if (journal_) {
        journal_->order(adopted);
        journal_->order_event(adopted, d.text);
      }
      break;
    }
    case Kind::Position: {
      portfolio_.set_position(d.code, d.qty, d.amount, clock_.now());
      if (journal_) {
        const Position* p = portfolio_.position(d.code);
        Position flat;
        flat.code = d.code;
        journal_->position(p ? *p : flat, clock_.now());
      }
      break;
    }
    case Kind::Cash:
      portfolio_.set_cash(d.amount);
      break;
  }
}

Engine::ReconcileReport Engine::reconcile(const broker::AccountSnapshot& snapshot) {
  ReconcileReport report;
  const auto apply = [&](const std::vector<Difference>& differences) {
    for (const Difference& d : differences) {
      log::trading().warn("reconcile: {}", d.text);
      resolve(d);
      report.resolved.push_back(d.text);
    }
  };
  apply(order_differences(snapshot));
  // Holdings and cash after the fills above, which moved them.
  apply(account_differences(snapshot));
  recompute_holdings();
  stop_floor_.clear();
  for (const auto& [code, p] : portfolio_.positions()) update_stop_floor(code);
  update_drawdown();
  check_daily_loss();
  drain();
  return report;
}

std::vector<std::string> Engine::drift(const broker::AccountSnapshot& snapshot) const {
  std::vector<std::string> lines;
  for (Difference& d : order_differences(snapshot)) lines.push_back(std::move(d.text));
  for (Difference& d : account_differences(snapshot)) lines.push_back(std::move(d.text));
  return lines;
}

}  // namespace dalbit::engine
