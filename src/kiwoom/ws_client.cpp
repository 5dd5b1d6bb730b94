#include "kiwoom/ws_client.h"

#include <algorithm>
#include <deque>
#include <future>
#include <optional>
#include <type_traits>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <fmt/format.h>

#include "kiwoom/io_thread.h"
#include "kiwoom/subscriptions.h"
#include "log/log.h"
#include "net/tls.h"

namespace dalbit::kiwoom {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

SteadyClock::duration steady(Duration d) { return std::chrono::duration_cast<SteadyClock::duration>(d); }

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

TokenSource rest_token_source(KiwoomRestClient& rest) {
  return [&rest](bool fresh, std::function<void(Result<Secret>)> done) { rest.with_token(fresh, std::move(done)); };
}

struct KiwoomWsClient::Impl : std::enable_shared_from_this<Impl> {
  enum class State : std::uint8_t { Stopped, Connecting, LoggingIn, Ready, Waiting };

  // One connection; handlers of an older one find it is no longer current.
  struct Conn {
    Conn(asio::io_context& io, ssl::context& ctx) : ws(io, ctx), resolver(io) {}
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws;
    tcp::resolver resolver;
    beast::flat_buffer buffer;
    std::deque<std::string> outbox;
    bool writing = false;
    // REG/REMOVE sent on this session and not yet acknowledged, oldest first.
    std::deque<RegRequest> awaiting_ack;
  };

  Impl(IoThread& io, WsClientConfig config, TokenSource tokens, WsHandlers handlers, const Clock& clock,
       Deliver deliver)
      : io_(io), config_(std::move(config)), tokens_(std::move(tokens)), handlers_(std::move(handlers)),
        clock_(clock), deliver_(std::move(deliver)), ssl_ctx_(ssl::context::tls_client),
        backoff_(config_.backoff, config_.seed), idle_(io.context()), login_(io.context()),
        retry_(io.context()), resolve_timer_(io.context()) {
    ctx_status_ = net::configure_client(ssl_ctx_, config_.ca_file);
  }

  template <class F>
  void emit(F&& f) {
    if (deliver_) deliver_(std::function<void()>(std::forward<F>(f)));
    else f();
  }

  // ------------------------------------------------------------ lifecycle

  void start() {
    if (state_ != State::Stopped || fatal_) return;
    if (!ctx_status_) return fail_for_good(Error{"websocket: " + ctx_status_.message()});
    stopped_ = false;
    connect(false);
  }

  void stop() {
    stopped_ = true;
    retry_.cancel();
    close_conn();
    state_ = State::Stopped;
  }

  void connect(bool fresh_token) {
    state_ = State::Connecting;
    tokens_(fresh_token, [weak = weak_from_this()](Result<Secret> token) {
      auto self = weak.lock();
      if (!self || self->stopped_ || self->state_ != State::Connecting) return;
      if (!token) return self->lost(nullptr, "no token for LOGIN: " + token.error().message);
      self->token_ = std::move(*token);
      self->open();
    });
  }

  void open() {
    auto c = std::make_shared<Conn>(io_.context(), ssl_ctx_);
    conn_ = c;
    if (!is_ip_literal(config_.host) &&
        !SSL_set_tlsext_host_name(c->ws.next_layer().native_handle(), config_.host.c_str())) {
      return lost(c, "SNI could not be set");
    }
    c->ws.next_layer().set_verify_callback(ssl::host_name_verification(config_.host));
    auto self = shared_from_this();
    resolve_timer_.expires_after(steady(config_.connect_timeout));
    resolve_timer_.async_wait([c](boost::system::error_code ec) {
      if (!ec) c->resolver.cancel();
    });
    c->resolver.async_resolve(config_.host, std::to_string(config_.port),
                              [self, c](boost::system::error_code ec, tcp::resolver::results_type results) {
                                self->resolve_timer_.cancel();
                                if (!self->current(c)) return;
                                if (ec) return self->lost(c, "resolve: " + ec.message());
                                self->tcp_connect(c, results);
                              });
  }

  void tcp_connect(const std::shared_ptr<Conn>& c, const tcp::resolver::results_type& results) {
    auto& tcp_layer = beast::get_lowest_layer(c->ws);
    tcp_layer.expires_after(steady(config_.connect_timeout));
    tcp_layer.async_connect(results, [self = shared_from_this(), c](boost::system::error_code ec, const tcp::endpoint&) {
      if (!self->current(c)) return;
      if (ec) return self->lost(c, self->describe("connect", ec));
      beast::get_lowest_layer(c->ws).expires_after(steady(self->config_.handshake_timeout));
      c->ws.next_layer().async_handshake(ssl::stream_base::client, [self, c](boost::system::error_code ec2) {
        if (!self->current(c)) return;
        if (ec2) return self->lost(c, self->describe("TLS handshake", ec2));
        self->upgrade(c);
      });
    });
  }

  void upgrade(const std::shared_ptr<Conn>& c) {
    beast::get_lowest_layer(c->ws).expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = steady(config_.handshake_timeout);
    t.idle_timeout = websocket::stream_base::none();  // our own idle timer reports it
    t.keep_alive_pings = false;
    c->ws.set_option(t);
    const std::string host = fmt::format("{}:{}", config_.host, config_.port);
    c->ws.async_handshake(host, config_.path, [self = shared_from_this(), c](boost::system::error_code ec) {
      if (!self->current(c)) return;
      if (ec) return self->lost(c, self->describe("websocket upgrade", ec));
      self->login(c);
    });
  }

  void login(const std::shared_ptr<Conn>& c) {
    state_ = State::LoggingIn;
    write(c, build_login(token_));
    login_.expires_after(steady(config_.login_timeout));
    login_.async_wait([weak = weak_from_this(), c](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || ec || !self->current(c) || self->state_ != State::LoggingIn) return;
      self->lost(c, "no LOGIN answer in time");
    });
    last_frame_ = SteadyClock::now();
    arm_idle(c, config_.idle_timeout);
    read(c);
  }

  void on_logged_in(const std::shared_ptr<Conn>& c) {
    state_ = State::Ready;
    login_.cancel();
    backoff_.reset();
    ++stats_.sessions;
    log::ws().info("logged in ({}:{}), restoring {} subscriptions", config_.host, config_.port, tracker_.pairs());
    for (const auto& r : tracker_.restore()) write_reg(c, r);
    for (const auto& s : tracker_.conditions()) write(c, build_condition_search(s));
    while (!waiting_frames_.empty()) {
      write(c, std::move(waiting_frames_.front()));
      waiting_frames_.pop_front();
    }
    if (lost_at_) {
      const WsGap gap{*lost_at_, clock_.now()};
      lost_at_.reset();
      log::ws().warn("feed gap from {} to {}", format_kst(gap.from), format_kst(gap.to));
      if (handlers_.on_gap) emit([h = handlers_.on_gap, gap] { h(gap); });
    }
    if (handlers_.on_connection) emit([h = handlers_.on_connection] { h(true); });
  }

  // A session ended. Unless stopped, try again after a back-off.
  void lost(const std::shared_ptr<Conn>& c, const std::string& why, bool fresh_token = false) {
    if (c && !current(c)) return;
    const bool was_ready = state_ == State::Ready;
    close_conn();
    log::ws().warn("websocket {}:{}: {}", config_.host, config_.port, why);
    if (was_ready) {
      lost_at_ = clock_.now();
      if (handlers_.on_connection) emit([h = handlers_.on_connection] { h(false); });
    }
    if (stopped_) {
      state_ = State::Stopped;
      return;
    }
    ++stats_.reconnects;
    state_ = State::Waiting;
    const Duration delay = backoff_.next();
    log::ws().info("reconnecting in {} ms", std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
    retry_.expires_after(steady(delay));
    retry_.async_wait([weak = weak_from_this(), fresh_token](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || ec || self->stopped_ || self->state_ != State::Waiting) return;
      self->connect(fresh_token);
    });
  }

  void fail_for_good(const Error& e) {
    fatal_ = true;
    log::ws().error("websocket stopped: {}", e.message);
    stop();
    if (handlers_.on_fatal) emit([h = handlers_.on_fatal, e] { h(e); });
  }

  void close_conn() {
    login_.cancel();
    idle_.cancel();
    if (!conn_) return;
    boost::system::error_code ignored;
    auto& sock = beast::get_lowest_layer(conn_->ws).socket();
    sock.shutdown(tcp::socket::shutdown_both, ignored);
    sock.close(ignored);
    conn_.reset();
  }

  bool current(const std::shared_ptr<Conn>& c) const { return c && c == conn_; }

  std::string describe(const char* step, const boost::system::error_code& ec) const {
    if (ec == beast::error::timeout) return fmt::format("{} timed out", step);
    return fmt::format("{}: {}", step, ec.message());
  }

  // Fires at the deadline; a frame since then moves the deadline instead of
  // re-arming the timer per frame.
  void arm_idle(const std::shared_ptr<Conn>& c, Duration after) {
    idle_.expires_after(steady(after));
    idle_.async_wait([weak = weak_from_this(), c](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || ec || !self->current(c)) return;
      const auto quiet = SteadyClock::now() - self->last_frame_;
      if (quiet < steady(self->config_.idle_timeout)) {
        return self->arm_idle(c, self->config_.idle_timeout - std::chrono::duration_cast<Duration>(quiet));
      }
      ++self->stats_.idle_timeouts;
      self->lost(c, fmt::format("no frame for {} ms: the feed is dead",
                                std::chrono::duration_cast<std::chrono::milliseconds>(quiet).count()));
    });
  }

  // ------------------------------------------------------------ I/O

  void read(const std::shared_ptr<Conn>& c) {
    c->ws.async_read(c->buffer, [self = shared_from_this(), c](boost::system::error_code ec, std::size_t) {
      if (!self->current(c)) return;
      if (ec) return self->lost(c, self->describe("read", ec));
      self->last_frame_ = SteadyClock::now();
      const std::string frame = beast::buffers_to_string(c->buffer.data());
      c->buffer.consume(c->buffer.size());
      self->on_frame(c, frame);
      if (self->current(c)) self->read(c);
    });
  }

  void write_reg(const std::shared_ptr<Conn>& c, const RegRequest& r) {
    c->awaiting_ack.push_back(r);
    write(c, build_reg(r));
  }

  void write(const std::shared_ptr<Conn>& c, std::string frame) {
    c->outbox.push_back(std::move(frame));
    if (!c->writing) do_write(c);
  }

  void do_write(const std::shared_ptr<Conn>& c) {
    c->writing = true;
    c->ws.text(true);
    c->ws.async_write(asio::buffer(c->outbox.front()), [self = shared_from_this(), c](boost::system::error_code ec,
                                                                                        std::size_t) {
      c->writing = false;
      if (!self->current(c)) return;
      if (ec) return self->lost(c, self->describe("write", ec));
      c->outbox.pop_front();
      if (!c->outbox.empty()) self->do_write(c);
    });
  }

  // Sent now when logged in, else after the next LOGIN.
  void send_or_hold(std::string frame) {
    if (state_ == State::Ready) return write(conn_, std::move(frame));
    waiting_frames_.push_back(std::move(frame));
  }

  // ------------------------------------------------------------ frames

  void bad_frame(std::string_view trnm, std::string_view type, std::string_view what) {
    ++stats_.bad_frames;
    log::ws().warn("skipped a frame (trnm {}, type {}): {}", trnm.empty() ? "?" : trnm, type.empty() ? "-" : type,
                   what);
  }

  void on_frame(const std::shared_ptr<Conn>& c, const std::string& frame) {
    WsMessage msg = parse_ws_message(frame);
    if (auto* ping = std::get_if<Ping>(&msg)) {
      ++stats_.pings;
      return write(c, std::move(ping->frame));
    }
    if (auto* notice = std::get_if<SystemNotice>(&msg)) return on_system(*notice);
    if (auto* error = std::get_if<WsError>(&msg)) return bad_frame(error->trnm, error->type, error->message);
    if (auto* result = std::get_if<LoginResult>(&msg)) return on_login_result(c, *result);
    if (state_ != State::Ready) return bad_frame("", "", "a message before the LOGIN answer");
    std::visit(
        [&](auto& m) {
          using T = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<T, Real>) {
            on_real(m);
          } else if constexpr (std::is_same_v<T, RegResult>) {
            on_reg_result(c, m);
          } else if constexpr (std::is_same_v<T, ConditionList>) {
            if (handlers_.on_condition_list) emit([h = handlers_.on_condition_list, m] { h(m); });
          } else if constexpr (std::is_same_v<T, ConditionSearchResult>) {
            if (!m.ack.ok()) log::ws().warn("CNSRREQ {} refused: {}", m.seq, m.ack.return_msg);
            if (handlers_.on_condition_search) emit([h = handlers_.on_condition_search, m] { h(m); });
          } else if constexpr (std::is_same_v<T, ConditionClearResult>) {
            if (handlers_.on_condition_clear) emit([h = handlers_.on_condition_clear, m] { h(m); });
          }
        },
        msg);
  }

  void on_reg_result(const std::shared_ptr<Conn>& c, const RegResult& r) {
    const std::string_view trnm = r.remove ? trnm::kRemove : trnm::kReg;
    auto& awaiting = c->awaiting_ack;
    const auto sent =
        std::find_if(awaiting.begin(), awaiting.end(), [&](const RegRequest& q) { return q.remove == r.remove; });
    if (sent == awaiting.end()) return bad_frame(trnm, "", "an answer to no request");
    const std::string group = sent->group;
    awaiting.erase(sent);
    if (r.ack.ok()) return;
    const std::string message = fmt::format("{} refused: {} {}", trnm, r.ack.return_code, r.ack.return_msg);
    log::ws().warn("group {}: {}", group, message);
    if (handlers_.on_subscription_error) {
      emit([h = handlers_.on_subscription_error, group, message] { h(group, message); });
    }
  }

  void on_real(const Real& real) {
    for (const auto& entry : real.entries) {
      RealEvent ev = decode_real(entry);
      if (auto* e = std::get_if<WsError>(&ev)) {
        bad_frame("REAL", entry.type, e->message);
        continue;
      }
      ++stats_.reals;
      if (handlers_.on_real) emit([h = handlers_.on_real, ev = std::move(ev)] { h(ev); });
    }
  }

  // Logged, never echoed (the server closes a session that echoes one).
  void on_system(const SystemNotice& n) {
    ++stats_.system_notices;
    log::ws().warn("SYSTEM {}: {}", n.code, n.message);
    if (n.code == ws_code::kDuplicateSession) {
      fail_for_good(Error{"SYSTEM " + n.code + ": another session logged in with this app key"});
    }
  }

  void on_login_result(const std::shared_ptr<Conn>& c, const LoginResult& r) {
    if (state_ != State::LoggingIn) return bad_frame("LOGIN", "", "an answer to no LOGIN");
    if (r.ack.ok()) return on_logged_in(c);
    const bool token = r.error && r.error->kind == ErrorKind::TokenInvalid;
    lost(c, fmt::format("LOGIN refused: {} {}", r.ack.return_code, r.ack.return_msg), token);
  }

  // ------------------------------------------------------------ requests

  void subscribe(const std::string& group, const std::vector<std::string>& items,
                 const std::vector<std::string>& types) {
    for (const auto& r : tracker_.add(group, items, types))
      if (state_ == State::Ready) write_reg(conn_, r);
  }

  void unsubscribe(const std::string& group, const std::vector<std::string>& items,
                   const std::vector<std::string>& types) {
    for (const auto& r : tracker_.remove(group, items, types))
      if (state_ == State::Ready) write_reg(conn_, r);
  }

  void search_condition(const ConditionSearchRequest& request) {
    if (request.realtime) {
      const auto active = tracker_.conditions();
      const bool known = std::any_of(active.begin(), active.end(), [&](const auto& c) { return c.seq == request.seq; });
      if (!known && active.size() >= static_cast<std::size_t>(ws_code::kMaxRealtimeConditions)) {
        log::ws().error("real-time condition {} not started: {} are active, the most one login may hold",
                        request.seq, active.size());
        return;
      }
      tracker_.add_condition(request);
      if (state_ == State::Ready) write(conn_, build_condition_search(request));
      return;
    }
    send_or_hold(build_condition_search(request));
  }

  void clear_condition(const std::string& seq) {
    tracker_.remove_condition(seq);
    // A new session has nothing to clear.
    if (state_ == State::Ready) write(conn_, build_condition_clear(seq));
  }

  IoThread& io_;
  WsClientConfig config_;
  TokenSource tokens_;
  WsHandlers handlers_;
  const Clock& clock_;
  Deliver deliver_;
  ssl::context ssl_ctx_;
  Status ctx_status_;
  Backoff backoff_;
  asio::steady_timer idle_;
  asio::steady_timer login_;
  asio::steady_timer retry_;
  asio::steady_timer resolve_timer_;
  std::shared_ptr<Conn> conn_;
  State state_ = State::Stopped;
  bool stopped_ = true;
  bool fatal_ = false;
  Secret token_;
  SteadyClock::time_point last_frame_{};
  std::optional<Timestamp> lost_at_;
  SubscriptionTracker tracker_;
  std::deque<std::string> waiting_frames_;
  WsClientStats stats_;
};

KiwoomWsClient::KiwoomWsClient(IoThread& io, WsClientConfig config, TokenSource tokens, WsHandlers handlers,
                               const Clock& clock, Deliver deliver)
    : impl_(std::make_shared<Impl>(io, std::move(config), std::move(tokens), std::move(handlers), clock,
                                   std::move(deliver))) {}

KiwoomWsClient::~KiwoomWsClient() {
  auto impl = std::move(impl_);
  IoThread& io = impl->io_;
  if (io.on_this_thread()) {
    impl->handlers_ = {};
    impl->stop();
    return;
  }
  std::promise<void> gone;
  io.post([&gone, impl = std::move(impl)]() mutable {
    impl->handlers_ = {};
    impl->stop();
    impl.reset();
    gone.set_value();
  });
  gone.get_future().wait();
}

void KiwoomWsClient::start() {
  impl_->io_.post([impl = impl_] { impl->start(); });
}

void KiwoomWsClient::stop() {
  impl_->io_.post([impl = impl_] { impl->stop(); });
}

void KiwoomWsClient::subscribe(std::string group, std::vector<std::string> items, std::vector<std::string> types) {
  impl_->io_.post([impl = impl_, group = std::move(group), items = std::move(items), types = std::move(types)] {
    impl->subscribe(group, items, types);
  });
}

void KiwoomWsClient::unsubscribe(std::string group, std::vector<std::string> items, std::vector<std::string> types) {
  impl_->io_.post([impl = impl_, group = std::move(group), items = std::move(items), types = std::move(types)] {
    impl->unsubscribe(group, items, types);
  });
}

void KiwoomWsClient::list_conditions() {
  impl_->io_.post([impl = impl_] { impl->send_or_hold(build_condition_list()); });
}

void KiwoomWsClient::search_condition(ConditionSearchRequest request) {
  impl_->io_.post([impl = impl_, request = std::move(request)] { impl->search_condition(request); });
}

void KiwoomWsClient::clear_condition(std::string seq) {
  impl_->io_.post([impl = impl_, seq = std::move(seq)] { impl->clear_condition(seq); });
}

WsClientStats KiwoomWsClient::stats() const {
  if (impl_->io_.on_this_thread()) return impl_->stats_;
  std::promise<WsClientStats> p;
  impl_->io_.post([&p, impl = impl_] { p.set_value(impl->stats_); });
  return p.get_future().get();
}

}  // namespace dalbit::kiwoom
