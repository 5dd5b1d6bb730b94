// REST round trips per second through the whole client (pacing, token,
// codec, HTTPS keep-alive) to the simulator on loopback TLS, its rate limits
// raised out of the way. One request in flight at a time, as in production.
#include <filesystem>
#include <future>

#include <benchmark/benchmark.h>

#include "kiwoom/http_transport.h"
#include "kiwoom/io_thread.h"
#include "kiwoom/rest_client.h"
#include "net/tls.h"
#include "sim/server.h"

namespace dalbit::kiwoom {
namespace {

using namespace std::chrono_literals;

struct Loopback {
  WallClock clock;
  std::unique_ptr<sim::Server> server;
  std::unique_ptr<IoThread> io;
  std::unique_ptr<KiwoomRestClient> rest;
  std::filesystem::path ca;

  Loopback() {
    sim::SimOptions so;
    so.start = from_kst(KstDate{2026, 3, 10}, TimeOfDay::hm(10, 0));
    so.rate = {1e9, 1e9};
    sim::ServerOptions options;
    options.speed = 0.0;
    auto s = sim::Server::start(so, options);
    if (!s) throw std::runtime_error(s.error().message);
    server = std::move(*s);
    ca = std::filesystem::temp_directory_path() / ("dalbit-kclient-bench-" + std::to_string(::getpid()) + ".pem");
    if (!net::write_file(ca.string(), server->certificate_pem(), 0644)) throw std::runtime_error("pem");
    io = std::make_unique<IoThread>();
    HttpsConfig hc;
    hc.host = "127.0.0.1";
    hc.port = server->port();
    hc.ca_file = ca.string();
    auto t = make_https_transport(*io, hc);
    if (!t) throw std::runtime_error(t.error().message);
    RestClientConfig rc;
    rc.app_key = Secret(so.app_key);
    rc.secret_key = Secret(so.secret_key);
    rc.limits.per_api = rc.limits.queries = rc.limits.orders = rc.limits.tokens = {1e9, 1000000};
    rest = std::make_unique<KiwoomRestClient>(*io, *t, rc, clock);
  }
  ~Loopback() {
    rest.reset();
    io.reset();
    server->stop();
    std::filesystem::remove(ca);
  }

  template <class Request>
  bool call(const Request& r) {
    std::promise<bool> p;
    rest->call(r, [&p](auto result) { p.set_value(result.ok()); });
    return p.get_future().get();
  }
};

template <class Request>
void round_trips(benchmark::State& state, const Request& request) {
  Loopback lb;
  if (!lb.call(request)) {  // the token issue and the TLS handshake happen here
    state.SkipWithError("the first call failed");
    return;
  }
  for (auto _ : state) {
    if (!lb.call(request)) {
      state.SkipWithError("a call failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RestRoundTrip_Deposit(benchmark::State& state) { round_trips(state, DepositRequest{}); }
BENCHMARK(BM_RestRoundTrip_Deposit)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_RestRoundTrip_OpenOrders(benchmark::State& state) { round_trips(state, OpenOrdersRequest{}); }
BENCHMARK(BM_RestRoundTrip_OpenOrders)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace dalbit::kiwoom

BENCHMARK_MAIN();
