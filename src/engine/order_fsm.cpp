#include "engine/order_fsm.h"

#include <string>

namespace dalbit::engine {

std::string_view to_string(OrderEvent e) {
  switch (e) {
    case OrderEvent::Send: return "send";
    case OrderEvent::Accept: return "accept";
    case OrderEvent::Reject: return "reject";
    case OrderEvent::PartialFill: return "partial_fill";
    case OrderEvent::Fill: return "fill";
    case OrderEvent::Cancel: return "cancel";
  }
  return "unknown";
}

Result<Step> transition(OrderStatus from, OrderEvent event) {
  using S = OrderStatus;
  using E = OrderEvent;
  const auto go = [](S next) { return Step{next, Effect::Transition}; };
  const auto ignore = [from] { return Step{from, Effect::Ignore}; };
  switch (from) {
    case S::New:
      if (event == E::Send) return go(S::Sent);
      if (event == E::Reject) return go(S::Rejected);
      break;
    case S::Sent:
      if (event == E::Accept) return go(S::Accepted);
      if (event == E::Reject) return go(S::Rejected);
      // An execution can overtake the acknowledgement (the 00 stream is faster than the REST answer).
      if (event == E::PartialFill) return go(S::PartiallyFilled);
      if (event == E::Fill) return go(S::Filled);
      if (event == E::Cancel) return go(S::Cancelled);
      break;
    case S::Accepted:
      if (event == E::Accept) return ignore();  // duplicate acknowledgement
      if (event == E::PartialFill) return go(S::PartiallyFilled);
      if (event == E::Fill) return go(S::Filled);
      if (event == E::Cancel) return go(S::Cancelled);
      break;
    case S::PartiallyFilled:
      if (event == E::Accept) return ignore();  // the acknowledgement arrived after an execution
      if (event == E::PartialFill) return go(S::PartiallyFilled);
      if (event == E::Fill) return go(S::Filled);
      if (event == E::Cancel) return go(S::Cancelled);  // the open rest is cancelled
      break;
    case S::Filled:
      // A late acknowledgement, or a cancel that raced the last execution: nothing is left to cancel.
      if (event == E::Accept || event == E::Cancel) return ignore();
      break;
    case S::Cancelled:
      if (event == E::Accept || event == E::Cancel) return ignore();
      // Real-world race: an execution that happened before the cancel took effect is reported after
      // the confirmation. The shares did trade, so the fill is applied; the order stays cancelled.
      if (event == E::PartialFill || event == E::Fill) return go(S::Cancelled);
      break;
    case S::Rejected:
      if (event == E::Reject) return ignore();
      break;
  }
  return Error{"illegal order transition: " + std::string(to_string(event)) + " in state " +
               std::string(dalbit::to_string(from))};
}

}  // namespace dalbit::engine
