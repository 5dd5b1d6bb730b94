// A minimal WSS server on 127.0.0.1 for the WebSocket client tests: each
// received text frame goes to a handler that returns the frames to send back
// (and whether to hang up). Every received frame is recorded. One connection
// at a time, on its own thread.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/tls.h"

namespace dalbit::kiwoom::testing {

struct WsReply {
  std::vector<std::string> frames;
  bool hang_up = false;
};

class TestWssServer {
 public:
  // `connection` counts from 1.
  using Handler = std::function<WsReply(int connection, const std::string& frame)>;

  explicit TestWssServer(Handler handler) : handler_(std::move(handler)) {
    dir_ = std::filesystem::temp_directory_path() / ("dalbit-kclient-wss-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto pem = net::make_self_signed({"localhost"}, {"127.0.0.1"}, 1);
    if (!pem.ok()) throw std::runtime_error(pem.error().message);
    ca_file_ = (dir_ / "wss.pem").string();
    if (!net::write_file(ca_file_, pem->certificate, 0644).ok()) throw std::runtime_error("write pem");
    if (!net::configure_server(ctx_, *pem).ok()) throw std::runtime_error("server ctx");
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { run(); });
  }

  ~TestWssServer() {
    stopping_ = true;
    const int fd = current_fd_.load();
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
    boost::system::error_code ec;
    tcp::socket poke(io_);
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
    std::filesystem::remove_all(dir_);
  }

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& ca_file() const { return ca_file_; }
  [[nodiscard]] int connections() const { return connections_.load(); }
  [[nodiscard]] std::vector<std::string> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  using tcp = boost::asio::ip::tcp;

  void run() {
    namespace websocket = boost::beast::websocket;
    while (!stopping_) {
      websocket::stream<boost::asio::ssl::stream<tcp::socket>> ws(io_, ctx_);
      boost::system::error_code ec;
      acceptor_.accept(ws.next_layer().next_layer(), ec);
      if (ec || stopping_) break;
      current_fd_ = ws.next_layer().next_layer().native_handle();
      ws.next_layer().handshake(boost::asio::ssl::stream_base::server, ec);
      if (!ec) ws.accept(ec);
      const int connection = ec ? 0 : ++connections_;
      while (!ec && !stopping_) {
        boost::beast::flat_buffer buffer;
        ws.read(buffer, ec);
        if (ec) break;
        const std::string frame = boost::beast::buffers_to_string(buffer.data());
        {
          std::lock_guard lock(mutex_);
          received_.push_back(frame);
        }
        WsReply reply = handler_(connection, frame);
        ws.text(true);
        for (const auto& out : reply.frames) {
          ws.write(boost::asio::buffer(out), ec);
          if (ec) break;
        }
        if (reply.hang_up) break;
      }
      current_fd_ = -1;
      boost::system::error_code ignored;
      ws.next_layer().next_layer().shutdown(tcp::socket::shutdown_both, ignored);
      ws.next_layer().next_layer().close(ignored);
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
  mutable std::mutex mutex_;
  std::vector<std::string> received_;
  std::thread thread_;
};

}  // namespace dalbit::kiwoom::testing
