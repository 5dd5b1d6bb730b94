// dalbit's command line. Wiring only: each subcommand lives in its own file.
#include <CLI/CLI.hpp>

#include "app/commands.h"
#include "live/session.h"
#include "ta/registry.h"

namespace {

std::string indicator_names() {
  std::string names;
  for (const auto& info : dalbit::ta::indicator_catalog()) {
    names += (names.empty() ? "" : ", ") + std::string(info.name);
  }
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dalbit::app;
  CLI::App cli{
      "dalbit (달빛): an automated trading engine for Kiwoom Securities with strategies in Lua.\n"
      "Money is whole won, times are KST. Exit codes: 0 done, 1 the run failed, 2 bad usage or config."};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", "dalbit 0.1.0");

  BacktestOptions bt;
  auto* backtest_cmd = cli.add_subcommand(
      "backtest",
      "Replay recorded bars or ticks through the strategies with simulated fills, store the run and "
      "print a summary (trades, P&L, win rate, max drawdown); a JSON result file is written too.");
  backtest_cmd->add_option("--config", bt.config, "Configuration file (JSON with comments)")
      ->capture_default_str()
      ->check(CLI::ExistingFile);
  backtest_cmd->add_option("--data", bt.data, "A bar or tick CSV file, or a directory of them (docs/data.md)")
      ->required();
  backtest_cmd->add_option("--strategies", bt.strategies,
                           "Comma-separated strategy names: scripts in lua.strategies_dir, without .lua")
      ->required()
      ->delimiter(',');
  backtest_cmd->add_option("--risk", bt.risk,
                           "Comma-separated risk script names: scripts in lua.risk_dir, without .lua; each may "
                           "veto or shrink every intent, in this order, before the hard limits")
      ->delimiter(',');
  backtest_cmd->add_option("--from", bt.from, "First KST date to replay, YYYY-MM-DD (inclusive)");
  backtest_cmd->add_option("--to", bt.to, "Last KST date to replay, YYYY-MM-DD (inclusive)");
  backtest_cmd->add_option("--out", bt.out, "Where to write the JSON result (default out/backtest-<run>.json)");
  backtest_cmd->add_option("--store", bt.store, "SQLite store to record the run in (default: store.path)");
  backtest_cmd->add_flag("--verbose,-v", bt.verbose, "Show every log line on the terminal, not only warnings");
  backtest_cmd->callback([&] { std::exit(backtest(bt)); });

  GenDataOptions gd;
  auto* gen_cmd = cli.add_subcommand(
      "gen-data",
      "Write deterministic synthetic market data (1-minute bars, and ticks for the last days) for "
      "backtests and benchmarks. The codes start with 9: they are invented, not real listings.");
  gen_cmd->add_option("--out", gd.out, "Output directory (bars/ and ticks/ are written under it)")->required();
  gen_cmd->add_option("--seed", gd.seed, "Random seed; the same seed gives the same bytes")->capture_default_str();
  gen_cmd->add_option("--codes", gd.codes, "Number of invented stock codes")->capture_default_str();
  gen_cmd->add_option("--days", gd.days, "Trading days of 1-minute bars (weekdays, holidays skipped)")
      ->capture_default_str();
  gen_cmd->add_option("--tick-days", gd.tick_days, "The last this many days also get tick files")
      ->capture_default_str();
  gen_cmd->add_option("--ticks-per-minute", gd.ticks_per_minute, "Average trades per minute")
      ->capture_default_str();
  gen_cmd->add_option("--from", gd.from, "First KST date, YYYY-MM-DD")->capture_default_str();
  gen_cmd->add_option("--config", gd.config, "Take the holidays to skip from this config's market.holidays");
  gen_cmd->callback([&] { std::exit(gen_data(gd)); });

  CheckOptions ck;
  auto* check_cmd = cli.add_subcommand(
      "check",
      "Compile and lint scripts in the real sandbox without trading: syntax and runtime errors in the top level, "
      "on_init and self_check; undefined or assigned globals; unknown ctx methods; callbacks that can never "
      "run; params that differ from the config. Prints file:line: message and exits 1 on any error.");
  check_cmd->add_option("files", ck.strategies,
                        "Script files (scripts/strategies/*.lua); files in a directory named risk are risk scripts");
  check_cmd->add_option("--risk", ck.risk, "Risk script files (scripts/risk/*.lua)")->delimiter(',');
  check_cmd->add_option("--config", ck.config, "Compare each script's params with this configuration")
      ->check(CLI::ExistingFile);
  check_cmd->callback([&] { std::exit(check(ck)); });

  TaOptions ta_opts;
  auto* ta_cmd = cli.add_subcommand(
      "ta",
      "Compute technical indicators over a bar CSV and write them as CSV aligned to the input rows "
      "(empty while an indicator is still in its look-back), to compare with an HTS chart. "
      "Specs are name[:param...], e.g. rsi:14,bb:20:2,macd:12:26:9; names: " + indicator_names() +
      " (docs/indicators.md).");
  ta_cmd->add_option("--data", ta_opts.data, "A bar CSV file or a directory of them")->required();
  ta_cmd->add_option("--only", ta_opts.only, "Comma-separated indicator specs (default: all, default parameters)")
      ->delimiter(',');
  ta_cmd->add_option("--out", ta_opts.out, "Write here instead of standard output");
  ta_cmd->callback([&] { std::exit(ta(ta_opts)); });

  SimCommandOptions sim_opts;
  auto* sim_cmd = cli.add_subcommand(
      "sim",
      "Run the Kiwoom simulator: Kiwoom's REST API and WebSocket over TLS on 127.0.0.1, a synthetic "
      "market of invented 9xxxxx codes and one account (docs/simulator.md). Runs until SIGINT/SIGTERM.");
  sim_cmd->add_option("--port", sim_opts.port, "TCP port on 127.0.0.1 (0: any free port, printed)")
      ->capture_default_str();
  sim_cmd->add_option("--speed", sim_opts.speed, "Simulated seconds per real second (60: a market minute a second; "
                                                 "0: frozen, moved by POST /admin/advance)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sim_cmd->add_option("--start", sim_opts.start, "Simulated KST start, \"YYYY-MM-DD HH:MM\" (default: today 08:55)");
  sim_cmd->add_option("--app-key", sim_opts.app_key, "App key to accept (default $DALBIT_SIM_APP_KEY or sim-app-key)");
  sim_cmd->add_option("--secret-key", sim_opts.secret_key,
                      "Secret key to accept (default $DALBIT_SIM_SECRET_KEY or sim-secret-key)");
  sim_cmd->add_option("--cert", sim_opts.cert, "Serve this PEM certificate (with --key) instead of a new one")
      ->check(CLI::ExistingFile);
  sim_cmd->add_option("--key", sim_opts.key, "The PEM private key of --cert")->check(CLI::ExistingFile);
  sim_cmd->add_option("--cert-out", sim_opts.cert_out, "Where to write the served certificate for clients to trust")
      ->capture_default_str();
  sim_cmd->add_option("--fault", sim_opts.faults, "Inject a fault, repeatable: name[:arg] (docs/simulator.md)");
  sim_cmd->add_option("--seed", sim_opts.seed, "Random seed of the synthetic market")->capture_default_str();
  sim_cmd->add_option("--codes", sim_opts.codes, "Number of invented stock codes")->capture_default_str();
  sim_cmd->add_option("--cash", sim_opts.cash, "Starting cash of the account, won")->capture_default_str();
  sim_cmd->callback([&] { std::exit(sim(sim_opts)); });

  dalbit::live::RunOptions run_opts;
  auto* run_cmd = cli.add_subcommand(
      "run",
      "Trade: the strategies on live market data from Kiwoom (or the simulator), orders through the broker "
      "(or, with --paper, filled in process). Reconciles with the account before trading, journals every event, "
      "reloads a script when its file is saved or on SIGHUP / `dalbit reload`, halts on `dalbit kill`. "
      "broker.environment in the config chooses Kiwoom's real host, its mock-trading host or the simulator.");
  run_cmd->add_option("--config", run_opts.config, "Configuration file (JSON with comments)")
      ->capture_default_str()
      ->check(CLI::ExistingFile);
  run_cmd->add_option("--strategies", run_opts.strategies, "Comma-separated strategy names (scripts in lua.strategies_dir)")
      ->required()
      ->delimiter(',');
  run_cmd->add_option("--risk", run_opts.risk, "Comma-separated risk script names (scripts in lua.risk_dir)")
      ->delimiter(',');
  run_cmd->add_flag("--paper", run_opts.paper, "Paper trading: live market data, fills simulated in process");
  run_cmd->add_flag("--confirm-real", run_opts.confirm_real,
                    "Allow orders on Kiwoom's real host (real money); the start-up banner repeats it");
  run_cmd->add_option("--broker-port", run_opts.broker_port, "The simulator's port (overrides broker.port)")
      ->check(CLI::Range(1, 65535));
  run_cmd->add_option("--ca-file", run_opts.ca_file, "The simulator's certificate (overrides broker.ca_file)");
  run_cmd->add_option("--store", run_opts.store, "SQLite store (default: store.path)");
  run_cmd->add_flag("--until-close", run_opts.until_close, "Stop after the session's close and its report");
  run_cmd->add_flag("--verbose,-v", run_opts.verbose, "Show every log line on the terminal, not only warnings");
  run_cmd->callback([&] { std::exit(dalbit::live::run(run_opts)); });

  dalbit::live::ControlOptions control_opts;
  for (const char* name : {"kill", "resume", "reload"}) {
    const std::string n = name;
    auto* c = cli.add_subcommand(
        n, n == "kill" ? "Halt the running engine: no new orders, every open order cancelled (--flatten: every "
                         "position sold at market). The halt survives a restart; `dalbit resume` lifts it. With no "
                         "engine running, the halt is written to the store for the next start."
           : n == "resume" ? "Lift a halt or a reducing state (ACTIVE again), in the running engine or the store"
                           : "Reload every script of the running engine (as SIGHUP does)");
    c->add_option("--config", control_opts.config, "Configuration file (finds the engine by live.control_dir)")
        ->capture_default_str()
        ->check(CLI::ExistingFile);
    if (n != "reload") c->add_option("--reason", control_opts.reason, "Why, for the journal and the terminal");
    if (n == "kill") c->add_flag("--flatten", control_opts.flatten, "Also sell every position at market");
    c->callback([&control_opts, n] {
      control_opts.command = n;
      std::exit(dalbit::live::control(control_opts));
    });
  }

  BackupOptions backup_opts;
  auto* backup_cmd = cli.add_subcommand(
      "backup",
      "Copy the SQLite store to <out>/dalbit-YYYYMMDD.db (today, KST) with SQLite's online backup, safe while "
      "dalbit runs and writes to it; the copy is one self-contained database file. For operators and cron.");
  backup_cmd->add_option("--store", backup_opts.store, "The store to back up (store.path in the config)")
      ->required();
  backup_cmd->add_option("--out", backup_opts.out, "Directory of the backups (created if missing)")->required();
  backup_cmd->add_option("--keep-days", backup_opts.keep_days,
                         "Then remove dalbit-YYYYMMDD.db backups more than N days old (N=7 keeps the last 7 "
                         "days, today included); other files are never touched. Default: remove nothing")
      ->check(CLI::Range(1, 36'600));
  backup_cmd->callback([&] { std::exit(backup(backup_opts)); });

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  return kExitOk;
}
