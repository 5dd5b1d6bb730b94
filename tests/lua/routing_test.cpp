// What each strategy receives: subscriptions (ticks, bar intervals, book,
// conditions, scans), N-minute bars built by the host, the watchlist and the
// session phases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

using Routing = LuaTest;

// Logs every event it gets; `init` runs in on_init.
std::string recorder(const std::string& init) {
  return R"(
local S = {}
function S.on_init(ctx) )" + init + R"( end
function S.on_bar(ctx, b)
  ctx:log("bar%d %s %s o%d h%d l%d c%d v%d", b.minutes, b.code, b.date .. " " .. b.hhmm, b.open, b.high, b.low,
          b.close, b.volume)
end
function S.on_tick(ctx, t) ctx:log("tick %s %d", t.code, t.price) end
function S.on_book(ctx, b)
  local asks, bids = {}, {}
  for _, l in ipairs(b.asks) do asks[#asks + 1] = l.price .. "x" .. l.qty end
  for _, l in ipairs(b.bids) do bids[#bids + 1] = l.price .. "x" .. l.qty end
  ctx:log("book %s %d asks %s bids %s", b.code, b.hhmm, table.concat(asks, ","), table.concat(bids, ","))
end
function S.on_condition(ctx, ev) ctx:log("condition %s %s %s", ev.code, ev.condition, ev.kind) end
function S.on_scan(ctx, scan)
  local codes = {}
  for _, item in ipairs(scan.items) do
    codes[#codes + 1] = string.format("%d:%s:%d:%.1f:%d:%d:%.1f", item.rank, item.code, item.price, item.change_pct,
                                      item.volume, item.value, item.surge_pct)
  end
  ctx:log("scan %s %s", scan.kind, table.concat(codes, " "))
end
function S.on_session(ctx, phase) ctx:log("session %s", phase) end
return S
)";
}

// A 1-minute bar of `stock` starting at `hhmm` (KST, 2026-01-05) with distinct OHLCV.
Bar minute(std::string_view stock, int hhmm, std::int64_t close, std::int64_t volume = 10) {
  Bar b = bar(stock, close);
  b.time = from_kst({2026, 1, 5}, TimeOfDay::hm(hhmm / 100, hhmm % 100));
  b.open = Price(close - 1);
  b.high = Price(close + 5);
  b.low = Price(close - 5);
  b.volume = Qty(volume);
  return b;
}

// The lines holding `part`, without the host's "loaded (...)" line.
std::vector<std::string> lines_with(const std::vector<std::string>& lines, std::string_view part) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    if (l.find(part) != std::string::npos && l.find("] loaded (") == std::string::npos) out.push_back(l);
  }
  return out;
}

TEST_F(Routing, WithoutSubscribingAStrategyGetsMinuteBarsAndTicksIfItHasOnTick) {
  Host& h = run("r", recorder(""));
  EXPECT_TRUE(h.wants_ticks());
  h.on_bar(minute("005930", 900, 100));
  h.on_tick(tick("005930", 101));
  h.on_book(Book{.time = *parse_kst_timestamp("2026-01-05 09:01:00"), .code = code("005930"), .asks = {}, .bids = {}});
  h.on_condition(code("005930"), "gap", "enter");
  const ScanItem item{.code = code("005930")};
  h.on_scan("volume_top", std::span(&item, 1));
  EXPECT_THAT(lines_with(logs->lines(), "[r] "), ElementsAre("[r] bar1 005930 2026-01-05 900 o99 h105 l95 c100 v10",
                                                              "[r] tick 005930 101"));
}

TEST_F(Routing, SubscribingToBarsOnlyStopsTicks) {
  Host& h = run("r", recorder(R"(ctx:subscribe{ bars = "1m" })"));
  EXPECT_FALSE(h.wants_ticks());
  h.on_tick(tick("005930", 101));
  EXPECT_THAT(logs->text(), Not(HasSubstr("[r] tick")));
}

TEST_F(Routing, FiveMinuteBarsAreBuiltFromMinuteBarsAlignedToTheOpen) {
  Host& h = run("r", recorder(R"(ctx:subscribe{ bars = "5m" })"));
  for (int m = 0; m < 10; ++m) h.on_bar(minute("005930", 900 + m, 100 + m * 10, m + 1));
  EXPECT_THAT(lines_with(logs->lines(), "[r] bar"),
              ElementsAre("[r] bar5 005930 2026-01-05 900 o99 h145 l95 c140 v15",
                          "[r] bar5 005930 2026-01-05 905 o149 h195 l145 c190 v40"));
}

TEST_F(Routing, ABucketWithoutItsLastMinuteCompletesWhenALaterBarArrives) {
  Host& h = run("r", recorder(R"(ctx:subscribe{ bars = { "1m", "5m" } })"));
  h.on_bar(minute("005930", 900, 100));
  h.on_bar(minute("005930", 902, 120));
  h.on_bar(minute("000660", 905, 500));  // 005930 did not trade at 09:04
  EXPECT_THAT(lines_with(logs->lines(), "[r] bar"),
              ElementsAre("[r] bar1 005930 2026-01-05 900 o99 h105 l95 c100 v10",
                          "[r] bar1 005930 2026-01-05 902 o119 h125 l115 c120 v10",
                          "[r] bar5 005930 2026-01-05 900 o99 h125 l95 c120 v20",
                          "[r] bar1 000660 2026-01-05 905 o499 h505 l495 c500 v10"));
}

TEST_F(Routing, TheLastHourlyBarEndsAtTheClose) {
  Host& h = run("r", recorder(R"(ctx:subscribe{ bars = "60m" })"));
  for (int m = 0; m < 30; ++m) h.on_bar(minute("005930", 1500 + m, 100 + m));
  EXPECT_THAT(lines_with(logs->lines(), "[r] bar"), ElementsAre("[r] bar60 005930 2026-01-05 1500 o99 h134 l95 c129 v300"));
}

TEST_F(Routing, TheClosingSessionCompletesPartialBarsBeforeOnSession) {
  Host& h = run("r", recorder(R"(ctx:subscribe{ bars = "15m" })"));
  h.on_bar(minute("005930", 1515, 100));
  h.on_bar(minute("005930", 1516, 110));
  h.on_session("closed");
  EXPECT_THAT(lines_with(logs->lines(), "[r] "), ElementsAre("[r] bar15 005930 2026-01-05 1515 o99 h115 l95 c110 v20",
                                                              "[r] session closed"));
}

TEST_F(Routing, ABucketBegunBeforeTheSubscriptionIsNotDeliveredHalfBuilt) {
  Host& h = run("r", R"(
local S = {}
function S.on_bar(ctx, b)
  ctx:log("bar%d %d", b.minutes, b.hhmm)
  if b.hhmm == 902 and b.minutes == 1 then ctx:subscribe{ bars = { "1m", "5m" } } end
end
return S
)");
  for (int m = 0; m < 10; ++m) h.on_bar(minute("005930", 900 + m, 100));
  EXPECT_THAT(lines_with(logs->lines(), "[r] bar5"), ElementsAre("[r] bar5 905"));
}

TEST_F(Routing, BarsOfOtherLengthsGoToTheirSubscribersAsThey) {
  Host& h = run("r", recorder(R"(ctx:subscribe{ bars = "3m" })"));
  Bar three = minute("005930", 900, 100);
  three.minutes = 3;
  h.on_bar(three);
  h.on_bar(minute("005930", 903, 100));  // a minute bar starts a bucket of its own
  EXPECT_THAT(lines_with(logs->lines(), "[r] bar"), ElementsAre("[r] bar3 005930 2026-01-05 900 o99 h105 l95 c100 v10"));
}

TEST_F(Routing, TheWatchlistFiltersTicksBarsAndBooks) {
  Host& h = run("r", recorder(R"(
ctx:subscribe{ ticks = true, bars = "1m", book = true }
ctx:log("watch %s %s", tostring(ctx:watch("000660")), tostring(ctx:watch("000660")))
ctx:log("watchlist %s", table.concat(ctx:watchlist(), ",")))"));
  h.on_tick(tick("005930", 1));
  h.on_tick(tick("000660", 2));
  h.on_bar(minute("005930", 900, 3));
  h.on_bar(minute("000660", 900, 4));
  h.on_book(Book{.time = *parse_kst_timestamp("2026-01-05 09:01:00"), .code = code("005930"), .asks = {}, .bids = {}});
  h.on_condition(code("005930"), "gap", "enter");  // conditions are not filtered (not subscribed here)
  EXPECT_THAT(lines_with(logs->lines(), "[r] "),
              ElementsAre("[r] watch true true", "[r] watchlist 000660", "[r] tick 000660 2",
                          "[r] bar1 000660 2026-01-05 900 o3 h9 l-1 c4 v10"));
}

TEST_F(Routing, UnwatchingTheLastCodeReceivesEverythingAgain) {
  Host& h = run("r", R"(
local S = {}
function S.on_init(ctx) ctx:subscribe{ ticks = true } ctx:watch("000660") end
function S.on_tick(ctx, t)
  ctx:log("tick %s", t.code)
  ctx:log("unwatch %s %s", tostring(ctx:unwatch("000660")), tostring(ctx:unwatch("000660")))
end
return S
)");
  h.on_tick(tick("005930", 1));
  h.on_tick(tick("000660", 2));
  h.on_tick(tick("005930", 3));
  EXPECT_THAT(lines_with(logs->lines(), "[r] "), ElementsAre("[r] tick 000660", "[r] unwatch true false",
                                                              "[r] tick 005930", "[r] unwatch false false"));
}

TEST_F(Routing, BooksGoToSubscribersWithTheirLevels) {
  dir.write("sub", recorder("ctx:subscribe{ book = true }"));
  dir.write("not", recorder(""));
  Host& h = load({"sub", "not"});
  h.on_init();
  Book book{.time = *parse_kst_timestamp("2026-01-05 09:01:00"), .code = code("005930"),
            .asks = {{Price(72600), Qty(10)}, {Price(72700), Qty(20)}},
            .bids = {{Price(72500), Qty(5)}, {Price(72400), Qty(7)}, {Price(72300), Qty(1)}}};
  h.on_book(book);
  book.bids.resize(1);
  h.on_book(book);
  EXPECT_THAT(lines_with(logs->lines(), "book"),
              ElementsAre("[sub] book 005930 901 asks 72600x10,72700x20 bids 72500x5,72400x7,72300x1",
                          "[sub] book 005930 901 asks 72600x10,72700x20 bids 72500x5"));
}

TEST_F(Routing, ConditionsGoToTheirSubscribersOnly) {
  Host& h = run("r", recorder(R"(ctx:subscribe{ conditions = { "gap_up", "급등" } })"));
  h.on_condition(code("005930"), "gap_up", "enter");
  h.on_condition(code("000660"), "급등", "exit");
  h.on_condition(code("035720"), "other", "enter");
  h.on_condition(code("035720"), "gap_up", "sideways");  // not a kind: refused by the host
  EXPECT_THAT(lines_with(logs->lines(), "condition"),
              ElementsAre("[r] condition 005930 gap_up enter", "[r] condition 000660 급등 exit"));
}

TEST_F(Routing, ScansGoToTheirSubscribersWithEveryItem) {
  Host& h = run("r", recorder(R"(ctx:subscribe{ scans = { "volume_surge", "value_top" } })"));
  const std::vector<ScanItem> items = {
      {.code = code("005930"), .rank = 1, .price = Price(72500), .change_pct = 2.5, .volume = Qty(1000),
       .value = Krw(72'500'000), .surge_pct = 350.5},
      {.code = code("000660"), .rank = 2, .price = Price(181000), .change_pct = -1.5, .volume = Qty(10),
       .value = Krw(1'810'000), .surge_pct = 0}};
  h.on_scan("volume_surge", items);
  h.on_scan("change_rate", items);
  h.on_scan("no_such_scan", items);
  EXPECT_THAT(lines_with(logs->lines(), "scan"),
              ElementsAre("[r] scan volume_surge 1:005930:72500:2.5:1000:72500000:350.5 "
                          "2:000660:181000:-1.5:10:1810000:0.0"));
}

TEST_F(Routing, SessionPhasesReachEveryStrategy) {
  Host& h = run("r", recorder(""));
  for (const auto* phase : {"pre_open", "open", "closing", "closed", "lunch"}) h.on_session(phase);
  EXPECT_THAT(lines_with(logs->lines(), "session"),
              ElementsAre("[r] session pre_open", "[r] session open", "[r] session closing", "[r] session closed"));
}

TEST_F(Routing, SubscriptionsSummariseWhatTheStrategiesWant) {
  dir.write("a", recorder(R"(ctx:subscribe{ bars = { "5m", "1m" }, conditions = { "b", "a" } } ctx:watch("005930"))"));
  dir.write("b", recorder(R"(ctx:subscribe{ ticks = true, book = true, scans = { "change_rate" } } ctx:watch("000660"))"));
  Host& h = load({"a", "b"});
  h.on_init();
  const Subscriptions s = h.subscriptions();
  EXPECT_TRUE(s.ticks);
  EXPECT_THAT(s.bar_minutes, ElementsAre(1, 5));
  EXPECT_TRUE(s.book);
  EXPECT_THAT(s.conditions, ElementsAre("a", "b"));
  EXPECT_THAT(s.scans, ElementsAre("change_rate"));
  EXPECT_THAT(s.watched, ElementsAre(code("000660"), code("005930")));
  EXPECT_FALSE(s.all_codes);
}

TEST_F(Routing, LaterSubscribeCallsChangeOnlyTheKeysTheyGive) {
  Host& h = run("r", recorder(R"(ctx:subscribe{ bars = "5m" } ctx:subscribe{ ticks = true })"));
  EXPECT_TRUE(h.wants_ticks());
  EXPECT_THAT(h.subscriptions().bar_minutes, ElementsAre(5));
}

struct BadSubscribe {
  std::string call;
  std::string message;
};

class SubscribeRefuses : public LuaTest, public ::testing::WithParamInterface<BadSubscribe> {};

TEST_P(SubscribeRefuses, WithTheMessageAtTheScriptsLine) {
  run("r", "return { on_init = function(ctx)\n" + GetParam().call + "\nend, on_bar = function() end }\n");
  EXPECT_EQ(host->last_error("r"), "on_init: " + dir.script("r") + ":2: ctx:subscribe: " + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Routing, SubscribeRefuses,
    ::testing::Values(
        BadSubscribe{"ctx:subscribe()", "needs a table such as { bars = \"5m\", ticks = true }, got nil"},
        BadSubscribe{"ctx:subscribe{ bars = \"2m\" }",
                     "bars must be \"1m\", \"3m\", \"5m\", \"15m\" or \"60m\" or a list of them, got \"2m\""},
        BadSubscribe{"ctx:subscribe{ bars = { \"1m\", 5 } }",
                     "bars must be \"1m\", \"3m\", \"5m\", \"15m\" or \"60m\" or a list of them, got 5"},
        BadSubscribe{"ctx:subscribe{ ticks = 1 }", "ticks must be true or false, got 1"},
        BadSubscribe{"ctx:subscribe{ scans = { \"hot\" } }",
                     "scans[1]: unknown scan \"hot\" (known: volume_surge, change_rate, volume_top, value_top)"},
        BadSubscribe{"ctx:subscribe{ conditions = \"gap\" }", "conditions must be a list of names, got \"gap\""},
        BadSubscribe{"ctx:subscribe{ conditions = { \"\" } }", "conditions[1] must be a non-empty string, got \"\""},
        BadSubscribe{"ctx:subscribe{ bar = \"1m\" }",
                     "unknown key 'bar' (known: ticks, bars, book, conditions, scans)"}));

TEST_F(Routing, ADisabledStrategyNoLongerWantsTicks) {
  options.call_budget = std::chrono::milliseconds(20);
  Host& h = run("r", "return { on_tick = function(ctx, t) while true do end end }\n");
  EXPECT_TRUE(h.wants_ticks());
  h.on_tick(tick("005930", 1));
  EXPECT_FALSE(h.enabled("r"));
  EXPECT_FALSE(h.wants_ticks());
  EXPECT_THAT(h.subscriptions().bar_minutes, IsEmpty());
}

}  // namespace
}  // namespace dalbit::lua::testing
