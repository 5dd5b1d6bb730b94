// `dalbit run`: the engine trading an account (or paper trading on live market
// data) through Kiwoom's REST API and WebSocket, or the simulator's.
//
// Threads: the engine thread runs an EventLoop (live/event_loop.h) and owns
// every piece of trading state (engine, OMS, Lua host, store); the IoThread
// runs the Kiwoom clients, whose completions are posted onto the loop; a
// signal thread turns SIGHUP (reload), SIGUSR1 (a command from `dalbit kill`
// or `dalbit resume`), SIGINT and SIGTERM (stop) into posted work.
//
// Start-up, in order: configuration and credentials (a real account needs an
// explicit confirmation), the store (orders still open at the last stop, the
// next order id, the risk state), the broker's account (reconciled before
// anything trades), the strategies' on_init, then market data. Every event is
// journaled; an order is durable before it is sent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dalbit::live {

struct RunOptions {
  std::string config = "config/dalbit.json";
  std::vector<std::string> strategies;
  std::vector<std::string> risk;
  bool paper = false;          // live market data, fills simulated in process
  bool confirm_real = false;   // orders on Kiwoom's real host
  int broker_port = 0;         // overrides broker.port (simulator)
  std::string ca_file;         // overrides broker.ca_file
  std::string store;           // overrides store.path
  bool until_close = false;    // stop after the session report (demos, tests)
  bool verbose = false;
};

// The process exit code: 0 stopped cleanly, 1 the run failed, 2 bad usage or configuration.
int run(const RunOptions& options);

// Commands for a running `dalbit run` (found by its pid file in live.control_dir).
struct ControlOptions {
  std::string config = "config/dalbit.json";
  std::string command;   // "kill" | "resume" | "reload"
  bool flatten = false;  // kill: also sell every position at market
  std::string reason;
};
int control(const ControlOptions& options);

}  // namespace dalbit::live
