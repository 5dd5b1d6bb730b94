// Where the engine writes what happened, as it happens. The store implements
// it over SQLite (wired in src/app); tests record in memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/types.h"

namespace dalbit::engine {

// A strategy's intent, the veto that stopped it, or the order it became.
struct SignalRecord {
  Timestamp at;
  std::string strategy;
  StockCode code;
  Side side = Side::Buy;
  std::string kind;  // "intent", "veto" or "order"
  OrderId order_id = 0;
  std::string reason;
};

// What the engine may do: everything, only exits, or nothing.
enum class RiskState : std::uint8_t { Active, Reducing, Halted };
[[nodiscard]] std::string_view to_string(RiskState s);

class Journal {
 public:
  virtual ~Journal() = default;
  virtual void order(const Order& order) = 0;
  virtual void order_event(const Order& order, std::string_view detail) = 0;
  virtual void fill(const Fill& fill) = 0;
  virtual void position(const Position& position, Timestamp at) = 0;
  virtual void signal(const SignalRecord& signal) = 0;
  // Called right before an order goes to the broker: everything journaled so
  // far (the order above all) must be durable when this returns true. False:
  // it could not be made durable, and the order is not sent.
  [[nodiscard]] virtual bool before_send() { return true; }
  // The risk state changed; it must survive a restart.
  virtual void risk_state(RiskState /*state*/, std::string_view /*reason*/, Timestamp /*at*/) {}
};

}  // namespace dalbit::engine
