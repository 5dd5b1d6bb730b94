// Typed REAL events (00, 04, 0B, 0D, 02) and condition-search rows, described
// once per struct over FIDs and read or written by FidDecoder / FidEncoder
// with the same codecs as the REST messages.
#include <charconv>

#include "kiwoom/fields.h"
#include "kiwoom/ws_internal.h"

namespace dalbit::kiwoom {

using namespace fields;

namespace {

// "FID 10", built on the stack: the name only matters when a value is bad.
class FidName {
 public:
  explicit FidName(int fid) {
    constexpr std::string_view kPrefix = "FID ";
    kPrefix.copy(buf_, kPrefix.size());
    const auto r = std::to_chars(buf_ + kPrefix.size(), buf_ + sizeof buf_, fid);
    size_ = static_cast<std::size_t>(r.ptr - buf_);
  }
  [[nodiscard]] std::string_view view() const { return {buf_, size_}; }

 private:
  char buf_[16] = {};
  std::size_t size_ = 0;
};

class FidDecoder {
 public:
  static constexpr bool kDecoding = true;

  FidDecoder(const FidValues& values, std::optional<Error>& error) : values_(values), error_(error) {}

  template <class C>
  void req(int fid, typename C::Value& out, const C& codec) {
    if (error_) return;
    const auto text = values_.find(fid);
    if (!text) return fail("missing " + std::string(FidName(fid).view()));
    const FidName name(fid);
    if (codec.is_none(trim(*text))) return fail(std::string(name.view()) + ": no value " + quote_for_error(*text));
    auto v = codec.decode(name.view(), *text);
    if (!v) return fail(v.error().message);
    out = std::move(*v);
  }

  template <class C>
  void opt(int fid, std::optional<typename C::Value>& out, const C& codec) {
    out.reset();
    if (error_) return;
    const auto text = values_.find(fid);
    if (!text) return;
    const std::string_view t = trim(*text);
    if (t.empty() || codec.is_none(t)) return;
    auto v = codec.decode(FidName(fid).view(), *text);
    if (!v) return fail(v.error().message);
    out = std::move(*v);
  }

  void text(int fid, std::string& out) {
    const auto t = values_.find(fid);
    out = t ? std::string(trim(*t)) : std::string();
  }

 private:
  void fail(std::string message) {
    if (!error_) error_ = Error{std::move(message)};
  }

  const FidValues& values_;
  std::optional<Error>& error_;
};

class FidEncoder {
 public:
  static constexpr bool kDecoding = false;

  explicit FidEncoder(FidValues& out) : out_(out) {}

  template <class C>
  void req(int fid, const typename C::Value& v, const C& codec) {
    out_.add(fid, codec.encode(v));
  }
  template <class C>
  void opt(int fid, const std::optional<typename C::Value>& v, const C& codec) {
    out_.add(fid, v ? codec.encode(*v) : std::string(codec.none_text));
  }
  void text(int fid, const std::string& v) { out_.add(fid, v); }

 private:
  FidValues& out_;
};

// FID 15: "+82" a buy-initiated trade of 82 shares, "-82" sell-initiated.
struct TradeVolumeCodec {
  using Value = TradeVolume;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const {
    auto q = parse_signed_qty(key, text);
    if (!q) return q.error();
    TradeVolume out;
    out.qty = Qty(q->value() < 0 ? -q->value() : q->value());
    switch (price_direction(text)) {
      case Direction::Up: out.aggressor = Side::Buy; break;
      case Direction::Down: out.aggressor = Side::Sell; break;
      case Direction::Flat: break;
    }
    return out;
  }
  std::string encode(const Value& v) const {
    const Direction d = !v.aggressor ? Direction::Flat : (*v.aggressor == Side::Buy ? Direction::Up : Direction::Down);
    return format_price(Price(v.qty.value()), d);
  }
  bool is_none(std::string_view) const { return false; }
};

constexpr TradeVolumeCodec kTradeVolume{};
constexpr IntCodec kSession{.min = 1, .max = 3};
constexpr auto kSideCode = enum_codec<Side>({{Side::Sell, code::kSideSell}, {Side::Buy, code::kSideBuy}});
constexpr auto kOrderStatus = enum_codec<OrderEventStatus>({
    {OrderEventStatus::Accepted, order_status_text::kAccepted},
    {OrderEventStatus::Filled, order_status_text::kFilled},
    {OrderEventStatus::Confirmed, order_status_text::kConfirmed},
    {OrderEventStatus::Cancelled, order_status_text::kCancelled},
    {OrderEventStatus::Rejected, order_status_text::kRejected},
});
constexpr auto kConditionAction = enum_codec<ConditionAction>(
    {{ConditionAction::Enter, ws_code::kConditionEnter}, {ConditionAction::Exit, ws_code::kConditionExit}});

}  // namespace

template <class V, Is<TradeEvent> S>
void describe(V& v, S& e) {
  v.req(fid::kTime, e.time, kTime);
  v.req(fid::kPrice, e.price, kPrice);
  v.opt(fid::kChange, e.change, kPriceChange);
  v.opt(fid::kChangeRate, e.change_rate, kSignedRate);
  v.opt(fid::kBestAsk, e.best_ask, kPrice);
  v.opt(fid::kBestBid, e.best_bid, kPrice);
  v.req(fid::kVolume, e.volume, kTradeVolume);
  v.req(fid::kCumVolume, e.cum_volume, kQty);
  v.opt(fid::kCumValue, e.cum_value, kMillionKrw);
  v.opt(fid::kOpen, e.open, kPrice);
  v.opt(fid::kHigh, e.high, kPrice);
  v.opt(fid::kLow, e.low, kPrice);
  v.opt(fid::kChangeSign, e.change_sign, kChangeSign);
  v.opt(fid::kStrength, e.strength, kRate);
  v.opt(fid::kSession, e.session, kSession);
}

template <class V, Is<BookEvent> S>
void describe(V& v, S& b) {
  v.req(fid::kBookTime, b.time, kTime);
  for (std::size_t i = 0; i < b.asks.size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    v.req(fid::kAskPriceBase + n, b.asks[i].price, kPrice);
    v.req(fid::kAskQtyBase + n, b.asks[i].qty, kQty);
    v.opt(fid::kAskChangeBase + n, b.asks[i].qty_change, kSignedQty);
    v.req(fid::kBidPriceBase + n, b.bids[i].price, kPrice);
    v.req(fid::kBidQtyBase + n, b.bids[i].qty, kQty);
    v.opt(fid::kBidChangeBase + n, b.bids[i].qty_change, kSignedQty);
  }
  v.req(fid::kTotalAsk, b.total_ask, kQty);
  v.opt(fid::kTotalAskChange, b.total_ask_change, kSignedQty);
  v.req(fid::kTotalBid, b.total_bid, kQty);
  v.opt(fid::kTotalBidChange, b.total_bid_change, kSignedQty);
  v.opt(fid::kExpectedPrice, b.expected_price, kPrice);
  v.opt(fid::kExpectedQty, b.expected_qty, kQty);
}

template <class V, Is<OrderEvent> S>
void describe(V& v, S& o) {
  v.text(fid::kAccount, o.account);
  v.req(fid::kOrderNo, o.order_no, kOrderNo);
  v.req(fid::kCode, o.code, kCode);
  v.req(fid::kOrderStatus, o.status, kOrderStatus);
  v.text(fid::kName, o.name);
  v.req(fid::kOrderQty, o.order_qty, kQty);
  v.req(fid::kOrderPrice, o.order_price, kPrice);
  v.req(fid::kUnfilledQty, o.unfilled, kQty);
  v.opt(fid::kFilledAmount, o.filled_amount, kKrw);
  v.opt(fid::kOrigOrderNo, o.orig_order_no, kOrigOrderNo);
  v.text(fid::kOrderKind, o.kind);
  v.text(fid::kTradeType, o.trade_type);
  v.req(fid::kSideCode, o.side, kSideCode);
  v.req(fid::kOrderTime, o.time, kTime);
  v.opt(fid::kExecNo, o.exec_no, kText);
  v.opt(fid::kExecPrice, o.exec_price, kPrice);
  v.opt(fid::kExecQty, o.exec_qty, kQty);
  v.opt(fid::kUnitExecPrice, o.unit_exec_price, kPrice);
  v.opt(fid::kUnitExecQty, o.unit_exec_qty, kQty);
  v.opt(fid::kTodayFee, o.fee, kKrw);
  v.opt(fid::kTodayTax, o.tax, kKrw);
  v.text(fid::kRejectReason, o.reject_reason);
  v.opt(fid::kOrderExchange, o.venue, kAccountVenue);
}

template <class V, Is<BalanceEvent> S>
void describe(V& v, S& b) {
  v.text(fid::kAccount, b.account);
  v.req(fid::kCode, b.code, kCode);
  v.text(fid::kCreditType, b.credit_type);
  v.text(fid::kName, b.name);
  v.opt(fid::kPrice, b.current, kPrice);
  v.req(fid::kHoldingQty, b.qty, kQty);
  v.req(fid::kAvgPrice, b.avg_price, kPrice);
  v.req(fid::kTotalCost, b.total_cost, kKrw);
  v.req(fid::kSellableQty, b.sellable, kQty);
  v.opt(fid::kNetBoughtToday, b.net_bought_today, kSignedQty);
  v.opt(fid::kRealizedToday, b.realized_today, kKrw);
  v.opt(fid::kBasePrice, b.base_price, kPrice);
  v.opt(fid::kRealizedRate, b.realized_rate, kSignedRate);
}

template <class V, Is<ConditionHit> S>
void describe(V& v, S& h) {
  v.req(fid::kConditionSeq, h.seq, kText);
  v.req(fid::kCode, h.code, kCode);
  v.req(fid::kConditionAction, h.action, kConditionAction);
  v.opt(fid::kTime, h.time, kTime);
}

template <class V, Is<ConditionRow> S>
void describe(V& v, S& r) {
  v.req(fid::kCode, r.code, kAccountCode);
  v.text(fid::kName, r.name);
  v.opt(fid::kPrice, r.price, kPrice);
  v.opt(fid::kChangeSign, r.change_sign, kChangeSign);
  v.opt(fid::kChange, r.change, kPriceChange);
  v.opt(fid::kCumVolume, r.volume, kQty);
  v.opt(fid::kOpen, r.open, kPrice);
  v.opt(fid::kHigh, r.high, kPrice);
  v.opt(fid::kLow, r.low, kPrice);
}

namespace {

// Where an entry error points: "REAL 0B 005930: ".
std::string entry_context(const RealEntry& entry) {
  std::string m = "REAL ";
  m += quote_for_error(entry.type);
  if (!entry.item.empty()) m += " " + quote_for_error(entry.item);
  return m + ": ";
}

template <class Event>
Result<Event> decode_fids(const RealEntry& entry, std::string_view type, Event event) {
  if (entry.type != type) {
    return Error{entry_context(entry) + "expected type " + std::string(type)};
  }
  std::optional<Error> error;
  FidDecoder d(entry.values, error);
  describe(d, event);
  if (error) return Error{entry_context(entry) + error->message};
  return event;
}

// 0B and 0D name their stock in the entry's item, not in a FID.
template <class Event>
Result<Event> decode_with_instrument(const RealEntry& entry, std::string_view type) {
  Event event{};
  auto instrument = parse_instrument(ws_key::kItem, entry.item);
  if (!instrument) return Error{entry_context(entry) + instrument.error().message};
  event.instrument = *instrument;
  return decode_fids(entry, type, std::move(event));
}

template <class Event>
RealEntry encode_fids(const Event& event, std::string_view type, std::string_view name, std::string item) {
  RealEntry entry;
  entry.type = std::string(type);
  entry.name = std::string(name);
  entry.item = std::move(item);
  FidEncoder e(entry.values);
  describe(e, event);
  return entry;
}

}  // namespace

Result<TradeEvent> decode_trade(const RealEntry& entry) {
  return decode_with_instrument<TradeEvent>(entry, real_type::kTrade);
}

Result<BookEvent> decode_book(const RealEntry& entry) {
  return decode_with_instrument<BookEvent>(entry, real_type::kOrderBook);
}

Result<OrderEvent> decode_order_event(const RealEntry& entry) {
  return decode_fids(entry, real_type::kOrderExecution, OrderEvent{});
}

Result<BalanceEvent> decode_balance(const RealEntry& entry) {
  return decode_fids(entry, real_type::kBalance, BalanceEvent{});
}

Result<ConditionHit> decode_condition_hit(const RealEntry& entry) {
  return decode_fids(entry, real_type::kCondition, ConditionHit{});
}

namespace {
template <class Event>
RealEvent to_event(Result<Event> r, const RealEntry& entry) {
  if (r) return std::move(*r);
  return WsError{std::string(trnm::kReal), entry.type, r.error().message};
}
}  // namespace

RealEvent decode_real(const RealEntry& entry) {
  const std::string_view t = entry.type;
  if (t == real_type::kTrade) return to_event(decode_trade(entry), entry);
  if (t == real_type::kOrderBook) return to_event(decode_book(entry), entry);
  if (t == real_type::kOrderExecution) return to_event(decode_order_event(entry), entry);
  if (t == real_type::kBalance) return to_event(decode_balance(entry), entry);
  if (t == real_type::kCondition) return to_event(decode_condition_hit(entry), entry);
  return WsError{std::string(trnm::kReal), entry.type, entry_context(entry) + "no typed decoder for this type"};
}

RealEntry encode_real(const TradeEvent& e) {
  return encode_fids(e, real_type::kTrade, real_type::kTradeName, format_instrument(e.instrument));
}

RealEntry encode_real(const BookEvent& e) {
  return encode_fids(e, real_type::kOrderBook, real_type::kOrderBookName, format_instrument(e.instrument));
}

RealEntry encode_real(const OrderEvent& e) {
  return encode_fids(e, real_type::kOrderExecution, real_type::kOrderExecutionName, e.code.str());
}

RealEntry encode_real(const BalanceEvent& e) {
  return encode_fids(e, real_type::kBalance, real_type::kBalanceName, e.code.str());
}

RealEntry encode_real(const ConditionHit& e) {
  return encode_fids(e, real_type::kCondition, real_type::kConditionName, e.code.str());
}

namespace detail {

Result<ConditionRow> decode_condition_row(const FidValues& values) {
  ConditionRow row;
  std::optional<Error> error;
  FidDecoder d(values, error);
  describe(d, row);
  if (error) return *error;
  return row;
}

FidValues encode_condition_row(const ConditionRow& row) {
  FidValues out;
  FidEncoder e(out);
  describe(e, row);
  return out;
}

}  // namespace detail
}  // namespace dalbit::kiwoom
