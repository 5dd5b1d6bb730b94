#include "kiwoom/http_transport.h"

#include <future>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kiwoom/io_thread.h"
#include "test_https_server.h"

namespace dalbit::kiwoom {
namespace {

using ::testing::HasSubstr;
using testing::TestHttpsServer;
using testing::TestRequest;
using testing::TestResponse;
using namespace std::chrono_literals;

HttpsConfig config_for(const TestHttpsServer& server) {
  HttpsConfig c;
  c.host = "127.0.0.1";
  c.port = server.port();
  c.ca_file = server.ca_file();
  c.connect_timeout = 2s;
  c.handshake_timeout = 2s;
  c.request_timeout = 2s;
  return c;
}

Result<HttpResponse> send_and_wait(IoThread& io, HttpsTransport& t, HttpRequest req) {
  std::promise<Result<HttpResponse>> p;
  io.post([&] { t.send(std::move(req), [&](Result<HttpResponse> r) { p.set_value(std::move(r)); }); });
  return p.get_future().get();
}

HttpRequest post(std::string body, bool idempotent = true) {
  HttpRequest r;
  r.target = "/api/dostk/acnt";
  r.headers = {{"api-id", "kt00001"}, {"content-type", "application/json;charset=UTF-8"}};
  r.body = std::move(body);
  r.idempotent = idempotent;
  return r;
}

TestResponse echo(const TestRequest& r) {
  TestResponse out;
  out.body = r.method + " " + r.target + " " + r.headers.at("api-id") + " " + r.body;
  out.headers = {{"cont-yn", "Y"}, {"next-key", "K1"}};
  return out;
}

TEST(HttpsTransport, SendsAndReadsAnswerAndContinuationHeaders) {
  TestHttpsServer server(echo);
  IoThread io;
  auto t = make_https_transport(io, config_for(server));
  ASSERT_TRUE(t.ok()) << t.error().message;
  auto r = send_and_wait(io, **t, post("{\"a\":1}"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /api/dostk/acnt kt00001 {\"a\":1}");
  EXPECT_EQ(r->cont_yn, "Y");
  EXPECT_EQ(r->next_key, "K1");
}

TEST(HttpsTransport, ReusesTheKeepAliveConnection) {
  TestHttpsServer server(echo);
  IoThread io;
  auto t = make_https_transport(io, config_for(server));
  ASSERT_TRUE(t.ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(send_and_wait(io, **t, post("x")).ok());
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ((*t)->stats().connects, 1u);
  EXPECT_EQ((*t)->stats().requests, 5u);
}

TEST(HttpsTransport, ReconnectsWhenTheServerClosedTheIdleConnection) {
  TestHttpsServer server(echo);
  IoThread io;
  auto t = make_https_transport(io, config_for(server));
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(send_and_wait(io, **t, post("1")).ok());
  server.drop_connection();
  std::this_thread::sleep_for(50ms);
  // Non-idempotent on purpose: the closed connection is found before writing.
  auto r = send_and_wait(io, **t, post("2", false));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ((*t)->stats().stale_replaced, 1u);
}

TEST(HttpsTransport, ConnectionCloseAnswerIsFollowedByANewConnection) {
  TestHttpsServer server([](const TestRequest& r) {
    auto out = echo(r);
    out.close_after = true;
    return out;
  });
  IoThread io;
  auto t = make_https_transport(io, config_for(server));
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(send_and_wait(io, **t, post("1")).ok());
  ASSERT_TRUE(send_and_wait(io, **t, post("2")).ok());
  EXPECT_EQ(server.connections(), 2);
}

// The server reads the request and hangs up: a query is re-sent once on a
// fresh connection; an order is not (it may have reached the server).
TEST(HttpsTransport, DeadReusedConnectionResendsQueriesButNeverOrders) {
  std::atomic<int> seen{0};
  TestHttpsServer server([&](const TestRequest& r) {
    const int n = ++seen;
    TestResponse out = echo(r);
    out.hang_up_without_answer = (n == 2 || n == 4);
    return out;
  });
  IoThread io;
  auto t = make_https_transport(io, config_for(server));
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(send_and_wait(io, **t, post("q1")).ok());          // 1
  auto q = send_and_wait(io, **t, post("q2"));                    // 2 hangs up, 3 answers
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ((*t)->stats().resent, 1u);
  auto o = send_and_wait(io, **t, post("order", false));         // 4 hangs up
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(o.error().message, HasSubstr("may have been sent"));
  EXPECT_EQ(seen.load(), 4);
}

TEST(HttpsTransport, StalledAnswerTimesOut) {
  TestHttpsServer server([](const TestRequest& r) {
    auto out = echo(r);
    out.stall = 1500ms;
    return out;
  });
  IoThread io;
  auto c = config_for(server);
  c.request_timeout = 200ms;
  auto t = make_https_transport(io, c);
  ASSERT_TRUE(t.ok());
  const auto start = std::chrono::steady_clock::now();
  auto r = send_and_wait(io, **t, post("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("timed out"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1200ms);
}

TEST(HttpsTransport, UntrustedCertificateFailsTheHandshake) {
  TestHttpsServer server(echo);
  TestHttpsServer other(echo);
  IoThread io;
  auto c = config_for(server);
  c.ca_file = other.ca_file();
  auto t = make_https_transport(io, c);
  ASSERT_TRUE(t.ok());
  auto r = send_and_wait(io, **t, post("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("TLS handshake"));
}

TEST(HttpsTransport, CertificateMustNameTheHost) {
  // Trusted, but issued to another name than the 127.0.0.1 we connect to.
  TestHttpsServer server(echo, {"other.example"}, {});
  IoThread io;
  auto t = make_https_transport(io, config_for(server));
  ASSERT_TRUE(t.ok());
  auto r = send_and_wait(io, **t, post("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("TLS handshake"));
}

TEST(HttpsTransport, RefusedConnectionIsAnErrorNamingTheHost) {
  std::uint16_t port = 0;
  {
    TestHttpsServer server(echo);
    port = server.port();
  }
  IoThread io;
  HttpsConfig c;
  c.host = "127.0.0.1";
  c.port = port;
  auto t = make_https_transport(io, c);
  ASSERT_TRUE(t.ok());
  auto r = send_and_wait(io, **t, post("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("127.0.0.1"));
  EXPECT_THAT(r.error().message, HasSubstr("connect"));
}

TEST(HttpsTransport, UnreadableCaFileIsAnError) {
  IoThread io;
  HttpsConfig c;
  c.host = "127.0.0.1";
  c.ca_file = "/nonexistent/ca.pem";
  EXPECT_FALSE(make_https_transport(io, c).ok());
}

}  // namespace
}  // namespace dalbit::kiwoom
