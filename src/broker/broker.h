// The edge where orders leave the engine. KiwoomBroker (REST + the 00 stream)
// and SimBroker (the fill model in process) implement it; the engine cannot
// tell them apart.
#pragma once

#include <string_view>

#include "core/krx.h"
#include "core/types.h"

namespace dalbit::broker {

// Broker events, delivered on the engine thread.
class Listener {
 public:
  virtual ~Listener() = default;
  virtual void on_accepted(OrderId id, std::string_view broker_no) = 0;
  virtual void on_rejected(OrderId id, std::string_view reason) = 0;
  virtual void on_fill(const Fill& fill) = 0;
  // The open rest of an order is cancelled (by request, or expired at the close).
  virtual void on_cancelled(OrderId id, Qty cancelled, std::string_view reason) = 0;
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

 protected:
  Listener* listener_ = nullptr;
};

}  // namespace dalbit::broker
