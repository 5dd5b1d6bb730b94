// The client against the simulator (src/sim) over TLS on 127.0.0.1: the REST
// api-ids, the token lifecycle, continuation, the WebSocket streams, condition
// search, and the faults the simulator injects.
#include <condition_variable>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kiwoom/http_transport.h"
#include "kiwoom/io_thread.h"
#include "kiwoom/rest_client.h"
#include "kiwoom/ws_client.h"
#include "net/tls.h"
#include "sim/server.h"

namespace dalbit::kiwoom {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

template <class T>
T wait_for(std::future<T> f, std::chrono::seconds limit = 10s) {
  if (f.wait_for(limit) != std::future_status::ready) throw std::runtime_error("no completion in time");
  return f.get();
}

// Something the handlers saw, waited for from the test thread.
class Inbox {
 public:
  void push(std::string what) {
    std::lock_guard lock(m_);
    seen_.push_back(std::move(what));
    cv_.notify_all();
  }
  bool wait_for_count(const std::string& prefix, std::size_t n, std::chrono::milliseconds limit = 10s) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, limit, [&] { return count_locked(prefix) >= n; });
  }
  std::size_t count(const std::string& prefix) {
    std::lock_guard lock(m_);
    return count_locked(prefix);
  }
  std::vector<std::string> all() {
    std::lock_guard lock(m_);
    return seen_;
  }

 private:
  std::size_t count_locked(const std::string& prefix) const {
    std::size_t n = 0;
    for (const auto& s : seen_) n += s.rfind(prefix, 0) == 0;
    return n;
  }
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<std::string> seen_;
};

struct SimSetup {
  double speed = 20.0;  // simulated seconds per real second
  std::chrono::milliseconds ping_every{10'000};
  Duration request_timeout = 3s;
  bool order_connection = false;  // a second transport for orders and tokens
};

// A frozen market (no trades) with the given PING interval.
SimSetup quiet(std::chrono::milliseconds ping_every) {
  SimSetup s;
  s.speed = 0.0;
  s.ping_every = ping_every;
  return s;
}

class SimClient : public ::testing::Test {
 protected:
  void start(SimSetup setup = {}) {
    sim::SimOptions sim;
    sim.start = from_kst(KstDate{2026, 3, 10}, TimeOfDay::hm(10, 0));
    sim.rate = {200.0, 50.0};
    sim::ServerOptions so;
    so.speed = setup.speed;
    so.ping_every = setup.ping_every;
    so.market_step = 20ms;
    auto server = sim::Server::start(sim, so);
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(*server);
    dir_ = std::filesystem::temp_directory_path() / ("dalbit-kclient-sim-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    ca_ = (dir_ / "sim.pem").string();
    ASSERT_TRUE(net::write_file(ca_, server_->certificate_pem(), 0644).ok());
    io_ = std::make_unique<IoThread>();
    HttpsConfig hc;
    hc.host = "127.0.0.1";
    hc.port = server_->port();
    hc.ca_file = ca_;
    hc.request_timeout = setup.request_timeout;
    auto t = make_https_transport(*io_, hc);
    ASSERT_TRUE(t.ok()) << t.error().message;
    https_ = *t;
    if (setup.order_connection) {
      auto o = make_https_transport(*io_, hc);
      ASSERT_TRUE(o.ok()) << o.error().message;
      orders_https_ = *o;
    }
    RestClientConfig rc;
    rc.app_key = Secret(sim.app_key);
    rc.secret_key = Secret(sim.secret_key);
    rc.limits.per_api = {100.0, 10};
    rc.limits.queries = {100.0, 10};
    rc.limits.orders = {100.0, 10};
    rc.limits.tokens = {100.0, 10};
    rc.limits.backoff = {10ms, 2.0, 0.0, 100ms};
    rest_ = std::make_unique<KiwoomRestClient>(*io_, https_, orders_https_, rc, clock_);
  }

  void TearDown() override {
    ws_.reset();
    rest_.reset();
    https_.reset();
    orders_https_.reset();
    io_.reset();
    if (server_) server_->stop();
    std::filesystem::remove_all(dir_);
  }

  template <class Request>
  ApiResult<typename Request::Response> call(const Request& r) {
    std::promise<ApiResult<typename Request::Response>> p;
    rest_->call(r, [&p](auto result) { p.set_value(std::move(result)); });
    return wait_for(p.get_future());
  }

  void fault(const std::string& json) {
    server_->with_service([&](sim::Service& s) { (void)s.handle_admin("/admin/fault", json); });
  }

  StockCode first_code() {
    StockCode code;
    server_->with_service([&](sim::Service& s) { code = s.market().stocks().front().code; });
    return code;
  }

  void start_ws(WsClientConfig wc = {}) {
    wc.host = "127.0.0.1";
    wc.port = server_->port();
    wc.ca_file = ca_;
    wc.backoff = {50ms, 1.6, 0.2, 500ms};
    WsHandlers h;
    h.on_real = [this](const RealEvent& ev) {
      if (std::holds_alternative<TradeEvent>(ev)) inbox_.push("trade");
      if (const auto* o = std::get_if<OrderEvent>(&ev)) {
        inbox_.push("order");
        if (o->exec_no) inbox_.push("exec " + *o->exec_no);
      }
      if (std::holds_alternative<BalanceEvent>(ev)) inbox_.push("balance");
      if (std::holds_alternative<BookEvent>(ev)) inbox_.push("book");
      if (std::holds_alternative<ConditionHit>(ev)) inbox_.push("hit");
    };
    h.on_condition_list = [this](const ConditionList& l) {
      for (const auto& c : l.conditions) inbox_.push("condition " + c.seq + " " + c.name);
    };
    h.on_condition_search = [this](const ConditionSearchResult& r) {
      inbox_.push("search " + r.seq + (r.ack.ok() ? " ok" : " refused"));
    };
    h.on_gap = [this](const WsGap& g) {
      inbox_.push(g.from <= g.to ? "gap" : "gap backwards");
    };
    h.on_connection = [this](bool up) { inbox_.push(up ? "up" : "down"); };
    h.on_fatal = [this](const Error& e) { inbox_.push("fatal " + e.message); };
    h.on_subscription_error = [this](const std::string& group, const std::string& message) {
      inbox_.push("refused " + group + ": " + message);
    };
    ws_ = std::make_unique<KiwoomWsClient>(*io_, wc, rest_token_source(*rest_), h, clock_);
    ws_->start();
  }

  WallClock clock_;
  std::unique_ptr<sim::Server> server_;
  std::filesystem::path dir_;
  std::string ca_;
  std::unique_ptr<IoThread> io_;
  std::shared_ptr<HttpsTransport> https_;
  std::shared_ptr<HttpsTransport> orders_https_;  // null: one connection
  std::unique_ptr<KiwoomRestClient> rest_;
  std::unique_ptr<KiwoomWsClient> ws_;
  Inbox inbox_;
};

TEST_F(SimClient, AccountAndMarketQueries) {
  start();
  auto deposit = call(DepositRequest{});
  ASSERT_TRUE(deposit.ok()) << deposit.error().describe();
  EXPECT_EQ(deposit->cash, Krw(100'000'000));
  auto balance = call(BalanceRequest{});
  ASSERT_TRUE(balance.ok()) << balance.error().describe();
  EXPECT_THAT(balance->holdings, IsEmpty());
  const StockCode code = first_code();
  auto info = call(StockInfoRequest{Instrument{code, Venue::Krx}});
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_GT(info->upper_limit, info->lower_limit);
  auto book = call(OrderBookRequest{Instrument{code, Venue::Krx}});
  ASSERT_TRUE(book.ok()) << book.error().describe();
  auto open = call(OpenOrdersRequest{});
  ASSERT_TRUE(open.ok()) << open.error().describe();
  auto list = call(StockListRequest{});
  ASSERT_TRUE(list.ok()) << list.error().describe();
  auto volume = call(VolumeTopRequest{});
  ASSERT_TRUE(volume.ok()) << volume.error().describe();
  EXPECT_EQ(https_->stats().connects, 1u);  // one keep-alive connection for all of it
}

TEST_F(SimClient, DailyChartFollowsContinuationToTheEnd) {
  start();
  DailyChartRequest r;
  r.instrument = Instrument{first_code(), Venue::Krx};
  r.base_date = KstDate{2026, 3, 10};
  std::promise<ApiResult<std::vector<DailyChart>>> p;
  rest_->call_pages(r, 0, [&](auto result) { p.set_value(std::move(result)); });
  auto pages = wait_for(p.get_future());
  ASSERT_TRUE(pages.ok()) << pages.error().describe();
  std::size_t bars = 0;
  for (const auto& page : *pages) bars += page.bars.size();
  EXPECT_GE(bars, 120u);  // 120 days of history, more than one page
  EXPECT_GE(pages->size(), 2u);
}

TEST_F(SimClient, BuyOrderIsAcknowledgedAndStreamedOverTheWebSocket) {
  start();
  start_ws();
  ws_->subscribe("1", {""}, {"00", "04"});
  ASSERT_TRUE(inbox_.wait_for_count("up", 1));
  const StockCode code = first_code();
  auto info = call(StockInfoRequest{Instrument{code, Venue::Krx}});
  ASSERT_TRUE(info.ok());
  NewOrderRequest order;
  order.code = code;
  order.qty = Qty(1);
  order.type = TradeType::Market;
  auto ack = call(order);
  ASSERT_TRUE(ack.ok()) << ack.error().describe();
  EXPECT_FALSE(ack->order_no.empty());
  EXPECT_TRUE(inbox_.wait_for_count("order", 1));
}

// Duplicate executions are data: the client hands both to the broker layer,
// which de-duplicates by exec_no.
TEST_F(SimClient, DuplicatedExecutionMessagesArePassedOnNotDropped) {
  start();
  start_ws();
  ws_->subscribe("1", {""}, {"00"});
  ASSERT_TRUE(inbox_.wait_for_count("up", 1));
  fault(R"({"fault":"duplicate_exec","arg":10})");
  NewOrderRequest order;
  order.code = first_code();
  order.qty = Qty(1);
  order.type = TradeType::Market;
  ASSERT_TRUE(call(order).ok());
  ASSERT_TRUE(inbox_.wait_for_count("exec ", 2));
  std::map<std::string, int> seen;
  for (const auto& s : inbox_.all())
    if (s.rfind("exec ", 0) == 0) ++seen[s];
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.begin()->second, 2) << "the duplicate was not passed on";
  EXPECT_EQ(ws_->stats().bad_frames, 0u);
}

TEST_F(SimClient, TradesStreamAndResumeAfterADroppedSessionWithAGapReport) {
  start();
  start_ws();
  std::vector<std::string> codes;
  server_->with_service([&](sim::Service& s) {
    for (const auto& st : s.market().stocks()) codes.push_back(std::string(st.code.view()));
  });
  ws_->subscribe("1", codes, {"0B"});
  ASSERT_TRUE(inbox_.wait_for_count("trade", 5)) << "no trades before the drop";
  fault(R"({"fault":"drop_ws"})");
  ASSERT_TRUE(inbox_.wait_for_count("down", 1));
  ASSERT_TRUE(inbox_.wait_for_count("gap", 1));
  EXPECT_EQ(inbox_.count("gap backwards"), 0u);
  const auto before = inbox_.count("trade");
  EXPECT_TRUE(inbox_.wait_for_count("trade", before + 5)) << "subscriptions were not restored";
  const auto stats = ws_->stats();
  EXPECT_EQ(stats.sessions, 2u);
  EXPECT_GE(stats.reconnects, 1u);
}

// Broken pushes (cut JSON, a REAL without its FIDs) are counted and skipped;
// the session stays up and the next good frame is delivered.
TEST_F(SimClient, MalformedPushesAreCountedAndTheFeedGoesOn) {
  start();
  start_ws();
  ws_->subscribe("1", {std::string(first_code().view())}, {"0B"});
  ASSERT_TRUE(inbox_.wait_for_count("trade", 2));
  fault(R"({"fault":"malformed_ws","arg":2})");
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (ws_->stats().bad_frames < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(ws_->stats().bad_frames, 2u);
  const auto before = inbox_.count("trade");
  EXPECT_TRUE(inbox_.wait_for_count("trade", before + 1)) << "no good frame after the broken ones";
  const auto stats = ws_->stats();
  EXPECT_EQ(stats.bad_frames, 2u);
  EXPECT_EQ(stats.sessions, 1u);
  EXPECT_EQ(stats.reconnects, 0u);
}

// The REG ack names no group: the client matches it to what it sent, so the
// refusal is reported for the right group and the other one still streams.
TEST_F(SimClient, RefusedRegistrationIsReportedWithItsGroup) {
  start();
  start_ws();
  const std::string code(first_code().view());
  ws_->subscribe("1", {code}, {"0B"});
  ASSERT_TRUE(inbox_.wait_for_count("up", 1));
  ws_->subscribe("7", {code}, {"ZZ"});
  ws_->subscribe("2", {""}, {"00"});
  ASSERT_TRUE(inbox_.wait_for_count("refused ", 1));
  const auto all = inbox_.all();
  const auto refused =
      std::find_if(all.begin(), all.end(), [](const std::string& s) { return s.rfind("refused ", 0) == 0; });
  EXPECT_THAT(*refused, HasSubstr("refused 7: REG refused: 1"));
  EXPECT_THAT(*refused, HasSubstr("ZZ"));
  EXPECT_TRUE(inbox_.wait_for_count("trade", 1));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(inbox_.count("refused "), 1u);
  EXPECT_EQ(ws_->stats().bad_frames, 0u);
}

TEST_F(SimClient, SilentFeedHitsTheIdleTimeoutAndReconnects) {
  start(quiet(60'000ms));  // frozen market, no pings: nothing arrives
  WsClientConfig wc;
  wc.idle_timeout = 300ms;
  start_ws(wc);
  ASSERT_TRUE(inbox_.wait_for_count("up", 1));
  EXPECT_TRUE(inbox_.wait_for_count("up", 2, 5000ms));
  EXPECT_GE(ws_->stats().idle_timeouts, 1u);
}

TEST_F(SimClient, PingsAreEchoedAndKeepAQuietSessionAlive) {
  start(quiet(100ms));
  WsClientConfig wc;
  wc.idle_timeout = 600ms;
  start_ws(wc);
  ASSERT_TRUE(inbox_.wait_for_count("up", 1));
  std::this_thread::sleep_for(1500ms);
  const auto stats = ws_->stats();
  EXPECT_GE(stats.pings, 5u);
  EXPECT_EQ(stats.idle_timeouts, 0u);
  EXPECT_EQ(stats.sessions, 1u);
}

TEST_F(SimClient, ConditionListAndSearch) {
  start();
  start_ws();
  ws_->list_conditions();
  ASSERT_TRUE(inbox_.wait_for_count("condition ", 3));
  ConditionSearchRequest search;
  search.seq = "1";
  search.realtime = true;
  ws_->search_condition(search);
  EXPECT_TRUE(inbox_.wait_for_count("search 1 ok", 1));
  ws_->clear_condition("1");
}

TEST_F(SimClient, ExpiredTokenIsReissuedAndTheCallRetried) {
  start();
  ASSERT_TRUE(call(DepositRequest{}).ok());
  fault(R"({"fault":"expire_token"})");
  auto r = call(DepositRequest{});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto stats = rest_->stats();
  EXPECT_EQ(stats.tokens_issued, 2u);
  EXPECT_EQ(stats.token_retries, 1u);
}

TEST_F(SimClient, RateLimitAnswersAreRetried) {
  start();
  ASSERT_TRUE(call(DepositRequest{}).ok());
  fault(R"({"fault":"rate_limit","arg":2})");
  auto r = call(DepositRequest{});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(rest_->stats().pacing.rate_limited, 2u);
}

// HTTP 429 (the other form of the limit): backed off, sent again, counted.
TEST_F(SimClient, Http429AnswersAreRetriedAndTheWaitsCounted) {
  start();
  ASSERT_TRUE(call(DepositRequest{}).ok());
  const auto before = rest_->stats().pacing;
  fault(R"({"fault":"rate_limit_429","arg":3})");
  const auto started = std::chrono::steady_clock::now();
  auto r = call(DepositRequest{});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  // Back-offs of 10, 20 and 40 ms (the fixture's) between the four sends.
  EXPECT_GE(std::chrono::steady_clock::now() - started, 70ms);
  const auto after = rest_->stats().pacing;
  EXPECT_EQ(after.rate_limited - before.rate_limited, 3u);
  EXPECT_EQ(after.sent - before.sent, 4u);
  EXPECT_GE(after.waited - before.waited, 3u);  // each re-send waited out its back-off
  EXPECT_GE(after.total_wait - before.total_wait, 70ms);
}

TEST_F(SimClient, MalformedAnswerIsAnErrorAndTheNextCallWorks) {
  start();
  ASSERT_TRUE(call(DepositRequest{}).ok());
  fault(R"({"fault":"malformed"})");
  auto bad = call(DepositRequest{});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::Malformed);
  EXPECT_TRUE(call(DepositRequest{}).ok());
}

TEST_F(SimClient, DroppedConnectionResendsAQuery) {
  start();
  ASSERT_TRUE(call(DepositRequest{}).ok());
  fault(R"({"fault":"drop"})");
  auto r = call(DepositRequest{});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(https_->stats().resent, 1u);
}

TEST_F(SimClient, DroppedConnectionFailsAnOrderInsteadOfSendingItTwice) {
  start();
  ASSERT_TRUE(call(DepositRequest{}).ok());
  fault(R"({"fault":"drop"})");
  NewOrderRequest order;
  order.code = first_code();
  order.qty = Qty(1);
  order.type = TradeType::Market;
  auto r = call(order);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Network);
  EXPECT_THAT(r.error().message, HasSubstr("may have been sent"));
}

TEST_F(SimClient, StalledAnswerTimesOut) {
  SimSetup setup;
  setup.request_timeout = 300ms;
  start(setup);
  ASSERT_TRUE(call(DepositRequest{}).ok());
  fault(R"({"fault":"stall","arg":1500})");
  auto r = call(DepositRequest{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Network);
  EXPECT_THAT(r.error().message, HasSubstr("timed out"));
}

// The order connection: a query stalled on the wire (the simulator holds its
// answer 2 s) does not hold up an order sent while it waits.
TEST_F(SimClient, AnOrderOvertakesAQueryStalledOnTheWire) {
  SimSetup setup;
  setup.order_connection = true;
  start(setup);
  ASSERT_TRUE(call(DepositRequest{}).ok());  // the token, and both sides warmed up
  NewOrderRequest order;
  order.code = first_code();
  order.qty = Qty(1);
  order.type = TradeType::Market;
  ASSERT_TRUE(call(order).ok());
  fault(R"({"fault":"stall","arg":2000})");

  const auto started = std::chrono::steady_clock::now();
  std::promise<std::chrono::steady_clock::time_point> query_done;
  rest_->call(DepositRequest{}, [&](ApiResult<Deposit> r) {
    EXPECT_TRUE(r.ok()) << r.error().describe();
    query_done.set_value(std::chrono::steady_clock::now());
  });
  auto query_future = query_done.get_future();
  // The query reaches the simulator first and takes the stall.
  std::this_thread::sleep_for(200ms);
  ASSERT_EQ(query_future.wait_for(0s), std::future_status::timeout);
  const auto order_sent = std::chrono::steady_clock::now();
  auto ack = call(order);
  const auto order_done = std::chrono::steady_clock::now();
  ASSERT_TRUE(ack.ok()) << ack.error().describe();
  EXPECT_LT(order_done - order_sent, 1s);
  const auto query_end = wait_for(std::move(query_future));
  EXPECT_GE(query_end - started, 2s);
  EXPECT_LT(order_done, query_end);
  EXPECT_EQ(https_->stats().connects, 1u);
  EXPECT_EQ(orders_https_->stats().connects, 1u);
  EXPECT_EQ(orders_https_->stats().requests, 3u);  // au10001 and the two orders
}

// With one connection the order waits behind the stalled query: the case the
// order connection exists for.
TEST_F(SimClient, WithOneConnectionAnOrderWaitsBehindAStalledQuery) {
  start();
  ASSERT_TRUE(call(DepositRequest{}).ok());
  fault(R"({"fault":"stall","arg":1000})");
  std::promise<void> query_done;
  rest_->call(DepositRequest{}, [&](ApiResult<Deposit>) { query_done.set_value(); });
  std::this_thread::sleep_for(100ms);
  NewOrderRequest order;
  order.code = first_code();
  order.qty = Qty(1);
  order.type = TradeType::Market;
  const auto order_sent = std::chrono::steady_clock::now();
  ASSERT_TRUE(call(order).ok());
  EXPECT_GE(std::chrono::steady_clock::now() - order_sent, 800ms);
  wait_for(query_done.get_future());
}

}  // namespace
}  // namespace dalbit::kiwoom
