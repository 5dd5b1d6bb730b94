// The dalbit subcommands. Each returns the process exit code:
// 0 done, 1 the run failed, 2 bad usage or configuration.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dalbit::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitBadInput = 2;

struct BacktestOptions {
  std::string config = "config/dalbit.json";
  std::string data;
  std::vector<std::string> strategies;
  std::vector<std::string> risk;  // risk scripts in lua.risk_dir, checked in this order
  std::string from;  // YYYY-MM-DD, inclusive
  std::string to;
  std::string out;    // the JSON result file
  std::string store;  // overrides store.path
  bool verbose = false;
};
int backtest(const BacktestOptions& options);

struct GenDataOptions {
  std::string out;
  std::uint64_t seed = 1;
  int codes = 3;
  int days = 15;
  int tick_days = 1;
  int ticks_per_minute = 30;
  std::string from = "2026-01-05";
  std::string config;  // optional: take market.holidays from it
};
int gen_data(const GenDataOptions& options);

struct CheckOptions {
  std::vector<std::string> strategies;  // files; those in a directory named risk are risk scripts
  std::vector<std::string> risk;        // files checked as risk scripts
  std::string config;                   // compare params with this config (optional)
};
// Exit 1 when any script has an error, 0 when all are clean (warnings allowed).
int check(const CheckOptions& options);

struct TaOptions {
  std::string data;
  std::vector<std::string> only;  // indicator specs; empty: every indicator with its defaults
  std::string out;                // empty: standard output
};
int ta(const TaOptions& options);

struct SimCommandOptions {
  std::uint16_t port = 0;  // 0: an ephemeral port (printed)
  double speed = 1.0;      // simulated seconds per real second; 0 freezes the clock
  std::string start;       // "YYYY-MM-DD HH:MM[:SS]" KST; default: today 08:55 KST
  std::string app_key;     // default: $DALBIT_SIM_APP_KEY, else "sim-app-key"
  std::string secret_key;  // default: $DALBIT_SIM_SECRET_KEY, else "sim-secret-key"
  std::string cert;        // PEM certificate to serve (with key); default: a new self-signed one
  std::string key;
  std::string cert_out = "var/sim/cert.pem";
  std::vector<std::string> faults;
  std::uint64_t seed = 1;
  int codes = 9;
  std::int64_t cash = 100'000'000;
};
int sim(const SimCommandOptions& options);

struct BackupOptions {
  std::string store;  // the SQLite store to copy (left unchanged; an engine may be writing to it)
  std::string out;    // directory of the backups: <out>/dalbit-YYYYMMDD.db (today, KST)
  int keep_days = 0;  // > 0: then remove backups of days more than this many days ago
};
// Exit 2 when the store file does not exist, 1 when the copy or the pruning fails.
int backup(const BackupOptions& options);

}  // namespace dalbit::app
