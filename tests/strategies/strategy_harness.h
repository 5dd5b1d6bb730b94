// Drives the shipped scripts (scripts/strategies, scripts/risk) through the
// real Lua host with the fake engine of the lua tests: hand-made bars, ticks
// and events in, the intents they state out.
//
//   class Bollinger : public StrategyTest {};
//   TEST_F(Bollinger, X) {
//     start("bollinger", {{"period", std::int64_t{3}}});  // config/dalbit.json's params, overridden
//     bar("900010", "09:00", {.open = 100, .high = 110, .low = 90, .close = 100});
//     ASSERT_EQ(api.intents.size(), 1u);
//     expect(api.intents[0], {.code = "900010", .side = Side::Buy, .amount = 1'000'000, .reason = "..."});
//   }
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "config/config.h"
#include "lua/lua_test_support.h"

namespace dalbit::strategies::testing {

using lua::testing::code;
using lua::testing::FakeApi;

// One bar by hand. A bar given by its close alone has open = high = low = close.
struct Candle {
  std::int64_t open = 0;
  std::int64_t high = 0;
  std::int64_t low = 0;
  std::int64_t close = 0;
  std::int64_t volume = 1000;
};

// What an intent should be; fields left unset are not checked.
struct Expected {
  std::string code = {};
  std::optional<Side> side = {};
  std::optional<std::int64_t> qty = {};     // 0 for an intent sized by amount
  std::optional<std::int64_t> amount = {};  // 0 for an intent sized by qty
  std::optional<OrderType> type = {};
  std::optional<std::int64_t> limit = {};
  std::string reason = {};
};

// The date every test trades on unless it says otherwise: a Monday.
inline constexpr std::string_view kDay = "2026-01-05";

class StrategyTest : public lua::testing::LuaTest {
 protected:
  void SetUp() override;

  // Loads scripts/strategies/<name>.lua with its params from
  // config/dalbit.json, `overrides` on top, and runs its on_init.
  void start(const std::string& name, const config::Params& overrides = {});
  // Likewise for the risk script scripts/risk/<name>.lua alone.
  void start_risk(const std::string& name, const config::Params& overrides = {});
  // The risk scripts' verdict on a buy (or sell) of `strategy`; `condition` is Intent::condition.
  RiskVerdict check(std::string_view strategy, std::string_view stock, Side side, std::int64_t qty,
                    std::int64_t amount, std::string_view reason = "", std::int64_t limit = 0,
                    std::string_view condition = "");

  // A bar of `minutes` starting at `hhmm` ("09:05") on `date`. The clock
  // moves to the bar's end first, as in a backtest, and the last price to its
  // close.
  void bar(std::string_view stock, std::string_view hhmm, Candle c, int minutes = 1,
           std::string_view date = kDay);
  // One bar a minute from `first_hhmm` on, each given by its close.
  void closes(std::string_view stock, std::string_view first_hhmm, std::initializer_list<std::int64_t> prices,
              std::int64_t volume = 1000);
  // A trade at `time` ("09:05:01.5"); the clock and the last price move to it.
  void trade(std::string_view stock, std::string_view time, std::int64_t price, std::int64_t volume = 10,
             std::string_view date = kDay);
  // Moves the engine clock to `time` ("15:15:00") on `date` and tells the
  // host (timers due by then fire), as the engine does before each event.
  void clock(std::string_view time, std::string_view date = kDay);
  // A condition search hit: `kind` "enter" or "exit", at the clock's time.
  void condition(std::string_view stock, std::string_view formula, std::string_view kind);

  // The engine filled order `id` of `strategy` at `price`: the position
  // changes (a buy opens it now unless held), then on_order(filled) and
  // on_fill are delivered.
  void filled(const std::string& strategy, OrderId id, std::string_view stock, Side side, std::int64_t qty,
              std::int64_t price);
  // The order ended without a fill.
  void ended(const std::string& strategy, OrderId id, std::string_view stock, Side side, OrderStatus status);
  // A holding as if bought at `avg_price`, opened at `opened` ("09:00:00") on kDay.
  void hold(std::string_view stock, std::int64_t qty, std::int64_t avg_price, std::string_view opened = "09:00:00");

  // Field by field, so a failure names the field.
  static void expect(const Intent& got, const Expected& want);
  // The script ran without a Lua error.
  void expect_no_errors(const std::string& name) const;

 private:
  void advance(Timestamp to);
};

}  // namespace dalbit::strategies::testing
