// Account queries: kt00001, kt00018, ka10075, ka10076, ka10085, ka10074.
// Widths are the zero padding Kiwoom uses (15 for amounts, 12 for kt00018
// prices); they matter only when the simulator encodes.
#include "kiwoom/fields.h"

namespace dalbit::kiwoom {

using namespace fields;

namespace {
constexpr KrwCodec kKrw15{.width = 15};
constexpr QtyCodec kQty15{.width = 15};
constexpr PriceCodec kPrice15{.width = 15};
constexpr PriceCodec kPrice12{.width = 12};
constexpr auto kDepositQuery = enum_codec<DepositQuery>(
    {{DepositQuery::Estimated, code::kDepositEstimated}, {DepositQuery::Normal, code::kDepositNormal}});
constexpr auto kBalanceQuery = enum_codec<BalanceQuery>(
    {{BalanceQuery::Aggregate, code::kBalanceAggregate}, {BalanceQuery::Separate, code::kBalanceSeparate}});
}  // namespace

template <class V, Is<DepositRequest> S>
void describe(V& v, S& r) {
  v.req(key::kQryTp, r.query, kDepositQuery);
}

template <class V, Is<Deposit> S>
void describe(V& v, S& d) {
  v.req(key::kEntr, d.cash, kKrw15);
  v.req(key::kD2Entra, d.d2_cash, kKrw15);
  v.req(key::kOrdAlowAmt, d.orderable, kKrw15);
  v.opt(key::kD1Entra, d.d1_cash, kKrw15);
  v.opt(key::kPymnAlowAmt, d.withdrawable, kKrw15);
  v.opt(key::kStk100OrdAlowAmt, d.orderable_full_margin, kKrw15);
  v.opt(key::kProfaCh, d.margin_cash, kKrw15);
  v.opt(key::kReplAmt, d.collateral, kKrw15);
  v.opt(key::kChUncla, d.unpaid, kKrw15);
  v.opt(key::kD2BuyExctAmt, d.d2_buy_settlement, kKrw15);
  v.opt(key::kD2SelExctAmt, d.d2_sell_settlement, kKrw15);
  v.opt(key::kD2SlbyExctAmt, d.d2_net_settlement, kKrw15);
}

template <class V, Is<BalanceRequest> S>
void describe(V& v, S& r) {
  v.req(key::kQryTp, r.query, kBalanceQuery);
  v.req(key::kDmstStexTp, r.venue, kVenue);
}

template <class V, Is<Holding> S>
void describe(V& v, S& h) {
  v.req(key::kStkCd, h.code, kAccountCode);
  v.text(key::kStkNm, h.name);
  v.req(key::kRmndQty, h.qty, kQty15);
  v.req(key::kTrdeAbleQty, h.sellable, kQty15);
  v.req(key::kPurPric, h.avg_price, kPrice15);
  v.req(key::kCurPrc, h.current, kPrice12);
  v.req(key::kPurAmt, h.purchase_amount, kKrw15);
  v.req(key::kEvltAmt, h.eval_amount, kKrw15);
  v.req(key::kEvltvPrft, h.eval_pnl, kKrw15);
  v.req(key::kPrftRt, h.pnl_rate, kRate);
  v.opt(key::kPredClosePric, h.prev_close, kPrice12);
  v.opt(key::kPurCmsn, h.buy_fee, kKrw15);
  v.opt(key::kSellCmsn, h.sell_fee, kKrw15);
  v.opt(key::kTax, h.sell_tax, kKrw15);
  v.opt(key::kTdyBuyq, h.bought_today, kQty15);
  v.opt(key::kTdySellq, h.sold_today, kQty15);
  v.opt(key::kPossRt, h.weight, kRate);
  v.text(key::kCrdTp, h.credit_type);
}

template <class V, Is<Balance> S>
void describe(V& v, S& b) {
  v.req(key::kTotPurAmt, b.total_purchase, kKrw15);
  v.req(key::kTotEvltAmt, b.total_eval, kKrw15);
  v.req(key::kTotEvltPl, b.total_pnl, kKrw15);
  v.req(key::kTotPrftRt, b.total_pnl_rate, kRate);
  v.opt(key::kPrsmDpstAsetAmt, b.estimated_assets, kKrw15);
  v.opt(key::kTotLoanAmt, b.total_loan, kKrw15);
  v.list(key::kHoldingList, b.holdings);
}

template <class V, Is<OpenOrdersRequest> S>
void describe(V& v, S& r) {
  v.computed(key::kAllStkTp, r.code ? code::kOneStock : code::kAllStocks);
  v.req(key::kTrdeTp, r.side, kSideFilter);
  v.opt(key::kStkCd, r.code, kCode);
  v.req(key::kStexTp, r.venue, kAccountVenue);
}

template <class V, Is<OpenOrder> S>
void describe(V& v, S& o) {
  v.opt(key::kAcntNo, o.account, kText);
  v.req(key::kOrdNo, o.order_no, kOrderNo);
  v.req(key::kStkCd, o.code, kCode);
  v.text(key::kStkNm, o.name);
  v.text(key::kOrdStt, o.status);
  v.req(key::kOrdQty, o.order_qty, kQty);
  v.req(key::kOrdPric, o.order_price, kPrice);
  v.req(key::kOsoQty, o.unfilled, kQty);
  v.opt(key::kCntrTotAmt, o.filled_amount, kKrw);
  v.opt(key::kOrigOrdNo, o.orig_order_no, kOrigOrderNo);
  v.text(key::kIoTpNm, o.kind);
  v.text(key::kTrdeTp, o.trade_type);
  v.opt(key::kTm, o.time, kTime);
  v.opt(key::kCntrPric, o.last_fill_price, kPrice);
  v.opt(key::kCntrQty, o.last_fill_qty, kQty);
  v.text(key::kStexTpTxt, o.venue_text);
  v.opt(key::kStopPric, o.stop_price, kPrice);
}

template <class V, Is<OpenOrders> S>
void describe(V& v, S& o) {
  v.list(key::kOpenOrderList, o.orders);
}

template <class V, Is<ExecutionsRequest> S>
void describe(V& v, S& r) {
  v.opt(key::kStkCd, r.code, kCode);
  v.computed(key::kQryTp, r.code ? code::kOneStock : code::kAllStocks);
  v.req(key::kSellTp, r.side, kSideFilter);
  v.opt(key::kOrdNo, r.before_order_no, kOrderNo);
  v.req(key::kStexTp, r.venue, kAccountVenue);
}

template <class V, Is<Execution> S>
void describe(V& v, S& e) {
  v.req(key::kOrdNo, e.order_no, kOrderNo);
  v.text(key::kStkNm, e.name);
  v.text(key::kIoTpNm, e.kind);
  v.req(key::kOrdPric, e.order_price, kPrice);
  v.req(key::kOrdQty, e.order_qty, kQty);
  v.req(key::kCntrPric, e.fill_price, kPrice);
  v.req(key::kCntrQty, e.filled, kQty);
  v.req(key::kOsoQty, e.unfilled, kQty);
  v.opt(key::kTdyTrdeCmsn, e.fee, kKrw);
  v.opt(key::kTdyTrdeTax, e.tax, kKrw);
  v.text(key::kOrdStt, e.status);
  v.text(key::kTrdeTp, e.trade_type);
  v.opt(key::kOrigOrdNo, e.orig_order_no, kOrigOrderNo);
  v.opt(key::kOrdTm, e.order_time, kTime);
  v.req(key::kStkCd, e.code, kCode);
  v.opt(key::kStopPric, e.stop_price, kPrice);
}

template <class V, Is<Executions> S>
void describe(V& v, S& e) {
  v.list(key::kExecutionList, e.executions);
}

template <class V, Is<AccountReturnRequest> S>
void describe(V& v, S& r) {
  v.req(key::kStexTp, r.venue, kAccountVenue);
}

template <class V, Is<AccountReturnRow> S>
void describe(V& v, S& r) {
  v.opt(key::kDt, r.date, kDate);
  v.req(key::kStkCd, r.code, kCode);
  v.text(key::kStkNm, r.name);
  v.req(key::kCurPrc, r.current, kPrice);
  v.req(key::kPurPric, r.avg_price, kPrice);
  v.req(key::kPurAmt, r.purchase_amount, kKrw);
  v.req(key::kRmndQty, r.qty, kQty);
  v.opt(key::kTdySelPl, r.realized_today, kKrw);
  v.opt(key::kTdyTrdeCmsn, r.fee, kKrw);
  v.opt(key::kTdyTrdeTax, r.tax, kKrw);
  v.text(key::kCrdTp, r.credit_type);
  v.opt(key::kLoanDt, r.loan_date, kDateOrZeros);
  v.opt(key::kSetlRemn, r.settled_qty, kQty);
  v.opt(key::kClrnAlowQty, r.clearable_qty, kQty);
}

template <class V, Is<AccountReturns> S>
void describe(V& v, S& r) {
  v.list(key::kAccountReturnList, r.rows);
}

template <class V, Is<RealizedPnlRequest> S>
void describe(V& v, S& r) {
  v.req(key::kStrtDt, r.from, kDate);
  v.req(key::kEndDt, r.to, kDate);
}

template <class V, Is<DailyRealizedPnl> S>
void describe(V& v, S& d) {
  v.req(key::kDt, d.date, kDate);
  v.req(key::kBuyAmt, d.bought, kKrw);
  v.req(key::kSellAmt, d.sold, kKrw);
  v.req(key::kTdySelPl, d.pnl, kKrw);
  v.opt(key::kTdyTrdeCmsn, d.fee, kKrw);
  v.opt(key::kTdyTrdeTax, d.tax, kKrw);
}

template <class V, Is<RealizedPnl> S>
void describe(V& v, S& p) {
  v.req(key::kTotBuyAmt, p.total_bought, kKrw);
  v.req(key::kTotSellAmt, p.total_sold, kKrw);
  v.req(key::kRlztPl, p.realized, kKrw);
  v.opt(key::kTrdeCmsn, p.fees, kKrw);
  v.opt(key::kTrdeTax, p.taxes, kKrw);
  v.list(key::kDailyPnlList, p.days);
}

}  // namespace dalbit::kiwoom

DALBIT_KIWOOM_REST_API(dalbit::kiwoom::DepositRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::BalanceRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::OpenOrdersRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::ExecutionsRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::AccountReturnRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::RealizedPnlRequest)
