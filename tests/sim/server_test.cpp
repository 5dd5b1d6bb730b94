// The simulator over real sockets: HTTPS and WSS on 127.0.0.1 with an
// ephemeral port, the client verifying the certificate by its PEM file.
#include "sim/server.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kiwoom/rest.h"
#include "kiwoom/ws_codec.h"
#include "net/tls.h"

namespace dalbit::sim {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace kw = kiwoom;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

struct Answer {
  int status = 0;
  std::string body;
  std::string cont_yn;
  std::string next_key;
  bool dropped = false;
};

class Client {
 public:
  Client(std::uint16_t port, const std::string& ca_file) : port_(port) {
    EXPECT_TRUE(net::configure_client(ctx_, ca_file).ok());
  }

  Answer post(std::string_view path, std::string_view api_id, const std::string& body, const std::string& auth = "") {
    beast::ssl_stream<beast::tcp_stream> stream(io_, ctx_);
    stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    beast::get_lowest_layer(stream).connect({asio::ip::make_address("127.0.0.1"), port_});
    stream.handshake(ssl::stream_base::client);
    http::request<http::string_body> req{http::verb::post, std::string(path), 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json;charset=UTF-8");
    if (!api_id.empty()) req.set("api-id", std::string(api_id));
    if (!auth.empty()) req.set("authorization", auth);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    beast::error_code ec;
    http::read(stream, buffer, res, ec);
    Answer a;
    if (ec) {
      a.dropped = true;
      return a;
    }
    a.status = static_cast<int>(res.result_int());
    a.body = res.body();
    if (auto it = res.find("cont-yn"); it != res.end()) a.cont_yn = std::string(it->value());
    if (auto it = res.find("next-key"); it != res.end()) a.next_key = std::string(it->value());
    stream.shutdown(ec);
    return a;
  }

  template <class Request>
  kw::ApiResult<typename Request::Response> call(const Request& r, const Secret* token) {
    const kw::RestRequest rr = kw::build_request(r);
    const Answer a = post(rr.path, rr.api_id, rr.body, token ? "Bearer " + token->reveal() : "");
    return kw::parse_response<typename Request::Response>(kw::HttpReply{rr.api_id, a.status, a.body, a.cont_yn, a.next_key});
  }

 private:
  asio::io_context io_;
  ssl::context ctx_{ssl::context::tls_client};
  std::uint16_t port_;
};

class WsClient {
 public:
  WsClient(std::uint16_t port, const std::string& ca_file) : ws_(io_, ctx_) {
    EXPECT_TRUE(net::configure_client(ctx_, ca_file).ok());
    ws_.next_layer().set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    beast::get_lowest_layer(ws_).connect({asio::ip::make_address("127.0.0.1"), port});
    ws_.next_layer().handshake(ssl::stream_base::client);
    ws_.handshake("127.0.0.1", std::string(kw::path::kWebSocket));
  }

  void send(const std::string& frame) { ws_.write(asio::buffer(frame)); }

  // The next frame, or nullopt after `timeout` (or when the server closed).
  std::optional<std::string> read(std::chrono::milliseconds timeout = 5s) {
    std::optional<std::string> out;
    bool done = false;
    ws_.async_read(buffer_, [&](beast::error_code ec, std::size_t) {
      done = true;
      if (!ec) out = beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
    });
    io_.restart();
    io_.run_for(timeout);
    if (!done) {
      beast::get_lowest_layer(ws_).cancel();
      io_.restart();
      io_.run();
    }
    return out;
  }

  // Reads until a frame satisfies `pred`, answering PINGs like a client must.
  template <class Pred>
  std::optional<kw::WsMessage> read_until(Pred pred, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto frame = read(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!frame) return std::nullopt;
      auto m = kw::parse_ws_message(*frame);
      if (auto* ping = std::get_if<kw::Ping>(&m)) {
        send(ping->frame);
        continue;
      }
      if (pred(m)) return m;
    }
    return std::nullopt;
  }

 private:
  asio::io_context io_;
  ssl::context ctx_{ssl::context::tls_client};
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
};

class SimServer : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("dalbit-sim-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    SimOptions sim;
    sim.start = *parse_kst_timestamp("2026-01-05 09:30:00");
    sim.rate = {1000.0, 1000.0};
    ServerOptions opts;
    opts.speed = speed_;
    opts.market_step = 20ms;
    opts.ping_every = 200ms;
    auto started = Server::start(std::move(sim), opts);
    ASSERT_TRUE(started.ok()) << started.error().message;
    server_ = std::move(*started);
    ca_ = (dir_ / "cert.pem").string();
    ASSERT_TRUE(net::write_file(ca_, server_->certificate_pem(), 0644).ok());
    client_ = std::make_unique<Client>(server_->port(), ca_);
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->stop();
    std::filesystem::remove_all(dir_);
  }

  Secret issue() {
    auto t = client_->call(kw::TokenRequest{Secret("sim-app-key"), Secret("sim-secret-key")}, nullptr);
    EXPECT_TRUE(t.ok()) << t.error().describe();
    return t.ok() ? t->token : Secret();
  }

  double speed_ = 60.0;
  std::filesystem::path dir_;
  std::string ca_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Client> client_;
};

TEST_F(SimServer, RestOverVerifiedTls) {
  const Secret token = issue();
  auto deposit = client_->call(kw::DepositRequest{}, &token);
  ASSERT_TRUE(deposit.ok()) << deposit.error().describe();
  EXPECT_EQ(deposit->cash, Krw(100'000'000));
  auto info = client_->call(kw::StockInfoRequest{{*StockCode::parse("900010"), kw::Venue::Krx}}, &token);
  ASSERT_TRUE(info.ok()) << info.error().describe();
  const Secret wrong("not-a-token");
  EXPECT_EQ(client_->call(kw::DepositRequest{}, &wrong).error().kind, kw::ErrorKind::TokenInvalid);
}

TEST_F(SimServer, AClientTrustingAnotherCertificateFailsTheHandshake) {
  auto other = net::make_self_signed({"localhost"}, {"127.0.0.1"}, 1);
  ASSERT_TRUE(other.ok());
  const std::string other_ca = (dir_ / "other.pem").string();
  ASSERT_TRUE(net::write_file(other_ca, other->certificate, 0644).ok());
  Client stranger(server_->port(), other_ca);
  EXPECT_THROW(stranger.post(kw::path::kToken, kw::api_id::kTokenIssue, "{}"), boost::system::system_error);
}

TEST_F(SimServer, OrderFillsAndArrivesAsPushesOverWss) {
  const Secret token = issue();
  WsClient ws(server_->port(), ca_);
  ws.send(kw::build_login(token));
  auto login = ws.read_until([](const kw::WsMessage& m) { return std::holds_alternative<kw::LoginResult>(m); });
  ASSERT_TRUE(login.has_value());
  ASSERT_TRUE(std::get<kw::LoginResult>(*login).ack.ok());
  ws.send(kw::build_reg({false, "1", true, {{{""}, {"00", "04"}}, {{"900010"}, {"0B"}}}}));
  ASSERT_TRUE(ws.read_until([](const kw::WsMessage& m) { return std::holds_alternative<kw::RegResult>(m); }));

  auto has_type = [](std::string_view type) {
    return [type](const kw::WsMessage& m) {
      const auto* real = std::get_if<kw::Real>(&m);
      if (real == nullptr) return false;
      for (const auto& e : real->entries) {
        if (e.type == type) return true;
      }
      return false;
    };
  };
  auto trade = ws.read_until(has_type("0B"));
  ASSERT_TRUE(trade.has_value());

  kw::NewOrderRequest buy;
  buy.code = *StockCode::parse("900010");
  buy.qty = Qty(2);
  buy.type = kw::TradeType::Market;
  auto ack = client_->call(buy, &token);
  ASSERT_TRUE(ack.ok()) << ack.error().describe();
  auto balance = ws.read_until(has_type("04"));
  ASSERT_TRUE(balance.has_value());
  for (const auto& e : std::get<kw::Real>(*balance).entries) {
    if (e.type == "04") {
      EXPECT_EQ(kw::decode_balance(e)->qty, Qty(2));
    }
  }
  auto held = client_->call(kw::BalanceRequest{}, &token);
  ASSERT_TRUE(held.ok()) << held.error().describe();
  ASSERT_EQ(held->holdings.size(), 1u);
}

TEST_F(SimServer, ServerSendsPingsAndDropsWebSocketsOnTheFault) {
  const Secret token = issue();
  WsClient ws(server_->port(), ca_);
  ws.send(kw::build_login(token));
  ASSERT_TRUE(ws.read_until([](const kw::WsMessage& m) { return std::holds_alternative<kw::LoginResult>(m); }));
  auto ping = ws.read(3s);
  ASSERT_TRUE(ping.has_value());
  EXPECT_TRUE(std::holds_alternative<kw::Ping>(kw::parse_ws_message(*ping)));
  const Answer a = client_->post("/admin/fault", "", R"({"fault":"drop_ws"})");
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_FALSE(ws.read_until([](const kw::WsMessage&) { return false; }, 3s).has_value());
}

TEST_F(SimServer, DropAndStallFaultsFromTheAdminEndpoint) {
  const Secret token = issue();
  ASSERT_EQ(client_->post("/admin/fault", "", R"({"fault":"drop"})").status, 200);
  const kw::RestRequest r = kw::build_request(kw::DepositRequest{});
  EXPECT_TRUE(client_->post(r.path, r.api_id, r.body, "Bearer " + token.reveal()).dropped);
  ASSERT_EQ(client_->post("/admin/fault", "", R"({"fault":"stall","arg":300})").status, 200);
  const auto started = std::chrono::steady_clock::now();
  const Answer stalled = client_->post(r.path, r.api_id, r.body, "Bearer " + token.reveal());
  EXPECT_EQ(stalled.status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
  EXPECT_EQ(client_->post("/admin/fault", "", R"({"fault":"bogus"})").status, 400);
}

class FrozenSimServer : public SimServer {
 protected:
  FrozenSimServer() { speed_ = 0; }
};

TEST_F(FrozenSimServer, AdminAdvanceMovesTheFrozenClock) {
  const Secret token = issue();
  const auto before = client_->call(kw::StockInfoRequest{{*StockCode::parse("900010"), kw::Venue::Krx}}, &token);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(*before->volume, Qty(0));
  const Answer a = client_->post("/admin/advance", "", R"({"seconds":600})");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_NE(a.body.find("2026-01-05 09:40:00"), std::string::npos) << a.body;
  Timestamp now;
  server_->with_service([&](Service& s) { now = s.sim_now(); });
  EXPECT_EQ(now, *parse_kst_timestamp("2026-01-05 09:40:00"));
  const auto after = client_->call(kw::StockInfoRequest{{*StockCode::parse("900010"), kw::Venue::Krx}}, &token);
  ASSERT_TRUE(after.ok());
  EXPECT_GT(*after->volume, Qty(0));
}

// POST /admin/clock answers the market's KST clock (always with milliseconds)
// and the speed; the clock read twice moves by about speed x the real gap.
TEST_F(SimServer, AdminClockAnswersTheMarketClockAndSpeed) {
  const auto read_clock = [&] {
    const Answer a = client_->post("/admin/clock", "", "{}");
    EXPECT_EQ(a.status, 200) << a.body;
    const auto j = nlohmann::json::parse(a.body);
    EXPECT_EQ(j.at("speed").get<double>(), 60.0);
    const std::string now = j.at("now").get<std::string>();
    EXPECT_EQ(now.size(), std::string_view("2026-01-05 09:30:00.000").size()) << now;
    const auto t = parse_kst_timestamp(now);
    EXPECT_TRUE(t.has_value()) << now;
    return t.value_or(Timestamp{});
  };
  const Timestamp start = *parse_kst_timestamp("2026-01-05 09:30:00");
  const auto real_before = std::chrono::steady_clock::now();
  const Timestamp first = read_clock();
  std::this_thread::sleep_for(500ms);
  const Timestamp second = read_clock();
  const auto real_gap = std::chrono::steady_clock::now() - real_before;
  EXPECT_GE(first, start);
  // 0.5 s real at 60x is 30 simulated seconds; the market moves in whole seconds.
  EXPECT_GE(second - first, 28s);
  EXPECT_LE(second - first, real_gap * 60 + 2s);
  Timestamp market;
  server_->with_service([&](Service& s) { market = s.sim_now(); });
  EXPECT_GE(market, second);
  EXPECT_EQ(client_->post("/admin/clock", "", "not json").status, 400);
}

TEST_F(FrozenSimServer, AdminClockOnAFrozenClockFollowsAdvance) {
  Answer a = client_->post("/admin/clock", "", "{}");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(nlohmann::json::parse(a.body), (nlohmann::json{{"now", "2026-01-05 09:30:00.000"}, {"speed", 0.0}}));
  ASSERT_EQ(client_->post("/admin/advance", "", R"({"seconds":90})").status, 200);
  a = client_->post("/admin/clock", "", "{}");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(nlohmann::json::parse(a.body).at("now"), "2026-01-05 09:31:30.000");
}

TEST_F(SimServer, CurlTrustsTheWrittenCertificate) {
  if (std::system("command -v curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl is not installed";
  const std::string out = (dir_ / "curl.out").string();
  const std::string cmd = "curl -sS --cacert " + ca_ + " -H 'content-type: application/json;charset=UTF-8' " +
                          "-H 'api-id: au10001' -d '{\"grant_type\":\"client_credentials\",\"appkey\":\"sim-app-key\","
                          "\"secretkey\":\"sim-secret-key\"}' https://127.0.0.1:" +
                          std::to_string(server_->port()) + "/oauth2/token > " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(out);
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto issued = kw::parse_response<kw::IssuedToken>(kw::HttpReply{kw::api_id::kTokenIssue, 200, body, "", ""});
  ASSERT_TRUE(issued.ok()) << issued.error().describe();
  EXPECT_FALSE(issued->token.empty());
}

}  // namespace
}  // namespace dalbit::sim
