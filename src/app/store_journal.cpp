#include "app/store_journal.h"

#include "log/log.h"

namespace dalbit::app {

void StoreJournal::keep(Status st) {
  if (st.ok() || !status_.ok()) return;
  log::errors().error("store: {}", st.message());
  status_ = std::move(st);
}

void StoreJournal::order(const Order& order) { keep(store_.record_order(run_, order)); }

void StoreJournal::order_event(const Order& order, std::string_view detail) {
  keep(store_.record_order_event(run_, order.id, order.status, order.updated, detail));
}

void StoreJournal::fill(const Fill& fill) {
  auto r = store_.record_fill(run_, fill);
  if (!r.ok()) keep(Error{r.error().message});
}

void StoreJournal::position(const Position& position, Timestamp at) {
  keep(store_.record_position(run_, position, at));
}

void StoreJournal::signal(const engine::SignalRecord& s) {
  store::Signal row;
  row.at = s.at;
  row.strategy = s.strategy;
  row.code = s.code;
  row.side = s.side;
  row.kind = s.kind;
  row.order_id = s.order_id;
  row.reason = s.reason;
  keep(store_.record_signal(run_, row));
}

}  // namespace dalbit::app
