#include "kiwoom/protocol.h"

#include <algorithm>

namespace dalbit::kiwoom {
namespace {

constexpr std::array kApis = {
    ApiInfo{api_id::kTokenIssue, path::kToken, ApiClass::Token, "접근토큰 발급"},
    ApiInfo{api_id::kTokenRevoke, path::kRevoke, ApiClass::Token, "접근토큰폐기"},
    ApiInfo{api_id::kDeposit, path::kAccount, ApiClass::Query, "예수금상세현황요청"},
    ApiInfo{api_id::kBalance, path::kAccount, ApiClass::Query, "계좌평가잔고내역요청"},
    ApiInfo{api_id::kOpenOrders, path::kAccount, ApiClass::Query, "미체결요청"},
    ApiInfo{api_id::kExecutions, path::kAccount, ApiClass::Query, "체결요청"},
    ApiInfo{api_id::kAccountReturn, path::kAccount, ApiClass::Query, "계좌수익률요청"},
    ApiInfo{api_id::kRealizedPnl, path::kAccount, ApiClass::Query, "일자별실현손익요청"},
    ApiInfo{api_id::kStockInfo, path::kStockInfo, ApiClass::Query, "주식기본정보요청"},
    ApiInfo{api_id::kOrderBook, path::kMarketCondition, ApiClass::Query, "주식호가요청"},
    ApiInfo{api_id::kTickChart, path::kChart, ApiClass::Query, "주식틱차트조회요청"},
    ApiInfo{api_id::kMinuteChart, path::kChart, ApiClass::Query, "주식분봉차트조회요청"},
    ApiInfo{api_id::kDailyChart, path::kChart, ApiClass::Query, "주식일봉차트조회요청"},
    ApiInfo{api_id::kStockList, path::kStockInfo, ApiClass::Query, "종목정보 리스트"},
    ApiInfo{api_id::kVolumeSurge, path::kRanking, ApiClass::Query, "거래량급증요청"},
    ApiInfo{api_id::kChangeRateTop, path::kRanking, ApiClass::Query, "전일대비등락률상위요청"},
    ApiInfo{api_id::kVolumeTop, path::kRanking, ApiClass::Query, "당일거래량상위요청"},
    ApiInfo{api_id::kTradingValueTop, path::kRanking, ApiClass::Query, "거래대금상위요청"},
    ApiInfo{api_id::kBuy, path::kOrder, ApiClass::Order, "주식 매수주문"},
    ApiInfo{api_id::kSell, path::kOrder, ApiClass::Order, "주식 매도주문"},
    ApiInfo{api_id::kModify, path::kOrder, ApiClass::Order, "주식 정정주문"},
    ApiInfo{api_id::kCancel, path::kOrder, ApiClass::Order, "주식 취소주문"},
};

}  // namespace

Endpoint rest_endpoint(Environment env) {
  return {env == Environment::Real ? host::kReal : host::kMock, host::kRestPort, {}};
}

Endpoint websocket_endpoint(Environment env) {
  return {env == Environment::Real ? host::kReal : host::kMock, host::kWebSocketPort, path::kWebSocket};
}

std::span<const ApiInfo> known_apis() { return kApis; }

const ApiInfo* find_api(std::string_view id) {
  const auto* it = std::find_if(kApis.begin(), kApis.end(), [&](const ApiInfo& a) { return a.id == id; });
  return it == kApis.end() ? nullptr : &*it;
}

ApiClass api_class_of(std::string_view id) {
  const ApiInfo* info = find_api(id);
  return info ? info->api_class : ApiClass::Query;
}

}  // namespace dalbit::kiwoom
