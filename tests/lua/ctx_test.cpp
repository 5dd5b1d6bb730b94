// Every ctx method against the fake engine, and the arguments it refuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::HasSubstr;

using Ctx = LuaTest;

// A strategy whose on_bar runs `body` (with `ctx` and `bar` in scope).
std::string on_bar(const std::string& body) {
  return "local S = {}\nfunction S.on_bar(ctx, bar)\n" + body + "\nend\nreturn S\n";
}

TEST_F(Ctx, BuyByQuantityAtMarketCarriesStrategyAndReason) {
  run("mom", on_bar(R"(ctx:log("id %d", ctx:buy("005930", { qty = 10, reason = "breakout" })))"));
  host->on_bar(bar("005930", 72500));
  ASSERT_EQ(api.intents.size(), 1u);
  const Intent& i = api.intents[0];
  EXPECT_EQ(i.strategy, "mom");
  EXPECT_EQ(i.reason, "breakout");
  EXPECT_EQ(i.code, code("005930"));
  EXPECT_EQ(i.side, Side::Buy);
  EXPECT_EQ(i.type, OrderType::Market);
  EXPECT_EQ(i.qty, Qty(10));
  EXPECT_EQ(i.amount, Krw(0));
  EXPECT_THAT(logs->text(), HasSubstr("[mom] id 1\n"));
}

TEST_F(Ctx, AConditionTravelsWithTheIntent) {
  run("c", on_bar(R"(ctx:buy(bar.code, { qty = 1, condition = "golden cross" }) ctx:sell(bar.code, { qty = 1 }))"));
  host->on_bar(bar("005930", 72500));
  ASSERT_EQ(api.intents.size(), 2u);
  EXPECT_EQ(api.intents[0].condition, "golden cross");
  EXPECT_EQ(api.intents[1].condition, "");
}

TEST_F(Ctx, BuyByAmountLeavesTheSizingToTheEngine) {
  run("m", on_bar(R"(ctx:buy(bar.code, { amount = 1000000, price = "market" }))"));
  host->on_bar(bar("000660", 181000));
  ASSERT_EQ(api.intents.size(), 1u);
  EXPECT_EQ(api.intents[0].amount, Krw(1'000'000));
  EXPECT_EQ(api.intents[0].qty, Qty(0));
  EXPECT_EQ(api.intents[0].code, code("000660"));
  EXPECT_EQ(api.intents[0].reason, "");
}

TEST_F(Ctx, LimitPricesLandOnTheGridInTheOrdersFavour) {
  run("lim", on_bar(R"(
ctx:buy("005930", { qty = 1, price = 72550.7 })
ctx:sell("005930", { qty = 1, price = 72550.7 })
ctx:buy("005930", { qty = 1, price = 1999 }))"));
  host->on_bar(bar("005930", 72500));
  ASSERT_EQ(api.intents.size(), 3u);
  EXPECT_EQ(api.intents[0].type, OrderType::Limit);
  EXPECT_EQ(api.intents[0].limit, Price(72500));  // a buy never pays more than asked
  EXPECT_EQ(api.intents[1].limit, Price(72600));  // a sell never takes less
  EXPECT_EQ(api.intents[2].limit, Price(1999));
}

TEST_F(Ctx, TicksCountFromTheLastPriceOnTheGrid) {
  api.last[code("005930")] = Price(72500);
  api.last[code("035720")] = Price(50100);
  run("t", on_bar(R"(
ctx:buy("005930", { qty = 1, ticks = 2 })
ctx:sell("005930", { qty = 1, ticks = -3 })
ctx:buy("035720", { qty = 1, ticks = -2 })
ctx:buy("005930", { qty = 1, ticks = 0 })
local id, why = ctx:buy("000660", { qty = 1, ticks = 1 })
ctx:log("%s %s", tostring(id), why))"));
  host->on_bar(bar("005930", 72500));
  ASSERT_EQ(api.intents.size(), 4u);
  EXPECT_EQ(api.intents[0].limit, Price(72700));
  EXPECT_EQ(api.intents[1].limit, Price(72200));
  EXPECT_EQ(api.intents[2].limit, Price(49950));  // 50,100 -> 50,000 -> 49,950 (the tick shrinks below 50,000)
  EXPECT_EQ(api.intents[3].limit, Price(72500));
  for (const auto& i : api.intents) EXPECT_EQ(i.type, OrderType::Limit);
  EXPECT_THAT(logs->text(), HasSubstr("[t] nil no last price for 000660 to count ticks from\n"));
}

TEST_F(Ctx, SellWithoutASizeSellsTheWholePosition) {
  api.held[code("005930")] = position("005930", 37, 37 * 70000);
  run("s", on_bar(R"(
ctx:sell("005930", { reason = "stop" })
ctx:log("%s %s", tostring(select(1, ctx:sell("000660"))), select(2, ctx:sell("000660"))))"));
  host->on_bar(bar("005930", 72500));
  ASSERT_EQ(api.intents.size(), 1u);
  EXPECT_EQ(api.intents[0].side, Side::Sell);
  EXPECT_EQ(api.intents[0].qty, Qty(37));
  EXPECT_EQ(api.intents[0].reason, "stop");
  EXPECT_THAT(logs->text(), HasSubstr("[s] nil no position in 000660 to sell\n"));
}

TEST_F(Ctx, AVetoReturnsNilAndTheReason) {
  api.veto = "max_open_positions reached";
  run("v", on_bar(R"(
local id, why = ctx:buy("005930", { qty = 1 })
ctx:log("%s / %s", tostring(id), why))"));
  host->on_bar(bar("005930", 72500));
  EXPECT_THAT(logs->text(), HasSubstr("[v] nil / max_open_positions reached\n"));
}

TEST_F(Ctx, CancelNamesTheStrategy) {
  run("c", on_bar(R"(
local id = ctx:buy("005930", { qty = 1 })
ctx:log("%s %s", tostring(ctx:cancel(id)), tostring(ctx:cancel(99))))"));
  host->on_bar(bar("005930", 72500));
  ASSERT_EQ(api.cancels.size(), 2u);
  EXPECT_EQ(api.cancels[0], std::make_pair(std::string("c"), OrderId{1}));
  EXPECT_EQ(api.cancels[1], std::make_pair(std::string("c"), OrderId{99}));
  EXPECT_THAT(logs->text(), HasSubstr("[c] true false\n"));
}

TEST_F(Ctx, PositionIsATableOrNil) {
  Position held = position("005930", 3, 217'600);
  held.realized = Krw(-1'500);
  held.opened = *parse_kst_timestamp("2026-01-05 09:00:00");
  api.held[code("005930")] = held;
  api.held[code("000660")] = position("000660", 0);
  run("p", on_bar(R"(
local p = ctx:position("005930")
ctx:log("%s %d %d %d %d %d", p.code, p.qty, p.avg_price, p.cost, p.realized, p.opened)
ctx:log("%s %s", tostring(ctx:position("000660")), tostring(ctx:position("035720"))))"));
  host->on_bar(bar("005930", 72500));
  EXPECT_THAT(logs->text(), HasSubstr("[p] 005930 3 72533 217600 -1500 1767571200\n"));
  EXPECT_THAT(logs->text(), HasSubstr("[p] nil nil\n"));
}

TEST_F(Ctx, CashLastAndNow) {
  api.cash_left = Krw(9'876'543);
  api.last[code("005930")] = Price(72500);
  api.clock_now = *parse_kst_timestamp("2026-01-09 14:05:07.500");
  run("n", on_bar(R"(
local now = ctx:now()
ctx:log("%d %d %s", ctx:cash(), ctx:last("005930"), tostring(ctx:last("000660")))
ctx:log("%.1f %s %s %d %d", now.epoch, now.date, now.time, now.hhmm, now.weekday))"));
  host->on_bar(bar("005930", 72500));
  EXPECT_THAT(logs->text(), HasSubstr("[n] 9876543 72500 nil\n"));
  EXPECT_THAT(logs->text(), HasSubstr("[n] 1767935107.5 2026-01-09 14:05:07 1405 5\n"));
}

TEST_F(Ctx, LogAndPrintAreTaggedWithTheStrategy) {
  run("chatty", on_bar(R"(
ctx:log("close=%d code=%s", bar.close, bar.code)
print("printed", 1, true, nil))"));
  host->on_bar(bar("005930", 72500));
  EXPECT_THAT(logs->text(), HasSubstr("[chatty] close=72500 code=005930\n"));
  EXPECT_THAT(logs->text(), HasSubstr("[chatty] printed\t1\ttrue\tnil\n"));
}

TEST_F(Ctx, AnEngineExceptionBecomesALuaError) {
  api.throw_on_submit = true;
  run("x", on_bar(R"(ctx:buy("005930", { qty = 1 }))"));
  host->on_bar(bar("005930", 72500));
  EXPECT_EQ(host->errors("x"), 1u);
  EXPECT_TRUE(host->enabled("x"));
  EXPECT_THAT(host->last_error("x"), HasSubstr(":3: ctx:buy: engine error: broker table corrupted"));
}

struct BadCall {
  std::string call;
  std::string message;
};

class CtxBadArguments : public LuaTest, public ::testing::WithParamInterface<BadCall> {};

TEST_P(CtxBadArguments, RaiseAClearErrorAtTheCallersLine) {
  api.held[code("005930")] = position("005930", 5);
  run("bad", on_bar(GetParam().call));
  host->on_bar(bar("005930", 72500));
  EXPECT_TRUE(api.intents.empty());
  EXPECT_EQ(host->errors("bad"), 1u);
  EXPECT_TRUE(host->enabled("bad"));
  EXPECT_EQ(host->last_error("bad"), "on_bar: " + dir.script("bad") + ":3: " + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Ctx, CtxBadArguments,
    ::testing::Values(
        BadCall{R"(ctx:buy("5930", { qty = 1 }))",
                R"(ctx:buy: code must be a 6-character KRX code such as "005930", got "5930")"},
        BadCall{R"(ctx:buy(5930, { qty = 1 }))",
                R"(ctx:buy: code must be a 6-character KRX code such as "005930", got 5930)"},
        BadCall{R"(ctx:sell("005930x", {}))",
                R"(ctx:sell: code must be a 6-character KRX code such as "005930", got "005930x")"},
        BadCall{R"(ctx:buy("005930", { qty = -1 }))",
                "ctx:buy: opts.qty must be a positive whole number of shares, got -1"},
        BadCall{R"(ctx:buy("005930", { qty = 0 }))",
                "ctx:buy: opts.qty must be a positive whole number of shares, got 0"},
        BadCall{R"(ctx:buy("005930", { qty = 1.5 }))",
                "ctx:buy: opts.qty must be a positive whole number of shares, got 1.5"},
        BadCall{R"(ctx:buy("005930", { qty = "10" }))",
                R"(ctx:buy: opts.qty must be a positive whole number of shares, got "10")"},
        BadCall{R"(ctx:buy("005930", { qty = 0/0 }))",
                "ctx:buy: opts.qty must be a positive whole number of shares, got nan"},
        BadCall{R"(ctx:buy("005930", { qty = 1, amount = 100000 }))",
                "ctx:buy: give opts.qty or opts.amount, not both"},
        BadCall{R"(ctx:buy("005930", { amount = 100000.5 }))",
                "ctx:buy: opts.amount must be a positive whole number of won (math.floor it), got 100000.5"},
        BadCall{R"(ctx:buy("005930", { qty = 1, price = "limit" }))",
                R"(ctx:buy: opts.price must be "market" or a limit price in won, got "limit")"},
        BadCall{R"(ctx:buy("005930", { qty = 1, price = 0 }))",
                R"(ctx:buy: opts.price must be "market" or a limit price in won, got 0)"},
        BadCall{R"(ctx:buy("005930", { qty = 1, price = 1/0 }))",
                R"(ctx:buy: opts.price must be "market" or a limit price in won, got inf)"},
        BadCall{R"(ctx:buy("005930", { qty = 1, price = 72500, ticks = 1 }))",
                "ctx:buy: give opts.price or opts.ticks, not both"},
        BadCall{R"(ctx:buy("005930", { qty = 1, ticks = 1.5 }))",
                "ctx:buy: opts.ticks must be a whole number of ticks from the last price, between -1000 "
                "and 1000, got 1.5"},
        BadCall{R"(ctx:buy("005930", { qty = 1, ticks = 1e9 }))",
                "ctx:buy: opts.ticks must be a whole number of ticks from the last price, between -1000 "
                "and 1000, got 1000000000"},
        BadCall{R"(ctx:buy("005930", { qty = 1, reason = 5 }))", "ctx:buy: opts.reason must be a string, got 5"},
        BadCall{R"(ctx:buy("005930", { qty = 1, condition = "" }))",
                R"(ctx:buy: opts.condition must be the formula's name, a non-empty string, got "")"},
        BadCall{R"(ctx:buy("005930", { quantity = 1 }))",
                "ctx:buy: unknown option 'quantity' (known: qty, amount, price, ticks, reason, condition)"},
        BadCall{R"(ctx:buy("005930", { 1 }))", "ctx:buy: option names must be strings, got 1"},
        BadCall{R"(ctx:buy("005930", 10))", "ctx:buy: opts must be a table such as { qty = 10 }, got 10"},
        BadCall{R"(ctx:buy("005930"))", "ctx:buy: give opts.qty (shares) or opts.amount (won)"},
        BadCall{R"(ctx.buy("005930", { qty = 1 }))", "ctx:buy: call it with a colon: ctx:buy(...)"},
        BadCall{R"(ctx:sell("005930", { qty = 2.5 }))",
                "ctx:sell: opts.qty must be a positive whole number of shares, got 2.5"},
        BadCall{R"(ctx:cancel(-1))", "ctx:cancel: order_id must be an id returned by ctx:buy or ctx:sell, got -1"},
        BadCall{R"(ctx:cancel("7"))",
                R"(ctx:cancel: order_id must be an id returned by ctx:buy or ctx:sell, got "7")"},
        BadCall{R"(ctx:position(nil))",
                R"(ctx:position: code must be a 6-character KRX code such as "005930", got nil)"},
        BadCall{R"(ctx:last("0059300000000000000000000000000000000000000000000"))",
                R"(ctx:last: code must be a 6-character KRX code such as "005930", got )"
                R"("0059300000000000000000000000000000000000...")"},
        BadCall{R"(ctx:log())", "ctx:log: needs a format string (as string.format), got nil"},
        BadCall{R"(ctx:log("%d", "x"))", "ctx:log: bad argument #2 to 'format' (number expected, got string)"}));

}  // namespace
}  // namespace dalbit::lua::testing
