#include "live/session.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "broker/kiwoom_broker.h"
#include "broker/sim_broker.h"
#include "config/config.h"
#include "core/clock.h"
#include "engine/engine.h"
#include "engine/lua_strategies.h"
#include "engine/store_journal.h"
#include "engine/summary.h"
#include "kiwoom/http_transport.h"
#include "kiwoom/io_thread.h"
#include "kiwoom/protocol.h"
#include "kiwoom/rest_client.h"
#include "kiwoom/ws_client.h"
#include "live/event_loop.h"
#include "live/scans.h"
#include "live/terminal.h"
#include "log/log.h"
#include "lua/host.h"
#include "lua/watcher.h"
#include "store/backup.h"
#include "store/store.h"

namespace dalbit::live {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using namespace std::chrono_literals;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;
// Market time after market.close before the day is closed: the closing
// auction's print and the broker's expiry of day orders arrive first.
constexpr int kCloseGraceSeconds = 30;
constexpr int kNothingToDo = -1;  // start(): not a trading day, stop cleanly without a run

// The simulator's public defaults (docs/simulator.md): used only against the
// simulator when no credentials are configured.
constexpr const char* kSimAppKey = "sim-app-key";
constexpr const char* kSimSecretKey = "sim-secret-key";

void fail(const std::string& message) { std::fprintf(stderr, "dalbit run: %s\n", message.c_str()); }

std::string pid_path(const config::Config& cfg) { return (fs::path(cfg.live.control_dir) / "dalbit.pid").string(); }
std::string command_path(const config::Config& cfg) {
  return (fs::path(cfg.live.control_dir) / "command.json").string();
}

// The pid of a running `dalbit run` that owns this control directory, if any.
std::optional<pid_t> running_pid(const config::Config& cfg) {
  std::ifstream in(pid_path(cfg));
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return std::nullopt;
  return static_cast<pid_t>(pid);
}

Status write_atomically(const std::string& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return Error{path + ": cannot write"};
  }
  fs::rename(tmp, path, ec);
  if (ec) return Error{path + ": " + ec.message()};
  return {};
}

// Turns SIGHUP, SIGUSR1, SIGINT and SIGTERM into work on the engine thread.
// The signals are blocked in every thread (the IoThread included, so it must
// be created after this) and taken here with sigtimedwait.
class SignalThread {
 public:
  SignalThread(EventLoop& loop, std::function<void(int)> on_signal) {
    sigemptyset(&set_);
    for (int s : {SIGHUP, SIGUSR1, SIGINT, SIGTERM}) sigaddset(&set_, s);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this, &loop, on_signal = std::move(on_signal)] {
      const timespec wait{0, 200'000'000};
      int stops = 0;
      while (!stop_.load()) {
        const int s = sigtimedwait(&set_, nullptr, &wait);
        if (s <= 0) continue;
        // A second Ctrl-C (or SIGTERM) while a clean stop hangs ends the process at once;
        // the journal is durable and the next start reconciles.
        if ((s == SIGINT || s == SIGTERM) && ++stops >= 2) {
          std::fprintf(stderr, "dalbit run: stopped at once (second signal)\n");
          std::_Exit(1);
        }
        loop.post([on_signal, s] { on_signal(s); });
      }
    });
  }
  ~SignalThread() {
    stop_.store(true);
    thread_.join();
  }
  SignalThread(const SignalThread&) = delete;
  SignalThread& operator=(const SignalThread&) = delete;

 private:
  sigset_t set_{};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Runs `fn(done)` on the IoThread's clients and waits for `done` (start-up only, before the loop runs).
template <class T>
T wait_for(const std::function<void(std::function<void(T)>)>& fn) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  fn([promise](T value) { promise->set_value(std::move(value)); });
  return future.get();
}

// The simulator's market clock (POST /admin/clock), to run the engine at the same time and speed.
Result<std::unique_ptr<Clock>> simulator_clock(kiwoom::HttpTransport& transport, kiwoom::IoThread& io) {
  auto answer = wait_for<Result<kiwoom::HttpResponse>>([&](auto done) {
    io.post([&transport, done] {
      kiwoom::HttpRequest r;
      r.target = "/admin/clock";
      r.headers = {{"content-type", "application/json"}};
      r.body = "{}";
      transport.send(std::move(r), done);
    });
  });
  if (!answer) return Error{"the simulator's clock: " + answer.error().message};
  const auto j = nlohmann::json::parse(answer->body, nullptr, false);
  if (answer->status != 200 || !j.is_object() || !j.contains("now") || !j.contains("speed")) {
    return Error{fmt::format("the simulator's clock: POST /admin/clock answered HTTP {} without now and speed",
                             answer->status)};
  }
  const auto now = parse_kst_timestamp(j["now"].get<std::string>());
  const double speed = j["speed"].get<double>();
  if (!now || speed < 0) return Error{"the simulator's clock: unreadable now or speed"};
  return std::unique_ptr<Clock>(std::make_unique<ScaledClock>(*now, speed));
}

bool trading_day(const config::Config& cfg, KstDate day) {
  const int wd = day.weekday();  // 0 Sunday
  if (wd == 0 || wd == 6) return false;
  for (const KstDate& h : cfg.market.holidays) {
    if (h == day) return false;
  }
  return true;
}

class Session {
 public:
  Session(const RunOptions& o, config::Config cfg) : o_(o), cfg_(std::move(cfg)) {}
  int run();

 private:
  int start();
  void start_market_data();
  void subscribe(const std::vector<StockCode>& codes);
  void on_real(const kiwoom::RealEvent& event);
  void heartbeat();
  // Fetches the broker's account and lets it win; `then` runs after a success.
  void reconcile(const std::string& why, std::function<void()> then = {});
  void start_queued_reconcile();
  void retry_reconcile_when_due();
  void drift_check();
  void close_session();
  void finish_day(KstDate day);
  void write_report(bool final);
  void on_signal(int s);
  void run_command_file();
  void stop(int code);
  // After the loop: runs what the network delivers until `done` or `timeout`.
  void settle(std::chrono::milliseconds timeout, const std::function<bool()>& done);
  void after_each();

  const RunOptions& o_;
  config::Config cfg_;
  config::Credentials creds_;
  std::string mode_;
  EventLoop loop_;
  WallClock wall_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<store::Store> store_;
  std::int64_t run_id_ = 0;
  std::unique_ptr<engine::DurableJournal> journal_;
  std::unique_ptr<TerminalJournal> terminal_;
  std::unique_ptr<SignalThread> signals_;
  std::unique_ptr<kiwoom::IoThread> io_;
  std::shared_ptr<kiwoom::HttpsTransport> https_;
  std::unique_ptr<kiwoom::KiwoomRestClient> rest_;
  std::unique_ptr<kiwoom::KiwoomWsClient> ws_;
  kiwoom::WsClientConfig ws_config_;
  std::unique_ptr<broker::Broker> broker_;
  broker::KiwoomBroker* kiwoom_broker_ = nullptr;  // broker_ when trading live
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<lua::Host> host_;
  std::unique_ptr<engine::LuaStrategies> strategies_;
  std::unique_ptr<lua::ScriptWatcher> watcher_;

  std::set<StockCode> subscribed_;
  std::map<std::string, std::string> condition_seq_;   // formula name -> seq
  std::map<std::string, std::string> condition_name_;  // seq -> formula name
  bool ready_ = false;         // reconciled and strategies started
  bool reconciling_ = false;
  struct ReconcileRequest {
    std::string why;
    std::function<void()> then;
  };
  std::vector<ReconcileRequest> queued_reconciles_;  // asked for while one was in flight
  ReconcileRequest reconcile_retry_;                 // the one that failed, tried again at reconcile_retry_at_
  std::optional<std::chrono::steady_clock::time_point> reconcile_retry_at_;
  bool checking_drift_ = false;
  bool ws_was_up_ = false;
  std::vector<std::string> last_drift_;
  std::chrono::steady_clock::time_point next_drift_check_{};
  std::chrono::steady_clock::time_point next_scan_{};
  KstDate closed_day_{};
  Krw start_equity_;
  std::uint64_t reconciliations_ = 0;
  std::uint64_t drift_alerts_ = 0;
  std::uint64_t gaps_ = 0;
  int exit_code_ = kExitOk;
  bool hard_stop_ = false;  // stopped by a fatal error: no settling with the broker
};

int Session::run() {
  if (const int code = start(); code != kExitOk) {
    if (code == kNothingToDo) return kExitOk;
    if (store_ && run_id_ > 0) (void)store_->finish_run(run_id_, "failed", "", wall_.now());
    std::error_code ec;
    if (code != kExitFailed || !running_pid(cfg_) || *running_pid(cfg_) == ::getpid()) fs::remove(pid_path(cfg_), ec);
    return code;
  }
  loop_.run(std::chrono::milliseconds(cfg_.live.heartbeat_ms), [this] { heartbeat(); }, [this] { after_each(); });
  // Stopping: no strategy code runs any more; the orders already sent get
  // their answers (market orders their fills) while the feed still runs, then
  // the feed stops and the broker's account has the last word.
  engine_->set_strategies(nullptr);
  if (ready_ && broker_->keeps_account() && !hard_stop_) {
    settle(5s, [this] {
      if (engine_->orders_awaiting_answer() > 0) return false;
      const auto open = engine_->open_orders("");
      return std::none_of(open.begin(), open.end(), [](const Order& o) { return o.type == OrderType::Market; });
    });
  }
  if (ws_) ws_->stop();
  if (ready_ && broker_->keeps_account() && !hard_stop_) {
    bool reconciled = false;
    reconcile("stop", [&reconciled] { reconciled = true; });
    settle(10s, [&reconciled] { return reconciled; });
  }
  loop_.run_pending([this] { after_each(); });
  if (ready_ && closed_day_ != kst_date(clock_->now())) write_report(true);  // a closed day has its report
  if (rest_) {
    std::optional<Status> revoked;
    rest_->revoke([&revoked](Status st) { revoked = std::move(st); });
    settle(5s, [&revoked] { return revoked.has_value(); });
    if (!revoked) {
      log::rest().warn("token revoke: no answer within 5 s");
    } else if (!revoked->ok()) {
      log::rest().warn("token revoke: {}", revoked->message());
    }
  }
  const engine::Summary s = engine::summarize(*engine_, start_equity_);
  (void)store_->finish_run(run_id_, exit_code_ == kExitOk ? "completed" : "failed",
                           json{{"realized", s.realized.value()}, {"unrealized", s.unrealized.value()},
                                {"trades", s.trades}, {"risk_state", to_string(engine_->risk_state())}}
                               .dump(),
                           wall_.now());
  (void)journal_->flush();
  ws_.reset();
  rest_.reset();
  https_.reset();
  io_.reset();
  std::error_code ec;
  fs::remove(pid_path(cfg_), ec);
  terminal_->line(fmt::format("stopped ({})", exit_code_ == kExitOk ? "clean" : "failed"));
  return exit_code_;
}

int Session::start() {
  const auto& b = cfg_.broker;
  const bool sim = b.environment == config::Environment::Simulator;
  mode_ = o_.paper ? "paper" : "live";
  if (b.environment == config::Environment::Real && !o_.paper && !o_.confirm_real && !b.confirm_real_orders) {
    fail("broker.environment is \"real\": orders would spend real money. Confirm with --confirm-real or "
         "broker.confirm_real_orders: true in " + cfg_.path + ", or trade on paper with --paper.");
    return kExitBadInput;
  }
  auto creds = config::load_credentials(cfg_.credentials_file);
  if (!creds.ok()) {
    fail(creds.error().message);
    return kExitBadInput;
  }
  creds_ = *creds;
  if (sim && creds_.app_key.empty()) creds_.app_key = Secret(kSimAppKey);
  if (sim && creds_.secret_key.empty()) creds_.secret_key = Secret(kSimSecretKey);
  if (creds_.app_key.empty() || creds_.secret_key.empty()) {
    fail("no app key or secret key: set DALBIT_APP_KEY and DALBIT_SECRET_KEY, or credentials_file in " + cfg_.path);
    return kExitBadInput;
  }
  log::register_secret(creds_.app_key);
  log::register_secret(creds_.secret_key);
  log::register_secret(creds_.telegram_bot_token);

  // One engine per store and control directory: two would send every order twice.
  if (const auto other = running_pid(cfg_); other && *other != ::getpid()) {
    fail(fmt::format("another dalbit run (pid {}) is using {}; stop it first", *other, cfg_.live.control_dir));
    return kExitFailed;
  }
  if (auto st = write_atomically(pid_path(cfg_), std::to_string(::getpid()) + "\n"); !st.ok()) {
    fail(st.message());
    return kExitFailed;
  }
  std::error_code ec;
  fs::remove(command_path(cfg_), ec);  // a command left from before this process is stale

  // Signals first: every thread created from here on inherits the blocked mask.
  signals_ = std::make_unique<SignalThread>(loop_, [this](int s) { on_signal(s); });
  io_ = std::make_unique<kiwoom::IoThread>();

  kiwoom::HttpsConfig hc;
  if (sim) {
    const int port = o_.broker_port > 0 ? o_.broker_port : b.port;
    if (port <= 0) {
      fail("broker.port is 0: give the simulator's port with --broker-port or broker.port in " + cfg_.path);
      return kExitBadInput;
    }
    hc.host = ws_config_.host = b.host;
    hc.port = ws_config_.port = static_cast<std::uint16_t>(port);
    hc.ca_file = ws_config_.ca_file = o_.ca_file.empty() ? b.ca_file : o_.ca_file;
  } else {
    const auto env = b.environment == config::Environment::Real ? kiwoom::Environment::Real
                                                                : kiwoom::Environment::Mock;
    const auto rest = kiwoom::rest_endpoint(env);
    const auto ws = kiwoom::websocket_endpoint(env);
    hc.host = std::string(rest.host);
    hc.port = rest.port;
    ws_config_.host = std::string(ws.host);
    ws_config_.port = ws.port;
    ws_config_.path = std::string(ws.path);
  }
  auto https = kiwoom::make_https_transport(*io_, hc);
  if (!https.ok()) {
    fail(https.error().message);
    return kExitBadInput;
  }
  https_ = *https;

  if (sim && b.follow_simulator_clock) {
    auto c = simulator_clock(*https_, *io_);
    if (!c.ok()) {
      fail(c.error().message + fmt::format(" (is `dalbit sim` listening on {}:{}?)", hc.host, hc.port));
      return kExitFailed;
    }
    clock_ = std::move(*c);
  } else {
    clock_ = std::make_unique<WallClock>();
  }
  const KstDate today = kst_date(clock_->now());
  if (!trading_day(cfg_, today)) {
    std::printf("dalbit run: %s is not a trading day (a weekend or in market.holidays of %s): nothing to do\n",
                today.str().c_str(), cfg_.path.c_str());
    fs::remove(pid_path(cfg_), ec);
    return kNothingToDo;
  }

  kiwoom::RestClientConfig rc;
  rc.app_key = creds_.app_key;
  rc.secret_key = creds_.secret_key;
  // Rate limits and token expiry are judged in real seconds, whatever the market clock does.
  // Orders get a connection of their own: a query stalled on the wire never delays a stop-loss.
  auto order_https = kiwoom::make_https_transport(*io_, hc);
  if (!order_https.ok()) {
    fail(order_https.error().message);
    return kExitBadInput;
  }
  rest_ = std::make_unique<kiwoom::KiwoomRestClient>(*io_, https_, *order_https, rc, wall_,
                                                     [this](std::function<void()> fn) { loop_.post(std::move(fn)); });

  // The store: what the last run left open, and the risk state it ended in.
  const std::string store_path = o_.store.empty() ? cfg_.store.path : o_.store;
  auto db = store::Store::open(store_path);
  if (!db.ok()) {
    fail(db.error().message);
    return kExitFailed;
  }
  store_ = std::move(*db);
  engine::Engine::RestoredState restored;
  auto open_orders = store_->open_orders(mode_);
  auto max_id = store_->max_order_id(mode_);
  auto known = store_->broker_numbers(mode_);
  auto risk = engine::load_risk_state(*store_, mode_);
  if (!open_orders.ok() || !max_id.ok() || !risk.ok() || !known.ok()) {
    fail("the store " + store_path + ": " +
         (!open_orders.ok() ? open_orders.error().message
          : !max_id.ok()    ? max_id.error().message
          : !known.ok()     ? known.error().message
                            : risk.error().message));
    return kExitFailed;
  }
  restored.orders = std::move(*open_orders);
  restored.next_order_id = *max_id + 1;
  restored.known_broker_nos = std::move(*known);
  if (*risk) {
    restored.risk = (*risk)->state;
    restored.risk_reason = (*risk)->reason;
    restored.risk_since = (*risk)->since;
  }
  auto run = store_->begin_run({mode_, cfg_.path, fmt::format("{}", fmt::join(o_.strategies, ",")),
                                std::string(to_string(b.environment)), wall_.now()});
  if (!run.ok()) {
    fail(run.error().message);
    return kExitFailed;
  }
  run_id_ = *run;
  journal_ = std::make_unique<engine::DurableJournal>(*store_, run_id_, mode_);
  terminal_ = std::make_unique<TerminalJournal>(*journal_, *clock_);

  if (o_.paper) {
    broker_ = std::make_unique<broker::SimBroker>(match::Params{cfg_.fill_model.max_volume_pct, cfg_.fees},
                                                  fmt::format("P{}-", run_id_));
  } else {
    // The broker dates executions and snapshots on the engine's clock; its wait for an
    // acknowledgement stays about 30 real seconds however fast that clock runs.
    const auto* scaled = dynamic_cast<const ScaledClock*>(clock_.get());
    const double speed = scaled ? std::max(1.0, scaled->speed()) : 1.0;
    broker::KiwoomBrokerConfig bc;
    bc.fees = cfg_.fees;
    bc.early_event_ttl = std::chrono::milliseconds(static_cast<std::int64_t>(30'000 * speed));
    auto kb = std::make_unique<broker::KiwoomBroker>(*rest_, *clock_, bc);
    kiwoom_broker_ = kb.get();
    broker_ = std::move(kb);
  }
  engine_ = std::make_unique<engine::Engine>(cfg_, *clock_, *broker_, terminal_.get());
  engine_->restore(restored);

  lua::HostOptions host_options = lua::host_options(cfg_);
  host_options.on_event = [this](const lua::HostEvent& e) { terminal_->line(lua::describe(e)); };
  host_ = std::make_unique<lua::Host>(*engine_, host_options);
  if (auto st = host_->load(o_.strategies, cfg_.strategies); !st.ok()) {
    fail(st.message());
    return kExitBadInput;
  }
  if (auto st = host_->load_risk(o_.risk, cfg_.risk_scripts); !st.ok()) {
    fail(st.message());
    return kExitBadInput;
  }
  strategies_ = std::make_unique<engine::LuaStrategies>(*host_);
  auto watcher = lua::ScriptWatcher::open({{cfg_.lua.strategies_dir, ""}, {cfg_.lua.risk_dir, "risk/"}},
                                          std::chrono::milliseconds(cfg_.lua.reload_debounce_ms));
  if (watcher.ok()) {
    watcher_ = std::move(*watcher);
  } else {
    log::lua().warn("hot reload by file watching is off: {}", watcher.error().message);
  }

  terminal_->banner(fmt::format(
      "dalbit run · {} · {} · {}{}\n  strategies {}{}\n  store {} (run {}) · pid {} · `dalbit kill` halts, "
      "`dalbit reload` reloads scripts",
      o_.paper ? "PAPER (live data, simulated fills)" : "LIVE",
      b.environment == config::Environment::Real
          ? "REAL MONEY on api.kiwoom.com (confirmed by " +
                std::string(o_.confirm_real ? "--confirm-real" : "broker.confirm_real_orders") + ")"
          : b.environment == config::Environment::Mock ? "Kiwoom mock trading (모의투자)"
                                                       : fmt::format("simulator {}:{}", hc.host, hc.port),
      format_kst(clock_->now()),
      sim && b.follow_simulator_clock ? fmt::format(" (simulator clock)") : std::string(),
      fmt::format("{}", fmt::join(o_.strategies, ", ")),
      o_.risk.empty() ? std::string() : fmt::format(" · risk {}", fmt::join(o_.risk, ", ")), store_path, run_id_,
      ::getpid()));
  if (engine_->risk_state() != engine::RiskState::Active) {
    terminal_->line(fmt::format("risk state {} since the last run: {}", to_string(engine_->risk_state()),
                                restored.risk_reason));
  }

  // Paper trading has no account to reconcile with: start at once.
  if (broker_->keeps_account()) {
    reconcile("start");
  } else {
    ready_ = true;
    start_equity_ = engine_->equity();
    engine_->set_strategies(strategies_.get());
    host_->on_init();
    start_market_data();
  }
  return kExitOk;
}

// ------------------------------------------------------------ market data

void Session::start_market_data() {
  kiwoom::WsHandlers h;
  h.on_real = [this](const kiwoom::RealEvent& e) { on_real(e); };
  h.on_connection = [this](bool up) {
    engine_->set_connected(up);
    if (up) {
      terminal_->line("market data connected");
      if (ws_was_up_) reconcile("reconnected");
      ws_was_up_ = true;
    } else {
      terminal_->line("market data connection lost; reconnecting");
    }
  };
  h.on_gap = [this](const kiwoom::WsGap& g) {
    ++gaps_;
    terminal_->line(fmt::format("no market data from {} to {}", format_kst(g.from), format_kst(g.to)));
  };
  h.on_fatal = [this](const Error& e) {
    terminal_->line("market data stopped for good: " + e.message);
    engine_->set_risk_state(engine::RiskState::Halted, "websocket: " + e.message);
    hard_stop_ = true;
    stop(kExitFailed);
  };
  h.on_condition_list = [this](const kiwoom::ConditionList& list) {
    for (const auto& c : list.conditions) {
      condition_seq_[c.name] = c.seq;
      condition_name_[c.seq] = c.name;
    }
    for (const auto& name : host_->subscriptions().conditions) {
      const auto it = condition_seq_.find(name);
      if (it == condition_seq_.end()) {
        terminal_->line("condition \"" + name + "\" is not one of the account's condition-search formulas");
        continue;
      }
      kiwoom::ConditionSearchRequest search;
      search.seq = it->second;
      search.realtime = true;
      ws_->search_condition(std::move(search));
    }
  };
  h.on_condition_search = [this](const kiwoom::ConditionSearchResult& r) {
    const auto name = condition_name_.find(r.seq);
    if (!r.ack.ok() || name == condition_name_.end()) return;
    std::vector<StockCode> codes;
    for (const auto& row : r.rows) {
      codes.push_back(row.code);
      host_->on_condition(row.code, name->second, "enter");
    }
    subscribe(codes);
  };
  ws_ = std::make_unique<kiwoom::KiwoomWsClient>(*io_, ws_config_, kiwoom::rest_token_source(*rest_),
                                                 std::move(h), wall_,
                                                 [this](std::function<void()> fn) { loop_.post(std::move(fn)); });
  ws_->start();
  std::vector<StockCode> codes = cfg_.live.codes;
  const lua::Subscriptions wants = host_->subscriptions();
  codes.insert(codes.end(), wants.watched.begin(), wants.watched.end());
  if (cfg_.broker.environment == config::Environment::Simulator && codes.empty()) {
    // The simulator's market is small: every listed code.
    rest_->call(kiwoom::StockListRequest{}, [this](kiwoom::ApiResult<kiwoom::StockList> list) {
      if (!list) return terminal_->line("the stock list (ka10099): " + list.error().describe());
      std::vector<StockCode> all;
      for (const auto& s : list->stocks) all.push_back(s.code);
      subscribe(all);
    });
  } else if (codes.empty() && wants.conditions.empty()) {
    terminal_->line("no market data to ask for: list codes in live.codes of " + cfg_.path +
                    " or use strategies with a watchlist or condition search");
  }
  subscribe(codes);
  if (!broker_->keeps_account()) {
    // Paper: executions come from the fill model, not the 00 stream.
  } else {
    ws_->subscribe("2", {""}, {std::string(kiwoom::real_type::kOrderExecution), std::string(kiwoom::real_type::kBalance)});
  }
  if (!wants.conditions.empty()) ws_->list_conditions();
}

void Session::subscribe(const std::vector<StockCode>& codes) {
  std::vector<std::string> items;
  for (const StockCode& c : codes) {
    if (subscribed_.insert(c).second) items.push_back(c.str());
  }
  if (items.empty()) return;
  std::vector<std::string> types{std::string(kiwoom::real_type::kTrade)};
  if (host_->subscriptions().book) types.emplace_back(kiwoom::real_type::kOrderBook);
  ws_->subscribe("1", std::move(items), std::move(types));
}

// A trade's time of day on the engine's KST date.
Timestamp on_today(const Clock& clock, TimeOfDay t) { return from_kst(kst_date(clock.now()), t); }

void Session::on_real(const kiwoom::RealEvent& event) {
  if (const auto* t = std::get_if<kiwoom::TradeEvent>(&event)) {
    if (!ready_) return;
    Tick tick;
    tick.time = on_today(*clock_, t->time);
    tick.code = t->instrument.code;
    tick.price = t->price;
    tick.volume = t->volume.qty;
    engine_->on_tick(tick);
  } else if (const auto* o = std::get_if<kiwoom::OrderEvent>(&event)) {
    if (kiwoom_broker_) kiwoom_broker_->on_order_event(*o);
  } else if (const auto* bk = std::get_if<kiwoom::BookEvent>(&event)) {
    if (!ready_) return;
    Book book;
    book.time = on_today(*clock_, bk->time);
    book.code = bk->instrument.code;
    for (const auto& l : bk->asks) {
      if (l.price.value() > 0) book.asks.push_back({l.price, l.qty});
    }
    for (const auto& l : bk->bids) {
      if (l.price.value() > 0) book.bids.push_back({l.price, l.qty});
    }
    host_->on_book(book);
  } else if (const auto* hit = std::get_if<kiwoom::ConditionHit>(&event)) {
    const auto name = condition_name_.find(hit->seq);
    if (!ready_ || name == condition_name_.end()) return;
    const bool enter = hit->action == kiwoom::ConditionAction::Enter;
    if (enter) subscribe({hit->code});
    host_->on_condition(hit->code, name->second, enter ? "enter" : "exit");
  }
  // 04 balances: the periodic drift check compares the whole account instead.
}

// ------------------------------------------------------------ clock-driven work

void Session::heartbeat() {
  retry_reconcile_when_due();  // the first reconciliation too, before anything trades
  if (!ready_) return;
  engine_->on_heartbeat();
  if (kiwoom_broker_) kiwoom_broker_->expire_early_events();
  if (watcher_) {
    for (const auto& name : watcher_->poll(std::chrono::steady_clock::now())) {
      if (host_->has(name)) (void)host_->reload(name);  // the host reports success and failure
    }
  }
  if (engine_->needs_reconcile()) {
    engine_->clear_needs_reconcile();
    reconcile("an order's outcome is unknown");
  }
  const auto now = std::chrono::steady_clock::now();
  if (broker_->keeps_account() && now >= next_drift_check_) {
    next_drift_check_ = now + std::chrono::seconds(cfg_.live.drift_check_s);
    drift_check();
  }
  if (now >= next_scan_) {
    next_scan_ = now + std::chrono::seconds(cfg_.live.scan_interval_s);
    for (const auto& kind : host_->subscriptions().scans) {
      poll_scan(*rest_, kind, [this](const std::string& k, std::vector<ScanItem> items) {
        if (ready_ && !items.empty()) host_->on_scan(k, items);
      });
    }
  }
  const Timestamp t = clock_->now();
  const TimeOfDay day_over{cfg_.market.sessions.close.seconds + kCloseGraceSeconds};
  if (kst_time_of_day(t) >= day_over && closed_day_ != kst_date(t)) {
    close_session();
  }
}

void Session::reconcile(const std::string& why, std::function<void()> then) {
  if (reconciling_ || reconcile_retry_at_) {
    // One at a time: this one starts when the one in flight is done, from a snapshot taken after it.
    queued_reconciles_.push_back({why, std::move(then)});
    return;
  }
  reconciling_ = true;
  broker_->fetch_snapshot([this, why, then](Result<broker::AccountSnapshot> snap) {
    reconciling_ = false;
    if (!snap.ok()) {
      terminal_->line("reconcile (" + why + "): the broker's account is not available: " + snap.error().message +
                      "; trying again");
      // The REST client paces and backs off; this only spaces the attempts, without holding the engine thread.
      reconcile_retry_ = {why, then};
      reconcile_retry_at_ = std::chrono::steady_clock::now() + 500ms;
      return;
    }
    ++reconciliations_;
    for (const auto& o : snap->orders) {
      log::trading().debug("broker order {} {} {} {} x{} filled {} open {}{}", o.broker_no, o.code.str(),
                           to_string(o.side), to_string(o.type), o.qty.value(), o.filled.value(), o.open.value(),
                           o.cancel_order ? " (a cancel)" : "");
    }
    const engine::Engine::ReconcileReport report = engine_->reconcile(*snap);
    terminal_->line(fmt::format("reconciled with the broker ({}): {}", why,
                                report.resolved.empty() ? std::string("no differences")
                                                        : fmt::format("{} resolved", report.resolved.size())));
    for (const auto& line : report.resolved) terminal_->line("  " + line);
    last_drift_.clear();
    if (!ready_) {
      ready_ = true;
      start_equity_ = engine_->equity();
      engine_->set_strategies(strategies_.get());
      host_->on_init();
      start_market_data();
    }
    if (then) then();
    start_queued_reconcile();
  });
}

void Session::start_queued_reconcile() {
  if (queued_reconciles_.empty()) return;
  auto queued = std::move(queued_reconciles_);
  queued_reconciles_.clear();
  std::string why;
  for (const auto& q : queued) why += (why.empty() ? "" : ", ") + q.why;
  reconcile(why, [queued = std::move(queued)] {
    for (const auto& q : queued) {
      if (q.then) q.then();
    }
  });
}

void Session::retry_reconcile_when_due() {
  if (!reconcile_retry_at_ || std::chrono::steady_clock::now() < *reconcile_retry_at_) return;
  reconcile_retry_at_.reset();
  ReconcileRequest retry = std::move(reconcile_retry_);
  reconcile(retry.why, std::move(retry.then));
}

// The engine's view against the broker's. A difference seen once may be an
// execution still on its way; the same difference twice in a row is drift:
// alert, and let the broker's account win.
void Session::drift_check() {
  if (checking_drift_ || reconciling_ || reconcile_retry_at_) return;
  checking_drift_ = true;
  broker_->fetch_snapshot([this](Result<broker::AccountSnapshot> snap) {
    checking_drift_ = false;
    if (!snap.ok()) {
      log::errors().warn("drift check: the broker's account is not available: {}", snap.error().message);
      return;
    }
    std::vector<std::string> drift = engine_->drift(*snap);
    if (!drift.empty() && drift == last_drift_) {
      ++drift_alerts_;
      for (const auto& d : drift) {
        log::errors().error("drift: {}", d);
        terminal_->line("ALERT drift: " + d);
      }
      reconcile("drift");
    }
    last_drift_ = std::move(drift);
  });
}

// At market.close plus a grace for the closing auction's prints and the
// broker's expiry of day orders: the day ends, the account is reconciled one
// last time, then the report and the backup.
void Session::close_session() {
  const KstDate day = kst_date(clock_->now());
  closed_day_ = day;
  engine_->close_day();
  if (broker_->keeps_account()) {
    reconcile("close", [this, day] { finish_day(day); });
  } else {
    finish_day(day);
  }
}

void Session::finish_day(KstDate day) {
  write_report(false);
  // The day's online backup, then retention.
  const std::string backup = (fs::path(cfg_.live.backup_dir) / store::backup_name(day)).string();
  std::error_code ec;
  fs::create_directories(cfg_.live.backup_dir, ec);
  if (auto st = store::backup_database(store_->path(), backup); !st.ok()) {
    terminal_->line("backup failed: " + st.message());
  } else {
    auto pruned = store::prune_backups(cfg_.live.backup_dir, cfg_.live.backup_keep_days, wall_.now());
    terminal_->line(fmt::format("store backed up to {}{}", backup,
                                pruned.ok() && *pruned > 0 ? fmt::format(" ({} old backups removed)", *pruned)
                                                           : std::string()));
  }
  if (o_.until_close) stop(kExitOk);
}

void Session::write_report(bool final) {
  if (!engine_) return;
  const engine::Summary s = engine::summarize(*engine_, start_equity_);
  const auto& st = engine_->stats();
  const KstDate day = kst_date(clock_->now());
  json trades = json::array();
  for (const auto& t : engine_->trades()) {
    trades.push_back({{"order_id", t.order_id}, {"strategy", t.strategy}, {"code", t.code.str()},
                      {"qty", t.qty.value()}, {"avg_sell_price", t.avg_price.value()},
                      {"realized", t.realized.value()}, {"closed", format_kst(t.closed)}});
  }
  json positions = json::array();
  for (const auto& p : s.open_positions) {
    positions.push_back({{"code", p.code.str()}, {"qty", p.qty.value()}, {"avg_price", p.avg_price.value()},
                         {"last", p.last.value()}, {"unrealized", p.unrealized.value()}});
  }
  const json report = {
      {"date", day.str()},
      {"mode", mode_},
      {"environment", to_string(cfg_.broker.environment)},
      {"run_id", run_id_},
      {"strategies", o_.strategies},
      {"risk_scripts", o_.risk},
      {"risk_state", to_string(engine_->risk_state())},
      {"equity", {{"start", start_equity_.value()}, {"end", s.final_equity.value()}, {"cash", s.final_cash.value()}}},
      {"pnl", {{"total", s.pnl.value()}, {"realized", s.realized.value()}, {"unrealized", s.unrealized.value()}}},
      {"fees", {{"commission", s.commission.value()}, {"tax", s.tax.value()}}},
      {"trades", {{"count", s.trades}, {"wins", s.wins}, {"losses", s.losses}, {"win_rate_pct", s.win_rate_pct}}},
      {"orders", {{"submitted", st.orders}, {"fills", st.fills}, {"rejected", st.rejected},
                  {"cancelled", st.cancelled}, {"vetoed", st.vetoes}, {"intents", st.intents},
                  {"duplicate_fills", st.duplicate_fills}, {"broker_anomalies", st.broker_anomalies},
                  {"stop_floor_exits", st.stop_floor_exits}}},
      {"events", {{"ticks", st.ticks}}},
      {"broker", {{"reconciliations", reconciliations_}, {"drift_alerts", drift_alerts_}, {"feed_gaps", gaps_}}},
      {"max_drawdown", {{"won", s.max_drawdown.value()}, {"pct", s.max_drawdown_pct}}},
      {"open_positions", positions},
      {"trade_list", trades},
  };
  const std::string path =
      (fs::path(cfg_.live.report_dir) / fmt::format("session-{}-{}.json", day.str(), mode_)).string();
  if (auto w = write_atomically(path, report.dump(2) + "\n"); !w.ok()) log::errors().error("session report: {}", w.message());
  terminal_->report(fmt::format(
      "session report {} · {}{}\n"
      "  trades        {} ({} won, {} lost, win rate {:.1f} %)\n"
      "  P&L           {:+} won: realized {:+}, unrealized {:+}\n"
      "  fees and tax  commission {}, tax {}\n"
      "  orders        {} ({} fills, {} cancelled, {} rejected), {} vetoed\n"
      "  broker        {} reconciliations, {} drift alerts, {} feed gaps · risk state {}\n"
      "  open          {} positions · equity {} -> {} won\n"
      "  written to    {}",
      day.str(), mode_, final ? " (final)" : "", s.trades, s.wins, s.losses, s.win_rate_pct,
      s.pnl.value(), s.realized.value(), s.unrealized.value(), s.commission.value(), s.tax.value(), st.orders,
      st.fills, st.cancelled, st.rejected, st.vetoes, reconciliations_, drift_alerts_, gaps_,
      to_string(engine_->risk_state()), s.open_positions.size(), start_equity_.value(), s.final_equity.value(),
      path));
  log::trading().info("session report written to {}", path);
}

// ------------------------------------------------------------ control

void Session::on_signal(int s) {
  switch (s) {
    case SIGHUP: {
      terminal_->line("SIGHUP: reloading every script");
      if (auto st = host_->reload_all(); !st.ok()) terminal_->line("reload: " + st.message());
      break;
    }
    case SIGUSR1: run_command_file(); break;
    default:
      terminal_->line(s == SIGINT ? "SIGINT: stopping" : "SIGTERM: stopping");
      stop(kExitOk);
  }
}

// `dalbit kill|resume` wrote what it wants into the control directory and sent SIGUSR1.
void Session::run_command_file() {
  std::ifstream in(command_path(cfg_));
  std::stringstream text;
  text << in.rdbuf();
  std::error_code ec;
  fs::remove(command_path(cfg_), ec);
  const auto j = nlohmann::json::parse(text.str(), nullptr, false);
  if (!j.is_object() || !j.contains("command")) {
    terminal_->line("SIGUSR1 without a readable " + command_path(cfg_) + ": ignored");
    return;
  }
  const std::string command = j.value("command", "");
  const std::string reason = j.value("reason", "");
  if (command == "kill") {
    const bool flatten = j.value("flatten", false);
    terminal_->line(fmt::format("KILL{}: {}", flatten ? " and flatten" : "", reason));
    engine_->kill(flatten, reason.empty() ? "dalbit kill" : reason);
  } else if (command == "resume") {
    terminal_->line("RESUME: " + reason);
    engine_->set_risk_state(engine::RiskState::Active, reason.empty() ? "dalbit resume" : reason);
  } else {
    terminal_->line("unknown command \"" + command + "\" in " + command_path(cfg_));
  }
}

void Session::stop(int code) {
  if (code != kExitOk) exit_code_ = code;
  loop_.stop();
}

void Session::settle(std::chrono::milliseconds timeout, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    retry_reconcile_when_due();
    loop_.run_pending([this] { after_each(); });
    std::this_thread::sleep_for(5ms);
  }
}

void Session::after_each() {
  if (!journal_) return;
  (void)journal_->flush();  // a failure shows in status()
  // An engine that cannot journal must not trade: what it sends would be unrecorded.
  if (!journal_->status().ok() && engine_ && engine_->risk_state() != engine::RiskState::Halted) {
    terminal_->line("the store failed: " + journal_->status().message() + "; halting");
    engine_->kill(false, "store write failed");
  }
}

}  // namespace

int run(const RunOptions& o) {
  auto cfg = config::load(o.config);
  if (!cfg.ok()) {
    std::fprintf(stderr, "%s\n", cfg.error().message.c_str());
    return kExitBadInput;
  }
  if (o.strategies.empty()) {
    fail("--strategies: name at least one strategy");
    return kExitBadInput;
  }
  log::init({.dir = cfg->logging.dir, .level = cfg->logging.level,
             .console_level = o.verbose ? cfg->logging.level : "warn",
             .retention_days = cfg->logging.retention_days, .console = cfg->logging.console});
  Session session(o, std::move(*cfg));
  return session.run();
}

int control(const ControlOptions& o) {
  auto cfg = config::load(o.config);
  if (!cfg.ok()) {
    std::fprintf(stderr, "%s\n", cfg.error().message.c_str());
    return kExitBadInput;
  }
  const auto pid = running_pid(*cfg);
  if (!pid) {
    if (o.command == "reload") {
      std::fprintf(stderr, "dalbit reload: no dalbit run is running (no live pid in %s)\n", pid_path(*cfg).c_str());
      return kExitFailed;
    }
    // Not running: the state is written where the next start reads it.
    auto db = store::Store::open(cfg->store.path);
    if (!db.ok()) {
      std::fprintf(stderr, "dalbit %s: %s\n", o.command.c_str(), db.error().message.c_str());
      return kExitFailed;
    }
    const auto state = o.command == "kill" ? engine::RiskState::Halted : engine::RiskState::Active;
    WallClock wall;
    if (auto st = engine::save_risk_state(**db, "live",
                                          {state, o.reason.empty() ? "dalbit " + o.command : o.reason,
                                           kst_date(wall.now())});
        !st.ok()) {
      std::fprintf(stderr, "dalbit %s: %s\n", o.command.c_str(), st.message().c_str());
      return kExitFailed;
    }
    std::printf("dalbit %s: no engine is running; the store %s now says %s for the next start%s\n",
                o.command.c_str(), cfg->store.path.c_str(), std::string(to_string(state)).c_str(),
                o.flatten ? " (--flatten needs a running engine: nothing was sold)" : "");
    return o.flatten ? kExitFailed : kExitOk;
  }
  if (o.command == "reload") {
    if (::kill(*pid, SIGHUP) != 0) {
      std::fprintf(stderr, "dalbit reload: cannot signal pid %d: %s\n", *pid, std::strerror(errno));
      return kExitFailed;
    }
    std::printf("dalbit reload: asked pid %d to reload every script (see its terminal or log)\n", *pid);
    return kExitOk;
  }
  const json command = {{"command", o.command}, {"flatten", o.flatten}, {"reason", o.reason}};
  if (auto st = write_atomically(command_path(*cfg), command.dump()); !st.ok()) {
    std::fprintf(stderr, "dalbit %s: %s\n", o.command.c_str(), st.message().c_str());
    return kExitFailed;
  }
  if (::kill(*pid, SIGUSR1) != 0) {
    std::fprintf(stderr, "dalbit %s: cannot signal pid %d: %s\n", o.command.c_str(), *pid, std::strerror(errno));
    return kExitFailed;
  }
  std::printf("dalbit %s: sent to pid %d\n", o.command.c_str(), *pid);
  return kExitOk;
}

}  // namespace dalbit::live
