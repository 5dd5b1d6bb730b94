#include "kiwoom/rest_client.h"

#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kiwoom/http_transport.h"
#include "kiwoom/io_thread.h"
#include "log/log.h"
#include "test_https_server.h"

namespace dalbit::kiwoom {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

std::string status_name(const ::testing::TestParamInfo<HttpResponse>& info) {
  return "Http" + std::to_string(info.param.status) + "_" + std::to_string(info.index);
}

constexpr const char* kAppKey = "APPKEY-test-7f3a";
constexpr const char* kSecretKey = "SECRET-test-91bc";

// Scripted answers on the IoThread, each request recorded.
class FakeTransport final : public HttpTransport {
 public:
  using Script = std::function<Result<HttpResponse>(const HttpRequest&)>;
  FakeTransport(IoThread& io, Script script) : io_(io), script_(std::move(script)) {}

  void send(HttpRequest request, HttpCallback done) override {
    EXPECT_TRUE(io_.on_this_thread());
    EXPECT_FALSE(busy_) << "two requests in flight";
    busy_ = true;
    auto answer = script_(request);
    {
      std::lock_guard lock(mutex_);
      sent_.push_back(std::move(request));
    }
    io_.post([this, done = std::move(done), answer = std::move(answer)]() mutable {
      busy_ = false;
      done(std::move(answer));
    });
  }
  void close() override {}

  std::vector<HttpRequest> sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }
  std::vector<std::string> api_ids() const {
    std::vector<std::string> out;
    for (const auto& r : sent()) out.push_back(header(r, "api-id"));
    return out;
  }
  static std::string header(const HttpRequest& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

 private:
  IoThread& io_;
  Script script_;
  bool busy_ = false;
  mutable std::mutex mutex_;
  std::vector<HttpRequest> sent_;
};

HttpResponse ok(std::string body, std::string cont_yn = "", std::string next_key = "") {
  return HttpResponse{200, std::move(body), std::move(cont_yn), std::move(next_key)};
}

std::string token_body(const std::string& token, const Clock& clock, Duration life = 24h) {
  return build_response(IssuedToken{Secret(token), "bearer", clock.now() + life});
}

std::string deposit_body() {
  Deposit d;
  d.cash = Krw(1000000);
  d.d2_cash = Krw(900000);
  d.orderable = Krw(800000);
  return build_response(d);
}

RestClientConfig fast_config() {
  RestClientConfig c;
  c.app_key = Secret(kAppKey);
  c.secret_key = Secret(kSecretKey);
  c.limits.per_api = {1000.0, 100};
  c.limits.queries = {1000.0, 100};
  c.limits.orders = {1000.0, 100};
  c.limits.tokens = {1000.0, 100};
  c.limits.backoff = {std::chrono::milliseconds(5), 2.0, 0.0, std::chrono::milliseconds(40)};
  return c;
}

template <class T>
T wait_for(std::future<T> f) {
  if (f.wait_for(10s) != std::future_status::ready) throw std::runtime_error("no completion within 10 s");
  return f.get();
}

ApiResult<Deposit> deposit(KiwoomRestClient& client) {
  std::promise<ApiResult<Deposit>> p;
  client.call(DepositRequest{}, [&p](ApiResult<Deposit> r) { p.set_value(std::move(r)); });
  return wait_for(p.get_future());
}

// A Kiwoom-like script: au10001 gives "tok-<n>", kt00001 answers with `query`.
struct Broker {
  WallClock clock;
  Duration token_life = 24h;
  std::atomic<int> issued{0};
  std::function<Result<HttpResponse>(const HttpRequest&)> query;
  FakeTransport::Script script() {
    return [this](const HttpRequest& r) -> Result<HttpResponse> {
      const auto api = FakeTransport::header(r, "api-id");
      if (api == "au10001") return ok(token_body("tok-" + std::to_string(++issued), clock, token_life));
      if (api == "au10002") return ok(build_response(Revoked{}));
      return query(r);
    };
  }
};

TEST(KiwoomRestClient, IssuesOneTokenForManyCallsAndSendsItAsBearer) {
  Broker broker;
  broker.query = [](const HttpRequest&) -> Result<HttpResponse> { return ok(deposit_body()); };
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  KiwoomRestClient client(io, fake, fast_config(), broker.clock);
  std::vector<std::future<ApiResult<Deposit>>> futures;
  std::vector<std::promise<ApiResult<Deposit>>> promises(3);
  for (auto& p : promises) {
    futures.push_back(p.get_future());
    client.call(DepositRequest{}, [&p](ApiResult<Deposit> r) { p.set_value(std::move(r)); });
  }
  for (auto& f : futures) {
    auto r = wait_for(std::move(f));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->orderable, Krw(800000));
  }
  EXPECT_THAT(fake->api_ids(), ElementsAre("au10001", "kt00001", "kt00001", "kt00001"));
  const auto sent = fake->sent();
  EXPECT_EQ(FakeTransport::header(sent[0], "authorization"), "");
  EXPECT_THAT(sent[0].body, HasSubstr(kAppKey));
  EXPECT_EQ(sent[0].target, "/oauth2/token");
  EXPECT_EQ(FakeTransport::header(sent[1], "authorization"), "Bearer tok-1");
  EXPECT_EQ(sent[1].target, "/api/dostk/acnt");
  EXPECT_EQ(client.stats().tokens_issued, 1u);
}

// With an order transport: au10001 and the orders go there, queries on the
// other; both carry the one token.
TEST(KiwoomRestClient, OrdersAndTokenCallsUseTheOrderTransport) {
  Broker broker;
  broker.query = [](const HttpRequest& r) -> Result<HttpResponse> {
    if (FakeTransport::header(r, "api-id") == "kt10000") return ok(build_response(OrderAck{"0000007", Venue::Krx}));
    return ok(deposit_body());
  };
  IoThread io;
  auto queries = std::make_shared<FakeTransport>(io, broker.script());
  auto orders = std::make_shared<FakeTransport>(io, broker.script());
  KiwoomRestClient client(io, queries, orders, fast_config(), broker.clock);
  NewOrderRequest buy;
  buy.code = *StockCode::parse("005930");
  buy.qty = Qty(1);
  buy.type = TradeType::Market;
  std::promise<ApiResult<OrderAck>> ack;
  client.call(buy, [&ack](ApiResult<OrderAck> r) { ack.set_value(std::move(r)); });
  ASSERT_TRUE(deposit(client).ok());
  auto placed = wait_for(ack.get_future());
  ASSERT_TRUE(placed.ok()) << placed.error().describe();
  EXPECT_EQ(placed->order_no, "0000007");
  EXPECT_THAT(orders->api_ids(), ElementsAre("au10001", "kt10000"));
  EXPECT_THAT(queries->api_ids(), ElementsAre("kt00001"));
  EXPECT_EQ(FakeTransport::header(queries->sent()[0], "authorization"), "Bearer tok-1");
  std::promise<Status> revoked;
  client.revoke([&revoked](Status st) { revoked.set_value(st); });
  EXPECT_TRUE(wait_for(revoked.get_future()).ok());
  EXPECT_THAT(orders->api_ids(), ElementsAre("au10001", "kt10000", "au10002"));
}

// expires_dt is whole seconds, so a 3 s token is refreshed at about half its life.
TEST(KiwoomRestClient, RefreshesTheTokenBeforeItExpires) {
  Broker broker;
  broker.token_life = 3s;
  broker.query = [](const HttpRequest&) -> Result<HttpResponse> { return ok(deposit_body()); };
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  KiwoomRestClient client(io, fake, fast_config(), broker.clock);
  ASSERT_TRUE(deposit(client).ok());
  ASSERT_TRUE(deposit(client).ok());
  std::this_thread::sleep_for(2500ms);
  ASSERT_TRUE(deposit(client).ok());
  EXPECT_THAT(fake->api_ids(), ElementsAre("au10001", "kt00001", "kt00001", "au10001", "kt00001"));
  EXPECT_EQ(FakeTransport::header(fake->sent()[4], "authorization"), "Bearer tok-2");
}

// Both spellings of "your token is no good": HTTP 401, and HTTP 200 with
// return_code 3 and [8005:...].
class TokenRejection : public ::testing::TestWithParam<HttpResponse> {};

TEST_P(TokenRejection, ReissuesAndRetriesOnce) {
  Broker broker;
  std::atomic<int> calls{0};
  broker.query = [&](const HttpRequest&) -> Result<HttpResponse> {
    if (++calls == 1) return GetParam();
    return ok(deposit_body());
  };
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  KiwoomRestClient client(io, fake, fast_config(), broker.clock);
  auto r = deposit(client);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_THAT(fake->api_ids(), ElementsAre("au10001", "kt00001", "au10001", "kt00001"));
  EXPECT_EQ(FakeTransport::header(fake->sent()[3], "authorization"), "Bearer tok-2");
  EXPECT_EQ(client.stats().token_retries, 1u);
}

INSTANTIATE_TEST_SUITE_P(
    BothForms, TokenRejection,
    ::testing::Values(HttpResponse{401, error_body(8005, "Token이 유효하지 않습니다"), "", ""},
                      HttpResponse{200, error_body(3, "인증에 실패했습니다[8005:Token이 유효하지 않습니다]"), "", ""}),
    status_name);

TEST(KiwoomRestClient, SecondTokenRejectionFails) {
  Broker broker;
  broker.query = [](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{401, error_body(8005, "Token이 유효하지 않습니다"), "", ""};
  };
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  KiwoomRestClient client(io, fake, fast_config(), broker.clock);
  auto r = deposit(client);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::TokenInvalid);
  EXPECT_EQ(fake->api_ids().size(), 4u);
}

TEST(KiwoomRestClient, TokenIssueFailureFailsTheWaitingCall) {
  WallClock clock;
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, [](const HttpRequest&) -> Result<HttpResponse> {
    return ok(error_body(8001, "App Key와 Secret Key 검증에 실패했습니다"));
  });
  KiwoomRestClient client(io, fake, fast_config(), clock);
  auto r = deposit(client);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Rejected);
  EXPECT_EQ(r.error().api_id, "kt00001");
  EXPECT_THAT(r.error().message, HasSubstr("no token"));
  EXPECT_THAT(fake->api_ids(), ElementsAre("au10001"));
}

class RateLimitAnswer : public ::testing::TestWithParam<HttpResponse> {};

TEST_P(RateLimitAnswer, BacksOffAndSendsAgain) {
  Broker broker;
  std::atomic<int> calls{0};
  broker.query = [&](const HttpRequest&) -> Result<HttpResponse> {
    if (++calls <= 2) return GetParam();
    return ok(deposit_body());
  };
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  KiwoomRestClient client(io, fake, fast_config(), broker.clock);
  auto r = deposit(client);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(calls.load(), 3);
  const auto stats = client.stats();
  EXPECT_EQ(stats.pacing.rate_limited, 2u);
  EXPECT_GE(stats.pacing.waited, 1u);
}

INSTANTIATE_TEST_SUITE_P(
    EveryForm, RateLimitAnswer,
    ::testing::Values(HttpResponse{429, "", "", ""},
                      HttpResponse{200, error_body(1700, "허용된 요청 개수를 초과하였습니다. API ID=kt00001"), "", ""},
                      HttpResponse{200, error_body(5, "허용된 요청 개수를 초과하였습니다[1700:...]"), "", ""}),
    status_name);

TEST(KiwoomRestClient, EndlessRateLimitFailsLoudlyAfterTheRetryCap) {
  Broker broker;
  broker.query = [](const HttpRequest&) -> Result<HttpResponse> { return HttpResponse{429, "", "", ""}; };
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  auto config = fast_config();
  config.max_rate_limit_retries = 3;
  KiwoomRestClient client(io, fake, config, broker.clock);
  auto r = deposit(client);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::RateLimited);
  EXPECT_EQ(fake->api_ids().size(), 1u + 4u);
}

TEST(KiwoomRestClient, FollowsContinuationToTheLastPage) {
  Broker broker;
  std::atomic<int> page{0};
  broker.query = [&](const HttpRequest&) -> Result<HttpResponse> {
    switch (++page) {
      case 1: return ok(build_response(OpenOrders{}), "Y", "k-1");
      case 2: return ok(build_response(OpenOrders{}), "Y", "k-2");
      default: return ok(build_response(OpenOrders{}), "N", "");
    }
  };
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  KiwoomRestClient client(io, fake, fast_config(), broker.clock);
  std::promise<ApiResult<std::vector<OpenOrders>>> p;
  client.call_pages(OpenOrdersRequest{}, 0, [&](auto r) { p.set_value(std::move(r)); });
  auto r = wait_for(p.get_future());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->size(), 3u);
  const auto sent = fake->sent();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(FakeTransport::header(sent[1], "cont-yn"), "");
  EXPECT_EQ(FakeTransport::header(sent[2], "cont-yn"), "Y");
  EXPECT_EQ(FakeTransport::header(sent[2], "next-key"), "k-1");
  EXPECT_EQ(FakeTransport::header(sent[3], "next-key"), "k-2");
}

TEST(KiwoomRestClient, PageCapStopsFollowing) {
  Broker broker;
  broker.query = [](const HttpRequest&) -> Result<HttpResponse> {
    return ok(build_response(OpenOrders{}), "Y", "again");
  };
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  KiwoomRestClient client(io, fake, fast_config(), broker.clock);
  std::promise<ApiResult<std::vector<OpenOrders>>> p;
  client.call_pages(OpenOrdersRequest{}, 2, [&](auto r) { p.set_value(std::move(r)); });
  auto r = wait_for(p.get_future());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 2u);
}

NewOrderRequest buy_one() {
  NewOrderRequest o;
  o.code = *StockCode::parse("005930");
  o.qty = Qty(1);
  o.price = Price(70000);
  return o;
}

// A backfill of queries on one slow api-id, then a stop-loss order: the
// order goes before the queries still waiting.
TEST(KiwoomRestClient, OrdersGoAheadOfQueuedQueries) {
  Broker broker;
  broker.query = [](const HttpRequest& r) -> Result<HttpResponse> {
    if (FakeTransport::header(r, "api-id") == "kt10000") return ok(build_response(OrderAck{"0000001", {}}));
    return ok(deposit_body());
  };
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  auto config = fast_config();
  config.limits.overrides["kt00001"] = {20.0, 1};  // one query every 50 ms
  KiwoomRestClient client(io, fake, config, broker.clock);
  std::vector<std::promise<ApiResult<Deposit>>> queries(6);
  for (auto& q : queries) client.call(DepositRequest{}, [&q](ApiResult<Deposit> r) { q.set_value(std::move(r)); });
  std::promise<ApiResult<OrderAck>> order;
  client.call(buy_one(), [&](ApiResult<OrderAck> r) { order.set_value(std::move(r)); });
  auto ack = wait_for(order.get_future());
  ASSERT_TRUE(ack.ok()) << ack.error().describe();
  EXPECT_EQ(ack->order_no, "0000001");
  for (auto& q : queries) EXPECT_TRUE(wait_for(q.get_future()).ok());
  const auto ids = fake->api_ids();
  const auto at = std::find(ids.begin(), ids.end(), "kt10000") - ids.begin();
  EXPECT_LE(at, 3) << "the order waited behind the backfill";
  EXPECT_EQ(ids.size(), 8u);
}

TEST(KiwoomRestClient, NetworkFailureOfAnOrderIsReportedAndNeverResent) {
  Broker broker;
  broker.query = [](const HttpRequest& r) -> Result<HttpResponse> {
    EXPECT_FALSE(r.idempotent);
    return Error{"https 127.0.0.1:1: read timed out"};
  };
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  KiwoomRestClient client(io, fake, fast_config(), broker.clock);
  std::promise<ApiResult<OrderAck>> order;
  client.call(buy_one(), [&](ApiResult<OrderAck> r) { order.set_value(std::move(r)); });
  auto r = wait_for(order.get_future());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Network);
  EXPECT_THAT(r.error().describe(), HasSubstr("timed out"));
  EXPECT_THAT(fake->api_ids(), ElementsAre("au10001", "kt10000"));
  EXPECT_EQ(client.stats().network_errors, 1u);
}

TEST(KiwoomRestClient, RejectedOrderCarriesTheBrokersMessage) {
  Broker broker;
  broker.query = [](const HttpRequest&) -> Result<HttpResponse> {
    return ok(error_body(20, "[2000](RC4027:상한가 초과)"));
  };
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  KiwoomRestClient client(io, fake, fast_config(), broker.clock);
  std::promise<ApiResult<OrderAck>> order;
  client.call(buy_one(), [&](ApiResult<OrderAck> r) { order.set_value(std::move(r)); });
  auto r = wait_for(order.get_future());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Rejected);
  EXPECT_EQ(r.error().code, "2000");
  EXPECT_THAT(r.error().message, HasSubstr("RC4027"));
}

TEST(KiwoomRestClient, CompletionsRunThroughDeliver) {
  Broker broker;
  broker.query = [](const HttpRequest&) -> Result<HttpResponse> { return ok(deposit_body()); };
  IoThread io;
  IoThread engine;  // stands in for the engine thread
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  std::atomic<int> delivered{0};
  KiwoomRestClient client(io, fake, fast_config(), broker.clock, [&](std::function<void()> fn) {
    ++delivered;
    engine.post(std::move(fn));
  });
  std::promise<bool> on_engine;
  client.call(DepositRequest{}, [&](ApiResult<Deposit> r) { on_engine.set_value(r.ok() && engine.on_this_thread()); });
  EXPECT_TRUE(wait_for(on_engine.get_future()));
  EXPECT_EQ(delivered.load(), 1);
}

TEST(KiwoomRestClient, RevokeSendsTheTokenAndForgetsIt) {
  Broker broker;
  broker.query = [](const HttpRequest&) -> Result<HttpResponse> { return ok(deposit_body()); };
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  KiwoomRestClient client(io, fake, fast_config(), broker.clock);
  ASSERT_TRUE(deposit(client).ok());
  std::promise<Status> revoked;
  client.revoke([&](Status s) { revoked.set_value(s); });
  EXPECT_TRUE(wait_for(revoked.get_future()).ok());
  ASSERT_TRUE(deposit(client).ok());
  EXPECT_THAT(fake->api_ids(), ElementsAre("au10001", "kt00001", "au10002", "au10001", "kt00001"));
  const auto sent = fake->sent();
  EXPECT_EQ(sent[2].target, "/oauth2/revoke");
  EXPECT_THAT(sent[2].body, HasSubstr("tok-1"));
}

TEST(KiwoomRestClient, RevokeWithoutATokenSendsNothing) {
  Broker broker;
  IoThread io;
  auto fake = std::make_shared<FakeTransport>(io, broker.script());
  KiwoomRestClient client(io, fake, fast_config(), broker.clock);
  std::promise<Status> revoked;
  client.revoke([&](Status s) { revoked.set_value(s); });
  EXPECT_TRUE(wait_for(revoked.get_future()).ok());
  EXPECT_TRUE(fake->sent().empty());
}

std::string read_dir(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path());
    std::stringstream s;
    s << in.rdbuf();
    all += s.str();
  }
  return all;
}

// Token rejection, rate limit, a network error, a rejection and a revoke, all
// logged at trace: the app key, the secret and both tokens never appear.
TEST(KiwoomRestClient, SecretsNeverReachTheLogs) {
  const auto dir = std::filesystem::temp_directory_path() / ("dalbit-kclient-log-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  log::init({.dir = dir.string(), .level = "trace", .console_level = "off", .console = false});
  Broker broker;
  std::atomic<int> calls{0};
  broker.query = [&](const HttpRequest&) -> Result<HttpResponse> {
    switch (++calls) {
      case 1: return HttpResponse{401, error_body(8005, "Token이 유효하지 않습니다"), "", ""};
      case 2: return HttpResponse{429, "", "", ""};
      case 3: return Error{"read timed out"};
      default: return ok(error_body(20, "[2000](RC4027:상한가 초과)"));
    }
  };
  {
    IoThread io;
    auto fake = std::make_shared<FakeTransport>(io, broker.script());
    KiwoomRestClient client(io, fake, fast_config(), broker.clock);
    EXPECT_FALSE(deposit(client).ok());
    EXPECT_FALSE(deposit(client).ok());
    std::promise<Status> revoked;
    client.revoke([&](Status s) { revoked.set_value(s); });
    EXPECT_TRUE(wait_for(revoked.get_future()).ok());
  }
  log::shutdown();
  const auto text = read_dir(dir);
  EXPECT_THAT(text, HasSubstr("token rejected"));
  EXPECT_THAT(text, HasSubstr("rate limited"));
  EXPECT_THAT(text, Not(HasSubstr(kAppKey)));
  EXPECT_THAT(text, Not(HasSubstr(kSecretKey)));
  EXPECT_THAT(text, Not(HasSubstr("tok-1")));
  EXPECT_THAT(text, Not(HasSubstr("tok-2")));
  std::filesystem::remove_all(dir);
}

// The whole path over TLS on loopback: a tiny Kiwoom in the test server.
TEST(KiwoomRestClient, OverHttpsKeepsOneConnection) {
  WallClock clock;
  testing::TestHttpsServer server([&](const testing::TestRequest& r) {
    testing::TestResponse out;
    const auto api = r.headers.count("api-id") ? r.headers.at("api-id") : "";
    if (api == "au10001") {
      out.body = token_body("tok-tls", clock);
    } else if (r.headers.count("authorization") && r.headers.at("authorization") == "Bearer tok-tls") {
      out.body = deposit_body();
    } else {
      out.status = 401;
      out.body = error_body(8005, "Token이 유효하지 않습니다");
    }
    return out;
  });
  IoThread io;
  HttpsConfig hc;
  hc.host = "127.0.0.1";
  hc.port = server.port();
  hc.ca_file = server.ca_file();
  auto https = make_https_transport(io, hc);
  ASSERT_TRUE(https.ok()) << https.error().message;
  KiwoomRestClient client(io, *https, fast_config(), clock);
  for (int i = 0; i < 3; ++i) {
    auto r = deposit(client);
    ASSERT_TRUE(r.ok()) << r.error().describe();
  }
  EXPECT_EQ(server.requests(), 4);
  EXPECT_EQ(server.connections(), 1);
}

}  // namespace
}  // namespace dalbit::kiwoom
