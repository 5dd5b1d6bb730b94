// Golden requests and responses built from the shapes in
// /work/shared/kiwoom/rest.md and README.md; every request is compared key for
// key, every response value by value.
#include "kiwoom/rest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace dalbit::kiwoom {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

StockCode stock(std::string_view s) { return *StockCode::parse(s); }

HttpReply reply(std::string_view api_id, const std::string& body, int status = 200) {
  return HttpReply{api_id, status, body, {}, {}};
}

template <class Response>
Response parse_ok(std::string_view api_id, const std::string& body) {
  auto r = parse_response<Response>(reply(api_id, body));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
  return r.ok() ? std::move(*r) : Response{};
}

template <class Response>
ApiError parse_error(std::string_view api_id, const std::string& body, int status = 200) {
  auto r = parse_response<Response>(reply(api_id, body, status));
  EXPECT_FALSE(r.ok());
  return r.ok() ? ApiError{} : r.error();
}

void expect_body(const RestRequest& r, std::string_view api_id, std::string_view path, const char* expected) {
  EXPECT_EQ(r.api_id, api_id);
  EXPECT_EQ(r.path, path);
  EXPECT_EQ(json::parse(r.body), json::parse(expected)) << r.body;
}

// The simulator reads what the client wrote, and writes it back the same.
template <class Request>
void expect_request_round_trip(const Request& request) {
  const RestRequest r = build_request(request);
  auto back = parse_request<Request>(r.api_id, r.body);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(build_request(*back).body, r.body);
}

// The simulator's encoding of a parsed response parses to the same values.
template <class Response>
void expect_response_round_trip(std::string_view api_id, const std::string& wire) {
  const Response first = parse_ok<Response>(api_id, wire);
  const std::string encoded = build_response(first);
  const Response second = parse_ok<Response>(api_id, encoded);
  EXPECT_EQ(build_response(second), encoded);
  EXPECT_EQ(json::parse(encoded)["return_code"], 0);
}

// ---------------------------------------------------------------- token

TEST(KiwoomRest, TokenIssueRequestAndResponse) {
  const RestRequest r = build_request(TokenRequest{Secret("APPKEY-abc"), Secret("SECRET-xyz")});
  expect_body(r, "au10001", "/oauth2/token",
              R"({"grant_type":"client_credentials","appkey":"APPKEY-abc","secretkey":"SECRET-xyz"})");
  const auto t = parse_ok<IssuedToken>(
      "au10001",
      R"({"expires_dt":"20260315083713","token_type":"bearer","token":"WQJCwyqInphKnR3b","return_code":0,"return_msg":"정상적으로 처리되었습니다"})");
  EXPECT_EQ(t.token.reveal(), "WQJCwyqInphKnR3b");
  EXPECT_EQ(t.token_type, "bearer");
  EXPECT_EQ(format_kst(t.expires), "2026-03-15 08:37:13");
  expect_request_round_trip(TokenRequest{Secret("a"), Secret("b")});
}

TEST(KiwoomRest, TokenRevoke) {
  expect_body(build_request(RevokeRequest{Secret("k"), Secret("s"), Secret("t")}), "au10002", "/oauth2/revoke",
              R"({"appkey":"k","secretkey":"s","token":"t"})");
  parse_ok<Revoked>("au10002", R"({"return_code":0,"return_msg":"정상적으로 처리되었습니다"})");
  EXPECT_EQ(parse_error<Revoked>("au10002", R"({"return_code":8015,"return_msg":"Access Token 폐기 실패"})").kind,
            ErrorKind::Rejected);
}

TEST(KiwoomRest, GrantTypeIsCheckedByTheServerSide) {
  auto r = parse_request<TokenRequest>("au10001", R"({"grant_type":"password","appkey":"a","secretkey":"b"})");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("grant_type"));
}

// ---------------------------------------------------------------- account

TEST(KiwoomRest, DepositKt00001) {
  expect_body(build_request(DepositRequest{}), "kt00001", "/api/dostk/acnt", R"({"qry_tp":"3"})");
  expect_body(build_request(DepositRequest{DepositQuery::Normal}), "kt00001", "/api/dostk/acnt", R"({"qry_tp":"2"})");
  const std::string wire =
      R"({"entr":"000000010000000","d2_entra":"000000009512000","ord_alow_amt":"000000009512000",
          "100stk_ord_alow_amt":"000000009512000","d2_slby_exct_amt":"-00000000488000","stk_entr_prst":[],
          "return_code":0,"return_msg":"조회가 완료되었습니다."})";
  const auto d = parse_ok<Deposit>("kt00001", wire);
  EXPECT_EQ(d.cash, Krw(10'000'000));
  EXPECT_EQ(d.d2_cash, Krw(9'512'000));
  EXPECT_EQ(d.orderable, Krw(9'512'000));
  EXPECT_EQ(d.orderable_full_margin, Krw(9'512'000));
  EXPECT_EQ(d.d2_net_settlement, Krw(-488'000));
  EXPECT_FALSE(d.d1_cash.has_value());
  EXPECT_FALSE(d.withdrawable.has_value());
  expect_response_round_trip<Deposit>("kt00001", wire);
  EXPECT_EQ(json::parse(build_response(d))["entr"], "000000010000000");
}

const char* kBalanceWire = R"({"tot_pur_amt":"000000000373500","tot_evlt_amt":"000000000177000","tot_evlt_pl":"-00000000196888",
 "tot_prft_rt":"-52.71","prsm_dpst_aset_amt":"000000010177000","tot_loan_amt":"000000000000000",
 "tot_crd_loan_amt":"000000000000000","tot_crd_ls_amt":"000000000000000",
 "acnt_evlt_remn_indv_tot":[{"stk_cd":"A005930","stk_nm":"삼성전자","evltv_prft":"-00000000196888",
   "prft_rt":"-52.71","pur_pric":"000000000124500","pred_close_pric":"000000045400",
   "rmnd_qty":"000000000000003","trde_able_qty":"000000000000003","cur_prc":"000000059000",
   "pred_buyq":"000000000000000","pred_sellq":"000000000000000","tdy_buyq":"000000000000000",
   "tdy_sellq":"000000000000000","pur_amt":"000000000373500","pur_cmsn":"000000000000050",
   "evlt_amt":"000000000177000","sell_cmsn":"000000000000020","tax":"000000000000318",
   "sum_cmsn":"000000000000070","poss_rt":"2.12","crd_tp":"00","crd_tp_nm":"","crd_loan_dt":""}],
 "return_code":0,"return_msg":"조회가 완료되었습니다"})";

TEST(KiwoomRest, BalanceKt00018) {
  expect_body(build_request(BalanceRequest{}), "kt00018", "/api/dostk/acnt", R"({"qry_tp":"1","dmst_stex_tp":"KRX"})");
  expect_body(build_request(BalanceRequest{BalanceQuery::Separate, Venue::Nxt}), "kt00018", "/api/dostk/acnt",
              R"({"qry_tp":"2","dmst_stex_tp":"NXT"})");
  const auto b = parse_ok<Balance>("kt00018", kBalanceWire);
  EXPECT_EQ(b.total_purchase, Krw(373'500));
  EXPECT_EQ(b.total_eval, Krw(177'000));
  EXPECT_EQ(b.total_pnl, Krw(-196'888));
  EXPECT_EQ(b.total_pnl_rate, Rate{-5271});
  EXPECT_EQ(b.estimated_assets, Krw(10'177'000));
  ASSERT_EQ(b.holdings.size(), 1u);
  const Holding& h = b.holdings[0];
  EXPECT_EQ(h.code, stock("005930"));
  EXPECT_EQ(h.name, "삼성전자");
  EXPECT_EQ(h.qty, Qty(3));
  EXPECT_EQ(h.sellable, Qty(3));
  EXPECT_EQ(h.avg_price, Price(124'500));
  EXPECT_EQ(h.current, Price(59'000));
  EXPECT_EQ(h.prev_close, Price(45'400));
  EXPECT_EQ(h.purchase_amount, Krw(373'500));
  EXPECT_EQ(h.eval_amount, Krw(177'000));
  EXPECT_EQ(h.eval_pnl, Krw(-196'888));
  EXPECT_EQ(h.pnl_rate, Rate{-5271});
  EXPECT_EQ(h.buy_fee, Krw(50));
  EXPECT_EQ(h.sell_fee, Krw(20));
  EXPECT_EQ(h.sell_tax, Krw(318));
  EXPECT_EQ(h.bought_today, Qty(0));
  EXPECT_EQ(h.weight, Rate{212});
  EXPECT_EQ(h.credit_type, "00");
  // The documented identity holds on what we read.
  EXPECT_EQ(h.eval_amount - h.purchase_amount - *h.buy_fee - *h.sell_fee - *h.sell_tax, h.eval_pnl);
  expect_response_round_trip<Balance>("kt00018", kBalanceWire);
  const json again = json::parse(build_response(b));
  EXPECT_EQ(again["acnt_evlt_remn_indv_tot"][0]["stk_cd"], "A005930");
  EXPECT_EQ(again["acnt_evlt_remn_indv_tot"][0]["cur_prc"], "000000059000");
}

TEST(KiwoomRest, OpenOrdersKa10075) {
  expect_body(build_request(OpenOrdersRequest{}), "ka10075", "/api/dostk/acnt",
              R"({"all_stk_tp":"0","trde_tp":"0","stk_cd":"","stex_tp":"0"})");
  expect_body(build_request(OpenOrdersRequest{stock("005930"), SideFilter::Buy, VenueFilter::Krx}), "ka10075",
              "/api/dostk/acnt", R"({"all_stk_tp":"1","trde_tp":"2","stk_cd":"005930","stex_tp":"1"})");
  const std::string wire = R"({"oso":[{"acnt_no":"1234567890","ord_no":"0000069","mang_empno":"","stk_cd":"005930",
    "tsk_tp":"","ord_stt":"접수","stk_nm":"삼성전자","ord_qty":"10","ord_pric":"71500","oso_qty":"10",
    "cntr_tot_amt":"0","orig_ord_no":"0000000","io_tp_nm":"+매수","trde_tp":"보통","tm":"093015","cntr_no":"",
    "cntr_pric":"","cntr_qty":"","cur_prc":"-71400","sel_bid":"-71500","buy_bid":"-71400","unit_cntr_pric":"",
    "unit_cntr_qty":"","tdy_trde_cmsn":"0","tdy_trde_tax":"0","ind_invsr":"","stex_tp":"1","stex_tp_txt":"KRX",
    "sor_yn":"N","stop_pric":""}],"return_code":0,"return_msg":"조회가 완료되었습니다"})";
  const auto o = parse_ok<OpenOrders>("ka10075", wire);
  ASSERT_EQ(o.orders.size(), 1u);
  const OpenOrder& a = o.orders[0];
  EXPECT_EQ(a.order_no, "0000069");
  EXPECT_EQ(a.account, "1234567890");
  EXPECT_EQ(a.code, stock("005930"));
  EXPECT_EQ(a.status, "접수");
  EXPECT_EQ(a.kind, "+매수");
  EXPECT_EQ(a.trade_type, "보통");
  EXPECT_EQ(a.order_qty, Qty(10));
  EXPECT_EQ(a.order_price, Price(71'500));
  EXPECT_EQ(a.unfilled, Qty(10));
  EXPECT_EQ(a.filled_amount, Krw(0));
  EXPECT_FALSE(a.orig_order_no.has_value());  // "0000000"
  EXPECT_EQ(a.time, (TimeOfDay{9 * 3600 + 30 * 60 + 15}));
  EXPECT_FALSE(a.last_fill_price.has_value());
  EXPECT_FALSE(a.stop_price.has_value());
  EXPECT_EQ(a.venue_text, "KRX");
  const auto kind = parse_order_kind("io_tp_nm", a.kind);
  EXPECT_EQ(kind->side, Side::Buy);
  EXPECT_EQ(kind->action, OrderAction::New);
  expect_response_round_trip<OpenOrders>("ka10075", wire);
  EXPECT_EQ(json::parse(build_response(o))["oso"][0]["orig_ord_no"], "0000000");
  // No open orders: an empty list, and (undocumented) an absent one, read as none.
  EXPECT_TRUE(parse_ok<OpenOrders>("ka10075", R"({"oso":[],"return_code":0,"return_msg":""})").orders.empty());
  EXPECT_TRUE(parse_ok<OpenOrders>("ka10075", R"({"return_code":0,"return_msg":""})").orders.empty());
}

TEST(KiwoomRest, ExecutionsKa10076) {
  expect_body(build_request(ExecutionsRequest{}), "ka10076", "/api/dostk/acnt",
              R"({"stk_cd":"","qry_tp":"0","sell_tp":"0","ord_no":"","stex_tp":"0"})");
  expect_body(build_request(ExecutionsRequest{stock("000660"), SideFilter::Sell, "0000050", VenueFilter::Nxt}),
              "ka10076", "/api/dostk/acnt",
              R"({"stk_cd":"000660","qry_tp":"1","sell_tp":"1","ord_no":"0000050","stex_tp":"2"})");
  const std::string wire = R"({"cntr":[{"ord_no":"0000050","stk_nm":"삼성전자","io_tp_nm":"-매도","ord_pric":"72000",
    "ord_qty":"5","cntr_pric":"72000","cntr_qty":"5","oso_qty":"0","tdy_trde_cmsn":"50","tdy_trde_tax":"648",
    "ord_stt":"체결","trde_tp":"보통","orig_ord_no":"0000000","ord_tm":"101502","stk_cd":"005930","stex_tp":"1",
    "stex_tp_txt":"KRX","sor_yn":"N","stop_pric":""}],"return_code":0,"return_msg":"조회가 완료되었습니다"})";
  const auto e = parse_ok<Executions>("ka10076", wire);
  ASSERT_EQ(e.executions.size(), 1u);
  const Execution& x = e.executions[0];
  EXPECT_EQ(x.order_no, "0000050");
  EXPECT_EQ(x.code, stock("005930"));
  EXPECT_EQ(x.fill_price, Price(72'000));
  EXPECT_EQ(x.filled, Qty(5));
  EXPECT_EQ(x.unfilled, Qty(0));
  EXPECT_EQ(x.fee, Krw(50));
  EXPECT_EQ(x.tax, Krw(648));
  EXPECT_EQ(x.status, "체결");
  EXPECT_EQ(x.order_time, (TimeOfDay{10 * 3600 + 15 * 60 + 2}));
  EXPECT_EQ(parse_order_kind("io_tp_nm", x.kind)->side, Side::Sell);
  expect_response_round_trip<Executions>("ka10076", wire);
}

TEST(KiwoomRest, AccountReturnKa10085) {
  expect_body(build_request(AccountReturnRequest{VenueFilter::Krx}), "ka10085", "/api/dostk/acnt",
              R"({"stex_tp":"1"})");
  const std::string wire = R"({"acnt_prft_rt":[{"dt":"","stk_cd":"A005930","stk_nm":"삼성전자","cur_prc":"-59000",
    "pur_pric":"124500","pur_amt":"373500","rmnd_qty":"3","tdy_sel_pl":"0","tdy_trde_cmsn":"0","tdy_trde_tax":"0",
    "crd_tp":"00","loan_dt":"00000000","setl_remn":"3","clrn_alow_qty":"3","crd_amt":"0","crd_int":"0",
    "expr_dt":"00000000"}],"return_code":0,"return_msg":"조회가 완료되었습니다"})";
  const auto a = parse_ok<AccountReturns>("ka10085", wire);
  ASSERT_EQ(a.rows.size(), 1u);
  EXPECT_EQ(a.rows[0].code, stock("005930"));
  EXPECT_EQ(a.rows[0].current, Price(59'000));
  EXPECT_EQ(a.rows[0].avg_price, Price(124'500));
  EXPECT_EQ(a.rows[0].qty, Qty(3));
  EXPECT_FALSE(a.rows[0].date.has_value());
  EXPECT_FALSE(a.rows[0].loan_date.has_value());
  EXPECT_EQ(a.rows[0].clearable_qty, Qty(3));
  expect_response_round_trip<AccountReturns>("ka10085", wire);
}

TEST(KiwoomRest, RealizedPnlKa10074) {
  expect_body(build_request(RealizedPnlRequest{{2026, 3, 1}, {2026, 3, 15}}), "ka10074", "/api/dostk/acnt",
              R"({"strt_dt":"20260301","end_dt":"20260315"})");
  const std::string wire = R"({"tot_buy_amt":"1000000","tot_sell_amt":"1050000","rlzt_pl":"47000","trde_cmsn":"300",
    "trde_tax":"2700","dt_rlzt_pl":[{"dt":"20260313","buy_amt":"1000000","sell_amt":"1050000","tdy_sel_pl":"47000",
    "tdy_trde_cmsn":"300","tdy_trde_tax":"2700"}],"return_code":0,"return_msg":"조회가 완료되었습니다"})";
  const auto p = parse_ok<RealizedPnl>("ka10074", wire);
  EXPECT_EQ(p.realized, Krw(47'000));
  EXPECT_EQ(p.total_sold, Krw(1'050'000));
  EXPECT_EQ(p.fees, Krw(300));
  ASSERT_EQ(p.days.size(), 1u);
  EXPECT_EQ(p.days[0].date, (KstDate{2026, 3, 13}));
  EXPECT_EQ(p.days[0].pnl, Krw(47'000));
  EXPECT_EQ(p.days[0].tax, Krw(2'700));
  expect_response_round_trip<RealizedPnl>("ka10074", wire);
}

// ---------------------------------------------------------------- market data

TEST(KiwoomRest, StockInfoKa10001) {
  expect_body(build_request(StockInfoRequest{{stock("005930"), Venue::Krx}}), "ka10001", "/api/dostk/stkinfo",
              R"({"stk_cd":"005930"})");
  expect_body(build_request(StockInfoRequest{{stock("005930"), Venue::Nxt}}), "ka10001", "/api/dostk/stkinfo",
              R"({"stk_cd":"005930_NX"})");
  const std::string wire = R"({"stk_cd":"005930","stk_nm":"삼성전자","setl_mm":"12","fav":"100","cap":"7780",
    "flo_stk":"5969783","mac":"4298244","cur_prc":"-72000","pre_sig":"5","pred_pre":"-500","flu_rt":"-0.69",
    "trde_qty":"9812345","open_pric":"+72600","high_pric":"+72900","low_pric":"-71800","upl_pric":"+94200",
    "lst_pric":"-50800","base_pric":"72500","250hgst":"+88800","250lwst":"-49900","per":"","exp_cntr_pric":"",
    "return_code":0,"return_msg":"정상적으로 처리되었습니다"})";
  const auto s = parse_ok<StockInfo>("ka10001", wire);
  EXPECT_EQ(s.instrument.code, stock("005930"));
  EXPECT_EQ(s.name, "삼성전자");
  EXPECT_EQ(s.current, Price(72'000));
  EXPECT_EQ(s.upper_limit, Price(94'200));
  EXPECT_EQ(s.lower_limit, Price(50'800));
  EXPECT_EQ(s.base_price, Price(72'500));
  EXPECT_EQ(s.change_sign, 5);
  EXPECT_EQ(s.change, Price(-500));
  EXPECT_EQ(s.change_rate, Rate{-69});
  EXPECT_EQ(s.volume, Qty(9'812'345));
  EXPECT_EQ(s.open, Price(72'600));
  EXPECT_EQ(s.low, Price(71'800));
  EXPECT_FALSE(s.expected_price.has_value());  // ""
  EXPECT_EQ(s.market_cap, Krw(4'298'244LL * 100'000'000LL));
  EXPECT_EQ(s.high_250d, Price(88'800));
  expect_response_round_trip<StockInfo>("ka10001", wire);
}

// The irregular level names spelled independently of protocol.h's tables.
std::string book_key(const char* side, int level, const char* what) {
  const std::string ordinal = std::to_string(level) + "th";
  if (std::string(what) == "req_pre") return std::string(side) + "_" + ordinal + "_pre_req_pre";
  if (level == 1) return std::string(side) + "_fpr_" + what;
  return std::string(side) + "_" + ordinal + "_pre_" + what;
}

TEST(KiwoomRest, OrderBookKa10004) {
  expect_body(build_request(OrderBookRequest{{stock("005930"), Venue::Sor}}), "ka10004", "/api/dostk/mrkcond",
              R"({"stk_cd":"005930_AL"})");
  json wire = {{"bid_req_base_tm", "101500"}, {"tot_sel_req", "123456"}, {"tot_buy_req", "234567"},
               {"tot_sel_req_jub_pre", "-100"}, {"tot_buy_req_jub_pre", "+250"}, {"ovt_sel_req", "0"},
               {"return_code", 0}, {"return_msg", ""}};
  for (int n = 1; n <= 10; ++n) {
    wire[book_key("sel", n, "bid")] = "+" + std::to_string(72000 + 100 * n);
    wire[book_key("sel", n, "req")] = std::to_string(1000 * n);
    wire[book_key("sel", n, "req_pre")] = "-" + std::to_string(n);
    wire[book_key("buy", n, "bid")] = "-" + std::to_string(72000 - 100 * (n - 1));
    wire[book_key("buy", n, "req")] = std::to_string(2000 * n);
    wire[book_key("buy", n, "req_pre")] = "0";
  }
  wire["buy_10th_pre_bid"] = "0";  // an empty level
  const auto b = parse_ok<OrderBook>("ka10004", wire.dump());
  EXPECT_EQ(b.time, (TimeOfDay{10 * 3600 + 15 * 60}));
  EXPECT_EQ(b.asks[0].price, Price(72'100));
  EXPECT_EQ(b.asks[9].price, Price(73'000));
  EXPECT_EQ(b.asks[4].qty, Qty(5'000));
  EXPECT_EQ(b.asks[2].qty_change, Qty(-3));
  EXPECT_EQ(b.bids[0].price, Price(72'000));
  EXPECT_EQ(b.bids[8].price, Price(71'200));
  EXPECT_EQ(b.bids[9].price, Price(0));
  EXPECT_EQ(b.bids[1].qty, Qty(4'000));
  EXPECT_EQ(b.total_ask, Qty(123'456));
  EXPECT_EQ(b.total_bid_change, Qty(250));
  expect_response_round_trip<OrderBook>("ka10004", wire.dump());
  wire.erase("sel_7th_pre_req");
  EXPECT_THAT(parse_error<OrderBook>("ka10004", wire.dump()).message, HasSubstr("sel_7th_pre_req"));
}

TEST(KiwoomRest, ChartsKa10079Ka10080Ka10081) {
  expect_body(build_request(TickChartRequest{{stock("005930"), Venue::Krx}, 1, PriceAdjust::Adjusted}), "ka10079",
              "/api/dostk/chart", R"({"stk_cd":"005930","tic_scope":"1","upd_stkpc_tp":"1"})");
  expect_body(build_request(MinuteChartRequest{{stock("005930"), Venue::Krx}, 5, PriceAdjust::Raw, std::nullopt}),
              "ka10080", "/api/dostk/chart",
              R"({"stk_cd":"005930","tic_scope":"5","upd_stkpc_tp":"0","base_dt":""})");
  expect_body(build_request(MinuteChartRequest{{stock("005930"), Venue::Krx}, 1, PriceAdjust::Adjusted,
                                               KstDate{2025, 9, 17}}),
              "ka10080", "/api/dostk/chart",
              R"({"stk_cd":"005930","tic_scope":"1","upd_stkpc_tp":"1","base_dt":"20250917"})");
  expect_body(build_request(DailyChartRequest{{stock("005930"), Venue::Krx}, {2025, 9, 8}, PriceAdjust::Adjusted}),
              "ka10081", "/api/dostk/chart", R"({"stk_cd":"005930","base_dt":"20250908","upd_stkpc_tp":"1"})");

  const std::string tick = R"({"stk_cd":"005930","last_tic_cnt":"","stk_tic_chart_qry":[{"cur_prc":"72000",
    "trde_qty":"3","cntr_tm":"20250917132015","open_pric":"72000","high_pric":"72000","low_pric":"72000",
    "pred_pre":"500","pred_pre_sig":"5"}],"return_code":0,"return_msg":""})";
  const auto t = parse_ok<TickChart>("ka10079", tick);
  ASSERT_EQ(t.bars.size(), 1u);
  EXPECT_FALSE(t.last_tick_count.has_value());
  EXPECT_EQ(format_kst(t.bars[0].time), "2025-09-17 13:20:15");
  // The official example's unsigned change with a "down" sign code is kept as sent.
  EXPECT_EQ(t.bars[0].change, Price(500));
  EXPECT_EQ(t.bars[0].change_sign, 5);
  expect_response_round_trip<TickChart>("ka10079", tick);

  const std::string minute = R"({"stk_cd":"005930","stk_min_pole_chart_qry":[{"cur_prc":"-78800","trde_qty":"7913",
    "cntr_tm":"20250917132000","open_pric":"-78800","high_pric":"-78900","low_pric":"-78700",
    "acc_trde_qty":"14947571","pred_pre":"-600","pred_pre_sig":"5"}],"return_code":0,"return_msg":""})";
  const auto m = parse_ok<MinuteChart>("ka10080", minute);
  ASSERT_EQ(m.bars.size(), 1u);
  EXPECT_EQ(m.bars[0].close, Price(78'800));
  EXPECT_EQ(m.bars[0].high, Price(78'900));
  EXPECT_EQ(m.bars[0].volume, Qty(7'913));
  EXPECT_EQ(m.bars[0].day_volume, Qty(14'947'571));
  EXPECT_EQ(m.bars[0].change, Price(-600));
  expect_response_round_trip<MinuteChart>("ka10080", minute);

  const std::string daily = R"({"stk_cd":"005930","stk_dt_pole_chart_qry":[
    {"cur_prc":"70100","trde_qty":"9263135","trde_prica":"648525","dt":"20250908","open_pric":"69800",
     "high_pric":"70500","low_pric":"69600","pred_pre":"+600","pred_pre_sig":"2","trde_tern_rt":"+0.16"},
    {"cur_prc":"69500","trde_qty":"11526724","trde_prica":"804642","dt":"20250905","open_pric":"70300",
     "high_pric":"70400","low_pric":"69500","pred_pre":"-600","pred_pre_sig":"5","trde_tern_rt":"+0.19"}],
   "return_code":0,"return_msg":"정상적으로 처리되었습니다"})";
  const auto d = parse_ok<DailyChart>("ka10081", daily);
  ASSERT_EQ(d.bars.size(), 2u);
  EXPECT_EQ(d.instrument->code, stock("005930"));
  EXPECT_EQ(d.bars[0].date, (KstDate{2025, 9, 8}));
  EXPECT_EQ(d.bars[0].open, Price(69'800));
  EXPECT_EQ(d.bars[0].close, Price(70'100));
  EXPECT_EQ(d.bars[0].value, Krw(648'525'000'000));
  EXPECT_EQ(d.bars[0].turnover, Rate{16});
  EXPECT_EQ(d.bars[1].change, Price(-600));
  expect_response_round_trip<DailyChart>("ka10081", daily);
}

TEST(KiwoomRest, StockListKa10099) {
  expect_body(build_request(StockListRequest{ListMarket::Kosdaq}), "ka10099", "/api/dostk/stkinfo",
              R"({"mrkt_tp":"10"})");
  const std::string wire = R"({"list":[{"code":"005930","name":"삼성전자","listCount":"0000005969782550",
    "auditInfo":"정상","regDay":"19750611","lastPrice":"00072500","state":"증거금20%|담보대출|신용가능",
    "marketCode":"0","marketName":"거래소","upName":"전기전자","upSizeName":"대형주","companyClassName":"",
    "orderWarning":"0","nxtEnable":"Y"},{"code":"0000J0","name":"신규","listCount":"","auditInfo":"정상",
    "regDay":"","lastPrice":"","state":"","marketCode":"10","marketName":"코스닥","upName":"","upSizeName":"",
    "companyClassName":"","orderWarning":"3","nxtEnable":""}],"return_code":0,"return_msg":""})";
  const auto l = parse_ok<StockList>("ka10099", wire);
  ASSERT_EQ(l.stocks.size(), 2u);
  EXPECT_EQ(l.stocks[0].listed_shares, Qty(5'969'782'550));
  EXPECT_EQ(l.stocks[0].prev_close, Price(72'500));
  EXPECT_EQ(l.stocks[0].listed_on, (KstDate{1975, 6, 11}));
  EXPECT_EQ(l.stocks[0].state, "증거금20%|담보대출|신용가능");
  EXPECT_TRUE(l.stocks[0].nxt_enabled);
  EXPECT_EQ(l.stocks[1].code, stock("0000J0"));
  EXPECT_FALSE(l.stocks[1].listed_shares.has_value());
  EXPECT_FALSE(l.stocks[1].nxt_enabled);
  EXPECT_EQ(l.stocks[1].warning, "3");
  expect_response_round_trip<StockList>("ka10099", wire);
  EXPECT_EQ(json::parse(build_response(l))["list"][0]["lastPrice"], "00072500");
}

// ---------------------------------------------------------------- rankings

TEST(KiwoomRest, VolumeSurgeKa10023) {
  expect_body(build_request(VolumeSurgeRequest{}), "ka10023", "/api/dostk/rkinfo",
              R"({"mrkt_tp":"000","sort_tp":"2","tm_tp":"2","trde_qty_tp":"5","tm":"","stk_cnd":"0","pric_tp":"0",
                  "stex_tp":"1"})");
  VolumeSurgeRequest minutes;
  minutes.market = RankMarket::Kosdaq;
  minutes.sort = VolumeSurgeSort::SurgeQty;
  minutes.minutes = 5;
  minutes.venue = VenueFilter::All;
  expect_body(build_request(minutes), "ka10023", "/api/dostk/rkinfo",
              R"({"mrkt_tp":"101","sort_tp":"1","tm_tp":"1","trde_qty_tp":"5","tm":"5","stk_cnd":"0","pric_tp":"0",
                  "stex_tp":"3"})");
  expect_request_round_trip(minutes);
  const std::string wire = R"({"trde_qty_sdnin":[{"stk_cd":"005930","stk_nm":"삼성전자","cur_prc":"+74800",
    "pred_pre_sig":"2","pred_pre":"+300","flu_rt":"+0.40","prev_trde_qty":"100000","now_trde_qty":"450000",
    "sdnin_qty":"+350000","sdnin_rt":"+350.00"}],"return_code":0,"return_msg":""})";
  const auto s = parse_ok<VolumeSurge>("ka10023", wire);
  ASSERT_EQ(s.rows.size(), 1u);
  EXPECT_EQ(s.rows[0].code, stock("005930"));
  EXPECT_EQ(s.rows[0].price, Price(74'800));
  EXPECT_EQ(s.rows[0].change_rate, Rate{40});
  EXPECT_EQ(s.rows[0].surge, Qty(350'000));
  EXPECT_EQ(s.rows[0].surge_rate, Rate{35'000});
  expect_response_round_trip<VolumeSurge>("ka10023", wire);
}

TEST(KiwoomRest, ChangeRateTopKa10027) {
  ChangeRateTopRequest r;
  r.market = RankMarket::Kospi;
  expect_body(build_request(r), "ka10027", "/api/dostk/rkinfo",
              R"({"mrkt_tp":"001","sort_tp":"1","trde_qty_cnd":"0000","stk_cnd":"0","crd_cnd":"0",
                  "updown_incls":"1","pric_cnd":"0","trde_prica_cnd":"0","stex_tp":"1"})");
  expect_request_round_trip(r);
  const std::string wire = R"({"pred_pre_flu_rt_upper":[{"stk_cls":"0","stk_cd":"000660","stk_nm":"SK하이닉스",
    "cur_prc":"+235000","pred_pre_sig":"1","pred_pre":"+54000","flu_rt":"+29.83","sel_req":"0","buy_req":"1234567",
    "now_trde_qty":"8765432","cntr_str":"250.11","cnt":"1"}],"return_code":0,"return_msg":""})";
  const auto t = parse_ok<ChangeRateTop>("ka10027", wire);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].change_sign, 1);
  EXPECT_EQ(t.rows[0].change_rate, Rate{2983});
  EXPECT_EQ(t.rows[0].bid_qty, Qty(1'234'567));
  EXPECT_EQ(t.rows[0].strength, Rate{25'011});
  expect_response_round_trip<ChangeRateTop>("ka10027", wire);
}

TEST(KiwoomRest, VolumeTopKa10030) {
  expect_body(build_request(VolumeTopRequest{}), "ka10030", "/api/dostk/rkinfo",
              R"({"mrkt_tp":"000","sort_tp":"1","mang_stk_incls":"0","crd_tp":"0","trde_qty_tp":"0","pric_tp":"0",
                  "trde_prica_tp":"0","mrkt_open_tp":"0","stex_tp":"1"})");
  VolumeTopRequest exclude;
  exclude.include_managed = false;
  EXPECT_EQ(json::parse(build_request(exclude).body)["mang_stk_incls"], "1");
  const std::string wire = R"({"tdy_trde_qty_upper":[{"stk_cd":"005930","stk_nm":"삼성전자","cur_prc":"-152000",
    "pred_pre_sig":"5","pred_pre":"-100","flu_rt":"-0.07","trde_qty":"34954641","pred_rt":"+155.13",
    "trde_tern_rt":"+48.21","trde_amt":"5308092","opmr_trde_qty":"0"}],"return_code":0,"return_msg":""})";
  const auto t = parse_ok<VolumeTop>("ka10030", wire);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].volume, Qty(34'954'641));
  EXPECT_EQ(t.rows[0].vs_previous, Rate{15'513});
  EXPECT_EQ(t.rows[0].value, Krw(5'308'092'000'000));
  expect_response_round_trip<VolumeTop>("ka10030", wire);
}

TEST(KiwoomRest, TradingValueTopKa10032HasTheOppositePolarity) {
  expect_body(build_request(TradingValueTopRequest{}), "ka10032", "/api/dostk/rkinfo",
              R"({"mrkt_tp":"000","mang_stk_incls":"1","stex_tp":"1"})");
  TradingValueTopRequest exclude;
  exclude.include_managed = false;
  EXPECT_EQ(json::parse(build_request(exclude).body)["mang_stk_incls"], "0");
  const std::string wire = R"({"trde_prica_upper":[{"stk_cd":"005930","now_rank":"1","pred_rank":"1",
    "stk_nm":"삼성전자","cur_prc":"-152000","pred_pre_sig":"5","pred_pre":"-100","flu_rt":"-0.07",
    "sel_bid":"-152000","buy_bid":"-150000","now_trde_qty":"34954641","pred_trde_qty":"22532511",
    "trde_prica":"5308092"}],"return_code":0,"return_msg":""})";
  const auto t = parse_ok<TradingValueTop>("ka10032", wire);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].rank, 1);
  EXPECT_EQ(t.rows[0].best_bid, Price(150'000));
  EXPECT_EQ(t.rows[0].previous_volume, Qty(22'532'511));
  EXPECT_EQ(t.rows[0].value, Krw(5'308'092'000'000));
  expect_response_round_trip<TradingValueTop>("ka10032", wire);
}

// ---------------------------------------------------------------- orders

TEST(KiwoomRest, BuyAndSellKt10000Kt10001) {
  NewOrderRequest buy;
  buy.code = stock("005930");
  buy.qty = Qty(10);
  buy.price = Price(71'500);
  expect_body(build_request(buy), "kt10000", "/api/dostk/ordr",
              R"({"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"10","ord_uv":"71500","trde_tp":"0","cond_uv":""})");
  NewOrderRequest sell;
  sell.side = Side::Sell;
  sell.code = stock("000660");
  sell.qty = Qty(3);
  sell.type = TradeType::Market;
  expect_body(build_request(sell), "kt10001", "/api/dostk/ordr",
              R"({"dmst_stex_tp":"KRX","stk_cd":"000660","ord_qty":"3","ord_uv":"","trde_tp":"3","cond_uv":""})");
  NewOrderRequest stop = buy;
  stop.type = TradeType::StopLimit;
  stop.stop_price = Price(71'000);
  stop.venue = Venue::Sor;
  EXPECT_EQ(json::parse(build_request(stop).body)["trde_tp"], "28");
  EXPECT_EQ(json::parse(build_request(stop).body)["cond_uv"], "71000");
  EXPECT_EQ(json::parse(build_request(stop).body)["dmst_stex_tp"], "SOR");

  // The simulator tells buy from sell by the api-id.
  const RestRequest s = build_request(sell);
  auto back = parse_request<NewOrderRequest>(s.api_id, s.body);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->side, Side::Sell);
  EXPECT_EQ(back->type, TradeType::Market);
  EXPECT_FALSE(back->price.has_value());
  EXPECT_FALSE(parse_request<NewOrderRequest>("kt10002", s.body).ok());
  expect_request_round_trip(stop);

  const auto a = parse_ok<OrderAck>(
      "kt10000", R"({"ord_no":"0157630","dmst_stex_tp":"KRX","return_code":0,"return_msg":"모의투자 매수주문완료"})");
  EXPECT_EQ(a.order_no, "0157630");
  EXPECT_EQ(a.venue, Venue::Krx);
  EXPECT_EQ(parse_ok<OrderAck>("kt10000", R"({"ord_no":"00024","return_code":0,"return_msg":""})").order_no, "00024");
  expect_response_round_trip<OrderAck>("kt10001", R"({"ord_no":"0000138","dmst_stex_tp":"KRX","return_code":0})");
}

TEST(KiwoomRest, AnOrderWithoutOrderNumberIsNotAccepted) {
  const ApiError rejected = parse_error<OrderAck>(
      "kt10000", R"j({"return_code":20,"return_msg":"[2000](RC9000:모의투자에서는 해당업무가 제공되지 않습니다)"})j");
  EXPECT_EQ(rejected.kind, ErrorKind::Rejected);
  EXPECT_THAT(rejected.message, HasSubstr("RC9000"));
  EXPECT_EQ(parse_error<OrderAck>("kt10000", R"({"return_code":0,"return_msg":"완료"})").kind, ErrorKind::Malformed);
  const ApiError blank = parse_error<OrderAck>("kt10000", R"({"ord_no":"","return_code":0,"return_msg":""})");
  EXPECT_EQ(blank.kind, ErrorKind::Malformed);
  EXPECT_THAT(blank.message, HasSubstr("ord_no"));
}

TEST(KiwoomRest, ModifyAndCancelKt10002Kt10003) {
  ModifyOrderRequest m;
  m.orig_order_no = "0000139";
  m.code = stock("005930");
  m.qty = Qty(1);
  m.price = Price(71'000);
  expect_body(build_request(m), "kt10002", "/api/dostk/ordr",
              R"({"dmst_stex_tp":"KRX","orig_ord_no":"0000139","stk_cd":"005930","mdfy_qty":"1","mdfy_uv":"71000",
                  "mdfy_cond_uv":""})");
  expect_request_round_trip(m);
  const std::string modified = R"({"ord_no":"0000140","base_orig_ord_no":"0000139","mdfy_qty":"000000000001",
    "dmst_stex_tp":"KRX","return_code":0,"return_msg":"매수정정 주문입력이 완료되었습니다"})";
  const auto ma = parse_ok<ModifyAck>("kt10002", modified);
  EXPECT_EQ(ma.order_no, "0000140");
  EXPECT_EQ(ma.root_order_no, "0000139");
  EXPECT_EQ(ma.qty, Qty(1));
  expect_response_round_trip<ModifyAck>("kt10002", modified);
  EXPECT_EQ(json::parse(build_response(ma))["mdfy_qty"], "000000000001");

  CancelOrderRequest c;
  c.orig_order_no = "0000139";
  c.code = stock("005930");
  c.qty = Qty(0);
  expect_body(build_request(c), "kt10003", "/api/dostk/ordr",
              R"({"dmst_stex_tp":"KRX","orig_ord_no":"0000139","stk_cd":"005930","cncl_qty":"0"})");
  expect_request_round_trip(c);
  const std::string cancelled = R"({"ord_no":"0000141","base_orig_ord_no":"0000139","cncl_qty":"000000000001",
    "return_code":0,"return_msg":"매수취소 주문입력이 완료되었습니다"})";
  const auto ca = parse_ok<CancelAck>("kt10003", cancelled);
  EXPECT_EQ(ca.order_no, "0000141");
  EXPECT_EQ(ca.qty, Qty(1));
  expect_response_round_trip<CancelAck>("kt10003", cancelled);
}

TEST(KiwoomRest, OrderKindWords) {
  EXPECT_EQ(parse_order_kind("905", "-매도정정")->action, OrderAction::Modify);
  EXPECT_EQ(parse_order_kind("905", "-매도정정")->side, Side::Sell);
  EXPECT_EQ(parse_order_kind("905", "매수취소")->action, OrderAction::Cancel);
  EXPECT_EQ(parse_order_kind("905", "매수취소")->side, Side::Buy);
  EXPECT_FALSE(parse_order_kind("905", "보통").ok());
}

// ---------------------------------------------------------------- every request type round-trips

TEST(KiwoomRest, EveryRequestRoundTripsThroughTheSimulatorSide) {
  expect_request_round_trip(RevokeRequest{Secret("k"), Secret("s"), Secret("t")});
  expect_request_round_trip(DepositRequest{DepositQuery::Normal});
  expect_request_round_trip(BalanceRequest{BalanceQuery::Separate, Venue::Nxt});
  expect_request_round_trip(OpenOrdersRequest{stock("005930"), SideFilter::Sell, VenueFilter::Nxt});
  expect_request_round_trip(OpenOrdersRequest{});
  expect_request_round_trip(ExecutionsRequest{stock("005930"), SideFilter::Buy, "0000070", VenueFilter::Krx});
  expect_request_round_trip(AccountReturnRequest{VenueFilter::Nxt});
  expect_request_round_trip(RealizedPnlRequest{{2026, 1, 2}, {2026, 1, 30}});
  expect_request_round_trip(StockInfoRequest{{stock("005930"), Venue::Sor}});
  expect_request_round_trip(OrderBookRequest{{stock("005930"), Venue::Nxt}});
  expect_request_round_trip(TickChartRequest{{stock("005930"), Venue::Krx}, 30, PriceAdjust::Raw});
  expect_request_round_trip(MinuteChartRequest{{stock("005930"), Venue::Krx}, 60, PriceAdjust::Raw, KstDate{2026, 1, 5}});
  expect_request_round_trip(DailyChartRequest{{stock("005930"), Venue::Krx}, {2026, 1, 5}, PriceAdjust::Raw});
  expect_request_round_trip(StockListRequest{ListMarket::Etf});
  expect_request_round_trip(VolumeTopRequest{});
  expect_request_round_trip(TradingValueTopRequest{});
}

TEST(KiwoomRest, TheSimulatorRejectsBadRequestsNamingTheKey) {
  auto bad_code = parse_request<DepositRequest>("kt00001", R"({"qry_tp":"9"})");
  ASSERT_FALSE(bad_code.ok());
  EXPECT_THAT(bad_code.error().message, HasSubstr("kt00001"));
  EXPECT_THAT(bad_code.error().message, HasSubstr("qry_tp"));
  auto missing = parse_request<NewOrderRequest>("kt10000", R"({"dmst_stex_tp":"KRX","stk_cd":"005930","trde_tp":"0"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("ord_qty"));
  EXPECT_FALSE(parse_request<DepositRequest>("kt00001", "not json").ok());
  EXPECT_FALSE(parse_request<DepositRequest>("kt00001", "[]").ok());
}

// ---------------------------------------------------------------- envelope through parse_response

TEST(KiwoomRest, EnvelopeErrorsAreClassifiedBeforeAnyKeyIsRead) {
  EXPECT_EQ(parse_error<Deposit>("kt00001", "Too Many Requests", 429).kind, ErrorKind::RateLimited);
  EXPECT_EQ(parse_error<Deposit>("kt00001", "{}", 401).kind, ErrorKind::TokenInvalid);
  const ApiError token = parse_error<Deposit>(
      "kt00001", R"({"return_code":3,"return_msg":"인증에 실패했습니다[8005:Token이 유효하지 않습니다]"})");
  EXPECT_EQ(token.kind, ErrorKind::TokenInvalid);
  EXPECT_EQ(token.code, "8005");
  EXPECT_EQ(parse_error<Deposit>("kt00001",
                                 R"({"return_code":5,"return_msg":"허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다. API ID=kt00001]"})")
                .kind,
            ErrorKind::RateLimited);
  // A failed answer's numbers are never read as zeros: there is no Deposit at all.
  EXPECT_EQ(parse_error<Deposit>("kt00001", R"({"entr":"0","return_code":1999,"return_msg":"예기치 못한 에러"})").kind,
            ErrorKind::Rejected);
  EXPECT_EQ(parse_error<Deposit>("kt00001", "<html>", 200).kind, ErrorKind::Malformed);
  EXPECT_EQ(parse_error<Deposit>("kt00001", "[1,2]", 200).kind, ErrorKind::Malformed);
  EXPECT_EQ(parse_error<Deposit>("kt00001", R"({"return_code":"zero"})").kind, ErrorKind::Malformed);
  EXPECT_EQ(parse_error<Deposit>("kt00001", "{}", 503).kind, ErrorKind::Rejected);
}

TEST(KiwoomRest, ReturnCodeMayBeANumericString) {
  const auto d = parse_ok<Deposit>(
      "kt00001", R"({"entr":"1","d2_entra":"2","ord_alow_amt":"3","return_code":"0","return_msg":""})");
  EXPECT_EQ(d.orderable, Krw(3));
}

TEST(KiwoomRest, MissingRequiredKeysNameTheApiIdAndTheKey) {
  const ApiError top = parse_error<Deposit>("kt00001", R"({"d2_entra":"2","ord_alow_amt":"3","return_code":0})");
  EXPECT_EQ(top.kind, ErrorKind::Malformed);
  EXPECT_THAT(top.describe(), HasSubstr("kt00001"));
  EXPECT_THAT(top.describe(), HasSubstr("'entr'"));

  json wire = json::parse(kBalanceWire);
  wire["acnt_evlt_remn_indv_tot"][0].erase("rmnd_qty");
  const ApiError nested = parse_error<Balance>("kt00018", wire.dump());
  EXPECT_EQ(nested.kind, ErrorKind::Malformed);
  EXPECT_THAT(nested.describe(), HasSubstr("kt00018"));
  EXPECT_THAT(nested.describe(), HasSubstr("acnt_evlt_remn_indv_tot[0]"));
  EXPECT_THAT(nested.describe(), HasSubstr("rmnd_qty"));
}

TEST(KiwoomRest, BadValuesNameTheKeyAndTheText) {
  json wire = json::parse(kBalanceWire);
  wire["acnt_evlt_remn_indv_tot"][0]["cur_prc"] = "59,000";
  const ApiError e = parse_error<Balance>("kt00018", wire.dump());
  EXPECT_EQ(e.kind, ErrorKind::Malformed);
  EXPECT_THAT(e.message, HasSubstr("cur_prc"));
  EXPECT_THAT(e.message, HasSubstr("\"59,000\""));
  wire = json::parse(kBalanceWire);
  wire["tot_pur_amt"] = json::object();
  EXPECT_THAT(parse_error<Balance>("kt00018", wire.dump()).message, HasSubstr("tot_pur_amt: expected a string"));
  wire = json::parse(kBalanceWire);
  wire["acnt_evlt_remn_indv_tot"] = "none";
  EXPECT_THAT(parse_error<Balance>("kt00018", wire.dump()).message, HasSubstr("expected a list"));
}

TEST(KiwoomRest, UnknownKeysAreIgnored) {
  json wire = json::parse(kBalanceWire);
  wire["a_key_from_next_year"] = "x";
  wire["nested_new_thing"] = {{"a", 1}, {"b", json::array({1, 2})}};
  wire["acnt_evlt_remn_indv_tot"][0]["new_column"] = "7";
  const auto b = parse_ok<Balance>("kt00018", wire.dump());
  EXPECT_EQ(b.holdings.at(0).qty, Qty(3));
}

// ---------------------------------------------------------------- continuation and headers

TEST(KiwoomRest, PagerFollowsContYnAndNextKeyUntilTheEnd) {
  Pager pager;
  EXPECT_FALSE(pager.continuing());
  const RestRequest r = build_request(DailyChartRequest{{stock("005930"), Venue::Krx}, {2025, 9, 8}});
  const Secret token("tok-1");
  auto first = request_headers(r, &token, &pager);
  for (const Header& h : first) {
    EXPECT_NE(h.name, "cont-yn");
    EXPECT_NE(h.name, "next-key");
  }
  EXPECT_TRUE(pager.advance("Y", "20250801090000"));
  EXPECT_TRUE(pager.continuing());
  const auto second = request_headers(r, &token, &pager);
  ASSERT_EQ(second.size(), 5u);
  EXPECT_EQ(second[3].name, "cont-yn");
  EXPECT_EQ(second[3].value, "Y");
  EXPECT_EQ(second[4].name, "next-key");
  EXPECT_EQ(second[4].value, "20250801090000");
  EXPECT_TRUE(pager.advance("Y", "k2"));
  EXPECT_EQ(pager.next_key(), "k2");
  EXPECT_FALSE(pager.advance("N", ""));
  EXPECT_TRUE(pager.done());
  EXPECT_FALSE(pager.continuing());
  EXPECT_EQ(pager.pages(), 3);
}

TEST(KiwoomRest, PagerStopsOnAMissingKeyOrAtItsCap) {
  Pager no_key;
  EXPECT_FALSE(no_key.advance("Y", ""));
  EXPECT_TRUE(no_key.done());
  Pager absent;
  EXPECT_FALSE(absent.advance("", "leftover"));
  Pager capped(2);
  EXPECT_TRUE(capped.advance("Y", "a"));
  EXPECT_FALSE(capped.advance("Y", "b"));
  EXPECT_TRUE(capped.done());
}

TEST(KiwoomRest, RequestHeaders) {
  const RestRequest r = build_request(DepositRequest{});
  const Secret token("tok-abc");
  const auto h = request_headers(r, &token);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].name, "content-type");
  EXPECT_EQ(h[0].value, "application/json;charset=UTF-8");
  EXPECT_EQ(h[1].name, "api-id");
  EXPECT_EQ(h[1].value, "kt00001");
  EXPECT_EQ(h[2].name, "authorization");
  EXPECT_EQ(h[2].value, "Bearer tok-abc");
  const auto issue = request_headers(build_request(TokenRequest{Secret("a"), Secret("b")}), nullptr);
  ASSERT_EQ(issue.size(), 2u);
  EXPECT_EQ(issue[1].value, "au10001");
  EXPECT_EQ(bearer_token("Bearer tok-abc"), "tok-abc");
  EXPECT_EQ(bearer_token("bearer tok-abc"), "tok-abc");
  EXPECT_FALSE(bearer_token("Basic tok-abc").has_value());
  EXPECT_FALSE(bearer_token("Bearer ").has_value());
  EXPECT_FALSE(bearer_token("").has_value());
}

TEST(KiwoomRest, ErrorBodiesInBothForms) {
  const json plain = json::parse(error_body(1700, "허용된 요청 개수를 초과하였습니다. API ID=kt00001"));
  EXPECT_EQ(plain["return_code"], 1700);
  const auto r = parse_response<Deposit>(reply("kt00001", error_body(1700, "허용된 요청 개수를 초과하였습니다")));
  EXPECT_EQ(r.error().kind, ErrorKind::RateLimited);
  const auto t = parse_response<Deposit>(
      reply("kt00001", error_body(3, "인증에 실패했습니다[8005:Token이 유효하지 않습니다]")));
  EXPECT_EQ(t.error().kind, ErrorKind::TokenInvalid);
}

// ---------------------------------------------------------------- secrets

TEST(KiwoomRest, SecretsNeverAppearInErrorMessages) {
  const std::string app_key = "APPKEY-7f3a9c";
  const std::string secret_key = "SECRETKEY-b71e02";
  const std::string token = "TOKEN-WQJCwyqInphKnR3bSRtB9NE1lv";
  std::vector<std::string> messages;

  // A token response whose expiry is bad, whose JSON breaks right after the
  // token, or whose token is not a string.
  for (const std::string& body : {
           R"({"expires_dt":"2026-03-15","token_type":"bearer","token":")" + token + R"(","return_code":0})",
           R"({"token":")" + token + R"(","expires_dt":"20260315083713",)",
           R"({"token":")" + token + R"(" "expires_dt":"x"})",
           R"({"token":[")" + token + R"("],"expires_dt":"20260315083713","token_type":"bearer","return_code":0})",
           R"({"token":")" + token + R"(","return_code":3,"return_msg":"[8005:Token이 유효하지 않습니다]"})",
       }) {
    auto r = parse_response<IssuedToken>(reply("au10001", body));
    ASSERT_FALSE(r.ok()) << body;
    messages.push_back(r.error().describe());
  }
  // The simulator reading broken token requests.
  for (const std::string& body : {
           R"({"grant_type":"client_credentials","appkey":")" + app_key + R"(","secretkey":)" + secret_key + "}",
           R"({"grant_type":"x","appkey":")" + app_key + R"(","secretkey":")" + secret_key + R"("})",
           R"({"grant_type":"client_credentials","appkey":")" + app_key + R"(","secretkey":{"v":")" + secret_key +
               R"("}})",
           R"({"appkey":")" + app_key + R"(","secretkey":")" + secret_key + R"("})",
       }) {
    auto r = parse_request<TokenRequest>("au10001", body);
    ASSERT_FALSE(r.ok()) << body;
    messages.push_back(r.error().message);
  }
  for (const std::string& body : {
           R"({"appkey":")" + app_key + R"(","secretkey":")" + secret_key + R"(","token":"  "})",
           R"({"appkey":")" + app_key + R"(","secretkey":")" + secret_key + R"(","token":)" + token,
       }) {
    auto r = parse_request<RevokeRequest>("au10002", body);
    ASSERT_FALSE(r.ok()) << body;
    messages.push_back(r.error().message);
  }
  for (const std::string& m : messages) {
    EXPECT_THAT(m, Not(HasSubstr(app_key)));
    EXPECT_THAT(m, Not(HasSubstr(secret_key)));
    EXPECT_THAT(m, Not(HasSubstr(token)));
    EXPECT_THAT(m, Not(HasSubstr("WQJC")));
  }
}

}  // namespace
}  // namespace dalbit::kiwoom
