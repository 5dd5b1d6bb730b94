// Faults the simulator can inject, armed from the command line
// (--fault name[:arg]) or the admin endpoint. Each is a counter (or a
// duration) that the service consumes as it answers.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace dalbit::sim {

enum class FaultKind : std::uint8_t {
  Drop,          // drop:N      close the next N REST connections without answering
  DropWs,        // drop_ws     close every WebSocket session now
  Stall,         // stall:MS    answer the next REST request MS milliseconds late
  RateLimit,     // rate_limit:N  answer the next N REST requests with the 1700 error
  RateLimit429,  // rate_limit_429:N  answer the next N REST requests with HTTP 429
  ExpireToken,   // expire_token  every issued token becomes invalid now
  DuplicateExec, // duplicate_exec:N  send the next N execution (00) messages twice
  ReorderExec,   // reorder_exec:N    swap the next N pairs of 00 messages
  Malformed,     // malformed:N  answer the next N REST requests with broken JSON
  MalformedWs,   // malformed_ws:N  break the next N REAL pushes (cut JSON, then a REAL without its FIDs, alternating)
  ExecBeforeAck, // exec_before_ack:N  the next N orders fill at once, pushes before the REST answer
};

struct Fault {
  FaultKind kind = FaultKind::Drop;
  std::int64_t arg = 1;
};

// "stall:500", "drop", "rate_limit:3"; the error names the bad text.
[[nodiscard]] Result<Fault> parse_fault(std::string_view text);
[[nodiscard]] std::string_view fault_names();  // for --help

class Faults {
 public:
  void arm(const Fault& f);
  // Each take_* consumes one use if armed.
  bool take(FaultKind kind);
  std::chrono::milliseconds take_stall();
  bool take_expire();
  bool take_drop_ws();

 private:
  std::int64_t drop_ = 0, rate_limit_ = 0, rate_limit_429_ = 0, duplicate_ = 0, reorder_ = 0, malformed_ = 0,
               exec_before_ack_ = 0;
  std::int64_t malformed_ws_ = 0;
  std::int64_t stall_ms_ = 0;
  bool expire_ = false, drop_ws_ = false;
};

}  // namespace dalbit::sim
