// Loading strategies, params, event delivery and error reporting.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

using HostLoad = LuaTest;
using HostParams = LuaTest;
using HostEvents = LuaTest;
using HostErrors = LuaTest;

constexpr const char* kRecorder = R"(
local S = { name = "recorder" }
function S.on_init(ctx) ctx:log("init") end
function S.on_bar(ctx, b)
  ctx:log("bar %s %d %s %d %d %d %d %d %d %d", b.code, b.time, b.date, b.hhmm,
          b.open, b.high, b.low, b.close, b.volume, b.minutes)
end
function S.on_tick(ctx, t)
  ctx:log("tick %s %d %d %.3f %s %d", t.code, t.price, t.volume, t.time, t.date, t.hhmm)
end
function S.on_order(ctx, o)
  ctx:log("order %d %s %s %s %d %s %d %d %s", o.id, o.code, o.side, o.type, o.limit, o.status,
          o.qty, o.filled, o.reason)
end
function S.on_fill(ctx, f)
  ctx:log("fill %d %s %s %d %d %d %d %d", f.order_id, f.code, f.side, f.price, f.qty, f.commission,
          f.tax, f.time)
end
return S
)";

TEST_F(HostLoad, DeliversEveryCallbackWithItsFields) {
  dir.write("recorder", kRecorder);
  Host& h = load({"recorder"});
  EXPECT_THAT(h.names(), ElementsAre("recorder"));
  EXPECT_TRUE(h.enabled("recorder"));
  EXPECT_TRUE(h.wants_ticks());

  h.on_init();
  h.on_bar(bar("005930", 72500, "2026-01-05 09:01:00"));
  h.on_tick(tick("000660", 181000, "2026-01-05 15:19:59.250"));
  Order o = order(42, "recorder");
  o.side = Side::Sell;
  o.type = OrderType::Limit;
  o.limit = Price(73000);
  o.qty = Qty(10);
  o.filled = Qty(4);
  o.status = OrderStatus::PartiallyFilled;
  o.reason = "take profit";
  h.on_order(o);
  Fill f = fill(42);
  f.side = Side::Sell;
  f.price = Price(73000);
  f.qty = Qty(4);
  f.commission = Krw(40);
  f.tax = Krw(584);
  f.time = *parse_kst_timestamp("2026-01-05 09:02:00");
  h.on_fill(f, o);

  EXPECT_EQ(logs->text(),
            "[recorder] loaded (on_init, on_tick, on_bar, on_order, on_fill)\n"
            "[recorder] init\n"
            "[recorder] bar 005930 1767571260 2026-01-05 901 72400 72700 72200 72500 1234 1\n"
            "[recorder] tick 000660 181000 7 1767593999.250 2026-01-05 1519\n"
            "[recorder] order 42 005930 sell limit 73000 partially_filled 10 4 take profit\n"
            "[recorder] fill 42 005930 sell 73000 4 40 584 1767571320\n");
  EXPECT_EQ(h.errors("recorder"), 0u);
}

TEST_F(HostLoad, MissingFileIsNamed) {
  const Status status = try_load({"nowhere"});
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("strategy 'nowhere': cannot read " + dir.script("nowhere")));
  EXPECT_THAT(status.message(), HasSubstr("No such file"));
}

TEST_F(HostLoad, SyntaxErrorNamesScriptAndLine) {
  dir.write("broken", "local S = {}\nfunction S.on_bar(ctx, bar)\n  local x = = 1\nend\nreturn S\n");
  dir.write("unclosed", "local S = {}\nfunction S.on_bar(ctx, bar)\n  if bar.close > 1 then\nend\nreturn S\n");
  const Status status = try_load({"broken", "unclosed"});
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(),
              HasSubstr("strategy 'broken': " + dir.script("broken") + ":3: unexpected symbol near '='"));
  EXPECT_THAT(status.message(), HasSubstr("strategy 'unclosed': " + dir.script("unclosed") +
                                          ":6: 'end' expected (to close 'function' at line 2)"));
}

TEST_F(HostLoad, RuntimeErrorInTheChunkNamesScriptAndLine) {
  dir.write("chunk", "local S = {}\nlocal x = nil\nlocal y = x.field\nreturn S\n");
  const Status status = try_load({"chunk"});
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(dir.script("chunk") + ":3: attempt to index local 'x'"));
}

TEST_F(HostLoad, ScriptMustReturnATableOfFunctions) {
  dir.write("noreturn", "local S = {}\n");
  dir.write("notfn", "return { on_bar = 5 }\n");
  const Status status = try_load({"noreturn", "notfn"});
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("strategy 'noreturn': " + dir.script("noreturn") +
                                          ": the script must end with `return S`"));
  EXPECT_THAT(status.message(), HasSubstr("strategy 'notfn': " + dir.script("notfn") +
                                          ": S.on_bar must be a function, got number"));
}

TEST_F(HostLoad, BytecodeIsRefused) {
  dir.write("binary", std::string("\x1bLJ\x02\x00\x05hello", 11));
  const Status status = try_load({"binary"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "strategy 'binary': " + dir.script("binary") +
                                  ": is precompiled bytecode; dalbit loads Lua source text only");
}

TEST_F(HostLoad, AllOrNothing) {
  dir.write("good", "return {}\n");
  const Status status = try_load({"good", "missing"});
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(host->names(), IsEmpty());
  EXPECT_FALSE(host->enabled("good"));
}

TEST_F(HostLoad, NamesAreFileNamesAndUnique) {
  dir.write("a", "return {}\n");
  const Status status = try_load({"../a", "a/b", "", "a", "a"});
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("strategy '../a': a strategy name is letters"));
  EXPECT_THAT(status.message(), HasSubstr("strategy 'a/b': a strategy name is letters"));
  EXPECT_THAT(status.message(), HasSubstr("strategy '': a strategy name is letters"));
  EXPECT_THAT(status.message(), HasSubstr("strategy 'a': loaded twice"));

  ASSERT_TRUE(host->load({"a"}, {}).ok());
  const Status again = host->load({"a"}, {});
  EXPECT_THAT(again.message(), HasSubstr("strategy 'a': loaded twice"));
}

TEST_F(HostLoad, WarnsAboutMisspeltCallbacksAndANameThatIsNotTheFile) {
  dir.write("typo", "return { name = 'other', on_bars = function() end }\n");
  load({"typo"});
  EXPECT_THAT(logs->text(), HasSubstr("S.on_bars is not a callback dalbit calls"));
  EXPECT_THAT(logs->text(), HasSubstr("S.name is 'other' but the strategy is loaded"));
  EXPECT_FALSE(host->wants_ticks());
}

constexpr const char* kParams = R"(
local S = { params = { lookback_bars = 5, budget = 1000000, ratio = 0.5, enabled = true, label = "x",
                       codes = { "005930" } } }
function S.on_init(ctx)
  local keys = {}
  for k in pairs(ctx.params) do keys[#keys + 1] = k end
  table.sort(keys)
  ctx:log("keys %s", table.concat(keys, ","))
  ctx:log("ctx %s %s %s %s %s %s", ctx.params.lookback_bars, ctx.params.budget, ctx.params.ratio,
          tostring(ctx.params.enabled), ctx.params.label, ctx.params.codes[1])
  ctx:log("S %s %s", S.params.lookback_bars, tostring(S.params == ctx.params))
end
return S
)";

TEST_F(HostParams, ConfigOverridesTheScriptsDefaults) {
  run("p", kParams, {{"p", {{"lookback_bars", std::int64_t{7}}, {"ratio", 1.25}, {"enabled", false}}},
                     {"not_loaded", {{"whatever", true}}}});
  EXPECT_THAT(logs->text(), HasSubstr("[p] keys budget,codes,enabled,label,lookback_bars,ratio\n"));
  EXPECT_THAT(logs->text(), HasSubstr("[p] ctx 7 1000000 1.25 false x 005930\n"));
  EXPECT_THAT(logs->text(), HasSubstr("[p] S 7 true\n"));
}

TEST_F(HostParams, AParamTheScriptDoesNotDeclareIsAnError) {
  dir.write("p", kParams);
  const Status status = try_load({"p"}, {{"p", {{"lookback", std::int64_t{7}}}}});
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(),
              HasSubstr("strategy 'p': params.lookback: not declared in " + dir.script("p") +
                        " (S.params declares: budget, codes, enabled, label, lookback_bars, ratio)"));
}

TEST_F(HostParams, TypesMustMatchTheDefaults) {
  dir.write("p", kParams);
  const Status status = try_load(
      {"p"}, {{"p", {{"budget", std::string("lots")}, {"enabled", std::int64_t{1}}, {"codes", std::string("a")}}}});
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("params.budget: the script's default is a number, the config gives a string"));
  EXPECT_THAT(status.message(), HasSubstr("params.enabled: the script's default is a boolean, the config gives a number"));
  EXPECT_THAT(status.message(), HasSubstr("params.codes: the script's default is a table, the config gives a string"));
}

TEST_F(HostParams, ConfigParamsNeedDeclaredDefaults) {
  dir.write("bare", "return {}\n");
  const Status status = try_load({"bare"}, {{"bare", {{"x", true}}}});
  EXPECT_THAT(status.message(), HasSubstr("params.x: not declared in " + dir.script("bare") +
                                          " (S.params declares: nothing)"));
}

TEST_F(HostParams, AreReadOnlyForTheScript) {
  run("p", R"(
local S = { params = { budget = 100 } }
function S.on_bar(ctx, bar)
  local ok, err = pcall(function() ctx.params.budget = 1 end)
  ctx:log("assign: %s", err)
  ok, err = pcall(function() S.params.extra = 1 end)
  ctx:log("assign S: %s", err)
  ok, err = pcall(rawset, ctx.params, "budget", 1)
  ctx:log("rawset: %s", err)
  ok, err = pcall(setmetatable, ctx.params, nil)
  ctx:log("setmetatable: %s", err)
  ctx:log("budget still %d", ctx.params.budget)
end
return S
)");
  host->on_bar(bar("005930", 100));
  const std::string text = logs->text();
  EXPECT_THAT(text, HasSubstr(":4: ctx.params is read-only"));
  EXPECT_THAT(text, HasSubstr(":6: ctx.params is read-only"));
  EXPECT_THAT(text, HasSubstr("rawset: rawset: ctx.params is read-only"));
  EXPECT_THAT(text, HasSubstr("setmetatable: cannot change a protected metatable"));
  EXPECT_THAT(text, HasSubstr("budget still 100"));
  EXPECT_EQ(host->errors("p"), 0u);
}

TEST_F(HostEvents, OrdersAndFillsGoToTheirStrategyOnly) {
  const std::string script = R"(
return { on_order = function(ctx, o) ctx:log("order %d", o.id) end,
         on_fill = function(ctx, f) ctx:log("fill %d", f.order_id) end }
)";
  dir.write("a", script);
  dir.write("b", script);
  Host& h = load({"a", "b"});
  h.on_order(order(9, "b"));
  h.on_fill(fill(9), order(9, "b"));
  h.on_order(order(10, "gone"));
  EXPECT_THAT(logs->text(), HasSubstr("[b] order 9\n[b] fill 9\n"));
  EXPECT_THAT(logs->text(), Not(HasSubstr("[a] order")));
  EXPECT_THAT(logs->text(), Not(HasSubstr("[a] fill")));
}

TEST_F(HostEvents, EventsRaisedInsideACallbackWaitUntilItReturns) {
  run("q", R"(
return {
  on_bar = function(ctx, bar)
    ctx:log("bar begins")
    ctx:buy(bar.code, { qty = 1 })
    ctx:log("bar ends")
  end,
  on_order = function(ctx, o) ctx:log("order %s", o.status) end,
}
)");
  // An engine that rejects at once, from inside submit.
  api.on_submit = [&](const Intent& intent) {
    Order rejected = order(1, intent.strategy);
    rejected.status = OrderStatus::Rejected;
    host->on_order(rejected);
  };
  host->on_bar(bar("005930", 100));
  EXPECT_THAT(logs->text(), HasSubstr("[q] bar begins\n[q] bar ends\n[q] order rejected\n"));
}

TEST_F(HostEvents, TheSameDayKeepsItsDateAndANewDayGetsItsOwn) {
  run("d", "return { on_bar = function(ctx, b) ctx:log('%s %d', b.date, b.hhmm) end }\n");
  host->on_bar(bar("005930", 100, "2026-01-05 15:19:00"));
  host->on_bar(bar("005930", 100, "2026-01-05 15:20:00"));
  host->on_bar(bar("005930", 100, "2026-01-06 09:00:00"));
  EXPECT_THAT(logs->text(), HasSubstr("[d] 2026-01-05 1519\n[d] 2026-01-05 1520\n[d] 2026-01-06 900\n"));
}

constexpr const char* kFailsOnBigBars = R"(
local S = {}
function S.on_bar(ctx, bar)
  if bar.close > 1000 then
    local missing = nil
    return missing.field
  end
  ctx:buy(bar.code, { qty = 1, reason = "close " .. bar.close })
end
return S
)";

TEST_F(HostErrors, ARuntimeErrorNamesTheLineAndTheStrategyKeepsRunning) {
  dir.write("flaky", kFailsOnBigBars);
  Host& h = load({"flaky"});
  h.on_bar(bar("005930", 500));
  h.on_bar(bar("005930", 5000));
  h.on_bar(bar("005930", 600));

  EXPECT_TRUE(h.enabled("flaky"));
  EXPECT_EQ(h.errors("flaky"), 1u);
  EXPECT_EQ(h.last_error("flaky"), "on_bar: " + dir.script("flaky") + ":6: attempt to index local 'missing' (a nil value)");
  ASSERT_EQ(api.intents.size(), 2u);
  EXPECT_EQ(api.intents[1].reason, "close 600");
  EXPECT_THAT(logs->text(), HasSubstr("[flaky] on_bar: " + dir.script("flaky") + ":6: attempt to index"));
  EXPECT_THAT(logs->text(), HasSubstr("stack traceback:"));
}

TEST_F(HostErrors, ErrorsWithoutAPositionGetTheLineOfTheRaise) {
  run("e", "return { on_bar = function()\n  error({ code = 1 })\nend }\n");
  host->on_bar(bar("005930", 1));
  EXPECT_EQ(host->last_error("e"), "on_bar: " + dir.script("e") + ":2: (error object is a table value)");
  run("f", "return { on_bar = function()\n  error('plain', 0)\nend }\n");
  host->on_bar(bar("005930", 1));
  EXPECT_EQ(host->last_error("f"), "on_bar: " + dir.script("f") + ":2: plain");
}

TEST_F(HostErrors, ErrorsCaughtByTheScriptAreNotCounted) {
  run("c", "return { on_bar = function(ctx) local ok = pcall(error, 'x') ctx:log('caught %s', tostring(not ok)) end }\n");
  host->on_bar(bar("005930", 1));
  EXPECT_THAT(logs->text(), HasSubstr("[c] caught true"));
  EXPECT_EQ(host->errors("c"), 0u);
}

TEST_F(HostErrors, ARepeatedErrorIsNotLoggedEveryTime) {
  run("noisy", "return { on_bar = function() error('again') end }\n");
  for (int i = 0; i < 50; ++i) host->on_bar(bar("005930", 1));
  EXPECT_EQ(host->errors("noisy"), 50u);
  const auto lines = logs->lines();
  EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                          [](const std::string& l) { return l.find("again") != std::string::npos; }),
            10);
}

TEST_F(HostErrors, UnknownStrategiesHaveNoErrors) {
  run("ok", "return {}\n");
  EXPECT_FALSE(host->enabled("nope"));
  EXPECT_EQ(host->errors("nope"), 0u);
  EXPECT_EQ(host->last_error("nope"), "");
  EXPECT_EQ(host->last_error("ok"), "");
}

}  // namespace
}  // namespace dalbit::lua::testing
