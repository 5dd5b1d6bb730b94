// The simulator's service without sockets: every api-id answers with bytes the
// client's parsers (src/kiwoom) accept, and every error and fault has the
// shape a client must handle.
#include "sim/service.h"

#include <gtest/gtest.h>

#include "kiwoom/rest.h"
#include "kiwoom/ws_codec.h"

namespace dalbit::sim {
namespace {

namespace kw = kiwoom;
using namespace std::chrono_literals;

Timestamp at(const char* kst) { return *parse_kst_timestamp(kst); }
StockCode code(const char* c) { return *StockCode::parse(c); }

struct Reply {
  HttpAnswer answer;
  template <class Response>
  kw::ApiResult<Response> parse() const {
    return kw::parse_response<Response>(kw::HttpReply{answer.api_id, answer.status, answer.body, answer.cont_yn,
                                                      answer.next_key});
  }
};

class SimService : public ::testing::Test {
 protected:
  explicit SimService(SimOptions o = options()) : service(std::move(o), wall) {}

  static SimOptions options() {
    SimOptions o;
    o.start = at("2026-01-05 09:30:00");  // a Monday, continuous session
    o.rate = {1000.0, 1000.0};
    return o;
  }

  template <class Request>
  Reply send(const Request& request, const kw::Pager* pager = nullptr) {
    const kw::RestRequest r = kw::build_request(request);
    HttpCall call{std::string(r.path), std::string(r.api_id), "", "", "", r.body};
    for (const auto& h : kw::request_headers(r, token.empty() ? nullptr : &token, pager)) {
      if (h.name == kw::header::kAuthorization) call.authorization = h.value;
      if (h.name == kw::header::kContYn) call.cont_yn = h.value;
      if (h.name == kw::header::kNextKey) call.next_key = h.value;
    }
    return Reply{service.handle_rest(call, wall)};
  }

  template <class Request>
  kw::ApiResult<typename Request::Response> call(const Request& request) {
    return send(request).template parse<typename Request::Response>();
  }

  void login() {
    auto issued = call(kw::TokenRequest{Secret("sim-app-key"), Secret("sim-secret-key")});
    ASSERT_TRUE(issued.ok()) << issued.error().describe();
    token = issued->token;
  }

  // Frames queued for `id`, each parsed.
  std::vector<kw::WsMessage> frames_for(SessionId id) {
    std::vector<kw::WsMessage> out;
    for (const auto& p : service.take_pushes()) {
      if (p.session == id && !p.frame.empty()) out.push_back(kw::parse_ws_message(p.frame));
    }
    return out;
  }

  std::vector<kw::RealEntry> real_entries(SessionId id, std::string_view type) {
    std::vector<kw::RealEntry> out;
    for (auto& m : frames_for(id)) {
      if (auto* real = std::get_if<kw::Real>(&m)) {
        for (auto& e : real->entries) {
          if (e.type == type) out.push_back(e);
        }
      }
    }
    return out;
  }

  SessionId logged_in_session() {
    const SessionId id = service.open_session();
    service.on_frame(id, kw::build_login(token), wall);
    auto frames = frames_for(id);
    EXPECT_EQ(frames.size(), 1u);
    EXPECT_TRUE(std::get<kw::LoginResult>(frames.at(0)).ack.ok());
    return id;
  }

  Timestamp wall = at("2026-11-25 12:00:00");
  Service service;
  Secret token;
};

TEST_F(SimService, TokenIssueUseRevoke) {
  EXPECT_EQ(call(kw::DepositRequest{}).error().kind, kw::ErrorKind::TokenInvalid);
  login();
  auto deposit = call(kw::DepositRequest{});
  ASSERT_TRUE(deposit.ok()) << deposit.error().describe();
  EXPECT_EQ(deposit->cash, Krw(100'000'000));
  auto revoked = call(kw::RevokeRequest{Secret("sim-app-key"), Secret("sim-secret-key"), token});
  ASSERT_TRUE(revoked.ok()) << revoked.error().describe();
  const auto after = call(kw::DepositRequest{});
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().kind, kw::ErrorKind::TokenInvalid);
  EXPECT_EQ(after.error().code, "8005");
}

// The client sends au10002 without an authorization header, as documented:
// the body's keys and token are what count.
TEST_F(SimService, RevokeNeedsNoAuthorizationHeaderButTheRightKeys) {
  login();
  const Secret issued = token;
  token = Secret();  // no header from here on
  auto refused = call(kw::RevokeRequest{Secret("sim-app-key"), Secret("wrong"), issued});
  ASSERT_FALSE(refused.ok());
  auto revoked = call(kw::RevokeRequest{Secret("sim-app-key"), Secret("sim-secret-key"), issued});
  ASSERT_TRUE(revoked.ok()) << revoked.error().describe();
  auto again = call(kw::RevokeRequest{Secret("sim-app-key"), Secret("sim-secret-key"), issued});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, kw::ErrorKind::TokenInvalid);
}

TEST_F(SimService, TokenExpiresAtExpiresDt) {
  login();
  auto issued = call(kw::TokenRequest{Secret("sim-app-key"), Secret("sim-secret-key")});
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->expires, wall + 24h);
  wall += 24h;
  EXPECT_EQ(call(kw::DepositRequest{}).error().kind, kw::ErrorKind::TokenInvalid);
}

TEST_F(SimService, WrongKeysAreRefused) {
  auto issued = call(kw::TokenRequest{Secret("sim-app-key"), Secret("wrong")});
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.error().kind, kw::ErrorKind::Rejected);
  EXPECT_EQ(issued.error().code, "8001");
}

TEST_F(SimService, ApiIdOnTheWrongPathAndUnknownApiId) {
  login();
  const kw::RestRequest r = kw::build_request(kw::DepositRequest{});
  HttpCall call{std::string(kw::path::kChart), std::string(r.api_id), "Bearer " + token.reveal(), "", "", r.body};
  const auto wrong_path = Reply{service.handle_rest(call, wall)}.parse<kw::Deposit>();
  EXPECT_EQ(wrong_path.error().code, "1504");
  call.api_id = "ka99999";
  EXPECT_EQ(Reply{service.handle_rest(call, wall)}.parse<kw::Deposit>().error().code, "1505");
  call.api_id = "";
  EXPECT_EQ(Reply{service.handle_rest(call, wall)}.parse<kw::Deposit>().error().code, "1501");
}

TEST_F(SimService, MarketDataAnswersParse) {
  login();
  service.advance(at("2026-01-05 10:00:00"));
  const auto c = code("900010");
  auto info = call(kw::StockInfoRequest{{c, kw::Venue::Krx}});
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_EQ(info->name, "Dalbit Electronics");
  EXPECT_EQ(info->upper_limit, krx::daily_band(info->base_price).upper);
  EXPECT_EQ(info->lower_limit, krx::daily_band(info->base_price).lower);
  EXPECT_TRUE(krx::on_grid(info->current));
  EXPECT_TRUE(info->volume->value() > 0);

  auto book = call(kw::OrderBookRequest{{c, kw::Venue::Krx}});
  ASSERT_TRUE(book.ok()) << book.error().describe();
  EXPECT_GT(book->asks[0].price, book->bids[0].price);
  EXPECT_EQ(book->asks[0].price, krx::tick_up(info->current));

  auto list = call(kw::StockListRequest{});
  ASSERT_TRUE(list.ok()) << list.error().describe();
  EXPECT_EQ(list->stocks.size(), 9u);

  auto surge = call(kw::VolumeSurgeRequest{});
  ASSERT_TRUE(surge.ok()) << surge.error().describe();
  EXPECT_EQ(surge->rows.size(), 9u);
  auto rate = call(kw::ChangeRateTopRequest{});
  ASSERT_TRUE(rate.ok()) << rate.error().describe();
  EXPECT_GE(*rate->rows.front().change_rate, *rate->rows.back().change_rate);
  auto volume = call(kw::VolumeTopRequest{});
  ASSERT_TRUE(volume.ok()) << volume.error().describe();
  EXPECT_GE(volume->rows.front().volume, volume->rows.back().volume);
  auto value = call(kw::TradingValueTopRequest{});
  ASSERT_TRUE(value.ok()) << value.error().describe();
  EXPECT_EQ(value->rows.front().rank, 1);

  EXPECT_EQ(call(kw::StockInfoRequest{{code("123456"), kw::Venue::Krx}}).error().code, "1902");
}

TEST_F(SimService, ChartsPageWithContinuation) {
  login();
  service.advance(at("2026-01-05 12:00:00"));
  const kw::Instrument inst{code("900020"), kw::Venue::Krx};

  kw::Pager pager;
  std::vector<kw::IntradayBar> minutes;
  for (;;) {
    const Reply r = send(kw::MinuteChartRequest{inst, 1, kw::PriceAdjust::Adjusted, std::nullopt}, &pager);
    auto page = r.parse<kw::MinuteChart>();
    ASSERT_TRUE(page.ok()) << page.error().describe();
    minutes.insert(minutes.end(), page->bars.begin(), page->bars.end());
    if (!pager.advance(r.answer.cont_yn, r.answer.next_key)) break;
  }
  EXPECT_GE(pager.pages(), 2);  // 150 minutes of bars, 100 a page
  ASSERT_GE(minutes.size(), 140u);
  for (std::size_t i = 1; i < minutes.size(); ++i) EXPECT_LT(minutes[i].time, minutes[i - 1].time);

  kw::Pager daily_pager;
  std::size_t days = 0;
  for (;;) {
    const Reply r = send(kw::DailyChartRequest{inst, KstDate{2026, 1, 5}, kw::PriceAdjust::Adjusted}, &daily_pager);
    auto page = r.parse<kw::DailyChart>();
    ASSERT_TRUE(page.ok()) << page.error().describe();
    days += page->bars.size();
    if (!daily_pager.advance(r.answer.cont_yn, r.answer.next_key)) break;
  }
  EXPECT_EQ(days, 121u);  // 120 days of history and today

  auto ticks = call(kw::TickChartRequest{inst, 10, kw::PriceAdjust::Adjusted});
  ASSERT_TRUE(ticks.ok()) << ticks.error().describe();
  EXPECT_FALSE(ticks->bars.empty());
}

TEST_F(SimService, AMarketBuyFillsAndShowsInTheAccountAndAsPushes) {
  login();
  const SessionId ws = logged_in_session();
  service.on_frame(ws, kw::build_reg({false, "1", true, {{{""}, {"00", "04"}}}}), wall);
  ASSERT_TRUE(std::holds_alternative<kw::RegResult>(frames_for(ws).at(0)));

  kw::NewOrderRequest buy;
  buy.code = code("900010");
  buy.qty = Qty(10);
  buy.type = kw::TradeType::Market;
  auto ack = call(buy);
  ASSERT_TRUE(ack.ok()) << ack.error().describe();
  EXPECT_EQ(ack->order_no, "0000001");
  auto accepted = real_entries(ws, "00");
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(kw::decode_order_event(accepted[0])->status, kw::OrderEventStatus::Accepted);

  service.advance(at("2026-01-05 09:35:00"));
  auto pushes = service.take_pushes();
  std::vector<kw::OrderEvent> fills;
  std::vector<kw::BalanceEvent> balances;
  for (const auto& p : pushes) {
    auto m = kw::parse_ws_message(p.frame);
    for (const auto& e : std::get<kw::Real>(m).entries) {
      if (e.type == "00") fills.push_back(*kw::decode_order_event(e));
      if (e.type == "04") balances.push_back(*kw::decode_balance(e));
    }
  }
  ASSERT_FALSE(fills.empty());
  EXPECT_EQ(fills.back().status, kw::OrderEventStatus::Filled);
  EXPECT_EQ(fills.back().unfilled, Qty(0));
  EXPECT_EQ(*fills.back().exec_qty, Qty(10));
  ASSERT_FALSE(balances.empty());
  EXPECT_EQ(balances.back().qty, Qty(10));

  auto held = call(kw::BalanceRequest{});
  ASSERT_TRUE(held.ok()) << held.error().describe();
  ASSERT_EQ(held->holdings.size(), 1u);
  EXPECT_EQ(held->holdings[0].qty, Qty(10));
  auto execs = call(kw::ExecutionsRequest{});
  ASSERT_TRUE(execs.ok()) << execs.error().describe();
  ASSERT_EQ(execs->executions.size(), 1u);
  EXPECT_EQ(execs->executions[0].filled, Qty(10));
  auto open = call(kw::OpenOrdersRequest{});
  ASSERT_TRUE(open.ok()) << open.error().describe();
  EXPECT_TRUE(open->orders.empty());
  auto deposit = call(kw::DepositRequest{});
  ASSERT_TRUE(deposit.ok());
  const Krw paid = execs->executions[0].fill_price * Qty(10);
  EXPECT_EQ(deposit->cash, Krw(100'000'000) - paid - krx::commission({}, paid));
  auto returns = call(kw::AccountReturnRequest{});
  ASSERT_TRUE(returns.ok()) << returns.error().describe();
  EXPECT_EQ(returns->rows.size(), 1u);

  // Sell them back: realized P&L shows in ka10074.
  kw::NewOrderRequest sell = buy;
  sell.side = Side::Sell;
  ASSERT_TRUE(call(sell).ok());
  service.advance(at("2026-01-05 09:40:00"));
  auto pnl = call(kw::RealizedPnlRequest{KstDate{2026, 1, 5}, KstDate{2026, 1, 5}});
  ASSERT_TRUE(pnl.ok()) << pnl.error().describe();
  ASSERT_EQ(pnl->days.size(), 1u);
  EXPECT_EQ(pnl->total_bought, paid);
  EXPECT_GT(*pnl->fees, Krw(0));
  EXPECT_GT(*pnl->taxes, Krw(0));
}

TEST_F(SimService, ARestingLimitOrderIsModifiedThenCancelled) {
  login();
  auto info = call(kw::StockInfoRequest{{code("900020"), kw::Venue::Krx}});
  ASSERT_TRUE(info.ok());
  kw::NewOrderRequest buy;
  buy.code = code("900020");
  buy.qty = Qty(5);
  buy.price = info->lower_limit;  // far below the market: rests
  auto ack = call(buy);
  ASSERT_TRUE(ack.ok()) << ack.error().describe();
  auto open = call(kw::OpenOrdersRequest{});
  ASSERT_EQ(open->orders.size(), 1u);
  EXPECT_EQ(open->orders[0].unfilled, Qty(5));
  auto before = call(kw::DepositRequest{});
  EXPECT_LT(before->orderable, before->cash);  // the buy holds cash back

  auto modified = call(kw::ModifyOrderRequest{kw::Venue::Krx, ack->order_no, buy.code, Qty(5),
                                              krx::tick_up(info->lower_limit), std::nullopt});
  ASSERT_TRUE(modified.ok()) << modified.error().describe();
  EXPECT_NE(modified->order_no, ack->order_no);
  open = call(kw::OpenOrdersRequest{});
  ASSERT_EQ(open->orders.size(), 1u);
  EXPECT_EQ(open->orders[0].order_no, modified->order_no);
  EXPECT_EQ(open->orders[0].order_price, krx::tick_up(info->lower_limit));

  // A partial cancel: the rest keeps working under the modified order's number.
  auto part = call(kw::CancelOrderRequest{kw::Venue::Krx, modified->order_no, buy.code, Qty(2)});
  ASSERT_TRUE(part.ok()) << part.error().describe();
  EXPECT_EQ(part->qty, Qty(2));
  open = call(kw::OpenOrdersRequest{});
  ASSERT_EQ(open->orders.size(), 1u);
  EXPECT_EQ(open->orders[0].order_no, modified->order_no);
  EXPECT_EQ(open->orders[0].unfilled, Qty(3));
  EXPECT_FALSE(call(kw::CancelOrderRequest{kw::Venue::Krx, modified->order_no, buy.code, Qty(4)}).ok());

  auto cancelled = call(kw::CancelOrderRequest{kw::Venue::Krx, modified->order_no, buy.code, Qty(0)});
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().describe();
  EXPECT_TRUE(call(kw::OpenOrdersRequest{})->orders.empty());
  EXPECT_EQ(call(kw::DepositRequest{})->orderable, before->cash);
  // The original is gone: cancelling it again is refused.
  auto again = call(kw::CancelOrderRequest{kw::Venue::Krx, modified->order_no, buy.code, Qty(0)});
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("RC4041"), std::string::npos);
}

TEST_F(SimService, OrderValidation) {
  login();
  auto info = call(kw::StockInfoRequest{{code("900010"), kw::Venue::Krx}});
  kw::NewOrderRequest buy;
  buy.code = code("900010");
  buy.qty = Qty(1);
  buy.price = Price(info->current.value() + 1);  // off the grid
  EXPECT_NE(call(buy).error().message.find("RC4007"), std::string::npos);
  buy.price = krx::tick_up(info->upper_limit);  // above the band
  EXPECT_NE(call(buy).error().message.find("RC4007"), std::string::npos);
  buy.price = info->current;
  buy.qty = Qty(100'000);  // 7 billion won
  EXPECT_NE(call(buy).error().message.find("RC4025"), std::string::npos);
  buy.qty = Qty(1);
  buy.code = code("123456");
  EXPECT_EQ(call(buy).error().code, "1902");
  kw::NewOrderRequest sell;
  sell.side = Side::Sell;
  sell.code = code("900010");
  sell.qty = Qty(1);
  sell.price = info->current;
  EXPECT_NE(call(sell).error().message.find("RC4033"), std::string::npos);
  const auto rejected = call(sell).error();
  EXPECT_EQ(rejected.kind, kw::ErrorKind::Rejected);
}

TEST_F(SimService, MarketClosedAfterTheCloseAndExpiresDayOrders) {
  login();
  auto info = call(kw::StockInfoRequest{{code("900010"), kw::Venue::Krx}});
  kw::NewOrderRequest buy;
  buy.code = code("900010");
  buy.qty = Qty(1);
  buy.price = info->lower_limit;
  ASSERT_TRUE(call(buy).ok());
  service.advance(at("2026-01-05 15:40:00"));
  EXPECT_TRUE(call(kw::OpenOrdersRequest{})->orders.empty());
  const auto closed = call(buy);
  ASSERT_FALSE(closed.ok());
  EXPECT_NE(closed.error().message.find("RC4058"), std::string::npos);
}

class SimServiceRateLimit : public SimService {
 protected:
  SimServiceRateLimit() : SimService(strict()) {}
  static SimOptions strict() {
    SimOptions o = options();
    o.rate = {1.0, 2.0};
    return o;
  }
};

TEST_F(SimServiceRateLimit, TheThirdCallInASecondIsRateLimited) {
  login();
  EXPECT_TRUE(call(kw::DepositRequest{}).ok());
  EXPECT_TRUE(call(kw::DepositRequest{}).ok());
  const auto limited = call(kw::DepositRequest{});
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().kind, kw::ErrorKind::RateLimited);
  EXPECT_EQ(limited.error().code, "1700");
  EXPECT_TRUE(call(kw::BalanceRequest{}).ok());  // buckets are per api-id
  wall += 1s;
  EXPECT_TRUE(call(kw::DepositRequest{}).ok());
}

class SimServiceRateLimit429 : public SimService {
 protected:
  SimServiceRateLimit429() : SimService(strict()) {}
  static SimOptions strict() {
    SimOptions o = options();
    o.rate = {1.0, 1.0, true};
    return o;
  }
};

// The other form of the limit: HTTP 429 with return_msg alone, as observed.
TEST_F(SimServiceRateLimit429, TheBucketAnswersHttp429WhenAskedTo) {
  login();  // au10001 has its own bucket
  EXPECT_TRUE(call(kw::DepositRequest{}).ok());
  const Reply limited = send(kw::DepositRequest{});
  EXPECT_EQ(limited.answer.status, 429);
  EXPECT_EQ(limited.answer.body, R"({"return_msg":"허용된 요청 개수를 초과하였습니다"})");
  const auto parsed = limited.parse<kw::Deposit>();
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().kind, kw::ErrorKind::RateLimited);
  EXPECT_EQ(parsed.error().http_status, 429);
  wall += 1s;
  EXPECT_TRUE(call(kw::DepositRequest{}).ok());
}

TEST_F(SimService, RateLimit429FaultAnswersTheNextNWithHttp429) {
  login();
  service.arm(*parse_fault("rate_limit_429:2"));
  EXPECT_EQ(send(kw::DepositRequest{}).answer.status, 429);
  EXPECT_EQ(call(kw::BalanceRequest{}).error().kind, kw::ErrorKind::RateLimited);
  EXPECT_TRUE(call(kw::DepositRequest{}).ok());
  EXPECT_FALSE(parse_fault("rate_limit_429:0").ok());
}

// malformed_ws:2 breaks the next two REAL pushes, one of each kind; the
// third is whole again.
TEST_F(SimService, MalformedWsFaultBreaksTheNextPushes) {
  login();
  const SessionId ws = logged_in_session();
  service.on_frame(ws, kw::build_reg({false, "1", true, {{{"900010"}, {"0B"}}}}), wall);
  (void)frames_for(ws);
  service.arm(*parse_fault("malformed_ws:2"));
  std::vector<kw::WsMessage> frames;  // one REAL push per advance with trades in it
  for (const char* t : {"2026-01-05 09:31:00", "2026-01-05 09:32:00", "2026-01-05 09:33:00"}) {
    service.advance(at(t));
    for (auto& m : frames_for(ws)) frames.push_back(std::move(m));
  }
  ASSERT_EQ(frames.size(), 3u);
  const auto* cut = std::get_if<kw::WsError>(&frames[0]);
  ASSERT_NE(cut, nullptr) << "the first push should not parse";
  const auto* stripped = std::get_if<kw::Real>(&frames[1]);
  ASSERT_NE(stripped, nullptr);
  const auto missing = kw::decode_trade(stripped->entries.at(0));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("missing FID"), std::string::npos) << missing.error().message;
  const auto* whole = std::get_if<kw::Real>(&frames[2]);
  ASSERT_NE(whole, nullptr);
  EXPECT_TRUE(kw::decode_trade(whole->entries.at(0)).ok());
}

TEST_F(SimService, RegWithAnUnknownTypeIsRefusedAndRegistersNothing) {
  login();
  const SessionId ws = logged_in_session();
  service.on_frame(ws, kw::build_reg({false, "1", true, {{{"900010"}, {"0B", "ZZ"}}}}), wall);
  const auto frames = frames_for(ws);
  ASSERT_EQ(frames.size(), 1u);
  const auto& refused = std::get<kw::RegResult>(frames[0]);
  EXPECT_FALSE(refused.ack.ok());
  EXPECT_NE(refused.ack.return_msg.find("ZZ"), std::string::npos) << refused.ack.return_msg;
  service.advance(at("2026-01-05 09:35:00"));
  EXPECT_TRUE(real_entries(ws, "0B").empty());
}

TEST_F(SimService, WebSocketTradesAndBooksForRegisteredCodes) {
  login();
  const SessionId ws = logged_in_session();
  service.on_frame(ws, kw::build_reg({false, "1", true, {{{"900010"}, {"0B", "0D"}}}}), wall);
  (void)frames_for(ws);
  service.advance(at("2026-01-05 09:31:00"));
  const auto trades = real_entries(ws, "0B");
  service.advance(at("2026-01-05 09:32:00"));
  const auto books = real_entries(ws, "0D");
  ASSERT_FALSE(trades.empty());
  for (const auto& e : trades) {
    auto t = kw::decode_trade(e);
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(t->instrument.code, code("900010"));
  }
  ASSERT_FALSE(books.empty());
  auto b = kw::decode_book(books[0]);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_GT(b->asks[0].price, b->bids[0].price);

  service.on_frame(ws, kw::build_reg({true, "1", true, {{{"900010"}, {"0B", "0D"}}}}), wall);
  (void)frames_for(ws);
  service.advance(at("2026-01-05 09:33:00"));
  EXPECT_TRUE(real_entries(ws, "0B").empty());
}

TEST_F(SimService, ASessionThatDoesNotEchoPingsIsClosedWithR10002) {
  login();
  const SessionId quiet = logged_in_session();
  const SessionId polite = logged_in_session();
  for (int i = 0; i < Service::kMaxUnansweredPings; ++i) {
    service.ping_all();
    for (const auto& p : service.take_pushes()) {
      EXPECT_FALSE(p.close);
      if (p.session == polite) service.on_frame(polite, p.frame, wall);  // echoed verbatim
    }
  }
  service.ping_all();
  const auto pushes = service.take_pushes();
  ASSERT_EQ(pushes.size(), 2u);
  for (const auto& p : pushes) {
    if (p.session == quiet) {
      EXPECT_TRUE(p.close);
      EXPECT_EQ(std::get<kw::SystemNotice>(kw::parse_ws_message(p.frame)).code, "R10002");
    } else {
      EXPECT_FALSE(p.close);
      EXPECT_TRUE(std::holds_alternative<kw::Ping>(kw::parse_ws_message(p.frame)));
    }
  }
}

TEST_F(SimService, WebSocketLoginWithABadTokenIsRefusedAndClosed) {
  const SessionId ws = service.open_session();
  service.on_frame(ws, kw::build_login(Secret("nope")), wall);
  const auto pushes = service.take_pushes();
  ASSERT_EQ(pushes.size(), 1u);
  EXPECT_TRUE(pushes[0].close);
  const auto login = std::get<kw::LoginResult>(kw::parse_ws_message(pushes[0].frame));
  ASSERT_FALSE(login.ack.ok());
  ASSERT_TRUE(login.error.has_value());
  EXPECT_EQ(login.error->kind, kw::ErrorKind::TokenInvalid);
}

TEST_F(SimService, ConditionSearchListOneShotAndRealtimeHits) {
  login();
  const SessionId ws = logged_in_session();
  service.on_frame(ws, kw::build_condition_list(), wall);
  const auto list = std::get<kw::ConditionList>(frames_for(ws).at(0));
  ASSERT_EQ(list.conditions.size(), 3u);
  EXPECT_EQ(list.conditions[0].name, "volume_surge");

  service.advance(at("2026-01-05 10:30:00"));
  (void)service.take_pushes();
  kw::ConditionSearchRequest once{"1", false, kw::VenueFilter::Krx, false, ""};
  service.on_frame(ws, kw::build_condition_search(once), wall);
  const auto result = std::get<kw::ConditionSearchResult>(frames_for(ws).at(0));
  EXPECT_TRUE(result.ack.ok());
  for (const auto& row : result.rows) {
    const Stock* s = service.market().find(row.code);
    EXPECT_EQ(s->last, s->high);
  }

  kw::ConditionSearchRequest live{"1", true, kw::VenueFilter::Krx, false, ""};
  service.on_frame(ws, kw::build_condition_search(live), wall);
  EXPECT_TRUE(std::get<kw::ConditionSearchResult>(frames_for(ws).at(0)).ack.ok());
  service.advance(at("2026-01-05 11:30:00"));
  const auto all = service.take_pushes();
  std::vector<kw::RealEntry> hits;
  for (const auto& p : all) {
    if (p.session != ws) continue;
    const auto m = kw::parse_ws_message(p.frame);
    if (auto* real = std::get_if<kw::Real>(&m)) {
      for (const auto& e : real->entries) if (e.type == "02") hits.push_back(e);
    }
  }

  ASSERT_FALSE(hits.empty());  // an hour of random walks moves stocks in and out of new highs
  auto hit = kw::decode_condition_hit(hits[0]);
  ASSERT_TRUE(hit.ok()) << hit.error().message;
  EXPECT_EQ(hit->seq, "1");

  service.on_frame(ws, kw::build_condition_clear("1"), wall);
  EXPECT_TRUE(std::get<kw::ConditionClearResult>(frames_for(ws).at(0)).ack.ok());
  service.advance(at("2026-01-05 12:30:00"));
  EXPECT_TRUE(real_entries(ws, "02").empty());
}

TEST_F(SimService, FaultsRateLimitMalformedExpireDropStall) {
  login();
  service.arm(*parse_fault("rate_limit"));
  EXPECT_EQ(call(kw::DepositRequest{}).error().kind, kw::ErrorKind::RateLimited);
  EXPECT_TRUE(call(kw::DepositRequest{}).ok());
  service.arm(*parse_fault("malformed"));
  EXPECT_EQ(call(kw::DepositRequest{}).error().kind, kw::ErrorKind::Malformed);
  service.arm(*parse_fault("drop:2"));
  EXPECT_TRUE(send(kw::DepositRequest{}).answer.drop);
  EXPECT_TRUE(send(kw::DepositRequest{}).answer.drop);
  EXPECT_FALSE(send(kw::DepositRequest{}).answer.drop);
  service.arm(*parse_fault("stall:300"));
  EXPECT_EQ(send(kw::DepositRequest{}).answer.delay, 300ms);
  EXPECT_EQ(send(kw::DepositRequest{}).answer.delay, 0ms);
  service.arm(*parse_fault("expire_token"));
  EXPECT_EQ(call(kw::DepositRequest{}).error().kind, kw::ErrorKind::TokenInvalid);
}

TEST_F(SimService, FaultsOnExecutionMessages) {
  login();
  const SessionId ws = logged_in_session();
  service.on_frame(ws, kw::build_reg({false, "1", true, {{{""}, {"00"}}}}), wall);
  (void)frames_for(ws);
  kw::NewOrderRequest buy;
  buy.code = code("900030");
  buy.qty = Qty(3);
  buy.type = kw::TradeType::Market;

  service.arm(*parse_fault("exec_before_ack"));
  const Reply r = send(buy);
  EXPECT_TRUE(r.answer.pushes_first);
  EXPECT_GT(r.answer.delay, 0ms);
  const auto order_no = r.parse<kw::OrderAck>()->order_no;
  auto events = real_entries(ws, "00");
  ASSERT_EQ(events.size(), 2u);  // accepted and filled, both queued before the answer goes out
  EXPECT_EQ(kw::decode_order_event(events[1])->status, kw::OrderEventStatus::Filled);
  EXPECT_EQ(kw::decode_order_event(events[1])->order_no, order_no);

  service.arm(*parse_fault("duplicate_exec"));
  ASSERT_TRUE(call(buy).ok());
  events = real_entries(ws, "00");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], events[1]);

  service.arm(*parse_fault("reorder_exec"));
  service.arm(*parse_fault("exec_before_ack"));
  ASSERT_TRUE(call(buy).ok());
  events = real_entries(ws, "00");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(kw::decode_order_event(events[0])->status, kw::OrderEventStatus::Filled);
  EXPECT_EQ(kw::decode_order_event(events[1])->status, kw::OrderEventStatus::Accepted);
}

TEST(SimFaults, ParsesNamesAndArguments) {
  auto f = parse_fault("stall:250");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->kind, FaultKind::Stall);
  EXPECT_EQ(f->arg, 250);
  EXPECT_EQ(parse_fault("drop")->arg, 1);
  EXPECT_FALSE(parse_fault("nope").ok());
  EXPECT_FALSE(parse_fault("drop:x").ok());
  EXPECT_FALSE(parse_fault("drop:0").ok());
  EXPECT_NE(parse_fault("nope").error().message.find("unknown fault"), std::string::npos);
}

TEST(SimMarket, StaysOnTheGridInsideTheBandAndIsDeterministic) {
  MarketOptions o;
  Market a(o, at("2026-01-05 08:59:00"));
  Market b(o, at("2026-01-05 08:59:00"));
  std::vector<Print> ta, tb;
  a.advance_to(at("2026-01-05 15:31:00"), ta);
  b.advance_to(at("2026-01-05 15:31:00"), tb);
  ASSERT_EQ(ta.size(), tb.size());
  ASSERT_GT(ta.size(), 1000u);
  std::map<StockCode, Qty> cum;
  for (std::size_t i = 0; i < ta.size(); ++i) {
    EXPECT_EQ(ta[i].tick.price, tb[i].tick.price);
    const Stock* s = a.find(ta[i].tick.code);
    EXPECT_TRUE(krx::valid_limit_price(ta[i].tick.price, s->band)) << ta[i].tick.price.value();
    EXPECT_EQ(ta[i].cum_volume, cum[ta[i].tick.code] + ta[i].tick.volume);  // each print's own day total
    cum[ta[i].tick.code] = ta[i].cum_volume;
  }
  EXPECT_EQ(a.phase(), krx::SessionPhase::Closed);
  // The next day's base is today's close.
  const Price close = a.find(code("900010"))->last;
  a.advance_to(at("2026-01-06 09:00:05"), ta);
  EXPECT_EQ(a.find(code("900010"))->base, close);
}

}  // namespace
}  // namespace dalbit::sim
