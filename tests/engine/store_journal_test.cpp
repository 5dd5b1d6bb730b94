#include "engine/store_journal.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include "log/log.h"

namespace dalbit::engine {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// 2026-01-05 09:00:00 KST.
constexpr std::int64_t kOpen = 1'767'571'200'000'000'000;
Timestamp at(std::int64_t offset_ns) { return Timestamp(Duration(kOpen + offset_ns)); }

Order sample_order(OrderId id) {
  Order o;
  o.id = id;
  o.code = *StockCode::parse("005930");
  o.type = OrderType::Limit;
  o.limit = Price(72500);
  o.qty = Qty(10);
  o.status = OrderStatus::New;
  o.strategy = "rsi";
  o.created = at(0);
  o.updated = at(0);
  return o;
}

Fill sample_fill(OrderId order, std::string id) {
  Fill f;
  f.order_id = order;
  f.fill_id = std::move(id);
  f.code = *StockCode::parse("005930");
  f.price = Price(72500);
  f.qty = Qty(4);
  f.time = at(1'000'000'000);
  return f;
}

// Collects what the journal says on log::errors().
class CapturedErrors {
 public:
  CapturedErrors() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)) {
    log::errors().sinks().push_back(sink_);
  }
  ~CapturedErrors() { log::errors().sinks().pop_back(); }
  std::string text() {
    log::errors().flush();
    return out_.str();
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

class DurableJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / fmt::format("dalbit-journal-{}-{}", ::getpid(), info->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path() const { return (dir_ / "dalbit.db").string(); }

  std::unique_ptr<store::Store> open(std::span<const store::Migration> m = store::schema_migrations()) {
    auto s = store::Store::open(path(), m);
    if (!s) {
      ADD_FAILURE() << s.error().message;
      return nullptr;
    }
    return std::move(*s);
  }

  std::int64_t live_run(store::Store& s) {
    auto run = s.begin_run({.mode = "live", .config_path = "c", .strategies = "rsi", .data_path = "", .started = at(0)});
    EXPECT_TRUE(run) << run.error().message;
    return run ? *run : 0;
  }

  // What another process sees: a second connection reads only committed rows.
  std::pair<std::size_t, std::size_t> committed_orders_and_fills(store::Store& other, std::int64_t run) {
    auto r = other.load_run(run);
    EXPECT_TRUE(r) << r.error().message;
    return r ? std::pair{r->orders.size(), r->fills.size()} : std::pair<std::size_t, std::size_t>{};
  }

  fs::path dir_;
};

TEST_F(DurableJournalTest, TheOrderIsDurableBeforeItIsSent) {
  auto engine_store = open();
  auto other = open();  // before the journal holds the write lock
  ASSERT_TRUE(engine_store && other);
  const auto run = live_run(*engine_store);
  DurableJournal journal(*engine_store, run, "live");

  journal.order(sample_order(1));
  journal.signal({.at = at(0), .strategy = "rsi", .code = *StockCode::parse("005930"), .side = Side::Buy,
                  .kind = "order", .order_id = 1, .reason = "rsi<30"});
  EXPECT_EQ(committed_orders_and_fills(*other, run), (std::pair<std::size_t, std::size_t>{0, 0}))
      << "batched: nothing committed before before_send";
  EXPECT_TRUE(journal.before_send());
  EXPECT_EQ(committed_orders_and_fills(*other, run), (std::pair<std::size_t, std::size_t>{1, 0}));
  auto loaded = other->load_run(run);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->signals.size(), 1u);
  EXPECT_TRUE(journal.status()) << journal.status().message();
}

// The engine process dies right after an order left (no flush, no
// destructor): the order row is there after the restart; what followed it
// in the unfinished batch is not, and nothing is half written.
TEST_F(DurableJournalTest, AnOrderSentBeforeACrashIsInTheStoreAfterIt) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto s = store::Store::open(path());
    if (!s) _exit(10);
    auto run = (*s)->begin_run({.mode = "live", .config_path = "c", .strategies = "rsi", .data_path = "",
                                .started = at(0)});
    if (!run) _exit(11);
    auto* journal = new DurableJournal(**s, *run, "live");  // never destroyed: a crash
    journal->order(sample_order(41));
    if (!journal->before_send()) _exit(12);
    journal->fill(sample_fill(41, "B41-4"));  // the event after the send, never flushed
    _exit(journal->status() ? 0 : 12);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  auto restarted = open();
  ASSERT_TRUE(restarted);
  auto max = restarted->max_order_id("live");
  ASSERT_TRUE(max) << max.error().message;
  EXPECT_EQ(*max, 41u) << "the next id is 42: 41 went to the broker";
  auto open_orders = restarted->open_orders("live");
  ASSERT_TRUE(open_orders);
  ASSERT_EQ(open_orders->size(), 1u);
  EXPECT_EQ((*open_orders)[0].id, 41u);
  auto fills = restarted->fills_of("live", KstDate{2026, 1, 5});
  ASSERT_TRUE(fills);
  EXPECT_TRUE(fills->empty());
}

TEST_F(DurableJournalTest, NothingIsLostAcrossFlushes) {
  auto engine_store = open();
  auto other = open();
  ASSERT_TRUE(engine_store && other);
  const auto run = live_run(*engine_store);
  {
    DurableJournal journal(*engine_store, run, "live");
    ASSERT_TRUE(journal.flush()) << "nothing pending is not an error";
    for (OrderId id = 1; id <= 20; ++id) {
      Order o = sample_order(id);
      journal.order(o);
      ASSERT_TRUE(journal.before_send());
      o.status = OrderStatus::Accepted;
      journal.order(o);
      journal.order_event(o, "accepted");
      journal.fill(sample_fill(id, fmt::format("B{}-4", id)));
      Position held;
      held.code = o.code;
      held.qty = Qty(4);
      journal.position(held, at(2));
      // Some events end without a flush: the next before_send commits them.
      if (id % 3 != 0) {
        ASSERT_TRUE(journal.flush());
      }
    }
    journal.fill(sample_fill(20, "B20-10"));
    EXPECT_EQ(committed_orders_and_fills(*other, run), (std::pair<std::size_t, std::size_t>{20, 20}))
        << "the last fill is pending";
    EXPECT_TRUE(journal.status());
  }  // the destructor commits what is pending
  auto r = other->load_run(run);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->orders.size(), 20u);
  EXPECT_EQ(r->fills.size(), 21u);
  EXPECT_EQ(r->events.size(), 20u);
  for (const auto& o : r->orders) EXPECT_EQ(o.status, OrderStatus::Accepted) << o.id;
}

// A commit that fails (here a deferred constraint a test migration adds, the
// way a full disk would fail it) rolls its batch back, is loud, fails status()
// for good, and the journal goes on with the next batch.
TEST_F(DurableJournalTest, AFailedCommitRollsTheBatchBackAndIsLoud) {
  std::vector<store::Migration> poisoned(store::schema_migrations().begin(), store::schema_migrations().end());
  const std::string poison =
      "CREATE TABLE poison (run_id INTEGER REFERENCES runs (id) DEFERRABLE INITIALLY DEFERRED);"
      "CREATE TRIGGER poison_fill AFTER INSERT ON fills WHEN NEW.fill_id = 'POISON' "
      "BEGIN INSERT INTO poison VALUES (-1); END;";
  poisoned.push_back({static_cast<int>(poisoned.size()) + 1, poison});
  auto engine_store = open(poisoned);
  auto other = open(poisoned);
  ASSERT_TRUE(engine_store && other);
  const auto run = live_run(*engine_store);
  CapturedErrors errors;
  DurableJournal journal(*engine_store, run, "live");

  journal.order(sample_order(1));
  journal.fill(sample_fill(1, "POISON"));
  EXPECT_TRUE(journal.status()) << "the write itself succeeds; its commit cannot";
  const Status flushed = journal.flush();
  EXPECT_THAT(flushed.message(), HasSubstr("flush: the batch is lost (rolled back)"));
  EXPECT_THAT(flushed.message(), HasSubstr("FOREIGN KEY"));
  EXPECT_FALSE(journal.status());
  EXPECT_THAT(journal.status().message(), HasSubstr("the batch is lost"));
  EXPECT_THAT(errors.text(), HasSubstr(fmt::format("store journal, run {}: flush: the batch is lost", run)));
  EXPECT_EQ(committed_orders_and_fills(*other, run), (std::pair<std::size_t, std::size_t>{0, 0}));

  journal.order(sample_order(2));
  EXPECT_TRUE(journal.before_send());
  EXPECT_EQ(committed_orders_and_fills(*other, run), (std::pair<std::size_t, std::size_t>{1, 0}));
  EXPECT_THAT(journal.status().message(), HasSubstr("the batch is lost")) << "the first failure stays";

  journal.order(sample_order(3));
  journal.fill(sample_fill(3, "POISON"));
  EXPECT_FALSE(journal.before_send()) << "the engine must not send an order its batch could not commit";
}

TEST_F(DurableJournalTest, AFailedWriteIsLoudAndTheRestOfTheBatchIsKept) {
  auto engine_store = open();
  ASSERT_TRUE(engine_store);
  const auto run = live_run(*engine_store);
  CapturedErrors errors;
  {
    DurableJournal journal(*engine_store, run, "live");
    journal.fill(sample_fill(1, "B1-4"));
    journal.order(sample_order(0));  // id 0 is refused
    journal.fill(sample_fill(1, "B1-10"));
    EXPECT_TRUE(journal.flush()) << "the batch itself commits";
    EXPECT_FALSE(journal.status());
  }
  EXPECT_THAT(errors.text(), HasSubstr("record_order run 1 order 0: invalid order id"));
  auto r = engine_store->load_run(run);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->fills.size(), 2u);  // a lost fill is worse than a lost order row
}

// The runner must not hold a transaction of its own: the journal could not
// batch, and says so.
TEST_F(DurableJournalTest, ABatchThatCannotBeginIsLoud) {
  auto s = open();
  ASSERT_TRUE(s);
  const auto run = live_run(*s);
  CapturedErrors errors;
  store::Transaction runners_own(*s);
  DurableJournal journal(*s, run, "live");
  journal.order(sample_order(1));
  EXPECT_THAT(journal.status().message(), HasSubstr("cannot open a batch, writing unbatched"));
  EXPECT_THAT(errors.text(), HasSubstr("cannot open a batch"));
  EXPECT_TRUE(journal.flush()) << "no batch of its own to commit";
  ASSERT_TRUE(runners_own.commit());
  auto r = s->load_run(run);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->orders.size(), 1u) << "the write itself still went in";
}

TEST_F(DurableJournalTest, RiskStateSurvivesARestartPerMode) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    auto none = load_risk_state(*s, "live");
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_FALSE(none->has_value());
    const auto run = live_run(*s);
    DurableJournal journal(*s, run, "live");
    journal.order(sample_order(1));
    journal.risk_state(engine::RiskState::Reducing, "daily loss -2.1%", at(0));
    journal.risk_state(engine::RiskState::Halted, "daily loss -3.0%", at(3'600'000'000'000));
    EXPECT_TRUE(journal.status()) << journal.status().message();
  }
  auto s = open();
  ASSERT_TRUE(s);
  auto live = load_risk_state(*s, "live");
  ASSERT_TRUE(live) << live.error().message;
  ASSERT_TRUE(live->has_value());
  EXPECT_EQ((*live)->state, engine::RiskState::Halted);
  EXPECT_EQ((*live)->reason, "daily loss -3.0%");
  EXPECT_EQ((*live)->since, (KstDate{2026, 1, 5}));
  auto raw = s->get_state("risk_state.live");
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->value_or(""), R"({"reason":"daily loss -3.0%","since":"2026-01-05","state":"halted"})");

  auto paper = load_risk_state(*s, "paper");
  ASSERT_TRUE(paper);
  EXPECT_FALSE(paper->has_value()) << "a live halt is not the paper account's";
  EXPECT_THAT(load_risk_state(*s, "backtest").error().message, HasSubstr("mode 'backtest' is neither live nor paper"));
}

TEST_F(DurableJournalTest, RiskStateCommitsAtOnce) {
  auto s = open();
  auto other = open();
  ASSERT_TRUE(s && other);
  DurableJournal journal(*s, live_run(*s), "paper");
  journal.risk_state(engine::RiskState::Halted, "kill switch", at(0));
  auto seen = load_risk_state(*other, "paper");
  ASSERT_TRUE(seen) << seen.error().message;
  ASSERT_TRUE(seen->has_value());
  EXPECT_EQ((*seen)->state, engine::RiskState::Halted);
}

TEST_F(DurableJournalTest, AnUnreadableRiskStateIsAnErrorNamingTheKey) {
  auto s = open();
  ASSERT_TRUE(s);
  const std::pair<const char*, const char*> cases[] = {
      {"not json", "not a JSON object"},
      {"[1]", "not a JSON object"},
      {R"({"state":"halted","reason":"x"})", R"("state", "reason" and "since" must be strings)"},
      {R"({"state":"paused","reason":"x","since":"2026-01-05"})", "unknown state 'paused'"},
      {R"({"state":"active","reason":"x","since":"2026-13-05"})", "\"since\" '2026-13-05' is not a YYYY-MM-DD date"},
  };
  for (const auto& [value, why] : cases) {
    SCOPED_TRACE(value);
    ASSERT_TRUE(s->set_state("risk_state.live", value));
    auto r = load_risk_state(*s, "live");
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("store state 'risk_state.live': "));
    EXPECT_THAT(r.error().message, HasSubstr(why));
  }
}

TEST_F(DurableJournalTest, AnUnknownModeFailsStatusAtOnce) {
  auto s = open();
  ASSERT_TRUE(s);
  CapturedErrors errors;
  DurableJournal journal(*s, live_run(*s), "backtest");
  EXPECT_THAT(journal.status().message(), HasSubstr("durable journal: mode 'backtest' is neither live nor paper"));
}

// Backtests keep StoreJournal: writes join the caller's transaction, and the
// risk state of a replay is never saved over a live one.
TEST_F(DurableJournalTest, StoreJournalJoinsTheCallersTransactionAndKeepsNoRiskState) {
  auto s = open();
  ASSERT_TRUE(s);
  std::int64_t run = 0;
  {
    store::Transaction tx(*s);
    run = live_run(*s);
    StoreJournal journal(*s, run);
    journal.order(sample_order(1));
    journal.risk_state(engine::RiskState::Halted, "replayed loss", at(0));
  }  // rolled back
  EXPECT_FALSE(s->load_run(run));
  auto live = load_risk_state(*s, "live");
  ASSERT_TRUE(live);
  EXPECT_FALSE(live->has_value());
}

}  // namespace
}  // namespace dalbit::engine
