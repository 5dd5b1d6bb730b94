#include "store/store.h"

#include <filesystem>
#include <limits>
#include <utility>

#include <fmt/format.h>
#include <sqlite3.h>

#include "log/log.h"
#include "store/schema.h"
#include "store/sqlite_copy.h"

namespace dalbit::store {
namespace {

constexpr Migration kMigrations[] = {{1, schema::kV1}, {2, schema::kV2}};

// How long a write waits for another connection's lock (a reader tool, a
// second process) before failing with SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 5000;

struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;

void sqlite_log(void* /*unused*/, int code, const char* message) {
  const int primary = code & 0xff;
  const auto level = primary == SQLITE_NOTICE    ? spdlog::level::info
                     : primary == SQLITE_WARNING ? spdlog::level::warn
                                                 : spdlog::level::err;
  log::errors().log(level, "sqlite ({}): {}", code, message);
}

Error sqlite_error(sqlite3* db, std::string_view what) {
  return Error{fmt::format("store: {}: {} (sqlite code {})", what, sqlite3_errmsg(db),
                           sqlite3_extended_errcode(db))};
}

// Binds parameters left to right (?1, ?2, ...) and, when it goes out of scope,
// resets the statement and clears its bindings so the next use starts clean
// even after an error. Text is copied (SQLITE_TRANSIENT): a caller may bind a
// temporary.
class Use {
 public:
  explicit Use(sqlite3_stmt* s) : s_(s) {}
  ~Use() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;

  Use& bind(std::int64_t v) { return check(sqlite3_bind_int64(s_, ++index_, v)); }
  Use& bind(Timestamp t) { return bind(std::int64_t{t.time_since_epoch().count()}); }
  Use& bind(std::string_view v) {
    // A default string_view has no data pointer, which SQLite would store as NULL.
    return check(sqlite3_bind_text64(s_, ++index_, v.data() ? v.data() : "", v.size(),
                                     SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  Use& bind_null() { return check(sqlite3_bind_null(s_, ++index_)); }

  // SQLITE_ROW, SQLITE_DONE or the error (a failed bind wins).
  int step() { return rc_ != SQLITE_OK ? rc_ : sqlite3_step(s_); }
  sqlite3_stmt* get() const { return s_; }

 private:
  Use& check(int rc) {
    if (rc_ == SQLITE_OK) rc_ = rc;
    return *this;
  }
  sqlite3_stmt* s_;
  int index_ = 0;
  int rc_ = SQLITE_OK;
};

std::int64_t column_int(sqlite3_stmt* s, int i) { return sqlite3_column_int64(s, i); }
Timestamp column_time(sqlite3_stmt* s, int i) { return Timestamp(Duration(column_int(s, i))); }
std::string column_text(sqlite3_stmt* s, int i) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
}

// SQLite integers are signed 64-bit; client order ids never get near the limit,
// but a corrupt id must fail loudly rather than wrap.
bool fits_sqlite(OrderId id) {
  return id <= static_cast<OrderId>(std::numeric_limits<std::int64_t>::max());
}
std::int64_t to_sqlite(OrderId id) { return static_cast<std::int64_t>(id); }

constexpr Side kSides[] = {Side::Buy, Side::Sell};
constexpr OrderType kOrderTypes[] = {OrderType::Market, OrderType::Limit};
constexpr OrderStatus kOrderStatuses[] = {
    OrderStatus::New,    OrderStatus::Sent,      OrderStatus::Accepted, OrderStatus::PartiallyFilled,
    OrderStatus::Filled, OrderStatus::Cancelled, OrderStatus::Rejected};

// Reads back an enum stored as core's to_string() text.
template <class E, std::size_t N>
std::optional<E> parse_enum(std::string_view text, const E (&all)[N]) {
  for (E e : all) {
    if (to_string(e) == text) return e;
  }
  return std::nullopt;
}

// Decodes one row's columns in order, remembering the first bad value so a
// corrupt row becomes an error that names the column instead of a crash.
class RowReader {
 public:
  explicit RowReader(sqlite3_stmt* s) : s_(s) {}
  std::int64_t integer() { return column_int(s_, i_++); }
  Timestamp time() { return column_time(s_, i_++); }
  std::string text() { return column_text(s_, i_++); }
  Price price() { return Price(integer()); }
  Qty qty() { return Qty(integer()); }
  Krw krw() { return Krw(integer()); }
  OrderId order_id() {
    const auto v = integer();
    if (v < 0) fail(fmt::format("negative order id {}", v));
    return static_cast<OrderId>(v);
  }
  StockCode code() { return parsed(StockCode::parse(text()), "stock code"); }
  Side side() { return parsed_enum(kSides, "side"); }
  OrderType order_type() { return parsed_enum(kOrderTypes, "order type"); }
  OrderStatus status() { return parsed_enum(kOrderStatuses, "order status"); }
  bool is_null() const { return sqlite3_column_type(s_, i_) == SQLITE_NULL; }
  void skip() { ++i_; }
  [[nodiscard]] const std::optional<std::string>& problem() const { return problem_; }

 private:
  template <class T>
  T parsed(std::optional<T> v, std::string_view what) {
    if (v) return *v;
    fail(fmt::format("bad {} '{}' in column {}", what, column_text(s_, i_ - 1), i_ - 1));
    return T{};
  }
  template <class E, std::size_t N>
  E parsed_enum(const E (&all)[N], std::string_view what) {
    return parsed(parse_enum(text(), all), what);
  }
  void fail(std::string message) {
    if (!problem_) problem_ = std::move(message);
  }
  sqlite3_stmt* s_;
  int i_ = 0;
  std::optional<std::string> problem_;
};

Status exec(sqlite3* db, const std::string& sql, std::string_view what) {
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return sqlite_error(db, what);
  }
  return {};
}

Result<Statement> prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s,
                         nullptr) != SQLITE_OK) {
    return sqlite_error(db, fmt::format("prepare '{}'", sql));
  }
  return Statement(s);
}

Result<std::int64_t> query_int(sqlite3* db, const char* sql) {
  auto s = prepare(db, sql);
  if (!s) return s.error();
  Use use(s->get());
  if (use.step() != SQLITE_ROW) return sqlite_error(db, sql);
  return column_int(s->get(), 0);
}

Result<std::string> query_text(sqlite3* db, const char* sql) {
  auto s = prepare(db, sql);
  if (!s) return s.error();
  Use use(s->get());
  if (use.step() != SQLITE_ROW) return sqlite_error(db, sql);
  return column_text(s->get(), 0);
}

Status check_migrations(std::span<const Migration> migrations) {
  if (migrations.empty()) return Error{"store: no schema migrations given"};
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return Error{fmt::format("store: migration #{} has version {}; versions must run 1, 2, 3, ...",
                               i + 1, migrations[i].version)};
    }
  }
  return {};
}

Status refuse_newer(const std::string& path, std::int64_t found, std::size_t known) {
  return Error{fmt::format(
      "store {}: schema version {} is newer than this dalbit knows ({}); refusing to open it "
      "(run a newer dalbit, or use another database file)",
      path, found, known)};
}

// Reads user_version over a read-only connection, so that a database we end up
// refusing is not modified in any way (a read-write connection would at least
// switch it to WAL, and checkpoint a WAL on close). 0 when the file is absent or empty.
Result<std::int64_t> probe_version(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size == 0) return std::int64_t{0};
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) return sqlite_error(db.get(), fmt::format("{}: open read-only", path));
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  auto v = query_int(db.get(), "PRAGMA user_version");
  if (!v) return Error{fmt::format("store {}: cannot read the schema version: {}", path, v.error().message)};
  return v;
}

// Pragmas first, outside any transaction (journal_mode and foreign_keys are
// no-ops inside one).
Status configure(sqlite3* db, const std::string& path) {
  auto mode = query_text(db, "PRAGMA journal_mode = WAL");
  if (!mode) return mode.error();
  if (*mode != "wal") {
    return Error{fmt::format("store {}: journal_mode is '{}', WAL is required", path, *mode)};
  }
  // In WAL mode NORMAL may lose the last commits on power loss; fills must not.
  if (auto s = exec(db, "PRAGMA synchronous = FULL", path); !s) return s;
  if (auto s = exec(db, "PRAGMA foreign_keys = ON", path); !s) return s;
  return {};
}

// Runs one step inside the open transaction and commits it with its version.
Status apply(sqlite3* db, const std::string& path, const Migration& m) {
  if (auto s = exec(db, std::string(m.sql), fmt::format("{}: migration to version {}", path, m.version)); !s) {
    return s;
  }
  if (auto s = exec(db, fmt::format("PRAGMA user_version = {}", m.version), path); !s) return s;
  return exec(db, "COMMIT", fmt::format("{}: commit migration {}", path, m.version));
}

// One transaction per version. BEGIN IMMEDIATE takes the write lock before
// reading user_version, so two processes opening at once cannot both apply a step.
Result<int> migrate(sqlite3* db, const std::string& path, std::span<const Migration> migrations) {
  const auto latest = static_cast<std::int64_t>(migrations.size());
  for (;;) {
    if (auto s = exec(db, "BEGIN IMMEDIATE", fmt::format("{}: begin migration", path)); !s) {
      return Error{s.message()};
    }
    auto version = query_int(db, "PRAGMA user_version");
    Status s;
    if (!version) {
      s = version.error();
    } else if (*version > latest) {
      s = refuse_newer(path, *version, migrations.size());
    } else if (*version == latest) {
      s = exec(db, "COMMIT", path);
    } else {
      s = apply(db, path, migrations[static_cast<std::size_t>(*version)]);
      if (!s) s = Error{fmt::format("{}; the database stays at version {}", s.message(), *version)};
    }
    if (!s) {
      if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return Error{s.message()};
    }
    if (*version == latest) return static_cast<int>(latest);
  }
}

// The restart queries span the runs of one mode: client order ids are only
// unique within a mode (a backtest starts again at 1 every run).
Status check_restart_mode(std::string_view mode, std::string_view what) {
  if (mode == "live" || mode == "paper") return {};
  return Error{fmt::format("store: {}: mode '{}' is neither live nor paper", what, mode)};
}

#define DALBIT_RUN_COLUMNS \
  "id, mode, status, config_path, strategies, data_path, summary_json, started_at, ended_at"
#define DALBIT_ORDER_COLUMNS \
  "order_id, code, side, type, limit_price, qty, filled_qty, filled_value, status, broker_no, strategy, " \
  "reason, created_at, updated_at"
#define DALBIT_FILL_COLUMNS "order_id, fill_id, code, side, price, qty, commission, tax, at"
#define DALBIT_RUNS_OF_MODE "(SELECT id FROM runs WHERE mode = ?1)"

}  // namespace

std::span<const Migration> schema_migrations() { return kMigrations; }

Status route_sqlite_log() {
  // SQLITE_CONFIG_LOG is process-wide and allowed only before SQLite initialises.
  static const int rc = sqlite3_config(SQLITE_CONFIG_LOG, &sqlite_log, nullptr);
  if (rc != SQLITE_OK) {
    return Error{fmt::format(
        "store: cannot route SQLite diagnostics to the log (sqlite code {}): SQLite was "
        "initialised before the store was opened",
        rc)};
  }
  return {};
}

struct Store::Impl {
  std::string path;
  Database db;
  int version = 0;

  Statement begin;
  Statement commit;
  Statement rollback;
  Statement begin_read;
  Statement insert_run;
  Statement finish_run;
  Statement upsert_order;
  Statement insert_event;
  Statement insert_fill;
  Statement upsert_position;
  Statement insert_signal;
  Statement select_run;
  Statement select_runs;
  Statement select_orders;
  Statement select_events;
  Statement select_fills;
  Statement select_positions;
  Statement select_signals;
  Statement upsert_state;
  Statement select_state;
  Statement select_max_order_id;
  Statement select_broker_numbers;
  Statement select_open_orders;
  Statement select_fills_of_day;

  // Runs a statement that returns no rows.
  Status run(sqlite3_stmt* s, std::string_view what) {
    Use use(s);
    if (use.step() != SQLITE_DONE) return sqlite_error(db.get(), what);
    return {};
  }
  Error error(std::string_view what) const { return sqlite_error(db.get(), what); }

  // Steps `s` (already bound) and decodes each row with `read`, which returns
  // the row or leaves a problem in the RowReader.
  template <class T, class Read>
  Status read_rows(Use& use, std::vector<T>& out, std::string_view what, Read read) {
    int rc;
    while ((rc = use.step()) == SQLITE_ROW) {
      RowReader row(use.get());
      T value = read(row);
      if (row.problem()) return Error{fmt::format("store: {}: {}", what, *row.problem())};
      out.push_back(std::move(value));
    }
    if (rc != SQLITE_DONE) return error(what);
    return {};
  }

  static RunRecord read_run(RowReader& row) {
    RunRecord r;
    r.id = row.integer();
    r.mode = row.text();
    r.status = row.text();
    r.config_path = row.text();
    r.strategies = row.text();
    r.data_path = row.text();
    r.summary_json = row.text();
    r.started = row.time();
    if (row.is_null()) {
      row.skip();
    } else {
      r.ended = row.time();
    }
    return r;
  }

  // DALBIT_ORDER_COLUMNS
  static Order read_order(RowReader& row) {
    Order o;
    o.id = row.order_id();
    o.code = row.code();
    o.side = row.side();
    o.type = row.order_type();
    o.limit = row.price();
    o.qty = row.qty();
    o.filled = row.qty();
    o.filled_value = row.krw();
    o.status = row.status();
    o.broker_no = row.text();
    o.strategy = row.text();
    o.reason = row.text();
    o.created = row.time();
    o.updated = row.time();
    return o;
  }

  // DALBIT_FILL_COLUMNS
  static Fill read_fill(RowReader& row) {
    Fill f;
    f.order_id = row.order_id();
    f.fill_id = row.text();
    f.code = row.code();
    f.side = row.side();
    f.price = row.price();
    f.qty = row.qty();
    f.commission = row.krw();
    f.tax = row.krw();
    f.time = row.time();
    return f;
  }
};

Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
  return open(path, schema_migrations());
}

Result<std::unique_ptr<Store>> Store::open(const std::string& path,
                                           std::span<const Migration> migrations) {
  if (auto s = route_sqlite_log(); !s) log::errors().warn("{}", s.message());
  if (path.empty()) return Error{"store: empty database path"};
  if (auto s = check_migrations(migrations); !s) return Error{s.message()};

  auto found = probe_version(path);
  if (!found) return found.error();
  if (*found > static_cast<std::int64_t>(migrations.size())) {
    return Error{refuse_newer(path, *found, migrations.size()).message()};
  }

  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return Error{fmt::format("store {}: cannot create directory {}: {}", path, dir.string(), ec.message())};
    }
  }

  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->db.reset(raw);
  sqlite3* db = impl->db.get();
  if (rc != SQLITE_OK) return sqlite_error(db, fmt::format("{}: open", path));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);

  if (auto s = configure(db, path); !s) return Error{s.message()};
  auto version = migrate(db, path, migrations);
  if (!version) return version.error();
  impl->version = *version;

  const std::pair<Statement Impl::*, std::string_view> statements[] = {
      {&Impl::begin, "BEGIN IMMEDIATE"},
      {&Impl::commit, "COMMIT"},
      {&Impl::rollback, "ROLLBACK"},
      {&Impl::begin_read, "BEGIN"},
      {&Impl::insert_run,
       "INSERT INTO runs (mode, started_at, config_path, strategies, data_path) "
       "VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&Impl::finish_run,
       "UPDATE runs SET status = ?2, summary_json = ?3, ended_at = ?4 "
       "WHERE id = ?1 AND status = 'running'"},
      {&Impl::upsert_order,
       "INSERT INTO orders (run_id, order_id, code, side, type, limit_price, qty, filled_qty, "
       "filled_value, status, broker_no, strategy, reason, created_at, updated_at) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
       "ON CONFLICT (run_id, order_id) DO UPDATE SET code = excluded.code, side = excluded.side, "
       "type = excluded.type, limit_price = excluded.limit_price, qty = excluded.qty, "
       "filled_qty = excluded.filled_qty, filled_value = excluded.filled_value, "
       "status = excluded.status, broker_no = excluded.broker_no, strategy = excluded.strategy, "
       "reason = excluded.reason, created_at = excluded.created_at, updated_at = excluded.updated_at"},
      {&Impl::insert_event,
       "INSERT INTO order_events (run_id, order_id, status, at, detail) VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&Impl::insert_fill,
       "INSERT INTO fills (run_id, fill_id, order_id, code, side, price, qty, commission, tax, at) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (run_id, fill_id) DO NOTHING"},
      {&Impl::upsert_position,
       "INSERT INTO positions (run_id, code, qty, cost, buy_fees, realized, opened_at, at) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
       "ON CONFLICT (run_id, code) DO UPDATE SET qty = excluded.qty, cost = excluded.cost, "
       "buy_fees = excluded.buy_fees, realized = excluded.realized, opened_at = excluded.opened_at, "
       "at = excluded.at"},
      {&Impl::insert_signal,
       "INSERT INTO signals (run_id, at, strategy, code, side, kind, order_id, reason) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      {&Impl::select_run, "SELECT " DALBIT_RUN_COLUMNS " FROM runs WHERE id = ?1"},
      {&Impl::select_runs, "SELECT " DALBIT_RUN_COLUMNS " FROM runs ORDER BY id"},
      {&Impl::select_orders, "SELECT " DALBIT_ORDER_COLUMNS " FROM orders WHERE run_id = ?1 ORDER BY order_id"},
      {&Impl::select_events,
       "SELECT order_id, status, at, detail FROM order_events WHERE run_id = ?1 ORDER BY id"},
      {&Impl::select_fills, "SELECT " DALBIT_FILL_COLUMNS " FROM fills WHERE run_id = ?1 ORDER BY rowid"},
      {&Impl::select_positions,
       "SELECT code, qty, cost, buy_fees, realized, opened_at, at "
       "FROM positions WHERE run_id = ?1 ORDER BY code"},
      {&Impl::select_signals,
       "SELECT at, strategy, code, side, kind, order_id, reason "
       "FROM signals WHERE run_id = ?1 ORDER BY id"},
      {&Impl::upsert_state,
       "INSERT INTO state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"},
      {&Impl::select_state, "SELECT value FROM state WHERE key = ?1"},
      // Each run's largest id through the primary key, not a scan of its orders.
      {&Impl::select_max_order_id,
       "SELECT coalesce(max((SELECT max(order_id) FROM orders WHERE run_id = runs.id)), 0) "
       "FROM runs WHERE mode = ?1"},
      {&Impl::select_broker_numbers,
       "SELECT DISTINCT broker_no FROM orders WHERE broker_no <> '' AND run_id IN " DALBIT_RUNS_OF_MODE},
      // Candidates come from the partial index orders_open (its WHERE is
      // repeated word for word; without statistics SQLite would rather read
      // every order of the mode's runs, so it is named, and preparing fails if
      // it cannot be used); each must be its order id's newest row (orders_by_id).
      {&Impl::select_open_orders,
       "SELECT " DALBIT_ORDER_COLUMNS " FROM orders AS o INDEXED BY orders_open "
       "WHERE status IN ('new', 'sent', 'accepted', 'partially_filled') "
       "AND run_id IN " DALBIT_RUNS_OF_MODE " "
       "AND run_id = (SELECT max(n.run_id) FROM orders AS n "
       "WHERE n.order_id = o.order_id AND n.run_id IN " DALBIT_RUNS_OF_MODE ") "
       "ORDER BY order_id"},
      // The day's fills by time (fills_by_time, named for the same reason),
      // the first row of each fill_id.
      {&Impl::select_fills_of_day,
       "SELECT " DALBIT_FILL_COLUMNS " FROM fills WHERE rowid IN ("
       "SELECT min(rowid) FROM fills INDEXED BY fills_by_time "
       "WHERE at >= ?2 AND at < ?3 AND run_id IN " DALBIT_RUNS_OF_MODE " GROUP BY fill_id) "
       "ORDER BY at, fill_id"},
  };
  for (const auto& [member, sql] : statements) {
    auto s = prepare(db, sql);
    if (!s) return s.error();
    (*impl).*member = std::move(*s);
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
  if (impl_ && !sqlite3_get_autocommit(impl_->db.get())) {
    log::errors().error("store {}: closed inside a transaction; its writes are rolled back", impl_->path);
  }
}

int Store::schema_version() const { return impl_->version; }
const std::string& Store::path() const { return impl_->path; }

Result<std::int64_t> Store::begin_run(const RunInfo& info) {
  Use use(impl_->insert_run.get());
  use.bind(info.mode).bind(info.started).bind(info.config_path).bind(info.strategies).bind(info.data_path);
  if (use.step() != SQLITE_DONE) return impl_->error(fmt::format("begin_run ({})", info.mode));
  return std::int64_t{sqlite3_last_insert_rowid(impl_->db.get())};
}

Status Store::record_order(std::int64_t run, const Order& order) {
  const auto what = [&] { return fmt::format("record_order run {} order {}", run, order.id); };
  if (order.id == 0 || !fits_sqlite(order.id)) return Error{fmt::format("store: {}: invalid order id", what())};
  Use use(impl_->upsert_order.get());
  use.bind(run)
      .bind(to_sqlite(order.id))
      .bind(order.code.view())
      .bind(to_string(order.side))
      .bind(to_string(order.type))
      .bind(order.limit.value())
      .bind(order.qty.value())
      .bind(order.filled.value())
      .bind(order.filled_value.value())
      .bind(to_string(order.status))
      .bind(order.broker_no)
      .bind(order.strategy)
      .bind(order.reason)
      .bind(order.created)
      .bind(order.updated);
  if (use.step() != SQLITE_DONE) return impl_->error(what());
  return {};
}

Status Store::record_order_event(std::int64_t run, OrderId order_id, OrderStatus status, Timestamp at,
                                 std::string_view detail) {
  const auto what = [&] { return fmt::format("record_order_event run {} order {}", run, order_id); };
  if (!fits_sqlite(order_id)) return Error{fmt::format("store: {}: invalid order id", what())};
  Use use(impl_->insert_event.get());
  use.bind(run).bind(to_sqlite(order_id)).bind(to_string(status)).bind(at).bind(detail);
  if (use.step() != SQLITE_DONE) return impl_->error(what());
  return {};
}

Result<bool> Store::record_fill(std::int64_t run, const Fill& fill) {
  const auto what = [&] {
    return fmt::format("record_fill run {} order {} fill '{}'", run, fill.order_id, fill.fill_id);
  };
  if (!fits_sqlite(fill.order_id)) return Error{fmt::format("store: {}: invalid order id", what())};
  Use use(impl_->insert_fill.get());
  use.bind(run)
      .bind(fill.fill_id)
      .bind(to_sqlite(fill.order_id))
      .bind(fill.code.view())
      .bind(to_string(fill.side))
      .bind(fill.price.value())
      .bind(fill.qty.value())
      .bind(fill.commission.value())
      .bind(fill.tax.value())
      .bind(fill.time);
  if (use.step() != SQLITE_DONE) return impl_->error(what());
  return sqlite3_changes(impl_->db.get()) == 1;
}

Status Store::record_position(std::int64_t run, const Position& position, Timestamp at) {
  Use use(impl_->upsert_position.get());
  use.bind(run)
      .bind(position.code.view())
      .bind(position.qty.value())
      .bind(position.cost.value())
      .bind(position.buy_fees.value())
      .bind(position.realized.value())
      .bind(position.opened)
      .bind(at);
  if (use.step() != SQLITE_DONE) {
    return impl_->error(fmt::format("record_position run {} code {}", run, position.code.view()));
  }
  return {};
}

Status Store::record_signal(std::int64_t run, const Signal& signal) {
  const auto what = [&] {
    return fmt::format("record_signal run {} {} {} {} order {}", run, signal.strategy, signal.kind,
                       signal.code.view(), signal.order_id);
  };
  if (!fits_sqlite(signal.order_id)) return Error{fmt::format("store: {}: invalid order id", what())};
  Use use(impl_->insert_signal.get());
  use.bind(run)
      .bind(signal.at)
      .bind(signal.strategy)
      .bind(signal.code.view())
      .bind(to_string(signal.side))
      .bind(signal.kind);
  if (signal.order_id == 0) {
    use.bind_null();
  } else {
    use.bind(to_sqlite(signal.order_id));
  }
  use.bind(signal.reason);
  if (use.step() != SQLITE_DONE) return impl_->error(what());
  return {};
}

Status Store::finish_run(std::int64_t run, std::string_view status, std::string_view summary_json,
                         Timestamp ended) {
  if (status != "completed" && status != "failed") {
    return Error{fmt::format("store: finish_run {}: status '{}' is neither completed nor failed", run, status)};
  }
  Use use(impl_->finish_run.get());
  use.bind(run).bind(status).bind(summary_json).bind(ended);
  if (use.step() != SQLITE_DONE) return impl_->error(fmt::format("finish_run {}", run));
  if (sqlite3_changes(impl_->db.get()) != 1) {
    return Error{fmt::format("store: finish_run {}: no running run with this id", run)};
  }
  return {};
}

Result<std::vector<RunRecord>> Store::list_runs() {
  std::vector<RunRecord> runs;
  Use use(impl_->select_runs.get());
  if (auto s = impl_->read_rows(use, runs, "list_runs", &Impl::read_run); !s) return Error{s.message()};
  return runs;
}

Result<RunRecord> Store::load_run(std::int64_t run) {
  Impl& d = *impl_;
  const auto what = fmt::format("load_run {}", run);
  // Outside a caller's transaction, read every table from one snapshot, so a
  // writer in another process cannot slip in between the queries.
  const bool own_snapshot = sqlite3_get_autocommit(d.db.get()) != 0;
  if (own_snapshot) {
    if (auto s = d.run(d.begin_read.get(), what); !s) return Error{s.message()};
  }
  struct EndSnapshot {
    Impl& d;
    bool active;
    ~EndSnapshot() {
      if (active && !sqlite3_get_autocommit(d.db.get())) {
        Use use(d.commit.get());
        use.step();  // a read-only transaction has nothing to lose
      }
    }
  } end_snapshot{d, own_snapshot};

  std::vector<RunRecord> found;
  {
    Use use(d.select_run.get());
    use.bind(run);
    if (auto s = d.read_rows(use, found, what, &Impl::read_run); !s) return Error{s.message()};
  }
  if (found.empty()) return Error{fmt::format("store: {}: no such run", what)};
  RunRecord record = std::move(found.front());

  // Each detail query takes the run id as ?1.
  const auto read = [&](sqlite3_stmt* s, auto& out, std::string_view table, auto decode) -> Status {
    Use use(s);
    use.bind(run);
    return d.read_rows(use, out, fmt::format("{} {}", what, table), decode);
  };
  Status s = read(d.select_orders.get(), record.orders, "orders", &Impl::read_order);
  if (s) {
    s = read(d.select_events.get(), record.events, "order_events", [](RowReader& row) {
      OrderEventRow e;
      e.order_id = row.order_id();
      e.status = row.status();
      e.at = row.time();
      e.detail = row.text();
      return e;
    });
  }
  if (s) {
    s = read(d.select_fills.get(), record.fills, "fills", &Impl::read_fill);
  }
  if (s) {
    s = read(d.select_positions.get(), record.positions, "positions", [](RowReader& row) {
      PositionRow p;
      p.position.code = row.code();
      p.position.qty = row.qty();
      p.position.cost = row.krw();
      p.position.buy_fees = row.krw();
      p.position.realized = row.krw();
      p.position.opened = row.time();
      p.at = row.time();
      return p;
    });
  }
  if (s) {
    s = read(d.select_signals.get(), record.signals, "signals", [](RowReader& row) {
      Signal g;
      g.at = row.time();
      g.strategy = row.text();
      g.code = row.code();
      g.side = row.side();
      g.kind = row.text();
      if (row.is_null()) {
        row.skip();
      } else {
        g.order_id = row.order_id();
      }
      g.reason = row.text();
      return g;
    });
  }
  if (!s) return Error{s.message()};
  return record;
}

Status Store::set_state(std::string_view key, std::string_view value) {
  if (key.empty()) return Error{"store: set_state: empty key"};
  Use use(impl_->upsert_state.get());
  use.bind(key).bind(value);
  if (use.step() != SQLITE_DONE) return impl_->error(fmt::format("set_state '{}'", key));
  return {};
}

Result<std::optional<std::string>> Store::get_state(std::string_view key) {
  Use use(impl_->select_state.get());
  use.bind(key);
  switch (use.step()) {
    case SQLITE_ROW: return std::optional<std::string>(column_text(use.get(), 0));
    case SQLITE_DONE: return std::optional<std::string>();
    default: return impl_->error(fmt::format("get_state '{}'", key));
  }
}

Result<OrderId> Store::max_order_id(std::string_view mode) {
  const auto what = fmt::format("max_order_id ({})", mode);
  if (auto s = check_restart_mode(mode, what); !s) return Error{s.message()};
  Use use(impl_->select_max_order_id.get());
  use.bind(mode);
  if (use.step() != SQLITE_ROW) return impl_->error(what);
  RowReader row(use.get());
  const OrderId id = row.order_id();
  if (row.problem()) return Error{fmt::format("store: {}: {}", what, *row.problem())};
  return id;
}

Result<std::vector<std::string>> Store::broker_numbers(std::string_view mode) {
  const auto what = fmt::format("broker_numbers ({})", mode);
  if (auto s = check_restart_mode(mode, what); !s) return Error{s.message()};
  Use use(impl_->select_broker_numbers.get());
  use.bind(mode);
  std::vector<std::string> out;
  for (int rc = use.step(); rc != SQLITE_DONE; rc = use.step()) {
    if (rc != SQLITE_ROW) return impl_->error(what);
    out.push_back(column_text(use.get(), 0));
  }
  return out;
}

Result<std::vector<Order>> Store::open_orders(std::string_view mode) {
  const auto what = fmt::format("open_orders ({})", mode);
  if (auto s = check_restart_mode(mode, what); !s) return Error{s.message()};
  std::vector<Order> orders;
  Use use(impl_->select_open_orders.get());
  use.bind(mode);
  if (auto s = impl_->read_rows(use, orders, what, &Impl::read_order); !s) return Error{s.message()};
  return orders;
}

Result<std::vector<Fill>> Store::fills_of(std::string_view mode, KstDate day) {
  const auto what = fmt::format("fills_of ({}, {})", mode, day.str());
  if (auto s = check_restart_mode(mode, what); !s) return Error{s.message()};
  if (!valid_date(day)) return Error{fmt::format("store: {}: not a valid date", what)};
  const Timestamp start = from_kst(day, TimeOfDay{});
  std::vector<Fill> fills;
  Use use(impl_->select_fills_of_day.get());
  // KST has no daylight saving: every day is 24 hours long.
  use.bind(mode).bind(start).bind(start + std::chrono::hours(24));
  if (auto s = impl_->read_rows(use, fills, what, &Impl::read_fill); !s) return Error{s.message()};
  return fills;
}

Status Store::backup_to(const std::string& path) { return copy_database(impl_->db.get(), path); }

Result<ConnectionSettings> Store::connection_settings() {
  sqlite3* db = impl_->db.get();
  ConnectionSettings c;
  auto mode = query_text(db, "PRAGMA journal_mode");
  if (!mode) return mode.error();
  c.journal_mode = *mode;
  auto sync = query_int(db, "PRAGMA synchronous");
  if (!sync) return sync.error();
  c.synchronous = static_cast<int>(*sync);
  auto fk = query_int(db, "PRAGMA foreign_keys");
  if (!fk) return fk.error();
  c.foreign_keys = *fk != 0;
  auto busy = query_int(db, "PRAGMA busy_timeout");
  if (!busy) return busy.error();
  c.busy_timeout_ms = static_cast<int>(*busy);
  return c;
}

Transaction::Transaction(Store& store) : store_(store) {
  status_ = store_.impl_->run(store_.impl_->begin.get(), "begin transaction");
  open_ = status_.ok();
}

Transaction::~Transaction() {
  Store::Impl& d = *store_.impl_;
  // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
  if (!open_ || sqlite3_get_autocommit(d.db.get())) return;
  if (auto s = d.run(d.rollback.get(), "rollback"); !s) {
    log::errors().error("store {}: {}", d.path, s.message());
  }
}

Status Transaction::commit() {
  if (!status_) return status_;
  if (!open_) return Error{"store: commit: the transaction is already committed"};
  Store::Impl& d = *store_.impl_;
  if (sqlite3_get_autocommit(d.db.get())) {
    open_ = false;
    return Error{"store: commit: the transaction was already rolled back after an earlier error"};
  }
  if (auto s = d.run(d.commit.get(), "commit"); !s) return s;
  open_ = false;
  return {};
}

}  // namespace dalbit::store
