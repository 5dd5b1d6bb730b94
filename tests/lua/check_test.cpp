// lua::check_script: what `dalbit check` finds, with file and line.
#include "lua/check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class Check : public LuaTest {
 protected:
  // The diagnostics of `text` saved as <name>.lua, as "line: [warning: ]message".
  std::vector<std::string> check(const std::string& name, const std::string& text,
                                 ScriptKind kind = ScriptKind::Strategy) {
    dir.write(name, text);
    std::vector<std::string> out;
    for (const auto& d : check_script(dir.script(name), kind, options_)) {
      EXPECT_EQ(d.file, dir.script(name));
      std::string rest = describe(d).substr(dir.script(name).size() + 1);  // after "<file>:"
      if (rest.starts_with(' ')) rest.erase(0, 1);
      out.push_back(rest);
    }
    return out;
  }
  lua::CheckOptions options_{.params = nullptr, .config_path = "dalbit.json",
                             .call_budget = std::chrono::seconds(2), .memory_budget = 64u << 20,
                             .now = *parse_kst_timestamp("2026-01-05 09:00:00")};
};

TEST_F(Check, ACleanStrategyHasNothingToSay) {
  EXPECT_THAT(check("ok", R"(
local ta = require "dalbit.ta"
local S = { params = { period = 14 } }
local rsi = ta.new("rsi:" .. S.params.period)
local function above(x, y) return x > y end
function S.on_init(ctx) ctx:subscribe{ bars = "5m" } end
function S.on_bar(ctx, bar)
  rsi:update(bar)
  local v = ctx:indicator(bar.code, "rsi:14")
  if v and above(30, v) then ctx:buy(bar.code, { qty = 1, reason = "rsi " .. string.format("%.1f", v) }) end
  local text = "ctx:nope() in a string" -- and ctx:nope() in a comment
  --[[ ctx:nope()
  ]]
end
return S
)"),
              IsEmpty());
}

TEST_F(Check, ASyntaxErrorIsAllThereIsToSay) {
  EXPECT_THAT(check("s", "local S = {}\nfunction S.on_bar(ctx)\n  if then\nend\nreturn S\n"),
              ElementsAre("3: unexpected symbol near 'then'"));
}

TEST_F(Check, GlobalsReadOrWrittenAnywhereInTheCode) {
  EXPECT_THAT(check("g", R"(local S = {}
function helper() end
counter = 0
function S.on_bar(ctx, bar)
  if false then print(undefined_thing) end
  local t = os.time()
  counter = counter + 1
end
return S
)"),
              ElementsAre("2: assigns the global 'helper'; make it local (local helper = ... / local function helper)",
                          "3: assigns the global 'counter'; make it local (local counter = ... / local function counter)",
                          "5: reads the undefined global 'undefined_thing' (a typo, or a missing local?)",
                          "6: 'os' is not available to dalbit scripts (sandbox)",
                          "7: assigns the global 'counter'; make it local (local counter = ... / local function counter)"));
}

TEST_F(Check, UnknownCtxMethodsAndMissingColons) {
  EXPECT_THAT(check("c", R"(local S = {}
function S.on_bar(ctx, bar)
  ctx:sel(bar.code)
  ctx.buy(bar.code, { qty = 1 })
  local p = ctx.params.x
  local t = { ctx = 1 }
  local u = t.ctx
  local s = "a" .. ctx:last(bar.code)
end
return S
)"),
              ElementsAre(HasSubstr("3: ctx has no method 'sel' (known: after, buy, cancel, "),
                          "4: call it with a colon: ctx:buy(...)"));
}

TEST_F(Check, ARiskScriptsCtxOnlyReads) {
  EXPECT_THAT(check("r", "return { check = function(ctx, intent)\n  ctx:buy(intent.code, { qty = 1 })\nend }\n",
                    ScriptKind::Risk),
              ElementsAre(HasSubstr("2: ctx has no method 'buy' for a risk script, whose ctx only reads (known: ")));
}

TEST_F(Check, CallbacksThatCanNeverRun) {
  EXPECT_THAT(check("n", "local S = {}\nfunction S.on_init(ctx) end\nreturn S\n"),
              ElementsAre("3: defines no event callback (on_bar, on_tick, on_timer, on_condition, on_scan, on_book, "
                          "on_session, on_order, on_fill): nothing would ever run"));
  EXPECT_THAT(check("m", R"(local S = {}
function S.on_init(ctx) ctx:subscribe{ bars = "1m", conditions = { "gap" } } end
function S.on_bars(ctx, bar) end
function S.on_tick(ctx, t) end
function S.on_bar(ctx, b) end
function S.on_scan(ctx, s) end
return S
)"),
              ElementsAre("2: warning: subscribes to conditions but defines no on_condition",
                          HasSubstr("3: S.on_bars is not a callback dalbit calls (known: on_init, on_tick, "),
                          "4: warning: on_tick is never called with the subscriptions made in on_init: "
                          "subscribe{ ticks = true }",
                          "6: warning: on_scan is never called with the subscriptions made in on_init: "
                          "subscribe{ scans = { \"volume_top\" } }"));
}

TEST_F(Check, ErrorsInTheDryRunNameTheirLine) {
  EXPECT_THAT(check("i", "local S = {}\nfunction S.on_init(ctx)\n  ctx:subscribe{ bars = \"7m\" }\nend\n"
                         "function S.on_bar() end\nreturn S\n"),
              ElementsAre("3: on_init: ctx:subscribe: bars must be \"1m\", \"3m\", \"5m\", \"15m\" or \"60m\" or a "
                          "list of them, got \"7m\""));
  EXPECT_THAT(check("t", "local S = {}\nlocal x = nil\nlocal y = x.field\nreturn S\n"),
              ElementsAre("3: attempt to index local 'x' (a nil value)"));
  EXPECT_THAT(check("f", "return { on_bar = function() end, self_check = function(ctx)\n  return false, 'empty'\nend }\n"),
              ElementsAre("self_check returned false: empty"));
}

TEST_F(Check, TheDryRunDoesNotTrade) {
  EXPECT_THAT(check("b", R"(local S = {}
function S.on_init(ctx)
  local id, why = ctx:buy("005930", { qty = 1 })
  assert(id == nil and why == "dalbit check: no trading")
  assert(ctx:now().date == "2026-01-05")
end
function S.on_bar() end
return S
)"),
              IsEmpty());
}

TEST_F(Check, ParamsAreComparedWithTheConfig) {
  const std::map<std::string, config::Params> params = {
      {"p", {{"period", std::int64_t{9}}, {"label", true}, {"typo", 1.5}}}};
  options_.params = &params;
  EXPECT_THAT(check("p", R"(local S = {
  params = { period = 14, label = "x", budget = 100000 },
}
function S.on_bar() end
return S
)"),
              ElementsAre("2: params.label: the script's default is a string, dalbit.json gives a boolean",
                          "2: dalbit.json sets strategies.p.params.typo, which S.params does not declare",
                          "2: warning: params.budget is not set in dalbit.json (strategies.p.params): the script's "
                          "default applies"));
  EXPECT_THAT(check("q", "return { params = { n = 1 }, on_bar = function() end }\n"),
              ElementsAre("1: warning: dalbit.json has no strategies.q entry: every param keeps the script's "
                          "default"));
}

TEST_F(Check, TheConfigsParamsReachTheDryRun) {
  const std::map<std::string, config::Params> params = {{"v", {{"n", std::int64_t{0}}}}};
  options_.params = &params;
  EXPECT_THAT(check("v", "local S = { params = { n = 1 } }\nfunction S.on_init(ctx)\n  assert(ctx.params.n > 0, "
                         "'n must be positive')\nend\nfunction S.on_bar() end\nreturn S\n"),
              ElementsAre("3: on_init: n must be positive"));
}

TEST_F(Check, AFileThatIsNoScript) {
  const auto missing = check_script(dir.str() + "/missing.lua", ScriptKind::Strategy, options_);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(describe(missing[0]), dir.str() + "/missing.lua: cannot read the file");
  const auto named = check_script(dir.str() + "/bad name.lua", ScriptKind::Strategy, options_);
  ASSERT_EQ(named.size(), 1u);
  EXPECT_THAT(named[0].message, HasSubstr("a script's file is <name>.lua"));
}

TEST_F(Check, TheShippedExamplesAreClean) {
  for (const auto* path : {"scripts/strategies/momentum_tpsl.lua", "tests/lua/scripts/momentum_tpsl.lua",
                           "tests/lua/scripts/trailing_stop.lua"}) {
    const std::string file = std::string(DALBIT_SOURCE_DIR) + "/" + path;
    for (const auto& d : check_script(file, ScriptKind::Strategy, options_)) ADD_FAILURE() << describe(d);
  }
}

}  // namespace
}  // namespace dalbit::lua::testing
