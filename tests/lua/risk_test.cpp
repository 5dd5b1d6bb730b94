// Risk scripts: R.check(ctx, intent) may allow, veto or shrink an intent,
// never enlarge or change it. A broken script (an error, an answer that cannot
// be honoured, disabled) refuses buys and lets sells through.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class Risk : public LuaTest {
 protected:
  // Loads the risk script `name` made of `text` (and no strategy) and starts it.
  Host& risk(const std::string& name, const std::string& text,
             const std::map<std::string, config::Params>& params = {}) {
    dir.write(name, text);
    host = std::make_unique<Host>(api, options);
    const Status status = host->load_risk({name}, params);
    EXPECT_TRUE(status.ok()) << status.message();
    host->on_init();
    return *host;
  }
  static Intent buy(std::int64_t qty, std::int64_t amount = 0) {
    Intent i;
    i.strategy = "mom";
    i.reason = "breakout";
    i.code = code("005930");
    i.side = Side::Buy;
    i.qty = Qty(qty);
    i.amount = Krw(amount);
    return i;
  }
  static Intent sell(std::int64_t qty) {
    Intent i = buy(qty);
    i.side = Side::Sell;
    i.reason = "stop";
    return i;
  }
  // A sell passes a broken script as it stands, and the next script still judges it.
  void expect_the_sell_passes(std::int64_t qty) {
    const RiskVerdict v = host->check_risk(sell(qty));
    EXPECT_TRUE(v.allowed) << v.reason;
    EXPECT_EQ(v.qty, Qty(qty));
    EXPECT_EQ(v.reason, "");
    EXPECT_THAT(logs->text(), HasSubstr("but mom's sell of 005930 passes (a broken risk script never blocks an exit): "));
  }
};

// R.check returns what `answer` is (a Lua expression).
std::string answering(const std::string& answer) {
  return "local R = {}\nfunction R.check(ctx, intent)\n  return " + answer + "\nend\nreturn R\n";
}

TEST_F(Risk, TrueOrNothingAllowsTheIntentUnchanged) {
  dir.write("yes", answering("true"));
  dir.write("quiet", "return { check = function(ctx, intent) end }\n");
  host = std::make_unique<Host>(api, options);
  ASSERT_TRUE(host->load_risk({"yes", "quiet"}, {}).ok());
  EXPECT_THAT(host->risk_names(), ElementsAre("risk/yes", "risk/quiet"));
  const RiskVerdict v = host->check_risk(buy(10));
  EXPECT_TRUE(v.allowed);
  EXPECT_EQ(v.qty, Qty(10));
  EXPECT_EQ(v.amount, Krw(0));
  EXPECT_EQ(v.reason, "");
}

TEST_F(Risk, FalseVetoesWithTheScriptsReason) {
  risk("rebuy", answering(R"(false, "rebought 005930 within 30 min")"));
  const RiskVerdict v = host->check_risk(buy(10));
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.reason, "risk/rebuy: rebought 005930 within 30 min");
  EXPECT_THAT(logs->text(), HasSubstr("[risk/rebuy] vetoed mom buy 005930: risk/rebuy: rebought"));
}

TEST_F(Risk, FalseAloneVetoesToo) {
  risk("no", answering("false"));
  EXPECT_EQ(host->check_risk(buy(10)).reason, "risk/no: vetoed");
}

TEST_F(Risk, CheckSeesTheWholeIntent) {
  risk("see", R"(
return { check = function(ctx, i)
  ctx:log("%s %s %s %s %s %s %s %s %s", i.strategy, i.code, i.side, i.type, tostring(i.price), tostring(i.qty),
          tostring(i.amount), i.reason, tostring(i.condition))
end }
)");
  (void)host->check_risk(buy(10));
  Intent limit = buy(0, 1'000'000);
  limit.type = OrderType::Limit;
  limit.limit = Price(72'500);
  limit.condition = "golden";
  (void)host->check_risk(limit);
  EXPECT_THAT(logs->text(), HasSubstr("[risk/see] mom 005930 buy market nil 10 nil breakout nil\n"
                                      "[risk/see] mom 005930 buy limit 72500 nil 1000000 breakout golden\n"));
}

TEST_F(Risk, AShrinkCarriesToTheNextScript) {
  dir.write("half", "return { check = function(ctx, i) return { qty = math.floor(i.qty / 2), reason = 'half' } end }\n");
  dir.write("see", "return { check = function(ctx, i) ctx:log('sees %d', i.qty) end }\n");
  host = std::make_unique<Host>(api, options);
  ASSERT_TRUE(host->load_risk({"half", "see"}, {}).ok());
  const RiskVerdict v = host->check_risk(buy(9));
  EXPECT_TRUE(v.allowed);
  EXPECT_EQ(v.qty, Qty(4));
  EXPECT_THAT(logs->text(), HasSubstr("[risk/half] shrank mom's buy 005930 to 4 shares: half\n[risk/see] sees 4\n"));
}

TEST_F(Risk, AnAmountShrinksByAmount) {
  risk("cap", answering("{ amount = 300000 }"));
  const RiskVerdict v = host->check_risk(buy(0, 1'000'000));
  EXPECT_TRUE(v.allowed);
  EXPECT_EQ(v.amount, Krw(300'000));
  EXPECT_EQ(v.qty, Qty(0));
}

TEST_F(Risk, ASellOfTheWholePositionShrinksUpToTheSharesHeld) {
  api.held[code("005930")] = position("005930", 10);
  risk("part", "return { check = function(ctx, i) return { qty = i.side == 'sell' and 3 or 11 } end }\n");
  Intent sell_all = buy(0);
  sell_all.side = Side::Sell;
  const RiskVerdict v = host->check_risk(sell_all);
  EXPECT_TRUE(v.allowed);
  EXPECT_EQ(v.qty, Qty(3));
  // More than held is an invalid answer: the sell passes unshrunk (a broken script never blocks an exit).
  dir.write("part", "return { check = function(ctx, i) return { qty = 11 } end }\n");
  ASSERT_TRUE(host->reload("risk/part").ok());
  const RiskVerdict unshrunk = host->check_risk(sell_all);
  EXPECT_TRUE(unshrunk.allowed);
  EXPECT_EQ(unshrunk.qty, Qty(0));
  EXPECT_EQ(host->errors("risk/part"), 1u);
}

struct BadAnswer {
  std::string answer;
  std::int64_t qty;
  std::int64_t amount;
  std::string problem;
};

class RiskFailsClosed : public Risk, public ::testing::WithParamInterface<BadAnswer> {};

TEST_P(RiskFailsClosed, OnAnAnswerItCannotHonour) {
  risk("bad", answering(GetParam().answer));
  const RiskVerdict v = host->check_risk(buy(GetParam().qty, GetParam().amount));
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.reason, "risk/bad: invalid answer, so the buy is refused: " + GetParam().problem);
  EXPECT_EQ(host->errors("risk/bad"), 1u);
  EXPECT_THAT(host->last_error("risk/bad"), HasSubstr("check: " + dir.script("bad") + ": " + GetParam().problem));
  EXPECT_THAT(logs->text(), HasSubstr("(error #1) on the buy of mom on 005930"));
}

INSTANTIATE_TEST_SUITE_P(
    Risk, RiskFailsClosed,
    ::testing::Values(
        BadAnswer{"{ qty = 20 }", 10, 0, "check may only shrink qty to a whole number from 1 to 10, got 20"},
        BadAnswer{"{ qty = 0 }", 10, 0, "check may only shrink qty to a whole number from 1 to 10, got 0"},
        BadAnswer{"{ qty = 2.5 }", 10, 0, "check may only shrink qty to a whole number from 1 to 10, got 2.5"},
        BadAnswer{"{ amount = 2000000 }", 0, 1'000'000,
                  "check may only shrink amount to a whole number from 1 to 1000000, got 2000000"},
        BadAnswer{"{ amount = 100 }", 10, 0, "check returned { amount = ... } for an intent sized by qty; shrink its qty"},
        BadAnswer{"{ qty = 1 }", 0, 1'000'000,
                  "check returned { qty = ... } for an intent sized by amount; shrink its amount"},
        BadAnswer{R"({ qty = 5, code = "000660" })", 10, 0,
                  "check may only shrink qty or amount, but its table sets 'code' to a string"},
        BadAnswer{"{ price = 70000 }", 10, 0,
                  "check may only shrink qty or amount, but its table sets 'price' to a number"},
        BadAnswer{"{ qty = 1, amount = 1 }", 10, 0, "check's table must set exactly one of qty or amount"},
        BadAnswer{"{}", 10, 0, "check's table must set exactly one of qty or amount"},
        BadAnswer{R"("yes")", 10, 0,
                  "check returned a string; return true, false and a reason, or { qty = ... } / "
                  "{ amount = ... } to shrink"}));

TEST_F(Risk, AnErrorInCheckRefusesABuy) {
  risk("boom", "return { check = function(ctx, i)\n  error('boom')\nend }\n");
  const RiskVerdict v = host->check_risk(buy(10));
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.reason, "risk/boom: failed, so the buy is refused: check: " + dir.script("boom") + ":2: boom");
}

TEST_F(Risk, AnErrorInCheckLetsASellThrough) {
  risk("boom", "return { check = function(ctx, i)\n  error('boom')\nend }\n");
  expect_the_sell_passes(10);
  EXPECT_EQ(host->errors("risk/boom"), 1u);
  EXPECT_THAT(logs->text(), HasSubstr("[risk/boom] failed, but mom's sell of 005930 passes (a broken risk script "
                                      "never blocks an exit): check: " + dir.script("boom") + ":2: boom"));
}

TEST_P(RiskFailsClosed, ButLetsASellThroughUnshrunk) {
  // The same answers to a sell of the same qty: the sell keeps its size.
  if (GetParam().amount > 0) GTEST_SKIP() << "sells are sized by qty (or sell the whole position)";
  api.held[code("005930")] = position("005930", 10);
  risk("bad", answering(GetParam().answer));
  expect_the_sell_passes(GetParam().qty);
  EXPECT_EQ(host->errors("risk/bad"), 1u);
}

TEST_F(Risk, ABrokenScriptDoesNotSpareTheSellFromTheNextScript) {
  dir.write("boom", "return { check = function() error('boom') end }\n");
  dir.write("no_sells", answering(R"(intent.side ~= "sell", "no sells today")"));
  host = std::make_unique<Host>(api, options);
  ASSERT_TRUE(host->load_risk({"boom", "no_sells"}, {}).ok());
  const RiskVerdict v = host->check_risk(sell(10));
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.reason, "risk/no_sells: no sells today");
}

TEST_F(Risk, ADisabledRiskScriptRefusesBuysAndLetsSellsThrough) {
  options.call_budget = std::chrono::milliseconds(20);
  risk("loop", "return { check = function(ctx, i) while true do end end }\n");
  EXPECT_FALSE(host->check_risk(buy(10)).allowed);
  EXPECT_FALSE(host->enabled("risk/loop"));
  const RiskVerdict v = host->check_risk(buy(1));
  EXPECT_FALSE(v.allowed);
  EXPECT_THAT(v.reason, HasSubstr("risk/loop: disabled until it is reloaded, so the buy is refused: check: "));
  EXPECT_THAT(v.reason, HasSubstr("call budget of 20 ms exceeded"));
  expect_the_sell_passes(5);
  expect_the_sell_passes(0);  // the whole position
  EXPECT_EQ(host->errors("risk/loop"), 1u);
}

TEST_F(Risk, ARiskScriptWhoseOnInitFailsRefusesBuysAndLetsSellsThrough) {
  risk("init", "return { on_init = function(ctx)\n  error('no table')\nend, check = function() return true end }\n");
  EXPECT_FALSE(host->enabled("risk/init"));
  EXPECT_THAT(host->check_risk(buy(1)).reason,
              HasSubstr("risk/init: disabled until it is reloaded, so the buy is refused: on_init: " +
                        dir.script("init") + ":2: no table"));
  expect_the_sell_passes(3);
}

TEST_F(Risk, TheRiskCtxOnlyReads) {
  api.held[code("005930")] = position("005930", 10, 725'000);
  api.orders = {order(4, "other"), order(5, "mom")};
  api.sells = {{code("000660"), Timestamp{}, Qty(1), Price(181'000), Krw(10), "other"}};
  risk("ro", R"(
return { check = function(ctx, i)
  ctx:log("%d %d %d %d %d %s", ctx:position("005930").qty, #ctx:positions(), ctx:cash(), #ctx:open_orders(),
          #ctx:todays_sells(), tostring(ctx.buy))
  for _, m in ipairs({ "sell", "modify", "cancel", "subscribe", "every", "notify", "watch", "indicator" }) do
    if ctx[m] ~= nil then ctx:log("has %s", m) end
  end
  ctx:buy("005930", { qty = 1 })
end }
)");
  const RiskVerdict v = host->check_risk(buy(10));
  EXPECT_THAT(logs->text(), HasSubstr("[risk/ro] 10 1 10000000 2 1 nil\n"));
  EXPECT_THAT(logs->text(), ::testing::Not(HasSubstr("has ")));
  EXPECT_FALSE(v.allowed);
  EXPECT_THAT(v.reason, HasSubstr("attempt to call method 'buy' (a nil value)"));
  EXPECT_TRUE(api.intents.empty());
}

TEST_F(Risk, ParamsComeFromTheConfig) {
  risk("limit", R"(
local R = { params = { max_qty = 5 } }
function R.check(ctx, i) if i.qty > ctx.params.max_qty then return { qty = ctx.params.max_qty } end end
return R
)",
       {{"limit", {{"max_qty", std::int64_t{3}}}}});
  EXPECT_EQ(host->check_risk(buy(10)).qty, Qty(3));
}

TEST_F(Risk, ARiskScriptMustDefineCheck) {
  dir.write("none", "return { on_init = function(ctx) end }\n");
  host = std::make_unique<Host>(api, options);
  const Status status = host->load_risk({"none"}, {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "risk script 'risk/none': " + dir.script("none") + ": a risk script must define R.check(ctx, intent)");
}

TEST_F(Risk, EventCallbacksOfARiskScriptAreNeverCalled) {
  risk("ev", "return { check = function() end, on_bar = function(ctx) ctx:log('bar!') end }\n");
  host->on_bar(bar("005930", 100));
  EXPECT_THAT(logs->text(), HasSubstr(dir.script("ev") + ": R.on_bar is never called: a risk script gets no events"));
  EXPECT_THAT(logs->text(), ::testing::Not(HasSubstr("bar!")));
}

TEST_F(Risk, ReloadsByItsRiskName) {
  risk("r", answering("true"));
  dir.write("r", answering(R"(false, "v2")"));
  ASSERT_TRUE(host->reload("risk/r").ok());
  EXPECT_EQ(host->check_risk(buy(1)).reason, "risk/r: v2");
  EXPECT_FALSE(host->reload("r").ok());
}

TEST_F(Risk, AStrategyAndARiskScriptMayShareAName) {
  dir.write("rebuy", answering("true"));
  host = std::make_unique<Host>(api, options);
  ASSERT_TRUE(host->load({"rebuy"}, {}).ok());
  ASSERT_TRUE(host->load_risk({"rebuy"}, {}).ok());
  EXPECT_THAT(host->names(), ElementsAre("rebuy"));
  EXPECT_THAT(host->risk_names(), ElementsAre("risk/rebuy"));
}

}  // namespace
}  // namespace dalbit::lua::testing
