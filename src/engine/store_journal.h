// The engine's Journal written to the SQLite store, under one run id.
//
// StoreJournal: every write joins the caller's transaction, if any (a backtest
// holds one for the whole run, so a failed run leaves nothing behind).
//
// DurableJournal, for live and paper runs: writes are batched in one
// transaction, opened at the first write and committed in before_send() (the
// order row is on disk before the order leaves) and in flush(), which the
// runner calls after each event. The risk state is kept across restarts
// (load_risk_state reads it back).
//
// A failed write or commit is logged to log::errors() and kept in status().
// What the runner must do when status() fails: halt trading (RiskState::Halted,
// no new orders) and alert. An engine that cannot journal must not send
// orders: an order it cannot record may be sent twice after a restart, and a
// fill it cannot record is a position it will not know. The journal keeps writing what it can meanwhile, so executions of
// orders already sent are still recorded if the store recovers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"
#include "engine/journal.h"
#include "store/store.h"

namespace dalbit::engine {

class StoreJournal : public Journal {
 public:
  StoreJournal(store::Store& store, std::int64_t run) : store_(store), run_(run) {}
  void order(const Order& order) override;
  void order_event(const Order& order, std::string_view detail) override;
  void fill(const Fill& fill) override;
  void position(const Position& position, Timestamp at) override;
  void signal(const SignalRecord& signal) override;
  // The first write that failed, if any: a run with a failed write must not
  // be committed, and a live run must stop trading (see above).
  [[nodiscard]] const Status& status() const { return status_; }

 protected:
  // Runs before every write; DurableJournal opens its batch here.
  virtual void before_write() {}
  // Logs a failure, and keeps the first one in status().
  void keep(Status st);

  store::Store& store_;
  std::int64_t run_;

 private:
  Status status_;
};

// The risk state as it was last journaled, and the KST day it was entered.
struct RiskRecord {
  RiskState state = RiskState::Active;
  std::string reason;
  KstDate since;
};

// The state key of a mode's risk state: "risk_state.live" or
// "risk_state.paper". Per mode, so that a paper run can never lift a live halt.
[[nodiscard]] std::string risk_state_key(std::string_view mode);

// The risk state a DurableJournal of `mode` saved last; none when it never
// saved one (a first start). A value that cannot be read is an error naming
// the key: the runner should then start halted, not active.
Result<std::optional<RiskRecord>> load_risk_state(store::Store& store, std::string_view mode);
// Writes what load_risk_state reads (the journal does, and `dalbit kill` with no engine running).
Status save_risk_state(store::Store& store, std::string_view mode, const RiskRecord& record);

class DurableJournal final : public StoreJournal {
 public:
  // `mode` is the run's mode, "live" or "paper"; the runner must not hold a
  // transaction of its own on `store`, and the journal must not outlive it.
  DurableJournal(store::Store& store, std::int64_t run, std::string_view mode);
  // Commits what is still pending: a journaled fill is never dropped silently.
  ~DurableJournal() override;
  DurableJournal(const DurableJournal&) = delete;
  DurableJournal& operator=(const DurableJournal&) = delete;

  bool before_send() override;
  // Saved as JSON under risk_state_key(mode), {"state": "halted", "reason":
  // "...", "since": "YYYY-MM-DD"}, and committed at once: it is rare and must
  // survive a crash in the same event.
  void risk_state(RiskState state, std::string_view reason, Timestamp at) override;
  // Commits the open batch, if any. A failed commit rolls the batch back (its
  // writes are lost and logged) and fails status(); the next write opens a new batch.
  Status flush();

 private:
  void before_write() override;
  Status commit(std::string_view when);

  std::string mode_;
  std::optional<store::Transaction> batch_;
};

}  // namespace dalbit::engine
