// KiwoomBroker against the simulator over real TLS sockets: orders, fills,
// cancels, rejections, the simulator's faults and the account snapshot.
#include <algorithm>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "broker/sim_fixture.h"

namespace dalbit::broker {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class KiwoomBrokerSim : public ::testing::Test, public testing::SimBrokerFixture {
 protected:
  void TearDown() override { stop_all(); }

  bool accepted(OrderId id) const { return rec_.broker_no.contains(id); }

  // The fills of one order are consecutive in cumulative terms, their ids
  // unique, and they add up to what the simulator filled, at its exact value.
  void expect_fills_match_sim(OrderId id) {
    ASSERT_TRUE(accepted(id));
    const auto so = sim_order(rec_.broker_no.at(id));
    ASSERT_TRUE(so.has_value());
    Qty cumulative;
    Krw value;
    Krw fees;
    std::set<std::string> ids;
    for (const auto& f : rec_.fills) {
      if (f.order_id != id) continue;
      cumulative += f.qty;
      value += f.value();
      fees += f.commission;
      EXPECT_EQ(f.cumulative, cumulative) << f.fill_id;
      EXPECT_EQ(f.fill_id, rec_.broker_no.at(id) + "-" + std::to_string(cumulative.value()));
      EXPECT_TRUE(ids.insert(f.fill_id).second) << "fill id reported twice: " << f.fill_id;
      EXPECT_EQ(f.commission, krx::commission(krx::FeeSchedule{}, f.value()));
    }
    EXPECT_EQ(cumulative, so->filled);
    EXPECT_EQ(value, so->filled_value);
    EXPECT_EQ(fees, so->fees) << "one fill per execution: the commission matches the simulator's";
  }
};

TEST_F(KiwoomBrokerSim, MarketBuyIsAcceptedAndFilled) {
  start_all();
  const auto s = cheapest();
  broker_->submit(order(1, s, Side::Buy, OrderType::Market, Qty(10)), s.band);
  ASSERT_TRUE(run_until([&] { return accepted(1); }));
  EXPECT_EQ(rec_.events.front(), "accepted 1");
  advance(120s);
  ASSERT_TRUE(run_until([&] { return filled_of(1) == Qty(10); }));
  expect_fills_match_sim(1);
  const auto& f = rec_.fills.front();
  EXPECT_EQ(f.code, s.code);
  EXPECT_EQ(f.side, Side::Buy);
  EXPECT_EQ(f.tax, Krw(0));
  const auto so = sim_order(rec_.broker_no.at(1));
  EXPECT_EQ(so->type, OrderType::Market);
  EXPECT_EQ(broker_->stats().sent, 1u);
  EXPECT_EQ(broker_->stats().acked, 1u);
}

TEST_F(KiwoomBrokerSim, LimitBuyFillsAtOrBelowItsLimitAndASellPaysTax) {
  start_all();
  const auto s = cheapest();
  broker_->submit(order(1, s, Side::Buy, OrderType::Limit, Qty(20), s.band.upper), s.band);
  ASSERT_TRUE(run_until([&] { return accepted(1); }));
  const auto so = sim_order(rec_.broker_no.at(1));
  EXPECT_EQ(so->type, OrderType::Limit);
  EXPECT_EQ(so->price, s.band.upper);
  advance(120s);
  ASSERT_TRUE(run_until([&] { return filled_of(1) == Qty(20); }));
  for (const auto& f : rec_.fills) EXPECT_LE(f.price, s.band.upper);
  expect_fills_match_sim(1);

  broker_->submit(order(2, s, Side::Sell, OrderType::Market, Qty(20)), s.band);
  ASSERT_TRUE(run_until([&] { return accepted(2); }));
  advance(120s);
  ASSERT_TRUE(run_until([&] { return filled_of(2) == Qty(20); }));
  expect_fills_match_sim(2);
  const auto sold = sim_order(rec_.broker_no.at(2));
  Krw tax;
  for (const auto& f : rec_.fills) {
    if (f.order_id == 2) tax += f.tax;
  }
  EXPECT_GT(tax, Krw(0));
  EXPECT_EQ(tax, sold->tax);
}

TEST_F(KiwoomBrokerSim, PartialFillsAreReportedCumulativelyWithoutDoubleCounting) {
  start_all();
  const auto s = cheapest();
  // Prints trade 1,000..6,000 shares: 30,000 take several executions.
  broker_->submit(order(1, s, Side::Buy, OrderType::Limit, Qty(30'000), s.band.upper), s.band);
  ASSERT_TRUE(run_until([&] { return accepted(1); }));
  for (int i = 0; i < 30 && filled_of(1) < Qty(30'000); ++i) {
    advance(30s);
    engine_.run_for(100ms);
  }
  ASSERT_TRUE(run_until([&] { return filled_of(1) == Qty(30'000); }));
  std::size_t fills = 0;
  for (const auto& f : rec_.fills) fills += f.order_id == 1;
  EXPECT_GE(fills, 2u);
  expect_fills_match_sim(1);
  EXPECT_EQ(broker_->stats().duplicates, 0u);
}

TEST_F(KiwoomBrokerSim, CancelOfAWorkingLimitOrder) {
  start_all();
  const auto s = cheapest();
  broker_->submit(order(1, s, Side::Buy, OrderType::Limit, Qty(7), s.band.lower), s.band);
  ASSERT_TRUE(run_until([&] { return accepted(1); }));
  broker_->cancel(1);
  ASSERT_TRUE(run_until([&] { return rec_.cancelled.contains(1); }));
  EXPECT_EQ(rec_.cancelled.at(1), Qty(7));
  const auto so = sim_order(rec_.broker_no.at(1));
  EXPECT_EQ(so->unfilled(), Qty(0));
  EXPECT_EQ(broker_->stats().cancels, 1u);
  // A second cancel sends nothing.
  broker_->cancel(1);
  engine_.run_for(200ms);
  EXPECT_EQ(broker_->stats().cancels, 1u);
  EXPECT_EQ(std::count(rec_.events.begin(), rec_.events.end(), "cancelled 1 7"), 1);
}

TEST_F(KiwoomBrokerSim, CancelOfAPartlyFilledOrderCancelsTheRestAndTheSnapshotShowsItBefore) {
  start_all();
  const auto s = cheapest();
  broker_->submit(order(1, s, Side::Buy, OrderType::Limit, Qty(30'000), s.band.upper), s.band);
  ASSERT_TRUE(run_until([&] { return accepted(1); }));
  for (int i = 0; i < 60 && filled_of(1) == Qty(0); ++i) {
    advance(1s);  // about one print in three seconds: one at most, 1,000..6,000 shares
    engine_.run_for(50ms);
  }
  const Qty filled = filled_of(1);
  ASSERT_GT(filled, Qty(0));
  ASSERT_LT(filled, Qty(30'000));

  std::optional<Result<AccountSnapshot>> got;
  broker_->fetch_snapshot([&](Result<AccountSnapshot> r) { got = std::move(r); });
  ASSERT_TRUE(run_until([&] { return got.has_value(); }));
  ASSERT_TRUE(got->ok()) << got->error().message;
  const auto so = sim_order(rec_.broker_no.at(1));
  ASSERT_EQ((*got)->orders.size(), 1u);
  const BrokerOrder& b = (*got)->orders[0];
  EXPECT_EQ(b.filled, filled);
  EXPECT_EQ(b.filled_value, so->filled_value);
  EXPECT_EQ(b.open, Qty(30'000) - filled);

  broker_->cancel(1);
  ASSERT_TRUE(run_until([&] { return rec_.cancelled.contains(1); }));
  EXPECT_EQ(rec_.cancelled.at(1), Qty(30'000) - filled);
  expect_fills_match_sim(1);
}

TEST_F(KiwoomBrokerSim, DayOrdersExpireAtTheCloseAndAreReportedCancelledOnce) {
  start_all();
  const auto s = cheapest();
  broker_->submit(order(1, s, Side::Buy, OrderType::Limit, Qty(6), s.band.lower), s.band);
  ASSERT_TRUE(run_until([&] { return accepted(1); }));
  advance(std::chrono::hours(6));  // 10:00 -> 16:00, past the 15:30 close
  ASSERT_TRUE(run_until([&] { return rec_.cancelled.contains(1); }));
  engine_.run_for(200ms);
  EXPECT_EQ(rec_.events, (std::vector<std::string>{"accepted 1", "cancelled 1 6"}));
}

TEST_F(KiwoomBrokerSim, CancelBeforeTheAckIsSentWhenTheAckArrives) {
  start_all();
  const auto s = cheapest();
  broker_->submit(order(1, s, Side::Buy, OrderType::Limit, Qty(5), s.band.lower), s.band);
  broker_->cancel(1);  // no answer can have been run yet: this thread runs them
  EXPECT_EQ(broker_->stats().cancels, 0u);
  ASSERT_TRUE(run_until([&] { return rec_.cancelled.contains(1); }));
  EXPECT_EQ(rec_.events, (std::vector<std::string>{"accepted 1", "cancelled 1 5"}));
  EXPECT_EQ(broker_->stats().cancels, 1u);
  EXPECT_EQ(sim_order(rec_.broker_no.at(1))->unfilled(), Qty(0));
}

TEST_F(KiwoomBrokerSim, RefusedOrdersAreRejected) {
  start_all();
  const auto s = cheapest();
  Price off_grid = s.last + Price(1);
  while (krx::valid_limit_price(off_grid, s.band)) off_grid += Price(1);
  ASSERT_GT(krx::tick_size(off_grid), Price(1)) << "the cheapest stock has a one-won tick";
  broker_->submit(order(1, s, Side::Buy, OrderType::Limit, Qty(1), off_grid), s.band);
  broker_->submit(order(2, s, Side::Buy, OrderType::Limit, Qty(1'000'000'000), s.band.upper), s.band);
  testing::SimBrokerFixture::StockRef unknown = s;
  unknown.code = *StockCode::parse("999990");
  broker_->submit(order(3, unknown, Side::Buy, OrderType::Market, Qty(1)), s.band);
  ASSERT_TRUE(run_until([&] { return rec_.rejected.size() == 3; }));
  EXPECT_THAT(rec_.rejected.at(1), HasSubstr("RC4007"));
  EXPECT_THAT(rec_.rejected.at(2), HasSubstr("RC4025"));
  EXPECT_THAT(rec_.rejected.at(3), HasSubstr("kt10000"));
  EXPECT_TRUE(rec_.broker_no.empty());
  EXPECT_TRUE(rec_.unknown.empty());
  EXPECT_EQ(broker_->stats().rejected, 3u);
  EXPECT_EQ(sim_order_count(), 0u);
}

TEST_F(KiwoomBrokerSim, DuplicatedExecutionsAreCountedOnce) {
  start_all();
  const auto s = cheapest();
  fault(R"({"fault":"duplicate_exec","arg":50})");
  broker_->submit(order(1, s, Side::Buy, OrderType::Limit, Qty(15'000), s.band.upper), s.band);
  ASSERT_TRUE(run_until([&] { return accepted(1); }));
  for (int i = 0; i < 30 && filled_of(1) < Qty(15'000); ++i) {
    advance(30s);
    engine_.run_for(100ms);
  }
  ASSERT_TRUE(run_until([&] { return filled_of(1) == Qty(15'000); }));
  engine_.run_for(200ms);
  expect_fills_match_sim(1);
  EXPECT_GE(broker_->stats().duplicates, 1u);
}

TEST_F(KiwoomBrokerSim, ReorderedExecutionsAreCountedOnceInOrder) {
  start_all();
  const auto s = cheapest();
  broker_->submit(order(1, s, Side::Buy, OrderType::Limit, Qty(30'000), s.band.upper), s.band);
  ASSERT_TRUE(run_until([&] { return accepted(1); }));
  fault(R"({"fault":"reorder_exec","arg":50})");
  for (int i = 0; i < 30 && filled_of(1) < Qty(30'000); ++i) {
    advance(60s);  // several executions per batch, so pairs get swapped
    engine_.run_for(100ms);
  }
  ASSERT_TRUE(run_until([&] { return filled_of(1) == Qty(30'000); }));
  engine_.run_for(200ms);
  expect_fills_match_sim(1);  // cumulative order, exact value and fees
  EXPECT_GE(broker_->stats().duplicates, 1u) << "no pair was swapped: the late event of a pair adds nothing";
}

TEST_F(KiwoomBrokerSim, ExecutionsBeforeTheAckWaitForIt) {
  start_all();
  const auto s = cheapest();
  fault(R"({"fault":"exec_before_ack","arg":1})");
  broker_->submit(order(1, s, Side::Buy, OrderType::Market, Qty(3)), s.band);
  ASSERT_TRUE(run_until([&] { return filled_of(1) == Qty(3); }));
  EXPECT_EQ(rec_.events.front(), "accepted 1");
  EXPECT_GE(broker_->stats().early_events, 1u);
  EXPECT_EQ(broker_->stats().foreign_events, 0u);
  expect_fills_match_sim(1);
}

TEST_F(KiwoomBrokerSim, DroppedOrderCallIsUnknownAndNeverResent) {
  start_all();
  const auto s = cheapest();
  fault(R"({"fault":"drop"})");
  broker_->submit(order(1, s, Side::Buy, OrderType::Market, Qty(1)), s.band);
  ASSERT_TRUE(run_until([&] { return rec_.unknown.contains(1); }));
  engine_.run_for(300ms);
  EXPECT_EQ(sim_order_count(), 0u);
  EXPECT_EQ(rec_.events, (std::vector<std::string>{"unknown 1"}));
  EXPECT_EQ(broker_->stats().unknown, 1u);
}

TEST_F(KiwoomBrokerSim, StalledOrderCallIsUnknownItsEventsForeignAndNothingResent) {
  testing::SimBrokerSetup setup;
  setup.request_timeout = 300ms;
  setup.broker.early_event_ttl = 200ms;
  start_all(setup);
  const auto s = cheapest();
  fault(R"({"fault":"stall","arg":1500})");
  broker_->submit(order(1, s, Side::Buy, OrderType::Limit, Qty(2), s.band.lower), s.band);
  ASSERT_TRUE(run_until([&] { return rec_.unknown.contains(1); }));
  EXPECT_THAT(rec_.unknown.at(1), HasSubstr("timed out"));
  engine_.run_for(2000ms);
  broker_->expire_early_events();
  EXPECT_EQ(sim_order_count(), 1u) << "the order reached the simulator once and only once";
  EXPECT_EQ(rec_.events, (std::vector<std::string>{"unknown 1"}));
  EXPECT_EQ(broker_->stats().foreign_events, 1u) << "its Accepted event had no known number";
}

TEST_F(KiwoomBrokerSim, SnapshotEqualsTheSimulatorsAccount) {
  start_all();
  const auto s = cheapest();
  broker_->submit(order(1, s, Side::Buy, OrderType::Market, Qty(40)), s.band);
  broker_->submit(order(2, s, Side::Buy, OrderType::Limit, Qty(9), s.band.lower), s.band);
  ASSERT_TRUE(run_until([&] { return accepted(1) && accepted(2); }));
  advance(120s);
  ASSERT_TRUE(run_until([&] { return filled_of(1) == Qty(40); }));
  broker_->submit(order(3, s, Side::Sell, OrderType::Limit, Qty(15), s.band.upper), s.band);  // stays open
  broker_->submit(order(4, s, Side::Buy, OrderType::Limit, Qty(4), s.band.lower), s.band);
  ASSERT_TRUE(run_until([&] { return accepted(3) && accepted(4); }));
  broker_->cancel(4);
  ASSERT_TRUE(run_until([&] { return rec_.cancelled.contains(4); }));

  std::optional<Result<AccountSnapshot>> got;
  broker_->fetch_snapshot([&](Result<AccountSnapshot> r) { got = std::move(r); });
  ASSERT_TRUE(run_until([&] { return got.has_value(); }));
  ASSERT_TRUE(got->ok()) << got->error().message;
  const AccountSnapshot& snap = **got;

  server_->with_service([&](sim::Service& svc) {
    const sim::Account& a = svc.account();
    EXPECT_EQ(snap.cash, a.cash());
    std::size_t holdings = 0;
    for (const auto& [code, h] : a.holdings()) {
      if (h.qty.value() == 0) continue;
      ++holdings;
      const auto it = std::find_if(snap.holdings.begin(), snap.holdings.end(),
                                   [&](const BrokerHolding& b) { return b.code == code; });
      ASSERT_NE(it, snap.holdings.end()) << code.str();
      EXPECT_EQ(it->qty, h.qty);
      EXPECT_EQ(it->avg_price, h.avg_price());
    }
    EXPECT_EQ(snap.holdings.size(), holdings);
    std::size_t listed = 0;
    for (const auto& o : a.orders()) {
      if (o.filled.value() == 0 && !o.working) continue;  // neither open nor executed: not listed by Kiwoom
      ++listed;
      const auto it = std::find_if(snap.orders.begin(), snap.orders.end(),
                                   [&](const BrokerOrder& b) { return b.broker_no == o.order_no; });
      ASSERT_NE(it, snap.orders.end()) << o.order_no;
      EXPECT_EQ(it->code, o.code);
      EXPECT_EQ(it->side, o.side);
      EXPECT_EQ(it->type, o.type);
      EXPECT_EQ(it->limit, o.price);
      EXPECT_EQ(it->qty, o.qty);
      EXPECT_EQ(it->filled, o.filled) << o.order_no;
      EXPECT_EQ(it->open, o.unfilled()) << o.order_no;
      EXPECT_EQ(it->orig_broker_no, o.orig_order_no);
      EXPECT_FALSE(it->cancel_order);
      if (o.working) {
        EXPECT_EQ(it->filled_value, o.filled_value);
      }
    }
    EXPECT_EQ(snap.orders.size(), listed);
    EXPECT_GE(listed, 3u);  // 1 (filled), 2 and 3 (open)
  });
  EXPECT_TRUE(std::is_sorted(snap.orders.begin(), snap.orders.end(),
                             [](const BrokerOrder& a, const BrokerOrder& b) { return a.broker_no < b.broker_no; }));
}

TEST_F(KiwoomBrokerSim, SnapshotFailsNamingTheApiIdWhenACallFails) {
  start_all();
  fault(R"({"fault":"malformed"})");  // the first of the four calls
  std::optional<Result<AccountSnapshot>> got;
  broker_->fetch_snapshot([&](Result<AccountSnapshot> r) { got = std::move(r); });
  ASSERT_TRUE(run_until([&] { return got.has_value(); }));
  ASSERT_FALSE(got->ok());
  EXPECT_THAT(got->error().message, HasSubstr("kt00001"));
}

}  // namespace
}  // namespace dalbit::broker
