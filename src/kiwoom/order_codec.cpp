// Orders: kt10000 buy, kt10001 sell, kt10002 modify, kt10003 cancel.
#include "kiwoom/fields.h"

namespace dalbit::kiwoom {

using namespace fields;

namespace {
constexpr QtyCodec kQty12{.width = 12};
constexpr auto kTradeType = enum_codec<TradeType>({
    {TradeType::Limit, code::kTradeLimit},
    {TradeType::Market, code::kTradeMarket},
    {TradeType::ConditionalLimit, code::kTradeConditionalLimit},
    {TradeType::BestLimit, code::kTradeBestLimit},
    {TradeType::PriorityLimit, code::kTradePriorityLimit},
    {TradeType::LimitIoc, code::kTradeLimitIoc},
    {TradeType::MarketIoc, code::kTradeMarketIoc},
    {TradeType::BestIoc, code::kTradeBestIoc},
    {TradeType::LimitFok, code::kTradeLimitFok},
    {TradeType::MarketFok, code::kTradeMarketFok},
    {TradeType::BestFok, code::kTradeBestFok},
    {TradeType::StopLimit, code::kTradeStopLimit},
    {TradeType::Mid, code::kTradeMid},
    {TradeType::MidIoc, code::kTradeMidIoc},
    {TradeType::MidFok, code::kTradeMidFok},
    {TradeType::PreMarketOffHours, code::kTradePreMarketOffHours},
    {TradeType::AfterHoursSingle, code::kTradeAfterHoursSingle},
    {TradeType::PostMarketOffHours, code::kTradePostMarketOffHours},
});
}  // namespace

template <class V, Is<NewOrderRequest> S>
void describe(V& v, S& r) {
  if constexpr (V::kDecoding) {
    // Buy and sell share the body; the api-id is the side.
    v.check(v.api_id() == api_id::kBuy || v.api_id() == api_id::kSell, "not an order api-id");
    r.side = v.api_id() == api_id::kSell ? Side::Sell : Side::Buy;
  }
  v.req(key::kDmstStexTp, r.venue, kVenue);
  v.req(key::kStkCd, r.code, kCode);
  v.req(key::kOrdQty, r.qty, kQty);
  v.opt(key::kOrdUv, r.price, kPrice);
  v.req(key::kTrdeTp, r.type, kTradeType);
  v.opt(key::kCondUv, r.stop_price, kPrice);
}

template <class V, Is<OrderAck> S>
void describe(V& v, S& a) {
  v.req(key::kOrdNo, a.order_no, kOrderNo);
  v.opt(key::kDmstStexTp, a.venue, kVenue);
}

template <class V, Is<ModifyOrderRequest> S>
void describe(V& v, S& r) {
  v.req(key::kDmstStexTp, r.venue, kVenue);
  v.req(key::kOrigOrdNo, r.orig_order_no, kOrderNo);
  v.req(key::kStkCd, r.code, kCode);
  v.req(key::kMdfyQty, r.qty, kQty);
  v.req(key::kMdfyUv, r.price, kPrice);
  v.opt(key::kMdfyCondUv, r.stop_price, kPrice);
}

template <class V, Is<ModifyAck> S>
void describe(V& v, S& a) {
  v.req(key::kOrdNo, a.order_no, kOrderNo);
  v.opt(key::kBaseOrigOrdNo, a.root_order_no, kOrderNo);
  v.opt(key::kMdfyQty, a.qty, kQty12);
  v.opt(key::kDmstStexTp, a.venue, kVenue);
}

template <class V, Is<CancelOrderRequest> S>
void describe(V& v, S& r) {
  v.req(key::kDmstStexTp, r.venue, kVenue);
  v.req(key::kOrigOrdNo, r.orig_order_no, kOrderNo);
  v.req(key::kStkCd, r.code, kCode);
  v.req(key::kCnclQty, r.qty, kQty);
}

template <class V, Is<CancelAck> S>
void describe(V& v, S& a) {
  v.req(key::kOrdNo, a.order_no, kOrderNo);
  v.opt(key::kBaseOrigOrdNo, a.root_order_no, kOrderNo);
  v.opt(key::kCnclQty, a.qty, kQty12);
}

}  // namespace dalbit::kiwoom

DALBIT_KIWOOM_REST_API(dalbit::kiwoom::NewOrderRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::ModifyOrderRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::CancelOrderRequest)
