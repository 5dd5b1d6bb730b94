// The ctx methods that read the account (positions, open orders, today's
// sells), modify orders and notify the user.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using Api = LuaTest;

std::string on_bar(const std::string& body) {
  return "local S = {}\nfunction S.on_bar(ctx, bar)\n" + body + "\nend\nreturn S\n";
}

Order open_order(OrderId id, std::string_view strategy, std::string_view stock, Side side, std::int64_t limit,
                 std::int64_t qty, std::int64_t filled = 0) {
  Order o = order(id, strategy, stock);
  o.side = side;
  o.type = limit > 0 ? OrderType::Limit : OrderType::Market;
  o.limit = Price(limit);
  o.qty = Qty(qty);
  o.filled = Qty(filled);
  o.status = filled > 0 ? OrderStatus::PartiallyFilled : OrderStatus::Accepted;
  o.reason = "entry";
  return o;
}

TEST_F(Api, PositionsListsEveryHoldingByCode) {
  api.held[code("005930")] = position("005930", 10, 725'000);
  api.held[code("000660")] = position("000660", 3, 543'000);
  run("p", on_bar(R"(
local all = ctx:positions()
for i, p in ipairs(all) do ctx:log("%d %s %d %d %d", i, p.code, p.qty, p.avg_price, p.cost) end
ctx:log("n %d", #all))"));
  host->on_bar(bar("005930", 72500));
  EXPECT_THAT(logs->text(), HasSubstr("[p] 1 000660 3 181000 543000\n[p] 2 005930 10 72500 725000\n[p] n 2\n"));
}

TEST_F(Api, PositionsIsEmptyWhenFlat) {
  run("p", on_bar(R"(ctx:log("n %d", #ctx:positions()))"));
  host->on_bar(bar("005930", 72500));
  EXPECT_THAT(logs->text(), HasSubstr("[p] n 0\n"));
}

TEST_F(Api, OpenOrdersAreThisStrategysOwnOptionallyForOneCode) {
  api.orders = {open_order(7, "o", "005930", Side::Buy, 72'000, 10, 4),
                open_order(8, "other", "005930", Side::Sell, 0, 5),
                open_order(9, "o", "000660", Side::Sell, 0, 2)};
  run("o", on_bar(R"(
for _, o in ipairs(ctx:open_orders()) do
  ctx:log("%d %s %s %s %d %d %d %s %s", o.id, o.code, o.side, o.type, o.limit, o.qty, o.filled, o.status, o.reason)
end
ctx:log("for 000660: %d, for 035720: %d", #ctx:open_orders("000660"), #ctx:open_orders("035720")))"));
  host->on_bar(bar("005930", 72500));
  EXPECT_THAT(logs->text(), HasSubstr("[o] 7 005930 buy limit 72000 10 4 partially_filled entry\n"
                                      "[o] 9 000660 sell market 0 2 0 accepted entry\n"
                                      "[o] for 000660: 1, for 035720: 0\n"));
}

TEST_F(Api, TodaysSellsAreEveryStrategysOptionallyForOneCode) {
  const Timestamp t = *parse_kst_timestamp("2026-01-05 10:15:00");
  api.sells = {{code("005930"), t, Qty(10), Price(73'000), Krw(4'321), "mom"},
               {code("000660"), t, Qty(2), Price(181'000), Krw(-900), "other"}};
  run("s", on_bar(R"(
for _, s in ipairs(ctx:todays_sells()) do
  ctx:log("%s %d %d %d %d %s", s.code, s.time, s.qty, s.price, s.realized, s.strategy)
end
ctx:log("005930: %d", #ctx:todays_sells("005930")))"));
  host->on_bar(bar("005930", 72500));
  EXPECT_THAT(logs->text(), HasSubstr("[s] 005930 1767575700 10 73000 4321 mom\n"
                                      "[s] 000660 1767575700 2 181000 -900 other\n[s] 005930: 1\n"));
}

TEST_F(Api, ModifyPutsTheNewLimitOnTheGridForTheOrdersSide) {
  api.orders = {open_order(3, "m", "005930", Side::Buy, 72'000, 10),
                open_order(4, "m", "005930", Side::Sell, 74'000, 10)};
  api.next_id = 20;
  run("m", on_bar(R"(
local ok, id = ctx:modify(3, { price = 72550.7 })
ctx:log("%s %s", tostring(ok), tostring(id))
ctx:modify(4, { price = 72550.7, qty = 6 }))"));
  host->on_bar(bar("005930", 72500));
  ASSERT_EQ(api.modifies.size(), 2u);
  EXPECT_EQ(api.modifies[0].strategy, "m");
  EXPECT_EQ(api.modifies[0].id, 3u);
  EXPECT_EQ(api.modifies[0].limit, Price(72'500));  // a buy never pays more than asked
  EXPECT_EQ(api.modifies[0].qty, std::nullopt);
  EXPECT_EQ(api.modifies[1].limit, Price(72'600));  // a sell never takes less
  EXPECT_EQ(api.modifies[1].qty, Qty(6));
  EXPECT_THAT(logs->text(), HasSubstr("[m] true 20\n"));
}

TEST_F(Api, ModifyByTicksCountsFromTheLastPrice) {
  api.orders = {open_order(3, "m", "005930", Side::Buy, 72'000, 10)};
  api.last[code("005930")] = Price(72'500);
  run("m", on_bar(R"(ctx:modify(3, { ticks = -2 }))"));
  host->on_bar(bar("005930", 72500));
  ASSERT_EQ(api.modifies.size(), 1u);
  EXPECT_EQ(api.modifies[0].limit, Price(72'300));
}

TEST_F(Api, ModifyOfAnOrderThatIsNotOursIsFalseWithTheReason) {
  api.orders = {open_order(8, "other", "005930", Side::Buy, 72'000, 5)};
  run("m", on_bar(R"(
ctx:log("%s %s", tostring(ctx:modify(8, { qty = 1 })), select(2, ctx:modify(8, { qty = 1 })))
ctx:log("%s", select(2, ctx:modify(99, { price = 70000 }))))"));
  host->on_bar(bar("005930", 72500));
  EXPECT_THAT(api.modifies, IsEmpty());
  EXPECT_THAT(logs->text(), HasSubstr("[m] false order 8 is not an open order of m\n"
                                      "[m] order 99 is not an open order of m\n"));
}

TEST_F(Api, ModifyRefusedByTheEngineIsFalseWithItsReason) {
  api.orders = {open_order(3, "m", "005930", Side::Buy, 72'000, 10)};
  api.modify_veto = "max_order_value exceeded";
  run("m", on_bar(R"(
local ok, why = ctx:modify(3, { qty = 100 })
ctx:log("%s %s", tostring(ok), why))"));
  host->on_bar(bar("005930", 72500));
  EXPECT_THAT(logs->text(), HasSubstr("[m] false max_order_value exceeded\n"));
}

TEST_F(Api, ModifyWithTicksButNoLastPriceIsFalse) {
  api.orders = {open_order(3, "m", "005930", Side::Buy, 72'000, 10)};
  run("m", on_bar(R"(
local ok, why = ctx:modify(3, { ticks = 1 })
ctx:log("%s %s", tostring(ok), why))"));
  host->on_bar(bar("005930", 72500));
  EXPECT_THAT(api.modifies, IsEmpty());
  EXPECT_THAT(logs->text(), HasSubstr("[m] false no last price for 005930 to count ticks from\n"));
}

struct BadModify {
  std::string call;
  std::string message;
};

class ModifyRefuses : public LuaTest, public ::testing::WithParamInterface<BadModify> {};

TEST_P(ModifyRefuses, BadArgumentsAtTheScriptsLine) {
  api.orders = {open_order(3, "m", "005930", Side::Buy, 72'000, 10)};
  run("m", on_bar(GetParam().call));
  host->on_bar(bar("005930", 72500));
  EXPECT_EQ(host->last_error("m"), "on_bar: " + dir.script("m") + ":3: ctx:modify: " + GetParam().message);
  EXPECT_THAT(api.modifies, IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(
    Api, ModifyRefuses,
    ::testing::Values(
        BadModify{"ctx:modify(3)", "opts must be a table such as { price = 72500 } or { qty = 5 }, got nil"},
        BadModify{"ctx:modify(3, {})", "give a new price, ticks or qty"},
        BadModify{R"(ctx:modify(3, { price = "market" }))",
                  "opts.price must be a limit price in won, got \"market\""},
        BadModify{"ctx:modify(3, { price = 72000, ticks = 1 })", "give opts.price or opts.ticks, not both"},
        BadModify{"ctx:modify(3, { qty = 1.5 })", "opts.qty must be a positive whole number of shares, got 1.5"},
        BadModify{"ctx:modify(3, { amount = 100 })", "unknown option 'amount' (known: price, ticks, qty)"},
        BadModify{"ctx:modify(0, { qty = 1 })", "order_id must be an id returned by ctx:buy or ctx:sell, got 0"}));

TEST_F(Api, NotifyReachesTheEngineAndTheLog) {
  run("n", on_bar(R"(
ctx:notify("up 5% on " .. bar.code)
ctx:notify("%s at %d", bar.code, bar.close))"));
  host->on_bar(bar("005930", 72500));
  EXPECT_THAT(api.notifications, ElementsAre("n: up 5% on 005930", "n: 005930 at 72500"));
  EXPECT_THAT(logs->text(), HasSubstr("[n] notify: up 5% on 005930\n[n] notify: 005930 at 72500\n"));
}

TEST_F(Api, NotifyCutsAVeryLongText) {
  run("n", on_bar(R"(ctx:notify(string.rep("x", 5000)))"));
  host->on_bar(bar("005930", 72500));
  ASSERT_EQ(api.notifications.size(), 1u);
  EXPECT_EQ(api.notifications[0], "n: " + std::string(4000, 'x') + "...");
}

TEST_F(Api, NotifyNeedsAText) {
  run("n", on_bar("ctx:notify(42)"));
  host->on_bar(bar("005930", 72500));
  EXPECT_THAT(host->last_error("n"), HasSubstr(":3: ctx:notify: needs a text, got 42"));
  EXPECT_THAT(api.notifications, IsEmpty());
}

}  // namespace
}  // namespace dalbit::lua::testing
