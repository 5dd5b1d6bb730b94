// The edge where orders leave the engine. KiwoomBroker (REST + the 00 stream)
// and SimBroker (the fill model in process) implement it; the engine cannot
// tell them apart.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/krx.h"
#include "core/result.h"
#include "core/types.h"

namespace dalbit::broker {

// The broker's own view of the account, for reconciliation on start, after a
// reconnect, and for the periodic drift check.
struct BrokerHolding {
  StockCode code;
  Qty qty;
  Price avg_price;  // excluding fees, truncated to the won
};

// One of today's orders as the broker knows it (open orders and orders with
// executions, merged by order number).
struct BrokerOrder {
  std::string broker_no;
  std::string orig_broker_no;  // a modify's or cancel's parent, else empty
  StockCode code;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  Price limit;      // zero for market orders
  Qty qty;          // ordered
  Qty filled;       // executed so far
  Krw filled_value; // sum of price x qty of its executions (0 when the broker does not say)
  Price fill_price; // the broker's execution price for the order (ka10076 cntr_pric, an average or the
                    // last: UNCONFIRMED); 0 when unknown. For missed executions when filled_value is 0
  Qty open;         // still working (0: done, cancelled or rejected)
  bool cancel_order = false;  // this entry is itself a cancel request (Kiwoom numbers those too)
};

struct AccountSnapshot {
  Timestamp at;
  Krw cash;  // cash after every trade so far (settled or not), won
  std::vector<BrokerHolding> holdings;
  std::vector<BrokerOrder> orders;
};

// Broker events, delivered on the engine thread.
class Listener {
 public:
  virtual ~Listener() = default;
  virtual void on_accepted(OrderId id, std::string_view broker_no) = 0;
  virtual void on_rejected(OrderId id, std::string_view reason) = 0;
  virtual void on_fill(const Fill& fill) = 0;
  // The open rest of an order is cancelled (by request, or expired at the close).
  virtual void on_cancelled(OrderId id, Qty cancelled, std::string_view reason) = 0;
  // The broker cannot say what became of an order (the request may or may not
  // have reached it): nothing is re-sent; reconciliation decides.
  virtual void on_unknown(OrderId /*id*/, std::string_view /*reason*/) {}
};

class Broker {
 public:
  virtual ~Broker() = default;
  void set_listener(Listener* listener) { listener_ = listener; }
  // `band` is today's limit band for the order's code, for brokers that check prices themselves.
  virtual void submit(const Order& order, const krx::PriceBand& band) = 0;
  virtual void cancel(OrderId id) = 0;
  // Market data reaching the broker edge: a simulated broker matches on it.
  virtual void on_tick(const Tick&) {}
  virtual void on_bar(const Bar&) {}
  // The session closed: day orders still open expire.
  virtual void end_of_day() {}
  // True for a broker that holds the account (KiwoomBroker): the engine
  // reconciles with it. A simulated broker is the engine's own mirror.
  [[nodiscard]] virtual bool keeps_account() const { return false; }
  // The broker's view of the account; `done` runs on the engine thread.
  virtual void fetch_snapshot(std::function<void(Result<AccountSnapshot>)> done) {
    done(Error{"this broker keeps no account of its own"});
  }
  // After a restart: the orders the engine already knows by broker number,
  // so that their executions map back to the right client id.
  virtual void adopt(OrderId /*id*/, const Order& /*order*/) {}

 protected:
  Listener* listener_ = nullptr;
};

}  // namespace dalbit::broker
