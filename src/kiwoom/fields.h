// Private to src/kiwoom: the machinery behind the REST codecs.
//
// Each message struct is described once, by a function template
//   template <class V, Is<Holding> S> void describe(V& v, S& h) {
//     v.req(key::kRmndQty, h.qty, kQty15);
//     v.opt(key::kCrdLoanDt, h.loan_date, kDate);
//   }
// and that one description drives both directions: a Decoder reads a JSON
// object into the struct (client: responses; simulator: requests) and an
// Encoder writes the struct as JSON (client: requests; simulator: responses).
// A codec turns one wire string into one value and back.
#pragma once

#include <array>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/secret.h"
#include "kiwoom/envelope.h"
#include "kiwoom/json.h"
#include "kiwoom/protocol.h"
#include "kiwoom/rest.h"
#include "kiwoom/values.h"

namespace dalbit::kiwoom::fields {

template <class S, class T>
concept Is = std::same_as<std::remove_const_t<S>, T>;

// ---------------------------------------------------------------- codecs
// A codec has: Value; decode(key, text) -> Result<Value>; encode(value) ->
// string; is_none(trimmed text) for values that mean "nothing" ("00000000");
// none_text, written for an absent optional value.

struct PriceCodec {  // a direction-signed price; the magnitude is kept
  using Value = Price;
  int width = 0;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const { return parse_price(key, text); }
  std::string encode(const Value& v) const {
    return width > 0 ? format_padded(v.value(), width) : format_int(v.value());
  }
  bool is_none(std::string_view) const { return false; }
};

struct PriceChangeCodec {  // a signed difference of prices
  using Value = Price;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const {
    return parse_price_change(key, text);
  }
  std::string encode(const Value& v) const { return format_signed(v.value()); }
  bool is_none(std::string_view) const { return false; }
};

struct QtyCodec {
  using Value = Qty;
  int width = 0;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const { return parse_qty(key, text); }
  std::string encode(const Value& v) const {
    return width > 0 ? format_padded(v.value(), width) : format_int(v.value());
  }
  bool is_none(std::string_view) const { return false; }
};

struct SignedQtyCodec {
  using Value = Qty;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const {
    return parse_signed_qty(key, text);
  }
  std::string encode(const Value& v) const { return format_signed(v.value()); }
  bool is_none(std::string_view) const { return false; }
};

struct KrwCodec {
  using Value = Krw;
  int width = 0;
  std::int64_t unit = 1;  // 1'000'000 for 백만원 fields, 100'000'000 for 억원
  bool plus_sign = false;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const {
    auto v = parse_krw(key, text);
    if (!v || unit == 1) return v;
    const std::int64_t n = v->value();
    if (n > INT64_MAX / unit || n < INT64_MIN / unit) {
      return Error{std::string(key) + ": amount out of range " + quote_for_error(text)};
    }
    return Krw(n * unit);
  }
  std::string encode(const Value& v) const {
    const std::int64_t n = v.value() / unit;
    if (width > 0) return format_padded(n, width);
    return plus_sign ? format_signed(n) : format_int(n);
  }
  bool is_none(std::string_view) const { return false; }
};

struct RateCodec {
  using Value = Rate;
  bool plus_sign = true;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const { return parse_rate(key, text); }
  std::string encode(const Value& v) const { return format_rate(v, plus_sign); }
  bool is_none(std::string_view) const { return false; }
};

struct IntCodec {  // a small code number with a valid range (전일대비기호 1..5)
  using Value = int;
  int min = 0;
  int max = 0;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const {
    auto v = parse_int(key, text);
    if (!v) return v.error();
    if (*v < min || *v > max) {
      return Error{std::string(key) + ": " + quote_for_error(text) + " is outside " + std::to_string(min) +
                   ".." + std::to_string(max)};
    }
    return static_cast<int>(*v);
  }
  std::string encode(const Value& v) const { return std::to_string(v); }
  bool is_none(std::string_view) const { return false; }
};

struct DateCodec {
  using Value = KstDate;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const { return parse_date(key, text); }
  std::string encode(const Value& v) const { return format_date(v); }
  bool is_none(std::string_view text) const { return is_no_date(text); }
};

struct TimeCodec {
  using Value = TimeOfDay;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const { return parse_time(key, text); }
  std::string encode(const Value& v) const { return format_time(v); }
  bool is_none(std::string_view) const { return false; }
};

struct DateTimeCodec {
  using Value = Timestamp;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const {
    return parse_date_time(key, text);
  }
  std::string encode(const Value& v) const { return format_date_time(v); }
  bool is_none(std::string_view) const { return false; }
};

struct StockCodeCodec {
  using Value = StockCode;
  bool account_prefix = false;  // write "A005930" (account responses) instead of "005930"
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const {
    return parse_stock_code(key, text);
  }
  std::string encode(const Value& v) const { return format_stock_code(v, account_prefix); }
  bool is_none(std::string_view) const { return false; }
};

struct InstrumentCodec {
  using Value = Instrument;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const {
    return parse_instrument(key, text);
  }
  std::string encode(const Value& v) const { return format_instrument(v); }
  bool is_none(std::string_view) const { return false; }
};

struct TextCodec {  // names and free text, trimmed; blank is a value
  using Value = std::string;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view, std::string_view text) const { return std::string(trim(text)); }
  std::string encode(const Value& v) const { return v; }
  bool is_none(std::string_view) const { return false; }
};

// Never quotes the value: app keys, secret keys and tokens stay out of messages.
struct SecretCodec {
  using Value = Secret;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const {
    const std::string_view s = trim(text);
    if (s.empty()) return Error{std::string(key) + ": is empty"};
    return Secret(std::string(s));
  }
  std::string encode(const Value& v) const { return v.reveal(); }
  bool is_none(std::string_view) const { return false; }
};

// Order numbers stay in their wire form ("0000139"): the server accepts what it sent.
struct OrderNoCodec {
  using Value = std::string;
  std::string_view none_text = {};  // "0000000" where Kiwoom writes "none" that way
  Result<Value> decode(std::string_view key, std::string_view text) const {
    const std::string_view s = trim(text);
    if (s.empty()) return Error{std::string(key) + ": order number is empty"};
    for (const char c : s) {
      if (c < '0' || c > '9') return Error{std::string(key) + ": bad order number " + quote_for_error(text)};
    }
    return std::string(s);
  }
  std::string encode(const Value& v) const { return v; }
  bool is_none(std::string_view text) const {
    return !text.empty() && text.find_first_not_of('0') == std::string_view::npos;
  }
};

struct YesNoCodec {
  using Value = bool;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const {
    const std::string_view s = trim(text);
    if (s == code::kYes) return true;
    if (s == code::kNo || s.empty()) return false;
    return Error{std::string(key) + ": expected Y or N, got " + quote_for_error(text)};
  }
  std::string encode(const Value& v) const { return std::string(v ? code::kYes : code::kNo); }
  bool is_none(std::string_view) const { return false; }
};

template <class E, std::size_t N>
struct EnumCodec {
  using Value = E;
  std::array<std::pair<E, std::string_view>, N> table;
  std::string_view none_text = {};
  Result<Value> decode(std::string_view key, std::string_view text) const {
    const std::string_view s = trim(text);
    for (const auto& [value, wire] : table) {
      if (wire == s) return value;
    }
    return Error{std::string(key) + ": unknown code " + quote_for_error(text)};
  }
  std::string encode(const Value& v) const {
    for (const auto& [value, wire] : table) {
      if (value == v) return std::string(wire);
    }
    return {};
  }
  bool is_none(std::string_view) const { return false; }
};

template <class E, std::size_t N>
constexpr EnumCodec<E, N> enum_codec(const std::pair<E, std::string_view> (&table)[N]) {
  EnumCodec<E, N> c{};
  for (std::size_t i = 0; i < N; ++i) c.table[i] = table[i];
  return c;
}

// Shared codec instances; widths are what Kiwoom pads to, used when encoding.
inline constexpr PriceCodec kPrice{};
inline constexpr PriceChangeCodec kPriceChange{};
inline constexpr QtyCodec kQty{};
inline constexpr SignedQtyCodec kSignedQty{};
inline constexpr KrwCodec kKrw{};
inline constexpr KrwCodec kMillionKrw{.unit = 1'000'000};
inline constexpr KrwCodec kHundredMillionKrw{.unit = 100'000'000};
inline constexpr RateCodec kSignedRate{.plus_sign = true};
inline constexpr RateCodec kRate{.plus_sign = false};
inline constexpr IntCodec kChangeSign{.min = code::kSignLimitUp, .max = code::kSignDown};
inline constexpr DateCodec kDate{};
inline constexpr DateCodec kDateOrZeros{.none_text = "00000000"};
inline constexpr TimeCodec kTime{};
inline constexpr DateTimeCodec kDateTime{};
inline constexpr StockCodeCodec kCode{};
inline constexpr StockCodeCodec kAccountCode{.account_prefix = true};
inline constexpr InstrumentCodec kInstrument{};
inline constexpr TextCodec kText{};
inline constexpr SecretCodec kSecret{};
inline constexpr OrderNoCodec kOrderNo{};
inline constexpr OrderNoCodec kOrigOrderNo{.none_text = "0000000"};
inline constexpr YesNoCodec kYesNo{};

inline constexpr auto kVenue = enum_codec<Venue>({{Venue::Krx, code::kVenueKrx},
                                                  {Venue::Nxt, code::kVenueNxt},
                                                  {Venue::Sor, code::kVenueSor}});
inline constexpr auto kAccountVenue = enum_codec<VenueFilter>({{VenueFilter::All, code::kAcctVenueAll},
                                                              {VenueFilter::Krx, code::kAcctVenueKrx},
                                                              {VenueFilter::Nxt, code::kAcctVenueNxt}});
inline constexpr auto kSideFilter = enum_codec<SideFilter>({{SideFilter::All, code::kSideAll},
                                                           {SideFilter::Sell, code::kSideSell},
                                                           {SideFilter::Buy, code::kSideBuy}});

// ---------------------------------------------------------------- visitors

class Decoder {
 public:
  static constexpr bool kDecoding = true;

  Decoder(std::string_view api_id, json::ObjectView obj, std::string where, std::optional<Error>& error)
      : api_id_(api_id), obj_(obj), where_(std::move(where)), error_(error) {}

  [[nodiscard]] std::string_view api_id() const { return api_id_; }
  [[nodiscard]] bool failed() const { return error_.has_value(); }

  void fail(std::string_view message) {
    if (failed()) return;
    std::string m(api_id_);
    m.append(": ").append(where_).append(message);
    error_ = Error{std::move(m)};
  }
  void check(bool condition, std::string_view message) {
    if (!condition) fail(message);
  }

  template <class C>
  void req(std::string_view key, typename C::Value& out, const C& codec) {
    if (failed()) return;
    const auto s = obj_.scalar(key);
    if (s.kind == json::ObjectView::Kind::Missing) return fail("missing required key '" + std::string(key) + "'");
    if (s.kind == json::ObjectView::Kind::NotScalar) return fail(std::string(key) + ": expected a string");
    if (codec.is_none(trim(s.text)) && s.kind != json::ObjectView::Kind::Null) {
      return fail(std::string(key) + ": no value " + quote_for_error(s.text));
    }
    auto v = codec.decode(key, s.text);
    if (!v) return fail(v.error().message);
    out = std::move(*v);
  }

  template <class C>
  void opt(std::string_view key, std::optional<typename C::Value>& out, const C& codec) {
    out.reset();
    if (failed()) return;
    const auto s = obj_.scalar(key);
    if (s.kind == json::ObjectView::Kind::NotScalar) return fail(std::string(key) + ": expected a string");
    if (s.kind != json::ObjectView::Kind::Text) return;
    const std::string_view t = trim(s.text);
    if (t.empty() || codec.is_none(t)) return;
    auto v = codec.decode(key, s.text);
    if (!v) return fail(v.error().message);
    out = std::move(*v);
  }

  // A value that reads as `fallback` when missing, null or blank.
  template <class C>
  void dflt(std::string_view key, typename C::Value& out, const C& codec, typename C::Value fallback) {
    std::optional<typename C::Value> v;
    opt(key, v, codec);
    out = v ? std::move(*v) : std::move(fallback);
  }
  // Free text (names, status words): "" when missing.
  void text(std::string_view key, std::string& out);

  // A literal the protocol fixes (grant_type): checked when decoding.
  void fixed(std::string_view key, std::string_view expected) {
    if (failed()) return;
    const auto s = obj_.scalar(key);
    if (s.kind == json::ObjectView::Kind::Missing) return fail("missing required key '" + std::string(key) + "'");
    if (trim(s.text) != expected) {
      fail(std::string(key) + ": expected \"" + std::string(expected) + "\", got " + quote_for_error(s.text));
    }
  }

  // A key derived from other fields (all_stk_tp from whether stk_cd is set):
  // decoding only checks that it is there.
  void computed(std::string_view key, std::string_view) {
    if (failed()) return;
    if (obj_.scalar(key).kind == json::ObjectView::Kind::Missing) {
      fail("missing required key '" + std::string(key) + "'");
    }
  }

  // A missing or null list reads as empty: whether Kiwoom omits empty lists
  // is not documented.
  template <class E>
  void list(std::string_view key, std::vector<E>& out) {
    out.clear();
    if (failed()) return;
    auto l = obj_.list(key);
    if (l.kind == json::ObjectView::ListKind::NotObjects) {
      return fail(std::string(key) + ": expected a list of objects");
    }
    out.resize(l.items.size());
    for (std::size_t i = 0; i < l.items.size() && !failed(); ++i) {
      Decoder child(api_id_, l.items[i], where_ + std::string(key) + "[" + std::to_string(i) + "]: ", error_);
      describe(child, out[i]);
    }
  }

 private:
  std::string_view api_id_;
  json::ObjectView obj_;
  std::string where_;
  std::optional<Error>& error_;
};

inline void Decoder::text(std::string_view key, std::string& out) { dflt(key, out, kText, std::string()); }

class Encoder {
 public:
  static constexpr bool kDecoding = false;

  explicit Encoder(json::Builder& out) : out_(out) {}

  template <class C>
  void req(std::string_view key, const typename C::Value& v, const C& codec) {
    out_.text(key, codec.encode(v));
  }
  template <class C>
  void opt(std::string_view key, const std::optional<typename C::Value>& v, const C& codec) {
    out_.text(key, v ? codec.encode(*v) : std::string(codec.none_text));
  }
  template <class C>
  void dflt(std::string_view key, const typename C::Value& v, const C& codec, const typename C::Value&) {
    out_.text(key, codec.encode(v));
  }
  void text(std::string_view key, const std::string& v) { out_.text(key, v); }
  void fixed(std::string_view key, std::string_view value) { out_.text(key, value); }
  void computed(std::string_view key, std::string_view value) { out_.text(key, value); }
  void check(bool, std::string_view) {}
  template <class E>
  void list(std::string_view key, const std::vector<E>& items) {
    out_.empty_list(key);
    for (const E& item : items) {
      json::Builder element;
      Encoder child(element);
      describe(child, item);
      out_.append(key, std::move(element));
    }
  }

 private:
  json::Builder& out_;
};

// ---------------------------------------------------------------- the generic codec bodies
// Each codec .cpp includes this header and explicitly instantiates the four
// functions of rest.h for its message types (see DALBIT_KIWOOM_REST_API).

template <class T>
Result<T> decode_root(std::string_view api_id, const json::Document& doc) {
  T out{};
  std::optional<Error> error;
  Decoder d(api_id, doc.root(), {}, error);
  describe(d, out);
  if (error) return *error;
  return out;
}

template <class T>
json::Builder encode_root(const T& value) {
  json::Builder b;
  Encoder e(b);
  describe(e, value);
  return b;
}

}  // namespace dalbit::kiwoom::fields

namespace dalbit::kiwoom {

template <class Request>
RestRequest build_request(const Request& request) {
  const std::string_view id = request.api_id();
  const ApiInfo* info = find_api(id);
  return RestRequest{id, info ? info->path : std::string_view{}, fields::encode_root(request).dump()};
}

template <class Response>
ApiResult<Response> parse_response(const HttpReply& reply) {
  auto doc = json::Document::parse(reply.body);
  const bool is_object = doc && doc->is_object();
  std::optional<std::int64_t> return_code;
  std::string return_msg;
  if (is_object) {
    const auto rc = doc->root().scalar(key::kReturnCode);
    if (rc.kind == json::ObjectView::Kind::Text) {
      auto n = parse_int(key::kReturnCode, rc.text);
      if (!n) {
        return ApiError{ErrorKind::Malformed, std::string(reply.api_id), reply.status, std::nullopt, {},
                        n.error().message};
      }
      return_code = *n;
    }
    return_msg = doc->root().scalar(key::kReturnMsg).text;
  }
  if (auto e = classify_reply(reply.api_id, reply.status, return_code, return_msg)) {
    // An unparseable 200 is our problem to report, not the broker's refusal.
    if (!is_object && e->kind == ErrorKind::Malformed) {
      e->message = doc ? std::string("response is not a JSON object") : doc.error().message;
    }
    return *std::move(e);
  }
  auto out = fields::decode_root<Response>(reply.api_id, *doc);
  if (!out) {
    return ApiError{ErrorKind::Malformed, std::string(reply.api_id), reply.status, return_code, {},
                    out.error().message};
  }
  return std::move(*out);
}

template <class Request>
Result<Request> parse_request(std::string_view api_id, std::string_view body) {
  auto doc = json::Document::parse(body);
  if (!doc) return Error{std::string(api_id) + ": request " + doc.error().message};
  if (!doc->is_object()) return Error{std::string(api_id) + ": request is not a JSON object"};
  return fields::decode_root<Request>(api_id, *doc);
}

template <class Response>
std::string build_response(const Response& response, std::string_view return_msg) {
  json::Builder b = fields::encode_root(response);
  b.number(key::kReturnCode, return_code::kOk);
  b.text(key::kReturnMsg, return_msg);
  return b.dump();
}

}  // namespace dalbit::kiwoom

// Explicit instantiations of the four codec functions for one request type
// and its response type.
#define DALBIT_KIWOOM_REST_API(Request)                                                          \
  template ::dalbit::kiwoom::RestRequest dalbit::kiwoom::build_request<Request>(const Request&); \
  template ::dalbit::Result<Request> dalbit::kiwoom::parse_request<Request>(std::string_view,     \
                                                                           std::string_view);    \
  template ::dalbit::kiwoom::ApiResult<Request::Response>                                        \
  dalbit::kiwoom::parse_response<Request::Response>(const ::dalbit::kiwoom::HttpReply&);         \
  template std::string dalbit::kiwoom::build_response<Request::Response>(const Request::Response&, \
                                                                          std::string_view);
