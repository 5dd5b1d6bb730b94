// Order management: client order ids, the order state machine applied to
// broker events, duplicate-execution detection, and the bookkeeping risk
// needs (shares and cash committed to open orders).
#pragma once

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
};

class Oms {
 public:
  // A new order in state New with the next client id.
  Order& create(const Intent& intent, Qty qty, Price limit, Timestamp now);

  [[nodiscard]] Result<Applied> on_sent(OrderId id, Timestamp at);
  [[nodiscard]] Result<Applied> on_accepted(OrderId id, std::string_view broker_no, Timestamp at);
  [[nodiscard]] Result<Applied> on_rejected(OrderId id, Timestamp at);
  // Applies an execution; a repeated fill_id is reported as Effect::Ignore and changes nothing.
  // An execution beyond the ordered quantity is an error and changes nothing.
  [[nodiscard]] Result<Applied> on_fill(const Fill& fill);
  [[nodiscard]] Result<Applied> on_cancelled(OrderId id, Timestamp at);

  [[nodiscard]] const Order* find(OrderId id) const;
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
