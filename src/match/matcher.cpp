#include "match/matcher.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace dalbit::match {
namespace {

// The print is at or better than the limit: a marketable order trades there.
bool at_or_better(Side side, Price limit, Price print) {
  return side == Side::Buy ? print <= limit : print >= limit;
}

// The market traded through the limit, so every order queued at the limit
// price has traded (continuous matching exhausts a price level before it
// trades beyond it). A touch (print == limit) does not prove that.
bool through(Side side, Price limit, Price print) {
  return side == Side::Buy ? print < limit : print > limit;
}

Error rejection(OrderId id, const std::string& why) {
  return Error{"order " + std::to_string(id) + ": " + why};
}

std::string str(Price p) { return std::to_string(p.value()); }

constexpr int kInitialSlotBits = 6;

// What a fill rule returns when the order does not trade on a print. Real
// prices are positive; std::optional<Price> costs a store-forwarding stall per
// order and print with GCC 12.
constexpr Price kNoTrade{0};

// The six characters in the low six bytes. Combined in registers: a 6-byte
// memcpy into a zeroed uint64_t becomes two stores and a load the CPU cannot
// forward, which stalled every lookup.
std::uint64_t key_of(const StockCode& code) {
  static_assert(StockCode::kLength == 6);
  const char* chars = code.view().data();
  std::uint32_t first4 = 0;
  std::uint16_t last2 = 0;
  std::memcpy(&first4, chars, sizeof first4);
  std::memcpy(&last2, chars + sizeof first4, sizeof last2);
  return first4 | (std::uint64_t{last2} << 32);
}

}  // namespace

Matcher::Matcher(Params params)
    : params_(params), slots_(std::size_t{1} << kInitialSlotBits), shift_(64 - kInitialSlotBits) {
  params_.max_volume_pct = std::clamp(params_.max_volume_pct, 0, 100);
}

std::size_t Matcher::find_slot(std::uint64_t key) const {
  // Fibonacci hashing (top bits of key * 2^64/phi). A product's bits depend only
  // on the key's bits below them, so first fold the high bytes (the code's last
  // characters, which tell "005930" from "005935") into the low ones.
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = ((key ^ (key >> 32)) * 0x9E37'79B9'7F4A'7C15ULL) >> shift_;
  while (slots_[i].key != key && slots_[i].key != 0) i = (i + 1) & mask;
  return i;
}

std::vector<Matcher::Working>* Matcher::find_book(const StockCode& code) {
  const Slot& slot = slots_[find_slot(key_of(code))];
  return slot.key != 0 ? &books_[slot.book] : nullptr;
}

std::uint32_t Matcher::book_for(const StockCode& code) {
  const std::uint64_t key = key_of(code);
  std::size_t i = find_slot(key);
  if (slots_[i].key == key) return slots_[i].book;
  if (2 * (books_.size() + 1) > slots_.size()) {
    grow_slots();
    i = find_slot(key);
  }
  books_.emplace_back();
  slots_[i] = Slot{.key = key, .book = static_cast<std::uint32_t>(books_.size() - 1)};
  return slots_[i].book;
}

void Matcher::grow_slots() {
  const std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots_.size() * 2));
  --shift_;
  for (const Slot& s : old) {
    if (s.key != 0) slots_[find_slot(s.key)] = s;
  }
}

Status Matcher::submit(const Order& order, const krx::PriceBand& band) {
  const OrderId id = order.id;
  if (book_of_.contains(id)) return rejection(id, "id is already working");
  if (order.qty.value() <= 0) {
    return rejection(id, "quantity " + std::to_string(order.qty.value()) + " is not positive");
  }
  if (order.filled.value() != 0) {
    return rejection(id, "already has " + std::to_string(order.filled.value()) +
                             " filled shares; submit the open rest as a new order");
  }
  if (order.type == OrderType::Market) {
    if (order.limit.value() != 0) {
      return rejection(
          id, "market order carries price " + str(order.limit) + "; market orders take none");
    }
  } else {
    const Price limit = order.limit;
    if (limit.value() <= 0) return rejection(id, "limit price " + str(limit) + " is not positive");
    if (!krx::on_grid(limit)) {
      return rejection(id, "limit price " + str(limit) + " is off the KRX tick grid (tick " +
                               str(krx::tick_size(limit)) + " at that price)");
    }
    if (!band.contains(limit)) {
      return rejection(id, "limit price " + str(limit) + " is outside today's band " +
                               str(band.lower) + ".." + str(band.upper));
    }
  }
  const std::uint32_t book = book_for(order.code);
  books_[book].push_back(Working{
      .id = id,
      .seq = next_seq_++,
      .side = order.side,
      .type = order.type,
      .limit = order.type == OrderType::Limit ? order.limit : Price(0),
      .open = order.qty,
  });
  book_of_.emplace(id, book);
  return {};
}

std::optional<Qty> Matcher::cancel(OrderId id) {
  const auto where = book_of_.find(id);
  if (where == book_of_.end()) return std::nullopt;
  std::vector<Working>& book = books_[where->second];
  const auto order =
      std::find_if(book.begin(), book.end(), [id](const Working& w) { return w.id == id; });
  const Qty open = order->open;
  book.erase(order);
  book_of_.erase(where);
  return open;
}

Qty Matcher::capacity(Qty volume) const {
  return volume.value() > 0 ? Qty(volume.value() * params_.max_volume_pct / 100) : Qty(0);
}

template <class FillPrice>
void Matcher::match(const StockCode& code, Qty volume, Timestamp time, FillPrice fill_price,
                    std::vector<Execution>& out) {
  if (book_of_.empty()) return;
  std::vector<Working>* const book = find_book(code);
  if (book == nullptr || book->empty()) return;

  // One capacity per side per print, consumed in submission order: a print has
  // one buyer volume and one seller volume, and our buys compete only for the
  // sellers' shares (and our sells for the buyers').
  const Qty cap = capacity(volume);
  Qty left_buy = cap;
  Qty left_sell = cap;
  bool any_done = false;
  for (Working& w : *book) {
    Qty& left = w.side == Side::Buy ? left_buy : left_sell;
    if (left.value() > 0) {
      if (const Price price = fill_price(w); price != kNoTrade) {
        const Qty qty = std::min(w.open, left);
        left -= qty;
        w.open -= qty;
        const Krw value = price * qty;
        out.push_back(Execution{
            .order_id = w.id,
            .code = code,
            .side = w.side,
            .price = price,
            .qty = qty,
            .commission = krx::commission(params_.fees, value),
            .tax = w.side == Side::Sell ? krx::sell_tax(params_.fees, value) : Krw(0),
            .time = time,
            .order_done = w.open.value() == 0,
        });
        if (w.open.value() == 0) {
          book_of_.erase(w.id);
          any_done = true;
        }
      }
    }
    w.seen_print = true;
  }
  if (any_done) std::erase_if(*book, [](const Working& w) { return w.open.value() == 0; });
}

void Matcher::on_tick(const Tick& t, std::vector<Execution>& out) {
  const auto fill_price = [&t](const Working& w) {
    if (w.type == OrderType::Market) return t.price;
    if (!w.seen_print) {
      // Marketable on arrival: it would have taken the book at about this price.
      return at_or_better(w.side, w.limit, t.price) ? t.price : kNoTrade;
    }
    // Resting: it trades only when the market trades through it, at its limit.
    return through(w.side, w.limit, t.price) ? w.limit : kNoTrade;
  };
  match(t.code, t.volume, t.time, fill_price, out);
}

void Matcher::on_bar(const Bar& b, std::vector<Execution>& out) {
  const auto fill_price = [&b](const Working& w) {
    if (w.type == OrderType::Market) return b.open;
    // The open is the bar's first print: the arrival rule for a fresh order,
    // a gap through the limit for a resting one; either trades at the open.
    const bool open_fills =
        w.seen_print ? through(w.side, w.limit, b.open) : at_or_better(w.side, w.limit, b.open);
    if (open_fills) return b.open;
    // From the open on the order rests; the bar's extreme says whether the
    // market traded through it somewhere inside the bar.
    const Price extreme = w.side == Side::Buy ? b.low : b.high;
    return through(w.side, w.limit, extreme) ? w.limit : kNoTrade;
  };
  match(b.code, b.volume, b.time, fill_price, out);
}

std::vector<std::pair<OrderId, Qty>> Matcher::expire_all() {
  std::vector<const Working*> all;
  all.reserve(book_of_.size());
  for (const std::vector<Working>& book : books_) {
    for (const Working& w : book) all.push_back(&w);
  }
  std::sort(all.begin(), all.end(),
            [](const Working* a, const Working* b) { return a->seq < b->seq; });
  std::vector<std::pair<OrderId, Qty>> expired;
  expired.reserve(all.size());
  for (const Working* w : all) expired.emplace_back(w->id, w->open);
  for (std::vector<Working>& book : books_) book.clear();
  book_of_.clear();
  return expired;
}

}  // namespace dalbit::match
