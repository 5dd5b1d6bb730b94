// The engine's Journal written to the SQLite store, under one run id.
#pragma once

#include <cstdint>

#include "engine/journal.h"
#include "store/store.h"

namespace dalbit::app {

class StoreJournal final : public engine::Journal {
 public:
  StoreJournal(store::Store& store, std::int64_t run) : store_(store), run_(run) {}
  void order(const Order& order) override;
  void order_event(const Order& order, std::string_view detail) override;
  void fill(const Fill& fill) override;
  void position(const Position& position, Timestamp at) override;
  void signal(const engine::SignalRecord& signal) override;
  // The first write that failed, if any: a run with a failed write must not be committed.
  [[nodiscard]] const Status& status() const { return status_; }

 private:
  void keep(Status st);

  store::Store& store_;
  std::int64_t run_;
  Status status_;
};

}  // namespace dalbit::app
