#include "engine/oms.h"
#include "engine/order_fsm.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dalbit::engine {
namespace {

using S = OrderStatus;
using E = OrderEvent;
using ::testing::HasSubstr;

void expect_step(S from, E ev, S to, Effect effect = Effect::Transition) {
  auto r = transition(from, ev);
  ASSERT_TRUE(r.ok()) << to_string(from) << " + " << to_string(ev) << ": " << r.error().message;
  EXPECT_EQ(r->next, to) << to_string(from) << " + " << to_string(ev);
  EXPECT_EQ(r->effect, effect) << to_string(from) << " + " << to_string(ev);
}

void expect_illegal(S from, E ev) {
  auto r = transition(from, ev);
  ASSERT_FALSE(r.ok()) << to_string(from) << " + " << to_string(ev) << " should be illegal";
  EXPECT_THAT(r.error().message, HasSubstr(std::string(to_string(ev))));
  EXPECT_THAT(r.error().message, HasSubstr(std::string(to_string(from))));
}

TEST(OrderFsm, HappyPath) {
  expect_step(S::New, E::Send, S::Sent);
  expect_step(S::Sent, E::Accept, S::Accepted);
  expect_step(S::Accepted, E::PartialFill, S::PartiallyFilled);
  expect_step(S::PartiallyFilled, E::PartialFill, S::PartiallyFilled);
  expect_step(S::PartiallyFilled, E::Fill, S::Filled);
}

TEST(OrderFsm, ExecutionBeforeAcknowledgement) {
  expect_step(S::Sent, E::PartialFill, S::PartiallyFilled);
  expect_step(S::Sent, E::Fill, S::Filled);
  expect_step(S::PartiallyFilled, E::Accept, S::PartiallyFilled, Effect::Ignore);
  expect_step(S::Filled, E::Accept, S::Filled, Effect::Ignore);
}

TEST(OrderFsm, FillAfterCancelIsApplied) {
  expect_step(S::Cancelled, E::PartialFill, S::Cancelled);
  expect_step(S::Cancelled, E::Fill, S::Cancelled);
}

TEST(OrderFsm, DuplicatesAreIgnored) {
  expect_step(S::Accepted, E::Accept, S::Accepted, Effect::Ignore);
  expect_step(S::Cancelled, E::Cancel, S::Cancelled, Effect::Ignore);
  expect_step(S::Rejected, E::Reject, S::Rejected, Effect::Ignore);
  expect_step(S::Filled, E::Cancel, S::Filled, Effect::Ignore);
}

TEST(OrderFsm, IllegalTransitions) {
  expect_illegal(S::New, E::Accept);
  expect_illegal(S::New, E::Fill);
  expect_illegal(S::New, E::Cancel);
  expect_illegal(S::Sent, E::Send);
  expect_illegal(S::Accepted, E::Reject);
  expect_illegal(S::Accepted, E::Send);
  expect_illegal(S::PartiallyFilled, E::Reject);
  expect_illegal(S::Filled, E::Fill);
  expect_illegal(S::Filled, E::PartialFill);
  expect_illegal(S::Filled, E::Reject);
  expect_illegal(S::Rejected, E::Accept);
  expect_illegal(S::Rejected, E::Fill);
  expect_illegal(S::Cancelled, E::Reject);
}

Intent buy_intent(const char* code) {
  Intent i;
  i.strategy = "s";
  i.reason = "r";
  i.code = *StockCode::parse(code);
  i.side = Side::Buy;
  i.type = OrderType::Limit;
  return i;
}

Fill fill_of(OrderId id, const char* fill_id, std::int64_t qty, std::int64_t price = 10'000) {
  Fill f;
  f.order_id = id;
  f.fill_id = fill_id;
  f.code = *StockCode::parse("900010");
  f.qty = Qty(qty);
  f.price = Price(price);
  return f;
}

TEST(Oms, ClientIdsAndFillsToCompletion) {
  Oms oms;
  auto& a = oms.create(buy_intent("900010"), Qty(10), Price(10'000), Timestamp{});
  auto& b = oms.create(buy_intent("900020"), Qty(5), Price(10'000), Timestamp{});
  EXPECT_EQ(a.id, 1u);
  EXPECT_EQ(b.id, 2u);
  ASSERT_TRUE(oms.on_sent(1, Timestamp{}).ok());
  ASSERT_TRUE(oms.on_accepted(1, "0001234", Timestamp{}).ok());
  auto r = oms.on_fill(fill_of(1, "e1", 4));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->order->status, S::PartiallyFilled);
  EXPECT_EQ(r->order->filled, Qty(4));
  EXPECT_EQ(r->order->filled_value, Krw(40'000));
  r = oms.on_fill(fill_of(1, "e2", 6));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->order->status, S::Filled);
  EXPECT_EQ(r->order->broker_no, "0001234");
  EXPECT_EQ(oms.open_ids(), std::vector<OrderId>{2});
}

TEST(Oms, DuplicateExecutionChangesNothing) {
  Oms oms;
  oms.create(buy_intent("900010"), Qty(10), Price(10'000), Timestamp{});
  ASSERT_TRUE(oms.on_sent(1, Timestamp{}).ok());
  ASSERT_TRUE(oms.on_fill(fill_of(1, "e1", 4)).ok());
  auto dup = oms.on_fill(fill_of(1, "e1", 4));
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->effect, Effect::Ignore);
  EXPECT_EQ(oms.find(1)->filled, Qty(4));
}

TEST(Oms, OverfillAndUnknownOrderAreErrors) {
  Oms oms;
  oms.create(buy_intent("900010"), Qty(10), Price(10'000), Timestamp{});
  ASSERT_TRUE(oms.on_sent(1, Timestamp{}).ok());
  auto over = oms.on_fill(fill_of(1, "e1", 11));
  ASSERT_FALSE(over.ok());
  EXPECT_THAT(over.error().message, HasSubstr("exceeds the open 10"));
  EXPECT_EQ(oms.find(1)->filled, Qty(0));
  EXPECT_FALSE(oms.on_fill(fill_of(99, "e9", 1)).ok());
  EXPECT_FALSE(oms.on_accepted(99, "x", Timestamp{}).ok());
}

TEST(Oms, IllegalEventLeavesTheOrderAlone) {
  Oms oms;
  oms.create(buy_intent("900010"), Qty(10), Price(10'000), Timestamp{});
  ASSERT_TRUE(oms.on_sent(1, Timestamp{}).ok());
  ASSERT_TRUE(oms.on_rejected(1, Timestamp{}).ok());
  EXPECT_FALSE(oms.on_accepted(1, "late", Timestamp{}).ok());
  EXPECT_EQ(oms.find(1)->status, S::Rejected);
  EXPECT_TRUE(oms.open_ids().empty());
}

TEST(Oms, OpenSellQuantityAndOpenBuys) {
  Oms oms;
  Intent sell = buy_intent("900010");
  sell.side = Side::Sell;
  oms.create(sell, Qty(7), Price(10'000), Timestamp{});
  oms.create(buy_intent("900020"), Qty(1), Price(10'000), Timestamp{});
  EXPECT_EQ(oms.open_sell_qty(*StockCode::parse("900010")), Qty(7));
  EXPECT_TRUE(oms.has_open_buy(*StockCode::parse("900020")));
  EXPECT_FALSE(oms.has_open_buy(*StockCode::parse("900010")));
}

}  // namespace
}  // namespace dalbit::engine
