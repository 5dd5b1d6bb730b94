// The simulator's synthetic market: invented 9xxxxx codes whose prices walk
// on the KRX tick grid inside each day's band, on the simulated KST clock.
//
// Deterministic: the same seed and the same sequence of advance_to() times
// give the same trades. One step is one simulated second; during the
// continuous session each code trades in a step with a fixed probability
// (moving at most one tick) after an opening print that gaps up to 12 ticks
// from the base. The closing auction prints one trade at 15:30.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/krx.h"
#include "core/money.h"
#include "core/stock_code.h"
#include "core/time.h"
#include "core/types.h"

namespace dalbit::sim {

struct DayBar {
  KstDate date;
  Price open;
  Price high;
  Price low;
  Price close;
  Qty volume;
};

struct Stock {
  StockCode code;
  std::string name;
  Price base;  // today's base price (the previous close)
  krx::PriceBand band;
  Price open;  // zero before the first trade of the day
  Price high;
  Price low;
  Price last;
  Qty volume;                    // today's
  Krw value;                     // today's traded value
  Qty previous_volume;           // yesterday's
  std::vector<Tick> trades;      // today's, oldest first
  std::vector<DayBar> history;   // previous days, oldest first
  [[nodiscard]] bool traded() const { return open.value() > 0; }
};

struct BookSide {
  std::array<Price, 10> prices{};  // zero beyond the band
  std::array<Qty, 10> qtys{};
};

struct Book {
  BookSide asks;  // level 0 is the best (lowest) ask
  BookSide bids;  // level 0 is the best (highest) bid
};

// A trade with the day's state right after it, as a 0B message reports it.
struct Print {
  Tick tick;
  Qty cum_volume;
  Krw cum_value;
  Price open;
  Price high;
  Price low;
};

struct MarketOptions {
  std::uint64_t seed = 1;
  int codes = 9;
  int history_days = 120;
  int trade_permille = 300;  // chance per code per simulated second of a trade
  krx::SessionTimes session{};
};

class Market {
 public:
  Market(MarketOptions options, Timestamp start);

  // Runs the market up to `now` (no-op if not later than the current time),
  // appending the trades printed on the way. A new KST date rolls the day:
  // yesterday's close becomes the base, today's counters reset.
  void advance_to(Timestamp now, std::vector<Print>& out);
  // One trade at the last price now, e.g. to fill an order at once (a fault).
  Print print_now(const StockCode& code, Qty qty);

  [[nodiscard]] Timestamp now() const { return now_; }
  [[nodiscard]] krx::SessionPhase phase() const;
  [[nodiscard]] const std::vector<Stock>& stocks() const { return stocks_; }
  [[nodiscard]] const Stock* find(const StockCode& code) const;
  [[nodiscard]] Book book(const StockCode& code) const;

 private:
  void roll_day(KstDate date);
  void step(Timestamp t, std::vector<Print>& out);
  Print trade(Stock& s, Timestamp t, Price price, Qty qty);

  MarketOptions options_;
  std::mt19937_64 rng_;
  std::vector<Stock> stocks_;
  Timestamp now_;
  KstDate date_;
  bool closing_printed_ = false;
};

}  // namespace dalbit::sim
