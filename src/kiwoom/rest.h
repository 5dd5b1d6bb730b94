// Kiwoom REST messages as typed values, and the sans-IO codec around them.
//
// Client:    RestRequest r = build_request(DepositRequest{});
//            ... send r.body to r.path with request_headers(r, &token, pager) ...
//            ApiResult<Deposit> d = parse_response<Deposit>(HttpReply{r.api_id, status, body, ...});
// Simulator: Result<DepositRequest> q = parse_request<DepositRequest>(api_id, body);
//            std::string body = build_response(Deposit{...});
//
// Response parsing checks the envelope first (envelope.h), then reads the
// api's keys: a missing required key or a value that does not parse is a
// Malformed error naming the api-id and the key; unknown keys are ignored.
// Prices are magnitudes (the direction sign is dropped); amounts in 백만원/억원
// are converted to won. Order numbers keep their wire form ("0000139").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/result.h"
#include "core/secret.h"
#include "core/stock_code.h"
#include "core/time.h"
#include "core/types.h"
#include "kiwoom/envelope.h"
#include "kiwoom/protocol.h"
#include "kiwoom/values.h"

namespace dalbit::kiwoom {

// ---------------------------------------------------------------- transport-facing types

struct RestRequest {
  std::string_view api_id;  // static storage (protocol.h)
  std::string_view path;
  std::string body;
};

// What the transport hands back. api_id is the request's (Kiwoom echoes it).
struct HttpReply {
  std::string_view api_id;
  int status = kHttpOk;
  std::string_view body;
  std::string_view cont_yn;   // response header cont-yn
  std::string_view next_key;  // response header next-key
};

// Continuation (연속조회) by headers: copy cont-yn/next-key of each response
// into the next request until cont-yn is not "Y" (README §5).
class Pager {
 public:
  // 0 pages = no limit. The official samples stop after 10.
  explicit Pager(int max_pages = 0) : max_pages_(max_pages) {}
  // The first request carries no continuation headers.
  [[nodiscard]] bool continuing() const { return !next_key_.empty(); }
  [[nodiscard]] const std::string& next_key() const { return next_key_; }
  // Feed each response's headers; true when another page should be fetched.
  bool advance(std::string_view cont_yn, std::string_view next_key);
  [[nodiscard]] bool done() const { return done_; }
  [[nodiscard]] int pages() const { return pages_; }

 private:
  int max_pages_ = 0;
  int pages_ = 0;
  bool done_ = false;
  std::string next_key_;
};

struct Header {
  std::string_view name;
  std::string value;
};

// content-type, api-id, authorization (unless `token` is null, as for
// au10001) and, when the pager is continuing, cont-yn: Y and next-key.
[[nodiscard]] std::vector<Header> request_headers(const RestRequest& request, const Secret* token,
                                                  const Pager* pager = nullptr);
// The token inside "Bearer <token>" (the simulator's check); nullopt otherwise.
[[nodiscard]] std::optional<std::string_view> bearer_token(std::string_view authorization);
// An error body the way Kiwoom writes one; the simulator picks the form:
// error_body(1700, "허용된 요청 개수를 초과하였습니다. API ID=kt00001") or the
// category form error_body(5, "허용된 요청 개수를 초과하였습니다[1700:...]").
[[nodiscard]] std::string error_body(std::int64_t return_code, std::string_view return_msg);

inline constexpr std::string_view kDefaultOkMessage = "정상적으로 처리되었습니다";

// ---------------------------------------------------------------- the codec
// Defined for every request type below (and its Response).
template <class Request>
[[nodiscard]] RestRequest build_request(const Request& request);
template <class Response>
[[nodiscard]] ApiResult<Response> parse_response(const HttpReply& reply);
template <class Request>
[[nodiscard]] Result<Request> parse_request(std::string_view api_id, std::string_view body);
template <class Response>
[[nodiscard]] std::string build_response(const Response& response,
                                         std::string_view return_msg = kDefaultOkMessage);

// ---------------------------------------------------------------- au10001 / au10002 token

struct IssuedToken {
  Secret token;
  std::string token_type;  // "bearer"
  Timestamp expires;       // expires_dt, KST
};

struct TokenRequest {
  using Response = IssuedToken;
  Secret app_key;
  Secret secret_key;
  [[nodiscard]] std::string_view api_id() const { return api_id::kTokenIssue; }
};

struct Revoked {};

struct RevokeRequest {
  using Response = Revoked;
  Secret app_key;
  Secret secret_key;
  Secret token;
  [[nodiscard]] std::string_view api_id() const { return api_id::kTokenRevoke; }
};

// ---------------------------------------------------------------- account

enum class DepositQuery : std::uint8_t { Estimated, Normal };

struct Deposit {                              // kt00001 예수금상세현황
  Krw cash;                                   // entr 예수금
  Krw d2_cash;                                // d2_entra, cash after settlement
  Krw orderable;                              // ord_alow_amt
  std::optional<Krw> d1_cash;                 // d1_entra
  std::optional<Krw> withdrawable;            // pymn_alow_amt
  std::optional<Krw> orderable_full_margin;   // 100stk_ord_alow_amt
  std::optional<Krw> margin_cash;             // profa_ch, held by open orders
  std::optional<Krw> collateral;              // repl_amt
  std::optional<Krw> unpaid;                  // ch_uncla 미수
  std::optional<Krw> d2_buy_settlement;       // d2_buy_exct_amt
  std::optional<Krw> d2_sell_settlement;      // d2_sel_exct_amt
  std::optional<Krw> d2_net_settlement;       // d2_slby_exct_amt
};

struct DepositRequest {
  using Response = Deposit;
  DepositQuery query = DepositQuery::Estimated;
  [[nodiscard]] std::string_view api_id() const { return api_id::kDeposit; }
};

enum class BalanceQuery : std::uint8_t { Aggregate, Separate };

struct Holding {                      // kt00018 acnt_evlt_remn_indv_tot[]
  StockCode code;                     // stk_cd "A005930"
  std::string name;
  Qty qty;                            // rmnd_qty
  Qty sellable;                       // trde_able_qty
  Price avg_price;                    // pur_pric
  Price current;                      // cur_prc
  Krw purchase_amount;                // pur_amt
  Krw eval_amount;                    // evlt_amt
  Krw eval_pnl;                       // evltv_prft, after estimated fees and tax
  Rate pnl_rate;                      // prft_rt
  std::optional<Price> prev_close;    // pred_close_pric
  std::optional<Krw> buy_fee;         // pur_cmsn
  std::optional<Krw> sell_fee;        // sell_cmsn (estimated)
  std::optional<Krw> sell_tax;        // tax (estimated)
  std::optional<Qty> bought_today;    // tdy_buyq
  std::optional<Qty> sold_today;      // tdy_sellq
  std::optional<Rate> weight;         // poss_rt
  std::string credit_type;            // crd_tp, "00" cash
};

struct Balance {                      // kt00018 계좌평가잔고내역
  Krw total_purchase;                 // tot_pur_amt
  Krw total_eval;                     // tot_evlt_amt
  Krw total_pnl;                      // tot_evlt_pl
  Rate total_pnl_rate;                // tot_prft_rt
  std::optional<Krw> estimated_assets;  // prsm_dpst_aset_amt
  std::optional<Krw> total_loan;        // tot_loan_amt
  std::vector<Holding> holdings;
};

struct BalanceRequest {
  using Response = Balance;
  BalanceQuery query = BalanceQuery::Aggregate;
  Venue venue = Venue::Krx;  // KRX or NXT
  [[nodiscard]] std::string_view api_id() const { return api_id::kBalance; }
};

enum class SideFilter : std::uint8_t { All, Sell, Buy };
enum class VenueFilter : std::uint8_t { All, Krx, Nxt };

struct OpenOrder {                           // ka10075 oso[]
  std::string order_no;                      // ord_no
  StockCode code;
  std::string name;
  std::string status;                        // ord_stt 접수/확인/체결 (text)
  std::string kind;                          // io_tp_nm "+매수", "-매도정정" (see parse_order_kind)
  std::string trade_type;                    // trde_tp text 보통/시장가
  Qty order_qty;
  Price order_price;                         // 0 for market orders
  Qty unfilled;                              // oso_qty
  std::optional<std::string> account;        // acnt_no
  std::optional<std::string> orig_order_no;  // "0000000" reads as none
  std::optional<Krw> filled_amount;          // cntr_tot_amt
  std::optional<TimeOfDay> time;             // tm
  std::optional<Price> last_fill_price;      // cntr_pric
  std::optional<Qty> last_fill_qty;          // cntr_qty
  std::optional<Price> stop_price;           // stop_pric
  std::string venue_text;                    // stex_tp_txt 통합/KRX/NXT
};

struct OpenOrders {
  std::vector<OpenOrder> orders;
};

struct OpenOrdersRequest {
  using Response = OpenOrders;
  std::optional<StockCode> code;  // all stocks when empty
  SideFilter side = SideFilter::All;
  VenueFilter venue = VenueFilter::All;
  [[nodiscard]] std::string_view api_id() const { return api_id::kOpenOrders; }
};

struct Execution {                           // ka10076 cntr[]
  std::string order_no;
  StockCode code;
  std::string name;
  std::string kind;                          // io_tp_nm
  std::string status;                        // ord_stt
  std::string trade_type;                    // trde_tp text
  Price order_price;
  Qty order_qty;
  Price fill_price;                          // cntr_pric
  Qty filled;                                // cntr_qty
  Qty unfilled;                              // oso_qty
  std::optional<Krw> fee;                    // tdy_trde_cmsn
  std::optional<Krw> tax;                    // tdy_trde_tax
  std::optional<std::string> orig_order_no;
  std::optional<TimeOfDay> order_time;       // ord_tm
  std::optional<Price> stop_price;
};

struct Executions {
  std::vector<Execution> executions;
};

struct ExecutionsRequest {
  using Response = Executions;
  std::optional<StockCode> code;
  SideFilter side = SideFilter::All;
  std::optional<std::string> before_order_no;  // ord_no: executions older than this order
  VenueFilter venue = VenueFilter::All;
  [[nodiscard]] std::string_view api_id() const { return api_id::kExecutions; }
};

struct AccountReturnRow {               // ka10085 acnt_prft_rt[]
  StockCode code;
  std::string name;
  Price current;
  Price avg_price;                      // pur_pric
  Krw purchase_amount;                  // pur_amt
  Qty qty;                              // rmnd_qty
  std::optional<KstDate> date;          // dt
  std::optional<Krw> realized_today;    // tdy_sel_pl
  std::optional<Krw> fee;
  std::optional<Krw> tax;
  std::optional<Qty> settled_qty;       // setl_remn
  std::optional<Qty> clearable_qty;     // clrn_alow_qty
  std::string credit_type;              // crd_tp
  std::optional<KstDate> loan_date;     // loan_dt, "00000000" = none
};

struct AccountReturns {
  std::vector<AccountReturnRow> rows;
};

struct AccountReturnRequest {
  using Response = AccountReturns;
  VenueFilter venue = VenueFilter::All;
  [[nodiscard]] std::string_view api_id() const { return api_id::kAccountReturn; }
};

struct DailyRealizedPnl {  // ka10074 dt_rlzt_pl[]
  KstDate date;
  Krw bought;              // buy_amt
  Krw sold;                // sell_amt
  Krw pnl;                 // tdy_sel_pl
  std::optional<Krw> fee;  // tdy_trde_cmsn
  std::optional<Krw> tax;  // tdy_trde_tax
};

struct RealizedPnl {       // ka10074 일자별실현손익: account-wide, per day
  Krw total_bought;        // tot_buy_amt
  Krw total_sold;          // tot_sell_amt
  Krw realized;            // rlzt_pl
  std::optional<Krw> fees;   // trde_cmsn
  std::optional<Krw> taxes;  // trde_tax
  std::vector<DailyRealizedPnl> days;
};

struct RealizedPnlRequest {
  using Response = RealizedPnl;
  KstDate from;
  KstDate to;
  [[nodiscard]] std::string_view api_id() const { return api_id::kRealizedPnl; }
};

// ---------------------------------------------------------------- market data

struct StockInfo {                       // ka10001 주식기본정보
  Instrument instrument;                 // stk_cd
  std::string name;
  Price current;                         // cur_prc
  Price upper_limit;                     // upl_pric: today's limits, from the exchange
  Price lower_limit;                     // lst_pric
  Price base_price;                      // base_pric, usually the previous close
  std::optional<int> change_sign;        // pre_sig 1..5
  std::optional<Price> change;           // pred_pre
  std::optional<Rate> change_rate;       // flu_rt
  std::optional<Qty> volume;             // trde_qty
  std::optional<Price> open;             // "-0" before the open reads as 0
  std::optional<Price> high;
  std::optional<Price> low;
  std::optional<Price> expected_price;   // exp_cntr_pric (auctions)
  std::optional<Qty> expected_qty;
  std::optional<Krw> market_cap;         // mac, 억원 -> won
  std::optional<Price> high_250d;        // 250hgst
  std::optional<Price> low_250d;         // 250lwst
};

struct StockInfoRequest {
  using Response = StockInfo;
  Instrument instrument;
  [[nodiscard]] std::string_view api_id() const { return api_id::kStockInfo; }
};

struct BookLevel {
  Price price;                    // 0 for an empty level
  Qty qty;
  std::optional<Qty> qty_change;  // 직전대비, signed
};

struct OrderBook {                // ka10004 주식호가; level 0 is the best
  TimeOfDay time;                 // bid_req_base_tm
  std::array<BookLevel, 10> asks;
  std::array<BookLevel, 10> bids;
  Qty total_ask;                  // tot_sel_req
  Qty total_bid;                  // tot_buy_req
  std::optional<Qty> total_ask_change;
  std::optional<Qty> total_bid_change;
};

struct OrderBookRequest {
  using Response = OrderBook;
  Instrument instrument;
  [[nodiscard]] std::string_view api_id() const { return api_id::kOrderBook; }
};

enum class PriceAdjust : std::uint8_t { Raw, Adjusted };

// A tick or minute bar. Rows come newest first. Whether cntr_tm is the start
// or the end of a minute bar is not documented (UNCONFIRMED).
struct IntradayBar {
  Timestamp time;                   // cntr_tm, KST
  Price open;
  Price high;
  Price low;
  Price close;                      // cur_prc
  Qty volume;                       // trde_qty
  std::optional<Price> change;      // pred_pre
  std::optional<int> change_sign;   // pred_pre_sig
  std::optional<Qty> day_volume;    // acc_trde_qty (minute chart)
};

struct TickChart {                  // ka10079
  std::optional<Instrument> instrument;
  std::optional<int> last_tick_count;  // last_tic_cnt
  std::vector<IntradayBar> bars;
};

struct TickChartRequest {
  using Response = TickChart;
  Instrument instrument;
  int ticks = 1;  // 1, 3, 5, 10, 30
  PriceAdjust adjust = PriceAdjust::Adjusted;
  [[nodiscard]] std::string_view api_id() const { return api_id::kTickChart; }
};

struct MinuteChart {                // ka10080
  std::optional<Instrument> instrument;
  std::vector<IntradayBar> bars;
};

struct MinuteChartRequest {
  using Response = MinuteChart;
  Instrument instrument;
  int minutes = 1;  // 1, 3, 5, 10, 15, 30, 45, 60
  PriceAdjust adjust = PriceAdjust::Adjusted;
  std::optional<KstDate> base_date;  // newer spec only; semantics UNCONFIRMED
  [[nodiscard]] std::string_view api_id() const { return api_id::kMinuteChart; }
};

struct DailyBar {
  KstDate date;                     // dt
  Price open;
  Price high;
  Price low;
  Price close;                      // cur_prc
  Qty volume;                       // trde_qty
  std::optional<Krw> value;         // trde_prica, 백만원 -> won
  std::optional<Price> change;
  std::optional<int> change_sign;
  std::optional<Rate> turnover;     // trde_tern_rt
};

struct DailyChart {                 // ka10081
  std::optional<Instrument> instrument;
  std::vector<DailyBar> bars;
};

struct DailyChartRequest {
  using Response = DailyChart;
  Instrument instrument;
  KstDate base_date;  // the newest date returned; rows go back from it
  PriceAdjust adjust = PriceAdjust::Adjusted;
  [[nodiscard]] std::string_view api_id() const { return api_id::kDailyChart; }
};

enum class ListMarket : std::uint8_t { Kospi, Kosdaq, Elw, Etf, Konex, Etn };

struct ListedStock {                   // ka10099 list[]
  StockCode code;
  std::string name;
  std::optional<Qty> listed_shares;    // listCount
  std::optional<Price> prev_close;     // lastPrice
  std::optional<KstDate> listed_on;    // regDay
  std::string audit;                   // auditInfo 정상, 투자주의환기종목 ...
  std::string state;                   // "증거금20%|담보대출|신용가능"
  std::string market_code;             // marketCode
  std::string market_name;
  std::string sector;                  // upName
  std::string size_class;              // upSizeName
  std::string warning;                 // orderWarning 0 none .. 5
  bool nxt_enabled = false;            // nxtEnable
};

struct StockList {
  std::vector<ListedStock> stocks;
};

struct StockListRequest {
  using Response = StockList;
  ListMarket market = ListMarket::Kospi;
  [[nodiscard]] std::string_view api_id() const { return api_id::kStockList; }
};

// ---------------------------------------------------------------- rankings

enum class RankMarket : std::uint8_t { All, Kospi, Kosdaq };

struct RankRow {
  StockCode code;
  std::string name;
  Price price;                      // cur_prc
  std::optional<int> change_sign;   // pred_pre_sig
  std::optional<Price> change;      // pred_pre
  std::optional<Rate> change_rate;  // flu_rt
};

struct VolumeSurgeRow : RankRow {   // ka10023 trde_qty_sdnin[]
  std::optional<Qty> previous_volume;  // prev_trde_qty
  std::optional<Qty> volume;           // now_trde_qty
  std::optional<Qty> surge;            // sdnin_qty, signed
  std::optional<Rate> surge_rate;      // sdnin_rt
};
struct VolumeSurge {
  std::vector<VolumeSurgeRow> rows;
};

enum class VolumeSurgeSort : std::uint8_t { SurgeQty, SurgeRate, DropQty, DropRate };

struct VolumeSurgeRequest {
  using Response = VolumeSurge;
  RankMarket market = RankMarket::All;
  VolumeSurgeSort sort = VolumeSurgeSort::SurgeRate;
  std::optional<int> minutes;  // compare with N minutes ago; against the previous day when empty
  std::string min_volume{code::kRankVolumeAtLeast5k};  // trde_qty_tp
  std::string stock_filter{code::kRankAnyStock};        // stk_cnd
  std::string price_filter{code::kRankAnyPrice};        // pric_tp
  VenueFilter venue = VenueFilter::Krx;
  [[nodiscard]] std::string_view api_id() const { return api_id::kVolumeSurge; }
};

struct ChangeRateRow : RankRow {    // ka10027 pred_pre_flu_rt_upper[]
  std::optional<Qty> ask_qty;       // sel_req
  std::optional<Qty> bid_qty;       // buy_req
  std::optional<Qty> volume;        // now_trde_qty
  std::optional<Rate> strength;     // cntr_str 체결강도
};
struct ChangeRateTop {
  std::vector<ChangeRateRow> rows;
};

enum class ChangeRateSort : std::uint8_t { RiseRate, RiseAmount, FallRate, FallAmount, Flat };

struct ChangeRateTopRequest {
  using Response = ChangeRateTop;
  RankMarket market = RankMarket::All;
  ChangeRateSort sort = ChangeRateSort::RiseRate;
  std::string volume_filter{code::kRankAnyVolume27};  // trde_qty_cnd
  std::string stock_filter{code::kRankAnyStock};      // stk_cnd
  std::string credit_filter{code::kRankAnyCredit};    // crd_cnd
  bool include_limit_moves = true;                    // updown_incls
  std::string price_filter{code::kRankAnyPrice};      // pric_cnd
  std::string value_filter{code::kRankAnyValue};      // trde_prica_cnd
  VenueFilter venue = VenueFilter::Krx;
  [[nodiscard]] std::string_view api_id() const { return api_id::kChangeRateTop; }
};

struct VolumeTopRow : RankRow {     // ka10030 tdy_trde_qty_upper[]
  Qty volume;                       // trde_qty
  std::optional<Rate> vs_previous;  // pred_rt 전일비
  std::optional<Rate> turnover;     // trde_tern_rt
  std::optional<Krw> value;         // trde_amt, 백만원 (inferred) -> won
};
struct VolumeTop {
  std::vector<VolumeTopRow> rows;
};

enum class VolumeTopSort : std::uint8_t { Volume, Turnover, Value };

struct VolumeTopRequest {
  using Response = VolumeTop;
  RankMarket market = RankMarket::All;
  VolumeTopSort sort = VolumeTopSort::Volume;
  bool include_managed = true;                     // mang_stk_incls
  std::string credit_filter{code::kRankAnyCredit};  // crd_tp
  std::string volume_filter{code::kRankAnyVolume};  // trde_qty_tp
  std::string price_filter{code::kRankAnyPrice};    // pric_tp
  std::string value_filter{code::kRankAnyValue};    // trde_prica_tp
  std::string session_filter{code::kRankAnySession};  // mrkt_open_tp
  VenueFilter venue = VenueFilter::Krx;
  [[nodiscard]] std::string_view api_id() const { return api_id::kVolumeTop; }
};

struct TradingValueRow : RankRow {  // ka10032 trde_prica_upper[]
  std::optional<int> rank;          // now_rank
  std::optional<int> previous_rank; // pred_rank
  std::optional<Price> best_ask;    // sel_bid
  std::optional<Price> best_bid;    // buy_bid
  std::optional<Qty> volume;        // now_trde_qty
  std::optional<Qty> previous_volume;  // pred_trde_qty
  std::optional<Krw> value;         // trde_prica, 백만원 (inferred) -> won
};
struct TradingValueTop {
  std::vector<TradingValueRow> rows;
};

struct TradingValueTopRequest {
  using Response = TradingValueTop;
  RankMarket market = RankMarket::All;
  bool include_managed = true;  // mang_stk_incls (polarity opposite to ka10030's)
  VenueFilter venue = VenueFilter::Krx;
  [[nodiscard]] std::string_view api_id() const { return api_id::kTradingValueTop; }
};

// ---------------------------------------------------------------- orders

enum class TradeType : std::uint8_t {
  Limit, Market, ConditionalLimit, BestLimit, PriorityLimit,
  LimitIoc, MarketIoc, BestIoc, LimitFok, MarketFok, BestFok,
  StopLimit, Mid, MidIoc, MidFok,
  PreMarketOffHours, AfterHoursSingle, PostMarketOffHours,
};

// Accepted only with return_code 0 and a non-empty ord_no (a rejection
// carries no ord_no).
struct OrderAck {
  std::string order_no;
  std::optional<Venue> venue;  // dmst_stex_tp, absent in kt10000's example
};

// kt10000 (buy) / kt10001 (sell): the same body, the side picks the api-id.
struct NewOrderRequest {
  using Response = OrderAck;
  Side side = Side::Buy;
  Venue venue = Venue::Krx;
  StockCode code;
  Qty qty;
  std::optional<Price> price;       // ord_uv; none ("") for market orders
  TradeType type = TradeType::Limit;
  std::optional<Price> stop_price;  // cond_uv, for StopLimit
  [[nodiscard]] std::string_view api_id() const { return side == Side::Sell ? api_id::kSell : api_id::kBuy; }
};

struct ModifyAck {
  std::string order_no;                      // the new order number
  std::optional<std::string> root_order_no;  // base_orig_ord_no 모주문번호
  std::optional<Qty> qty;                    // mdfy_qty
  std::optional<Venue> venue;
};

struct ModifyOrderRequest {                  // kt10002
  using Response = ModifyAck;
  Venue venue = Venue::Krx;
  std::string orig_order_no;
  StockCode code;
  Qty qty;                                   // mdfy_qty, at most the unfilled rest
  Price price;                               // mdfy_uv
  std::optional<Price> stop_price;           // mdfy_cond_uv
  [[nodiscard]] std::string_view api_id() const { return api_id::kModify; }
};

struct CancelAck {
  std::string order_no;
  std::optional<std::string> root_order_no;
  std::optional<Qty> qty;                    // cncl_qty
};

struct CancelOrderRequest {                  // kt10003
  using Response = CancelAck;
  Venue venue = Venue::Krx;
  std::string orig_order_no;
  StockCode code;
  Qty qty;                                   // 0 cancels all that is left
  [[nodiscard]] std::string_view api_id() const { return api_id::kCancel; }
};

// "+매수", "-매도정정", "매수취소" (io_tp_nm, FID 905) read as side and action.
enum class OrderAction : std::uint8_t { New, Modify, Cancel };
struct OrderKind {
  Side side = Side::Buy;
  OrderAction action = OrderAction::New;
};
[[nodiscard]] Result<OrderKind> parse_order_kind(std::string_view key, std::string_view text);

}  // namespace dalbit::kiwoom
