// Every WebSocket message kind from /work/shared/kiwoom/websocket.md, in
// both directions, plus malformed frames.
#include "kiwoom/ws_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace dalbit::kiwoom {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

StockCode stock(std::string_view s) { return *StockCode::parse(s); }
TimeOfDay hms(int h, int m, int s) { return TimeOfDay{h * 3600 + m * 60 + s}; }

template <class T>
T as(const WsMessage& m) {
  EXPECT_TRUE(std::holds_alternative<T>(m)) << (std::holds_alternative<WsError>(m) ? std::get<WsError>(m).message
                                                                                   : std::string("other kind"));
  return std::holds_alternative<T>(m) ? std::get<T>(m) : T{};
}

template <class T>
T as_request(const WsRequest& m) {
  EXPECT_TRUE(std::holds_alternative<T>(m)) << (std::holds_alternative<WsError>(m) ? std::get<WsError>(m).message
                                                                                   : std::string("other kind"));
  return std::holds_alternative<T>(m) ? std::get<T>(m) : T{};
}

WsError ws_error(const WsMessage& m) { return as<WsError>(m); }

const char* kTradeFrame = R"({"trnm":"REAL",
 "data":[
   {"type":"0B","name":"주식체결","item":"005930",
    "values":{"20":"165208","10":"-20800","11":"-50","12":"-0.24","27":"-20800","28":"-20700",
              "15":"+82","13":"30379732","14":"632640","16":"20850","17":"+21150","18":"-20450",
              "25":"5","228":"98.92","290":"2","9081":"1"}}]})";

const char* kOrderAcceptedFrame = R"({"trnm":"REAL","data":[{"type":"00","name":"주문체결","item":"005930","values":{
 "9201":"1111111111","9203":"0000018","9205":"","9001":"005930","912":"JJ","913":"접수","302":"삼성전자",
 "900":"1","901":"0","902":"1","903":"0","904":"0000000","905":"+매수","906":"시장가","907":"2",
 "908":"094022","909":"","910":"","911":"","10":"+60700","27":"+60700","28":"-60000","914":"","915":"",
 "938":"0","939":"0","919":"0","920":"","921":"0701002","922":"00","923":"00000000","10010":"",
 "2134":"1","2135":"KRX","2136":"Y"}}]})";

// ---------------------------------------------------------------- client builders

TEST(KiwoomWs, LoginAndPingBuilders) {
  EXPECT_EQ(json::parse(build_login(Secret("WQJCwy"))), json::parse(R"({"trnm":"LOGIN","token":"WQJCwy"})"));
  EXPECT_EQ(json::parse(build_ping()), json::parse(R"({"trnm":"PING"})"));
}

TEST(KiwoomWs, RegAndRemoveBuildersMatchTheDocumentedFrames) {
  RegRequest quotes;
  quotes.group = "1";
  quotes.data = {{{"005930", "000660"}, {"0B", "0D"}}};
  EXPECT_EQ(json::parse(build_reg(quotes)),
            json::parse(R"({"trnm":"REG","grp_no":"1","refresh":"1","data":[{"item":["005930","000660"],"type":["0B","0D"]}]})"));
  RegRequest account;
  account.group = "2";
  account.data = {{{""}, {"00", "04"}}};
  EXPECT_EQ(json::parse(build_reg(account)),
            json::parse(R"({"trnm":"REG","grp_no":"2","refresh":"1","data":[{"item":[""],"type":["00","04"]}]})"));
  RegRequest replace = quotes;
  replace.keep_existing = false;
  EXPECT_EQ(json::parse(build_reg(replace))["refresh"], "0");
  RegRequest remove;
  remove.remove = true;
  remove.data = {{{"000660"}, {"0B", "0D"}}};
  EXPECT_EQ(json::parse(build_reg(remove)),
            json::parse(R"({"trnm":"REMOVE","grp_no":"1","data":[{"item":["000660"],"type":["0B","0D"]}]})"));
}

TEST(KiwoomWs, ConditionSearchBuilders) {
  EXPECT_EQ(json::parse(build_condition_list()), json::parse(R"({"trnm":"CNSRLST"})"));
  ConditionSearchRequest once;
  once.seq = "4";
  EXPECT_EQ(json::parse(build_condition_search(once)),
            json::parse(R"({"trnm":"CNSRREQ","seq":"4","search_type":"0","stex_tp":"K","cont_yn":"N","next_key":""})"));
  ConditionSearchRequest next = once;
  next.continuing = true;
  next.next_key = "abc";
  EXPECT_EQ(json::parse(build_condition_search(next))["cont_yn"], "Y");
  ConditionSearchRequest live;
  live.seq = "4";
  live.realtime = true;
  EXPECT_EQ(json::parse(build_condition_search(live)),
            json::parse(R"({"trnm":"CNSRREQ","seq":"4","search_type":"1","stex_tp":"K"})"));
  EXPECT_EQ(json::parse(build_condition_clear("4")), json::parse(R"({"trnm":"CNSRCLR","seq":"4"})"));
}

// ---------------------------------------------------------------- server -> client

TEST(KiwoomWs, LoginSuccess) {
  const auto r = as<LoginResult>(parse_ws_message(R"({"trnm":"LOGIN","return_code":0,"return_msg":"","sor_yn":"Y"})"));
  EXPECT_TRUE(r.ack.ok());
  EXPECT_EQ(r.sor_enabled, true);
  EXPECT_FALSE(r.error.has_value());
}

TEST(KiwoomWs, LoginFailureIsATokenError) {
  const auto r = as<LoginResult>(parse_ws_message(
      R"({"trnm":"LOGIN","return_code":1,"return_msg":"토큰 인증에 실패했습니다. 접속을 종료합니다 [CODE=8005, MESSAGE=Token이 유효하지 않습니다]"})"));
  EXPECT_FALSE(r.ack.ok());
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->kind, ErrorKind::TokenInvalid);
  EXPECT_EQ(r.error->code, "8005");
  const auto other = as<LoginResult>(parse_ws_message(R"({"trnm":"LOGIN","return_code":1,"return_msg":"점검중"})"));
  EXPECT_EQ(other.error->kind, ErrorKind::Rejected);
}

TEST(KiwoomWs, PingIsEchoedVerbatim) {
  const std::string frame = R"({"trnm":"PING","extra":"kept","n":1})";
  EXPECT_EQ(as<Ping>(parse_ws_message(frame)).frame, frame);
  EXPECT_EQ(as<Ping>(parse_ws_message("PING")).frame, "PING");
  EXPECT_EQ(as<Ping>(parse_ws_message(R"({"trnm":"ping"})")).frame, R"({"trnm":"ping"})");
}

TEST(KiwoomWs, SystemNoticesInBothKeyStyles) {
  const auto s = as<SystemNotice>(parse_ws_message(
      R"({"trnm":"SYSTEM","code":"R10001","message":"동일한 App key로 접속이 되었습니다. 기존 세션은 종료가 됩니다"})"));
  EXPECT_EQ(s.code, "R10001");
  EXPECT_THAT(s.message, HasSubstr("동일한 App key"));
  const auto t = as<SystemNotice>(parse_ws_message(R"({"trnm":"SYSTEM","return_code":"0","return_msg":"공지"})"));
  EXPECT_EQ(t.code, "0");
  EXPECT_EQ(t.message, "공지");
}

TEST(KiwoomWs, RegAndRemoveAcks) {
  const auto reg = as<RegResult>(parse_ws_message(R"({"trnm":"REG","return_code":0,"return_msg":""})"));
  EXPECT_FALSE(reg.remove);
  EXPECT_TRUE(reg.ack.ok());
  const auto rem = as<RegResult>(parse_ws_message(R"({"trnm":"REMOVE","return_code":0,"return_msg":""})"));
  EXPECT_TRUE(rem.remove);
  const auto fail = as<RegResult>(parse_ws_message(R"({"trnm":"REG","return_code":1,"return_msg":"등록 종목수 초과"})"));
  EXPECT_FALSE(fail.ack.ok());
  EXPECT_EQ(fail.ack.return_msg, "등록 종목수 초과");
}

TEST(KiwoomWs, TradeTick0B) {
  const auto real = as<Real>(parse_ws_message(kTradeFrame));
  ASSERT_EQ(real.entries.size(), 1u);
  const RealEntry& e = real.entries[0];
  EXPECT_EQ(e.type, "0B");
  EXPECT_EQ(e.name, "주식체결");
  EXPECT_EQ(e.item, "005930");
  EXPECT_EQ(e.values.size(), 16u);
  EXPECT_EQ(e.values.find(9081), "1");
  const auto t = decode_trade(e);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->instrument.code, stock("005930"));
  EXPECT_EQ(t->instrument.venue, Venue::Krx);
  EXPECT_EQ(t->time, hms(16, 52, 8));
  EXPECT_EQ(t->price, Price(20'800));
  EXPECT_EQ(t->change, Price(-50));
  EXPECT_EQ(t->change_rate, Rate{-24});
  EXPECT_EQ(t->best_ask, Price(20'800));
  EXPECT_EQ(t->best_bid, Price(20'700));
  EXPECT_EQ(t->volume.qty, Qty(82));
  EXPECT_EQ(t->volume.aggressor, Side::Buy);
  EXPECT_EQ(t->cum_volume, Qty(30'379'732));
  EXPECT_EQ(t->cum_value, Krw(632'640'000'000));
  EXPECT_EQ(t->open, Price(20'850));
  EXPECT_EQ(t->high, Price(21'150));
  EXPECT_EQ(t->low, Price(20'450));
  EXPECT_EQ(t->change_sign, 5);
  EXPECT_EQ(t->strength, Rate{9892});
  EXPECT_EQ(t->session, 2);
}

TEST(KiwoomWs, SellInitiatedAndUnsignedVolumes) {
  std::string frame = kTradeFrame;
  frame.replace(frame.find(R"("15":"+82")"), 10, R"("15":"-77")");
  auto t = decode_trade(as<Real>(parse_ws_message(frame)).entries.at(0));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->volume.qty, Qty(77));
  EXPECT_EQ(t->volume.aggressor, Side::Sell);
  frame.replace(frame.find(R"("15":"-77")"), 10, R"("15":"077")");
  t = decode_trade(as<Real>(parse_ws_message(frame)).entries.at(0));
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->volume.aggressor.has_value());
}

TEST(KiwoomWs, OrderEvent00AcceptedThenFilled) {
  const auto o = decode_order_event(as<Real>(parse_ws_message(kOrderAcceptedFrame)).entries.at(0));
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->account, "1111111111");
  EXPECT_EQ(o->order_no, "0000018");
  EXPECT_EQ(o->code, stock("005930"));
  EXPECT_EQ(o->status, OrderEventStatus::Accepted);
  EXPECT_EQ(o->side, Side::Buy);
  EXPECT_EQ(o->name, "삼성전자");
  EXPECT_EQ(o->order_qty, Qty(1));
  EXPECT_EQ(o->order_price, Price(0));
  EXPECT_EQ(o->unfilled, Qty(1));
  EXPECT_EQ(o->filled_amount, Krw(0));
  EXPECT_FALSE(o->orig_order_no.has_value());
  EXPECT_EQ(o->kind, "+매수");
  EXPECT_EQ(o->trade_type, "시장가");
  EXPECT_EQ(o->time, hms(9, 40, 22));
  EXPECT_FALSE(o->exec_no.has_value());
  EXPECT_FALSE(o->exec_price.has_value());
  EXPECT_FALSE(o->exec_qty.has_value());
  EXPECT_EQ(o->reject_reason, "0");
  EXPECT_EQ(o->venue, VenueFilter::Krx);

  json fill = json::parse(kOrderAcceptedFrame);
  auto& v = fill["data"][0]["values"];
  v["913"] = "체결";
  v["902"] = "0";
  v["903"] = "60700";
  v["909"] = "1234567";
  v["910"] = "60700";
  v["911"] = "1";
  v["914"] = "60700";
  v["915"] = "1";
  v["9001"] = "A005930";
  const auto f = decode_order_event(as<Real>(parse_ws_message(fill.dump())).entries.at(0));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->status, OrderEventStatus::Filled);
  EXPECT_EQ(f->code, stock("005930"));
  EXPECT_EQ(f->unfilled, Qty(0));
  EXPECT_EQ(f->exec_no, "1234567");
  EXPECT_EQ(f->exec_price, Price(60'700));
  EXPECT_EQ(f->exec_qty, Qty(1));
  EXPECT_EQ(f->unit_exec_qty, Qty(1));
  EXPECT_EQ(f->filled_amount, Krw(60'700));
}

TEST(KiwoomWs, OrderEventWithAnUnknownStatusIsAnError) {
  json bad = json::parse(kOrderAcceptedFrame);
  bad["data"][0]["values"]["913"] = "보류";
  const RealEvent e = decode_real(as<Real>(parse_ws_message(bad.dump())).entries.at(0));
  ASSERT_TRUE(std::holds_alternative<WsError>(e));
  EXPECT_EQ(std::get<WsError>(e).type, "00");
  EXPECT_THAT(std::get<WsError>(e).message, HasSubstr("FID 913"));
  EXPECT_THAT(std::get<WsError>(e).message, HasSubstr("보류"));
}

TEST(KiwoomWs, Balance04) {
  const char* frame = R"({"trnm":"REAL","data":[{"type":"04","name":"현물잔고","item":"005930","values":{
    "9201":"1111111111","9001":"A005930","917":"00","916":"00000000","302":"삼성전자","10":"-60600",
    "930":"10","931":"60700","932":"607000","933":"10","945":"10","946":"2","950":"0","951":"",
    "27":"-60700","28":"-60600","307":"61000","8019":"0.00","957":"0","958":"0","918":"00000000",
    "990":"0","991":"0.00","992":"0","993":"0.00","959":"0","924":""}}]})";
  const auto b = decode_balance(as<Real>(parse_ws_message(frame)).entries.at(0));
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->code, stock("005930"));
  EXPECT_EQ(b->qty, Qty(10));
  EXPECT_EQ(b->avg_price, Price(60'700));
  EXPECT_EQ(b->total_cost, Krw(607'000));
  EXPECT_EQ(b->sellable, Qty(10));
  EXPECT_EQ(b->current, Price(60'600));
  EXPECT_EQ(b->base_price, Price(61'000));
  EXPECT_EQ(b->net_bought_today, Qty(10));
  EXPECT_EQ(b->realized_today, Krw(0));
  EXPECT_EQ(b->credit_type, "00");
}

TEST(KiwoomWs, OrderBook0D) {
  json values = {{"21", "101500"}, {"121", "123456"}, {"122", "-100"}, {"125", "234567"}, {"126", "+200"},
                 {"23", "0"}, {"24", "0"}, {"6044", "5"}};
  for (int n = 1; n <= 10; ++n) {
    values[std::to_string(40 + n)] = (n == 1 ? "-" : "+") + std::to_string(20'800 + 50 * (n - 1));
    values[std::to_string(60 + n)] = std::to_string(100 * n);
    values[std::to_string(80 + n)] = "-" + std::to_string(n);
    values[std::to_string(50 + n)] = "-" + std::to_string(20'750 - 50 * (n - 1));
    values[std::to_string(70 + n)] = std::to_string(200 * n);
    values[std::to_string(90 + n)] = "+" + std::to_string(n);
  }
  const json frame = {{"trnm", "REAL"},
                      {"data", json::array({{{"type", "0D"}, {"name", "주식호가잔량"}, {"item", "005930_NX"},
                                             {"values", values}}})}};
  const auto b = decode_book(as<Real>(parse_ws_message(frame.dump())).entries.at(0));
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->instrument.venue, Venue::Nxt);
  EXPECT_EQ(b->time, hms(10, 15, 0));
  EXPECT_EQ(b->asks[0].price, Price(20'800));
  EXPECT_EQ(b->asks[9].price, Price(21'250));
  EXPECT_EQ(b->asks[9].qty, Qty(1'000));
  EXPECT_EQ(b->asks[3].qty_change, Qty(-4));
  EXPECT_EQ(b->bids[0].price, Price(20'750));
  EXPECT_EQ(b->bids[9].price, Price(20'300));
  EXPECT_EQ(b->bids[9].qty, Qty(2'000));
  EXPECT_EQ(b->bids[2].qty_change, Qty(3));
  EXPECT_EQ(b->total_ask, Qty(123'456));
  EXPECT_EQ(b->total_bid_change, Qty(200));
  EXPECT_EQ(b->expected_price, Price(0));
}

TEST(KiwoomWs, ConditionHit02EnterAndExit) {
  const char* frame = R"({"trnm":"REAL","data":[{"type":"02","name":"조건검색","item":"005930",
     "values":{"841":"4","9001":"005930","843":"I","20":"152028","907":"2"}},
    {"type":"02","name":"조건검색","item":"000660",
     "values":{"841":"4","9001":"A000660","843":"D","20":"152030","907":"1"}}]})";
  const auto real = as<Real>(parse_ws_message(frame));
  ASSERT_EQ(real.entries.size(), 2u);
  const auto enter = decode_condition_hit(real.entries[0]);
  ASSERT_TRUE(enter.ok()) << enter.error().message;
  EXPECT_EQ(enter->seq, "4");
  EXPECT_EQ(enter->code, stock("005930"));
  EXPECT_EQ(enter->action, ConditionAction::Enter);
  EXPECT_EQ(enter->time, hms(15, 20, 28));
  const auto exit = decode_condition_hit(real.entries[1]);
  ASSERT_TRUE(exit.ok());
  EXPECT_EQ(exit->code, stock("000660"));
  EXPECT_EQ(exit->action, ConditionAction::Exit);
}

TEST(KiwoomWs, OneFrameMayCarrySeveralTypes) {
  json frame = json::parse(kTradeFrame);
  frame["data"].push_back(json::parse(kOrderAcceptedFrame)["data"][0]);
  const auto real = as<Real>(parse_ws_message(frame.dump()));
  ASSERT_EQ(real.entries.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<TradeEvent>(decode_real(real.entries[0])));
  EXPECT_TRUE(std::holds_alternative<OrderEvent>(decode_real(real.entries[1])));
}

TEST(KiwoomWs, ValuesAsAOneElementArrayAndInAnyKeyOrder) {
  const char* frame = R"({"data":[{"values":[{"20":"090000","10":"+100","15":"5","13":"5"}],
    "item":"005930","type":"0B"}],"trnm":"REAL"})";
  const auto real = as<Real>(parse_ws_message(frame));
  ASSERT_EQ(real.entries.size(), 1u);
  const auto t = decode_trade(real.entries[0]);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->price, Price(100));
  EXPECT_EQ(real.entries[0].name, "");
}

TEST(KiwoomWs, UnknownFidsAreKeptAndNonFidKeysIgnored) {
  const auto real = as<Real>(parse_ws_message(
      R"({"trnm":"REAL","data":[{"type":"0B","item":"005930","values":{"20":"090000","10":"100","15":"5",
          "13":"5","99999":"new","note":"x","nested":{"a":"b"},"n":7}}]})"));
  const RealEntry& e = real.entries.at(0);
  EXPECT_EQ(e.values.find(99999), "new");
  EXPECT_EQ(e.values.size(), 5u);
  EXPECT_TRUE(decode_trade(e).ok());
}

TEST(KiwoomWs, ConditionListRowsAsArraysOrObjects) {
  const auto l = as<ConditionList>(parse_ws_message(
      R"({"trnm":"CNSRLST","return_code":0,"return_msg":"","data":[["0","급등주"],["1","눌림목"],["2","거래량폭발"]]})"));
  ASSERT_EQ(l.conditions.size(), 3u);
  EXPECT_EQ(l.conditions[1], (ConditionInfo{"1", "눌림목"}));
  const auto o = as<ConditionList>(parse_ws_message(
      R"({"trnm":"CNSRLST","return_code":0,"return_msg":"","data":[{"seq":"7","name":"돌파"}]})"));
  ASSERT_EQ(o.conditions.size(), 1u);
  EXPECT_EQ(o.conditions[0], (ConditionInfo{"7", "돌파"}));
  EXPECT_TRUE(std::holds_alternative<WsError>(
      parse_ws_message(R"({"trnm":"CNSRLST","return_code":0,"data":[["0"]]})")));
}

TEST(KiwoomWs, ConditionSearchOneShot) {
  const auto r = as<ConditionSearchResult>(parse_ws_message(
      R"({"trnm":"CNSRREQ","seq":"4 ","cont_yn":"N","next_key":"","return_code":0,"return_msg":"",
          "data":[{"9001":"A005930","302":"삼성전자","10":"000075000","25":"5","11":"-00000100","12":"-00000130",
                   "13":"010386116","16":"000075100","17":"000075600","18":"000074700"}]})"));
  EXPECT_EQ(r.seq, "4");
  EXPECT_FALSE(r.has_more);
  EXPECT_FALSE(r.realtime);
  ASSERT_EQ(r.rows.size(), 1u);
  const ConditionRow& row = r.rows[0];
  EXPECT_EQ(row.code, stock("005930"));
  EXPECT_EQ(row.name, "삼성전자");
  EXPECT_EQ(row.price, Price(75'000));
  EXPECT_EQ(row.change_sign, 5);
  EXPECT_EQ(row.change, Price(-100));
  EXPECT_EQ(row.volume, Qty(10'386'116));
  EXPECT_EQ(row.open, Price(75'100));
  EXPECT_EQ(row.high, Price(75'600));
  EXPECT_EQ(row.low, Price(74'700));
  const auto more = as<ConditionSearchResult>(parse_ws_message(
      R"({"trnm":"CNSRREQ","seq":"4","cont_yn":"Y","next_key":"K1","return_code":0,"return_msg":"","data":[]})"));
  EXPECT_TRUE(more.has_more);
  EXPECT_EQ(more.next_key, "K1");
}

TEST(KiwoomWs, ConditionSearchRealtimeSnapshotAndClear) {
  const auto r = as<ConditionSearchResult>(parse_ws_message(
      R"({"trnm":"CNSRREQ","seq":"4","return_code":0,"return_msg":"","data":[{"jmcode":"A005930"},{"jmcode":"A000660"}]})"));
  EXPECT_TRUE(r.realtime);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[1].code, stock("000660"));
  const auto c = as<ConditionClearResult>(
      parse_ws_message(R"({"trnm":"CNSRCLR","seq":"4","return_code":0,"return_msg":""})"));
  EXPECT_EQ(c.seq, "4");
  EXPECT_TRUE(c.ack.ok());
}

// ---------------------------------------------------------------- malformed and unknown

TEST(KiwoomWs, MalformedFramesAreErrorsNamingTrnmAndType) {
  EXPECT_THAT(ws_error(parse_ws_message("not json at all")).message, HasSubstr("not valid JSON"));
  const WsError truncated = ws_error(parse_ws_message(R"({"trnm":"REAL","data":[{"type":"0B")"));
  EXPECT_EQ(truncated.trnm, "REAL");
  EXPECT_THAT(ws_error(parse_ws_message("[1,2,3]")).message, HasSubstr("not a JSON object"));
  EXPECT_THAT(ws_error(parse_ws_message("\"REAL\"")).message, HasSubstr("not a JSON object"));
  EXPECT_THAT(ws_error(parse_ws_message(R"({"data":[]})")).message, HasSubstr("without trnm"));
  const WsError unknown = ws_error(parse_ws_message(R"({"trnm":"FOO"})"));
  EXPECT_EQ(unknown.trnm, "FOO");
  EXPECT_THAT(unknown.message, HasSubstr("unknown trnm"));
  EXPECT_THAT(ws_error(parse_ws_message(R"({"trnm":"REAL"})")).message, HasSubstr("missing data"));
  const WsError no_values = ws_error(parse_ws_message(R"({"trnm":"REAL","data":[{"type":"0B","item":"005930"}]})"));
  EXPECT_EQ(no_values.type, "0B");
  EXPECT_THAT(ws_error(parse_ws_message(R"({"trnm":"REAL","data":[{"item":"005930","values":{}}]})")).message,
              HasSubstr("without type"));
  EXPECT_THAT(ws_error(parse_ws_message(R"({"trnm":"LOGIN","return_msg":""})")).message, HasSubstr("return_code"));
  EXPECT_THAT(ws_error(parse_ws_message(R"({"trnm":"REG","return_code":"x"})")).message, HasSubstr("return_code"));
  EXPECT_THAT(ws_error(parse_ws_message(
                           R"({"trnm":"CNSRREQ","seq":"1","return_code":0,"data":[{"302":"이름만"}]})"))
                  .message,
              HasSubstr("9001"));
  // Lower-case trnm is accepted.
  EXPECT_TRUE(std::holds_alternative<Real>(parse_ws_message(R"({"trnm":"real","data":[]})")));
}

TEST(KiwoomWs, BadRealValuesNameTypeItemAndFid) {
  json bad = json::parse(kTradeFrame);
  bad["data"][0]["values"]["10"] = "--2O800";
  const RealEntry e = as<Real>(parse_ws_message(bad.dump())).entries.at(0);
  const RealEvent ev = decode_real(e);
  ASSERT_TRUE(std::holds_alternative<WsError>(ev));
  const WsError& err = std::get<WsError>(ev);
  EXPECT_EQ(err.trnm, "REAL");
  EXPECT_EQ(err.type, "0B");
  EXPECT_THAT(err.message, HasSubstr("0B"));
  EXPECT_THAT(err.message, HasSubstr("005930"));
  EXPECT_THAT(err.message, HasSubstr("FID 10"));
  EXPECT_THAT(err.message, HasSubstr("--2O800"));
  bad["data"][0]["values"].erase("10");
  EXPECT_THAT(std::get<WsError>(decode_real(as<Real>(parse_ws_message(bad.dump())).entries.at(0))).message,
              HasSubstr("missing FID 10"));
  bad = json::parse(kTradeFrame);
  bad["data"][0]["item"] = "SAMSUNG";
  EXPECT_THAT(std::get<WsError>(decode_real(as<Real>(parse_ws_message(bad.dump())).entries.at(0))).message,
              HasSubstr("item"));
  EXPECT_FALSE(decode_book(e).ok());  // a 0B entry is not a book
}

TEST(KiwoomWs, TypesWithoutADecoderAreNamed) {
  RealEntry e;
  e.type = "0g";
  e.item = "005930";
  e.values.add(305, "+94200");
  const RealEvent ev = decode_real(e);
  ASSERT_TRUE(std::holds_alternative<WsError>(ev));
  EXPECT_EQ(std::get<WsError>(ev).type, "0g");
  EXPECT_THAT(std::get<WsError>(ev).message, HasSubstr("0g"));
}

// Mutated and truncated frames: the parser answers every one without throwing.
TEST(KiwoomWs, TheParserNeverThrows) {
  std::mt19937_64 rng(7);
  const std::vector<std::string> seeds = {kTradeFrame, kOrderAcceptedFrame,
                                          R"({"trnm":"CNSRLST","return_code":0,"data":[["0","a"]]})",
                                          R"({"trnm":"LOGIN","return_code":0,"sor_yn":"Y"})"};
  const std::string noise = "{}[]\":,0123456789-+ \\ua";
  int errors = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits && !s.empty(); ++k) {
      const std::size_t at = rng() % s.size();
      switch (rng() % 3) {
        case 0: s[at] = noise[rng() % noise.size()]; break;
        case 1: s.erase(at, 1 + rng() % 8); break;
        default: s.insert(at, 1, noise[rng() % noise.size()]); break;
      }
    }
    WsMessage m;
    ASSERT_NO_THROW(m = parse_ws_message(s)) << s;
    if (const auto* real = std::get_if<Real>(&m)) {
      for (const RealEntry& e : real->entries) ASSERT_NO_THROW((void)decode_real(e));
    }
    if (std::holds_alternative<WsError>(m)) ++errors;
    ASSERT_NO_THROW((void)parse_ws_request(s));
  }
  EXPECT_GT(errors, 1000);
}

// ---------------------------------------------------------------- client -> server (the simulator)

TEST(KiwoomWs, TheSimulatorParsesWhatTheClientBuilds) {
  EXPECT_EQ(as_request<LoginRequest>(parse_ws_request(build_login(Secret("tok-9")))).token.reveal(), "tok-9");
  EXPECT_TRUE(std::holds_alternative<Ping>(parse_ws_request(build_ping())));
  RegRequest reg;
  reg.group = "3";
  reg.keep_existing = false;
  reg.data = {{{"005930", "000660_NX"}, {"0B", "0D"}}, {{""}, {"00", "04"}}};
  const auto r = as_request<RegRequest>(parse_ws_request(build_reg(reg)));
  EXPECT_FALSE(r.remove);
  EXPECT_EQ(r.group, "3");
  EXPECT_FALSE(r.keep_existing);
  EXPECT_EQ(r.data, reg.data);
  RegRequest rem = reg;
  rem.remove = true;
  EXPECT_TRUE(as_request<RegRequest>(parse_ws_request(build_reg(rem))).remove);
  EXPECT_TRUE(std::holds_alternative<ConditionListRequest>(parse_ws_request(build_condition_list())));
  ConditionSearchRequest q;
  q.seq = "4";
  q.continuing = true;
  q.next_key = "K1";
  const auto qs = as_request<ConditionSearchRequest>(parse_ws_request(build_condition_search(q)));
  EXPECT_EQ(qs.seq, "4");
  EXPECT_FALSE(qs.realtime);
  EXPECT_TRUE(qs.continuing);
  EXPECT_EQ(qs.next_key, "K1");
  EXPECT_EQ(qs.venue, VenueFilter::Krx);
  q.realtime = true;
  EXPECT_TRUE(as_request<ConditionSearchRequest>(parse_ws_request(build_condition_search(q))).realtime);
  EXPECT_EQ(as_request<ConditionClearRequest>(parse_ws_request(build_condition_clear("4"))).seq, "4");
  // The .NET client sends seq as a number.
  EXPECT_EQ(as_request<ConditionClearRequest>(parse_ws_request(R"({"trnm":"CNSRCLR","seq":4})")).seq, "4");
}

TEST(KiwoomWs, TheSimulatorRejectsBadClientFrames) {
  auto err = [](const WsRequest& r) { return std::get<WsError>(r); };
  EXPECT_THAT(err(parse_ws_request(R"({"trnm":"LOGIN"})")).message, HasSubstr("missing token"));
  EXPECT_THAT(err(parse_ws_request(R"({"trnm":"REG","data":[{"item":["005930"],"type":["0B"]}]})")).message,
              HasSubstr("grp_no"));
  EXPECT_THAT(err(parse_ws_request(R"({"trnm":"REG","grp_no":"1","refresh":"2","data":[{"type":["0B"]}]})")).message,
              HasSubstr("refresh"));
  EXPECT_THAT(err(parse_ws_request(R"({"trnm":"REG","grp_no":"1","data":[{"item":["005930"]}]})")).message,
              HasSubstr("without type"));
  EXPECT_THAT(err(parse_ws_request(R"({"trnm":"CNSRREQ","seq":"1","search_type":"9","stex_tp":"K"})")).message,
              HasSubstr("search_type"));
  EXPECT_THAT(err(parse_ws_request(R"({"trnm":"REAL","data":[]})")).message, HasSubstr("not a client message"));
}

TEST(KiwoomWs, TheLoginTokenNeverAppearsInErrors) {
  const std::string token = "TOKEN-WQJCwyqInphKnR3bSRtB9NE1lv";
  for (const std::string& frame : {
           R"({"trnm":"LOGIN","token":")" + token,
           R"({"trnm":"LOGIN","token":")" + token + R"(" "x":1})",
           R"({"trnm":"LOGIN","token":[")" + token + R"("]})",
           R"({"trnm":"LOGN","token":")" + token + R"("})",
       }) {
    const WsRequest req = parse_ws_request(frame);
    ASSERT_TRUE(std::holds_alternative<WsError>(req)) << frame;
    EXPECT_THAT(std::get<WsError>(req).message, Not(HasSubstr("WQJC"))) << frame;
    const WsMessage msg = parse_ws_message(frame);
    ASSERT_TRUE(std::holds_alternative<WsError>(msg)) << frame;
    EXPECT_THAT(std::get<WsError>(msg).message, Not(HasSubstr("WQJC"))) << frame;
  }
}

// ---------------------------------------------------------------- server -> client round trips

TEST(KiwoomWs, TheClientParsesWhatTheSimulatorBuilds) {
  LoginResult ok;
  ok.sor_enabled = false;
  const auto l = as<LoginResult>(parse_ws_message(build_login_result(ok)));
  EXPECT_TRUE(l.ack.ok());
  EXPECT_EQ(l.sor_enabled, false);
  LoginResult bad;
  bad.ack = {1, "토큰 인증에 실패했습니다. 접속을 종료합니다 [CODE=8005, MESSAGE=Token이 유효하지 않습니다]"};
  EXPECT_EQ(as<LoginResult>(parse_ws_message(build_login_result(bad))).error->kind, ErrorKind::TokenInvalid);
  EXPECT_EQ(as<SystemNotice>(parse_ws_message(build_system({"R10002", "heartbeat"}))).code, "R10002");
  EXPECT_TRUE(as<RegResult>(parse_ws_message(build_reg_result({true, {0, ""}}))).remove);
  const auto list = as<ConditionList>(parse_ws_message(build_condition_list_result({{0, ""}, {{"0", "급등주"}}})));
  EXPECT_EQ(list.conditions.at(0).name, "급등주");

  ConditionSearchResult once;
  once.seq = "4";
  once.has_more = true;
  once.next_key = "K2";
  ConditionRow row;
  row.code = stock("005930");
  row.name = "삼성전자";
  row.price = Price(75'000);
  row.change = Price(-100);
  once.rows = {row};
  const auto s = as<ConditionSearchResult>(parse_ws_message(build_condition_search_result(once)));
  EXPECT_TRUE(s.has_more);
  EXPECT_EQ(s.next_key, "K2");
  EXPECT_EQ(s.rows.at(0).price, Price(75'000));
  EXPECT_EQ(s.rows.at(0).change, Price(-100));
  EXPECT_EQ(json::parse(build_condition_search_result(once))["data"][0]["9001"], "A005930");
  ConditionSearchResult live = once;
  live.realtime = true;
  const auto lr = as<ConditionSearchResult>(parse_ws_message(build_condition_search_result(live)));
  EXPECT_TRUE(lr.realtime);
  EXPECT_EQ(lr.rows.at(0).code, stock("005930"));
  EXPECT_EQ(as<ConditionClearResult>(parse_ws_message(build_condition_clear_result({"4", {0, ""}}))).seq, "4");
}

TEST(KiwoomWs, TypedEventsRoundTripThroughRealFrames) {
  const TradeEvent trade = *decode_trade(as<Real>(parse_ws_message(kTradeFrame)).entries.at(0));
  const OrderEvent order = *decode_order_event(as<Real>(parse_ws_message(kOrderAcceptedFrame)).entries.at(0));
  BookEvent book;
  book.instrument = {stock("000660"), Venue::Krx};
  book.time = hms(9, 0, 1);
  for (std::size_t i = 0; i < 10; ++i) {
    book.asks[i] = {Price(100'100 + 100 * static_cast<std::int64_t>(i)), Qty(10), std::nullopt};
    book.bids[i] = {Price(100'000 - 100 * static_cast<std::int64_t>(i)), Qty(20), Qty(-1)};
  }
  book.total_ask = Qty(100);
  book.total_bid = Qty(200);
  BalanceEvent balance;
  balance.code = stock("005930");
  balance.qty = Qty(3);
  balance.avg_price = Price(60'000);
  balance.total_cost = Krw(180'000);
  balance.sellable = Qty(3);
  const ConditionHit hit{"4", stock("005930"), ConditionAction::Exit, hms(15, 0, 0)};

  const std::vector<RealEntry> entries = {encode_real(trade), encode_real(order), encode_real(book),
                                          encode_real(balance), encode_real(hit)};
  const auto real = as<Real>(parse_ws_message(build_real(entries)));
  ASSERT_EQ(real.entries.size(), entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) EXPECT_EQ(real.entries[i], entries[i]) << i;

  const auto t = decode_trade(real.entries[0]);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->price, trade.price);
  EXPECT_EQ(t->volume, trade.volume);
  EXPECT_EQ(t->cum_value, trade.cum_value);
  EXPECT_EQ(t->strength, trade.strength);
  const auto o = decode_order_event(real.entries[1]);
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->order_no, order.order_no);
  EXPECT_EQ(o->status, order.status);
  EXPECT_EQ(o->venue, order.venue);
  EXPECT_EQ(json::parse(build_real(entries))["data"][1]["values"]["904"], "0000000");
  const auto b = decode_book(real.entries[2]);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->bids[9].price, Price(99'100));
  EXPECT_EQ(b->bids[9].qty_change, Qty(-1));
  EXPECT_FALSE(b->asks[0].qty_change.has_value());
  EXPECT_EQ(decode_balance(real.entries[3])->total_cost, Krw(180'000));
  EXPECT_EQ(decode_condition_hit(real.entries[4])->action, ConditionAction::Exit);
}

}  // namespace
}  // namespace dalbit::kiwoom
