#include "sim/faults.h"

#include <array>
#include <charconv>

namespace dalbit::sim {
namespace {

struct Named {
  std::string_view name;
  FaultKind kind;
  std::int64_t default_arg;
};

constexpr std::array<Named, 11> kFaults{{
    {"drop", FaultKind::Drop, 1},
    {"drop_ws", FaultKind::DropWs, 1},
    {"stall", FaultKind::Stall, 2000},
    {"rate_limit", FaultKind::RateLimit, 1},
    {"rate_limit_429", FaultKind::RateLimit429, 1},
    {"expire_token", FaultKind::ExpireToken, 1},
    {"duplicate_exec", FaultKind::DuplicateExec, 1},
    {"reorder_exec", FaultKind::ReorderExec, 1},
    {"malformed", FaultKind::Malformed, 1},
    {"malformed_ws", FaultKind::MalformedWs, 1},
    {"exec_before_ack", FaultKind::ExecBeforeAck, 1},
}};

}  // namespace

std::string_view fault_names() {
  return "drop[:N], drop_ws, stall[:MS], rate_limit[:N], rate_limit_429[:N], expire_token, duplicate_exec[:N], "
         "reorder_exec[:N], malformed[:N], malformed_ws[:N], exec_before_ack[:N]";
}

Result<Fault> parse_fault(std::string_view text) {
  const auto colon = text.find(':');
  const std::string_view name = text.substr(0, colon);
  for (const auto& f : kFaults) {
    if (f.name != name) continue;
    Fault out{f.kind, f.default_arg};
    if (colon != std::string_view::npos) {
      const std::string_view arg = text.substr(colon + 1);
      const auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), out.arg);
      if (ec != std::errc{} || end != arg.data() + arg.size() || out.arg <= 0) {
        return Error{"--fault " + std::string(text) + ": the argument must be a positive integer"};
      }
    }
    return out;
  }
  return Error{"--fault " + std::string(text) + ": unknown fault (known: " + std::string(fault_names()) + ")"};
}

void Faults::arm(const Fault& f) {
  switch (f.kind) {
    case FaultKind::Drop: drop_ += f.arg; break;
    case FaultKind::DropWs: drop_ws_ = true; break;
    case FaultKind::Stall: stall_ms_ = f.arg; break;
    case FaultKind::RateLimit: rate_limit_ += f.arg; break;
    case FaultKind::RateLimit429: rate_limit_429_ += f.arg; break;
    case FaultKind::ExpireToken: expire_ = true; break;
    case FaultKind::DuplicateExec: duplicate_ += f.arg; break;
    case FaultKind::ReorderExec: reorder_ += f.arg; break;
    case FaultKind::Malformed: malformed_ += f.arg; break;
    case FaultKind::MalformedWs: malformed_ws_ += f.arg; break;
    case FaultKind::ExecBeforeAck: exec_before_ack_ += f.arg; break;
  }
}

bool Faults::take(FaultKind kind) {
  std::int64_t* counter = nullptr;
  switch (kind) {
    case FaultKind::Drop: counter = &drop_; break;
    case FaultKind::RateLimit: counter = &rate_limit_; break;
    case FaultKind::RateLimit429: counter = &rate_limit_429_; break;
    case FaultKind::DuplicateExec: counter = &duplicate_; break;
    case FaultKind::ReorderExec: counter = &reorder_; break;
    case FaultKind::Malformed: counter = &malformed_; break;
    case FaultKind::MalformedWs: counter = &malformed_ws_; break;
    case FaultKind::ExecBeforeAck: counter = &exec_before_ack_; break;
    case FaultKind::Stall: return take_stall().count() > 0;
    case FaultKind::ExpireToken: return take_expire();
    case FaultKind::DropWs: return take_drop_ws();
  }
  if (*counter <= 0) return false;
  --*counter;
  return true;
}

std::chrono::milliseconds Faults::take_stall() {
  const std::chrono::milliseconds out{stall_ms_};
  stall_ms_ = 0;
  return out;
}

bool Faults::take_expire() { return std::exchange(expire_, false); }
bool Faults::take_drop_ws() { return std::exchange(drop_ws_, false); }

}  // namespace dalbit::sim
