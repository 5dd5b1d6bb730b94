#include "engine/oms.h"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "engine/portfolio.h"

namespace dalbit::engine {
namespace {

const StockCode kCode = *StockCode::parse("900010");

Intent buy_intent() {
  Intent i;
  i.strategy = "s";
  i.code = kCode;
  i.side = Side::Buy;
  i.type = OrderType::Limit;
  return i;
}

Fill report(OrderId id, std::int64_t qty, std::int64_t cumulative, std::string fill_id = {}) {
  Fill f;
  f.order_id = id;
  f.fill_id = fill_id.empty() ? "B" + std::to_string(id) + "-" + std::to_string(cumulative) : fill_id;
  f.code = kCode;
  f.side = Side::Buy;
  f.price = Price(10'000);
  f.qty = Qty(qty);
  f.cumulative = Qty(cumulative);
  return f;
}

class OmsTest : public ::testing::Test {
 protected:
  OrderId sent(std::int64_t qty) {
    const OrderId id = oms_.create(buy_intent(), Qty(qty), Price(10'000), Timestamp{}).id;
    EXPECT_TRUE(oms_.on_sent(id, Timestamp{}).ok());
    return id;
  }
  Oms oms_;
};

TEST_F(OmsTest, CumulativeCountsOnlyNewShares) {
  const OrderId id = sent(10);
  auto a = oms_.on_fill(report(id, 3, 3));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->qty, Qty(3));
  // The report of cumulative 5 was lost; the one of 8 brings both.
  auto b = oms_.on_fill(report(id, 3, 8));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->qty, Qty(5));
  EXPECT_EQ(b->order->filled, Qty(8));
  EXPECT_EQ(b->order->filled_value, Krw(80'000));
  // The lost report arrives late, then a duplicate: nothing changes.
  auto late = oms_.on_fill(report(id, 2, 5));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->effect, Effect::Ignore);
  auto dup = oms_.on_fill(report(id, 3, 8));
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->effect, Effect::Ignore);
  EXPECT_EQ(oms_.find(id)->filled, Qty(8));
  EXPECT_EQ(oms_.find(id)->status, OrderStatus::PartiallyFilled);
  auto last = oms_.on_fill(report(id, 2, 10));
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->order->status, OrderStatus::Filled);
  EXPECT_TRUE(oms_.open_ids().empty());
}

TEST_F(OmsTest, CumulativeBeyondTheOrderIsAnErrorAndChangesNothing) {
  const OrderId id = sent(10);
  ASSERT_TRUE(oms_.on_fill(report(id, 4, 4)).ok());
  auto r = oms_.on_fill(report(id, 7, 11));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "order 1: execution B1-11 of 7 shares exceeds the open 6");
  EXPECT_EQ(oms_.find(id)->filled, Qty(4));
}

TEST_F(OmsTest, WithoutCumulativeTheFillIdDeduplicates) {
  const OrderId id = sent(10);
  ASSERT_TRUE(oms_.on_fill(report(id, 4, 0, "x1")).ok());
  auto dup = oms_.on_fill(report(id, 4, 0, "x1"));
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->effect, Effect::Ignore);
  auto next = oms_.on_fill(report(id, 4, 0, "x2"));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->qty, Qty(4));
  EXPECT_EQ(oms_.find(id)->filled, Qty(8));
}

TEST_F(OmsTest, RestoreKeepsIdsStateAndNeverReusesIds) {
  Order saved;
  saved.id = 41;
  saved.code = kCode;
  saved.qty = Qty(10);
  saved.filled = Qty(4);
  saved.status = OrderStatus::PartiallyFilled;
  saved.broker_no = "0001234";
  const Order& restored = oms_.restore(saved);
  EXPECT_EQ(restored.id, 41u);
  Order done = saved;
  done.id = 7;
  done.status = OrderStatus::Filled;
  done.broker_no = "0000007";
  oms_.restore(done);
  EXPECT_EQ(oms_.open_ids(), std::vector<OrderId>{41});
  EXPECT_EQ(oms_.find_by_broker_no("0001234")->id, 41u);
  EXPECT_EQ(oms_.find_by_broker_no(""), nullptr);
  oms_.set_next_id(100);
  EXPECT_EQ(oms_.create(buy_intent(), Qty(1), Price(1), Timestamp{}).id, 100u);
  oms_.set_next_id(50);  // never backwards
  EXPECT_EQ(oms_.next_id(), 101u);
  Order foreign;
  foreign.code = kCode;
  foreign.qty = Qty(1);
  foreign.status = OrderStatus::Accepted;
  EXPECT_EQ(oms_.restore(foreign).id, 101u);
  // A late cumulative execution of the restored order counts only its new shares.
  auto late = oms_.on_fill(report(41, 6, 10));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->qty, Qty(6));
  EXPECT_EQ(late->order->status, OrderStatus::Filled);
}

// ------------------------------------------------------------ properties
//
// The broker's truth for each order is a sequence of executions (maybe
// stopping short and then cancelled). What reaches the OMS is that truth's
// messages re-ordered, duplicated, with late executions after the cancel.

struct Message {
  enum class Kind : std::uint8_t { Ack, Exec, Cancel } kind;
  OrderId id;
  Fill fill;
};

bool legal(const Order& o) {
  if (o.filled < Qty(0) || o.filled > o.qty) return false;
  switch (o.status) {
    case OrderStatus::New:
    case OrderStatus::Sent:
    case OrderStatus::Accepted:
      return o.filled == Qty(0);
    case OrderStatus::PartiallyFilled:
      return o.filled > Qty(0) && o.filled < o.qty;
    case OrderStatus::Filled:
      return o.filled == o.qty;
    case OrderStatus::Cancelled:
      return true;
    case OrderStatus::Rejected:
      return o.filled == Qty(0);
  }
  return false;
}

// How often the interleavings hit the cases they are for, over all seeds.
struct Coverage {
  int fills_before_ack = 0;
  int fills_after_cancel = 0;
  int ignored = 0;
};

void run_seed(std::uint32_t seed, bool cumulative, Coverage& seen) {
  std::mt19937 rng(seed);
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Oms oms;
  Portfolio portfolio(Krw(1'000'000'000'000), krx::FeeSchedule{});
  std::vector<Message> messages;
  std::int64_t truth_shares = 0;
  const int orders = pick(1, 3);
  for (int n = 0; n < orders; ++n) {
    const std::int64_t qty = pick(1, 40);
    const OrderId id = oms.create(buy_intent(), Qty(qty), Price(10'000), Timestamp{}).id;
    ASSERT_TRUE(oms.on_sent(id, Timestamp{}).ok());
    messages.push_back({Message::Kind::Ack, id, {}});
    const bool completes = pick(0, 2) > 0;
    const std::int64_t executed = completes ? qty : pick(0, static_cast<int>(qty) - 1);
    truth_shares += executed;
    std::int64_t done = 0;
    int exec_no = 0;
    while (done < executed) {
      const std::int64_t part = std::min<std::int64_t>(executed - done, pick(1, 15));
      done += part;
      const std::string fill_id = "B" + std::to_string(id) + "-" + std::to_string(++exec_no);
      messages.push_back({Message::Kind::Exec, id, report(id, part, cumulative ? done : 0, fill_id)});
    }
    if (!completes) messages.push_back({Message::Kind::Cancel, id, {}});
  }
  // Duplicates, then any order at all: acks after executions, executions after the cancel.
  const std::size_t originals = messages.size();
  for (std::size_t i = 0; i < originals; ++i) {
    if (pick(0, 3) == 0) messages.push_back(messages[i]);
  }
  std::shuffle(messages.begin(), messages.end(), rng);

  for (const Message& m : messages) {
    if (m.kind == Message::Kind::Exec) {
      const OrderStatus before = oms.find(m.id)->status;
      seen.fills_before_ack += before == OrderStatus::Sent;
      seen.fills_after_cancel += before == OrderStatus::Cancelled;
    }
    Result<Applied> r = Error{"unset"};
    switch (m.kind) {
      case Message::Kind::Ack:
        r = oms.on_accepted(m.id, "B" + std::to_string(m.id), Timestamp{});
        break;
      case Message::Kind::Cancel:
        r = oms.on_cancelled(m.id, Timestamp{});
        break;
      case Message::Kind::Exec:
        r = oms.on_fill(m.fill);
        break;
    }
    ASSERT_TRUE(r.ok()) << "seed " << seed << ": " << r.error().message;
    const Order& o = *r->order;
    ASSERT_TRUE(legal(o)) << "seed " << seed << ": order " << o.id << " " << to_string(o.status) << " filled "
                          << o.filled.value() << " of " << o.qty.value();
    const bool listed = std::find(oms.open_ids().begin(), oms.open_ids().end(), o.id) != oms.open_ids().end();
    ASSERT_EQ(listed, !is_terminal(o.status)) << "seed " << seed;
    seen.ignored += r->effect == Effect::Ignore;
    if (m.kind == Message::Kind::Exec && r->effect == Effect::Transition) {
      Fill applied = m.fill;
      applied.qty = r->qty;
      ASSERT_TRUE(portfolio.apply(applied, "s").ok());
    }
  }
  const Position* p = portfolio.position(kCode);
  EXPECT_EQ(p ? p->qty.value() : 0, truth_shares) << "seed " << seed;
  std::int64_t filled = 0;
  for (OrderId id = 1; id <= static_cast<OrderId>(orders); ++id) {
    const Order& o = *oms.find(id);
    filled += o.filled.value();
    EXPECT_TRUE(is_terminal(o.status))
        << "seed " << seed << ": order " << id << " still " << to_string(o.status);
  }
  EXPECT_EQ(filled, truth_shares) << "seed " << seed;
}

void expect_covered(const Coverage& seen) {
  EXPECT_GT(seen.fills_before_ack, 0);
  EXPECT_GT(seen.fills_after_cancel, 0);
  EXPECT_GT(seen.ignored, 0);
}

TEST(OmsProperty, CumulativeReportsInAnyOrderNeverDoubleCount) {
  Coverage seen;
  for (std::uint32_t seed = 1; seed <= 500; ++seed) {
    run_seed(seed, /*cumulative=*/true, seen);
    if (HasFatalFailure()) return;
  }
  expect_covered(seen);
}

TEST(OmsProperty, FillIdsInAnyOrderNeverDoubleCount) {
  Coverage seen;
  for (std::uint32_t seed = 1; seed <= 500; ++seed) {
    run_seed(seed, /*cumulative=*/false, seen);
    if (HasFatalFailure()) return;
  }
  expect_covered(seen);
}

}  // namespace
}  // namespace dalbit::engine
