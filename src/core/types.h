// The trading vocabulary shared by every layer: market data, orders, fills,
// positions. Plain values; behaviour lives in the layers that own them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/stock_code.h"
#include "core/time.h"

namespace dalbit {

enum class Side : std::uint8_t { Buy, Sell };
enum class OrderType : std::uint8_t { Market, Limit };

enum class OrderStatus : std::uint8_t {
  New,              // created by the engine, not yet handed to the broker
  Sent,             // handed to the broker, no answer yet
  Accepted,         // the broker acknowledged it and gave it a number
  PartiallyFilled,  // some shares traded, the rest still works
  Filled,           // terminal
  Cancelled,        // terminal (the unfilled rest, if partially filled)
  Rejected,         // terminal
};

[[nodiscard]] std::string_view to_string(Side s);
[[nodiscard]] std::string_view to_string(OrderType t);
[[nodiscard]] std::string_view to_string(OrderStatus s);
[[nodiscard]] constexpr bool is_terminal(OrderStatus s) {
  return s == OrderStatus::Filled || s == OrderStatus::Cancelled || s == OrderStatus::Rejected;
}

using OrderId = std::uint64_t;  // client order id, unique within a run

// One trade print (KRX 체결, Kiwoom REAL 0B).
struct Tick {
  Timestamp time;
  StockCode code;
  Price price;
  Qty volume;
};

// A time bar; `time` is the start of its interval (the 09:00 bar covers
// 09:00:00-09:00:59.999).
struct Bar {
  Timestamp time;
  StockCode code;
  Price open;
  Price high;
  Price low;
  Price close;
  Qty volume;
  int minutes = 1;
};

struct Order {
  OrderId id = 0;
  StockCode code;
  Side side = Side::Buy;
  OrderType type = OrderType::Market;
  Price limit;             // zero for market orders
  Qty qty;                 // ordered
  Qty filled;              // so far
  Krw filled_value;        // sum of price * qty over fills
  OrderStatus status = OrderStatus::New;
  std::string broker_no;   // the broker's order number once accepted
  std::string strategy;    // who asked for it
  std::string reason;      // why (free text from the strategy)
  Timestamp created;
  Timestamp updated;
  [[nodiscard]] Qty remaining() const { return qty - filled; }
};

struct Fill {
  OrderId order_id = 0;
  std::string fill_id;     // unique per execution (broker's execution number)
  StockCode code;
  Side side = Side::Buy;
  Price price;
  Qty qty;
  Krw commission;
  Krw tax;
  Timestamp time;
  // The order's filled shares after this execution, as the broker counts
  // them (0: unknown, as in simulated fills). Live brokers set it: the OMS
  // applies only what exceeds the shares it already has, so a duplicate,
  // late or re-ordered execution report can never count twice.
  Qty cumulative;
  [[nodiscard]] Krw value() const { return price * qty; }
};

struct Position {
  StockCode code;
  Qty qty;
  Krw cost;          // buy value of the shares held, excluding fees
  Krw buy_fees;      // buy commission attributable to the shares held
  Krw realized;      // realized P&L of this code today, after fees and tax
  Timestamp opened;  // first buy of the current holding
  // Average buy price, excluding fees, truncated to the won (as brokers show it).
  [[nodiscard]] Price avg_price() const {
    return qty.value() > 0 ? Price(cost.value() / qty.value()) : Price(0);
  }
};

// One execution of a sell, kept for the rest of the day: rebuy rules and
// risk scripts read these (ctx:todays_sells).
struct SellRecord {
  StockCode code;
  Timestamp time;
  Qty qty;
  Price price;
  Krw realized;  // of this execution, after all fees and tax
  std::string strategy;
};

// One price level of an order book (호가).
struct BookLevel {
  Price price;
  Qty qty;
};

// An order book snapshot (Kiwoom REAL 0D): best levels first on each side.
struct Book {
  Timestamp time;
  StockCode code;
  std::vector<BookLevel> asks;  // lowest ask first
  std::vector<BookLevel> bids;  // highest bid first
};

// One row of a market ranking (Kiwoom ka10023 volume surge, ka10027
// change-rate top, ka10030 volume top, ka10032 trade-value top).
struct ScanItem {
  StockCode code{};
  int rank = 0;             // 1 is the top
  Price price{};            // current price
  double change_pct = 0;    // versus the previous close, signed
  Qty volume{};             // today's volume (shares)
  Krw value{};              // today's traded value (won)
  double surge_pct = 0;     // volume surge rankings: the surge, percent; 0 elsewhere
};

}  // namespace dalbit
