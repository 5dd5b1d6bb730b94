// dalbit's configuration: JSON with comments, validated as a whole at start.
// Every problem (unknown key, wrong type, value out of range) is reported with
// the file and the key path; docs/config.md documents each key.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/krx.h"
#include "core/money.h"
#include "core/result.h"
#include "core/secret.h"
#include "core/stock_code.h"
#include "core/time.h"

namespace dalbit::config {

struct Account {
  Krw initial_cash{10'000'000};
};

struct Market {
  krx::SessionTimes sessions;
  int price_limit_pct = 30;
  std::vector<KstDate> holidays;
};

enum class DailyLossAction : std::uint8_t { Reducing, Halted };

struct Risk {
  Krw max_order_value{2'000'000};
  Krw max_position_value{3'000'000};
  int max_open_positions = 5;
  // The engine's own stop-loss, under every script: a holding that falls this
  // many percent below its average price is sold at market. 0 turns it off.
  double stop_loss_floor_pct = 0;
  TimeOfDay buy_window_start = TimeOfDay::hm(9, 0);
  TimeOfDay buy_window_end = TimeOfDay::hm(15, 20);
  // The limits below are off at 0, so a backtest without them runs as before.
  // Strategy orders (the floor's and the kill switch's exits are exempt).
  int max_orders_per_second = 0;
  int max_orders_per_day = 0;
  // Cost of every position + cash held back by open buys + the new buy, won.
  Krw max_total_exposure{0};
  // Realized today + unrealized (after fees and tax) at or below -this moves
  // the engine to daily_loss_action until the next trading day.
  Krw daily_loss_limit{0};
  DailyLossAction daily_loss_action = DailyLossAction::Halted;
  // An intent identical to the same strategy's last order within this many seconds is vetoed.
  int duplicate_window_s = 0;
  // The broker connection down this long stops new buys until it returns.
  int connectivity_timeout_s = 30;
};

struct FillModel {
  int max_volume_pct = 25;  // at most this share of each trade's volume fills us
};

enum class BadRowPolicy { Skip, Stop };
struct Data {
  BadRowPolicy on_bad_row = BadRowPolicy::Skip;
};

struct Logging {
  std::string dir = "logs";
  std::string level = "info";
  int retention_days = 14;
  bool console = true;
};

struct Store {
  std::string path = "var/dalbit.db";
};

struct Lua {
  std::string strategies_dir = "scripts/strategies";
  std::string risk_dir = "scripts/risk";
  int call_budget_ms = 5;        // wall time a callback may take before the script is stopped
  int memory_budget_mb = 64;     // per strategy state
  int max_errors = 20;           // a script raising this many errors ...
  int error_window_s = 60;       // ... within this many seconds is disabled
  int reload_debounce_ms = 200;  // a saved file is reloaded once it has been quiet this long
};

// Where orders and market data go: Kiwoom's real host, its mock-trading host
// (모의투자), or the simulator (`dalbit sim`) on an address.
enum class Environment { Real, Mock, Simulator };
[[nodiscard]] std::string_view to_string(Environment e);

struct Broker {
  Environment environment = Environment::Simulator;
  std::string host = "127.0.0.1";        // simulator only
  int port = 0;                          // simulator only; `dalbit run --broker-port` overrides
  std::string ca_file = "var/sim/cert.pem";  // simulator only: the certificate it wrote
  // Orders on the real host need this (or `dalbit run --confirm-real`).
  bool confirm_real_orders = false;
  // Simulator only: run the engine's clock at the simulator's (fast) market clock.
  bool follow_simulator_clock = true;
};

struct Live {
  std::vector<StockCode> codes;          // market data to receive besides the strategies' watchlists
  int heartbeat_ms = 100;                // timers, reloads and the unfilled-order policy run this often
  int drift_check_s = 5;                 // compare the engine with the broker's account this often
  int scan_interval_s = 30;              // rankings strategies subscribed to (scans) are asked for this often
  std::string report_dir = "out";        // session reports
  std::string backup_dir = "var/backup"; // the store's daily online backup
  int backup_keep_days = 14;
  std::string control_dir = "var/run";   // pid file and commands (`dalbit kill`, `reload`, `resume`)
};

// What the engine does with a strategy's limit order that has not filled
// after `after_s` seconds (strategies.<name>.unfilled).
struct UnfilledPolicy {
  enum class Action : std::uint8_t { Market, Reprice, Cancel };
  int after_s = 30;
  Action action = Action::Cancel;
  int ticks = 1;  // Reprice: ticks toward the market
};

using ParamValue = std::variant<bool, std::int64_t, double, std::string>;
using Params = std::map<std::string, ParamValue>;

struct Config {
  std::string path;  // the file it came from, for messages
  Account account;
  krx::FeeSchedule fees;
  Market market;
  Risk risk;
  FillModel fill_model;
  Data data;
  Logging logging;
  Store store;
  Lua lua;
  Broker broker;
  Live live;
  std::map<std::string, Params> strategies;    // strategy name -> its params
  std::map<std::string, UnfilledPolicy> unfilled;  // strategy name -> its policy (absent: none)
  std::map<std::string, Params> risk_scripts;  // risk script name -> its params
  std::string credentials_file;              // optional; see load_credentials
};

// Parses and validates. On failure the error holds one line per problem:
// "<file>: <key.path>: expected ..., got ...".
[[nodiscard]] Result<Config> parse(const std::string& text, const std::string& file);
[[nodiscard]] Result<Config> load(const std::string& file);

// Broker and notification secrets. Taken from the environment
// (DALBIT_APP_KEY, DALBIT_SECRET_KEY, DALBIT_TELEGRAM_BOT_TOKEN) or, for the
// ones not set there, from `file`: a JSON object with keys app_key,
// secret_key, telegram_bot_token, which must be owned by the current user and
// readable by nobody else. Messages never contain a secret's value.
struct Credentials {
  Secret app_key;
  Secret secret_key;
  Secret telegram_bot_token;
};
[[nodiscard]] Result<Credentials> load_credentials(const std::string& file);

}  // namespace dalbit::config
