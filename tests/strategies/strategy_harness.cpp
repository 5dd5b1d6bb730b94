#include "strategies/strategy_harness.h"

#include <fmt/format.h>

namespace dalbit::strategies::testing {
namespace {

Timestamp at(std::string_view date, std::string_view time) {
  const auto t = parse_kst_timestamp(fmt::format("{} {}", date, time));
  EXPECT_TRUE(t.has_value()) << date << " " << time;
  return t.value_or(Timestamp{});
}

const config::Config& shipped_config() {
  static const config::Config cfg = [] {
    auto r = config::load(DALBIT_SOURCE_DIR "/config/dalbit.json");
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : config::Config{};
  }();
  return cfg;
}


config::Params merged(const std::map<std::string, config::Params>& section, const char* what,
                      const std::string& name, const config::Params& overrides) {
  const auto it = section.find(name);
  EXPECT_NE(it, section.end()) << "config/dalbit.json has no " << what << "." << name;
  config::Params params = it == section.end() ? config::Params{} : it->second;
  for (const auto& [key, value] : overrides) params[key] = value;
  return params;
}

}  // namespace

void StrategyTest::SetUp() {
  LuaTest::SetUp();
  options.strategies_dir = DALBIT_SOURCE_DIR "/scripts/strategies";
  options.risk_dir = DALBIT_SOURCE_DIR "/scripts/risk";
  api.clock_now = at(kDay, "08:59:00");
}

void StrategyTest::start(const std::string& name, const config::Params& overrides) {
  load({name}, {{name, merged(shipped_config().strategies, "strategies", name, overrides)}});
  host->on_clock(api.clock_now);
  host->on_init();
  expect_no_errors(name);
  EXPECT_TRUE(host->enabled(name)) << host->last_error(name);
}

void StrategyTest::start_risk(const std::string& name, const config::Params& overrides) {
  host = std::make_unique<lua::Host>(api, options);
  const Status loaded =
      host->load_risk({name}, {{name, merged(shipped_config().risk_scripts, "risk_scripts", name, overrides)}});
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  host->on_clock(api.clock_now);
  host->on_init();
  expect_no_errors("risk/" + name);
  EXPECT_TRUE(host->enabled("risk/" + name)) << host->last_error("risk/" + name);
}

RiskVerdict StrategyTest::check(std::string_view strategy, std::string_view stock, Side side, std::int64_t qty,
                                std::int64_t amount, std::string_view reason, std::int64_t limit,
                                std::string_view condition) {
  return host->check_risk(Intent{.strategy = std::string(strategy), .reason = std::string(reason),
                                 .code = code(stock), .side = side,
                                 .type = limit > 0 ? OrderType::Limit : OrderType::Market, .limit = Price(limit),
                                 .qty = Qty(qty), .amount = Krw(amount), .condition = std::string(condition)});
}

void StrategyTest::advance(Timestamp to) {
  api.clock_now = to;
  host->on_clock(to);
}

void StrategyTest::bar(std::string_view stock, std::string_view hhmm, Candle c, int minutes, std::string_view date) {
  if (c.open == 0) c.open = c.close;
  if (c.high == 0) c.high = std::max(c.open, c.close);
  if (c.low == 0) c.low = std::min(c.open, c.close);
  const Timestamp start = at(date, fmt::format("{}:00", hhmm));
  advance(start + std::chrono::minutes(minutes));
  api.last[code(stock)] = Price(c.close);
  host->on_bar(Bar{.time = start, .code = code(stock), .open = Price(c.open), .high = Price(c.high),
                   .low = Price(c.low), .close = Price(c.close), .volume = Qty(c.volume), .minutes = minutes});
}

void StrategyTest::closes(std::string_view stock, std::string_view first_hhmm,
                          std::initializer_list<std::int64_t> prices, std::int64_t volume) {
  const auto first = parse_time_of_day(first_hhmm);
  ASSERT_TRUE(first.has_value()) << first_hhmm;
  int minute = first->seconds / 60;
  for (const auto close : prices) {
    bar(stock, fmt::format("{:02}:{:02}", minute / 60, minute % 60), {.close = close, .volume = volume});
    ++minute;
  }
}

void StrategyTest::trade(std::string_view stock, std::string_view time, std::int64_t price, std::int64_t volume,
                         std::string_view date) {
  advance(at(date, time));
  api.last[code(stock)] = Price(price);
  host->on_tick(Tick{.time = api.clock_now, .code = code(stock), .price = Price(price), .volume = Qty(volume)});
}

void StrategyTest::clock(std::string_view time, std::string_view date) { advance(at(date, time)); }

void StrategyTest::condition(std::string_view stock, std::string_view formula, std::string_view kind) {
  host->on_condition(code(stock), formula, kind);
}

void StrategyTest::filled(const std::string& strategy, OrderId id, std::string_view stock, Side side,
                          std::int64_t qty, std::int64_t price) {
  auto& pos = api.held[code(stock)];
  if (side == Side::Buy) {
    if (pos.qty.value() == 0) {
      pos = lua::testing::position(stock, 0);
      pos.opened = api.clock_now;
    }
    pos.qty = pos.qty + Qty(qty);
    pos.cost = pos.cost + Price(price) * Qty(qty);
  } else {
    const Price avg = pos.avg_price();
    pos.qty = pos.qty - Qty(qty);
    pos.cost = avg * pos.qty;
    if (pos.qty.value() <= 0) api.held.erase(code(stock));
  }
  Order o = lua::testing::order(id, strategy, stock);
  o.side = side;
  o.qty = Qty(qty);
  o.filled = Qty(qty);
  o.filled_value = Price(price) * Qty(qty);
  o.status = OrderStatus::Filled;
  Fill f = lua::testing::fill(id, stock);
  f.side = side;
  f.price = Price(price);
  f.qty = Qty(qty);
  f.time = api.clock_now;
  host->on_fill(f, o);
  host->on_order(o);
}

void StrategyTest::ended(const std::string& strategy, OrderId id, std::string_view stock, Side side,
                         OrderStatus status) {
  Order o = lua::testing::order(id, strategy, stock);
  o.side = side;
  o.status = status;
  host->on_order(o);
}

void StrategyTest::hold(std::string_view stock, std::int64_t qty, std::int64_t avg_price, std::string_view opened) {
  Position p = lua::testing::position(stock, qty, qty * avg_price);
  p.opened = at(kDay, opened);
  api.held[code(stock)] = p;
}

void StrategyTest::expect(const Intent& got, const Expected& want) {
  if (!want.code.empty()) {
    EXPECT_EQ(got.code.str(), want.code);
  }
  if (want.side) {
    EXPECT_EQ(got.side, *want.side);
  }
  if (want.qty) {
    EXPECT_EQ(got.qty.value(), *want.qty);
  }
  if (want.amount) {
    EXPECT_EQ(got.amount.value(), *want.amount);
  }
  if (want.type) {
    EXPECT_EQ(got.type, *want.type);
  }
  if (want.limit) {
    EXPECT_EQ(got.limit.value(), *want.limit);
  }
  if (!want.reason.empty()) {
    EXPECT_EQ(got.reason, want.reason);
  }
}

void StrategyTest::expect_no_errors(const std::string& name) const {
  EXPECT_EQ(host->errors(name), 0u) << host->last_error(name);
}

}  // namespace dalbit::strategies::testing
