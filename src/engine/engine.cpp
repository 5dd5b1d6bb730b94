#include "engine/engine.h"

#include <cmath>
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "log/log.h"

namespace dalbit::engine {

std::string_view to_string(RiskState s) {
  switch (s) {
    case RiskState::Active: return "active";
    case RiskState::Reducing: return "reducing";
    case RiskState::Halted: return "halted";
  }
  return "?";
}

Engine::Engine(const config::Config& config, const Clock& clock, broker::Broker& broker,
               Journal* journal)
    : config_(config),
      clock_(clock),
      broker_(broker),
      journal_(journal),
      limits_(config.risk, config.fees),
      market_(config.market.price_limit_pct),
      portfolio_(config.account.initial_cash, config.fees) {
  broker_.set_listener(this);
  stats_.peak_equity = equity();
  stop_floor_bp_ = std::llround(config.risk.stop_loss_floor_pct * 100);
}

// ---------------------------------------------------------------- market data

void Engine::advance_clock() {
  if (!strategies_) return;
  const Timestamp now = clock_.now();
  strategies_->on_clock(now);
  if (now >= next_session_change_) {
    const KstDate day = kst_date(now);
    if (day != session_day_) {
      session_day_ = day;
      session_step_ = 0;
    }
    const auto& s = config_.market.sessions;
    const std::array<std::pair<TimeOfDay, krx::SessionPhase>, 3> steps = {{
        {s.pre_open, krx::SessionPhase::PreOpen},
        {s.open, krx::SessionPhase::Continuous},
        {s.closing_auction, krx::SessionPhase::ClosingAuction},
    }};
    const TimeOfDay now_of_day = kst_time_of_day(now);
    // A day's first event may come after several phases began (bars arrive at
    // their end): each is announced, in order.
    while (session_step_ < 3 && now_of_day >= steps[static_cast<std::size_t>(session_step_)].first) {
      strategies_->on_session(steps[static_cast<std::size_t>(session_step_)].second);
      ++session_step_;
    }
    next_session_change_ = session_step_ < 3 ? from_kst(day, steps[static_cast<std::size_t>(session_step_)].first)
                                             : from_kst(day, TimeOfDay{0}) + std::chrono::hours(24);
  }
  if (!pending_.empty()) drain();
}

void Engine::on_tick(const Tick& tick) {
  ++stats_.ticks;
  begin_event();
  const Timestamp minute = minute_start(tick.time);
  if (minute != current_minute_) {
    // The clock passed a minute boundary: every bar of an earlier minute is complete.
    current_minute_ = minute;
    market_.complete_bars_before(minute, completed_);
    if (!completed_.empty() && strategies_) {
      for (const Bar& b : completed_) strategies_->on_bar(b);
      drain();
    }
    completed_.clear();
  }
  const CodeState* before = market_.find(tick.code);
  const Price old_last = before ? before->last : Price(0);
  market_.on_tick(tick);
  on_price(tick.code, old_last, tick.price);
  // Orders working from earlier events see this print before any strategy does.
  broker_.on_tick(tick);
  drain();
  if (strategies_ && strategies_->wants_ticks()) {
    strategies_->on_tick(tick);
    drain();
  }
}

void Engine::on_bar(const Bar& bar) {
  ++stats_.bars;
  begin_event();
  // Orders fill at the bar's open or inside it, so they fill before the
  // holdings are marked at its close.
  broker_.on_bar(bar);
  const CodeState* before = market_.find(bar.code);
  const Price old_last = before ? before->last : Price(0);
  market_.on_bar(bar);
  on_price(bar.code, old_last, bar.close);
  drain();
  if (strategies_) {
    strategies_->on_bar(bar);
    drain();
  }
}

void Engine::close_day() {
  begin_event();
  market_.complete_bars_before(Timestamp::max(), completed_);
  if (!completed_.empty() && strategies_) {
    for (const Bar& b : completed_) strategies_->on_bar(b);
  }
  completed_.clear();
  drain();
  if (strategies_) {
    strategies_->on_session(krx::SessionPhase::Closed);
    drain();
  }
  // Nothing more today; tomorrow's first event announces its phases.
  session_step_ = 3;
  next_session_change_ = from_kst(kst_date(clock_.now()), TimeOfDay{0}) + std::chrono::hours(24);
  broker_.end_of_day();
  drain();
  if (journal_) {
    for (const auto& [code, p] : portfolio_.positions()) journal_->position(p, clock_.now());
  }
  market_.new_day();
  portfolio_.new_day();
  current_minute_ = Timestamp{};
}

void Engine::on_price(StockCode code, Price old_last, Price new_last) {
  if (old_last != new_last) {
    if (const Position* p = portfolio_.position(code)) holdings_value_ += (new_last - old_last) * p->qty;
  }
  update_drawdown();
  check_daily_loss();
  if (!stop_floor_.empty()) check_stop_floor(code, new_last);
}

// The floor sits under every script: it needs no Lua to run, so a strategy
// that is stuck, disabled or wrong cannot keep a losing holding open.
void Engine::update_stop_floor(StockCode code) {
  if (stop_floor_bp_ <= 0) return;
  const Position* p = portfolio_.position(code);
  if (!p) {
    stop_floor_.erase(code);
    return;
  }
  stop_floor_[code] = Price(p->avg_price().value() * (10'000 - stop_floor_bp_) / 10'000);
}

void Engine::check_stop_floor(StockCode code, Price last) {
  const auto it = stop_floor_.find(code);
  if (it == stop_floor_.end() || last > it->second) return;
  const Position* p = portfolio_.position(code);
  if (!p || oms_.open_sell_qty(code) >= p->qty) return;  // already on its way out
  Intent exit;
  exit.strategy = std::string(kStopFloorStrategy);
  exit.code = code;
  exit.side = Side::Sell;
  exit.reason = fmt::format("engine stop-loss floor: last {} <= {} ({:.2f} % under avg {})", last.value(),
                            it->second.value(), static_cast<double>(stop_floor_bp_) / 100.0,
                            p->avg_price().value());
  log::trading().warn("{} {}", code.str(), exit.reason);
  // Straight to the hard limits: no risk script may veto the floor.
  record_intent(exit);
  if (route(std::move(exit), Origin::StopFloor).accepted) ++stats_.stop_floor_exits;
}

void Engine::recompute_holdings() {
  holdings_value_ = Krw(0);
  for (const auto& [code, p] : portfolio_.positions()) holdings_value_ += market_.last(code) * p.qty;
}

void Engine::update_drawdown() {
  const Krw e = equity();
  if (e > stats_.peak_equity) {
    stats_.peak_equity = e;
    return;
  }
  const Krw dd = stats_.peak_equity - e;
  if (dd > stats_.max_drawdown) {
    stats_.max_drawdown = dd;
    stats_.max_drawdown_pct =
        100.0 * static_cast<double>(dd.value()) / static_cast<double>(stats_.peak_equity.value());
  }
}

// ------------------------------------------------------------------- intents

void Engine::veto(const Intent& intent, const std::string& reason) {
  ++stats_.vetoes;
  log::trading().info("veto {} {} {}: {}", intent.strategy, to_string(intent.side), intent.code.str(),
                      reason);
  if (journal_) {
    journal_->signal({clock_.now(), intent.strategy, intent.code, intent.side, "veto", 0, reason});
  }
}

void Engine::record_intent(const Intent& intent) {
  ++stats_.intents;
  if (journal_) {
    journal_->signal({clock_.now(), intent.strategy, intent.code, intent.side, "intent", 0, intent.reason});
  }
}

IntentResult Engine::submit(Intent intent) {
  record_intent(intent);
  // The risk scripts may veto or shrink it; the hard limits in route() run regardless.
  if (strategies_) {
    const RiskVerdict verdict = strategies_->check_risk(intent);
    if (!verdict.allowed) {
      veto(intent, verdict.reason);
      return {false, 0, verdict.reason};
    }
    intent.qty = verdict.qty;
    intent.amount = verdict.amount;
  }
  return route(std::move(intent));
}

IntentResult Engine::route(Intent intent, Origin origin) {
  const Timestamp now = clock_.now();
  if (origin == Origin::Strategy) {
    if (std::string why = strategy_veto(intent, now); !why.empty()) {
      veto(intent, why);
      return {false, 0, why};
    }
  }
  const CodeState* market = market_.find(intent.code);
  const Price last = market ? market->last : Price(0);
  const Position* held = portfolio_.position(intent.code);

  risk::OrderCheck check;
  check.code = intent.code;
  check.side = intent.side;
  check.type = intent.type;
  if (intent.type == OrderType::Limit) {
    if (intent.limit.value() <= 0) {
      veto(intent, "a limit order needs a positive price");
      return {false, 0, "a limit order needs a positive price"};
    }
    check.limit = krx::round_limit(intent.limit, intent.side);
    check.reference = check.limit;
  } else if (last.value() <= 0 && origin != Origin::Strategy && held) {
    // The engine's own exit before any trade was seen (right after a restart): a market
    // sell needs no price, and the holding is valued at its average.
    check.reference = held->avg_price();
  } else {
    check.reference = last;
  }

  const Qty open_sells = oms_.open_sell_qty(intent.code);
  if (intent.qty.value() > 0) {
    check.qty = intent.qty;
  } else if (intent.amount.value() > 0) {
    check.qty = shares_for(intent.amount, check.reference);
  } else if (intent.side == Side::Sell) {
    check.qty = (held ? held->qty : Qty(0)) - open_sells;  // "sell everything not already being sold"
  }
  if (check.qty.value() <= 0) {
    std::string why;
    if (intent.amount.value() > 0) {
      why = fmt::format("{} won buys no whole share at {}", intent.amount.value(), check.reference.value());
    } else if (intent.side == Side::Sell) {
      why = fmt::format("nothing to sell in {}", intent.code.str());
    } else {
      why = "no quantity or amount given";
    }
    veto(intent, why);
    return {false, 0, why};
  }

  risk::Exposure x;
  x.available_cash = available_cash();
  x.held = held ? held->qty : Qty(0);
  x.position_cost = held ? held->cost : Krw(0);
  x.open_sell_qty = open_sells;
  x.now = kst_time_of_day(now);
  if (market) x.band = market->band;
  const auto buying = oms_.codes_with_open_buys();
  for (const OrderId id : oms_.open_ids()) {
    const Order* o = oms_.find(id);
    if (o->side == Side::Buy && o->code == intent.code) x.open_buy_value += books_[id].reserved;
  }
  x.open_positions = static_cast<int>(portfolio_.open_positions());
  for (const StockCode& c : buying) {
    if (!portfolio_.position(c)) ++x.open_positions;
  }
  x.holds_or_buys_code = held != nullptr || oms_.has_open_buy(intent.code);
  x.total_exposure = reserved_total_;
  for (const auto& [code, p] : portfolio_.positions()) x.total_exposure += p.cost;

  if (std::string why = limits_.veto(check, x); !why.empty()) {
    veto(intent, why);
    return {false, 0, why};
  }

  if (origin == Origin::Strategy) record_order(intent, now);
  Order& order = oms_.create(intent, check.qty, check.limit, now);
  const OrderId id = order.id;
  ++stats_.orders;
  // A market buy holds back cash at the upper limit, like Kiwoom.
  const bool reserve_at_upper_limit = intent.type == OrderType::Market && x.band.upper.value() > 0;
  hold_back(order, reserve_at_upper_limit ? x.band.upper : check.reference);
  log::orders().info("order {} {} {} {} x{} {} [{}]", id, order.strategy, to_string(order.side),
                     order.code.str(), order.qty.value(),
                     order.type == OrderType::Market ? std::string("market")
                                                     : fmt::format("@{}", order.limit.value()),
                     order.reason);
  if (journal_) {
    journal_->signal({now, intent.strategy, intent.code, intent.side, "order", id, intent.reason});
    journal_->order(order);
    journal_->order_event(order, "created");
  }
  if (auto sent = oms_.on_sent(id, now); sent.ok() && journal_) {
    // The row says Sent before the order leaves: after a crash, reconciliation looks for it at the broker.
    journal_->order(*sent->order);
    journal_->order_event(*sent->order, "sent");
  }
  const krx::PriceBand band = market ? market->band : krx::PriceBand{};
  if (journal_ && !journal_->before_send()) {
    // An order the store cannot record must not leave: after a crash nobody would know it.
    on_rejected(id, "not sent: the store could not record the order");
    return {false, id, "not sent: the store could not record the order"};
  }
  awaiting_answer_.insert(id);
  broker_.submit(*oms_.find(id), band);
  return {true, id, {}};
}

bool Engine::cancel(std::string_view strategy, OrderId id) {
  const Order* o = oms_.find(id);
  if (!o || is_terminal(o->status) || o->strategy != strategy) return false;
  request_cancel(id);
  return true;
}

IntentResult Engine::modify(std::string_view strategy, OrderId id, std::optional<Price> limit,
                            std::optional<Qty> qty) {
  const Order* o = oms_.find(id);
  if (!o || is_terminal(o->status) || o->strategy != strategy) {
    return {false, 0, fmt::format("order {} is not an open order of {}", id, strategy)};
  }
  if ((qty && qty->value() <= 0) || (limit && limit->value() <= 0)) {
    return {false, 0, fmt::format("order {}: a modify needs a positive price and quantity", id)};
  }
  if (limit && o->type == OrderType::Market) {
    return {false, 0, fmt::format("order {} is a market order: it has no price to modify", id)};
  }
  if (replacements_.contains(id)) return {false, 0, fmt::format("order {} is already being modified", id)};
  Replacement r;
  r.intent.strategy = o->strategy;
  r.intent.reason =
      o->reason.empty() ? fmt::format("modifies #{}", id) : fmt::format("{} (modifies #{})", o->reason, id);
  r.intent.code = o->code;
  r.intent.side = o->side;
  r.intent.type = o->type;
  r.intent.limit = limit.value_or(o->limit);
  r.qty = qty;
  ++stats_.modifies;
  log::orders().info("modify {} {}: cancel and replace{}{}", id, o->strategy,
                     limit ? fmt::format(" @{}", limit->value()) : std::string(),
                     qty ? fmt::format(" x{}", qty->value()) : std::string());
  return start_replacement(*o, std::move(r));
}

IntentResult Engine::start_replacement(const Order& order, Replacement replacement) {
  const OrderId id = order.id;
  replacements_.emplace(id, std::move(replacement));
  modifying_ = id;
  request_cancel(id);
  modifying_ = 0;
  const Order* after = oms_.find(id);
  // A real broker confirms the cancel later, and on_cancelled places the replacement then.
  if (!is_terminal(after->status)) return {true, 0, {}};
  // A simulated broker answered at once.
  auto waiting = replacements_.extract(id);
  if (after->status != OrderStatus::Cancelled) {
    return {false, 0, fmt::format("order {} was {} before its cancel", id, to_string(after->status))};
  }
  return place_replacement(*after, std::move(waiting.mapped()));
}

void Engine::request_cancel(OrderId id) {
  // One cancel per order: the heartbeat's policies and the kill switch may ask again while it travels.
  if (cancel_requested_.insert(id).second) broker_.cancel(id);
}

IntentResult Engine::place_replacement(const Order& cancelled, Replacement replacement) {
  replacement.intent.qty = replacement.qty.value_or(cancelled.remaining());
  IntentResult placed = submit(std::move(replacement.intent));
  if (!placed.accepted) {
    log::orders().warn("modify {}: the replacement was vetoed: {}", cancelled.id, placed.reason);
  }
  return placed;
}

std::vector<Order> Engine::open_orders(std::string_view strategy) const {
  std::vector<Order> out;
  for (const OrderId id : oms_.open_ids()) {
    const Order* o = oms_.find(id);
    if (strategy.empty() || o->strategy == strategy) out.push_back(*o);
  }
  return out;
}

std::vector<Position> Engine::positions() const {
  std::vector<Position> out;
  out.reserve(portfolio_.positions().size());
  for (const auto& [code, p] : portfolio_.positions()) out.push_back(p);
  std::sort(out.begin(), out.end(), [](const Position& a, const Position& b) { return a.code < b.code; });
  return out;
}

void Engine::notify(std::string_view strategy, std::string_view text) {
  ++stats_.notifications;
  log::trading().info("notify [{}] {}", strategy, text);
}

// ------------------------------------------------------------ broker events

void Engine::report_anomaly(const std::string& what) {
  ++stats_.broker_anomalies;
  log::errors().error("broker: {}", what);
}

void Engine::release(OrderId id) {
  auto it = books_.find(id);
  if (it == books_.end()) return;
  reserved_total_ -= it->second.reserved;
  books_.erase(it);
}

void Engine::after_order_change(const Order& order) {
  if (journal_) journal_->order(order);
  if (!is_terminal(order.status)) return;
  awaiting_answer_.erase(order.id);
  cancel_requested_.erase(order.id);
  if (const auto r = replacements_.find(order.id); r != replacements_.end() && order.id != modifying_) {
    Replacement replacement = std::move(r->second);
    replacements_.erase(r);
    if (order.status == OrderStatus::Cancelled) {
      (void)place_replacement(order, std::move(replacement));
    } else {
      log::orders().info("modify {}: the order was {} before its cancel, nothing replaced", order.id,
                         to_string(order.status));
    }
  }
  if (order.side == Side::Sell && order.filled.value() > 0) {
    const Krw realized = books_[order.id].realized;
    trades_.push_back({order.id, order.strategy, order.code, order.filled,
                       Price(order.filled_value.value() / order.filled.value()), realized,
                       order.updated});
  }
  release(order.id);
  // Shares freed by a cancelled sell or bought by a buy that raced the kill switch are sold too.
  // Not after the kill's own exits: a broker refusing them at once must not loop.
  if (flatten_ && order.strategy != kKillStrategy) flatten_step();
}

void Engine::on_accepted(OrderId id, std::string_view broker_no) {
  awaiting_answer_.erase(id);
  auto r = oms_.on_accepted(id, broker_no, clock_.now());
  if (!r.ok()) return report_anomaly(r.error().message);
  if (r->effect == Effect::Ignore) return;
  if (journal_) journal_->order_event(*r->order, fmt::format("accepted as {}", broker_no));
  after_order_change(*r->order);
  pending_.push_back({Pending::Kind::Order, id, {}});
}

void Engine::on_rejected(OrderId id, std::string_view reason) {
  awaiting_answer_.erase(id);
  auto r = oms_.on_rejected(id, clock_.now());
  if (!r.ok()) return report_anomaly(r.error().message);
  if (r->effect == Effect::Ignore) return;
  ++stats_.rejected;
  log::orders().warn("order {} rejected: {}", id, reason);
  if (journal_) journal_->order_event(*r->order, fmt::format("rejected: {}", reason));
  after_order_change(*r->order);
  pending_.push_back({Pending::Kind::Order, id, {}});
}

void Engine::on_fill(const Fill& fill) {
  auto r = oms_.on_fill(fill);
  if (!r.ok()) return report_anomaly(r.error().message);
  if (r->effect == Effect::Ignore) {
    ++stats_.duplicate_fills;
    log::orders().warn("order {}: duplicate execution {} ignored", fill.order_id, fill.fill_id);
    return;
  }
  const Order& order = *r->order;
  // What counts is what the OMS applied: after a lost report, the shares of both.
  Fill applied = fill;
  if (r->qty != fill.qty) {
    applied.qty = r->qty;
    applied.commission = krx::commission(config_.fees, applied.value());
    applied.tax = applied.side == Side::Sell ? krx::sell_tax(config_.fees, applied.value()) : Krw(0);
  }
  apply_fill(order, applied);
}

void Engine::apply_fill(const Order& order, const Fill& fill) {
  auto pnl = portfolio_.apply(fill, order.strategy);
  // The order traded whatever the portfolio says (right after a restart it is empty until the
  // holdings are reconciled): the order and its execution are journaled either way.
  if (!pnl.ok()) report_anomaly(pnl.error().message);
  ++stats_.fills;
  auto& book = books_[order.id];
  if (fill.side == Side::Buy) {
    const Krw now_reserved = limits_.buy_reservation(book.reserve_price, order.remaining());
    reserved_total_ -= book.reserved - now_reserved;
    book.reserved = now_reserved;
  } else if (pnl.ok()) {
    book.realized += *pnl;
  }
  recompute_holdings();
  update_drawdown();
  update_stop_floor(fill.code);
  log::orders().info("fill {} {} {} {} x{} @{} fee {} tax {}{}", fill.order_id, order.strategy,
                     to_string(fill.side), fill.code.str(), fill.qty.value(), fill.price.value(),
                     fill.commission.value(), fill.tax.value(),
                     fill.side == Side::Sell && pnl.ok() ? fmt::format(" pnl {}", pnl->value())
                                                         : std::string());
  if (journal_) {
    journal_->fill(fill);
    journal_->order_event(order, fmt::format("{} {} @{}", fill.fill_id, fill.qty.value(), fill.price.value()));
    const Position* p = portfolio_.position(fill.code);
    Position flat;
    flat.code = fill.code;
    journal_->position(p ? *p : flat, fill.time);
  }
  // on_fill with the execution, then on_order with the order's new status
  // (partially_filled, filled, or still cancelled for a late execution).
  pending_.push_back({Pending::Kind::Fill, order.id, fill});
  pending_.push_back({Pending::Kind::Order, order.id, {}});
  after_order_change(order);
  check_daily_loss();
}

void Engine::on_cancelled(OrderId id, Qty cancelled, std::string_view reason) {
  auto r = oms_.on_cancelled(id, clock_.now());
  if (!r.ok()) return report_anomaly(r.error().message);
  if (r->effect == Effect::Ignore) return;
  ++stats_.cancelled;
  log::orders().info("order {} cancelled ({} open shares): {}", id, cancelled.value(), reason);
  if (journal_) journal_->order_event(*r->order, fmt::format("cancelled {}: {}", cancelled.value(), reason));
  after_order_change(*r->order);
  pending_.push_back({Pending::Kind::Order, id, {}});
}

void Engine::drain() {
  if (draining_) return;  // the outer drain loop picks up what this call queued
  draining_ = true;
  while (!pending_.empty()) {
    const Pending p = std::move(pending_.front());
    pending_.pop_front();
    const Order* o = oms_.find(p.order_id);
    if (!strategies_ || !o) continue;
    if (p.kind == Pending::Kind::Fill) {
      strategies_->on_fill(p.fill, *o);
    } else {
      strategies_->on_order(*o);
    }
  }
  draining_ = false;
}

}  // namespace dalbit::engine
