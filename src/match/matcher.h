// The fill model: decides when, how much and at what price simulated orders
// trade against a stream of trade prints (ticks) or completed bars.
//
// Backtests, paper trading and the Kiwoom simulator share this one model, so it
// is exact (integer won and shares), deterministic (no clock, no randomness:
// the same calls give the same executions) and cheap on the hot path (a print
// for a code with no working orders costs one hash lookup and no allocation).
// docs/fill-model.md states every rule with its reasoning and worked examples.
//
//   Matcher m(Params{});
//   if (auto s = m.submit(order, band); !s) reject(order, s.message());
//   std::vector<Execution> fills;           // reused: clear() between calls
//   m.on_tick(tick, fills);                 // before strategies see the print
//
// No look-ahead: only prints passed in after submit() can fill an order, so the
// engine feeds each print to the matcher before any strategy reacts to it.
// Feed a code either ticks or bars, never both for the same interval.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/krx.h"
#include "core/money.h"
#include "core/result.h"
#include "core/stock_code.h"
#include "core/time.h"
#include "core/types.h"

namespace dalbit::match {

struct Params {
  // Share of each print's (or bar's) volume that the simulated orders of one
  // side may take together, in percent. Clamped to 0..100: a print cannot give
  // more shares than it traded.
  int max_volume_pct = 25;
  krx::FeeSchedule fees{};
};

// One simulated trade of (part of) an order.
struct Execution {
  OrderId order_id = 0;
  StockCode code;
  Side side = Side::Buy;
  Price price;  // a trade price or the order's limit: on the grid, inside the band
  Qty qty;
  Krw commission;           // krx::commission of this execution's value
  Krw tax;                  // krx::sell_tax of this execution's value; zero on buys
  Timestamp time;           // the print's time; for a bar, the bar's start
  bool order_done = false;  // no open quantity left: the order stopped working
  [[nodiscard]] Krw value() const { return price * qty; }
};

class Matcher {
 public:
  explicit Matcher(Params params);

  // Validates `order` and starts working order.qty shares of it. Rejected, with
  // a message naming the order id: an id that is already working, a quantity
  // that is not positive, an order that already has fills, a market order that
  // carries a price, a limit price that is not positive, off the KRX tick grid
  // or outside `band` (today's daily limits).
  Status submit(const Order& order, const krx::PriceBand& band);

  // Stops working an order. Returns the quantity that was still open (the
  // unfilled rest of a partially filled order); nullopt if the id is unknown
  // or the order is already done (filled, cancelled or expired).
  std::optional<Qty> cancel(OrderId id);

  // A trade print. Appends the executions it causes for working orders of
  // t.code, in submission order.
  void on_tick(const Tick& t, std::vector<Execution>& out);

  // A completed bar, for replays that have bars only. Appends executions in
  // submission order.
  void on_bar(const Bar& b, std::vector<Execution>& out);

  // KRX day orders expire at the close: stops every working order and returns
  // (id, open quantity) pairs in submission order.
  std::vector<std::pair<OrderId, Qty>> expire_all();

  [[nodiscard]] std::size_t working() const { return book_of_.size(); }

 private:
  struct Working {
    OrderId id = 0;
    std::uint64_t seq = 0;  // submission order across all codes
    Side side = Side::Buy;
    OrderType type = OrderType::Market;
    Price limit;
    Qty open;
    bool seen_print = false;  // false until the first print of its code after submit()
  };

  // Runs one print (a tick, or a bar reduced to its volume and fill rule) over
  // the working orders of `code`; `fill_price(order)` says at what price the
  // order trades on this print, or kNoTrade.
  template <class FillPrice>
  void match(const StockCode& code, Qty volume, Timestamp time, FillPrice fill_price,
             std::vector<Execution>& out);

  [[nodiscard]] Qty capacity(Qty volume) const;

  Params params_;
  // Working orders per code, each in submission order. A code keeps its
  // (possibly empty) book once it had an order, so steady-state matching never
  // allocates; their number is bounded by the listed stocks.
  std::vector<std::vector<Working>> books_;
  // Open addressing from a code, packed into an integer, to its book: a print
  // for a code without orders costs a multiply and usually one cache line
  // (std::unordered_map costs a division by a prime and a pointer chase).
  struct Slot {
    std::uint64_t key = 0;  // 0: empty (codes are six non-zero characters)
    std::uint32_t book = 0;
  };
  std::vector<Slot> slots_;                             // power-of-two size, at most half full
  int shift_ = 0;                                       // 64 - log2(slots_.size())
  std::unordered_map<OrderId, std::uint32_t> book_of_;  // every working order's book
  std::uint64_t next_seq_ = 0;

  // The slot holding `key`, or the empty slot where it would go.
  [[nodiscard]] std::size_t find_slot(std::uint64_t key) const;
  [[nodiscard]] std::vector<Working>* find_book(const StockCode& code);
  std::uint32_t book_for(const StockCode& code);  // adds an empty book for a new code
  void grow_slots();
};

}  // namespace dalbit::match
