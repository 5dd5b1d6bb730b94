// Hot reload: the new version takes over only when it loads and starts, with
// the old version's state handed over; otherwise the old one keeps running.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::HasSubstr;

using Reload = LuaTest;

// Counts bars, and hands the count (plus a nested table) over on reload.
std::string counter(const std::string& version) {
  std::string text = R"lua(
local S = { params = { step = 1 } }
local count = 0
function S.on_init(ctx, saved)
  if saved then count = saved.count end
  ctx:log("VERSION starts at %d (%s)", count, saved and saved.meta.codes[2] or "fresh")
end
function S.on_bar(ctx, bar)
  count = count + ctx.params.step
  ctx:log("VERSION bar %d", count)
end
function S.on_reload(ctx)
  return { count = count, meta = { codes = { "005930", "000660" }, flag = true, ratio = 0.5 } }
end
return S
)lua";
  for (auto at = text.find("VERSION"); at != std::string::npos; at = text.find("VERSION")) text.replace(at, 7, version);
  return text;
}

TEST_F(Reload, TheNewVersionContinuesFromTheOldOnesState) {
  dir.write("c", counter("v1"));
  Host& h = load({"c"}, {{"c", {{"step", std::int64_t{2}}}}});
  h.on_init();
  h.on_bar(bar("005930", 1));
  h.on_bar(bar("005930", 2));
  dir.write("c", counter("v2"));
  const Status status = h.reload("c");
  ASSERT_TRUE(status.ok()) << status.message();
  h.on_bar(bar("005930", 3));
  EXPECT_THAT(logs->text(), HasSubstr("[c] v1 starts at 0 (fresh)\n[c] v1 bar 2\n[c] v1 bar 4\n"
                                      "[c] v2 starts at 4 (000660)\n[c] reloaded\n[c] v2 bar 6\n"));
  EXPECT_TRUE(h.enabled("c"));
}

TEST_F(Reload, ASyntaxErrorKeepsTheRunningVersion) {
  dir.write("c", counter("v1"));
  Host& h = load({"c"});
  h.on_init();
  dir.write("c", "local S = {}\nfunction S.on_bar(ctx, bar)\n  if then\nend\nreturn S\n");
  const Status status = h.reload("c");
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("strategy 'c': " + dir.script("c") + ":3: unexpected symbol near 'then'"));
  EXPECT_THAT(logs->text(), HasSubstr("[c] reload failed, the version loaded before stays: "));
  h.on_bar(bar("005930", 1));
  EXPECT_THAT(logs->text(), HasSubstr("[c] v1 bar 1\n"));
}

TEST_F(Reload, ANewOnInitThatFailsKeepsTheRunningVersion) {
  dir.write("c", counter("v1"));
  Host& h = load({"c"});
  h.on_init();
  dir.write("c", "return { on_init = function(ctx, saved)\n  error('cannot start with ' .. saved.count)\nend }\n");
  const Status status = h.reload("c");
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(),
              HasSubstr("strategy 'c': the new version's on_init: " + dir.script("c") + ":2: cannot start with 0"));
  h.on_bar(bar("005930", 1));
  EXPECT_THAT(logs->text(), HasSubstr("[c] v1 bar 1\n"));
}

struct BadHandOver {
  std::string on_reload_returns;
  std::string message;
};

class ReloadRefuses : public LuaTest, public ::testing::WithParamInterface<BadHandOver> {};

TEST_P(ReloadRefuses, WhatCannotCrossToTheNewState) {
  dir.write("c", "local S = {}\nfunction S.on_bar(ctx) ctx:log('old bar') end\nfunction S.on_reload(ctx)\n"
                 "  local t = {}\n  return " + GetParam().on_reload_returns + "\nend\nreturn S\n");
  Host& h = load({"c"});
  const Status status = h.reload("c");
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("strategy 'c': on_reload: on_reload's result, at " + GetParam().message));
  h.on_bar(bar("005930", 1));
  EXPECT_THAT(logs->text(), HasSubstr("[c] old bar\n"));
  EXPECT_TRUE(h.enabled("c"));
}

INSTANTIATE_TEST_SUITE_P(
    Reload, ReloadRefuses,
    ::testing::Values(BadHandOver{"print", "saved: a function cannot be handed over"},
                      BadHandOver{"{ ok = 1, deep = { fn = print } }", "saved.deep.fn: a function cannot be handed over"},
                      BadHandOver{"{ [3] = ctx }", "saved[3]: a userdata cannot be handed over"},
                      BadHandOver{"(function() t.self = t return t end)()", "saved.self: a table that contains itself"},
                      BadHandOver{"{ [{}] = 1 }", "saved[table]: table keys must be strings, numbers or booleans"}));

TEST_F(Reload, RevivesAStrategyDisabledForARunaway) {
  options.call_budget = std::chrono::milliseconds(20);
  dir.write("r", "return { on_bar = function() while true do end end }\n");
  Host& h = load({"r"});
  h.on_bar(bar("005930", 1));
  ASSERT_FALSE(h.enabled("r"));
  dir.write("r", "return { on_bar = function(ctx) ctx:log('fixed') end }\n");
  ASSERT_TRUE(h.reload("r").ok());
  EXPECT_TRUE(h.enabled("r"));
  EXPECT_EQ(h.errors("r"), 0u);
  h.on_bar(bar("005930", 1));
  EXPECT_THAT(logs->text(), HasSubstr("[r] fixed\n"));
}

TEST_F(Reload, KeepsTheConfigParams) {
  dir.write("p", "return { params = { n = 1 }, on_init = function(ctx) ctx:log('n=%d', ctx.params.n) end }\n");
  Host& h = load({"p"}, {{"p", {{"n", std::int64_t{7}}}}});
  h.on_init();
  ASSERT_TRUE(h.reload("p").ok());
  EXPECT_THAT(logs->text(), HasSubstr("[p] n=7\n[p] n=7\n"));
}

TEST_F(Reload, OnlyLoadedStrategiesAndNotFromInsideACallback) {
  dir.write("a", "return { on_bar = function(ctx) ctx:buy('005930', { qty = 1 }) end }\n");
  Host& h = load({"a"});
  EXPECT_EQ(h.reload("nope").message(), "strategy 'nope': not loaded");
  Status inside;
  api.on_submit = [&](const Intent&) { inside = h.reload("a"); };
  h.on_bar(bar("005930", 1));
  EXPECT_EQ(inside.message(), "strategy 'a': cannot reload from inside a callback");
}

TEST_F(Reload, OrdersOfTheNewVersionsOnInitReachIt) {
  dir.write("o", "return { on_order = function(ctx, o) ctx:log('v1 order') end }\n");
  Host& h = load({"o"});
  dir.write("o", "return { on_init = function(ctx) ctx:buy('005930', { qty = 1 }) end,\n"
                 "         on_order = function(ctx, o) ctx:log('v2 order %s', o.status) end }\n");
  api.on_submit = [&](const Intent& intent) {
    Order rejected = order(1, intent.strategy);
    rejected.status = OrderStatus::Rejected;
    h.on_order(rejected);
  };
  ASSERT_TRUE(h.reload("o").ok());
  EXPECT_THAT(logs->text(), HasSubstr("[o] reloaded\n[o] v2 order rejected\n"));
  EXPECT_THAT(logs->text(), ::testing::Not(HasSubstr("v1 order")));
}

}  // namespace
}  // namespace dalbit::lua::testing
