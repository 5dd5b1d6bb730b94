#include "store/store.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sqlite3.h>

#include "log/log.h"
#include "store/backup.h"

namespace dalbit {

// Readable failure output for the core value types.
template <class Tag>
void PrintTo(StrongInt<Tag> v, std::ostream* os) { *os << v.value(); }
void PrintTo(const StockCode& c, std::ostream* os) { *os << c.view(); }

namespace store {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// The version this code writes; tests of later steps build on it.
const int kLatest = static_cast<int>(schema_migrations().size());

Timestamp at_ns(std::int64_t ns) { return Timestamp(Duration(ns)); }
// 2026-01-05 09:00:00 KST, with nanoseconds so truncation would show.
constexpr std::int64_t kOpen = 1'767'571'200'000'000'000;
Timestamp at(std::int64_t offset_ns) { return at_ns(kOpen + offset_ns); }
StockCode code(std::string_view s) { return *StockCode::parse(s); }

auto fields(const Order& o) {
  return std::tie(o.id, o.code, o.side, o.type, o.limit, o.qty, o.filled, o.filled_value, o.status,
                  o.broker_no, o.strategy, o.reason, o.created, o.updated);
}
auto fields(const Fill& f) {
  return std::tie(f.order_id, f.fill_id, f.code, f.side, f.price, f.qty, f.commission, f.tax, f.time);
}
auto fields(const PositionRow& p) {
  const Position& q = p.position;
  return std::tie(q.code, q.qty, q.cost, q.buy_fees, q.realized, q.opened, p.at);
}
auto fields(const Signal& s) {
  return std::tie(s.at, s.strategy, s.code, s.side, s.kind, s.order_id, s.reason);
}
auto fields(const OrderEventRow& e) { return std::tie(e.order_id, e.status, e.at, e.detail); }

Order sample_order(OrderId id) {
  Order o;
  o.id = id;
  o.code = code("005930");
  o.side = Side::Buy;
  o.type = OrderType::Limit;
  o.limit = Price(72500);
  o.qty = Qty(10);
  o.filled = Qty(4);
  o.filled_value = Krw(290000);
  o.status = OrderStatus::PartiallyFilled;
  o.broker_no = "0012345";
  o.strategy = "rsi_reversal";
  o.reason = "rsi<30";
  o.created = at(1);
  o.updated = at(2'000'000'123);
  return o;
}

Fill sample_fill(OrderId order, std::string id) {
  Fill f;
  f.order_id = order;
  f.fill_id = std::move(id);
  f.code = code("005930");
  f.side = Side::Buy;
  f.price = Price(72500);
  f.qty = Qty(4);
  f.commission = Krw(43);
  f.tax = Krw(0);
  f.time = at(1'500'000'007);
  return f;
}

RunInfo sample_run() {
  return RunInfo{.mode = "backtest",
                 .config_path = "config/dalbit.json",
                 .strategies = "rsi,bollinger",
                 .data_path = "data/sample",
                 .started = at(-3'600'000'000'000)};
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Raw SQLite access, as another tool would see the file. The store's log
// routing must be installed before this process first touches SQLite.
class RawDb {
 public:
  explicit RawDb(const fs::path& p) {
    (void)route_sqlite_log();
    EXPECT_EQ(sqlite3_open(p.c_str(), &db_), SQLITE_OK) << p;
  }
  ~RawDb() { sqlite3_close(db_); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << sql << ": " << (err ? err : "");
    sqlite3_free(err);
  }
  std::int64_t integer(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    std::int64_t v = -1;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    std::string v = "<no row>";
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
    if (sqlite3_step(s) == SQLITE_ROW) v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
  }
  // EXPLAIN QUERY PLAN's details, joined by " | ".
  std::string plan(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    std::string v;
    EXPECT_EQ(sqlite3_prepare_v2(db_, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
    while (sqlite3_step(s) == SQLITE_ROW) {
      v += (v.empty() ? "" : " | ") + std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 3)));
    }
    sqlite3_finalize(s);
    return v;
  }

 private:
  sqlite3* db_ = nullptr;
};

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           fmt::format("dalbit-store-{}-{}-{}", ::getpid(), info->test_suite_name(), info->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Nested directories that do not exist yet: open must create them.
  std::string db_path() const { return (dir_ / "var" / "store" / "dalbit.db").string(); }

  std::unique_ptr<Store> open(std::span<const Migration> migrations = schema_migrations()) {
    auto s = Store::open(db_path(), migrations);
    if (!s) {
      ADD_FAILURE() << s.error().message;
      return nullptr;
    }
    return std::move(*s);
  }

  fs::path dir_;
};

TEST_F(StoreTest, OpenCreatesDirectoriesAndMigratesToTheNewestSchema) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), static_cast<int>(schema_migrations().size()));
  EXPECT_EQ(store->path(), db_path());
  store.reset();
  RawDb raw(db_path());
  EXPECT_EQ(raw.integer("PRAGMA user_version"), kLatest);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                        "('runs','orders','order_events','fills','positions','signals','state')"),
            7);
}

TEST_F(StoreTest, MigratesAZeroByteFile) {
  fs::create_directories(fs::path(db_path()).parent_path());
  std::ofstream(db_path()).close();
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), kLatest);
}

TEST_F(StoreTest, RunsWithWalSynchronousFullAndForeignKeys) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto settings = store->connection_settings();
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ(settings->journal_mode, "wal");
  EXPECT_EQ(settings->synchronous, 2);  // FULL
  EXPECT_TRUE(settings->foreign_keys);
  EXPECT_GT(settings->busy_timeout_ms, 0);
  // WAL is a property of the file: another connection sees it too.
  RawDb raw(db_path());
  EXPECT_EQ(raw.integer("SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
}

TEST_F(StoreTest, RoundTripsEveryRecordType) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto run = store->begin_run(sample_run());
  ASSERT_TRUE(run) << run.error().message;

  Order limit = sample_order(1);
  Order market = sample_order(2);
  market.code = code("0000J0");
  market.side = Side::Sell;
  market.type = OrderType::Market;
  market.limit = Price(0);
  market.qty = Qty(3'000'000'000);  // beyond int32
  market.filled = Qty(3'000'000'000);
  market.filled_value = Krw(9'000'000'000'000'000);
  market.status = OrderStatus::Filled;
  market.broker_no = "";
  market.reason = "손절 -3%";  // UTF-8 survives
  ASSERT_TRUE(store->record_order(*run, market));
  ASSERT_TRUE(store->record_order(*run, limit));

  // Every status, in the order recorded.
  const OrderStatus statuses[] = {OrderStatus::New,    OrderStatus::Sent,      OrderStatus::Accepted,
                                  OrderStatus::PartiallyFilled, OrderStatus::Filled,
                                  OrderStatus::Cancelled, OrderStatus::Rejected};
  std::vector<OrderEventRow> events;
  for (std::size_t i = 0; i < std::size(statuses); ++i) {
    events.push_back({.order_id = 1 + i % 2, .status = statuses[i], .at = at(static_cast<std::int64_t>(10 - i)),
                      .detail = fmt::format("step {}", i)});
  }
  for (const auto& e : events) {
    ASSERT_TRUE(store->record_order_event(*run, e.order_id, e.status, e.at, e.detail));
  }

  std::vector<Fill> fills = {sample_fill(1, "F-2"), sample_fill(2, "F-1")};
  fills[1].side = Side::Sell;
  fills[1].tax = Krw(362);
  for (const auto& f : fills) {
    auto fresh = store->record_fill(*run, f);
    ASSERT_TRUE(fresh) << fresh.error().message;
    EXPECT_TRUE(*fresh);
  }

  std::vector<PositionRow> positions(2);
  positions[0].position = {.code = code("000660"), .qty = Qty(0), .cost = Krw(0), .buy_fees = Krw(0),
                           .realized = Krw(-125'000), .opened = at(5)};
  positions[0].at = at(6);
  positions[1].position = {.code = code("005930"), .qty = Qty(4), .cost = Krw(290000), .buy_fees = Krw(43),
                           .realized = Krw(0), .opened = at(7)};
  positions[1].at = at(8);
  ASSERT_TRUE(store->record_position(*run, positions[1].position, positions[1].at));
  ASSERT_TRUE(store->record_position(*run, positions[0].position, positions[0].at));

  std::vector<Signal> signals = {
      {.at = at(1), .strategy = "rsi", .code = code("005930"), .side = Side::Buy, .kind = "intent",
       .order_id = 0, .reason = "rsi<30"},
      {.at = at(2), .strategy = "rsi", .code = code("005930"), .side = Side::Buy, .kind = "veto",
       .order_id = 0, .reason = "max exposure"},
      {.at = at(3), .strategy = "bollinger", .code = code("000660"), .side = Side::Sell, .kind = "order",
       .order_id = 2, .reason = "upper band"},
  };
  for (const auto& s : signals) ASSERT_TRUE(store->record_signal(*run, s));

  ASSERT_TRUE(store->finish_run(*run, "completed", R"({"pnl":-125000})", at(9)));

  auto loaded = store->load_run(*run);
  ASSERT_TRUE(loaded) << loaded.error().message;
  const RunRecord& r = *loaded;
  EXPECT_EQ(r.id, *run);
  EXPECT_EQ(r.mode, "backtest");
  EXPECT_EQ(r.status, "completed");
  EXPECT_EQ(r.config_path, "config/dalbit.json");
  EXPECT_EQ(r.strategies, "rsi,bollinger");
  EXPECT_EQ(r.data_path, "data/sample");
  EXPECT_EQ(r.summary_json, R"({"pnl":-125000})");
  EXPECT_EQ(r.started, sample_run().started);
  EXPECT_EQ(r.ended, at(9));

  ASSERT_EQ(r.orders.size(), 2u);  // by order id
  EXPECT_EQ(fields(r.orders[0]), fields(limit));
  EXPECT_EQ(fields(r.orders[1]), fields(market));
  ASSERT_EQ(r.events.size(), events.size());
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(fields(r.events[i]), fields(events[i])) << i;
  ASSERT_EQ(r.fills.size(), fills.size());  // as recorded, not by fill id
  for (std::size_t i = 0; i < fills.size(); ++i) EXPECT_EQ(fields(r.fills[i]), fields(fills[i])) << i;
  ASSERT_EQ(r.positions.size(), positions.size());  // by code
  for (std::size_t i = 0; i < positions.size(); ++i) {
    EXPECT_EQ(fields(r.positions[i]), fields(positions[i])) << i;
  }
  ASSERT_EQ(r.signals.size(), signals.size());
  for (std::size_t i = 0; i < signals.size(); ++i) EXPECT_EQ(fields(r.signals[i]), fields(signals[i])) << i;
}

TEST_F(StoreTest, ListRunsReturnsEveryRunWithoutDetails) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto first = store->begin_run(sample_run());
  auto second = store->begin_run({.mode = "live", .config_path = "", .strategies = "momentum",
                                  .data_path = "", .started = at(0)});
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(store->record_order(*first, sample_order(1)));
  ASSERT_TRUE(store->finish_run(*first, "failed", "", at(1)));

  auto runs = store->list_runs();
  ASSERT_TRUE(runs) << runs.error().message;
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].id, *first);
  EXPECT_EQ((*runs)[0].status, "failed");
  EXPECT_EQ((*runs)[0].ended, at(1));
  EXPECT_TRUE((*runs)[0].orders.empty());
  EXPECT_EQ((*runs)[1].id, *second);
  EXPECT_EQ((*runs)[1].mode, "live");
  EXPECT_EQ((*runs)[1].status, "running");
  EXPECT_FALSE((*runs)[1].ended.has_value());
}

TEST_F(StoreTest, RecordOrderReplacesEveryFieldOfTheSameIdInTheSameRun) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto run = store->begin_run(sample_run());
  auto other = store->begin_run(sample_run());
  ASSERT_TRUE(run && other);
  Order o = sample_order(7);
  ASSERT_TRUE(store->record_order(*run, o));
  ASSERT_TRUE(store->record_order(*other, o));
  o.limit = Price(72400);  // modified
  o.filled = Qty(10);
  o.filled_value = Krw(724000);
  o.status = OrderStatus::Filled;
  o.broker_no = "0099999";
  o.updated = at(99);
  ASSERT_TRUE(store->record_order(*run, o));

  auto r = store->load_run(*run);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->orders.size(), 1u);
  EXPECT_EQ(fields(r->orders[0]), fields(o));
  auto untouched = store->load_run(*other);
  ASSERT_TRUE(untouched);
  ASSERT_EQ(untouched->orders.size(), 1u);
  EXPECT_EQ(fields(untouched->orders[0]), fields(sample_order(7)));
}

TEST_F(StoreTest, RecordPositionKeepsTheLatestSnapshotPerCode) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto run = store->begin_run(sample_run());
  ASSERT_TRUE(run);
  Position p{.code = code("005930"), .qty = Qty(10), .cost = Krw(725000), .buy_fees = Krw(108),
             .realized = Krw(0), .opened = at(1)};
  ASSERT_TRUE(store->record_position(*run, p, at(1)));
  p.qty = Qty(0);
  p.cost = Krw(0);
  p.buy_fees = Krw(0);
  p.realized = Krw(8123);
  ASSERT_TRUE(store->record_position(*run, p, at(2)));

  auto r = store->load_run(*run);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->positions.size(), 1u);
  EXPECT_EQ(fields(r->positions[0]), fields(PositionRow{p, at(2)}));
}

TEST_F(StoreTest, DuplicateFillIsIgnoredAndReportedAsNotNew) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto run = store->begin_run(sample_run());
  auto other = store->begin_run(sample_run());
  ASSERT_TRUE(run && other);
  const Fill original = sample_fill(1, "20260105-000123");
  Fill replay = original;
  replay.qty = Qty(400);  // a garbled repeat must not overwrite the first report

  auto first = store->record_fill(*run, original);
  auto second = store->record_fill(*run, replay);
  auto elsewhere = store->record_fill(*other, original);
  ASSERT_TRUE(first && second && elsewhere);
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*second);
  EXPECT_TRUE(*elsewhere);  // fill ids are unique per run

  auto r = store->load_run(*run);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->fills.size(), 1u);
  EXPECT_EQ(fields(r->fills[0]), fields(original));
}

TEST_F(StoreTest, ErrorsNameTheOperationAndTheOrder) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto run = store->begin_run(sample_run());
  ASSERT_TRUE(run);

  auto no_run = store->record_order(999, sample_order(7));
  EXPECT_THAT(no_run.message(), HasSubstr("record_order run 999 order 7"));
  EXPECT_THAT(no_run.message(), HasSubstr("FOREIGN KEY"));

  // An empty fill id would make every later fill without one a "duplicate".
  auto no_fill_id = store->record_fill(*run, sample_fill(3, ""));
  ASSERT_FALSE(no_fill_id);
  EXPECT_THAT(no_fill_id.error().message, HasSubstr("record_fill run 1 order 3"));

  EXPECT_THAT(store->record_order(*run, sample_order(0)).message(), HasSubstr("invalid order id"));
  EXPECT_THAT(store->record_order(*run, sample_order(OrderId{1} << 63)).message(),
              HasSubstr("invalid order id"));

  Signal bad_kind{.at = at(0), .strategy = "rsi", .code = code("005930"), .side = Side::Buy,
                  .kind = "maybe", .order_id = 0, .reason = ""};
  EXPECT_THAT(store->record_signal(*run, bad_kind).message(), HasSubstr("kind"));

  auto bad_mode = store->begin_run({.mode = "dream", .config_path = "", .strategies = "", .data_path = "",
                                    .started = at(0)});
  ASSERT_FALSE(bad_mode);
  EXPECT_THAT(bad_mode.error().message, HasSubstr("begin_run (dream)"));

  EXPECT_THAT(store->finish_run(*run, "running", "", at(1)).message(), HasSubstr("neither"));
  EXPECT_THAT(store->finish_run(*run, "completed", "{not json", at(1)).message(),
              HasSubstr("finish_run 1"));
  EXPECT_TRUE(store->record_order_event(*run, 1, OrderStatus::Sent, at(1), std::string_view{}));
  EXPECT_TRUE(store->finish_run(*run, "completed", std::string_view{}, at(1)));  // empty, not NULL
  EXPECT_THAT(store->finish_run(*run, "failed", "", at(2)).message(), HasSubstr("no running run"));

  auto missing = store->load_run(42);
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("load_run 42: no such run"));
}

TEST_F(StoreTest, LoadRunReportsACorruptRowInsteadOfCrashing) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto run = store->begin_run(sample_run());
  ASSERT_TRUE(run);
  ASSERT_TRUE(store->record_order(*run, sample_order(5)));
  {
    RawDb raw(db_path());
    raw.exec("UPDATE orders SET code = 'bogus'");
  }
  auto r = store->load_run(*run);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("load_run 1 orders: bad stock code 'bogus'"));
}

TEST_F(StoreTest, RolledBackTransactionLeavesNothingNotEvenTheRun) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  std::int64_t run = 0;
  {
    Transaction tx(*store);
    ASSERT_TRUE(tx.status()) << tx.status().message();
    auto r = store->begin_run(sample_run());
    ASSERT_TRUE(r);
    run = *r;
    ASSERT_TRUE(store->record_order(run, sample_order(1)));
    ASSERT_TRUE(store->record_order_event(run, 1, OrderStatus::Sent, at(1), "sent"));
    ASSERT_TRUE(store->record_fill(run, sample_fill(1, "F1")));
    Position p;
    p.code = code("005930");
    p.qty = Qty(4);
    ASSERT_TRUE(store->record_position(run, p, at(2)));
    ASSERT_TRUE(store->record_signal(run, {.at = at(0), .strategy = "rsi", .code = code("005930"),
                                           .side = Side::Buy, .kind = "intent", .order_id = 0, .reason = ""}));
  }  // no commit: the run failed
  auto runs = store->list_runs();
  ASSERT_TRUE(runs);
  EXPECT_TRUE(runs->empty());
  EXPECT_FALSE(store->load_run(run));
  RawDb raw(db_path());
  EXPECT_EQ(raw.integer("SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM order_events) + "
                        "(SELECT count(*) FROM fills) + (SELECT count(*) FROM positions) + "
                        "(SELECT count(*) FROM signals)"),
            0);
}

TEST_F(StoreTest, CommittedTransactionKeepsEverything) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  std::int64_t run = 0;
  {
    Transaction tx(*store);
    auto r = store->begin_run(sample_run());
    ASSERT_TRUE(r);
    run = *r;
    ASSERT_TRUE(store->record_fill(run, sample_fill(1, "F1")));
    ASSERT_TRUE(tx.commit());
    EXPECT_THAT(tx.commit().message(), HasSubstr("already committed"));
  }
  auto r = store->load_run(run);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->fills.size(), 1u);
}

TEST_F(StoreTest, TransactionsDoNotNest) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  Transaction outer(*store);
  ASSERT_TRUE(outer.status());
  {
    Transaction inner(*store);
    EXPECT_FALSE(inner.status());
    EXPECT_THAT(inner.commit().message(), HasSubstr("begin transaction"));
  }  // the failed inner one must not roll back the outer one
  auto run = store->begin_run(sample_run());
  ASSERT_TRUE(run);
  ASSERT_TRUE(outer.commit());
  EXPECT_TRUE(store->load_run(*run));
}

TEST_F(StoreTest, RefusesANewerSchemaAndLeavesTheFileUntouched) {
  for (const char* journal : {"DELETE", "WAL"}) {
    SCOPED_TRACE(journal);
    fs::remove_all(dir_);
    fs::create_directories(fs::path(db_path()).parent_path());
    {
      RawDb raw(db_path());
      raw.exec(fmt::format("PRAGMA journal_mode = {}", journal));
      raw.exec("CREATE TABLE future (x INTEGER); INSERT INTO future VALUES (42); PRAGMA user_version = 99");
    }
    const auto before = read_bytes(db_path());
    auto store = Store::open(db_path());
    ASSERT_FALSE(store);
    EXPECT_THAT(store.error().message, HasSubstr("schema version 99 is newer"));
    EXPECT_THAT(store.error().message, HasSubstr(db_path()));
    EXPECT_EQ(read_bytes(db_path()), before);
    RawDb raw(db_path());
    EXPECT_EQ(raw.integer("PRAGMA user_version"), 99);
    EXPECT_EQ(raw.integer("SELECT x FROM future"), 42);
  }
}

TEST_F(StoreTest, RefusesAFileThatIsNotADatabase) {
  fs::create_directories(fs::path(db_path()).parent_path());
  const std::string junk(4096, 'x');
  std::ofstream(db_path(), std::ios::binary) << junk;
  auto store = Store::open(db_path());
  ASSERT_FALSE(store);
  EXPECT_THAT(store.error().message, HasSubstr(db_path()));
  EXPECT_THAT(store.error().message, HasSubstr("not a database"));
  EXPECT_EQ(read_bytes(db_path()), junk);
}

TEST_F(StoreTest, AppliesANewMigrationAndThenOlderCodeRefusesTheFile) {
  std::vector<Migration> newer(schema_migrations().begin(), schema_migrations().end());
  newer.push_back({kLatest + 1, "CREATE TABLE extra (x INTEGER) STRICT;"});
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->begin_run(sample_run()));
  }
  {
    auto store = open(newer);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->schema_version(), kLatest + 1);
    auto runs = store->list_runs();
    ASSERT_TRUE(runs);
    EXPECT_EQ(runs->size(), 1u);
  }
  auto old = Store::open(db_path());
  ASSERT_FALSE(old);
  EXPECT_THAT(old.error().message,
              HasSubstr(fmt::format("schema version {} is newer than this dalbit knows ({})", kLatest + 1, kLatest)));
}

TEST_F(StoreTest, FailedMigrationRollsBackAndKeepsTheEarlierData) {
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
    auto run = store->begin_run(sample_run());
    ASSERT_TRUE(run);
    ASSERT_TRUE(store->record_fill(*run, sample_fill(1, "F1")));
  }
  // The first statement succeeds, the second fails: both must be undone.
  std::vector<Migration> bad(schema_migrations().begin(), schema_migrations().end());
  bad.push_back({kLatest + 1, "CREATE TABLE extra (x INTEGER); DELETE FROM fills; INSERT INTO no_such_table VALUES (1);"});
  auto failed = Store::open(db_path(), bad);
  ASSERT_FALSE(failed);
  EXPECT_THAT(failed.error().message, HasSubstr(fmt::format("migration to version {}", kLatest + 1)));
  EXPECT_THAT(failed.error().message, HasSubstr("no_such_table"));
  EXPECT_THAT(failed.error().message, HasSubstr(fmt::format("stays at version {}", kLatest)));
  {
    RawDb raw(db_path());
    EXPECT_EQ(raw.integer("PRAGMA user_version"), kLatest);
    EXPECT_EQ(raw.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'extra'"), 0);
  }
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto r = store->load_run(1);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->fills.size(), 1u);
}

TEST_F(StoreTest, RejectsAMisnumberedMigrationList) {
  const Migration skipped[] = {{1, "CREATE TABLE a (x INTEGER);"}, {3, "CREATE TABLE b (x INTEGER);"}};
  auto store = Store::open(db_path(), skipped);
  ASSERT_FALSE(store);
  EXPECT_THAT(store.error().message, HasSubstr("migration #2 has version 3"));
  EXPECT_FALSE(fs::exists(db_path()));
}

// A child process writes and dies without closing anything (a crash); a new
// process must read every committed write and none of the uncommitted ones.
TEST_F(StoreTest, ReadsWhatAnEarlierProcessCommittedBeforeItDied) {
  const std::string path = db_path();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = Store::open(path);
    if (!store) _exit(10);
    auto run = (*store)->begin_run(sample_run());
    if (!run) _exit(11);
    if (!(*store)->record_order(*run, sample_order(1))) _exit(12);
    {
      Transaction tx(**store);
      auto fresh = (*store)->record_fill(*run, sample_fill(1, "F1"));
      if (!fresh || !*fresh || !tx.commit()) _exit(13);
    }
    auto tx = std::make_unique<Transaction>(**store);
    if (!(*store)->record_fill(*run, sample_fill(1, "F2-never-committed"))) _exit(14);
    _exit(0);  // no destructors, no close, no rollback
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  auto store = open();
  ASSERT_NE(store, nullptr);
  auto r = store->load_run(1);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->orders.size(), 1u);
  EXPECT_EQ(fields(r->orders[0]), fields(sample_order(1)));
  ASSERT_EQ(r->fills.size(), 1u);
  EXPECT_EQ(r->fills[0].fill_id, "F1");
}

TEST_F(StoreTest, SqliteDiagnosticsGoToTheErrorsLog) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(route_sqlite_log()) << "SQLite was initialised before the store in this test binary";
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto& errors = log::errors();
  errors.sinks().push_back(sink);
  EXPECT_FALSE(store->record_order(999, sample_order(1)));  // foreign key violation
  errors.flush();
  errors.sinks().pop_back();
  // SQLite truncates long log lines, so check its code (SQLITE_CONSTRAINT_FOREIGNKEY)
  // and the statement rather than the message at the end.
  EXPECT_THAT(captured.str(), HasSubstr("sqlite (787)"));
  EXPECT_THAT(captured.str(), HasSubstr("INSERT INTO orders"));
}


// --- What a live or paper engine reads back after a restart ---

RunInfo run_of(std::string mode) {
  RunInfo info = sample_run();
  info.mode = std::move(mode);
  return info;
}

Order order_with(OrderId id, OrderStatus status) {
  Order o = sample_order(id);
  o.status = status;
  return o;
}

std::vector<OrderId> ids(const std::vector<Order>& orders) {
  std::vector<OrderId> out;
  for (const auto& o : orders) out.push_back(o.id);
  return out;
}

TEST_F(StoreTest, MigratesAVersionOneFileAndKeepsItsData) {
  {
    // As the version-1 code left it (today's code cannot stop at version 1).
    fs::create_directories(fs::path(db_path()).parent_path());
    RawDb raw(db_path());
    raw.exec(std::string(schema_migrations()[0].sql));
    raw.exec("PRAGMA user_version = 1");
    raw.exec("INSERT INTO runs (id, mode, started_at, config_path, strategies, data_path) "
             "VALUES (1, 'live', 0, '', '', '')");
    raw.exec("INSERT INTO orders VALUES (1, 7, '005930', 'buy', 'limit', 72500, 10, 0, 0, 'accepted', '', "
             "'s', '', 0, 0)");
  }
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), kLatest);
  auto max = store->max_order_id("live");
  ASSERT_TRUE(max) << max.error().message;
  EXPECT_EQ(*max, 7u);
  auto working = store->open_orders("live");
  ASSERT_TRUE(working) << working.error().message;
  EXPECT_EQ(ids(*working), (std::vector<OrderId>{7}));
  EXPECT_TRUE(store->set_state("k", "v"));
}

TEST_F(StoreTest, StateIsReplacedByKeyAndSurvivesReopening) {
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
    auto none = store->get_state("risk_state");
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_FALSE(none->has_value());
    ASSERT_TRUE(store->set_state("risk_state", R"({"state":"active"})"));
    ASSERT_TRUE(store->set_state("risk_state", R"({"state":"halted"})"));
    ASSERT_TRUE(store->set_state("other", ""));
  }
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto risk = store->get_state("risk_state");
  ASSERT_TRUE(risk);
  EXPECT_EQ(risk->value_or("<none>"), R"({"state":"halted"})");
  auto other = store->get_state("other");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->value_or("<none>"), "");  // set to empty is not unset
  auto unknown = store->get_state("never set");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->has_value());
  EXPECT_THAT(store->set_state("", "x").message(), HasSubstr("set_state: empty key"));
  RawDb raw(db_path());
  EXPECT_EQ(raw.integer("SELECT count(*) FROM state"), 2);
}

TEST_F(StoreTest, StateJoinsTheCallersTransaction) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  {
    Transaction tx(*store);
    ASSERT_TRUE(store->set_state("risk_state", "halted"));
  }  // rolled back
  auto state = store->get_state("risk_state");
  ASSERT_TRUE(state);
  EXPECT_FALSE(state->has_value());
}

TEST_F(StoreTest, MaxOrderIdSpansEveryRunOfTheModeAndNoOther) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto empty = store->max_order_id("live");
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(*empty, 0u);

  auto live1 = store->begin_run(run_of("live"));
  auto paper = store->begin_run(run_of("paper"));
  auto backtest = store->begin_run(run_of("backtest"));
  auto live2 = store->begin_run(run_of("live"));
  auto live3 = store->begin_run(run_of("live"));  // started, crashed before any order
  ASSERT_TRUE(live1 && paper && backtest && live2 && live3);
  for (OrderId id : {1, 9, 4}) ASSERT_TRUE(store->record_order(*live1, sample_order(id)));
  ASSERT_TRUE(store->record_order(*live2, sample_order(5)));
  ASSERT_TRUE(store->record_order(*paper, sample_order(100)));
  ASSERT_TRUE(store->record_order(*backtest, sample_order(1000)));

  auto live = store->max_order_id("live");
  ASSERT_TRUE(live) << live.error().message;
  EXPECT_EQ(*live, 9u);  // an older run's id counts: ids never go back
  auto paper_max = store->max_order_id("paper");
  ASSERT_TRUE(paper_max);
  EXPECT_EQ(*paper_max, 100u);

  for (const char* bad : {"", "backtest", "LIVE", "live "}) {
    SCOPED_TRACE(bad);
    auto r = store->max_order_id(bad);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr(fmt::format("max_order_id ({}): mode '{}' is neither live nor paper",
                                                         bad, bad)));
  }
}

TEST_F(StoreTest, OpenOrdersTakeEachOrdersNewestRowAcrossRuns) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto run1 = store->begin_run(run_of("live"));
  auto paper = store->begin_run(run_of("paper"));
  auto run2 = store->begin_run(run_of("live"));
  ASSERT_TRUE(run1 && paper && run2);
  // Run 1 dies with orders 1-4 working and 5 filled.
  ASSERT_TRUE(store->record_order(*run1, order_with(1, OrderStatus::Accepted)));
  ASSERT_TRUE(store->record_order(*run1, order_with(2, OrderStatus::PartiallyFilled)));
  ASSERT_TRUE(store->record_order(*run1, order_with(3, OrderStatus::Sent)));
  ASSERT_TRUE(store->record_order(*run1, order_with(4, OrderStatus::Accepted)));
  ASSERT_TRUE(store->record_order(*run1, order_with(5, OrderStatus::Filled)));
  // Run 2 restores them: 1 then fills, 2 stays working with more filled, 4 is
  // restored later (not yet); 6 is new.
  ASSERT_TRUE(store->record_order(*run2, order_with(1, OrderStatus::Filled)));
  Order two = order_with(2, OrderStatus::PartiallyFilled);
  two.filled = Qty(8);
  two.filled_value = Krw(580000);
  two.updated = at(9'000'000'000);
  ASSERT_TRUE(store->record_order(*run2, two));
  ASSERT_TRUE(store->record_order(*run2, order_with(6, OrderStatus::New)));
  // Run 2 cancelled 3: the newest row wins over the older working one.
  ASSERT_TRUE(store->record_order(*run2, order_with(3, OrderStatus::Cancelled)));
  // The paper account is another world, with its own order 1.
  ASSERT_TRUE(store->record_order(*paper, order_with(1, OrderStatus::Accepted)));
  ASSERT_TRUE(store->record_order(*paper, order_with(5, OrderStatus::Accepted)));

  auto open_live = store->open_orders("live");
  ASSERT_TRUE(open_live) << open_live.error().message;
  EXPECT_EQ(ids(*open_live), (std::vector<OrderId>{2, 4, 6}));
  ASSERT_EQ(open_live->size(), 3u);
  EXPECT_EQ(fields((*open_live)[0]), fields(two));  // run 2's row, not run 1's
  EXPECT_EQ(fields((*open_live)[1]), fields(order_with(4, OrderStatus::Accepted)));

  auto open_paper = store->open_orders("paper");
  ASSERT_TRUE(open_paper);
  EXPECT_EQ(ids(*open_paper), (std::vector<OrderId>{1, 5}));

  // A terminal row in an older run does not hide a working one in a newer run.
  auto run3 = store->begin_run(run_of("live"));
  ASSERT_TRUE(run3);
  ASSERT_TRUE(store->record_order(*run3, order_with(5, OrderStatus::Accepted)));
  auto again = store->open_orders("live");
  ASSERT_TRUE(again);
  EXPECT_EQ(ids(*again), (std::vector<OrderId>{2, 4, 5, 6}));

  auto bad = store->open_orders("backtest");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("open_orders (backtest): mode 'backtest' is neither live nor paper"));
}

// The partial index's status list (schema.h) must be the complement of is_terminal().
TEST_F(StoreTest, OpenOrdersAgreeWithIsTerminalForEveryStatus) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto run = store->begin_run(run_of("paper"));
  ASSERT_TRUE(run);
  const OrderStatus all[] = {OrderStatus::New,    OrderStatus::Sent,      OrderStatus::Accepted,
                             OrderStatus::PartiallyFilled, OrderStatus::Filled, OrderStatus::Cancelled,
                             OrderStatus::Rejected};
  std::vector<OrderId> working;
  OrderId id = 0;
  for (OrderStatus s : all) {
    ASSERT_TRUE(store->record_order(*run, order_with(++id, s)));
    if (!is_terminal(s)) working.push_back(id);
  }
  auto open_paper = store->open_orders("paper");
  ASSERT_TRUE(open_paper) << open_paper.error().message;
  EXPECT_EQ(ids(*open_paper), working);
}

// The plans of the store's restart queries (store.cpp), checked here because a
// restart must not read every order or fill ever written.
TEST_F(StoreTest, RestartQueriesReadIndexesNotTables) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  store.reset();
  RawDb raw(db_path());
  const std::string open_orders = raw.plan(
      "SELECT * FROM orders AS o INDEXED BY orders_open WHERE status IN ('new', 'sent', 'accepted', "
      "'partially_filled') AND run_id IN (SELECT id FROM runs WHERE mode = 'live') "
      "AND run_id = (SELECT max(n.run_id) FROM orders AS n WHERE n.order_id = o.order_id "
      "AND n.run_id IN (SELECT id FROM runs WHERE mode = 'live')) ORDER BY order_id");
  EXPECT_THAT(open_orders, HasSubstr("SCAN o USING INDEX orders_open"));
  EXPECT_THAT(open_orders, HasSubstr("SEARCH n USING COVERING INDEX orders_by_id (order_id=? AND run_id=?)"));
  EXPECT_THAT(open_orders, Not(HasSubstr("TEMP B-TREE")));
  const std::string fills = raw.plan(
      "SELECT * FROM fills WHERE rowid IN (SELECT min(rowid) FROM fills INDEXED BY fills_by_time WHERE at >= 1 AND at < 2 "
      "AND run_id IN (SELECT id FROM runs WHERE mode = 'live') GROUP BY fill_id) ORDER BY at, fill_id");
  EXPECT_THAT(fills, HasSubstr("USING INDEX fills_by_time (at>? AND at<?)"));
  const std::string max_id = raw.plan(
      "SELECT coalesce(max((SELECT max(order_id) FROM orders WHERE run_id = runs.id)), 0) "
      "FROM runs WHERE mode = 'live'");
  EXPECT_THAT(max_id, HasSubstr("SEARCH orders USING PRIMARY KEY (run_id=?)"));
  EXPECT_THAT(max_id, Not(HasSubstr("SCAN orders")));
}

TEST_F(StoreTest, FillsOfADayCountEachExecutionOnceAcrossRuns) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto run1 = store->begin_run(run_of("live"));
  auto paper = store->begin_run(run_of("paper"));
  auto run2 = store->begin_run(run_of("live"));
  ASSERT_TRUE(run1 && paper && run2);
  const KstDate day{2026, 1, 5};
  const Timestamp midnight = from_kst(day, TimeOfDay{});
  const auto fill_at = [](std::string id, Timestamp t) {
    Fill f = sample_fill(1, std::move(id));
    f.time = t;
    return f;
  };
  ASSERT_TRUE(store->record_fill(*run1, fill_at("0001-4", at(60'000'000'000))));
  ASSERT_TRUE(store->record_fill(*run1, fill_at("first-ns", midnight)));
  ASSERT_TRUE(store->record_fill(*run1, fill_at("day-before", midnight - Duration(1))));
  ASSERT_TRUE(store->record_fill(*run1, fill_at("day-after", midnight + std::chrono::hours(24))));
  // After the restart, reconciliation reports 0001-4 again: the same execution.
  Fill again = fill_at("0001-4", at(70'000'000'000));
  again.qty = Qty(99);
  ASSERT_TRUE(store->record_fill(*run2, again));
  ASSERT_TRUE(store->record_fill(*run2, fill_at("0001-10", at(30'000'000'000))));
  ASSERT_TRUE(store->record_fill(*paper, fill_at("paper-fill", at(1))));

  auto fills = store->fills_of("live", day);
  ASSERT_TRUE(fills) << fills.error().message;
  std::vector<std::string> got;
  for (const auto& f : *fills) got.push_back(f.fill_id);
  EXPECT_EQ(got, (std::vector<std::string>{"first-ns", "0001-10", "0001-4"}));
  ASSERT_EQ(fills->size(), 3u);
  EXPECT_EQ(fields((*fills)[2]), fields(fill_at("0001-4", at(60'000'000'000))));  // the first row recorded

  auto paper_fills = store->fills_of("paper", day);
  ASSERT_TRUE(paper_fills);
  ASSERT_EQ(paper_fills->size(), 1u);
  EXPECT_EQ((*paper_fills)[0].fill_id, "paper-fill");

  auto none = store->fills_of("live", KstDate{2026, 1, 7});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  auto bad_day = store->fills_of("live", KstDate{2026, 2, 30});
  ASSERT_FALSE(bad_day);
  EXPECT_THAT(bad_day.error().message, HasSubstr("fills_of (live, 2026-02-30): not a valid date"));
  auto bad_mode = store->fills_of("", day);
  ASSERT_FALSE(bad_mode);
  EXPECT_THAT(bad_mode.error().message, HasSubstr("mode '' is neither live nor paper"));
}

// --- Backups ---

TEST(BackupName, RoundTripsAndRejectsEverythingElse) {
  EXPECT_EQ(backup_name(KstDate{2026, 11, 5}), "dalbit-20261105.db");
  EXPECT_EQ(parse_backup_name("dalbit-20261105.db"), (KstDate{2026, 11, 5}));
  for (const char* other : {"dalbit-2026110.db", "dalbit-202611055.db", "dalbit-20261305.db", "dalbit-20260230.db",
                            "dalbit-20261105.db.partial", "dalbit-20261105.db-journal", "xdalbit-20261105.db",
                            "dalbit-2026-11-5.db", "dalbit-+2026110.db", "dalbit.db", ""}) {
    EXPECT_FALSE(parse_backup_name(other)) << other;
  }
}

// A writer keeps inserting from its own thread and connection, as the engine
// does while an operator's cron job runs `dalbit backup`.
TEST_F(StoreTest, BackupWhileAWriterKeepsInsertingIsACompleteConsistentCopy) {
  auto reader = open();
  ASSERT_NE(reader, nullptr);
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::string writer_error;
  std::thread writer([&] {
    auto store = Store::open(db_path());
    if (!store) {
      writer_error = store.error().message;
      return;
    }
    auto run = (*store)->begin_run(run_of("live"));
    if (!run) {
      writer_error = run.error().message;
      return;
    }
    for (int i = 1; !stop.load() || i < 50; ++i) {
      Transaction tx(**store);
      auto fresh = (*store)->record_fill(*run, sample_fill(1, fmt::format("F{}", i)));
      if (!fresh || !(*store)->record_order(*run, sample_order(static_cast<OrderId>(i)))) {
        writer_error = fmt::format("write {} failed", i);
        return;
      }
      if (auto s = tx.commit(); !s) {
        writer_error = s.message();
        return;
      }
      written.store(i);
    }
  });
  while (written.load() < 20 && writer_error.empty()) std::this_thread::yield();

  const auto through_store = dir_ / "backup" / backup_name(KstDate{2026, 1, 5});
  const auto by_path = dir_ / "other" / "copy.db";
  ASSERT_TRUE(reader->backup_to(through_store.string())) << "first";
  ASSERT_TRUE(reader->backup_to(through_store.string())) << "replacing the first";
  ASSERT_TRUE(backup_database(db_path(), by_path.string()));
  const int before_stop = written.load();
  stop = true;
  writer.join();
  ASSERT_EQ(writer_error, "");

  for (const auto& copy : {through_store, by_path}) {
    SCOPED_TRACE(copy.string());
    RawDb raw(copy);
    EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(raw.text("PRAGMA journal_mode"), "delete");  // one self-contained file
    EXPECT_EQ(raw.integer("PRAGMA user_version"), kLatest);
    // Every transaction whole or not at all, and some of them there.
    const auto fills = raw.integer("SELECT count(*) FROM fills");
    EXPECT_EQ(raw.integer("SELECT count(*) FROM orders"), fills);
    EXPECT_GE(fills, 20);
    EXPECT_LE(fills, written.load());
    EXPECT_FALSE(fs::exists(copy.string() + ".partial"));
  }
  EXPECT_FALSE(fs::exists(through_store.string() + "-wal"));
  EXPECT_GE(written.load(), before_stop);
  // The copy opens as a store, with everything it had.
  auto copied = Store::open(by_path.string());
  ASSERT_TRUE(copied) << copied.error().message;
  auto max = (*copied)->max_order_id("live");
  ASSERT_TRUE(max);
  EXPECT_GE(*max, 20u);
}

TEST_F(StoreTest, BackupIsRefusedInsideATransactionAndOntoTheStoreItself) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  const auto dest = (dir_ / "backup.db").string();
  {
    Transaction tx(*store);
    ASSERT_TRUE(store->begin_run(run_of("live")));
    EXPECT_THAT(store->backup_to(dest).message(), HasSubstr("refused inside a transaction"));
  }
  EXPECT_FALSE(fs::exists(dest));
  EXPECT_THAT(store->backup_to(db_path()).message(), HasSubstr("that is the database itself"));
  EXPECT_THAT(backup_database(db_path(), db_path()).message(), HasSubstr("that is the database itself"));
  EXPECT_THAT(store->backup_to("").message(), HasSubstr("empty destination"));
  EXPECT_THAT(backup_database((dir_ / "missing.db").string(), dest).message(), HasSubstr("no database file at"));
  EXPECT_FALSE(fs::exists(dest));
  auto runs = store->list_runs();
  ASSERT_TRUE(runs);
  EXPECT_TRUE(runs->empty());
}

TEST_F(StoreTest, PruneRemovesOnlyOldBackupsAndNothingElse) {
  const auto dir = dir_ / "backups";
  fs::create_directories(dir / "dalbit-20200101.db");  // a directory, not a backup
  const std::vector<std::string> backups = {"dalbit-20261120.db", "dalbit-20261122.db", "dalbit-20261123.db",
                                            "dalbit-20261125.db", "dalbit-20261126.db"};
  const std::vector<std::string> others = {"notes.txt", "dalbit-20261101.db.partial", "dalbit-2026110.db",
                                           "dalbit-20261301.db", "dalbit.db", "dalbit-20261101.db-journal"};
  for (const auto& name : backups) std::ofstream(dir / name) << "backup";
  for (const auto& name : others) std::ofstream(dir / name) << "other";
  // 2026-11-25 00:30 KST is still the 24th in UTC: days are KST days.
  const Timestamp now = from_kst(KstDate{2026, 11, 25}, TimeOfDay::hm(0, 30));

  auto removed = prune_backups(dir.string(), 3, now);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(*removed, 2);  // the 20th and the 22nd; the 23rd to the 25th stay, and tomorrow's
  EXPECT_FALSE(fs::exists(dir / "dalbit-20261120.db"));
  EXPECT_FALSE(fs::exists(dir / "dalbit-20261122.db"));
  for (const auto& name : {"dalbit-20261123.db", "dalbit-20261125.db", "dalbit-20261126.db"}) {
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  }
  for (const auto& name : others) EXPECT_TRUE(fs::exists(dir / name)) << name;
  EXPECT_TRUE(fs::is_directory(dir / "dalbit-20200101.db"));

  auto again = prune_backups(dir.string(), 3, now);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  auto only_today = prune_backups(dir.string(), 1, now);
  ASSERT_TRUE(only_today);
  EXPECT_EQ(*only_today, 1);  // the 23rd
  EXPECT_TRUE(fs::exists(dir / "dalbit-20261125.db"));

  EXPECT_THAT(prune_backups(dir.string(), 0, now).error().message, HasSubstr("keep_days is 0, must be 1 to 36600"));
  EXPECT_THAT(prune_backups(dir.string(), 36601, now).error().message, HasSubstr("keep_days is 36601"));
  auto century = prune_backups(dir.string(), 36600, now);
  ASSERT_TRUE(century) << century.error().message;
  EXPECT_EQ(*century, 0);
  EXPECT_THAT(prune_backups((dir_ / "absent").string(), 3, now).error().message,
              HasSubstr("prune backups in " + (dir_ / "absent").string()));
}

}  // namespace
}  // namespace store
}  // namespace dalbit
