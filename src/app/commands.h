// The dalbit subcommands. Each returns the process exit code:
// 0 done, 1 the run failed, 2 bad usage or configuration.
#pragma once

#include <optional>
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
  std::string from;  // YYYY-MM-DD, inclusive
  std::string to;
  std::string out;    // the JSON result file
  std::string store;  // overrides store.path
  bool verbose = false;
};
int backtest(const BacktestOptions& options);

}  // namespace dalbit::app
