// Progress of a long run: a redrawn bar on a terminal, a plain log line
// every ten percent otherwise (CI logs, pipes).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace dalbit::app {

class Progress {
 public:
  explicit Progress(std::string label);
  void update(std::uint64_t done, std::uint64_t total, std::uint64_t events, const std::string& where);
  void finish();

 private:
  std::string label_;
  bool tty_;
  int last_decile_ = -1;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace dalbit::app
