#include "store/store.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sqlite3.h>

#include "log/log.h"

namespace dalbit {

// Readable failure output for the core value types.
template <class Tag>
void PrintTo(StrongInt<Tag> v, std::ostream* os) { *os << v.value(); }
void PrintTo(const StockCode& c, std::ostream* os) { *os << c.view(); }

namespace store {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

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
  EXPECT_EQ(raw.integer("PRAGMA user_version"), 1);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                        "('runs','orders','order_events','fills','positions','signals')"),
            6);
}

TEST_F(StoreTest, MigratesAZeroByteFile) {
  fs::create_directories(fs::path(db_path()).parent_path());
  std::ofstream(db_path()).close();
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), 1);
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
  std::vector<Migration> v2(schema_migrations().begin(), schema_migrations().end());
  v2.push_back({2, "CREATE TABLE extra (x INTEGER) STRICT;"});
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->begin_run(sample_run()));
  }
  {
    auto store = open(v2);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->schema_version(), 2);
    auto runs = store->list_runs();
    ASSERT_TRUE(runs);
    EXPECT_EQ(runs->size(), 1u);
  }
  auto old = Store::open(db_path());
  ASSERT_FALSE(old);
  EXPECT_THAT(old.error().message, HasSubstr("schema version 2 is newer than this dalbit knows (1)"));
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
  bad.push_back({2, "CREATE TABLE extra (x INTEGER); DELETE FROM fills; INSERT INTO no_such_table VALUES (1);"});
  auto failed = Store::open(db_path(), bad);
  ASSERT_FALSE(failed);
  EXPECT_THAT(failed.error().message, HasSubstr("migration to version 2"));
  EXPECT_THAT(failed.error().message, HasSubstr("no_such_table"));
  EXPECT_THAT(failed.error().message, HasSubstr("stays at version 1"));
  {
    RawDb raw(db_path());
    EXPECT_EQ(raw.integer("PRAGMA user_version"), 1);
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

}  // namespace
}  // namespace store
}  // namespace dalbit
