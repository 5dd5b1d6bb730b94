// dalbit's command line. Wiring only: each subcommand lives in its own file.
#include <CLI/CLI.hpp>

#include "app/commands.h"

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
  backtest_cmd->add_option("--from", bt.from, "First KST date to replay, YYYY-MM-DD (inclusive)");
  backtest_cmd->add_option("--to", bt.to, "Last KST date to replay, YYYY-MM-DD (inclusive)");
  backtest_cmd->add_option("--out", bt.out, "Where to write the JSON result (default out/backtest-<run>.json)");
  backtest_cmd->add_option("--store", bt.store, "SQLite store to record the run in (default: store.path)");
  backtest_cmd->add_flag("--verbose,-v", bt.verbose, "Show every log line on the terminal, not only warnings");
  backtest_cmd->callback([&] { std::exit(backtest(bt)); });

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  return kExitOk;
}
