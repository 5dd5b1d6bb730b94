#include "broker/sim_broker.h"

#include <string>

namespace dalbit::broker {

void SimBroker::submit(const Order& order, const krx::PriceBand& band) {
  if (auto st = matcher_.submit(order, band); !st.ok()) {
    listener_->on_rejected(order.id, st.message());
    return;
  }
  listener_->on_accepted(order.id, "SIM" + std::to_string(order.id));
}

void SimBroker::cancel(OrderId id) {
  if (const auto open = matcher_.cancel(id); open && open->value() > 0) {
    listener_->on_cancelled(id, *open, "cancelled on request");
  }
}

void SimBroker::on_tick(const Tick& t) {
  matcher_.on_tick(t, executions_);
  deliver();
}

void SimBroker::on_bar(const Bar& b) {
  matcher_.on_bar(b, executions_);
  deliver();
}

void SimBroker::end_of_day() {
  for (const auto& [id, open] : matcher_.expire_all()) {
    listener_->on_cancelled(id, open, "expired at the close");
  }
}

void SimBroker::deliver() {
  if (executions_.empty()) return;
  for (const auto& e : executions_) {
    Fill f;
    f.order_id = e.order_id;
    f.fill_id = fill_prefix_ + std::to_string(next_fill_++);
    f.code = e.code;
    f.side = e.side;
    f.price = e.price;
    f.qty = e.qty;
    f.commission = e.commission;
    f.tax = e.tax;
    f.time = e.time;
    listener_->on_fill(f);
  }
  executions_.clear();
}

}  // namespace dalbit::broker
