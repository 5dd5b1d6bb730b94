#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <optional>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <fmt/format.h>

#include "kiwoom/http_transport.h"
#include "kiwoom/io_thread.h"
#include "net/tls.h"

namespace dalbit::kiwoom {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

// A reused connection that died under us: the server closed it while idle.
bool connection_dropped(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

class BeastHttpsTransport final : public HttpsTransport,
                                  public std::enable_shared_from_this<BeastHttpsTransport> {
 public:
  BeastHttpsTransport(IoThread& io, HttpsConfig config)
      : io_(io.context()), config_(std::move(config)), ssl_ctx_(ssl::context::tls_client), resolver_(io_),
        resolve_timer_(io_) {}

  Status init() { return net::configure_client(ssl_ctx_, config_.ca_file); }

  void send(HttpRequest request, HttpCallback done) override {
    if (done_) {
      asio::post(io_, [done = std::move(done), what = where()] {
        done(Error{what + ": a request is already in flight"});
      });
      return;
    }
    request_ = std::move(request);
    done_ = std::move(done);
    resent_ = false;
    if (stream_ && usable_for_reuse()) {
      write(true);
    } else {
      if (stream_) ++stats_.stale_replaced;
      connect();
    }
  }

  void close() override { drop(); }

  HttpsStats stats() const override { return stats_; }

 private:
  using Stream = beast::ssl_stream<beast::tcp_stream>;

  std::string where() const { return fmt::format("https {}:{}", config_.host, config_.port); }

  // Idle too long, or the peer already closed (EOF or a close_notify waiting
  // to be read): a write would go to a dead connection.
  bool usable_for_reuse() {
    if (SteadyClock::now() - idle_since_ > config_.max_idle) return false;
    auto& sock = beast::get_lowest_layer(*stream_).socket();
    if (!sock.is_open()) return false;
    char byte = 0;
    const auto n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  void drop() {
    if (stream_) {
      boost::system::error_code ignored;
      beast::get_lowest_layer(*stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(*stream_).close();
      stream_.reset();
    }
  }

  void connect() {
    drop();
    stream_.emplace(io_, ssl_ctx_);
    if (!is_ip_literal(config_.host) &&
        !SSL_set_tlsext_host_name(stream_->native_handle(), config_.host.c_str())) {
      return fail("SNI could not be set");
    }
    stream_->set_verify_callback(ssl::host_name_verification(config_.host));
    auto self = shared_from_this();
    resolve_timer_.expires_after(config_.connect_timeout);
    resolve_timer_.async_wait([self](boost::system::error_code ec) {
      if (!ec) self->resolver_.cancel();
    });
    resolver_.async_resolve(config_.host, std::to_string(config_.port),
                            [self](boost::system::error_code ec, tcp::resolver::results_type results) {
                              self->resolve_timer_.cancel();
                              if (ec) return self->fail(ec == asio::error::operation_aborted
                                                            ? std::string("resolve timed out")
                                                            : "resolve: " + ec.message());
                              self->on_resolved(results);
                            });
  }

  void on_resolved(const tcp::resolver::results_type& results) {
    auto self = shared_from_this();
    beast::get_lowest_layer(*stream_).expires_after(config_.connect_timeout);
    beast::get_lowest_layer(*stream_).async_connect(
        results, [self](boost::system::error_code ec, const tcp::endpoint&) {
          if (ec) return self->fail(self->describe("connect", ec));
          self->handshake();
        });
  }

  void handshake() {
    auto self = shared_from_this();
    beast::get_lowest_layer(*stream_).expires_after(config_.handshake_timeout);
    stream_->async_handshake(ssl::stream_base::client, [self](boost::system::error_code ec) {
      if (ec) return self->fail(self->describe("TLS handshake", ec));
      ++self->stats_.connects;
      self->write(false);
    });
  }

  void write(bool reused) {
    req_ = {};
    req_.method_string(request_.method);
    req_.target(request_.target);
    req_.version(11);
    req_.set(http::field::host, config_.host);
    req_.keep_alive(true);
    for (const auto& [name, value] : request_.headers) req_.set(name, value);
    req_.body() = request_.body;
    req_.prepare_payload();
    auto self = shared_from_this();
    beast::get_lowest_layer(*stream_).expires_after(config_.request_timeout);
    http::async_write(*stream_, req_, [self, reused](boost::system::error_code ec, std::size_t) {
      if (ec) return self->retry_or_fail(reused, "write", ec);
      self->read(reused);
    });
  }

  void read(bool reused) {
    buffer_.clear();
    parser_.emplace();
    parser_->body_limit(config_.max_body);
    auto self = shared_from_this();
    http::async_read(*stream_, buffer_, *parser_, [self, reused](boost::system::error_code ec, std::size_t) {
      if (ec) {
        const bool nothing_read = !self->parser_->got_some();
        return self->retry_or_fail(reused && nothing_read, "read", ec);
      }
      self->on_response();
    });
  }

  // A reused keep-alive connection that the server closed under us: send a
  // query again on a new one; an order may have reached the server, so it is
  // never re-sent here (the caller reconciles).
  void retry_or_fail(bool reused_and_unanswered, const char* step, const boost::system::error_code& ec) {
    if (reused_and_unanswered && connection_dropped(ec) && !resent_) {
      if (request_.idempotent) {
        resent_ = true;
        ++stats_.resent;
        return connect();
      }
      return fail(fmt::format("{} on a reused connection: {} (the request may have been sent)", step,
                              ec.message()));
    }
    fail(describe(step, ec));
  }

  std::string describe(const char* step, const boost::system::error_code& ec) const {
    if (ec == beast::error::timeout) return fmt::format("{} timed out", step);
    return fmt::format("{}: {}", step, ec.message());
  }

  void on_response() {
    auto& res = parser_->get();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    if (auto it = res.find("cont-yn"); it != res.end()) out.cont_yn = std::string(it->value());
    if (auto it = res.find("next-key"); it != res.end()) out.next_key = std::string(it->value());
    const bool keep = res.keep_alive();
    out.body = std::move(res.body());
    ++stats_.requests;
    if (keep) {
      beast::get_lowest_layer(*stream_).expires_never();
      idle_since_ = SteadyClock::now();
    } else {
      drop();
    }
    complete(std::move(out));
  }

  void fail(const std::string& what) {
    drop();
    complete(Error{fmt::format("{} {}: {}", where(), request_.target, what)});
  }

  void complete(Result<HttpResponse> result) {
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(result));
  }

  asio::io_context& io_;
  HttpsConfig config_;
  ssl::context ssl_ctx_;
  tcp::resolver resolver_;
  asio::steady_timer resolve_timer_;
  std::optional<Stream> stream_;
  SteadyClock::time_point idle_since_{};
  HttpRequest request_;
  HttpCallback done_;
  bool resent_ = false;
  http::request<http::string_body> req_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  HttpsStats stats_;
};

}  // namespace

Result<std::shared_ptr<HttpsTransport>> make_https_transport(IoThread& io, HttpsConfig config) {
  auto t = std::make_shared<BeastHttpsTransport>(io, std::move(config));
  if (auto s = t->init(); !s) return Error{"https transport: " + s.message()};
  return std::shared_ptr<HttpsTransport>(std::move(t));
}

}  // namespace dalbit::kiwoom
