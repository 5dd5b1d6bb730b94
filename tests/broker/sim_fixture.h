// KiwoomBroker against the simulator over TLS on 127.0.0.1: the REST and
// WebSocket clients deliver onto an EngineQueue that the test thread runs, as
// the live runner's engine thread does.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "broker/kiwoom_broker.h"
#include "broker/test_engine.h"
#include "kiwoom/http_transport.h"
#include "kiwoom/io_thread.h"
#include "kiwoom/rest_client.h"
#include "kiwoom/ws_client.h"
#include "net/tls.h"
#include "sim/server.h"

namespace dalbit::broker::testing {

using namespace std::chrono_literals;

struct SimBrokerSetup {
  Duration request_timeout = 3s;
  KiwoomBrokerConfig broker{};
  Krw cash = Krw(100'000'000'000);  // enough for orders that fill over several prints
};

class SimBrokerFixture {
 public:
  // Starts the simulator (frozen market clock), the clients and the broker,
  // and waits until the 00 stream is registered.
  void start_all(SimBrokerSetup setup = {}) {
    sim::SimOptions sim;
    sim.start = from_kst(KstDate{2026, 3, 10}, TimeOfDay::hm(10, 0));
    sim.rate = {1000.0, 200.0};
    sim.cash = setup.cash;
    sim::ServerOptions so;
    so.speed = 0.0;
    so.ping_every = 60'000ms;
    auto server = sim::Server::start(sim, so);
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(*server);
    dir_ = std::filesystem::temp_directory_path() /
           ("dalbit-broker-sim-" + std::to_string(::getpid()) + "-" + std::to_string(server_->port()));
    std::filesystem::create_directories(dir_);
    const std::string ca = (dir_ / "sim.pem").string();
    ASSERT_TRUE(net::write_file(ca, server_->certificate_pem(), 0644).ok());
    io_ = std::make_unique<kiwoom::IoThread>();
    kiwoom::HttpsConfig hc;
    hc.host = "127.0.0.1";
    hc.port = server_->port();
    hc.ca_file = ca;
    hc.request_timeout = setup.request_timeout;
    auto t = kiwoom::make_https_transport(*io_, hc);
    ASSERT_TRUE(t.ok()) << t.error().message;
    https_ = *t;
    kiwoom::RestClientConfig rc;
    rc.app_key = Secret(sim.app_key);
    rc.secret_key = Secret(sim.secret_key);
    rc.limits.per_api = {500.0, 50};
    rc.limits.queries = {500.0, 50};
    rc.limits.orders = {500.0, 50};
    rc.limits.tokens = {500.0, 50};
    rc.limits.backoff = {10ms, 2.0, 0.0, 100ms};
    const kiwoom::Deliver deliver = [this](std::function<void()> fn) { engine_.post(std::move(fn)); };
    rest_ = std::make_unique<kiwoom::KiwoomRestClient>(*io_, https_, rc, clock_, deliver);
    broker_ = std::make_unique<KiwoomBroker>(*rest_, clock_, setup.broker);
    broker_->set_listener(&listener_);

    kiwoom::WsClientConfig wc;
    wc.host = "127.0.0.1";
    wc.port = server_->port();
    wc.ca_file = ca;
    kiwoom::WsHandlers h;
    h.on_real = [this](const kiwoom::RealEvent& ev) {
      if (const auto* o = std::get_if<kiwoom::OrderEvent>(&ev)) broker_->on_order_event(*o);
    };
    h.on_connection = [this](bool up) { ws_up_ = up; };
    ws_ = std::make_unique<kiwoom::KiwoomWsClient>(*io_, wc, kiwoom::rest_token_source(*rest_), h, clock_, deliver);
    ws_->subscribe("1", {""}, {"00"});
    ws_->start();
    ASSERT_TRUE(engine_.run_until([this] { return ws_up_; })) << "the WebSocket did not log in";
    sync_ws();
  }

  void stop_all() {
    ws_.reset();
    rest_.reset();
    engine_.run_for(0ms);
    broker_.reset();
    https_.reset();
    io_.reset();
    if (server_) server_->stop();
    std::filesystem::remove_all(dir_);
  }

  // The REG follows the LOGIN ack on the same connection and has no handler
  // of its own: give the simulator a moment to read it.
  void sync_ws() { engine_.run_for(300ms); }

  // A stock of the simulated market and its band, the cheapest first.
  struct StockRef {
    StockCode code;
    Price last;
    krx::PriceBand band;
  };
  StockRef cheapest() {
    StockRef out;
    server_->with_service([&](sim::Service& s) {
      const sim::Stock* best = nullptr;
      for (const auto& st : s.market().stocks()) {
        if (best == nullptr || st.last < best->last) best = &st;
      }
      out = {best->code, best->last, best->band};
    });
    return out;
  }

  Order order(OrderId id, const StockRef& s, Side side, OrderType type, Qty qty, Price limit = Price(0)) {
    Order o;
    o.id = id;
    o.code = s.code;
    o.side = side;
    o.type = type;
    o.qty = qty;
    o.limit = type == OrderType::Limit ? limit : Price(0);
    o.strategy = "test";
    return o;
  }

  void fault(const std::string& json) {
    server_->with_service([&](sim::Service& s) { (void)s.handle_admin("/admin/fault", json); });
  }
  // Moves the simulated market on; its trades fill working orders.
  void advance(std::chrono::seconds by) {
    server_->with_service([&](sim::Service& s) { s.advance(s.sim_now() + by); });
  }
  // The simulator's order by number (a copy), or nullopt.
  std::optional<sim::SimOrder> sim_order(const std::string& order_no) {
    std::optional<sim::SimOrder> out;
    server_->with_service([&](sim::Service& s) {
      if (const auto* o = s.account().find(order_no)) out = *o;
    });
    return out;
  }
  std::size_t sim_order_count() {
    std::size_t n = 0;
    server_->with_service([&](sim::Service& s) { n = s.account().orders().size(); });
    return n;
  }
  Qty filled_of(OrderId id) const {
    Qty q;
    for (const auto& f : rec_.fills) {
      if (f.order_id == id) q += f.qty;
    }
    return q;
  }
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    return engine_.run_until(done, limit);
  }

  WallClock clock_;
  EngineQueue engine_;
  Recorded rec_;
  RecordingListener listener_{rec_};
  std::unique_ptr<sim::Server> server_;
  std::filesystem::path dir_;
  std::unique_ptr<kiwoom::IoThread> io_;
  std::shared_ptr<kiwoom::HttpsTransport> https_;
  std::unique_ptr<kiwoom::KiwoomRestClient> rest_;
  std::unique_ptr<kiwoom::KiwoomWsClient> ws_;
  std::unique_ptr<KiwoomBroker> broker_;
  bool ws_up_ = false;
};

}  // namespace dalbit::broker::testing
