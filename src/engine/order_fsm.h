// The order state machine: one table of (state, event) -> state.
#pragma once

#include "core/result.h"
#include "core/types.h"

namespace dalbit::engine {

enum class OrderEvent : std::uint8_t {
  Send,         // handed to the broker
  Accept,       // the broker acknowledged it
  Reject,       // the broker refused it
  PartialFill,  // an execution that leaves shares open
  Fill,         // the execution that completes it
  Cancel,       // the broker confirmed the open rest is cancelled (or expired)
};

[[nodiscard]] std::string_view to_string(OrderEvent e);

// What the event does to the order.
enum class Effect : std::uint8_t {
  Transition,  // the state changes (or stays, legitimately: a second partial fill)
  Ignore,      // a late or duplicate message: harmless, log and drop
};

struct Step {
  OrderStatus next;
  Effect effect;
};

// An event that makes no sense in `from` is an error naming both; the caller
// keeps the order as it was and reports it.
[[nodiscard]] Result<Step> transition(OrderStatus from, OrderEvent event);

}  // namespace dalbit::engine
