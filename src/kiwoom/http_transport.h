// HTTPS to Kiwoom's REST host, behind a small interface so the REST logic
// (rest_client.h) is tested with a fake and the socket code with a loopback
// server.
//
// HttpsTransport (make_https_transport) keeps one keep-alive TLS connection
// and sends one request at a time on the IoThread. Every step has a deadline
// (resolve + connect, TLS handshake, write + read). The peer is verified
// (net::configure_client: the system CAs, or `ca_file` for the simulator),
// SNI is sent for host names, and the certificate must name the host.
// A keep-alive connection idle longer than `max_idle`, or closed by the
// server while idle, is replaced before the request is written; if a reused
// connection still dies before any answer byte, an idempotent request is
// sent once more on a fresh connection and anything else fails ("may have
// been sent"), so an order is never sent twice by the transport.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace dalbit::kiwoom {

class IoThread;

struct HttpRequest {
  std::string method = "POST";
  std::string target;  // "/api/dostk/acnt"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Safe to send twice (queries): may be re-sent after a dead keep-alive connection.
  bool idempotent = true;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string cont_yn;   // response header cont-yn, "" when absent
  std::string next_key;  // response header next-key
};

using HttpCallback = std::function<void(Result<HttpResponse>)>;

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Called on the IoThread, one request at a time; `done` runs exactly once,
  // on the IoThread. An Error means no HTTP answer was received.
  virtual void send(HttpRequest request, HttpCallback done) = 0;
  // Drops the connection (the next send connects again).
  virtual void close() = 0;
};

struct HttpsConfig {
  std::string host;           // "api.kiwoom.com", "127.0.0.1"
  std::uint16_t port = 443;
  std::string ca_file;        // a PEM bundle to trust instead of the system's CAs
  Duration connect_timeout = std::chrono::seconds(5);    // resolve + TCP connect
  Duration handshake_timeout = std::chrono::seconds(5);  // TLS
  Duration request_timeout = std::chrono::seconds(10);   // write + whole answer
  Duration max_idle = std::chrono::seconds(30);          // older idle connections are not reused
  std::size_t max_body = 16 * 1024 * 1024;
};

struct HttpsStats {
  std::uint64_t connects = 0;         // TLS sessions established
  std::uint64_t requests = 0;         // answers received
  std::uint64_t stale_replaced = 0;   // idle connections found closed/too old before a write
  std::uint64_t resent = 0;           // idempotent requests re-sent after a dead reused connection
};

class HttpsTransport : public HttpTransport {
 public:
  [[nodiscard]] virtual HttpsStats stats() const = 0;
};

// Fails when the TLS context cannot be set up (e.g. an unreadable ca_file).
[[nodiscard]] Result<std::shared_ptr<HttpsTransport>> make_https_transport(IoThread& io, HttpsConfig config);

}  // namespace dalbit::kiwoom
