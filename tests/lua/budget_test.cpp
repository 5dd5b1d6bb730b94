// Runaway scripts: each stops within its budget, is disabled and reported,
// and a healthy strategy loaded alongside keeps getting its events.
#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// The healthy neighbour: one intent per bar, so events are easy to count.
constexpr const char* kHealthy = R"(
return { on_bar = function(ctx, bar) ctx:buy(bar.code, { qty = 1, reason = "alive" }) end }
)";

// How late a stop may come on a busy 2-core CI machine: generous, but far
// below what any of these scripts would take to finish (forever).
constexpr milliseconds kSlack{400};

struct Runaway {
  std::string name;
  std::string on_bar_body;  // line 3 of the script
  std::string message;      // after "<script>:<line>: "
  int line;                 // where it is reported
  // Memory and stack runaways get a long call budget, so that what stops them
  // is the limit under test and not the clock.
  milliseconds call_budget{20};
};

class Budget : public LuaTest {
 protected:
  void SetUp() override {
    LuaTest::SetUp();
    options.call_budget = milliseconds(20);
    options.memory_budget = 8u << 20;
  }
};

class Runaways : public Budget, public ::testing::WithParamInterface<Runaway> {};

TEST_P(Runaways, StopWithinTheBudgetAreDisabledAndSpareTheOthers) {
  const Runaway& r = GetParam();
  options.call_budget = r.call_budget;
  dir.write("runaway", "local S = {}\nfunction S.on_bar(ctx, bar)\n" + r.on_bar_body + "\nend\nreturn S\n");
  dir.write("healthy", kHealthy);
  Host& h = load({"runaway", "healthy"});

  const auto start = SteadyClock::now();
  h.on_bar(bar("005930", 72500));
  const auto elapsed = SteadyClock::now() - start;

  EXPECT_LT(elapsed, options.call_budget + kSlack);
  EXPECT_FALSE(h.enabled("runaway"));
  EXPECT_EQ(h.errors("runaway"), 1u);
  EXPECT_THAT(h.last_error("runaway"),
              StartsWith("on_bar: " + dir.script("runaway") + ":" + std::to_string(r.line) + ": "));
  EXPECT_THAT(h.last_error("runaway"), HasSubstr(r.message));
  EXPECT_THAT(logs->text(), HasSubstr("[runaway] disabled after on_bar: "));

  h.on_bar(bar("005930", 72600));
  h.on_bar(bar("005930", 72700));
  EXPECT_EQ(api.intents_from("healthy"), 3u);
  EXPECT_EQ(api.intents_from("runaway"), 0u);
  EXPECT_EQ(h.errors("runaway"), 1u);  // not called again
  EXPECT_TRUE(h.enabled("healthy"));
  EXPECT_EQ(h.errors("healthy"), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Budget, Runaways,
    ::testing::Values(
        Runaway{"WhileTrue", "while true do end", "call budget of 20 ms exceeded", 3},
        Runaway{"HugeForLoop", "for i = 1, 1e15 do end", "call budget of 20 ms exceeded", 3},
        Runaway{"PcallCannotSwallowTheStop",
                "while true do pcall(function() while true do end end) end", "call budget of 20 ms exceeded", 3},
        Runaway{"XpcallHandlerCannotEither",
                "while true do xpcall(function() while true do end end, function() while true do end end) end",
                "call budget of 20 ms exceeded", 3},
        Runaway{"SortComparatorLoops",
                "table.sort({ 3, 2, 1 }, function(a, b) while true do end end)", "call budget of 20 ms exceeded", 3},
        Runaway{"UnboundedAllocation", "local t = {} while true do t[#t + 1] = { bar.close } end",
                "memory budget exceeded", 3, milliseconds(5000)},
        Runaway{"UnboundedStrings", "local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 100) .. i end",
                "memory budget exceeded", 3, milliseconds(5000)},
        Runaway{"OneHugeAllocation", "local s = string.rep('x', 64 * 1024 * 1024)",
                "memory budget of 8 MiB exceeded (an allocation was refused)", 3, milliseconds(5000)},
        Runaway{"CaughtOutOfMemory", "local ok = pcall(string.rep, 'x', 64 * 1024 * 1024) for i = 1, 1e4 do end",
                "memory budget of 8 MiB exceeded (an allocation was refused)", 3, milliseconds(5000)},
        Runaway{"InfiniteRecursion", "local function f(n) return 1 + f(n + 1) end f(1)", "stack overflow", 3,
                milliseconds(5000)}),
    [](const ::testing::TestParamInfo<Runaway>& p) { return p.param.name; });

TEST_F(Budget, LargeAllocationsAreTimedToo) {
  // A MiB per call to string.rep: about 90 of them fit between two hook
  // checks, and faulting in 64 MiB takes far longer than the budget.
  options.memory_budget = 64u << 20;
  dir.write("hoard", "return { on_bar = function()\n"
                     "  local t, n = {}, 0 while true do n = n + 1 t[n] = string.rep(n .. ' ', 262144) end\nend }\n");
  Host& h = load({"hoard"});
  const auto start = SteadyClock::now();
  h.on_bar(bar("005930", 1));
  EXPECT_LT(SteadyClock::now() - start, options.call_budget + kSlack);
  EXPECT_FALSE(h.enabled("hoard"));
  EXPECT_EQ(h.last_error("hoard"), "on_bar: " + dir.script("hoard") + ":2: call budget of 20 ms exceeded");
}

TEST_F(Budget, TheStopComesAfterTheBudgetNotBefore) {
  options.call_budget = milliseconds(50);
  dir.write("slow", "return { on_bar = function() while true do end end }\n");
  Host& h = load({"slow"});
  const auto start = SteadyClock::now();
  h.on_bar(bar("005930", 1));
  const auto elapsed = SteadyClock::now() - start;
  EXPECT_GE(elapsed, milliseconds(50));
  EXPECT_LT(elapsed, milliseconds(50) + kSlack);
  EXPECT_FALSE(h.enabled("slow"));
}

TEST_F(Budget, EachCallGetsTheWholeBudget) {
  // Calls that each take a fair share of the budget, until together they
  // have run for twice the budget: a budget per call, not per strategy.
  options.call_budget = milliseconds(200);
  dir.write("steady", R"(
return { on_bar = function(ctx, bar)
  local x = 0
  for i = 1, 1e6 do x = x + i end
end }
)");
  dir.write("healthy", kHealthy);
  Host& h = load({"steady", "healthy"});
  const auto start = SteadyClock::now();
  std::size_t bars = 0;
  while (SteadyClock::now() - start < 2 * options.call_budget && bars < 10'000) {
    h.on_bar(bar("005930", 100));
    ++bars;
  }
  EXPECT_GT(SteadyClock::now() - start, 2 * options.call_budget);
  EXPECT_TRUE(h.enabled("steady")) << h.last_error("steady");
  EXPECT_EQ(api.intents_from("healthy"), bars);
}

TEST_F(Budget, OnePauseLongerThanTheBudgetDoesNotStopAHealthyScript) {
  // The engine (or the OS) holds the thread for 1.5 budgets in the middle of
  // a callback that then runs a little more Lua (enough for several checks).
  options.call_budget = milliseconds(100);
  api.submit_delay = milliseconds(150);
  dir.write("paused", R"(
return { on_bar = function(ctx, bar)
  ctx:buy(bar.code, { qty = 1 })
  local x = 0
  for i = 1, 20000 do x = x + i end
end }
)");
  Host& h = load({"paused"});
  h.on_bar(bar("005930", 1));
  h.on_bar(bar("005930", 2));
  EXPECT_TRUE(h.enabled("paused")) << h.last_error("paused");
  EXPECT_EQ(api.intents.size(), 2u);
}

TEST_F(Budget, AScriptThatKeepsPausingIsStillStopped) {
  api.submit_delay = milliseconds(15);
  dir.write("slow_loop", R"(
return { on_bar = function(ctx, bar)
  while true do
    ctx:buy(bar.code, { qty = 1 })
    for i = 1, 1000 do end
  end
end }
)");
  Host& h = load({"slow_loop"});
  const auto start = SteadyClock::now();
  h.on_bar(bar("005930", 1));
  EXPECT_LT(SteadyClock::now() - start, milliseconds(20) * 4 + kSlack);
  EXPECT_FALSE(h.enabled("slow_loop"));
  EXPECT_THAT(h.last_error("slow_loop"), HasSubstr("call budget of 20 ms exceeded"));
}

TEST_F(Budget, GarbageIsNotLiveData) {
  // Allocates several times the memory budget in total, but keeps little.
  dir.write("churn", R"(
return { on_bar = function(ctx, bar)
  for i = 1, 20000 do local t = { i, i + 1, i + 2, tostring(i) } end
end }
)");
  options.call_budget = std::chrono::seconds(2);
  Host& h = load({"churn"});
  for (int i = 0; i < 20; ++i) h.on_bar(bar("005930", 100));
  EXPECT_TRUE(h.enabled("churn")) << h.last_error("churn");
  EXPECT_EQ(h.errors("churn"), 0u);
}

TEST_F(Budget, ARunawayOnInitIsDisabledToo) {
  dir.write("init", "return { on_init = function() while true do end end, on_bar = function() end }\n");
  dir.write("healthy", kHealthy);
  Host& h = load({"init", "healthy"});
  h.on_init();
  EXPECT_FALSE(h.enabled("init"));
  EXPECT_THAT(h.last_error("init"), HasSubstr("on_init: " + dir.script("init") + ":1: call budget of 20 ms exceeded"));
  h.on_bar(bar("005930", 1));
  EXPECT_EQ(api.intents_from("healthy"), 1u);
}

TEST_F(Budget, ARunawayChunkFailsTheLoad) {
  dir.write("top", "local S = {}\nwhile true do end\nreturn S\n");
  const Status status = try_load({"top"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "strategy 'top': " + dir.script("top") + ":2: call budget of 20 ms exceeded");
}

TEST_F(Budget, AMemoryBudgetTooSmallForTheLibrariesFailsTheLoad) {
  options.memory_budget = 16u << 10;
  dir.write("tiny", "return {}\n");
  const Status status = try_load({"tiny"});
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("strategy 'tiny': " + dir.script("tiny") + ": cannot"));
}

TEST_F(Budget, AWantsTicksStrategyThatIsDisabledNoLongerWantsThem) {
  dir.write("ticky", "return { on_tick = function() while true do end end }\n");
  Host& h = load({"ticky"});
  EXPECT_TRUE(h.wants_ticks());
  h.on_tick(tick("005930", 100));
  EXPECT_FALSE(h.enabled("ticky"));
  EXPECT_FALSE(h.wants_ticks());
}

}  // namespace
}  // namespace dalbit::lua::testing
