// ctx:every / ctx:after / ctx:cancel_timer: timers on the engine's clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Timestamp at(std::string_view kst) { return *parse_kst_timestamp(kst); }

std::vector<std::string> fired(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    if (l.find(" timer ") != std::string::npos) out.push_back(l);
  }
  return out;
}

// Logs each firing with the engine time the fake reports (set by the test along with on_clock).
constexpr const char* kOnTimer = R"(
function S.on_timer(ctx, name, id) ctx:log("timer %s #%d at %s", name, id, ctx:now().time) end
)";

std::string script(const std::string& init, const std::string& more = "") {
  return "local S = {}\nfunction S.on_init(ctx)\n" + init + "\nend\n" + kOnTimer + more + "return S\n";
}

class Clocked : public LuaTest {
 protected:
  void clock(std::string_view kst) {
    api.clock_now = at(kst);
    host->on_clock(api.clock_now);
  }
};

TEST_F(Clocked, EveryFiresEachPeriodFromTheFirstClock) {
  run("t", script(R"(ctx:every(60, "minutely"))"));
  clock("2026-01-05 09:00:00");
  clock("2026-01-05 09:00:59");
  clock("2026-01-05 09:01:00");
  clock("2026-01-05 09:01:30");
  clock("2026-01-05 09:02:00");
  EXPECT_THAT(fired(logs->lines()),
              ElementsAre("[t] timer minutely #1 at 09:01:00", "[t] timer minutely #1 at 09:02:00"));
}

TEST_F(Clocked, AClockThatJumpsSeveralPeriodsFiresOnceAndKeepsTheGrid) {
  run("t", script(R"(ctx:every(60, "minutely"))"));
  clock("2026-01-05 09:00:00");
  clock("2026-01-05 09:05:30");
  clock("2026-01-05 09:05:59");
  clock("2026-01-05 09:06:00");
  EXPECT_THAT(fired(logs->lines()),
              ElementsAre("[t] timer minutely #1 at 09:05:30", "[t] timer minutely #1 at 09:06:00"));
}

TEST_F(Clocked, AfterFiresOnce) {
  run("t", script(R"(ctx:after(30, "once"))"));
  clock("2026-01-05 09:00:00");
  clock("2026-01-05 09:00:30");
  clock("2026-01-05 09:01:30");
  EXPECT_THAT(fired(logs->lines()), ElementsAre("[t] timer once #1 at 09:00:30"));
}

TEST_F(Clocked, DueTimersFireInTimeThenCreationOrderAcrossStrategies) {
  dir.write("a", script(R"(ctx:after(10, "a-late") ctx:after(5, "a-early") ctx:after(5, "a-early-2"))"));
  dir.write("b", script(R"(ctx:after(5, "b-early"))"));
  load({"a", "b"}).on_init();
  clock("2026-01-05 09:00:00");
  clock("2026-01-05 09:00:20");
  EXPECT_THAT(fired(logs->lines()),
              ElementsAre("[a] timer a-early #2 at 09:00:20", "[a] timer a-early-2 #3 at 09:00:20",
                          "[b] timer b-early #1 at 09:00:20", "[a] timer a-late #1 at 09:00:20"));
}

TEST_F(Clocked, CancelledTimersDoNotFire) {
  run("t", script(R"(
local id = ctx:every(1, "x")
ctx:log("cancel %s %s %s", tostring(ctx:cancel_timer(id)), tostring(ctx:cancel_timer(id)),
        tostring(ctx:cancel_timer(99))))"));
  clock("2026-01-05 09:00:00");
  clock("2026-01-05 09:00:05");
  EXPECT_THAT(logs->text(), HasSubstr("[t] cancel true false false\n"));
  EXPECT_THAT(fired(logs->lines()), IsEmpty());
}

TEST_F(Clocked, ATimerMadeWhileFiringWaitsForTheNextClock) {
  run("t", script(R"(ctx:after(0, "first"))", R"(
function S.on_timer(ctx, name) ctx:log("timer %s at %s", name, ctx:now().time) ctx:after(0, "again") end
)"));
  clock("2026-01-05 09:00:00");
  clock("2026-01-05 09:00:01");
  EXPECT_THAT(fired(logs->lines()), ElementsAre("[t] timer first at 09:00:00", "[t] timer again at 09:00:01"));
}

TEST_F(Clocked, TimersMadeAfterTheFirstClockCountFromTheLastOne) {
  run("t", script("", R"(
function S.on_bar(ctx, bar) ctx:after(60, "a minute after the bar") end
)"));
  clock("2026-01-05 09:00:00");
  clock("2026-01-05 09:01:00");
  host->on_bar(bar("005930", 100));
  clock("2026-01-05 09:01:59");
  clock("2026-01-05 09:02:00");
  EXPECT_THAT(fired(logs->lines()), ElementsAre("[t] timer a minute after the bar #1 at 09:02:00"));
}

TEST_F(Clocked, AReloadReplacesTheTimersWithTheNewVersions) {
  run("t", script(R"(ctx:every(60, "v1"))"));
  clock("2026-01-05 09:00:00");
  dir.write("t", script(R"(ctx:every(30, "v2"))"));
  ASSERT_TRUE(host->reload("t").ok());
  clock("2026-01-05 09:00:30");
  clock("2026-01-05 09:01:00");
  EXPECT_THAT(fired(logs->lines()), ElementsAre("[t] timer v2 #1 at 09:00:30", "[t] timer v2 #1 at 09:01:00"));
}

struct BadTimer {
  std::string call;
  std::string message;
};

class TimerRefuses : public LuaTest, public ::testing::WithParamInterface<BadTimer> {};

TEST_P(TimerRefuses, WithTheMessageAtTheScriptsLine) {
  run("t", script(GetParam().call));
  EXPECT_EQ(host->last_error("t"), "on_init: " + dir.script("t") + ":3: " + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Timers, TimerRefuses,
    ::testing::Values(
        BadTimer{R"(ctx:every(0, "x"))", "ctx:every: seconds must be a number from 0.001 to 31622400, got 0"},
        BadTimer{R"(ctx:after(-1, "x"))", "ctx:after: seconds must be a number from 0 to 31622400, got -1"},
        BadTimer{R"(ctx:after("5", "x"))", "ctx:after: seconds must be a number from 0 to 31622400, got \"5\""},
        BadTimer{R"(ctx:every(5))", "ctx:every: needs a timer name (a string) for on_timer, got nil"},
        BadTimer{R"(for i = 1, 1001 do ctx:after(1, "x") end)", "ctx:after: at most 1000 timers at a time"},
        BadTimer{R"(ctx:cancel_timer("x"))",
                 "ctx:cancel_timer: needs an id returned by ctx:every or ctx:after, got \"x\""}));

}  // namespace
}  // namespace dalbit::lua::testing
