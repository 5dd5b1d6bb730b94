// dalbit.ta (streaming indicators in a script) and ctx:indicator (kept and
// fed by the host).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::HasSubstr;

using Ta = LuaTest;

// One-minute bars of `stock` closing at each of `closes`, from 09:00.
std::vector<Bar> minute_bars(std::string_view stock, const std::vector<std::int64_t>& closes,
                             std::string_view from = "2026-01-05 09:00:00") {
  std::vector<Bar> out;
  Timestamp t = *parse_kst_timestamp(from);
  for (const auto close : closes) {
    Bar b = bar(stock, close);
    b.time = t;
    out.push_back(b);
    t += std::chrono::minutes(1);
  }
  return out;
}

TEST_F(Ta, IndicatorsUpdateFromBarTablesAndTellWhenReady) {
  run("t", R"(
local ta = require "dalbit.ta"
local sma, bb = ta.new("sma:3"), ta.new("bb:3:2")
return { on_bar = function(ctx, bar)
  sma:update(bar)
  bb:update(bar)
  ctx:log("%s %s %d", tostring(sma:ready()), tostring(sma:value()), select("#", bb:values()))
end }
)");
  for (const Bar& b : minute_bars("005930", {100, 200, 300, 400})) host->on_bar(b);
  EXPECT_THAT(logs->text(), HasSubstr("[t] false nil 1\n[t] false nil 1\n[t] true 200 4\n[t] true 300 4\n"));
}

TEST_F(Ta, ValuesColumnsAndSpec) {
  run("t", R"(
local ta = require "dalbit.ta"
local bb = ta.new("BB:3")
return { on_bar = function(ctx, bar)
  bb:update(bar)
  if not bb:ready() then return end
  local middle, upper, lower, pctb = bb:values()
  ctx:log("%s %s %.0f %.0f %s", bb:spec(), table.concat(bb:columns(), ","), middle, bb:value(1),
          tostring(upper > middle and lower < middle and pctb > 0.5))
end }
)");
  for (const Bar& b : minute_bars("005930", {100, 200, 300})) host->on_bar(b);
  EXPECT_THAT(logs->text(), HasSubstr("[t] bb:3:2 bb_3_2_middle,bb_3_2_upper,bb_3_2_lower,bb_3_2_pctb 200 200 true\n"));
}

struct BadUse {
  std::string code;
  std::string message;
};

class TaRefuses : public LuaTest, public ::testing::WithParamInterface<BadUse> {};

TEST_P(TaRefuses, WithTheMessageAtTheScriptsLine) {
  run("t", "local ta = require 'dalbit.ta'\nlocal sma = ta.new('sma:3')\nreturn { on_bar = function(ctx)\n" +
               GetParam().code + "\nend }\n");
  host->on_bar(bar("005930", 100));
  EXPECT_THAT(host->last_error("t"), HasSubstr("on_bar: " + dir.script("t") + ":4: " + GetParam().message));
  EXPECT_TRUE(host->enabled("t"));
}

INSTANTIATE_TEST_SUITE_P(
    Ta, TaRefuses,
    ::testing::Values(
        BadUse{"ta.new('rsi:x')", "ta.new: rsi: period must be an integer >= 2, got \"x\""},
        BadUse{"ta.new('nope')", "ta.new: unknown indicator \"nope\" (known: sma, ema, "},
        BadUse{"sma:update({ close = 1 })", "ind:update: bar.open must be a number, got nil"},
        BadUse{"sma:update({ open = 1, high = 1, low = 1, close = 1, volume = 1, time = 'x' })",
               "ind:update: bar.time must be a number, got string"},
        BadUse{"sma:value(2)", "ind:value: sma:3 has outputs 1 to 1, asked for 2"},
        BadUse{"sma.update({})", "bad argument #1 to 'update' (dalbit.ta.indicator expected, got table)"},
        BadUse{"ta.new = nil", "dalbit.ta is read-only"},
        BadUse{"require('dalbit.ta').new = 1", "dalbit.ta is read-only"}));

TEST_F(Ta, AScriptCannotReachTheIndicatorsMetatable) {
  run("t", R"(
local ta = require "dalbit.ta"
return { on_init = function(ctx)
  local ind = ta.new("rsi")
  ctx:log("%s %s %s", getmetatable(ind), tostring(ind), tostring(require("dalbit.ta") == ta))
end }
)");
  EXPECT_THAT(logs->text(), HasSubstr("[t] dalbit.ta.indicator dalbit.ta indicator rsi:14 true\n"));
}

TEST_F(Ta, IndicatorsCountAgainstTheMemoryBudget) {
  options.memory_budget = 8u << 20;
  // Each sma:100000 is charged about 4.8 MB: one fits, a second kept one does not.
  run("t", R"(
local ta = require "dalbit.ta"
local kept = {}
return { on_bar = function(ctx)
  for i = 1, 20 do local dropped = ta.new("sma:100000") end
  ctx:log("dropped ones are collected")
  kept[1] = ta.new("sma:100000")
  kept[2] = ta.new("sma:100000")
end }
)");
  host->on_bar(bar("005930", 100));
  EXPECT_THAT(logs->text(), HasSubstr("[t] dropped ones are collected\n"));
  EXPECT_THAT(host->last_error("t"),
              HasSubstr(":8: ta.new: sma:100000 needs about 4688 KiB, more than is left of the memory budget"));
  EXPECT_TRUE(host->enabled("t"));
}

// ---------------------------------------------------------------- ctx:indicator

TEST_F(Ta, CtxIndicatorIsKeptPerCodeAndIncludesTheBarBeingDelivered) {
  run("t", R"(
return { on_bar = function(ctx, bar)
  ctx:log("%s %s", bar.code, tostring(ctx:indicator(bar.code, "sma:3")))
end }
)");
  const auto a = minute_bars("005930", {100, 200, 300, 400});
  const auto b = minute_bars("000660", {1000, 2000, 3000});
  for (std::size_t i = 0; i < a.size(); ++i) {
    host->on_bar(a[i]);
    if (i < b.size()) host->on_bar(b[i]);
  }
  EXPECT_THAT(logs->text(), HasSubstr("[t] 005930 nil\n[t] 000660 nil\n[t] 005930 nil\n[t] 000660 nil\n"
                                      "[t] 005930 200\n[t] 000660 2000\n[t] 005930 300\n"));
}

TEST_F(Ta, CtxIndicatorReturnsEveryOutput) {
  run("t", R"(
return { on_bar = function(ctx, bar)
  local middle, upper, lower = ctx:indicator(bar.code, "bb:3:2")
  if middle then ctx:log("%.0f %s", middle, tostring(upper > middle and lower < middle)) end
end }
)");
  for (const Bar& b : minute_bars("005930", {100, 200, 300})) host->on_bar(b);
  EXPECT_THAT(logs->text(), HasSubstr("[t] 200 true\n"));
}

TEST_F(Ta, CtxIndicatorOfAnotherCodeIsFedByThatCodesBars) {
  run("t", R"(
return { on_bar = function(ctx, bar)
  if bar.code == "005930" then ctx:log("other %s", tostring(ctx:indicator("000660", "sma:2"))) end
end }
)");
  const auto a = minute_bars("005930", {100, 100, 100});
  const auto b = minute_bars("000660", {10, 20, 30});
  for (std::size_t i = 0; i < a.size(); ++i) {
    host->on_bar(b[i]);
    host->on_bar(a[i]);
  }
  // Made at the first 005930 bar; 000660's bars from then on feed it: 20, 30.
  EXPECT_THAT(logs->text(), HasSubstr("[t] other nil\n[t] other nil\n[t] other 25\n"));
}

TEST_F(Ta, CtxIndicatorNeedsTheBarsItIsOver) {
  run("t", R"(
return { on_bar = function(ctx, bar) ctx:indicator(bar.code, "sma:3", "5m") end }
)");
  host->on_bar(bar("005930", 100));
  EXPECT_THAT(host->last_error("t"),
              HasSubstr(":2: ctx:indicator: the strategy does not receive 5m bars: subscribe{ bars = \"5m\" } first"));
}

TEST_F(Ta, CtxIndicatorRefusesABadSpecOrInterval) {
  run("t", R"(
return { on_bar = function(ctx, bar)
  if bar.close == 1 then ctx:indicator(bar.code, "rsi:1") else ctx:indicator(bar.code, "rsi", "7m") end
end }
)");
  host->on_bar(bar("005930", 1));
  EXPECT_THAT(host->last_error("t"),
              HasSubstr(":3: ctx:indicator: rsi: period must be an integer >= 2, got \"1\""));
  host->on_bar(bar("005930", 2));
  EXPECT_THAT(host->last_error("t"), HasSubstr(":3: ctx:indicator: interval must be \"1m\", \"3m\", \"5m\", "
                                               "\"15m\" or \"60m\", got \"7m\""));
}

TEST_F(Ta, CtxIndicatorHistoryOutlivesAReload) {
  const std::string script = R"(
return { on_bar = function(ctx, bar)
  ctx:log("VERSION %s", tostring(ctx:indicator(bar.code, "sma:3")))
end }
)";
  const auto with = [&](const std::string& version) {
    std::string text = script;
    text.replace(text.find("VERSION"), 7, version);
    return text;
  };
  run("t", with("v1"));
  const auto bars = minute_bars("005930", {100, 200, 300});
  host->on_bar(bars[0]);
  host->on_bar(bars[1]);
  dir.write("t", with("v2"));
  ASSERT_TRUE(host->reload("t").ok());
  host->on_bar(bars[2]);
  EXPECT_THAT(logs->text(), HasSubstr("[t] v1 nil\n[t] v1 nil\n"));
  EXPECT_THAT(logs->text(), HasSubstr("[t] v2 200\n"));
}

TEST_F(Ta, AFailedReloadDropsTheIndicatorsItsNewVersionMade) {
  run("t", R"(
return { on_bar = function(ctx, bar) ctx:log("v1 %s", tostring(ctx:indicator(bar.code, "sma:2"))) end }
)");
  const auto bars = minute_bars("005930", {100, 200, 300});
  host->on_bar(bars[0]);
  dir.write("t", R"(
return { on_init = function(ctx) ctx:subscribe{ bars = "1m" } ctx:indicator("005930", "ema:2") error("no") end }
)");
  ASSERT_FALSE(host->reload("t").ok());
  host->on_bar(bars[1]);
  EXPECT_THAT(logs->text(), HasSubstr("[t] v1 150\n"));
}

}  // namespace
}  // namespace dalbit::lua::testing
