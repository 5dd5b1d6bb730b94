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

// Counts the bars it handles and records their closes; the count crosses every reload.
std::string counting(int version) {
  return "local S = {}\nlocal count, seen = 0, {}\n"
         "function S.on_init(ctx, saved) if saved then count, seen = saved.count, saved.seen end end\n"
         "function S.on_bar(ctx, bar) count = count + 1 seen[#seen + 1] = bar.close end\n"
         "function S.on_reload(ctx) return { count = count, seen = seen } end\n"
         "function S.on_session(ctx) ctx:log('v" + std::to_string(version) +
         " count %d seen %s', count, table.concat(seen, ',')) end\nreturn S\n";
}

TEST_F(Reload, NoEventIsLostOrHandledTwiceAcrossReloads) {
  dir.write("c", counting(0));
  Host& h = load({"c"});
  h.on_init();
  std::string expected;
  int version = 0;
  for (int i = 1; i <= 50; ++i) {
    h.on_bar(bar("005930", i));
    expected += (i > 1 ? "," : "") + std::to_string(i);
    if (i % 7 == 0) {
      dir.write("c", counting(++version));
      ASSERT_TRUE(h.reload("c").ok());
    }
    if (i % 11 == 0) {  // a failed reload in between changes nothing
      dir.write("c", "return {");
      ASSERT_FALSE(h.reload("c").ok());
      dir.write("c", counting(version));
    }
  }
  h.on_session("closed");
  EXPECT_EQ(version, 7);
  EXPECT_THAT(logs->text(), HasSubstr("[c] v7 count 50 seen " + expected + "\n"));
}

TEST_F(Reload, ASelfCheckThatFailsKeepsTheRunningVersion) {
  dir.write("c", counter("v1"));
  Host& h = load({"c"});
  h.on_init();
  for (const auto& [body, message] : std::vector<std::pair<std::string, std::string>>{
           {"return false, 'table of levels is empty'", "self_check returned false: table of levels is empty"},
           {"return false", "self_check returned false"},
           {"error('no params')", ":3: no params"}}) {
    dir.write("c", "local S = { on_bar = function(ctx) ctx:log('v2 bar') end }\nfunction S.self_check(ctx)\n  " +
                       body + "\nend\nreturn S\n");
    const Status status = h.reload("c");
    ASSERT_FALSE(status.ok()) << body;
    EXPECT_THAT(status.message(), HasSubstr("the new version of strategy 'c': "));
    EXPECT_THAT(status.message(), HasSubstr(message));
  }
  h.on_bar(bar("005930", 1));
  EXPECT_THAT(logs->text(), HasSubstr("[c] v1 bar 1\n"));
  dir.write("c", "local S = { on_bar = function(ctx) ctx:log('v2 bar') end }\n"
                 "function S.self_check(ctx) return ctx.params ~= nil end\nreturn S\n");
  ASSERT_TRUE(h.reload("c").ok());
  h.on_bar(bar("005930", 1));
  EXPECT_THAT(logs->text(), HasSubstr("[c] v2 bar\n"));
}

TEST_F(Reload, ASelfCheckThatFailsAtStartDisablesTheStrategy) {
  dir.write("a", "return { self_check = function(ctx) return false, 'no' end, on_bar = function(ctx) ctx:log('a') end }\n");
  dir.write("b", "return { on_bar = function(ctx) ctx:log('b') end }\n");
  Host& h = load({"a", "b"});
  h.on_init();
  h.on_bar(bar("005930", 1));
  EXPECT_FALSE(h.enabled("a"));
  EXPECT_TRUE(h.enabled("b"));
  EXPECT_THAT(logs->text(), HasSubstr("[a] disabled: strategy 'a': " + dir.script("a") + ": self_check returned false: no"));
  EXPECT_THAT(logs->text(), ::testing::Not(HasSubstr("[a] a\n")));
}

TEST_F(Reload, AnOnInitThatFailsAtStartDoesNotStartTheStrategy) {
  std::vector<HostEvent> events;
  options.on_event = [&](const HostEvent& e) { events.push_back(e); };
  dir.write("a", "local S = { params = { last_entry = '2pm' } }\nfunction S.on_init(ctx)\n"
                 "  local h, m = ctx.params.last_entry:match('^(%d+):(%d+)$')\n  S.last = h * 100 + m\nend\n"
                 "function S.on_bar(ctx) ctx:log('a bar') end\nreturn S\n");
  dir.write("b", "return { on_bar = function(ctx) ctx:log('b bar') end }\n");
  Host& h = load({"a", "b"});
  h.on_init();
  h.on_bar(bar("005930", 1));
  EXPECT_FALSE(h.enabled("a"));
  EXPECT_TRUE(h.enabled("b"));
  const std::string error = "on_init: " + dir.script("a") + ":4: attempt to perform arithmetic on local 'h' (a nil value)";
  EXPECT_EQ(h.last_error("a"), error);
  EXPECT_THAT(logs->text(), HasSubstr("[a] disabled: not started: " + error));
  EXPECT_THAT(logs->text(), HasSubstr("[b] b bar\n"));
  EXPECT_THAT(logs->text(), ::testing::Not(HasSubstr("[a] a bar")));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, HostEvent::Kind::Disabled);
  EXPECT_EQ(events[0].script, "a");
  EXPECT_EQ(events[0].file, dir.script("a"));
  EXPECT_EQ(events[0].line, 4);
  EXPECT_EQ(describe(events[0]), "[a] disabled: not started: " + error);

  // Fixed and saved, it starts.
  dir.write("a", "local S = {}\nfunction S.on_bar(ctx) ctx:log('a bar') end\nreturn S\n");
  ASSERT_TRUE(h.reload("a").ok());
  h.on_bar(bar("005930", 2));
  EXPECT_THAT(logs->text(), HasSubstr("[a] a bar\n"));
}

TEST_F(Reload, AnErrorInSelfCheckAtStartNamesItsLine) {
  dir.write("a", "local S = { on_bar = function(ctx) ctx:log('a') end }\nfunction S.self_check(ctx)\n"
                 "  assert(ctx.params.n, 'params.n is required')\nend\nreturn S\n");
  Host& h = load({"a"});
  h.on_init();
  EXPECT_FALSE(h.enabled("a"));
  EXPECT_THAT(logs->text(), HasSubstr("[a] disabled: strategy 'a': self_check: " + dir.script("a") +
                                      ":3: params.n is required"));
  h.on_bar(bar("005930", 1));
  EXPECT_THAT(logs->text(), ::testing::Not(HasSubstr("[a] a\n")));
}

TEST_F(Reload, ReportsWhatHappensAsEvents) {
  std::vector<HostEvent> events;
  options.on_event = [&](const HostEvent& e) { events.push_back(e); };
  options.call_budget = std::chrono::milliseconds(20);
  dir.write("e", counter("v1"));
  Host& h = load({"e"});
  h.on_init();
  ASSERT_TRUE(h.reload("e").ok());
  dir.write("e", "local S = {}\nfunction S.on_bar(ctx)\n  if then\nend\nreturn S\n");
  ASSERT_FALSE(h.reload("e").ok());
  dir.write("e", "return { on_init = function(ctx)\n\n  error('cannot start')\nend }\n");
  ASSERT_FALSE(h.reload("e").ok());
  dir.write("e", "return { on_bar = function(ctx)\n  while true do end\nend }\n");
  ASSERT_TRUE(h.reload("e").ok());
  h.on_bar(bar("005930", 1));

  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].kind, HostEvent::Kind::Reloaded);
  EXPECT_EQ(events[0].script, "e");
  EXPECT_EQ(events[0].file, dir.script("e"));
  EXPECT_EQ(events[1].kind, HostEvent::Kind::ReloadFailed);
  EXPECT_EQ(events[1].file, dir.script("e"));
  EXPECT_EQ(events[1].line, 3);
  EXPECT_THAT(events[1].message, HasSubstr("unexpected symbol near 'then'"));
  EXPECT_EQ(events[2].kind, HostEvent::Kind::ReloadFailed);
  EXPECT_EQ(events[2].line, 3);
  EXPECT_THAT(events[2].message, HasSubstr("cannot start"));
  EXPECT_EQ(events[3].kind, HostEvent::Kind::Reloaded);
  EXPECT_EQ(events[4].kind, HostEvent::Kind::Disabled);
  EXPECT_EQ(events[4].file, dir.script("e"));
  EXPECT_EQ(events[4].line, 2);
  EXPECT_THAT(describe(events[4]), HasSubstr("[e] disabled: disabled after on_bar: " + dir.script("e") +
                                             ":2: call budget of 20 ms exceeded"));
}

TEST_F(Reload, ReloadAllReloadsEveryScriptAndNamesTheFailures) {
  dir.write("a", counter("a1"));
  dir.write("b", counter("b1"));
  dir.write("r", "return { check = function() end }\n");
  Host& h = load({"a", "b"});
  ASSERT_TRUE(h.load_risk({"r"}, {}).ok());
  h.on_init();
  dir.write("a", counter("a2"));
  dir.write("b", "return {");
  const Status status = h.reload_all();
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("strategy 'b': "));
  EXPECT_THAT(status.message(), ::testing::Not(HasSubstr("strategy 'a'")));
  EXPECT_THAT(logs->text(), HasSubstr("[a] reloaded\n"));
  EXPECT_THAT(logs->text(), HasSubstr("[risk/r] reloaded\n"));
}

// ------------------------------------------------------------- error rate

TEST_F(Reload, AStrategyRaisingTooManyErrorsInTheWindowIsDisabled) {
  options.max_errors = 3;
  options.error_window = std::chrono::seconds(60);
  std::vector<HostEvent> events;
  options.on_event = [&](const HostEvent& e) { events.push_back(e); };
  dir.write("bad", "return { on_bar = function(ctx, bar)\n  error('broken ' .. bar.close)\nend }\n");
  dir.write("good", "return { on_bar = function(ctx, bar) ctx:log('good %d', bar.close) end }\n");
  Host& h = load({"bad", "good"});
  for (int i = 1; i <= 5; ++i) {
    api.clock_now += std::chrono::seconds(10);
    h.on_bar(bar("005930", i));
  }
  EXPECT_FALSE(h.enabled("bad"));
  EXPECT_EQ(h.errors("bad"), 3u);
  EXPECT_TRUE(h.enabled("good"));
  EXPECT_THAT(logs->text(), HasSubstr("[good] good 5\n"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, HostEvent::Kind::Disabled);
  EXPECT_EQ(events[0].line, 2);
  EXPECT_THAT(events[0].message, HasSubstr("disabled after 3 errors within 60 s; the last: on_bar: " +
                                           dir.script("bad") + ":2: broken 3"));
}

TEST_F(Reload, ErrorsSpreadWiderThanTheWindowAreOnlyLogged) {
  options.max_errors = 3;
  options.error_window = std::chrono::seconds(60);
  dir.write("bad", "return { on_bar = function(ctx, bar) error('broken') end }\n");
  Host& h = load({"bad"});
  for (int i = 1; i <= 10; ++i) {
    api.clock_now += std::chrono::seconds(31);
    h.on_bar(bar("005930", i));
  }
  EXPECT_TRUE(h.enabled("bad"));
  EXPECT_EQ(h.errors("bad"), 10u);
}

}  // namespace
}  // namespace dalbit::lua::testing
