// KiwoomBroker's arithmetic without sockets: what an order answer means, the
// event -> fill arithmetic, and the snapshot's order merge.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "broker/kiwoom_broker.h"
#include "kiwoom/protocol.h"

namespace dalbit::broker {
namespace {

namespace kw = kiwoom;
using ::testing::HasSubstr;

kw::ApiError error_of(kw::ErrorKind kind, int http_status = 200) {
  kw::ApiError e;
  e.kind = kind;
  e.api_id = "kt10000";
  e.http_status = http_status;
  return e;
}

TEST(OrderOutcome, OnlyABrokerRefusalIsARejection) {
  EXPECT_EQ(order_outcome(error_of(kw::ErrorKind::Rejected)), OrderOutcome::Rejected);
  EXPECT_EQ(order_outcome(error_of(kw::ErrorKind::Rejected, 400)), OrderOutcome::Rejected);
  EXPECT_EQ(order_outcome(error_of(kw::ErrorKind::TokenInvalid, 401)), OrderOutcome::Rejected);
  EXPECT_EQ(order_outcome(error_of(kw::ErrorKind::RateLimited, 429)), OrderOutcome::Rejected);
  EXPECT_EQ(order_outcome(error_of(kw::ErrorKind::Network)), OrderOutcome::Unknown);
  EXPECT_EQ(order_outcome(error_of(kw::ErrorKind::Malformed)), OrderOutcome::Unknown);
  EXPECT_EQ(order_outcome(error_of(kw::ErrorKind::Rejected, 502)), OrderOutcome::Unknown);
  EXPECT_EQ(order_outcome(error_of(kw::ErrorKind::Rejected, 500)), OrderOutcome::Unknown);
}

// A 00 execution event of a 100-share order.
kw::OrderEvent execution(Qty cumulative, Price unit_price, Qty unit_qty, Krw filled_amount) {
  kw::OrderEvent e;
  e.order_no = "0000007";
  e.status = kw::OrderEventStatus::Filled;
  e.order_qty = Qty(100);
  e.unfilled = Qty(100) - cumulative;
  e.exec_qty = cumulative;
  e.exec_price = unit_price;
  e.unit_exec_price = unit_price;
  e.unit_exec_qty = unit_qty;
  e.filled_amount = filled_amount;
  return e;
}

TEST(CumulativeFilled, PrefersFid911AndFallsBackToOrderedLessUnfilled) {
  auto e = execution(Qty(30), Price(1000), Qty(10), Krw(30'000));
  EXPECT_EQ(cumulative_filled(e), Qty(30));
  e.unfilled = Qty(60);  // a partial cancel lowered 902: 911 still says 30
  EXPECT_EQ(cumulative_filled(e), Qty(30));
  e.exec_qty.reset();
  EXPECT_EQ(cumulative_filled(e), Qty(40));
  e.unfilled = Qty(100);
  EXPECT_EQ(cumulative_filled(e), std::nullopt);
}

TEST(CumulativeFilled, OnlyExecutionsCount) {
  auto e = execution(Qty(30), Price(1000), Qty(10), Krw(30'000));
  for (const auto status : {kw::OrderEventStatus::Accepted, kw::OrderEventStatus::Confirmed,
                            kw::OrderEventStatus::Cancelled, kw::OrderEventStatus::Rejected}) {
    e.status = status;
    EXPECT_EQ(cumulative_filled(e), std::nullopt);
  }
}

TEST(NewFills, TheNextExecutionIsOneFillAtItsPrice) {
  const auto f = new_fills(execution(Qty(30), Price(1005), Qty(10), Krw(30'050)), Qty(20), Krw(19'000));
  ASSERT_EQ(f.count, 1u);
  EXPECT_TRUE(f.exact);
  EXPECT_EQ(f.parts[0].qty, Qty(10));
  EXPECT_EQ(f.parts[0].price, Price(1005));
  EXPECT_EQ(f.parts[0].cumulative, Qty(30));
}

TEST(NewFills, DuplicateAndLateEventsAddNothing) {
  EXPECT_EQ(new_fills(execution(Qty(30), Price(1000), Qty(10), Krw(30'000)), Qty(30), Krw(30'000)).count, 0u);
  EXPECT_EQ(new_fills(execution(Qty(20), Price(1000), Qty(10), Krw(20'000)), Qty(30), Krw(30'000)).count, 0u);
}

TEST(NewFills, MissedExecutionsSplitOffThisExecution) {
  // Reported 10 @ 1000; 15 @ 1010 missed; this event is 15 @ 1010 more (cumulative 40).
  const auto f = new_fills(execution(Qty(40), Price(1010), Qty(15), Krw(40'300)), Qty(10), Krw(10'000));
  ASSERT_EQ(f.count, 2u);
  EXPECT_TRUE(f.exact);
  EXPECT_EQ(f.parts[0].qty, Qty(15));
  EXPECT_EQ(f.parts[0].price, Price(1010));
  EXPECT_EQ(f.parts[0].cumulative, Qty(25));
  EXPECT_EQ(f.parts[1].qty, Qty(15));
  EXPECT_EQ(f.parts[1].cumulative, Qty(40));
}

TEST(NewFills, AnAmountThatOnlyAveragesEvenlyIsOneFill) {
  // 1 @ 99 and 2 @ 100 missed, 1 @ 101 now: 400 is 4 @ 100, but 299 over 3 does not split.
  const auto f = new_fills(execution(Qty(4), Price(101), Qty(1), Krw(400)), Qty(0), Krw(0));
  ASSERT_EQ(f.count, 1u);
  EXPECT_TRUE(f.exact);
  EXPECT_EQ(f.parts[0].qty, Qty(4));
  EXPECT_EQ(f.parts[0].price, Price(100));
  EXPECT_EQ(f.parts[0].cumulative, Qty(4));
}

TEST(NewFills, MissedExecutionsAtTwoPricesSplitIntoTwoExactFills) {
  // 5 @ 100 not seen, then 5 @ 101 arrives first (re-ordered): 1,005 in all.
  const auto f = new_fills(execution(Qty(10), Price(101), Qty(5), Krw(1005)), Qty(0), Krw(0));
  ASSERT_EQ(f.count, 2u);
  EXPECT_TRUE(f.exact);
  EXPECT_EQ(f.parts[0].qty, Qty(5));
  EXPECT_EQ(f.parts[0].price, Price(100));
  EXPECT_EQ(f.parts[0].cumulative, Qty(5));
  EXPECT_EQ(f.parts[1].qty, Qty(5));
  EXPECT_EQ(f.parts[1].price, Price(101));
  EXPECT_EQ(f.parts[1].cumulative, Qty(10));
  // The late first event then adds nothing.
  EXPECT_EQ(new_fills(execution(Qty(5), Price(100), Qty(5), Krw(500)), Qty(10), Krw(1005)).count, 0u);
}

TEST(NewFills, AnAmountThatDoesNotSplitFallsBackToTheExecutionPrice) {
  // 3 @ 100 and 3 @ 101 missed, 1 @ 103 now: 706 over 7 splits into neither one nor two prices.
  const auto f = new_fills(execution(Qty(7), Price(103), Qty(1), Krw(706)), Qty(0), Krw(0));
  ASSERT_EQ(f.count, 1u);
  EXPECT_FALSE(f.exact);
  EXPECT_EQ(f.parts[0].qty, Qty(7));
  EXPECT_EQ(f.parts[0].price, Price(103));
}

TEST(NewFills, WithoutAnAmountOrUnitFieldsTheExecutionPriceIsUsed) {
  auto e = execution(Qty(10), Price(500), Qty(10), Krw(5000));
  e.filled_amount.reset();
  e.unit_exec_price.reset();
  e.unit_exec_qty.reset();
  const auto f = new_fills(e, Qty(0), Krw(0));
  ASSERT_EQ(f.count, 1u);
  EXPECT_EQ(f.parts[0].price, Price(500));
  EXPECT_FALSE(f.exact);
  e.exec_price.reset();
  const auto none = new_fills(e, Qty(0), Krw(0));
  EXPECT_EQ(none.count, 0u);
  EXPECT_FALSE(none.exact);
}

kw::OpenOrder open_row(std::string no, std::string kind, Qty qty, Qty unfilled, Krw amount) {
  kw::OpenOrder o;
  o.order_no = std::move(no);
  o.code = *StockCode::parse("005930");
  o.kind = std::move(kind);
  o.trade_type = std::string(kw::trade_type_text::kLimit);
  o.order_qty = qty;
  o.order_price = Price(70'000);
  o.unfilled = unfilled;
  o.filled_amount = amount;
  return o;
}

kw::Execution exec_row(std::string no, std::string kind, Qty qty, Qty filled, Qty unfilled) {
  kw::Execution e;
  e.order_no = std::move(no);
  e.code = *StockCode::parse("005930");
  e.kind = std::move(kind);
  e.trade_type = std::string(kw::trade_type_text::kMarket);
  e.order_price = Price(0);
  e.order_qty = qty;
  e.fill_price = Price(70'100);
  e.filled = filled;
  e.unfilled = unfilled;
  return e;
}

TEST(MergeOrders, JoinsOpenOrdersAndExecutionsByNumber) {
  kw::OpenOrders open;
  open.orders.push_back(open_row("0000012", "+매수", Qty(10), Qty(4), Krw(420'000)));
  open.orders.push_back(open_row("0000003", "-매도", Qty(5), Qty(5), Krw(0)));
  kw::Executions execs;
  auto partial = exec_row("0000012", "+매수", Qty(10), Qty(6), Qty(4));
  partial.trade_type = std::string(kw::trade_type_text::kLimit);
  partial.order_price = Price(70'000);
  execs.executions.push_back(partial);
  execs.executions.push_back(exec_row("0000001", "+매수", Qty(8), Qty(8), Qty(0)));
  execs.executions.push_back(exec_row("0000009", "-매도", Qty(9), Qty(2), Qty(7)));  // cancelled: not in ka10075

  auto merged = merge_orders({open}, {execs});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  ASSERT_EQ(merged->size(), 4u);
  const auto& o = *merged;
  EXPECT_EQ(o[0].broker_no, "0000001");
  EXPECT_EQ(o[0].type, OrderType::Market);
  EXPECT_EQ(o[0].limit, Price(0));
  EXPECT_EQ(o[0].filled, Qty(8));
  EXPECT_EQ(o[0].open, Qty(0));
  EXPECT_EQ(o[0].filled_value, Krw(0)) << "ka10076's price may be an average";
  EXPECT_EQ(o[1].broker_no, "0000003");
  EXPECT_EQ(o[1].side, Side::Sell);
  EXPECT_EQ(o[1].filled, Qty(0));
  EXPECT_EQ(o[1].open, Qty(5));
  EXPECT_EQ(o[2].broker_no, "0000009");
  EXPECT_EQ(o[2].filled, Qty(2));
  EXPECT_EQ(o[2].open, Qty(0)) << "only ka10075 says what is open";
  EXPECT_EQ(o[3].broker_no, "0000012");
  EXPECT_EQ(o[3].type, OrderType::Limit);
  EXPECT_EQ(o[3].limit, Price(70'000));
  EXPECT_EQ(o[3].qty, Qty(10));
  EXPECT_EQ(o[3].filled, Qty(6));
  EXPECT_EQ(o[3].open, Qty(4));
  EXPECT_EQ(o[3].filled_value, Krw(420'000));
}

TEST(MergeOrders, CancelRequestsAreMarkedWithTheirParent) {
  kw::OpenOrders open;
  auto child = open_row("0000020", "매수취소", Qty(3), Qty(0), Krw(0));
  child.orig_order_no = "0000019";
  open.orders.push_back(child);
  auto merged = merge_orders({open}, {});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  ASSERT_EQ(merged->size(), 1u);
  EXPECT_TRUE((*merged)[0].cancel_order);
  EXPECT_EQ((*merged)[0].orig_broker_no, "0000019");
}

TEST(MergeOrders, PagesAndRepeatedRowsKeepTheLargerCount) {
  kw::Executions first;
  first.executions.push_back(exec_row("0000004", "+매수", Qty(10), Qty(3), Qty(7)));
  kw::Executions second;
  second.executions.push_back(exec_row("0000004", "+매수", Qty(10), Qty(7), Qty(3)));
  second.executions.push_back(exec_row("0000004", "+매수", Qty(10), Qty(5), Qty(5)));
  auto merged = merge_orders({}, {first, second});
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->size(), 1u);
  EXPECT_EQ((*merged)[0].filled, Qty(7));
}

TEST(MergeOrders, AnUnreadableKindNamesTheApiAndOrder) {
  kw::Executions execs;
  execs.executions.push_back(exec_row("0000004", "??", Qty(10), Qty(3), Qty(7)));
  auto merged = merge_orders({}, {execs});
  ASSERT_FALSE(merged.ok());
  EXPECT_THAT(merged.error().message, HasSubstr("ka10076"));
  EXPECT_THAT(merged.error().message, HasSubstr("0000004"));
}

}  // namespace
}  // namespace dalbit::broker
