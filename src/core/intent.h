// What a strategy asks for. Scripts never place orders: they express intents,
// and the engine routes each through the risk scripts, the hard limits and the
// OMS. Every intent carries its strategy and reason so that each order, fill
// and veto is attributable.
#pragma once

#include <string>

#include "core/money.h"
#include "core/stock_code.h"
#include "core/types.h"

namespace dalbit {

struct Intent {
  std::string strategy;
  std::string reason;
  StockCode code;
  Side side = Side::Buy;
  OrderType type = OrderType::Market;
  Price limit;   // limit orders only; on the tick grid once it reaches the OMS
  Qty qty;       // shares; when zero, `amount` decides the size
  Krw amount;    // a budget in won, converted to whole shares at the reference price
  // The condition-search formula (조건검색식) behind the intent, for risk
  // scripts that judge by source (rebuy, per_condition_window); empty when none.
  std::string condition;
};

// The engine's answer to an intent: an order id, or the veto's reason.
struct IntentResult {
  bool accepted = false;
  OrderId order_id = 0;
  std::string reason;  // why it was refused (empty when accepted)
};

// What the risk scripts (scripts/risk/*.lua) made of an intent. They may
// only veto it or shrink its size; the hard limits run afterwards regardless.
struct RiskVerdict {
  bool allowed = true;
  Qty qty;             // the intent's size after the scripts (unchanged when none shrank it)
  Krw amount;
  std::string reason;  // a veto's reason, naming the script: "risk/rebuy: ..."
};

}  // namespace dalbit
