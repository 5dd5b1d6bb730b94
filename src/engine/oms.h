// Order management: client order ids, the order state machine applied to
// broker events, duplicate-execution detection, and the bookkeeping risk
// needs (shares and cash committed to open orders).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/intent.h"
#include "core/result.h"
#include "core/types.h"
#include "engine/order_fsm.h"

namespace dalbit::engine {

// What applying a broker event did.
struct Applied {
  const Order* order = nullptr;
  Effect effect = Effect::Transition;
  Qty qty;  // executions: the shares this one added (less than reported after a missed report)
};

class Oms {
 public:
  // A new order in state New with the next client id.
  Order& create(const Intent& intent, Qty qty, Price limit, Timestamp now);

  [[nodiscard]] Result<Applied> on_sent(OrderId id, Timestamp at);
  [[nodiscard]] Result<Applied> on_accepted(OrderId id, std::string_view broker_no, Timestamp at);
  [[nodiscard]] Result<Applied> on_rejected(OrderId id, Timestamp at);
  // Applies an execution. With Fill::cumulative set (live brokers) only the
  // shares beyond what the order already has count, so a duplicate, late or
  // re-ordered report is Effect::Ignore and one that follows a lost report
  // adds both. Without it (simulated fills) a repeated fill_id is
  // Effect::Ignore. An execution beyond the ordered quantity is an error and
  // changes nothing.
  [[nodiscard]] Result<Applied> on_fill(const Fill& fill);
  [[nodiscard]] Result<Applied> on_cancelled(OrderId id, Timestamp at);

  // An order this run did not create: restored from the store after a
  // restart (its id kept, and ids after it never reused) or found at the
  // broker (id 0: it takes the next id). Its status, fills and broker number are kept.
  const Order& restore(Order order);
  // Ids from `next` on are free (a restart continues the numbering).
  void set_next_id(OrderId next) { next_id_ = std::max(next_id_, next); }
  [[nodiscard]] OrderId next_id() const { return next_id_; }

  [[nodiscard]] const Order* find(OrderId id) const;
  [[nodiscard]] const Order* find_by_broker_no(std::string_view broker_no) const;
  [[nodiscard]] const std::vector<OrderId>& open_ids() const { return open_; }
  [[nodiscard]] std::size_t size() const { return orders_.size(); }

  // Shares of `code` that open sell orders may still sell.
  [[nodiscard]] Qty open_sell_qty(StockCode code) const;
  // True when an open buy order exists for `code`.
  [[nodiscard]] bool has_open_buy(StockCode code) const;
  // Distinct codes with an open buy but no position yet are counted by the caller.
  [[nodiscard]] std::vector<StockCode> codes_with_open_buys() const;

 private:
  Result<Applied> apply(OrderId id, OrderEvent event, Timestamp at);
  void close_if_terminal(Order& order);

  OrderId next_id_ = 1;
  std::unordered_map<OrderId, Order> orders_;
  std::vector<OrderId> open_;  // non-terminal orders, in creation order
  std::unordered_set<std::string> seen_fills_;
};

}  // namespace dalbit::engine
