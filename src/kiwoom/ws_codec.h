// Kiwoom's WebSocket messages (websocket.md), sans IO, for both ends.
//
// Client: build_login / build_reg / build_condition_* to send;
//         parse_ws_message(frame) -> WsMessage for every frame received;
//         decode_real(entry) -> a typed event for each REAL entry.
// Server: parse_ws_request(frame) -> WsRequest; build_login_result,
//         build_real(encode_real(TradeEvent{...})), ... to answer.
//
// The parsers never throw and never quote a frame: a malformed or unknown
// message is a WsError naming its trnm and REAL type.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/money.h"
#include "core/result.h"
#include "core/secret.h"
#include "core/types.h"
#include "kiwoom/envelope.h"
#include "kiwoom/rest.h"
#include "kiwoom/values.h"

namespace dalbit::kiwoom {

// The FID -> text pairs of one REAL entry, in arrival order. Unknown FIDs are
// kept. One text buffer and one slot array, so a 0B entry costs two allocations.
class FidValues {
 public:
  void add(int fid, std::string_view text);
  [[nodiscard]] std::optional<std::string_view> find(int fid) const;  // the first occurrence
  [[nodiscard]] std::size_t size() const { return slots_.size(); }
  [[nodiscard]] bool empty() const { return slots_.empty(); }
  [[nodiscard]] int fid_at(std::size_t i) const { return slots_[i].fid; }
  [[nodiscard]] std::string_view text_at(std::size_t i) const {
    return std::string_view(text_).substr(slots_[i].offset, slots_[i].length);
  }
  void reserve(std::size_t fields, std::size_t bytes);
  friend bool operator==(const FidValues& a, const FidValues& b);

 private:
  struct Slot {
    int fid = 0;
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
  };
  std::string text_;
  std::vector<Slot> slots_;
};

struct RealEntry {
  std::string type;  // "0B", "00", "02" ...
  std::string name;  // "주식체결"
  std::string item;  // "005930", "005930_NX", "" for account-wide types
  FidValues values;
  friend bool operator==(const RealEntry&, const RealEntry&) = default;
};

// return_code / return_msg of an acknowledgement.
struct Ack {
  std::int64_t return_code = 0;
  std::string return_msg;
  [[nodiscard]] bool ok() const { return return_code == 0; }
};

// ---------------------------------------------------------------- server -> client

struct LoginResult {
  Ack ack;
  std::optional<bool> sor_enabled;  // sor_yn; meaning UNCONFIRMED
  // Set when !ack.ok(): TokenInvalid when the message carries CODE=8005/8031/8103.
  std::optional<ApiError> error;
};

// The client must send `frame` back unchanged.
struct Ping {
  std::string frame;
};

// Server notices (R10001 duplicate session, R10002 heartbeat, R10004 no login).
// Never echo one: the server closes the connection if you do.
struct SystemNotice {
  std::string code;
  std::string message;
};

struct RegResult {
  bool remove = false;  // an ack of REMOVE rather than REG
  Ack ack;
};

struct Real {
  std::vector<RealEntry> entries;  // one frame may carry several types and items
};

struct ConditionInfo {
  std::string seq;   // 조건검색식 일련번호
  std::string name;
  friend bool operator==(const ConditionInfo&, const ConditionInfo&) = default;
};

struct ConditionList {  // CNSRLST
  Ack ack;
  std::vector<ConditionInfo> conditions;
};

struct ConditionRow {
  StockCode code;                  // 9001 or jmcode ('A' stripped)
  std::string name;                // 302
  std::optional<Price> price;      // 10, zero-padded
  std::optional<int> change_sign;  // 25
  std::optional<Price> change;     // 11
  std::optional<Qty> volume;       // 13
  std::optional<Price> open;       // 16
  std::optional<Price> high;       // 17
  std::optional<Price> low;        // 18
  // FID 12 (등락율) is left out: its implied decimals are UNCONFIRMED.
};

struct ConditionSearchResult {  // CNSRREQ answer
  std::string seq;
  Ack ack;
  bool realtime = false;        // rows carry only jmcode (search_type 1)
  bool has_more = false;        // cont_yn == "Y"
  std::string next_key;
  std::vector<ConditionRow> rows;
};

struct ConditionClearResult {  // CNSRCLR answer
  std::string seq;
  Ack ack;
};

struct WsError {
  std::string trnm;  // as received (upper-cased), "" when unknown
  std::string type;  // the REAL type, when the error is about one entry
  std::string message;
};

using WsMessage = std::variant<LoginResult, Ping, SystemNotice, RegResult, Real, ConditionList,
                               ConditionSearchResult, ConditionClearResult, WsError>;

[[nodiscard]] WsMessage parse_ws_message(std::string_view frame);

// ---------------------------------------------------------------- typed REAL events

// FID 15: the magnitude is the volume, the sign the aggressor (+ buy, - sell).
struct TradeVolume {
  Qty qty;
  std::optional<Side> aggressor;
  friend bool operator==(const TradeVolume&, const TradeVolume&) = default;
};

struct TradeEvent {  // 0B 주식체결
  Instrument instrument;  // from the entry's item
  TimeOfDay time;         // 20
  Price price;            // 10
  TradeVolume volume;     // 15
  Qty cum_volume;         // 13
  std::optional<Price> change;       // 11
  std::optional<Rate> change_rate;   // 12
  std::optional<int> change_sign;    // 25
  std::optional<Krw> cum_value;      // 14, 백만원 -> won
  std::optional<Price> open;         // 16
  std::optional<Price> high;         // 17
  std::optional<Price> low;          // 18
  std::optional<Price> best_ask;     // 27
  std::optional<Price> best_bid;     // 28
  std::optional<Rate> strength;      // 228 체결강도
  std::optional<int> session;        // 290: 1 pre, 2 regular, 3 after hours
};

struct BookEvent {  // 0D 주식호가잔량; level 0 is the best
  Instrument instrument;
  TimeOfDay time;  // 21
  std::array<BookLevel, 10> asks;
  std::array<BookLevel, 10> bids;
  Qty total_ask;   // 121
  Qty total_bid;   // 125
  std::optional<Qty> total_ask_change;  // 122
  std::optional<Qty> total_bid_change;  // 126
  std::optional<Price> expected_price;  // 23
  std::optional<Qty> expected_qty;      // 24
};

enum class OrderEventStatus : std::uint8_t { Accepted, Filled, Confirmed, Cancelled, Rejected };

// 00 주문체결: one event of one order. A modify or cancel is a new order number
// with orig_order_no set. Rebuild state from order_qty / unfilled / exec_qty
// rather than by counting events (websocket.md §5.1).
struct OrderEvent {
  std::string order_no;                  // 9203
  StockCode code;                        // 9001
  OrderEventStatus status = OrderEventStatus::Accepted;  // 913
  Side side = Side::Buy;                 // 907
  Qty order_qty;                         // 900
  Price order_price;                     // 901, 0 for market orders
  Qty unfilled;                          // 902
  TimeOfDay time;                        // 908
  std::string account;                   // 9201
  std::string name;                      // 302
  std::string kind;                      // 905 "+매수", "-매도정정" (parse_order_kind)
  std::string trade_type;                // 906 보통, 시장가 ...
  std::optional<Krw> filled_amount;      // 903 체결누계금액
  std::optional<std::string> orig_order_no;  // 904, "0000000" reads as none
  std::optional<std::string> exec_no;    // 909
  std::optional<Price> exec_price;       // 910
  std::optional<Qty> exec_qty;           // 911, cumulative (UNCONFIRMED)
  std::optional<Price> unit_exec_price;  // 914, this execution
  std::optional<Qty> unit_exec_qty;      // 915, this execution
  std::optional<Krw> fee;                // 938 today's commission
  std::optional<Krw> tax;                // 939 today's tax
  std::string reject_reason;             // 919, "0" when none
  std::optional<VenueFilter> venue;      // 2134
};

struct BalanceEvent {  // 04 잔고
  StockCode code;      // 9001
  Qty qty;             // 930 held after the event
  Price avg_price;     // 931
  Krw total_cost;      // 932
  Qty sellable;        // 933
  std::string account;                 // 9201
  std::string name;                    // 302
  std::optional<Price> current;        // 10
  std::optional<Price> base_price;     // 307
  std::optional<Qty> net_bought_today; // 945
  std::optional<Krw> realized_today;   // 950
  std::optional<Rate> realized_rate;   // 8019
  std::string credit_type;             // 917
};

enum class ConditionAction : std::uint8_t { Enter, Exit };  // 843 I / D

struct ConditionHit {  // 02 조건검색
  std::string seq;     // 841
  StockCode code;      // 9001
  ConditionAction action = ConditionAction::Enter;
  std::optional<TimeOfDay> time;  // 20
};

[[nodiscard]] Result<TradeEvent> decode_trade(const RealEntry& entry);
[[nodiscard]] Result<BookEvent> decode_book(const RealEntry& entry);
[[nodiscard]] Result<OrderEvent> decode_order_event(const RealEntry& entry);
[[nodiscard]] Result<BalanceEvent> decode_balance(const RealEntry& entry);
[[nodiscard]] Result<ConditionHit> decode_condition_hit(const RealEntry& entry);

using RealEvent = std::variant<TradeEvent, BookEvent, OrderEvent, BalanceEvent, ConditionHit, WsError>;
// By type; a type without a typed decoder (0C, 0g, ...) is a WsError naming it.
[[nodiscard]] RealEvent decode_real(const RealEntry& entry);

// The simulator's direction: typed events as REAL entries. Prices are written
// without a direction sign.
[[nodiscard]] RealEntry encode_real(const TradeEvent& e);
[[nodiscard]] RealEntry encode_real(const BookEvent& e);
[[nodiscard]] RealEntry encode_real(const OrderEvent& e);
[[nodiscard]] RealEntry encode_real(const BalanceEvent& e);
[[nodiscard]] RealEntry encode_real(const ConditionHit& e);

// ---------------------------------------------------------------- client -> server

struct LoginRequest {
  Secret token;  // the REST token, without "Bearer "
};

struct RegData {
  std::vector<std::string> items;  // codes ("005930", "005930_NX"), or "" for 00/04/0s
  std::vector<std::string> types;  // "0B", "0D" ...
  friend bool operator==(const RegData&, const RegData&) = default;
};

struct RegRequest {
  bool remove = false;        // REMOVE instead of REG
  std::string group = "1";    // grp_no
  bool keep_existing = true;  // refresh "1"; "0" drops earlier registrations (REG only)
  std::vector<RegData> data;
};

struct ConditionListRequest {};

struct ConditionSearchRequest {
  std::string seq;
  bool realtime = false;           // search_type 1 (ka10173) vs 0 (ka10172)
  VenueFilter venue = VenueFilter::Krx;  // stex_tp K (N / A UNCONFIRMED)
  bool continuing = false;         // cont_yn Y (one-shot paging only)
  std::string next_key;
};

struct ConditionClearRequest {
  std::string seq;
};

using WsRequest = std::variant<LoginRequest, Ping, RegRequest, ConditionListRequest, ConditionSearchRequest,
                               ConditionClearRequest, WsError>;

// The server's parser. Never quotes the LOGIN token.
[[nodiscard]] WsRequest parse_ws_request(std::string_view frame);

// ---------------------------------------------------------------- builders

[[nodiscard]] std::string build_login(const Secret& token);
[[nodiscard]] std::string build_ping();  // {"trnm":"PING"}; the server's keep-alive
[[nodiscard]] std::string build_reg(const RegRequest& request);  // REG or REMOVE
[[nodiscard]] std::string build_condition_list();
[[nodiscard]] std::string build_condition_search(const ConditionSearchRequest& request);
[[nodiscard]] std::string build_condition_clear(std::string_view seq);

[[nodiscard]] std::string build_login_result(const LoginResult& result);
[[nodiscard]] std::string build_system(const SystemNotice& notice);
[[nodiscard]] std::string build_reg_result(const RegResult& result);
[[nodiscard]] std::string build_real(std::span<const RealEntry> entries);
[[nodiscard]] std::string build_condition_list_result(const ConditionList& list);
[[nodiscard]] std::string build_condition_search_result(const ConditionSearchResult& result);
[[nodiscard]] std::string build_condition_clear_result(const ConditionClearResult& result);

}  // namespace dalbit::kiwoom
