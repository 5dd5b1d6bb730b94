// Tick-to-order latency through KiwoomBroker: from submit() to on_accepted,
// a kt10000 REST round trip to the simulator on loopback TLS (its rate limits
// raised out of the way). The orders are limit buys at the lower limit, so
// they stay open and the simulator's account only grows by one order each.
// The completions run on the IoThread (no Deliver): the engine-thread hop of
// the live runner is not included.
#include <algorithm>
#include <filesystem>
#include <future>
#include <vector>

#include <benchmark/benchmark.h>

#include "broker/kiwoom_broker.h"
#include "kiwoom/http_transport.h"
#include "kiwoom/io_thread.h"
#include "kiwoom/rest_client.h"
#include "net/tls.h"
#include "sim/server.h"

namespace dalbit::broker {
namespace {

// Signals each acceptance to the benchmark thread.
class AckWaiter final : public Listener {
 public:
  std::promise<bool>* pending = nullptr;
  void on_accepted(OrderId, std::string_view) override { pending->set_value(true); }
  void on_rejected(OrderId, std::string_view) override { pending->set_value(false); }
  void on_fill(const Fill&) override {}
  void on_cancelled(OrderId, Qty, std::string_view) override {}
  void on_unknown(OrderId, std::string_view) override { pending->set_value(false); }
};

struct Loopback {
  WallClock clock;
  std::unique_ptr<sim::Server> server;
  std::unique_ptr<kiwoom::IoThread> io;
  std::unique_ptr<kiwoom::KiwoomRestClient> rest;
  std::unique_ptr<KiwoomBroker> broker;
  AckWaiter waiter;
  std::filesystem::path ca;
  Order order;
  krx::PriceBand band;

  Loopback() {
    sim::SimOptions so;
    so.start = from_kst(KstDate{2026, 3, 10}, TimeOfDay::hm(10, 0));
    so.rate = {1e9, 1e9};
    so.cash = Krw(1'000'000'000'000'000);
    sim::ServerOptions options;
    options.speed = 0.0;
    auto s = sim::Server::start(so, options);
    if (!s) throw std::runtime_error(s.error().message);
    server = std::move(*s);
    ca = std::filesystem::temp_directory_path() / ("dalbit-broker-bench-" + std::to_string(::getpid()) + ".pem");
    if (!net::write_file(ca.string(), server->certificate_pem(), 0644)) throw std::runtime_error("pem");
    io = std::make_unique<kiwoom::IoThread>();
    kiwoom::HttpsConfig hc;
    hc.host = "127.0.0.1";
    hc.port = server->port();
    hc.ca_file = ca.string();
    auto t = kiwoom::make_https_transport(*io, hc);
    if (!t) throw std::runtime_error(t.error().message);
    kiwoom::RestClientConfig rc;
    rc.app_key = Secret(so.app_key);
    rc.secret_key = Secret(so.secret_key);
    rc.limits.per_api = rc.limits.queries = rc.limits.orders = rc.limits.tokens = {1e9, 1000000};
    rest = std::make_unique<kiwoom::KiwoomRestClient>(*io, *t, rc, clock);
    broker = std::make_unique<KiwoomBroker>(*rest, clock);
    broker->set_listener(&waiter);
    server->with_service([&](sim::Service& svc) {
      const auto& stock = svc.market().stocks().front();
      order.code = stock.code;
      band = stock.band;
    });
    order.side = Side::Buy;
    order.type = OrderType::Limit;
    order.limit = band.lower;
    order.qty = Qty(1);
  }
  ~Loopback() {
    rest.reset();
    io.reset();
    broker.reset();
    server->stop();
    std::filesystem::remove(ca);
  }

  bool submit_and_wait() {
    std::promise<bool> p;
    waiter.pending = &p;
    ++order.id;
    broker->submit(order, band);
    return p.get_future().get();
  }
};

double percentile(std::vector<double>& v, double q) {
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

void BM_SubmitToAccepted(benchmark::State& state) {
  Loopback lb;
  if (!lb.submit_and_wait()) {  // the token issue and the TLS handshake happen here
    state.SkipWithError("the first order failed");
    return;
  }
  std::vector<double> micros;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    if (!lb.submit_and_wait()) {
      state.SkipWithError("an order was not accepted");
      return;
    }
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  state.SetItemsProcessed(state.iterations());
  if (micros.empty()) return;
  state.counters["p50_us"] = percentile(micros, 0.50);
  state.counters["p99_us"] = percentile(micros, 0.99);
}
BENCHMARK(BM_SubmitToAccepted)->UseRealTime()->Unit(benchmark::kMicrosecond)->Iterations(3000);

}  // namespace
}  // namespace dalbit::broker

BENCHMARK_MAIN();
