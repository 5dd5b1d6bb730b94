// The simulator on the network: one Asio thread serving HTTPS (REST and the
// admin endpoint) and the WebSocket (Kiwoom's WS path, upgraded on the same
// port) on a loopback address, with a self-signed certificate.
//
//   auto server = Server::start(sim_options, ServerOptions{.port = 0});
//   ... https://127.0.0.1:<server->port()> ... (trust server->certificate_pem())
//   server->stop();  // also done by the destructor
//
// Beast stays inside server.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "sim/service.h"

namespace dalbit::sim {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port, see Server::port()
  // Simulated seconds per real second; 0 freezes the market clock (moved
  // only by POST /admin/advance).
  double speed = 1.0;
  std::string cert_pem;  // empty: a new self-signed certificate for 127.0.0.1 and localhost
  std::string key_pem;
  std::chrono::milliseconds market_step{100};  // how often the market clock is moved
  std::chrono::milliseconds ping_every{10'000};
};

class Server {
 public:
  static Result<std::unique_ptr<Server>> start(SimOptions sim, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] const std::string& certificate_pem() const;
  // Runs `f` on the server thread and waits (for inspection in tests).
  void with_service(const std::function<void(Service&)>& f);
  // Closes the listener and every connection, then joins the thread. Idempotent.
  void stop();

  struct Impl;  // public so server.cpp's session types can name it; defined there only

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dalbit::sim
