#include "sim/server.h"

#include <cstdio>
#include <deque>
#include <future>
#include <map>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include "kiwoom/protocol.h"
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
using error_code = boost::system::error_code;

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr std::string_view kAdminPrefix = "/admin/";
constexpr std::string_view kClockPath = "/admin/clock";

beast::string_view sv(std::string_view s) { return {s.data(), s.size()}; }

// "2026-01-05 09:30:00.000": always with milliseconds, so a client parses one
// shape (format_kst drops a zero fraction).
std::string format_kst_millis(Timestamp t) {
  const KstDateTime k = to_kst(t);
  const int h = k.time.seconds / 3600, m = k.time.seconds / 60 % 60, s = k.time.seconds % 60;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d:%02d.%03d", k.date.str().c_str(), h, m, s,
                static_cast<int>(k.nanos / 1'000'000));
  return buf;
}

}  // namespace

struct Server::Impl {
  asio::io_context io;
  ssl::context tls{ssl::context::tls_server};
  tcp::acceptor acceptor{io};
  asio::steady_timer market_timer{io};
  asio::steady_timer ping_timer{io};
  Service service;
  ServerOptions options;
  std::string cert_pem;
  std::thread thread;
  bool stopped = false;
  std::chrono::steady_clock::time_point wall_start = std::chrono::steady_clock::now();
  Timestamp sim_start;
  std::chrono::nanoseconds admin_offset{0};  // simulated time added by /admin/advance

  struct WsSession;
  std::map<SessionId, std::weak_ptr<WsSession>> ws_sessions;
  std::vector<std::weak_ptr<beast::ssl_stream<beast::tcp_stream>>> http_streams;

  Impl(SimOptions sim, ServerOptions opts)
      : service(sim, std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now())),
        options(std::move(opts)),
        sim_start(sim.start) {}

  void flush();
  HttpAnswer clock_answer(const std::string& body);
  void accept();
  void schedule_market();
  void schedule_ping();
  Timestamp sim_time() const {
    const auto real = std::chrono::steady_clock::now() - wall_start;
    const auto simulated = std::chrono::duration_cast<Duration>(
        std::chrono::duration<double, std::nano>(static_cast<double>(real.count()) * options.speed));
    return sim_start + simulated + admin_offset;
  }
};

// ---------------------------------------------------------------- WebSocket

struct Server::Impl::WsSession : std::enable_shared_from_this<WsSession> {
  Impl& impl;
  SessionId id;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws;
  beast::flat_buffer buffer;
  std::deque<std::string> outbox;
  bool closing = false;

  WsSession(Impl& i, beast::ssl_stream<beast::tcp_stream>&& stream)
      : impl(i), id(i.service.open_session()), ws(std::move(stream)) {}

  void start(http::request<http::string_body> req) {
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    impl.ws_sessions[id] = weak_from_this();
    ws.async_accept(req, [self = shared_from_this()](error_code ec) {
      if (ec) return self->finish();
      self->read();
    });
  }

  void read() {
    ws.async_read(buffer, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->finish();
      const std::string frame = beast::buffers_to_string(self->buffer.data());
      self->buffer.consume(self->buffer.size());
      self->impl.service.on_frame(self->id, frame,
                                  std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()));
      self->impl.flush();
      self->read();
    });
  }

  void send(std::string frame, bool close) {
    if (closing) return;
    if (!frame.empty()) outbox.push_back(std::move(frame));
    if (close) closing = true;
    if (outbox.size() == 1 || (outbox.empty() && close)) write_next();
  }

  void write_next() {
    if (outbox.empty()) {
      if (closing) {
        ws.async_close(websocket::close_code::normal, [self = shared_from_this()](error_code) { self->finish(); });
      }
      return;
    }
    ws.text(true);
    ws.async_write(asio::buffer(outbox.front()), [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->finish();
      self->outbox.pop_front();
      self->write_next();
    });
  }

  void finish() {
    impl.service.close_session(id);
    impl.ws_sessions.erase(id);
    error_code ignored;
    beast::get_lowest_layer(ws).socket().close(ignored);
  }
};

void Server::Impl::flush() {
  for (auto& p : service.take_pushes()) {
    const auto it = ws_sessions.find(p.session);
    if (it == ws_sessions.end()) continue;
    if (auto s = it->second.lock()) s->send(std::move(p.frame), p.close);
  }
}

// The market's clock for a client to follow (`dalbit run` against the
// simulator): the service is first moved to the server's clock, so the answer
// is not a market step stale, and the speed lets the client extrapolate.
HttpAnswer Server::Impl::clock_answer(const std::string& body) {
  HttpAnswer a;
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    a.status = 400;
    a.body = R"({"error":"the body must be a JSON object"})";
    return a;
  }
  if (options.speed > 0) service.advance(sim_time());
  a.body = nlohmann::json{{"now", format_kst_millis(service.sim_now())}, {"speed", options.speed}}.dump();
  return a;
}

// ---------------------------------------------------------------- HTTPS

namespace {

struct HttpSession : std::enable_shared_from_this<HttpSession> {
  Server::Impl& impl;
  std::shared_ptr<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  std::shared_ptr<http::response<http::string_body>> res;
  asio::steady_timer delay;

  HttpSession(Server::Impl& i, tcp::socket&& socket)
      : impl(i),
        stream(std::make_shared<beast::ssl_stream<beast::tcp_stream>>(std::move(socket), i.tls)),
        delay(i.io) {}

  void start() {
    impl.http_streams.push_back(stream);
    beast::get_lowest_layer(*stream).expires_after(kHandshakeTimeout);
    stream->async_handshake(ssl::stream_base::server, [self = shared_from_this()](error_code ec) {
      if (ec) return;
      self->read();
    });
  }

  void read() {
    req = {};
    beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(60));
    http::async_read(*stream, buffer, req, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return;
      self->handle();
    });
  }

  static std::string header(const http::request<http::string_body>& r, std::string_view name) {
    const auto it = r.find(sv(name));
    return it == r.end() ? std::string() : std::string(it->value());
  }

  void handle() {
    const std::string target(req.target());
    if (websocket::is_upgrade(req)) {
      if (target != kw::path::kWebSocket) return reply_plain(http::status::not_found, R"({"error":"no such path"})");
      beast::get_lowest_layer(*stream).expires_never();
      auto ws = std::make_shared<Server::Impl::WsSession>(impl, std::move(*stream));
      ws->start(std::move(req));
      return;
    }
    if (target.rfind(kAdminPrefix, 0) == 0) {
      error_code ec;
      const auto peer = beast::get_lowest_layer(*stream).socket().remote_endpoint(ec);
      if (ec || !peer.address().is_loopback() || req.method() != http::verb::post) {
        return reply_plain(http::status::forbidden, R"({"error":"admin is POST from loopback only"})");
      }
      HttpAnswer a =
          target == kClockPath ? impl.clock_answer(req.body()) : impl.service.handle_admin(target, req.body());
      if (target == "/admin/advance" && a.status == 200) {
        impl.admin_offset = impl.service.sim_now() - impl.sim_time() + impl.admin_offset;
      }
      impl.flush();
      return reply(a);
    }
    if (req.method() != http::verb::post) {
      return reply_plain(http::status::method_not_allowed, R"({"error":"Kiwoom REST calls are POST"})");
    }
    HttpCall call{target,
                  header(req, kw::header::kApiId),
                  header(req, kw::header::kAuthorization),
                  header(req, kw::header::kContYn),
                  header(req, kw::header::kNextKey),
                  req.body()};
    HttpAnswer a = impl.service.handle_rest(call, std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()));
    if (a.drop) {
      error_code ignored;
      beast::get_lowest_layer(*stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(*stream).socket().close(ignored);
      return;
    }
    if (a.pushes_first) impl.flush();
    if (a.delay.count() > 0) {
      delay.expires_after(a.delay);
      delay.async_wait([self = shared_from_this(), a = std::move(a)](error_code ec) {
        if (ec) return;
        self->reply(a);
        self->impl.flush();
      });
      return;
    }
    reply(a);
    impl.flush();
  }

  void reply_plain(http::status status, std::string body) {
    HttpAnswer a;
    a.status = static_cast<int>(status);
    a.body = std::move(body);
    reply(a);
  }

  void reply(const HttpAnswer& a) {
    res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(a.status), req.version());
    res->set(http::field::content_type, sv(kw::header::kJsonContentType));
    if (!a.api_id.empty()) res->set(sv(kw::header::kApiId), a.api_id);
    if (!a.cont_yn.empty()) res->set(sv(kw::header::kContYn), a.cont_yn);
    if (!a.next_key.empty()) res->set(sv(kw::header::kNextKey), a.next_key);
    res->keep_alive(req.keep_alive());
    res->body() = a.body;
    res->prepare_payload();
    http::async_write(*stream, *res, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec || !self->res->keep_alive()) {
        error_code ignored;
        beast::get_lowest_layer(*self->stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
        return;
      }
      self->read();
    });
  }
};

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec) return;  // closed by stop()
    std::erase_if(http_streams, [](const auto& weak) { return weak.expired(); });
    std::make_shared<HttpSession>(*this, std::move(socket))->start();
    accept();
  });
}

void Server::Impl::schedule_market() {
  market_timer.expires_after(options.market_step);
  market_timer.async_wait([this](error_code ec) {
    if (ec) return;
    service.advance(sim_time());
    flush();
    schedule_market();
  });
}

void Server::Impl::schedule_ping() {
  ping_timer.expires_after(options.ping_every);
  ping_timer.async_wait([this](error_code ec) {
    if (ec) return;
    service.ping_all();
    flush();
    schedule_ping();
  });
}

// ---------------------------------------------------------------- Server

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::start(SimOptions sim, ServerOptions options) {
  net::CertificatePem pem{options.cert_pem, options.key_pem};
  if (pem.certificate.empty() != pem.private_key.empty()) {
    return Error{"sim server: give both a certificate and a key, or neither"};
  }
  if (pem.certificate.empty()) {
    auto made = net::make_self_signed({"localhost"}, {"127.0.0.1"}, 30);
    if (!made) return Error{"sim server: " + made.error().message};
    pem = *made;
  }
  auto impl = std::make_unique<Impl>(std::move(sim), std::move(options));
  impl->cert_pem = pem.certificate;
  if (auto s = net::configure_server(impl->tls, pem); !s) return Error{"sim server: " + s.message()};
  error_code ec;
  const auto address = asio::ip::make_address(impl->options.address, ec);
  if (ec) return Error{"sim server: bad address " + impl->options.address};
  const tcp::endpoint endpoint{address, impl->options.port};
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{"sim server: cannot listen on " + impl->options.address + ":" + std::to_string(impl->options.port) +
                 ": " + ec.message()};
  }
  impl->accept();
  if (impl->options.speed > 0) impl->schedule_market();
  impl->schedule_ping();
  Impl* raw = impl.get();
  raw->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

const std::string& Server::certificate_pem() const { return impl_->cert_pem; }

void Server::with_service(const std::function<void(Service&)>& f) {
  std::promise<void> done;
  asio::post(impl_->io, [&] {
    f(impl_->service);
    impl_->flush();
    done.set_value();
  });
  done.get_future().wait();
}

void Server::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  asio::post(impl_->io, [impl = impl_.get()] {
    error_code ignored;
    impl->acceptor.close(ignored);
    impl->market_timer.cancel();
    impl->ping_timer.cancel();
    for (auto& [id, weak] : impl->ws_sessions) {
      if (auto s = weak.lock()) beast::get_lowest_layer(s->ws).socket().close(ignored);
    }
    for (auto& weak : impl->http_streams) {
      if (auto s = weak.lock()) beast::get_lowest_layer(*s).socket().close(ignored);
    }
  });
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace dalbit::sim
