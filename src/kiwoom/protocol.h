// Every constant of Kiwoom's REST and WebSocket protocol that dalbit relies on:
// hosts, paths, api-ids, header names, JSON keys, request codes, WebSocket
// service names, real-time types, FIDs and error codes. Codecs never spell a
// wire string themselves, so correcting a guess is one edit here.
//
// Source: /work/shared/kiwoom (README.md, rest.md, websocket.md, apis.json).
// Facts marked UNCONFIRMED there are marked UNCONFIRMED here and listed in
// docs/kiwoom.md.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace dalbit::kiwoom {

// ---------------------------------------------------------------- hosts
enum class Environment : std::uint8_t { Real, Mock };

struct Endpoint {
  std::string_view host;
  std::uint16_t port = 0;
  std::string_view path;  // WebSocket target; empty for REST (the path is per api-id)
};

namespace host {
inline constexpr std::string_view kReal = "api.kiwoom.com";
inline constexpr std::string_view kMock = "mockapi.kiwoom.com";
inline constexpr std::uint16_t kRestPort = 443;
inline constexpr std::uint16_t kWebSocketPort = 10000;
}  // namespace host

[[nodiscard]] Endpoint rest_endpoint(Environment env);
[[nodiscard]] Endpoint websocket_endpoint(Environment env);

// ---------------------------------------------------------------- paths
namespace path {
inline constexpr std::string_view kToken = "/oauth2/token";
inline constexpr std::string_view kRevoke = "/oauth2/revoke";
inline constexpr std::string_view kStockInfo = "/api/dostk/stkinfo";
inline constexpr std::string_view kMarketCondition = "/api/dostk/mrkcond";
inline constexpr std::string_view kChart = "/api/dostk/chart";
inline constexpr std::string_view kRanking = "/api/dostk/rkinfo";
inline constexpr std::string_view kAccount = "/api/dostk/acnt";
inline constexpr std::string_view kOrder = "/api/dostk/ordr";
inline constexpr std::string_view kWebSocket = "/api/dostk/websocket";
}  // namespace path

// ---------------------------------------------------------------- api-ids
namespace api_id {
inline constexpr std::string_view kTokenIssue = "au10001";
inline constexpr std::string_view kTokenRevoke = "au10002";
inline constexpr std::string_view kDeposit = "kt00001";
inline constexpr std::string_view kBalance = "kt00018";
inline constexpr std::string_view kOpenOrders = "ka10075";
inline constexpr std::string_view kExecutions = "ka10076";
inline constexpr std::string_view kAccountReturn = "ka10085";
inline constexpr std::string_view kRealizedPnl = "ka10074";  // 일자별실현손익요청: account-wide daily totals
inline constexpr std::string_view kStockInfo = "ka10001";
inline constexpr std::string_view kOrderBook = "ka10004";
inline constexpr std::string_view kTickChart = "ka10079";
inline constexpr std::string_view kMinuteChart = "ka10080";
inline constexpr std::string_view kDailyChart = "ka10081";
inline constexpr std::string_view kStockList = "ka10099";
inline constexpr std::string_view kVolumeSurge = "ka10023";
inline constexpr std::string_view kChangeRateTop = "ka10027";
inline constexpr std::string_view kVolumeTop = "ka10030";
inline constexpr std::string_view kTradingValueTop = "ka10032";
inline constexpr std::string_view kBuy = "kt10000";
inline constexpr std::string_view kSell = "kt10001";
inline constexpr std::string_view kModify = "kt10002";
inline constexpr std::string_view kCancel = "kt10003";
// Condition search runs over the WebSocket; these ids only name its pages.
inline constexpr std::string_view kConditionList = "ka10171";
inline constexpr std::string_view kConditionSearch = "ka10172";
inline constexpr std::string_view kConditionRealtime = "ka10173";
inline constexpr std::string_view kConditionClear = "ka10174";
}  // namespace api_id

// How the rate limiter treats an api-id: orders go before queries.
enum class ApiClass : std::uint8_t { Token, Query, Order };

struct ApiInfo {
  std::string_view id;
  std::string_view path;
  ApiClass api_class = ApiClass::Query;
  std::string_view name;  // the guide's Korean title, for logs
};

// The api-ids dalbit implements, with their category path.
[[nodiscard]] std::span<const ApiInfo> known_apis();
// nullptr for an api-id not in known_apis().
[[nodiscard]] const ApiInfo* find_api(std::string_view id);
// Query for unknown ids: the conservative class for rate limiting.
[[nodiscard]] ApiClass api_class_of(std::string_view id);

// ---------------------------------------------------------------- HTTP headers
// HTTP header names are case-insensitive; Kiwoom's spec writes them in lower case.
namespace header {
inline constexpr std::string_view kContentType = "content-type";
inline constexpr std::string_view kApiId = "api-id";
inline constexpr std::string_view kAuthorization = "authorization";
inline constexpr std::string_view kContYn = "cont-yn";
inline constexpr std::string_view kNextKey = "next-key";
inline constexpr std::string_view kJsonContentType = "application/json;charset=UTF-8";
inline constexpr std::string_view kBearerPrefix = "Bearer ";
inline constexpr std::size_t kNextKeyMaxLength = 50;
}  // namespace header

inline constexpr int kHttpOk = 200;
inline constexpr int kHttpUnauthorized = 401;
inline constexpr int kHttpTooManyRequests = 429;

// ---------------------------------------------------------------- envelope and error codes
namespace key {
inline constexpr std::string_view kReturnCode = "return_code";
inline constexpr std::string_view kReturnMsg = "return_msg";
}  // namespace key

namespace return_code {
inline constexpr int kOk = 0;
// Observed category values (README §6.2); the 4-digit code sits in return_msg.
inline constexpr int kTokenCategory = 3;      // "인증에 실패했습니다[8005:...]"
inline constexpr int kLimitCategory = 5;      // "[1700:...]" rate limit, or "[1634]" batch too large
inline constexpr int kBusinessCategory = 20;  // "[2000](RC9000:...)"; UNCONFIRMED meaning
}  // namespace return_code

namespace error_code {
inline constexpr int kMissingApiId = 1501;
inline constexpr int kApiIdNotForPath = 1504;
inline constexpr int kUnknownApiId = 1505;
inline constexpr int kMissingRequiredValue = 1511;
inline constexpr int kBadHeader = 1512;
inline constexpr int kNoAuthorization = 1513;
inline constexpr int kBadAuthorization = 1514;
inline constexpr int kBadGrantType = 1515;
inline constexpr int kEmptyToken = 1516;
inline constexpr int kBadValueFormat = 1517;
inline constexpr int kBatchTooLarge = 1634;  // [1 src]; same text as the rate limit, never retry
inline constexpr int kRecursiveCall = 1687;
inline constexpr int kRateLimited = 1700;
inline constexpr int kBadMarketCode = 1901;
inline constexpr int kUnknownStock = 1902;
inline constexpr int kServerError = 1999;
inline constexpr int kBadAppKey = 8001;
inline constexpr int kBadSecretKey = 8002;
inline constexpr int kTokenLookupFailed = 8003;
inline constexpr int kTokenInvalid = 8005;
inline constexpr int kTokenIssueFailed = 8006;
inline constexpr int kTokenIssueFailed2 = 8009;
inline constexpr int kTokenIpMismatch = 8010;
inline constexpr int kTokenModeMismatch = 8031;  // real token used on mock or the reverse
inline constexpr int kAuthFailed = 8103;
// Codes after which the official client re-issues the token and retries once.
inline constexpr std::array<int, 3> kReissueTokenCodes = {kTokenInvalid, kTokenModeMismatch, kAuthFailed};
}  // namespace error_code

// ---------------------------------------------------------------- REST JSON keys
namespace key {
// au10001 / au10002
inline constexpr std::string_view kGrantType = "grant_type";
inline constexpr std::string_view kAppKey = "appkey";
inline constexpr std::string_view kSecretKey = "secretkey";  // not "appsecret"
inline constexpr std::string_view kToken = "token";
inline constexpr std::string_view kTokenType = "token_type";
inline constexpr std::string_view kExpiresDt = "expires_dt";

// shared request keys
inline constexpr std::string_view kStkCd = "stk_cd";
inline constexpr std::string_view kQryTp = "qry_tp";
inline constexpr std::string_view kDmstStexTp = "dmst_stex_tp";
inline constexpr std::string_view kStexTp = "stex_tp";
inline constexpr std::string_view kTrdeTp = "trde_tp";
inline constexpr std::string_view kMrktTp = "mrkt_tp";
inline constexpr std::string_view kSortTp = "sort_tp";
inline constexpr std::string_view kStrtDt = "strt_dt";
inline constexpr std::string_view kEndDt = "end_dt";
inline constexpr std::string_view kBaseDt = "base_dt";

// shared response keys
inline constexpr std::string_view kStkNm = "stk_nm";
inline constexpr std::string_view kCurPrc = "cur_prc";
inline constexpr std::string_view kPredPre = "pred_pre";
inline constexpr std::string_view kPredPreSig = "pred_pre_sig";
inline constexpr std::string_view kPreSig = "pre_sig";
inline constexpr std::string_view kFluRt = "flu_rt";
inline constexpr std::string_view kTrdeQty = "trde_qty";
inline constexpr std::string_view kOpenPric = "open_pric";
inline constexpr std::string_view kHighPric = "high_pric";
inline constexpr std::string_view kLowPric = "low_pric";
inline constexpr std::string_view kDt = "dt";
inline constexpr std::string_view kOrdNo = "ord_no";
inline constexpr std::string_view kOrigOrdNo = "orig_ord_no";
inline constexpr std::string_view kOrdQty = "ord_qty";
inline constexpr std::string_view kOrdPric = "ord_pric";
inline constexpr std::string_view kOrdStt = "ord_stt";
inline constexpr std::string_view kIoTpNm = "io_tp_nm";
inline constexpr std::string_view kOsoQty = "oso_qty";
inline constexpr std::string_view kCntrPric = "cntr_pric";
inline constexpr std::string_view kCntrQty = "cntr_qty";
inline constexpr std::string_view kTdyTrdeCmsn = "tdy_trde_cmsn";
inline constexpr std::string_view kTdyTrdeTax = "tdy_trde_tax";
inline constexpr std::string_view kTdySelPl = "tdy_sel_pl";
inline constexpr std::string_view kStexTpTxt = "stex_tp_txt";
inline constexpr std::string_view kSorYn = "sor_yn";
inline constexpr std::string_view kStopPric = "stop_pric";
inline constexpr std::string_view kSelBid = "sel_bid";
inline constexpr std::string_view kBuyBid = "buy_bid";
inline constexpr std::string_view kNowTrdeQty = "now_trde_qty";
inline constexpr std::string_view kPurPric = "pur_pric";
inline constexpr std::string_view kPurAmt = "pur_amt";
inline constexpr std::string_view kRmndQty = "rmnd_qty";
inline constexpr std::string_view kCrdTp = "crd_tp";
inline constexpr std::string_view kLoanDt = "loan_dt";
inline constexpr std::string_view kTrdeTernRt = "trde_tern_rt";
inline constexpr std::string_view kTrdePrica = "trde_prica";

// kt00001 deposit
inline constexpr std::string_view kEntr = "entr";
inline constexpr std::string_view kD1Entra = "d1_entra";
inline constexpr std::string_view kD2Entra = "d2_entra";
inline constexpr std::string_view kOrdAlowAmt = "ord_alow_amt";
inline constexpr std::string_view kPymnAlowAmt = "pymn_alow_amt";
inline constexpr std::string_view kStk100OrdAlowAmt = "100stk_ord_alow_amt";  // starts with a digit
inline constexpr std::string_view kProfaCh = "profa_ch";
inline constexpr std::string_view kReplAmt = "repl_amt";
inline constexpr std::string_view kChUncla = "ch_uncla";
inline constexpr std::string_view kD2BuyExctAmt = "d2_buy_exct_amt";
inline constexpr std::string_view kD2SelExctAmt = "d2_sel_exct_amt";
inline constexpr std::string_view kD2SlbyExctAmt = "d2_slby_exct_amt";

// kt00018 balance
inline constexpr std::string_view kTotPurAmt = "tot_pur_amt";
inline constexpr std::string_view kTotEvltAmt = "tot_evlt_amt";
inline constexpr std::string_view kTotEvltPl = "tot_evlt_pl";
inline constexpr std::string_view kTotPrftRt = "tot_prft_rt";
inline constexpr std::string_view kPrsmDpstAsetAmt = "prsm_dpst_aset_amt";
inline constexpr std::string_view kTotLoanAmt = "tot_loan_amt";
inline constexpr std::string_view kHoldingList = "acnt_evlt_remn_indv_tot";
inline constexpr std::string_view kEvltvPrft = "evltv_prft";
inline constexpr std::string_view kPrftRt = "prft_rt";
inline constexpr std::string_view kPredClosePric = "pred_close_pric";
inline constexpr std::string_view kTrdeAbleQty = "trde_able_qty";
inline constexpr std::string_view kTdyBuyq = "tdy_buyq";
inline constexpr std::string_view kTdySellq = "tdy_sellq";
inline constexpr std::string_view kPurCmsn = "pur_cmsn";
inline constexpr std::string_view kEvltAmt = "evlt_amt";
inline constexpr std::string_view kSellCmsn = "sell_cmsn";
inline constexpr std::string_view kTax = "tax";
inline constexpr std::string_view kPossRt = "poss_rt";

// ka10075 open orders / ka10076 executions
inline constexpr std::string_view kAllStkTp = "all_stk_tp";
inline constexpr std::string_view kSellTp = "sell_tp";
inline constexpr std::string_view kOpenOrderList = "oso";
inline constexpr std::string_view kExecutionList = "cntr";
inline constexpr std::string_view kAcntNo = "acnt_no";
inline constexpr std::string_view kCntrTotAmt = "cntr_tot_amt";
inline constexpr std::string_view kTm = "tm";  // ka10075 HHMMSS; ka10023 minutes
inline constexpr std::string_view kOrdTm = "ord_tm";

// ka10085 account return
inline constexpr std::string_view kAccountReturnList = "acnt_prft_rt";
inline constexpr std::string_view kSetlRemn = "setl_remn";
inline constexpr std::string_view kClrnAlowQty = "clrn_alow_qty";

// ka10074 realized P&L
inline constexpr std::string_view kTotBuyAmt = "tot_buy_amt";
inline constexpr std::string_view kTotSellAmt = "tot_sell_amt";
inline constexpr std::string_view kRlztPl = "rlzt_pl";
inline constexpr std::string_view kTrdeCmsn = "trde_cmsn";
inline constexpr std::string_view kTrdeTax = "trde_tax";
inline constexpr std::string_view kDailyPnlList = "dt_rlzt_pl";
inline constexpr std::string_view kBuyAmt = "buy_amt";
inline constexpr std::string_view kSellAmt = "sell_amt";

// ka10001 stock info
inline constexpr std::string_view kUplPric = "upl_pric";
inline constexpr std::string_view kLstPric = "lst_pric";
inline constexpr std::string_view kBasePric = "base_pric";
inline constexpr std::string_view kExpCntrPric = "exp_cntr_pric";
inline constexpr std::string_view kExpCntrQty = "exp_cntr_qty";
inline constexpr std::string_view kMac = "mac";
inline constexpr std::string_view kFloStk = "flo_stk";
inline constexpr std::string_view k250Hgst = "250hgst";
inline constexpr std::string_view k250Lwst = "250lwst";

// ka10004 order book; level 1 is the best price. Key names are irregular
// ("fpr" for level 1, the ordinals "2th", "3th"): spelled out, not generated.
inline constexpr std::string_view kBidReqBaseTm = "bid_req_base_tm";
inline constexpr std::string_view kTotSelReq = "tot_sel_req";
inline constexpr std::string_view kTotBuyReq = "tot_buy_req";
inline constexpr std::string_view kTotSelReqJubPre = "tot_sel_req_jub_pre";
inline constexpr std::string_view kTotBuyReqJubPre = "tot_buy_req_jub_pre";
inline constexpr std::array<std::string_view, 10> kAskPrice = {
    "sel_fpr_bid",     "sel_2th_pre_bid", "sel_3th_pre_bid", "sel_4th_pre_bid", "sel_5th_pre_bid",
    "sel_6th_pre_bid", "sel_7th_pre_bid", "sel_8th_pre_bid", "sel_9th_pre_bid", "sel_10th_pre_bid"};
inline constexpr std::array<std::string_view, 10> kAskQty = {
    "sel_fpr_req",     "sel_2th_pre_req", "sel_3th_pre_req", "sel_4th_pre_req", "sel_5th_pre_req",
    "sel_6th_pre_req", "sel_7th_pre_req", "sel_8th_pre_req", "sel_9th_pre_req", "sel_10th_pre_req"};
inline constexpr std::array<std::string_view, 10> kAskQtyChange = {
    "sel_1th_pre_req_pre", "sel_2th_pre_req_pre", "sel_3th_pre_req_pre", "sel_4th_pre_req_pre",
    "sel_5th_pre_req_pre", "sel_6th_pre_req_pre", "sel_7th_pre_req_pre", "sel_8th_pre_req_pre",
    "sel_9th_pre_req_pre", "sel_10th_pre_req_pre"};
inline constexpr std::array<std::string_view, 10> kBidPrice = {
    "buy_fpr_bid",     "buy_2th_pre_bid", "buy_3th_pre_bid", "buy_4th_pre_bid", "buy_5th_pre_bid",
    "buy_6th_pre_bid", "buy_7th_pre_bid", "buy_8th_pre_bid", "buy_9th_pre_bid", "buy_10th_pre_bid"};
inline constexpr std::array<std::string_view, 10> kBidQty = {
    "buy_fpr_req",     "buy_2th_pre_req", "buy_3th_pre_req", "buy_4th_pre_req", "buy_5th_pre_req",
    "buy_6th_pre_req", "buy_7th_pre_req", "buy_8th_pre_req", "buy_9th_pre_req", "buy_10th_pre_req"};
inline constexpr std::array<std::string_view, 10> kBidQtyChange = {
    "buy_1th_pre_req_pre", "buy_2th_pre_req_pre", "buy_3th_pre_req_pre", "buy_4th_pre_req_pre",
    "buy_5th_pre_req_pre", "buy_6th_pre_req_pre", "buy_7th_pre_req_pre", "buy_8th_pre_req_pre",
    "buy_9th_pre_req_pre", "buy_10th_pre_req_pre"};

// ka10079 / ka10080 / ka10081 charts
inline constexpr std::string_view kTicScope = "tic_scope";
inline constexpr std::string_view kUpdStkpcTp = "upd_stkpc_tp";
inline constexpr std::string_view kLastTicCnt = "last_tic_cnt";
inline constexpr std::string_view kTickChartList = "stk_tic_chart_qry";
inline constexpr std::string_view kMinuteChartList = "stk_min_pole_chart_qry";
inline constexpr std::string_view kDailyChartList = "stk_dt_pole_chart_qry";
inline constexpr std::string_view kCntrTm = "cntr_tm";
inline constexpr std::string_view kAccTrdeQty = "acc_trde_qty";

// ka10099 stock list (camelCase keys)
inline constexpr std::string_view kStockList = "list";
inline constexpr std::string_view kCode = "code";
inline constexpr std::string_view kName = "name";
inline constexpr std::string_view kListCount = "listCount";
inline constexpr std::string_view kAuditInfo = "auditInfo";
inline constexpr std::string_view kRegDay = "regDay";
inline constexpr std::string_view kLastPrice = "lastPrice";
inline constexpr std::string_view kState = "state";
inline constexpr std::string_view kMarketCode = "marketCode";
inline constexpr std::string_view kMarketName = "marketName";
inline constexpr std::string_view kUpName = "upName";
inline constexpr std::string_view kUpSizeName = "upSizeName";
inline constexpr std::string_view kOrderWarning = "orderWarning";
inline constexpr std::string_view kNxtEnable = "nxtEnable";

// rankings ka10023 / ka10027 / ka10030 / ka10032
inline constexpr std::string_view kTmTp = "tm_tp";
inline constexpr std::string_view kTrdeQtyTp = "trde_qty_tp";
inline constexpr std::string_view kStkCnd = "stk_cnd";
inline constexpr std::string_view kPricTp = "pric_tp";
inline constexpr std::string_view kTrdeQtyCnd = "trde_qty_cnd";
inline constexpr std::string_view kCrdCnd = "crd_cnd";
inline constexpr std::string_view kUpdownIncls = "updown_incls";
inline constexpr std::string_view kPricCnd = "pric_cnd";
inline constexpr std::string_view kTrdePricaCnd = "trde_prica_cnd";
inline constexpr std::string_view kMangStkIncls = "mang_stk_incls";
inline constexpr std::string_view kTrdePricaTp = "trde_prica_tp";
inline constexpr std::string_view kMrktOpenTp = "mrkt_open_tp";
inline constexpr std::string_view kVolumeSurgeList = "trde_qty_sdnin";
inline constexpr std::string_view kChangeRateList = "pred_pre_flu_rt_upper";
inline constexpr std::string_view kVolumeTopList = "tdy_trde_qty_upper";
inline constexpr std::string_view kTradingValueList = "trde_prica_upper";
inline constexpr std::string_view kPrevTrdeQty = "prev_trde_qty";
inline constexpr std::string_view kSdninQty = "sdnin_qty";
inline constexpr std::string_view kSdninRt = "sdnin_rt";
inline constexpr std::string_view kSelReq = "sel_req";
inline constexpr std::string_view kBuyReq = "buy_req";
inline constexpr std::string_view kCntrStr = "cntr_str";
inline constexpr std::string_view kPredRt = "pred_rt";
inline constexpr std::string_view kTrdeAmt = "trde_amt";
inline constexpr std::string_view kNowRank = "now_rank";
inline constexpr std::string_view kPredRank = "pred_rank";
inline constexpr std::string_view kPredTrdeQty = "pred_trde_qty";

// kt10000..kt10003 orders
inline constexpr std::string_view kOrdUv = "ord_uv";
inline constexpr std::string_view kCondUv = "cond_uv";
inline constexpr std::string_view kMdfyQty = "mdfy_qty";
inline constexpr std::string_view kMdfyUv = "mdfy_uv";
inline constexpr std::string_view kMdfyCondUv = "mdfy_cond_uv";
inline constexpr std::string_view kCnclQty = "cncl_qty";
inline constexpr std::string_view kBaseOrigOrdNo = "base_orig_ord_no";
}  // namespace key

// ---------------------------------------------------------------- request codes
inline constexpr std::string_view kGrantClientCredentials = "client_credentials";

namespace code {
// kt10000/kt10001 trde_tp (매매구분)
inline constexpr std::string_view kTradeLimit = "0";
inline constexpr std::string_view kTradeMarket = "3";
inline constexpr std::string_view kTradeConditionalLimit = "5";  // remainder -> market at the close: UNCONFIRMED
inline constexpr std::string_view kTradeBestLimit = "6";
inline constexpr std::string_view kTradePriorityLimit = "7";
inline constexpr std::string_view kTradeLimitIoc = "10";
inline constexpr std::string_view kTradeMarketIoc = "13";
inline constexpr std::string_view kTradeBestIoc = "16";
inline constexpr std::string_view kTradeLimitFok = "20";
inline constexpr std::string_view kTradeMarketFok = "23";
inline constexpr std::string_view kTradeBestFok = "26";
inline constexpr std::string_view kTradeStopLimit = "28";
inline constexpr std::string_view kTradeMid = "29";
inline constexpr std::string_view kTradeMidIoc = "30";
inline constexpr std::string_view kTradeMidFok = "31";
inline constexpr std::string_view kTradePreMarketOffHours = "61";   // session mapping UNCONFIRMED
inline constexpr std::string_view kTradeAfterHoursSingle = "62";    // session mapping UNCONFIRMED
inline constexpr std::string_view kTradePostMarketOffHours = "81";  // session mapping UNCONFIRMED

// dmst_stex_tp (orders, kt00018)
inline constexpr std::string_view kVenueKrx = "KRX";
inline constexpr std::string_view kVenueNxt = "NXT";
inline constexpr std::string_view kVenueSor = "SOR";
// stock-code suffix selecting the venue on quote/chart requests and WS items
inline constexpr std::string_view kSuffixNxt = "_NX";
inline constexpr std::string_view kSuffixSor = "_AL";
// Account responses prefix codes with 'A' (A005930).
inline constexpr char kAccountCodePrefix = 'A';

// stex_tp on account queries (ka10075/76/85) and WS FID 2134: 0 통합, 1 KRX, 2 NXT
inline constexpr std::string_view kAcctVenueAll = "0";
inline constexpr std::string_view kAcctVenueKrx = "1";
inline constexpr std::string_view kAcctVenueNxt = "2";
// stex_tp on rankings: 1 KRX, 2 NXT, 3 통합 (a different numbering)
inline constexpr std::string_view kRankVenueKrx = "1";
inline constexpr std::string_view kRankVenueNxt = "2";
inline constexpr std::string_view kRankVenueAll = "3";
// stex_tp on CNSRREQ: K KRX (N NXT and A 통합 are UNCONFIRMED)
inline constexpr std::string_view kCondVenueKrx = "K";
inline constexpr std::string_view kCondVenueNxt = "N";
inline constexpr std::string_view kCondVenueAll = "A";

// kt00001 qry_tp
inline constexpr std::string_view kDepositEstimated = "3";
inline constexpr std::string_view kDepositNormal = "2";
// kt00018 qry_tp
inline constexpr std::string_view kBalanceAggregate = "1";
inline constexpr std::string_view kBalanceSeparate = "2";
// ka10075 all_stk_tp, ka10076 qry_tp
inline constexpr std::string_view kAllStocks = "0";
inline constexpr std::string_view kOneStock = "1";
// ka10075 trde_tp / ka10076 sell_tp; WS FID 907 uses 1 sell, 2 buy too
inline constexpr std::string_view kSideAll = "0";
inline constexpr std::string_view kSideSell = "1";
inline constexpr std::string_view kSideBuy = "2";
// charts upd_stkpc_tp
inline constexpr std::string_view kPriceRaw = "0";
inline constexpr std::string_view kPriceAdjusted = "1";
// ka10099 mrkt_tp
inline constexpr std::string_view kListKospi = "0";
inline constexpr std::string_view kListKosdaq = "10";
inline constexpr std::string_view kListElw = "3";
inline constexpr std::string_view kListEtf = "8";
inline constexpr std::string_view kListKonex = "50";
inline constexpr std::string_view kListEtn = "60";
// ranking mrkt_tp
inline constexpr std::string_view kRankMarketAll = "000";
inline constexpr std::string_view kRankMarketKospi = "001";
inline constexpr std::string_view kRankMarketKosdaq = "101";
// ranking filter defaults ("everything")
inline constexpr std::string_view kRankAnyStock = "0";          // stk_cnd
inline constexpr std::string_view kRankAnyPrice = "0";          // pric_tp / pric_cnd
inline constexpr std::string_view kRankAnyCredit = "0";         // crd_cnd / crd_tp
inline constexpr std::string_view kRankAnyVolume = "0";         // ka10030 trde_qty_tp
inline constexpr std::string_view kRankAnyVolume27 = "0000";    // ka10027 trde_qty_cnd
inline constexpr std::string_view kRankAnyValue = "0";          // trde_prica_cnd / trde_prica_tp
inline constexpr std::string_view kRankAnySession = "0";        // mrkt_open_tp
inline constexpr std::string_view kRankVolumeAtLeast5k = "5";   // ka10023 trde_qty_tp minimum
// ka10023 sort_tp / tm_tp
inline constexpr std::string_view kSurgeSortQty = "1";
inline constexpr std::string_view kSurgeSortRate = "2";
inline constexpr std::string_view kDropSortQty = "3";
inline constexpr std::string_view kDropSortRate = "4";
inline constexpr std::string_view kSurgeVsMinutes = "1";
inline constexpr std::string_view kSurgeVsPreviousDay = "2";
// ka10027 sort_tp
inline constexpr std::string_view kRiseRate = "1";
inline constexpr std::string_view kRiseAmount = "2";
inline constexpr std::string_view kFallRate = "3";
inline constexpr std::string_view kFallAmount = "4";
inline constexpr std::string_view kFlatChange = "5";
// ka10030 sort_tp
inline constexpr std::string_view kVolumeTopByVolume = "1";
inline constexpr std::string_view kVolumeTopByTurnover = "2";
inline constexpr std::string_view kVolumeTopByValue = "3";
// ka10030 mang_stk_incls: 0 include 관리종목; ka10032: 0 EXCLUDE (opposite polarity)
inline constexpr std::string_view kVolumeTopIncludeManaged = "0";
inline constexpr std::string_view kVolumeTopExcludeManaged = "1";
inline constexpr std::string_view kValueTopExcludeManaged = "0";
inline constexpr std::string_view kValueTopIncludeManaged = "1";
// ka10027 updown_incls
inline constexpr std::string_view kExcludeLimitMoves = "0";
inline constexpr std::string_view kIncludeLimitMoves = "1";

// ka10001 pre_sig / pred_pre_sig / FID 25 (전일대비기호)
inline constexpr int kSignLimitUp = 1;
inline constexpr int kSignUp = 2;
inline constexpr int kSignFlat = 3;
inline constexpr int kSignLimitDown = 4;
inline constexpr int kSignDown = 5;

// cont-yn (header) and cont_yn (WS body), sor_yn, nxtEnable
inline constexpr std::string_view kYes = "Y";
inline constexpr std::string_view kNo = "N";
}  // namespace code

// ---------------------------------------------------------------- WebSocket
namespace trnm {
inline constexpr std::string_view kLogin = "LOGIN";
inline constexpr std::string_view kPing = "PING";
inline constexpr std::string_view kSystem = "SYSTEM";
inline constexpr std::string_view kReg = "REG";
inline constexpr std::string_view kRemove = "REMOVE";
inline constexpr std::string_view kReal = "REAL";
inline constexpr std::string_view kConditionList = "CNSRLST";
inline constexpr std::string_view kConditionSearch = "CNSRREQ";
inline constexpr std::string_view kConditionClear = "CNSRCLR";
}  // namespace trnm

namespace ws_key {
inline constexpr std::string_view kTrnm = "trnm";
inline constexpr std::string_view kToken = "token";
inline constexpr std::string_view kReturnCode = key::kReturnCode;
inline constexpr std::string_view kReturnMsg = key::kReturnMsg;
inline constexpr std::string_view kSorYn = "sor_yn";
inline constexpr std::string_view kCode = "code";        // SYSTEM
inline constexpr std::string_view kMessage = "message";  // SYSTEM
inline constexpr std::string_view kGrpNo = "grp_no";
inline constexpr std::string_view kRefresh = "refresh";
inline constexpr std::string_view kData = "data";
inline constexpr std::string_view kItem = "item";
inline constexpr std::string_view kType = "type";
inline constexpr std::string_view kName = "name";
inline constexpr std::string_view kValues = "values";
inline constexpr std::string_view kSeq = "seq";
inline constexpr std::string_view kSearchType = "search_type";
inline constexpr std::string_view kStexTp = "stex_tp";
inline constexpr std::string_view kContYn = "cont_yn";    // underscores: in the body, not a header
inline constexpr std::string_view kNextKey = "next_key";
inline constexpr std::string_view kJmcode = "jmcode";
}  // namespace ws_key

namespace ws_code {
inline constexpr std::string_view kRefreshKeep = "1";     // keep earlier registrations (default)
inline constexpr std::string_view kRefreshReplace = "0";  // drop earlier registrations
inline constexpr std::string_view kSearchOnce = "0";      // ka10172
inline constexpr std::string_view kSearchRealtime = "1";  // ka10173
inline constexpr std::string_view kConditionEnter = "I";
inline constexpr std::string_view kConditionExit = "D";
inline constexpr std::string_view kRegOk = "0";
// SYSTEM notice codes
inline constexpr std::string_view kDuplicateSession = "R10001";  // another login with the app key took over
inline constexpr std::string_view kHeartbeatTimeout = "R10002";  // PINGs not echoed
inline constexpr std::string_view kLoginTimeout = "R10004";      // no LOGIN in time
// A REG group holds at most this many items: UNCONFIRMED as a server rule.
inline constexpr std::size_t kMaxItemsPerReg = 100;
// Real-time conditions per login [1 src].
inline constexpr int kMaxRealtimeConditions = 10;
}  // namespace ws_code

// Real-time type ids (REAL data[].type).
namespace real_type {
inline constexpr std::string_view kOrderExecution = "00";  // 주문체결, account-wide
inline constexpr std::string_view kBalance = "04";         // 잔고, account-wide
inline constexpr std::string_view kTrade = "0B";           // 주식체결
inline constexpr std::string_view kBestQuote = "0C";       // 주식우선호가
inline constexpr std::string_view kOrderBook = "0D";       // 주식호가잔량
inline constexpr std::string_view kStockStatus = "0g";     // 주식종목정보
inline constexpr std::string_view kMarketPhase = "0s";     // 장시작시간
inline constexpr std::string_view kVi = "1h";              // VI발동/해제
inline constexpr std::string_view kCondition = "02";       // 조건검색 hits, from CNSRREQ
// Their REAL data[].name, as the server writes it.
inline constexpr std::string_view kOrderExecutionName = "주문체결";
inline constexpr std::string_view kBalanceName = "현물잔고";
inline constexpr std::string_view kTradeName = "주식체결";
inline constexpr std::string_view kOrderBookName = "주식호가잔량";
inline constexpr std::string_view kConditionName = "조건검색";
}  // namespace real_type

// FIDs: keys of REAL values and condition-search rows.
namespace fid {
// shared
inline constexpr int kCode = 9001;           // 종목코드 (may be 'A'-prefixed)
inline constexpr int kName = 302;
inline constexpr int kTime = 20;             // 체결시간 HHMMSS
inline constexpr int kPrice = 10;            // 현재가, direction-signed
inline constexpr int kChange = 11;           // 전일대비
inline constexpr int kChangeRate = 12;       // 등락율
inline constexpr int kCumVolume = 13;        // 누적거래량
inline constexpr int kCumValue = 14;         // 누적거래대금, million KRW
inline constexpr int kVolume = 15;           // 거래량, sign = aggressor
inline constexpr int kOpen = 16;
inline constexpr int kHigh = 17;
inline constexpr int kLow = 18;
inline constexpr int kChangeSign = 25;       // 전일대비기호 1..5
inline constexpr int kBestAsk = 27;
inline constexpr int kBestBid = 28;
inline constexpr int kSideCode = 907;        // 1 sell, 2 buy
// 0B
inline constexpr int kStrength = 228;        // 체결강도
inline constexpr int kSession = 290;         // 1 pre, 2 regular, 3 after hours
inline constexpr int kExchange = 9081;       // "1" in the KRX example; meaning UNCONFIRMED
// 0D
inline constexpr int kBookTime = 21;
inline constexpr int kAskPriceBase = 40;     // ask price n = 40 + n
inline constexpr int kBidPriceBase = 50;     // bid price n = 50 + n
inline constexpr int kAskQtyBase = 60;       // ask quantity n = 60 + n
inline constexpr int kBidQtyBase = 70;       // bid quantity n = 70 + n
inline constexpr int kAskChangeBase = 80;    // ask quantity change n = 80 + n
inline constexpr int kBidChangeBase = 90;    // bid quantity change n = 90 + n
inline constexpr int kTotalAsk = 121;
inline constexpr int kTotalAskChange = 122;
inline constexpr int kTotalBid = 125;
inline constexpr int kTotalBidChange = 126;
inline constexpr int kExpectedPrice = 23;
inline constexpr int kExpectedQty = 24;
// 00 order execution
inline constexpr int kAccount = 9201;
inline constexpr int kOrderNo = 9203;
inline constexpr int kOrderStatus = 913;
inline constexpr int kOrderQty = 900;
inline constexpr int kOrderPrice = 901;
inline constexpr int kUnfilledQty = 902;
inline constexpr int kFilledAmount = 903;    // 체결누계금액
inline constexpr int kOrigOrderNo = 904;
inline constexpr int kOrderKind = 905;       // +매수, -매도, +매수정정, 매수취소 ...
inline constexpr int kTradeType = 906;       // 보통, 시장가 ... (text)
inline constexpr int kOrderTime = 908;
inline constexpr int kExecNo = 909;
inline constexpr int kExecPrice = 910;
inline constexpr int kExecQty = 911;         // cumulative per the OCX convention: UNCONFIRMED
inline constexpr int kUnitExecPrice = 914;
inline constexpr int kUnitExecQty = 915;
inline constexpr int kRejectReason = 919;
inline constexpr int kTodayFee = 938;
inline constexpr int kTodayTax = 939;
inline constexpr int kOrderExchange = 2134;  // 0 통합, 1 KRX, 2 NXT
// 04 balance
inline constexpr int kHoldingQty = 930;
inline constexpr int kAvgPrice = 931;
inline constexpr int kTotalCost = 932;
inline constexpr int kSellableQty = 933;
inline constexpr int kNetBoughtToday = 945;
inline constexpr int kBalanceSide = 946;     // meaning UNCONFIRMED
inline constexpr int kRealizedToday = 950;
inline constexpr int kBasePrice = 307;
inline constexpr int kRealizedRate = 8019;
inline constexpr int kCreditType = 917;
inline constexpr int kLoanDate = 916;
// 02 condition hit
inline constexpr int kConditionSeq = 841;
inline constexpr int kConditionAction = 843;  // I enter, D exit
}  // namespace fid

// Order status texts of FID 913 and ka10075 ord_stt.
namespace order_status_text {
inline constexpr std::string_view kAccepted = "접수";
inline constexpr std::string_view kFilled = "체결";
inline constexpr std::string_view kConfirmed = "확인";   // modify/cancel confirmed
inline constexpr std::string_view kCancelled = "취소";
inline constexpr std::string_view kRejected = "거부";
}  // namespace order_status_text

// Words inside FID 905 / io_tp_nm (주문구분): "+매수", "-매도정정", "매수취소".
namespace order_kind_text {
inline constexpr std::string_view kBuy = "매수";
inline constexpr std::string_view kSell = "매도";
inline constexpr std::string_view kModify = "정정";
inline constexpr std::string_view kCancel = "취소";
}  // namespace order_kind_text

// Texts of FID 906 / trde_tp in account answers (매매구분).
namespace trade_type_text {
inline constexpr std::string_view kLimit = "보통";
inline constexpr std::string_view kMarket = "시장가";
}  // namespace trade_type_text

// Order rejections in the business form: return_code 20 and
// "[2000](RC....:text)". RC4058 (mock, after the close) is observed [1 src];
// the other RC codes and texts are the simulator's choice, UNCONFIRMED.
namespace reject_code {
inline constexpr int kBusinessCode = 2000;
inline constexpr std::string_view kMarketClosed = "RC4058";   // 모의투자 장종료
inline constexpr std::string_view kBadPrice = "RC4007";       // 호가단위/가격제한폭 오류
inline constexpr std::string_view kBadQty = "RC4010";         // 주문수량 오류
inline constexpr std::string_view kNoCash = "RC4025";         // 주문가능금액 부족
inline constexpr std::string_view kNoShares = "RC4033";       // 매도가능수량 부족
inline constexpr std::string_view kUnknownOrder = "RC4041";   // 원주문 없음
inline constexpr std::string_view kMarketClosedText = "모의투자 장종료";
inline constexpr std::string_view kBadPriceText = "주문가격이 호가단위 또는 가격제한폭을 벗어났습니다";
inline constexpr std::string_view kBadQtyText = "주문수량이 올바르지 않습니다";
inline constexpr std::string_view kNoCashText = "주문가능금액이 부족합니다";
inline constexpr std::string_view kNoSharesText = "매도가능수량이 부족합니다";
inline constexpr std::string_view kUnknownOrderText = "원주문이 존재하지 않습니다";
}  // namespace reject_code

// Texts of the common error codes the simulator sends (README §6.1).
namespace error_text {
inline constexpr std::string_view kTokenInvalidPrefix = "인증에 실패했습니다";
inline constexpr std::string_view kTokenInvalid = "Token이 유효하지 않습니다";
inline constexpr std::string_view kBadCredentials = "App Key와 Secret Key 검증에 실패했습니다";
inline constexpr std::string_view kRateLimited = "허용된 요청 개수를 초과하였습니다";
inline constexpr std::string_view kApiIdNotForPath = "해당 URI에서는 지원하는 API ID가 아닙니다";
inline constexpr std::string_view kUnknownApiId = "해당 API ID는 존재하지 않습니다";
inline constexpr std::string_view kMissingApiId = "API ID가 Null이거나 값이 없습니다";
inline constexpr std::string_view kBadValue = "입력 값 형식이 올바르지 않습니다";
inline constexpr std::string_view kUnknownStock = "종목 정보가 없습니다";
inline constexpr std::string_view kLoginFailed = "토큰 인증에 실패했습니다. 접속을 종료합니다";
}  // namespace error_text

}  // namespace dalbit::kiwoom
