// A minimal HTTPS/1.1 server on 127.0.0.1 (an ephemeral port) for the client
// tests: a self-signed certificate written to a PEM file the client trusts,
// keep-alive, and a handler that decides each answer, including closing the
// connection or stalling. One connection at a time, on its own thread.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "net/tls.h"

namespace dalbit::kiwoom::testing {

struct TestRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct TestResponse {
  int status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
  bool close_after = false;                   // Connection: close and hang up
  std::chrono::milliseconds stall{0};         // wait this long, then hang up without answering
  bool hang_up_without_answer = false;        // read the request, answer nothing, close
};

class TestHttpsServer {
 public:
  using Handler = std::function<TestResponse(const TestRequest&)>;

  // The certificate names `dns_names` and `ips` (the loopback by default).
  explicit TestHttpsServer(Handler handler, std::vector<std::string> dns_names = {"localhost"},
                           std::vector<std::string> ips = {"127.0.0.1"})
      : handler_(std::move(handler)) {
    dir_ = std::filesystem::temp_directory_path() /
           ("dalbit-kclient-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir_);
    auto pem = net::make_self_signed(dns_names, ips, 1);
    if (!pem.ok()) throw std::runtime_error(pem.error().message);
    ca_file_ = (dir_ / "server.pem").string();
    if (!net::write_file(ca_file_, pem->certificate, 0644).ok()) throw std::runtime_error("write pem");
    if (!net::configure_server(ctx_, *pem).ok()) throw std::runtime_error("server ctx");
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { run(); });
  }

  ~TestHttpsServer() { stop(); std::filesystem::remove_all(dir_); }

  void stop() {
    if (stopping_.exchange(true)) return;
    const int fd = current_fd_.load();
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
    // Unblocks accept().
    boost::system::error_code ec;
    tcp::socket poke(io_);
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
  }

  // Closes the current keep-alive connection from the server side, as a
  // server's idle timeout would.
  void drop_connection() {
    const int fd = current_fd_.load();
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  }

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& ca_file() const { return ca_file_; }
  [[nodiscard]] int connections() const { return connections_.load(); }
  [[nodiscard]] int requests() const { return requests_.load(); }

 private:
  using tcp = boost::asio::ip::tcp;

  static std::atomic<int>& counter() {
    static std::atomic<int> c{0};
    return c;
  }

  void run() {
    namespace http = boost::beast::http;
    while (!stopping_) {
      boost::asio::ssl::stream<tcp::socket> stream(io_, ctx_);
      boost::system::error_code ec;
      acceptor_.accept(stream.next_layer(), ec);
      if (ec || stopping_) break;
      current_fd_ = stream.next_layer().native_handle();
      stream.handshake(boost::asio::ssl::stream_base::server, ec);
      if (!ec) ++connections_;
      boost::beast::flat_buffer buffer;
      while (!ec && !stopping_) {
        http::request<http::string_body> req;
        http::read(stream, buffer, req, ec);
        if (ec) break;
        ++requests_;
        TestRequest in{std::string(req.method_string()), std::string(req.target()), {}, req.body()};
        for (const auto& f : req) {
          std::string name(f.name_string());
          for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          in.headers[name] = std::string(f.value());
        }
        TestResponse out = handler_(in);
        if (out.stall.count() > 0) {
          const auto until = std::chrono::steady_clock::now() + out.stall;
          while (!stopping_ && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          break;
        }
        if (out.hang_up_without_answer) break;
        http::response<http::string_body> res{static_cast<http::status>(out.status), 11};
        res.set(http::field::content_type, "application/json;charset=UTF-8");
        for (const auto& [k, v] : out.headers) res.set(k, v);
        res.body() = out.body;
        res.keep_alive(!out.close_after);
        res.prepare_payload();
        http::write(stream, res, ec);
        if (out.close_after) break;
      }
      current_fd_ = -1;
      boost::system::error_code ignored;
      stream.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
      stream.next_layer().close(ignored);
    }
  }

  Handler handler_;
  std::filesystem::path dir_;
  std::string ca_file_;
  boost::asio::io_context io_;
  boost::asio::ssl::context ctx_{boost::asio::ssl::context::tls_server};
  tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> current_fd_{-1};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace dalbit::kiwoom::testing
