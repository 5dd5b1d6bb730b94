// dalbit's durable record of what happened: runs, orders and their every state
// change, fills, position snapshots and signals (intents, vetoes, orders), in
// one SQLite file.
//
//   auto store = Store::open("var/dalbit.db");        // creates dirs, migrates
//   if (!store) return store.error();
//   auto run = (*store)->begin_run({.mode = "backtest", ...});
//   {
//     Transaction tx(**store);                        // a backtest: one transaction
//     (*store)->record_fill(*run, fill);              // live: one per event batch
//     if (auto s = tx.commit(); !s) return s;         // otherwise rolled back
//   }
//
// Durability: WAL with synchronous=FULL, so a committed fill survives a crash
// or power loss. Every time is integer nanoseconds since the Unix epoch (UTC),
// every amount an integer. Statements are prepared once, at open.
//
// A Store is used from one thread at a time (the engine thread).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace dalbit::store {

struct RunInfo {
  std::string mode;         // "backtest" | "paper" | "live"
  std::string config_path;
  std::string strategies;   // as given, e.g. "rsi,bollinger"
  std::string data_path;    // backtests: where the market data came from
  Timestamp started;
};

// Something a strategy or the risk layer said about an order it wanted.
struct Signal {
  Timestamp at;
  std::string strategy;
  StockCode code;
  Side side = Side::Buy;
  std::string kind;         // "intent" | "veto" | "order"
  OrderId order_id = 0;     // 0: no order (stored as NULL)
  std::string reason;
};

struct OrderEventRow {
  OrderId order_id = 0;
  OrderStatus status = OrderStatus::New;
  Timestamp at;
  std::string detail;
};

// The latest snapshot of a position and when it was taken.
struct PositionRow {
  Position position;
  Timestamp at;
};

struct RunRecord {
  std::int64_t id = 0;
  std::string mode;
  std::string status;                // "running" | "completed" | "failed"
  std::string config_path;
  std::string strategies;
  std::string data_path;
  std::string summary_json;          // empty until the run finishes
  Timestamp started;
  std::optional<Timestamp> ended;    // none while running
  // Filled by load_run only: orders by id, the rest in the order recorded
  // (positions by code).
  std::vector<Order> orders;
  std::vector<OrderEventRow> events;
  std::vector<Fill> fills;
  std::vector<PositionRow> positions;
  std::vector<Signal> signals;
};

// One schema step: run `sql` to move the database from version-1 to version.
struct Migration {
  int version = 0;
  std::string_view sql;
};

// dalbit's schema, oldest first; the last version is what this code writes.
[[nodiscard]] std::span<const Migration> schema_migrations();

// What the connection actually runs with (read back from SQLite, not assumed).
struct ConnectionSettings {
  std::string journal_mode;  // "wal"
  int synchronous = 0;       // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
  bool foreign_keys = false;
  int busy_timeout_ms = 0;
};

// Routes SQLite's own diagnostics (SQLITE_CONFIG_LOG) to log::errors(). Takes
// effect only before anything in the process has used SQLite; Store::open
// calls it, so only code that touches SQLite some other way first needs to.
// Idempotent; fails once SQLite is already initialised without it.
Status route_sqlite_log();

class Store {
 public:
  // Creates missing parent directories, sets the pragmas and migrates to the
  // newest schema. Refuses, leaving the file untouched, a database whose
  // schema is newer than this code.
  static Result<std::unique_ptr<Store>> open(const std::string& path);
  // Test seam: the same with an explicit migration list (versions 1..N in order).
  static Result<std::unique_ptr<Store>> open(const std::string& path,
                                             std::span<const Migration> migrations);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Result<std::int64_t> begin_run(const RunInfo& info);
  // Inserts the order or replaces every field of the one with the same id in `run`.
  Status record_order(std::int64_t run, const Order& order);
  Status record_order_event(std::int64_t run, OrderId order_id, OrderStatus status, Timestamp at,
                            std::string_view detail);
  // False when `run` already has a fill with this fill_id: a duplicate
  // execution report, ignored.
  Result<bool> record_fill(std::int64_t run, const Fill& fill);
  // Inserts or replaces the snapshot of `position.code` in `run`.
  Status record_position(std::int64_t run, const Position& position, Timestamp at);
  Status record_signal(std::int64_t run, const Signal& signal);
  // `status` is "completed" or "failed"; `summary_json` is empty or valid JSON.
  // Only a running run can be finished.
  Status finish_run(std::int64_t run, std::string_view status, std::string_view summary_json,
                    Timestamp ended);

  Result<RunRecord> load_run(std::int64_t run);
  // Every run, oldest first, without the detail vectors.
  Result<std::vector<RunRecord>> list_runs();

  // Small values that must survive a restart, by key (not by run). set_state
  // inserts or replaces and joins the caller's transaction, if any; the key
  // must not be empty. get_state gives none for a key never set.
  Status set_state(std::string_view key, std::string_view value);
  Result<std::optional<std::string>> get_state(std::string_view key);

  // Restart queries over every run of one mode, "live" or "paper" (client
  // order ids are only unique within a mode; backtests reuse them per run).
  //
  // The largest client order id ever recorded (0: none), so a restarted
  // engine never reuses one. Order ids reach the broker only after their
  // order row is committed (Journal::before_send), so the orders table is enough.
  Result<OrderId> max_order_id(std::string_view mode);
  // For each order id, its row in the newest run that recorded it (a restored
  // order is recorded again in the new run), when that row is not terminal;
  // by order id.
  Result<std::vector<Order>> open_orders(std::string_view mode);
  // Every broker order number an order of that mode's runs ever had: after a
  // restart they are known orders, never candidates for an order whose
  // acknowledgement was lost.
  Result<std::vector<std::string>> broker_numbers(std::string_view mode);
  // Every fill of the KST `day`, once per fill_id (the first row recorded: a
  // fill seen again after a restart is the same execution), by time.
  Result<std::vector<Fill>> fills_of(std::string_view mode, KstDate day);

  // Copies the database to `path` with SQLite's online backup API, as one
  // consistent snapshot of what is committed; other connections (threads or
  // processes) go on writing meanwhile. Refused inside a transaction, which
  // would copy uncommitted writes. The copy runs on the calling thread: on the
  // engine's own Store it holds the engine for as long as the copy takes, so
  // prefer `dalbit backup` (its own process) or a Store of its own. See store/backup.h.
  Status backup_to(const std::string& path);

  [[nodiscard]] int schema_version() const;
  [[nodiscard]] const std::string& path() const;
  Result<ConnectionSettings> connection_settings();

 private:
  friend class Transaction;
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// BEGIN IMMEDIATE in the constructor; ROLLBACK in the destructor unless
// commit() succeeded. Must not outlive its Store; transactions do not nest.
class Transaction {
 public:
  explicit Transaction(Store& store);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Why BEGIN failed; ok while the transaction is open or committed.
  [[nodiscard]] const Status& status() const { return status_; }
  // Fails if BEGIN failed or COMMIT did; the destructor then rolls back.
  Status commit();

 private:
  Store& store_;
  Status status_;
  bool open_ = false;
};

}  // namespace dalbit::store
