// Shared by the lua tests: a fake StrategyApi that records what scripts ask
// for, a temporary strategies directory, and a capture of the lua log.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>

#include "core/time.h"
#include "log/log.h"
#include "lua/host.h"

namespace dalbit::lua::testing {

class FakeApi final : public StrategyApi {
 public:
  IntentResult submit(Intent intent) override {
    if (on_submit) on_submit(intent);
    if (submit_delay.count() > 0) std::this_thread::sleep_for(submit_delay);
    if (throw_on_submit) throw std::runtime_error("broker table corrupted");
    intents.push_back(std::move(intent));
    if (!veto.empty()) return {.accepted = false, .order_id = 0, .reason = veto};
    return {.accepted = true, .order_id = next_id++, .reason = {}};
  }
  bool cancel(std::string_view strategy, OrderId id) override {
    cancels.emplace_back(std::string(strategy), id);
    return id < next_id;
  }
  IntentResult modify(std::string_view strategy, OrderId id, std::optional<Price> limit,
                      std::optional<Qty> qty) override {
    modifies.push_back({std::string(strategy), id, limit, qty});
    if (!modify_veto.empty()) return {.accepted = false, .order_id = 0, .reason = modify_veto};
    return {.accepted = true, .order_id = next_id++, .reason = {}};
  }
  std::vector<Order> open_orders(std::string_view strategy) const override {
    std::vector<Order> out;
    for (const auto& o : orders) {
      if (strategy.empty() || o.strategy == strategy) out.push_back(o);
    }
    return out;
  }
  const Position* position(StockCode code) const override {
    const auto it = held.find(code);
    return it == held.end() ? nullptr : &it->second;
  }
  std::vector<Position> positions() const override {
    std::vector<Position> out;
    for (const auto& [c, p] : held) out.push_back(p);
    return out;
  }
  std::vector<SellRecord> todays_sells() const override { return sells; }
  Krw cash() const override { return cash_left; }
  Timestamp now() const override { return clock_now; }
  Price last_price(StockCode code) const override {
    const auto it = last.find(code);
    return it == last.end() ? Price(0) : it->second;
  }
  void notify(std::string_view strategy, std::string_view text) override {
    notifications.emplace_back(std::string(strategy) + ": " + std::string(text));
  }

  std::size_t intents_from(std::string_view strategy) const {
    return static_cast<std::size_t>(std::count_if(intents.begin(), intents.end(),
                                                  [&](const Intent& i) { return i.strategy == strategy; }));
  }

  struct Modify {
    std::string strategy;
    OrderId id;
    std::optional<Price> limit;
    std::optional<Qty> qty;
  };

  std::vector<Intent> intents;
  std::vector<std::pair<std::string, OrderId>> cancels;
  std::vector<Modify> modifies;
  std::string modify_veto;  // when set, every modify is refused with this reason
  std::vector<Order> orders;  // the open orders open_orders() reports
  std::vector<SellRecord> sells;
  std::vector<std::string> notifications;
  std::map<StockCode, Position> held;
  std::map<StockCode, Price> last;
  Krw cash_left{10'000'000};
  Timestamp clock_now = *parse_kst_timestamp("2026-01-05 09:01:30");
  std::string veto;  // when set, every intent is refused with this reason
  bool throw_on_submit = false;
  std::chrono::milliseconds submit_delay{0};  // a slow engine (or the OS pausing the thread)
  std::function<void(const Intent&)> on_submit;
  OrderId next_id = 1;
};

// A fresh directory for strategy files, removed afterwards. Kept short: Lua
// shortens chunk names beyond 60 characters in its messages.
class ScriptDir {
 public:
  ScriptDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("dlt-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScriptDir() { std::filesystem::remove_all(path_); }
  ScriptDir(const ScriptDir&) = delete;
  ScriptDir& operator=(const ScriptDir&) = delete;

  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / (name + ".lua"), std::ios::binary) << text;
  }
  [[nodiscard]] std::string str() const { return path_.string(); }
  [[nodiscard]] std::string script(const std::string& name) const { return (path_ / (name + ".lua")).string(); }

 private:
  std::filesystem::path path_;
};

// Collects what is logged to the lua category while it lives.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<Sink>()) { log::lua().sinks().push_back(sink_); }
  ~LogCapture() {
    auto& sinks = log::lua().sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  [[nodiscard]] std::vector<std::string> lines() const {
    std::lock_guard lock(sink_->lines_mutex);
    return sink_->lines;
  }
  [[nodiscard]] std::string text() const {
    std::string all;
    for (const auto& l : lines()) all += l + "\n";
    return all;
  }

 private:
  struct Sink final : spdlog::sinks::base_sink<std::mutex> {
    void sink_it_(const spdlog::details::log_msg& msg) override {
      std::lock_guard lock(lines_mutex);
      lines.emplace_back(msg.payload.data(), msg.payload.size());
    }
    void flush_() override {}
    mutable std::mutex lines_mutex;
    std::vector<std::string> lines;
  };
  std::shared_ptr<Sink> sink_;
};

inline StockCode code(std::string_view text) { return *StockCode::parse(text); }

inline Bar bar(std::string_view stock, std::int64_t close, std::string_view when = "2026-01-05 09:01:00") {
  return Bar{.time = *parse_kst_timestamp(when), .code = code(stock), .open = Price(close - 100),
             .high = Price(close + 200), .low = Price(close - 300), .close = Price(close), .volume = Qty(1234),
             .minutes = 1};
}

inline Position position(std::string_view stock, std::int64_t qty, std::int64_t cost = 0) {
  Position p;
  p.code = code(stock);
  p.qty = Qty(qty);
  p.cost = Krw(cost);
  return p;
}

inline Order order(OrderId id, std::string_view strategy, std::string_view stock = "005930") {
  Order o;
  o.id = id;
  o.code = code(stock);
  o.strategy = strategy;
  return o;
}

inline Fill fill(OrderId id, std::string_view stock = "005930") {
  Fill f;
  f.order_id = id;
  f.code = code(stock);
  return f;
}

inline Tick tick(std::string_view stock, std::int64_t price, std::string_view when = "2026-01-05 09:01:02.250") {
  return Tick{.time = *parse_kst_timestamp(when), .code = code(stock), .price = Price(price), .volume = Qty(7)};
}

// Each test gets a fresh strategies directory, a fake engine and the lua log.
// Budgets are generous here (a loaded CI machine may pause any call for a few
// ms); budget_test.cpp sets tight ones on purpose.
class LuaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::init({.dir = "", .level = "debug", .console = false});
    logs = std::make_unique<LogCapture>();
    options.strategies_dir = dir.str();
    options.risk_dir = dir.str();
    options.call_budget = std::chrono::seconds(2);
    // The error-rate limit has its own tests; elsewhere a script may fail as often as a test needs.
    options.max_errors = 1'000'000;
  }
  void TearDown() override {
    host.reset();
    logs.reset();
    log::shutdown();
  }

  Status try_load(const std::vector<std::string>& names, const std::map<std::string, config::Params>& params = {}) {
    host = std::make_unique<Host>(api, options);
    return host->load(names, params);
  }
  Host& load(const std::vector<std::string>& names, const std::map<std::string, config::Params>& params = {}) {
    const Status status = try_load(names, params);
    EXPECT_TRUE(status.ok()) << status.message();
    return *host;
  }
  // Loads one strategy made of `text` and runs its on_init.
  Host& run(const std::string& name, const std::string& text,
            const std::map<std::string, config::Params>& params = {}) {
    dir.write(name, text);
    load({name}, params).on_init();
    return *host;
  }

  FakeApi api;
  ScriptDir dir;
  HostOptions options;
  std::unique_ptr<Host> host;
  std::unique_ptr<LogCapture> logs;
};

}  // namespace dalbit::lua::testing
