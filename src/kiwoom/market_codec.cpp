// Market data: ka10001 stock info, ka10004 order book, ka10079/80/81 charts,
// ka10099 stock list.
#include "kiwoom/fields.h"

namespace dalbit::kiwoom {

using namespace fields;

namespace {
constexpr PriceCodec kPrice8{.width = 8};
constexpr QtyCodec kQty16{.width = 16};
constexpr IntCodec kTickScope{.min = 1, .max = 30};
constexpr IntCodec kMinuteScope{.min = 1, .max = 60};
constexpr IntCodec kCount{.min = 0, .max = 1'000'000'000};
constexpr auto kPriceAdjust = enum_codec<PriceAdjust>(
    {{PriceAdjust::Raw, code::kPriceRaw}, {PriceAdjust::Adjusted, code::kPriceAdjusted}});
constexpr auto kListMarket = enum_codec<ListMarket>({{ListMarket::Kospi, code::kListKospi},
                                                    {ListMarket::Kosdaq, code::kListKosdaq},
                                                    {ListMarket::Elw, code::kListElw},
                                                    {ListMarket::Etf, code::kListEtf},
                                                    {ListMarket::Konex, code::kListKonex},
                                                    {ListMarket::Etn, code::kListEtn}});
}  // namespace

template <class V, Is<StockInfoRequest> S>
void describe(V& v, S& r) {
  v.req(key::kStkCd, r.instrument, kInstrument);
}

template <class V, Is<StockInfo> S>
void describe(V& v, S& s) {
  v.req(key::kStkCd, s.instrument, kInstrument);
  v.text(key::kStkNm, s.name);
  v.req(key::kCurPrc, s.current, kPrice);
  v.req(key::kUplPric, s.upper_limit, kPrice);
  v.req(key::kLstPric, s.lower_limit, kPrice);
  v.req(key::kBasePric, s.base_price, kPrice);
  v.opt(key::kPreSig, s.change_sign, kChangeSign);
  v.opt(key::kPredPre, s.change, kPriceChange);
  v.opt(key::kFluRt, s.change_rate, kSignedRate);
  v.opt(key::kTrdeQty, s.volume, kQty);
  v.opt(key::kOpenPric, s.open, kPrice);
  v.opt(key::kHighPric, s.high, kPrice);
  v.opt(key::kLowPric, s.low, kPrice);
  v.opt(key::kExpCntrPric, s.expected_price, kPrice);
  v.opt(key::kExpCntrQty, s.expected_qty, kQty);
  v.opt(key::kMac, s.market_cap, kHundredMillionKrw);
  v.opt(key::k250Hgst, s.high_250d, kPrice);
  v.opt(key::k250Lwst, s.low_250d, kPrice);
}

template <class V, Is<OrderBookRequest> S>
void describe(V& v, S& r) {
  v.req(key::kStkCd, r.instrument, kInstrument);
}

template <class V, Is<OrderBook> S>
void describe(V& v, S& b) {
  v.req(key::kBidReqBaseTm, b.time, kTime);
  for (std::size_t i = 0; i < b.asks.size(); ++i) {
    v.req(key::kAskPrice[i], b.asks[i].price, kPrice);
    v.req(key::kAskQty[i], b.asks[i].qty, kQty);
    v.opt(key::kAskQtyChange[i], b.asks[i].qty_change, kSignedQty);
    v.req(key::kBidPrice[i], b.bids[i].price, kPrice);
    v.req(key::kBidQty[i], b.bids[i].qty, kQty);
    v.opt(key::kBidQtyChange[i], b.bids[i].qty_change, kSignedQty);
  }
  v.req(key::kTotSelReq, b.total_ask, kQty);
  v.req(key::kTotBuyReq, b.total_bid, kQty);
  v.opt(key::kTotSelReqJubPre, b.total_ask_change, kSignedQty);
  v.opt(key::kTotBuyReqJubPre, b.total_bid_change, kSignedQty);
}

template <class V, Is<IntradayBar> S>
void describe(V& v, S& b) {
  v.req(key::kCurPrc, b.close, kPrice);
  v.req(key::kTrdeQty, b.volume, kQty);
  v.req(key::kCntrTm, b.time, kDateTime);
  v.req(key::kOpenPric, b.open, kPrice);
  v.req(key::kHighPric, b.high, kPrice);
  v.req(key::kLowPric, b.low, kPrice);
  v.opt(key::kPredPre, b.change, kPriceChange);
  v.opt(key::kPredPreSig, b.change_sign, kChangeSign);
  v.opt(key::kAccTrdeQty, b.day_volume, kQty);
}

template <class V, Is<TickChartRequest> S>
void describe(V& v, S& r) {
  v.req(key::kStkCd, r.instrument, kInstrument);
  v.req(key::kTicScope, r.ticks, kTickScope);
  v.req(key::kUpdStkpcTp, r.adjust, kPriceAdjust);
}

template <class V, Is<TickChart> S>
void describe(V& v, S& c) {
  v.opt(key::kStkCd, c.instrument, kInstrument);
  v.opt(key::kLastTicCnt, c.last_tick_count, kCount);
  v.list(key::kTickChartList, c.bars);
}

template <class V, Is<MinuteChartRequest> S>
void describe(V& v, S& r) {
  v.req(key::kStkCd, r.instrument, kInstrument);
  v.req(key::kTicScope, r.minutes, kMinuteScope);
  v.req(key::kUpdStkpcTp, r.adjust, kPriceAdjust);
  v.opt(key::kBaseDt, r.base_date, kDate);
}

template <class V, Is<MinuteChart> S>
void describe(V& v, S& c) {
  v.opt(key::kStkCd, c.instrument, kInstrument);
  v.list(key::kMinuteChartList, c.bars);
}

template <class V, Is<DailyChartRequest> S>
void describe(V& v, S& r) {
  v.req(key::kStkCd, r.instrument, kInstrument);
  v.req(key::kBaseDt, r.base_date, kDate);
  v.req(key::kUpdStkpcTp, r.adjust, kPriceAdjust);
}

template <class V, Is<DailyBar> S>
void describe(V& v, S& b) {
  v.req(key::kCurPrc, b.close, kPrice);
  v.req(key::kTrdeQty, b.volume, kQty);
  v.opt(key::kTrdePrica, b.value, kMillionKrw);
  v.req(key::kDt, b.date, kDate);
  v.req(key::kOpenPric, b.open, kPrice);
  v.req(key::kHighPric, b.high, kPrice);
  v.req(key::kLowPric, b.low, kPrice);
  v.opt(key::kPredPre, b.change, kPriceChange);
  v.opt(key::kPredPreSig, b.change_sign, kChangeSign);
  v.opt(key::kTrdeTernRt, b.turnover, kSignedRate);
}

template <class V, Is<DailyChart> S>
void describe(V& v, S& c) {
  v.opt(key::kStkCd, c.instrument, kInstrument);
  v.list(key::kDailyChartList, c.bars);
}

template <class V, Is<StockListRequest> S>
void describe(V& v, S& r) {
  v.req(key::kMrktTp, r.market, kListMarket);
}

template <class V, Is<ListedStock> S>
void describe(V& v, S& s) {
  v.req(key::kCode, s.code, kCode);
  v.text(key::kName, s.name);
  v.opt(key::kListCount, s.listed_shares, kQty16);
  v.text(key::kAuditInfo, s.audit);
  v.opt(key::kRegDay, s.listed_on, kDate);
  v.opt(key::kLastPrice, s.prev_close, kPrice8);
  v.text(key::kState, s.state);
  v.text(key::kMarketCode, s.market_code);
  v.text(key::kMarketName, s.market_name);
  v.text(key::kUpName, s.sector);
  v.text(key::kUpSizeName, s.size_class);
  v.text(key::kOrderWarning, s.warning);
  v.dflt(key::kNxtEnable, s.nxt_enabled, kYesNo, false);
}

template <class V, Is<StockList> S>
void describe(V& v, S& l) {
  v.list(key::kStockList, l.stocks);
}

}  // namespace dalbit::kiwoom

DALBIT_KIWOOM_REST_API(dalbit::kiwoom::StockInfoRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::OrderBookRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::TickChartRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::MinuteChartRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::DailyChartRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::StockListRequest)
