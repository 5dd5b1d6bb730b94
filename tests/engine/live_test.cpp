// The engine's live-trading duties: risk states, the kill switch, the daily
// loss limit, order-rate, exposure and duplicate guards, the unfilled-order
// policy, connectivity, unknown orders, cumulative fills, restore and reconcile.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace dalbit::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const StockCode kC = *StockCode::parse("900030");
const StockCode kD = *StockCode::parse("900040");

// EngineTest with a config built for the test, and a few more helpers.
class EngineLiveTest : public EngineTest {
 protected:
  explicit EngineLiveTest(config::Config config = {}) : EngineTest(std::move(config)) {}

  void heartbeat(const char* when) {
    ASSERT_TRUE(clock_.set(at(when)));
    engine_.on_heartbeat();
  }
  IntentResult submit(const char* strategy, StockCode code, Side side, std::int64_t qty,
                      std::int64_t limit = 0) {
    Intent i = intent(code, side);
    i.strategy = strategy;
    i.qty = Qty(qty);
    if (limit > 0) {
      i.type = OrderType::Limit;
      i.limit = Price(limit);
    }
    return engine_.submit(i);
  }
  Fill fill_of(OrderId id, StockCode code, Side side, std::int64_t price, std::int64_t qty) {
    Fill f = fill(id, ("f" + std::to_string(++fills_)).c_str(), side, price, qty);
    f.code = code;
    return f;
  }
  // A holding of `qty` bought by "test" at `price` (the code's price must be known).
  void hold(StockCode code, std::int64_t qty, std::int64_t price) {
    const auto r = submit("holder", code, Side::Buy, qty);
    ASSERT_TRUE(r.accepted) << r.reason;
    broker_.listener().on_fill(fill_of(r.order_id, code, Side::Buy, price, qty));
  }
  int fills_ = 0;
};

config::Config with_risk(const std::function<void(config::Risk&)>& set) {
  config::Config c;
  set(c.risk);
  return c;
}

// ------------------------------------------------------------ risk states

TEST_F(EngineLiveTest, ReducingAllowsOnlySellsAndHaltedNothingFromStrategies) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  hold(kA, 10, 10'000);
  engine_.set_risk_state(RiskState::Reducing, "manual: too volatile");
  EXPECT_EQ(engine_.risk_state(), RiskState::Reducing);
  EXPECT_EQ(submit("test", kA, Side::Buy, 1).reason,
            "risk state reducing (manual: too volatile): only sells");
  EXPECT_TRUE(submit("test", kA, Side::Sell, 4).accepted);
  engine_.set_risk_state(RiskState::Halted, "manual");
  EXPECT_EQ(submit("other", kA, Side::Sell, 1).reason,
            "risk state halted (manual): no orders from strategies");
  engine_.set_risk_state(RiskState::Active, "resume");
  EXPECT_TRUE(submit("test", kA, Side::Buy, 1).accepted);
  EXPECT_THAT(journal_.risk_states,
              ElementsAre("reducing: manual: too volatile", "halted: manual", "active: resume"));
  EXPECT_EQ(journal_.signals.back().kind, "order");
}

class EngineFloorWhenHaltedTest : public EngineLiveTest {
 protected:
  EngineFloorWhenHaltedTest()
      : EngineLiveTest(with_risk([](config::Risk& r) { r.stop_loss_floor_pct = 2.0; })) {}
};

TEST_F(EngineFloorWhenHaltedTest, TheStopLossFloorStillSellsWhenHalted) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  hold(kA, 10, 10'000);
  engine_.set_risk_state(RiskState::Halted, "manual");
  tick("2026-01-05 09:00:02", kA, 9'800);
  ASSERT_EQ(broker_.submitted.size(), 2u);
  EXPECT_EQ(broker_.submitted.back().strategy, kStopFloorStrategy);
  EXPECT_EQ(broker_.submitted.back().qty, Qty(10));
}

// ------------------------------------------------------------ kill switch

TEST_F(EngineLiveTest, KillCancelsEveryOpenOrderAndSellsEverythingAtMarket) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  tick("2026-01-05 09:00:01", kB, 2'000);
  hold(kA, 10, 10'000);
  hold(kB, 5, 2'000);
  const auto buy = submit("test", kB, Side::Buy, 1, 1'990);
  const auto sell = submit("test", kA, Side::Sell, 4, 10'500);
  ASSERT_TRUE(buy.accepted && sell.accepted);
  const std::size_t before = broker_.submitted.size();

  engine_.kill(true, "telegram /kill");
  EXPECT_EQ(engine_.risk_state(), RiskState::Halted);
  EXPECT_THAT(journal_.risk_states, ElementsAre("halted: telegram /kill"));
  EXPECT_THAT(broker_.cancels, ElementsAre(buy.order_id, sell.order_id));
  ASSERT_EQ(broker_.submitted.size(), before + 2);
  const Order& a = broker_.submitted[before];
  EXPECT_EQ(a.strategy, kKillStrategy);
  EXPECT_EQ(a.code, kA);
  EXPECT_EQ(a.side, Side::Sell);
  EXPECT_EQ(a.type, OrderType::Market);
  EXPECT_EQ(a.qty, Qty(6));  // 4 more are still in the limit sell being cancelled
  EXPECT_EQ(a.reason, "kill switch: flatten (telegram /kill)");
  EXPECT_EQ(broker_.submitted[before + 1].code, kB);
  EXPECT_EQ(broker_.submitted[before + 1].qty, Qty(5));

  // The cancelled sell frees its 4 shares: they are sold too.
  broker_.listener().on_cancelled(sell.order_id, Qty(4), "ok");
  ASSERT_EQ(broker_.submitted.size(), before + 3);
  EXPECT_EQ(broker_.submitted.back().qty, Qty(4));
  // The buy's cancel frees nothing to sell.
  broker_.listener().on_cancelled(buy.order_id, Qty(1), "ok");
  EXPECT_EQ(broker_.submitted.size(), before + 3);
  EXPECT_EQ(engine_.stats().kill_exits, 3u);
  // A second kill does not cancel the kill's own exits.
  engine_.kill(true, "again");
  EXPECT_EQ(broker_.cancels.size(), 2u);
  EXPECT_THAT(submit("x", kA, Side::Sell, 1).reason, HasSubstr("risk state halted (again)"));
}

TEST_F(EngineLiveTest, KillWithoutFlattenOnlyCancelsAndDropsPendingModifies) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  hold(kA, 10, 10'000);
  const auto sell = submit("test", kA, Side::Sell, 10, 10'500);
  broker_.listener().on_accepted(sell.order_id, "S1");
  ASSERT_TRUE(engine_.modify("test", sell.order_id, Price(10'400), std::nullopt).accepted);
  const std::size_t before = broker_.submitted.size();
  engine_.kill(false, "manual kill");
  EXPECT_THAT(broker_.cancels, ElementsAre(sell.order_id));  // one cancel, not two
  broker_.listener().on_cancelled(sell.order_id, Qty(10), "ok");
  EXPECT_EQ(broker_.submitted.size(), before);  // neither a replacement nor a flatten
  EXPECT_EQ(engine_.position(kA)->qty, Qty(10));
}

// ------------------------------------------------------------ daily loss

class EngineDailyLossTest : public EngineLiveTest {
 protected:
  EngineDailyLossTest()
      : EngineLiveTest(with_risk([](config::Risk& r) { r.daily_loss_limit = Krw(50'000); })) {}
};

TEST_F(EngineDailyLossTest, UnrealizedLossHaltsAtTheLimit) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  hold(kA, 100, 10'000);                   // cost 1,000,000 + fee 150
  tick("2026-01-05 09:00:02", kA, 9'600);  // 960,000 - 140 - 1,920 - 1,000,150 = -42,210
  EXPECT_EQ(engine_.risk_state(), RiskState::Active);
  tick("2026-01-05 09:00:03", kA, 9'500);  // 950,000 - 140 - 1,900 - 1,000,150 = -52,190
  EXPECT_EQ(engine_.risk_state(), RiskState::Halted);
  EXPECT_EQ(engine_.risk_reason(),
            "daily loss limit: today's P&L -52190 won (realized 0 + unrealized -52190) <= -50000 "
            "(risk.daily_loss_limit)");
  EXPECT_THAT(submit("test", kA, Side::Buy, 1).reason, HasSubstr("risk state halted (daily loss limit"));
  ASSERT_EQ(journal_.risk_states.size(), 1u);
}

TEST_F(EngineDailyLossTest, ARealizedLossHaltsUntilTheNextTradingDay) {
  tick("2026-01-09 09:00:01", kA, 10'000);  // a Friday
  hold(kA, 100, 10'000);
  const auto sell = submit("test", kA, Side::Sell, 100);
  broker_.listener().on_fill(fill_of(sell.order_id, kA, Side::Sell, 9'500, 100));
  EXPECT_EQ(engine_.risk_state(), RiskState::Halted);
  EXPECT_THAT(engine_.risk_reason(), HasSubstr("realized -52190 + unrealized 0"));
  ASSERT_TRUE(clock_.set(at("2026-01-09 15:30:00")));
  engine_.close_day();
  heartbeat("2026-01-10 09:00:00");  // Saturday
  EXPECT_EQ(engine_.risk_state(), RiskState::Halted);
  heartbeat("2026-01-12 00:00:01");  // Monday
  EXPECT_EQ(engine_.risk_state(), RiskState::Active);
  EXPECT_THAT(journal_.risk_states.back(),
              StartsWith("active: a new trading day 2026-01-12 ends \"daily loss"));
}

TEST_F(EngineDailyLossTest, AManualHaltDoesNotEndByItself) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  engine_.set_risk_state(RiskState::Halted, "manual");
  heartbeat("2026-01-06 09:00:00");
  EXPECT_EQ(engine_.risk_state(), RiskState::Halted);
}

TEST_F(EngineDailyLossTest, ARestoredDailyLossHaltEndsTheNextTradingDayAndAManualOneDoesNot) {
  Engine::RestoredState state;
  state.risk = RiskState::Halted;
  state.risk_reason = "daily loss limit: today's P&L -60000 won";
  state.risk_since = {2026, 1, 5};
  engine_.restore(state);
  heartbeat("2026-01-05 15:00:00");
  EXPECT_EQ(engine_.risk_state(), RiskState::Halted);
  heartbeat("2026-01-06 08:00:00");
  EXPECT_EQ(engine_.risk_state(), RiskState::Active);

  FakeBroker broker;
  Engine manual(config_, clock_, broker, nullptr);
  state.risk_reason = "telegram /halt";
  manual.restore(state);
  manual.on_heartbeat();
  EXPECT_EQ(manual.risk_state(), RiskState::Halted);
}

class EngineDailyLossReducingTest : public EngineLiveTest {
 protected:
  EngineDailyLossReducingTest()
      : EngineLiveTest(with_risk([](config::Risk& r) {
          r.daily_loss_limit = Krw(50'000);
          r.daily_loss_action = config::DailyLossAction::Reducing;
        })) {}
};

TEST_F(EngineDailyLossReducingTest, MovesToReducingWhereExitsStillWork) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  hold(kA, 100, 10'000);
  tick("2026-01-05 09:00:03", kA, 9'500);
  EXPECT_EQ(engine_.risk_state(), RiskState::Reducing);
  EXPECT_TRUE(submit("test", kA, Side::Sell, 100).accepted);
  EXPECT_THAT(submit("test", kA, Side::Buy, 1).reason, HasSubstr("only sells"));
}

// ------------------------------------------------------------ hard limits

class EngineRateTest : public EngineLiveTest {
 protected:
  EngineRateTest()
      : EngineLiveTest(with_risk([](config::Risk& r) {
          r.max_orders_per_second = 2;
          r.max_orders_per_day = 3;
          r.stop_loss_floor_pct = 2.0;
        })) {}
};

TEST_F(EngineRateTest, OrdersPerSecondAndPerDayButTheFloorIsExempt) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  const auto first = submit("s1", kA, Side::Buy, 1);
  ASSERT_TRUE(first.accepted);
  EXPECT_TRUE(submit("s2", kA, Side::Buy, 1).accepted);
  EXPECT_EQ(submit("s3", kA, Side::Buy, 1).reason,
            "already 2 orders in the last second (risk.max_orders_per_second 2)");
  tick("2026-01-05 09:00:02", kA, 10'000);
  EXPECT_TRUE(submit("s3", kA, Side::Buy, 1).accepted);
  tick("2026-01-05 09:00:05", kA, 10'000);
  EXPECT_EQ(submit("s4", kA, Side::Buy, 1).reason, "already 3 orders today (risk.max_orders_per_day 3)");
  broker_.listener().on_fill(fill_of(first.order_id, kA, Side::Buy, 10'000, 1));
  tick("2026-01-05 09:00:06", kA, 9'800);
  EXPECT_EQ(broker_.submitted.back().strategy, kStopFloorStrategy);
  EXPECT_EQ(engine_.stats().vetoes, 2u);
  tick("2026-01-06 09:00:01", kA, 9'800);
  EXPECT_TRUE(submit("s4", kA, Side::Buy, 1).accepted) << "a new day, a new count";
}

class EngineExposureTest : public EngineLiveTest {
 protected:
  EngineExposureTest()
      : EngineLiveTest(with_risk([](config::Risk& r) { r.max_total_exposure = Krw(1'000'000); })) {}
};

TEST_F(EngineExposureTest, CountsHoldingsAndOpenBuysAcrossCodes) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  tick("2026-01-05 09:00:01", kB, 10'000);
  hold(kA, 50, 10'000);                                             // 500,000 at cost
  ASSERT_TRUE(submit("test", kB, Side::Buy, 40, 10'000).accepted);  // 400,000 + 60 commission held back
  EXPECT_EQ(submit("other", kA, Side::Buy, 10, 10'000).reason,
            "total exposure 900060 + this buy 100000 exceeds risk.max_total_exposure 1000000");
  EXPECT_TRUE(submit("other", kA, Side::Buy, 9, 10'000).accepted);
}

class EngineDuplicateTest : public EngineLiveTest {
 protected:
  EngineDuplicateTest() : EngineLiveTest(with_risk([](config::Risk& r) { r.duplicate_window_s = 10; })) {}
};

TEST_F(EngineDuplicateTest, AnOpenOrderOrTheSameIntentWithinTheWindowIsADuplicate) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  const auto first = submit("test", kA, Side::Buy, 5, 9'900);
  ASSERT_TRUE(first.accepted);
  EXPECT_EQ(submit("test", kA, Side::Buy, 1).reason,
            "duplicate: order #1 (buy 900010 x5 @9900) of test is still sent");
  EXPECT_TRUE(submit("other", kA, Side::Buy, 1).accepted) << "another strategy's order is no duplicate";
  broker_.listener().on_fill(fill_of(first.order_id, kA, Side::Buy, 9'900, 5));
  tick("2026-01-05 09:00:04", kA, 10'000);
  EXPECT_EQ(submit("test", kA, Side::Buy, 5, 9'900).reason,
            "duplicate: the same intent as test's order at 2026-01-05 09:00:01 (risk.duplicate_window_s 10)");
  const auto different = submit("test", kA, Side::Buy, 6, 9'900);
  ASSERT_TRUE(different.accepted);
  broker_.listener().on_fill(fill_of(different.order_id, kA, Side::Buy, 9'900, 6));
  tick("2026-01-05 09:00:14", kA, 10'000);
  EXPECT_TRUE(submit("test", kA, Side::Buy, 6, 9'900).accepted) << "the window has passed";
}

TEST_F(EngineLiveTest, TheIdenticalIntentGuardIsOffByDefault) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  const auto first = submit("test", kA, Side::Buy, 5);
  broker_.listener().on_fill(fill_of(first.order_id, kA, Side::Buy, 10'000, 5));
  EXPECT_TRUE(submit("test", kA, Side::Buy, 5).accepted);
}

// ------------------------------------------------------- unfilled orders

config::Config unfilled_config() {
  config::Config c;
  c.unfilled["repricer"] = {30, config::UnfilledPolicy::Action::Reprice, 2};
  c.unfilled["marketer"] = {30, config::UnfilledPolicy::Action::Market, 1};
  c.unfilled["canceller"] = {30, config::UnfilledPolicy::Action::Cancel, 1};
  return c;
}

class EngineUnfilledTest : public EngineLiveTest {
 protected:
  EngineUnfilledTest() : EngineLiveTest(unfilled_config()) {}
  OrderId working(const char* strategy, StockCode code, Side side, std::int64_t qty, std::int64_t limit) {
    const auto r = submit(strategy, code, side, qty, limit);
    EXPECT_TRUE(r.accepted) << r.reason;
    broker_.listener().on_accepted(r.order_id, "B" + std::to_string(r.order_id));
    return r.order_id;
  }
};

TEST_F(EngineUnfilledTest, RepricesReplacesAtMarketOrCancelsAfterTheWait) {
  tick("2026-01-05 09:00:00", kA, 10'000);
  tick("2026-01-05 09:00:00", kB, 2'100);
  hold(kB, 5, 2'100);                                                    // #1
  const OrderId up = working("repricer", kA, Side::Buy, 3, 9'950);       // #2
  const OrderId down = working("repricer", kB, Side::Sell, 5, 2'200);    // #3
  const OrderId market = working("marketer", kA, Side::Buy, 2, 9'900);   // #4
  const OrderId cancel = working("canceller", kA, Side::Buy, 1, 9'800);  // #5
  const OrderId plain = working("test", kA, Side::Buy, 1, 9'700);        // #6: no policy
  heartbeat("2026-01-05 09:00:29");
  EXPECT_TRUE(broker_.cancels.empty());
  heartbeat("2026-01-05 09:00:30");
  EXPECT_THAT(broker_.cancels, ElementsAre(up, down, market, cancel));
  heartbeat("2026-01-05 09:00:30.100");
  EXPECT_EQ(broker_.cancels.size(), 4u) << "each cancel goes out once";
  EXPECT_EQ(engine_.stats().unfilled_actions, 4u);
  EXPECT_THAT(journal_.events, testing::Contains("5 accepted unfilled after 30 s: cancelled"));

  const std::size_t before = broker_.submitted.size();
  for (const OrderId id : {up, down, market, cancel}) broker_.listener().on_cancelled(id, Qty(0), "ok");
  ASSERT_EQ(broker_.submitted.size(), before + 3);
  const Order& repriced_up = broker_.submitted[before];
  EXPECT_EQ(repriced_up.limit, Price(9'970));  // 2 ticks of 10 up
  EXPECT_EQ(repriced_up.qty, Qty(3));
  EXPECT_EQ(repriced_up.reason,
            "unfilled after 30 s: re-priced 9950 -> 9970 (2 ticks toward the market) (replaces #2)");
  const Order& repriced_down = broker_.submitted[before + 1];
  EXPECT_EQ(repriced_down.limit, Price(2'190));  // 2 ticks of 5 down
  EXPECT_EQ(repriced_down.side, Side::Sell);
  const Order& at_market = broker_.submitted[before + 2];
  EXPECT_EQ(at_market.type, OrderType::Market);
  EXPECT_EQ(at_market.qty, Qty(2));
  EXPECT_EQ(at_market.strategy, "marketer");
  EXPECT_EQ(at_market.reason, "unfilled after 30 s: re-placed at market (replaces #4)");
  EXPECT_EQ(engine_.oms().find(plain)->status, OrderStatus::Accepted);

  // The replacement waits its own 30 s.
  broker_.listener().on_accepted(repriced_up.id, "B7");
  heartbeat("2026-01-05 09:01:00");  // created at 09:00:30.100, when the cancel was confirmed
  EXPECT_EQ(broker_.cancels.size(), 4u);
  heartbeat("2026-01-05 09:01:00.100");
  EXPECT_EQ(broker_.cancels.back(), repriced_up.id);
}

// ------------------------------------------------- connectivity, unknowns

TEST_F(EngineLiveTest, AConnectionDownTooLongStopsNewBuysUntilItReturns) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  hold(kA, 10, 10'000);
  engine_.set_connected(false);
  heartbeat("2026-01-05 09:00:30");
  EXPECT_FALSE(engine_.emergency_stop());
  EXPECT_TRUE(submit("b", kA, Side::Buy, 1).accepted);
  heartbeat("2026-01-05 09:00:31");
  EXPECT_TRUE(engine_.emergency_stop());
  EXPECT_EQ(submit("c", kA, Side::Buy, 1).reason,
            "emergency stop: the broker connection is down since 2026-01-05 09:00:01 "
            "(risk.connectivity_timeout_s 30)");
  EXPECT_TRUE(submit("test", kA, Side::Sell, 10).accepted) << "exits still go";
  engine_.set_connected(true);
  EXPECT_FALSE(engine_.emergency_stop());
  EXPECT_TRUE(submit("d", kA, Side::Buy, 1).accepted);
}

TEST_F(EngineLiveTest, AnOrderOfUnknownFateStaysSentAndAsksForReconciliation) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  const auto r = submit("test", kA, Side::Buy, 1);
  broker_.listener().on_unknown(r.order_id, "no answer in 10 s");
  EXPECT_TRUE(engine_.needs_reconcile());
  EXPECT_EQ(engine_.oms().find(r.order_id)->status, OrderStatus::Sent);
  EXPECT_EQ(broker_.submitted.size(), 1u);
  EXPECT_EQ(journal_.events.back(), "1 sent unknown: no answer in 10 s");
  engine_.clear_needs_reconcile();
  EXPECT_FALSE(engine_.needs_reconcile());
  broker_.listener().on_unknown(99, "?");
  EXPECT_FALSE(engine_.needs_reconcile());
  EXPECT_EQ(engine_.stats().broker_anomalies, 1u);
}

TEST_F(EngineLiveTest, EveryOrderIsDurableBeforeItIsSent) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  submit("a", kA, Side::Buy, 1);
  submit("b", kA, Side::Buy, 1);
  EXPECT_EQ(journal_.syncs, 2);
}

TEST_F(EngineLiveTest, AnOrderTheStoreCannotRecordIsNeverSent) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  journal_.durable = false;
  const auto r = submit("a", kA, Side::Buy, 1);
  EXPECT_FALSE(r.accepted);
  EXPECT_TRUE(broker_.submitted.empty());
  ASSERT_NE(engine_.oms().find(r.order_id), nullptr);
  EXPECT_EQ(engine_.oms().find(r.order_id)->status, OrderStatus::Rejected);
  EXPECT_EQ(engine_.available_cash(), engine_.cash()) << "nothing stays held back";
}

TEST_F(EngineLiveTest, CumulativeExecutionsApplyOnlyTheirNewShares) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  const auto r = submit("test", kA, Side::Buy, 10);
  broker_.listener().on_accepted(r.order_id, "B1");
  Fill f = fill_of(r.order_id, kA, Side::Buy, 10'000, 3);
  f.cumulative = Qty(3);
  broker_.listener().on_fill(f);
  f.fill_id = "B1-8";
  f.cumulative = Qty(8);  // the report of 5 was lost
  broker_.listener().on_fill(f);
  f.fill_id = "B1-5";
  f.cumulative = Qty(5);  // ... and arrives late
  broker_.listener().on_fill(f);
  EXPECT_EQ(engine_.position(kA)->qty, Qty(8));
  ASSERT_EQ(journal_.fills.size(), 2u);
  EXPECT_EQ(journal_.fills[1].qty, Qty(5));
  EXPECT_EQ(journal_.fills[1].commission, krx::commission(config_.fees, Krw(50'000)));
  EXPECT_EQ(engine_.stats().duplicate_fills, 1u);
}

// ------------------------------------------------------ restore, reconcile

TEST_F(EngineLiveTest, RestoreThenALateExecutionOfARestoredOrder) {
  Order partly;
  partly.id = 7;
  partly.code = kA;
  partly.side = Side::Buy;
  partly.type = OrderType::Limit;
  partly.limit = Price(10'000);
  partly.qty = Qty(10);
  partly.filled = Qty(4);
  partly.filled_value = Krw(40'000);
  partly.status = OrderStatus::PartiallyFilled;
  partly.broker_no = "0000123";
  partly.strategy = "test";
  Order unsent = partly;
  unsent.id = 9;
  unsent.filled = Qty(0);
  unsent.filled_value = Krw(0);
  unsent.status = OrderStatus::Sent;
  unsent.broker_no.clear();
  unsent.strategy = "other";
  Engine::RestoredState state;
  state.orders = {partly, unsent};
  state.next_order_id = 12;
  engine_.restore(state);

  EXPECT_THAT(broker_.adopted, ElementsAre(std::pair<OrderId, std::string>(7, "0000123")));
  EXPECT_EQ(engine_.open_orders("").size(), 2u);
  // Both limit buys hold back their unfilled value.
  EXPECT_EQ(engine_.available_cash(), engine_.cash() - Krw(60'000) - Krw(100'000 + 10));
  tick("2026-01-05 09:00:01", kB, 2'000);
  EXPECT_EQ(submit("new", kB, Side::Buy, 1).order_id, 12u);

  Fill late = fill_of(7, kA, Side::Buy, 10'000, 6);
  late.fill_id = "0000123-10";
  late.cumulative = Qty(10);
  broker_.listener().on_fill(late);
  EXPECT_EQ(engine_.oms().find(7)->status, OrderStatus::Filled);
  EXPECT_EQ(engine_.position(kA)->qty, Qty(6));  // the 4 before the crash come from reconciliation
  broker_.listener().on_fill(late);              // the same report again
  EXPECT_EQ(engine_.position(kA)->qty, Qty(6));
}

TEST_F(EngineLiveTest, ReconcileResolvesEveryKindOfDifference) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  tick("2026-01-05 09:00:01", kB, 2'000);
  tick("2026-01-05 09:00:01", kC, 5'000);
  hold(kC, 3, 5'000);                                                          // #1, gone at the broker
  const OrderId filled = submit("test", kA, Side::Buy, 10, 10'000).order_id;   // #2
  const OrderId partly = submit("test", kB, Side::Buy, 5, 2'000).order_id;     // #3
  const OrderId sent = submit("other", kB, Side::Buy, 3).order_id;             // #4, no answer
  const OrderId lost = submit("other", kA, Side::Buy, 1, 9'000).order_id;      // #5, no answer
  const OrderId vanished = submit("third", kA, Side::Buy, 2, 9'500).order_id;  // #6
  broker_.listener().on_accepted(filled, "B2");
  broker_.listener().on_accepted(partly, "B3");
  broker_.listener().on_accepted(vanished, "B6");
  // #4 and #5: the send failed in a way that leaves their fate unknown; only then may reconciliation judge them.
  broker_.listener().on_unknown(sent, "connection lost");
  broker_.listener().on_unknown(lost, "connection lost");

  broker::AccountSnapshot snap;
  snap.at = clock_.now();
  snap.cash = Krw(9'000'000);
  auto order = [](std::string no, StockCode code, Side side, OrderType type, std::int64_t limit,
                  std::int64_t qty, std::int64_t done, std::int64_t value, std::int64_t open) {
    broker::BrokerOrder b;
    b.broker_no = std::move(no);
    b.code = code;
    b.side = side;
    b.type = type;
    b.limit = Price(limit);
    b.qty = Qty(qty);
    b.filled = Qty(done);
    b.filled_value = Krw(value);
    b.open = Qty(open);
    return b;
  };
  snap.orders = {
      order("B2", kA, Side::Buy, OrderType::Limit, 10'000, 10, 10, 99'800, 0),
      order("B3", kB, Side::Buy, OrderType::Limit, 2'000, 5, 2, 4'000, 0),
      order("B4", kB, Side::Buy, OrderType::Market, 0, 3, 0, 0, 3),
      order("F9", kB, Side::Sell, OrderType::Limit, 2'100, 4, 1, 2'100, 3),
      order("F8", kB, Side::Sell, OrderType::Limit, 2'100, 4, 4, 8'400, 0),
  };
  broker::BrokerOrder cancel_request = order("C1", kB, Side::Sell, OrderType::Limit, 0, 3, 0, 0, 3);
  cancel_request.cancel_order = true;
  snap.orders.push_back(cancel_request);
  snap.holdings = {{kA, Qty(12), Price(9'990)}, {kB, Qty(2), Price(1'995)}, {kD, Qty(7), Price(3'000)}};

  const std::vector<std::string> expected = {
      "order #4 (buy 900020 x3 market): sent, found at the broker as B4: accepted",
      "order #2 (buy 900010 x10 @10000): missed executions of 10 shares @9980 applied (broker cumulative 10)",
      "order #3 (buy 900020 x5 @2000): missed executions of 2 shares @2000 applied (broker cumulative 2)",
      "order #3 (buy 900020 x5 @2000): done at the broker with 2 of 5 filled: cancelled",
      "order #5 (buy 900010 x1 @9000): not at the broker: rejected (never reached the broker)",
      "order #6 (buy 900010 x2 @9500, broker no B6): not among the broker's orders: cancelled",
      "foreign open order F9 (sell 900020 x4 @2100, 1 filled, 3 open): adopted as strategy external",
      "900010: position resized: 10 -> 12 shares @ avg 9990",
      "900020: average price corrected: 2000 -> 1995 (2 shares)",
      "900040: position added: 7 shares @ avg 3000 (held at the broker only)",
      "900030: position removed: 3 shares not held at the broker",
  };
  // drift() lists what it sees now (before the missed fills move the holdings) and changes nothing.
  const auto drift = engine_.drift(snap);
  ASSERT_GE(drift.size(), 7u);
  EXPECT_EQ(std::vector<std::string>(drift.begin(), drift.begin() + 7),
            std::vector<std::string>(expected.begin(), expected.begin() + 7));
  EXPECT_EQ(engine_.oms().find(filled)->status, OrderStatus::Accepted);

  const std::size_t submitted = broker_.submitted.size();
  const Krw cash_before_fills = engine_.cash();
  const auto report = engine_.reconcile(snap);
  // 10,000,000 - 15,000 for C, then the missed fills: 99,800 + 10 commission and 4,000.
  EXPECT_EQ(cash_before_fills, Krw(9'985'000));
  std::vector<std::string> want = expected;
  want.push_back("cash corrected: 9881190 -> 9000000 won (-881190)");
  EXPECT_EQ(report.resolved, want);

  EXPECT_EQ(engine_.oms().find(filled)->status, OrderStatus::Filled);
  EXPECT_EQ(engine_.oms().find(partly)->status, OrderStatus::Cancelled);
  EXPECT_EQ(engine_.oms().find(partly)->filled, Qty(2));
  EXPECT_EQ(engine_.oms().find(sent)->status, OrderStatus::Accepted);
  EXPECT_EQ(engine_.oms().find(sent)->broker_no, "B4");
  EXPECT_EQ(engine_.oms().find(lost)->status, OrderStatus::Rejected);
  EXPECT_EQ(engine_.oms().find(vanished)->status, OrderStatus::Cancelled);
  const Order* external = engine_.oms().find(7);
  ASSERT_NE(external, nullptr);
  EXPECT_EQ(external->strategy, kExternalStrategy);
  EXPECT_EQ(external->status, OrderStatus::PartiallyFilled);
  EXPECT_EQ(external->filled, Qty(1));
  EXPECT_THAT(broker_.adopted, ElementsAre(std::pair<OrderId, std::string>(4, "B4"),
                                           std::pair<OrderId, std::string>(7, "F9")));
  ASSERT_GE(journal_.fills.size(), 3u);
  EXPECT_EQ(journal_.fills[1].fill_id, "B2-10");
  EXPECT_EQ(journal_.fills[1].price, Price(9'980));
  EXPECT_EQ(journal_.fills[2].fill_id, "B3-2");

  EXPECT_EQ(engine_.cash(), Krw(9'000'000));
  EXPECT_EQ(engine_.position(kA)->qty, Qty(12));
  EXPECT_EQ(engine_.position(kA)->cost, Krw(119'880));
  EXPECT_EQ(engine_.position(kB)->avg_price(), Price(1'995));
  EXPECT_EQ(engine_.position(kD)->cost, Krw(21'000));
  EXPECT_EQ(engine_.position(kC), nullptr);
  EXPECT_EQ(broker_.submitted.size(), submitted) << "reconciliation never sends orders";
  EXPECT_TRUE(engine_.drift(snap).empty()) << ::testing::PrintToString(engine_.drift(snap));
  EXPECT_TRUE(engine_.reconcile(snap).resolved.empty());
}

// An order sent just before a crash, found at the broker already filled: it takes
// its broker number first, then its executions, and the done-order numbers the
// store knows are never taken for it.
TEST_F(EngineLiveTest, ReconcileAdoptsALostOrderThenItsExecutionsAndSkipsKnownNumbers) {
  Order lost;
  lost.id = 5;
  lost.code = kA;
  lost.side = Side::Buy;
  lost.type = OrderType::Market;
  lost.qty = Qty(3);
  lost.status = OrderStatus::Sent;
  lost.strategy = "test";
  Engine::RestoredState state;
  state.orders = {lost};
  state.next_order_id = 6;
  state.known_broker_nos = {"0000001"};  // an earlier order just like it, done and journaled
  engine_.restore(state);
  tick("2026-01-05 09:00:01", kA, 10'000);
  broker::AccountSnapshot snap;
  snap.at = clock_.now();
  snap.cash = Krw(9'969'990);
  for (const char* no : {"0000001", "0000007"}) {
    broker::BrokerOrder b;
    b.broker_no = no;
    b.code = kA;
    b.side = Side::Buy;
    b.type = OrderType::Market;
    b.qty = Qty(3);
    b.filled = Qty(3);
    b.fill_price = Price(10'000);
    snap.orders.push_back(b);
  }
  snap.holdings = {{kA, Qty(3), Price(10'000)}};
  const auto report = engine_.reconcile(snap);
  ASSERT_GE(report.resolved.size(), 2u);
  EXPECT_EQ(report.resolved[0], "order #5 (buy 900010 x3 market): sent, found at the broker as 0000007: accepted");
  EXPECT_THAT(report.resolved[1], HasSubstr("missed executions of 3 shares @10000"));
  const Order* o = engine_.oms().find(5);
  EXPECT_EQ(o->status, OrderStatus::Filled);
  EXPECT_EQ(o->broker_no, "0000007");
  ASSERT_FALSE(journal_.fills.empty());
  EXPECT_EQ(journal_.fills.back().fill_id, "0000007-3");
  EXPECT_EQ(journal_.orders.back().broker_no, "0000007") << "the journal knows the number";
}

TEST_F(EngineLiveTest, ReconcileLeavesOrdersPlacedAfterTheSnapshotAlone) {
  tick("2026-01-05 09:00:01", kA, 10'000);
  broker::AccountSnapshot snap;
  snap.at = clock_.now();
  snap.cash = engine_.cash();
  tick("2026-01-05 09:00:02", kA, 10'000);
  const auto r = submit("test", kA, Side::Buy, 1, 10'000);  // in flight while the snapshot travelled
  EXPECT_TRUE(engine_.reconcile(snap).resolved.empty());
  EXPECT_EQ(engine_.oms().find(r.order_id)->status, OrderStatus::Sent);
  // A later snapshot that does not list it yet proves nothing while the broker's answer is awaited:
  // with separate connections for orders and queries, the listing can overtake the order.
  snap.at = clock_.now();
  EXPECT_TRUE(engine_.drift(snap).empty());
  EXPECT_TRUE(engine_.reconcile(snap).resolved.empty());
  EXPECT_EQ(engine_.oms().find(r.order_id)->status, OrderStatus::Sent);
  // Once its fate is unknown, the broker's account decides.
  broker_.listener().on_unknown(r.order_id, "timeout");
  EXPECT_THAT(engine_.drift(snap), ElementsAre(HasSubstr("never reached the broker")));
}

TEST_F(EngineLiveTest, AfterARestartAMissedSellIsJournaledBeforeTheHoldingsAreKnown) {
  Order sell;
  sell.id = 3;
  sell.code = kA;
  sell.side = Side::Sell;
  sell.type = OrderType::Limit;
  sell.limit = Price(10'000);
  sell.qty = Qty(10);
  sell.status = OrderStatus::Accepted;
  sell.broker_no = "S3";
  sell.strategy = "test";
  Engine::RestoredState state;
  state.orders = {sell};
  state.next_order_id = 4;
  engine_.restore(state);
  broker::AccountSnapshot snap;
  snap.at = clock_.now();
  snap.cash = Krw(10'100'000);
  broker::BrokerOrder b;
  b.broker_no = "S3";
  b.code = kA;
  b.side = Side::Sell;
  b.limit = Price(10'000);
  b.qty = Qty(10);
  b.filled = Qty(10);
  b.filled_value = Krw(100'000);
  snap.orders = {b};
  EXPECT_THAT(engine_.reconcile(snap).resolved,
              ElementsAre("order #3 (sell 900010 x10 @10000): missed executions of 10 shares @10000 applied "
                          "(broker cumulative 10)",
                          "cash corrected: 10000000 -> 10100000 won (+100000)"));
  EXPECT_EQ(engine_.oms().find(3)->status, OrderStatus::Filled);
  ASSERT_EQ(journal_.fills.size(), 1u);
  EXPECT_EQ(journal_.fills[0].fill_id, "S3-10");
  ASSERT_FALSE(journal_.orders.empty());
  EXPECT_EQ(journal_.orders.back().status, OrderStatus::Filled);
  EXPECT_EQ(engine_.cash(), Krw(10'100'000));
  EXPECT_TRUE(engine_.drift(snap).empty());
}

}  // namespace
}  // namespace dalbit::engine
