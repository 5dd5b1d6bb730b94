#include "core/types.h"

namespace dalbit {

std::string_view to_string(Side s) { return s == Side::Buy ? "buy" : "sell"; }

std::string_view to_string(OrderType t) { return t == OrderType::Market ? "market" : "limit"; }

std::string_view to_string(OrderStatus s) {
  switch (s) {
    case OrderStatus::New: return "new";
    case OrderStatus::Sent: return "sent";
    case OrderStatus::Accepted: return "accepted";
    case OrderStatus::PartiallyFilled: return "partially_filled";
    case OrderStatus::Filled: return "filled";
    case OrderStatus::Cancelled: return "cancelled";
    case OrderStatus::Rejected: return "rejected";
  }
  return "unknown";
}

}  // namespace dalbit
