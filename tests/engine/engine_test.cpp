#include "engine/engine.h"

#include <functional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/summary.h"
#include "engine_fixture.h"

namespace dalbit::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_F(EngineTest, AmountIsSizedAtTheLastPriceAndCashIsHeldBackAtTheUpperLimit) {
  tick("2026-01-05 09:00:01", kA, 72'500);
  auto i = intent(kA, Side::Buy);
  i.amount = Krw(1'000'000);
  auto r = engine_.submit(i);
  ASSERT_TRUE(r.accepted) << r.reason;
  ASSERT_EQ(broker_.submitted.size(), 1u);
  EXPECT_EQ(broker_.submitted[0].qty, Qty(13));
  EXPECT_EQ(broker_.submitted[0].status, OrderStatus::Sent);
  // Band around the first print 72,500: upper 94,200. 13 x 94,200 = 1,224,600 + commission 180.
  EXPECT_EQ(engine_.available_cash(), Krw(10'000'000 - 1'224'600 - 180));
  broker_.listener().on_accepted(r.order_id, "0000001");
  broker_.listener().on_fill(fill(r.order_id, "x1", Side::Buy, 72'600, 13));
  EXPECT_EQ(engine_.available_cash(), engine_.cash());
  EXPECT_EQ(engine_.cash(), Krw(10'000'000 - 943'800 - 140));
  EXPECT_EQ(engine_.position(kA)->qty, Qty(13));
}

TEST_F(EngineTest, VetoesAreJournaledWithTheirReason) {
  auto i = intent(kA, Side::Buy);
  i.qty = Qty(1);
  auto r = engine_.submit(i);  // no price seen yet
  EXPECT_FALSE(r.accepted);
  EXPECT_THAT(r.reason, HasSubstr("no price known"));
  ASSERT_EQ(journal_.signals.size(), 2u);
  EXPECT_EQ(journal_.signals[0].kind, "intent");
  EXPECT_EQ(journal_.signals[1].kind, "veto");
  EXPECT_EQ(journal_.signals[1].strategy, "test");
  EXPECT_EQ(engine_.stats().vetoes, 1u);
  EXPECT_TRUE(broker_.submitted.empty());
}

TEST_F(EngineTest, LimitPricesAreRoundedOntoTheGridInTheSafeDirection) {
  tick("2026-01-05 09:00:01", kA, 72'500);
  auto i = intent(kA, Side::Buy);
  i.type = OrderType::Limit;
  i.limit = Price(72'549);
  i.qty = Qty(1);
  ASSERT_TRUE(engine_.submit(i).accepted);
  EXPECT_EQ(broker_.submitted.back().limit, Price(72'500));
}

TEST_F(EngineTest, ExecutionBeforeAcknowledgementAndDuplicates) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  auto i = intent(kA, Side::Buy);
  i.qty = Qty(10);
  const auto id = engine_.submit(i).order_id;
  broker_.listener().on_fill(fill(id, "x1", Side::Buy, 10'000, 4));  // before the ack
  broker_.listener().on_fill(fill(id, "x1", Side::Buy, 10'000, 4));  // duplicate
  broker_.listener().on_accepted(id, "0000009");                     // late ack
  broker_.listener().on_fill(fill(id, "x2", Side::Buy, 10'000, 6));
  const Order* o = engine_.oms().find(id);
  EXPECT_EQ(o->status, OrderStatus::Filled);
  EXPECT_EQ(o->filled, Qty(10));
  EXPECT_EQ(o->broker_no, "0000009");
  EXPECT_EQ(engine_.position(kA)->qty, Qty(10));
  EXPECT_EQ(engine_.stats().duplicate_fills, 1u);
  EXPECT_EQ(journal_.fills.size(), 2u);
}

TEST_F(EngineTest, AnImpossibleBrokerMessageIsSurvivedAndCounted) {
  broker_.listener().on_accepted(42, "nope");
  broker_.listener().on_fill(fill(42, "z", Side::Buy, 10'000, 1));
  EXPECT_EQ(engine_.stats().broker_anomalies, 2u);
}

TEST_F(EngineTest, StrategyCallbacksRunAfterTheIntentReturns) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  int depth = 0;
  int max_depth = 0;
  strategies_.order = [&](const Order&) {
    ++depth;
    max_depth = std::max(max_depth, depth);
    --depth;
  };
  strategies_.tick = [&](const Tick&) {
    ++depth;
    auto i = intent(kA, Side::Buy);
    i.qty = Qty(1);
    const auto id = engine_.submit(i).order_id;
    broker_.listener().on_accepted(id, "1");  // a broker answering synchronously
    EXPECT_TRUE(strategies_.order_statuses.empty()) << "on_order ran inside on_tick";
    --depth;
  };
  tick("2026-01-05 09:00:02", kA, 10'000);
  ASSERT_EQ(strategies_.order_statuses.size(), 1u);
  EXPECT_EQ(strategies_.order_statuses[0], OrderStatus::Accepted);
  EXPECT_EQ(max_depth, 1);
}

TEST_F(EngineTest, SellWithoutQuantitySellsWhatIsNotAlreadyBeingSold) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  auto b = intent(kA, Side::Buy);
  b.qty = Qty(10);
  const auto buy = engine_.submit(b).order_id;
  broker_.listener().on_fill(fill(buy, "b", Side::Buy, 10'000, 10));
  auto s = intent(kA, Side::Sell);
  s.qty = Qty(3);
  ASSERT_TRUE(engine_.submit(s).accepted);
  auto all = intent(kA, Side::Sell);
  all.strategy = "other";  // the same strategy's second sell would be a duplicate
  auto rest = engine_.submit(all);
  ASSERT_TRUE(rest.accepted);
  EXPECT_EQ(broker_.submitted.back().qty, Qty(7));
  all.strategy = "third";
  auto nothing = engine_.submit(all);
  EXPECT_FALSE(nothing.accepted);
  EXPECT_THAT(nothing.reason, HasSubstr("nothing to sell"));
}

TEST_F(EngineTest, TradesWinsAndDrawdown) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  auto b = intent(kA, Side::Buy);
  b.qty = Qty(100);
  const auto buy = engine_.submit(b).order_id;
  broker_.listener().on_fill(fill(buy, "b", Side::Buy, 10'000, 100));  // 1,000,000 + fee 150
  tick("2026-01-05 09:00:02", kA, 9'500);   // equity falls 50,000
  tick("2026-01-05 09:00:03", kA, 10'200);
  const auto sell = engine_.submit(intent(kA, Side::Sell)).order_id;
  broker_.listener().on_fill(fill(sell, "s", Side::Sell, 10'200, 100));
  ASSERT_EQ(engine_.trades().size(), 1u);
  // 1,020,000 - fee 150 - tax 2,040 - 1,000,000 - fee 150
  EXPECT_EQ(engine_.trades()[0].realized, Krw(17'660));
  const auto s = summarize(engine_, config_.account.initial_cash);
  EXPECT_EQ(s.trades, 1u);
  EXPECT_EQ(s.wins, 1u);
  EXPECT_EQ(s.pnl, Krw(17'660));
  EXPECT_EQ(s.final_cash, Krw(10'017'660));
  // Peak: the starting 10,000,000; trough at 9,500: 8,999,850 cash + 950,000 held.
  EXPECT_EQ(s.max_drawdown, Krw(50'150));
}

TEST_F(EngineTest, MinuteBarsFromTicksCompleteWhenTheClockPassesTheMinute) {
  tick("2026-01-05 09:00:01", kA, 10'000, 5);
  tick("2026-01-05 09:00:20", kB, 2'000, 7);
  tick("2026-01-05 09:00:40", kA, 10'050, 3);
  tick("2026-01-05 09:00:50", kA, 9'990, 1);
  EXPECT_TRUE(strategies_.bars.empty());
  tick("2026-01-05 09:01:00", kA, 10'010, 2);
  ASSERT_EQ(strategies_.bars.size(), 2u);
  const Bar& a = strategies_.bars[0];
  EXPECT_EQ(a.code, kA);
  EXPECT_EQ(format_kst(a.time), "2026-01-05 09:00:00");
  EXPECT_EQ(a.open, Price(10'000));
  EXPECT_EQ(a.high, Price(10'050));
  EXPECT_EQ(a.low, Price(9'990));
  EXPECT_EQ(a.close, Price(9'990));
  EXPECT_EQ(a.volume, Qty(9));
  EXPECT_EQ(strategies_.bars[1].code, kB);
  EXPECT_EQ(strategies_.bars[1].volume, Qty(7));
  engine_.close_day();
  ASSERT_EQ(strategies_.bars.size(), 3u);  // the 09:01 bar of A completes at the close
  EXPECT_EQ(strategies_.bars[2].close, Price(10'010));
}

TEST_F(EngineTest, NewDayBandComesFromYesterdaysLastTrade) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  tick("2026-01-05 15:19:59", kA, 12'000);
  engine_.close_day();
  tick("2026-01-06 09:00:01", kA, 12'100);
  const auto* s = engine_.market().find(kA);
  EXPECT_EQ(s->base, Price(12'000));
  EXPECT_EQ(s->band.upper, Price(15'600));
  EXPECT_EQ(s->band.lower, Price(8'400));
}

TEST_F(EngineTest, StopLossFloorIsOffByDefault) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  auto b = intent(kA, Side::Buy);
  b.qty = Qty(10);
  broker_.listener().on_fill(fill(engine_.submit(b).order_id, "b", Side::Buy, 10'000, 10));
  tick("2026-01-05 09:00:02", kA, 7'000);
  EXPECT_EQ(engine_.stats().stop_floor_exits, 0u);
}

TEST(StopLossFloor, SellsAtMarketOnceWhenTheFloorIsTouched) {
  config::Config cfg;
  cfg.risk.stop_loss_floor_pct = 2.0;
  SimClock clock;
  FakeBroker broker;
  Engine engine(cfg, clock, broker, nullptr);
  ScriptedStrategies vetoing;  // risk scripts that refuse everything cannot stop the floor
  vetoing.risk = [](const Intent& i) { return RiskVerdict{false, i.qty, i.amount, "risk/no: never"}; };
  auto feed = [&](const char* when, std::int64_t price) {
    ASSERT_TRUE(clock.set(at(when)));
    engine.on_tick({at(when), kA, Price(price), Qty(100)});
  };
  feed("2026-01-05 09:00:01", 10'000);
  Intent b;
  b.strategy = "s";
  b.code = kA;
  b.qty = Qty(10);
  const auto id = engine.submit(b).order_id;
  Fill f;
  f.order_id = id;
  f.fill_id = "b1";
  f.code = kA;
  f.price = Price(10'000);
  f.qty = Qty(10);
  f.time = clock.now();
  broker.listener().on_fill(f);
  engine.set_strategies(&vetoing);
  feed("2026-01-05 09:00:02", 9'810);  // -1.9 %: above the 9,800 floor
  EXPECT_EQ(broker.submitted.size(), 1u);
  feed("2026-01-05 09:00:03", 9'800);  // at the floor
  ASSERT_EQ(broker.submitted.size(), 2u);
  const Order& exit = broker.submitted.back();
  EXPECT_EQ(exit.strategy, "stop_loss_floor");
  EXPECT_EQ(exit.side, Side::Sell);
  EXPECT_EQ(exit.type, OrderType::Market);
  EXPECT_EQ(exit.qty, Qty(10));
  EXPECT_THAT(exit.reason, HasSubstr("floor"));
  feed("2026-01-05 09:00:04", 9'700);  // the exit is already working: no second order
  EXPECT_EQ(broker.submitted.size(), 2u);
  EXPECT_EQ(engine.stats().stop_floor_exits, 1u);
}

// ------------------------------------------------------------------ modify

class ModifyTest : public EngineTest {
 protected:
  // A limit buy of `qty` at `limit`, accepted by the broker.
  OrderId working_buy(std::int64_t qty, std::int64_t limit) {
    tick("2026-01-05 09:00:01", kA, 10'000);
    auto i = intent(kA, Side::Buy);
    i.type = OrderType::Limit;
    i.limit = Price(limit);
    i.qty = Qty(qty);
    const auto r = engine_.submit(i);
    EXPECT_TRUE(r.accepted) << r.reason;
    broker_.listener().on_accepted(r.order_id, "B1");
    return r.order_id;
  }
};

TEST_F(ModifyTest, CancelsAndReplacesOnceTheBrokerConfirmsTheCancel) {
  const OrderId id = working_buy(10, 10'000);
  const auto r = engine_.modify("test", id, Price(9'900), std::nullopt);
  ASSERT_TRUE(r.accepted) << r.reason;
  EXPECT_EQ(r.order_id, 0u);  // the replacement waits for the cancel
  EXPECT_THAT(broker_.cancels, ElementsAre(id));
  ASSERT_EQ(broker_.submitted.size(), 1u);
  broker_.listener().on_cancelled(id, Qty(10), "ok");
  ASSERT_EQ(broker_.submitted.size(), 2u);
  const Order& replacement = broker_.submitted.back();
  EXPECT_EQ(replacement.strategy, "test");
  EXPECT_EQ(replacement.reason, "because (modifies #1)");
  EXPECT_EQ(replacement.side, Side::Buy);
  EXPECT_EQ(replacement.type, OrderType::Limit);
  EXPECT_EQ(replacement.limit, Price(9'900));
  EXPECT_EQ(replacement.qty, Qty(10));
  EXPECT_EQ(engine_.stats().modifies, 1u);
  // Only the replacement's cash is held back now.
  EXPECT_EQ(engine_.available_cash(), engine_.cash() - Krw(99'000 + 10));
}

TEST_F(ModifyTest, ABrokerThatCancelsAtOnceGivesTheNewIdAtOnce) {
  broker_.cancel_at_once = true;
  const OrderId id = working_buy(10, 10'000);
  broker_.listener().on_fill(fill(id, "f1", Side::Buy, 10'000, 4));
  const auto r = engine_.modify("test", id, std::nullopt, std::nullopt);
  ASSERT_TRUE(r.accepted) << r.reason;
  EXPECT_NE(r.order_id, id);
  const Order* replacement = engine_.oms().find(r.order_id);
  ASSERT_NE(replacement, nullptr);
  EXPECT_EQ(replacement->qty, Qty(6));  // the shares left unfilled
  EXPECT_EQ(replacement->limit, Price(10'000));
  EXPECT_EQ(engine_.oms().find(id)->status, OrderStatus::Cancelled);
}

TEST_F(ModifyTest, ANewQuantityIsTheSharesStillToTrade) {
  broker_.cancel_at_once = true;
  const OrderId id = working_buy(10, 10'000);
  const auto r = engine_.modify("test", id, std::nullopt, Qty(3));
  ASSERT_TRUE(r.accepted) << r.reason;
  EXPECT_EQ(engine_.oms().find(r.order_id)->qty, Qty(3));
}

TEST_F(ModifyTest, TheReplacementPassesRiskLikeAnyIntent) {
  broker_.cancel_at_once = true;
  const OrderId id = working_buy(10, 10'000);
  strategies_.risk = [](const Intent& i) {
    return RiskVerdict{i.qty <= Qty(5), i.qty, i.amount, i.qty <= Qty(5) ? "" : "risk/max: too many"};
  };
  const auto r = engine_.modify("test", id, std::nullopt, Qty(8));
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.reason, "risk/max: too many");
  EXPECT_EQ(engine_.oms().find(id)->status, OrderStatus::Cancelled);
}

TEST_F(ModifyTest, AnOrderFilledBeforeItsCancelIsNotReplaced) {
  const OrderId id = working_buy(10, 10'000);
  ASSERT_TRUE(engine_.modify("test", id, Price(9'900), std::nullopt).accepted);
  broker_.listener().on_fill(fill(id, "f1", Side::Buy, 10'000, 10));
  EXPECT_EQ(engine_.oms().find(id)->status, OrderStatus::Filled);
  broker_.listener().on_cancelled(id, Qty(0), "too late");
  EXPECT_EQ(broker_.submitted.size(), 1u);
}

TEST_F(ModifyTest, RefusesWhatItCannotModify) {
  const OrderId id = working_buy(10, 10'000);
  EXPECT_THAT(engine_.modify("other", id, Price(9'900), std::nullopt).reason,
              HasSubstr("order 1 is not an open order of other"));
  EXPECT_THAT(engine_.modify("test", 99, Price(9'900), std::nullopt).reason,
              HasSubstr("order 99 is not an open order of test"));
  EXPECT_THAT(engine_.modify("test", id, std::nullopt, Qty(0)).reason,
              HasSubstr("a modify needs a positive price and quantity"));
  ASSERT_TRUE(engine_.modify("test", id, Price(9'900), std::nullopt).accepted);
  EXPECT_THAT(engine_.modify("test", id, Price(9'800), std::nullopt).reason, HasSubstr("already being modified"));
  tick("2026-01-05 09:00:02", kB, 10'000);
  auto m = intent(kB, Side::Buy);  // kA already has this strategy's open buy
  m.qty = Qty(1);
  const auto market = engine_.submit(m).order_id;
  EXPECT_THAT(engine_.modify("test", market, Price(9'900), std::nullopt).reason,
              HasSubstr("is a market order: it has no price to modify"));
  EXPECT_TRUE(broker_.cancels.size() == 1u);
}

// --------------------------------------------------------- reading the account

TEST_F(EngineTest, PositionsOpenOrdersAndTodaysSells) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  tick("2026-01-05 09:00:01", kB, 2'000);
  for (const StockCode c : {kB, kA}) {
    auto i = intent(c, Side::Buy);
    i.qty = Qty(10);
    const auto id = engine_.submit(i).order_id;
    Fill f = fill(id, c == kA ? "fa" : "fb", Side::Buy, c == kA ? 10'000 : 2'000, 10);
    f.code = c;
    broker_.listener().on_fill(f);
  }
  const auto positions = engine_.positions();
  ASSERT_EQ(positions.size(), 2u);
  EXPECT_EQ(positions[0].code, kA);  // by code
  EXPECT_EQ(positions[1].code, kB);

  auto s = intent(kA, Side::Sell);
  s.qty = Qty(4);
  const auto sell = engine_.submit(s).order_id;
  auto other = intent(kB, Side::Sell);
  other.strategy = "other";
  other.qty = Qty(1);
  ASSERT_TRUE(engine_.submit(other).accepted);
  EXPECT_EQ(engine_.open_orders("test").size(), 1u);
  EXPECT_EQ(engine_.open_orders("other").size(), 1u);
  EXPECT_EQ(engine_.open_orders("").size(), 2u);

  broker_.listener().on_fill(fill(sell, "s1", Side::Sell, 10'100, 4));
  const auto sells = engine_.todays_sells();
  ASSERT_EQ(sells.size(), 1u);
  EXPECT_EQ(sells[0].code, kA);
  EXPECT_EQ(sells[0].qty, Qty(4));
  EXPECT_EQ(sells[0].price, Price(10'100));
  EXPECT_EQ(sells[0].strategy, "test");
  engine_.close_day();
  EXPECT_TRUE(engine_.todays_sells().empty());
}

TEST_F(EngineTest, NotificationsAreCounted) {
  engine_.notify("test", "hello");
  engine_.notify("test", "again");
  EXPECT_EQ(engine_.stats().notifications, 2u);
}

// ------------------------------------------------------------- risk scripts

TEST_F(EngineTest, ARiskScriptVetoIsJournaledBeforeTheHardLimitsRun) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  strategies_.risk = [](const Intent& i) { return RiskVerdict{false, i.qty, i.amount, "risk/rebuy: too soon"}; };
  auto i = intent(kA, Side::Buy);
  i.qty = Qty(1'000'000);  // would break the hard limits too
  const auto r = engine_.submit(i);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.reason, "risk/rebuy: too soon");
  ASSERT_EQ(journal_.signals.size(), 2u);
  EXPECT_EQ(journal_.signals[1].kind, "veto");
  EXPECT_EQ(journal_.signals[1].reason, "risk/rebuy: too soon");
  EXPECT_EQ(engine_.stats().vetoes, 1u);
}

TEST_F(EngineTest, ARiskScriptShrinkSizesTheOrderAndTheHardLimitsStillApply) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  strategies_.risk = [](const Intent&) { return RiskVerdict{true, Qty(0), Krw(500'000), {}}; };
  auto i = intent(kA, Side::Buy);
  i.amount = Krw(1'000'000);
  ASSERT_TRUE(engine_.submit(i).accepted);
  EXPECT_EQ(broker_.submitted.back().qty, Qty(50));
  strategies_.risk = [](const Intent& shrunk) { return RiskVerdict{true, Qty(900), shrunk.amount, {}}; };
  auto big = intent(kA, Side::Buy);
  big.strategy = "other";  // "test" has an open buy of kA: a duplicate
  big.qty = Qty(1000);
  const auto r = engine_.submit(big);
  EXPECT_FALSE(r.accepted);  // 900 x 10,000 is still above max_order_value
  EXPECT_THAT(r.reason, HasSubstr("max_order_value"));
}

// ------------------------------------------------------- clock and sessions

TEST_F(EngineTest, StrategiesSeeTheClockBeforeEachEventAndTheSessionPhases) {
  tick("2026-01-05 08:45:00", kA, 10'000);
  tick("2026-01-05 09:00:01", kA, 10'000);
  tick("2026-01-05 15:25:00", kA, 10'000);
  ASSERT_TRUE(clock_.set(at("2026-01-05 15:30:00")));
  engine_.close_day();
  tick("2026-01-06 09:01:00", kA, 10'000);
  Bar b{at("2026-01-06 09:01:00"), kA, Price(10'000), Price(10'000), Price(10'000), Price(10'000), Qty(1), 1};
  ASSERT_TRUE(clock_.set(at("2026-01-06 09:02:00")));
  engine_.on_bar(b);
  std::vector<std::string> clocks;
  for (const Timestamp t : strategies_.clocks) clocks.push_back(format_kst(t));
  EXPECT_THAT(clocks, ElementsAre("2026-01-05 08:45:00", "2026-01-05 09:00:01", "2026-01-05 15:25:00",
                                  "2026-01-05 15:30:00", "2026-01-06 09:01:00", "2026-01-06 09:02:00"));
  EXPECT_THAT(strategies_.sessions,
              ElementsAre("2026-01-05 08:45:00 pre_open", "2026-01-05 09:00:01 open", "2026-01-05 15:25:00 closing",
                          "2026-01-05 15:30:00 closed", "2026-01-06 09:01:00 pre_open", "2026-01-06 09:01:00 open"));
}

}  // namespace
}  // namespace dalbit::engine
