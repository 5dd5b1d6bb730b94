// The Kiwoom WebSocket client (wss): LOGIN with the REST token, PING echo,
// REG/REMOVE, REAL decoding, condition search; it reconnects by itself.
//
//   KiwoomWsClient ws(io, config, rest_token_source(rest), handlers, clock, deliver);
//   ws.start();
//   ws.subscribe("1", {"005930"}, {"0B", "0D"});
//   ws.subscribe("2", {""}, {"00", "04"});         // account-wide types
//   ws.search_condition({.seq = "3", .realtime = true});
//
// Lifecycle of one session: connect (deadline), TLS (deadline, SNI, host
// verified), WebSocket upgrade (deadline), LOGIN, wait for its ack (deadline;
// only PING may come first), then re-send every REG and real-time condition
// search the SubscriptionTracker holds, then whatever was asked while down.
// A session ends on any error, on a close, or when no frame at all arrived
// for `idle_timeout` (Kiwoom PINGs an idle session, so silence is a dead feed,
// not a quiet market). Then: wait Backoff::next() (jittered, seeded), connect
// again; a LOGIN rejected for the token asks for a fresh one. The time with
// no feed is reported once the new session is logged in: on_gap(from, to).
// SYSTEM R10001 (another login took the app key over) stops for good and
// reports on_fatal: reconnecting would only fight the other session.
//
// SYSTEM notices are logged and never echoed. Every malformed, unknown or
// unexpected frame is logged with its trnm (and REAL type) and skipped.
//
// Threading: as the REST client. Public members may be called from any
// thread; the session lives on the IoThread; handlers run through `deliver`
// (or on the IoThread without one).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/secret.h"
#include "kiwoom/backoff.h"
#include "kiwoom/rest_client.h"
#include "kiwoom/ws_codec.h"

namespace dalbit::kiwoom {

class IoThread;

struct WsClientConfig {
  std::string host;                  // "api.kiwoom.com"
  std::uint16_t port = 10000;
  std::string path = "/api/dostk/websocket";
  std::string ca_file;               // trust this PEM instead of the system's CAs
  Duration connect_timeout = std::chrono::seconds(5);
  Duration handshake_timeout = std::chrono::seconds(5);  // TLS and the upgrade, each
  Duration login_timeout = std::chrono::seconds(10);
  Duration idle_timeout = std::chrono::seconds(60);
  BackoffConfig backoff{};
  std::uint64_t seed = 1;
};

struct WsGap {
  Timestamp from;  // when the last session was lost
  Timestamp to;    // when the new one was logged in
};

struct WsHandlers {
  // Each REAL entry, decoded; a WsError event for a type without a decoder or
  // a bad entry is logged and not passed on.
  std::function<void(const RealEvent&)> on_real;
  std::function<void(const ConditionList&)> on_condition_list;
  std::function<void(const ConditionSearchResult&)> on_condition_search;
  std::function<void(const ConditionClearResult&)> on_condition_clear;
  std::function<void(const WsGap&)> on_gap;
  std::function<void(bool logged_in)> on_connection;
  std::function<void(const Error&)> on_fatal;  // stopped for good
  // A REG or REMOVE the server refused (its ack has return_code != 0), with
  // the group it was sent for. The ack names no group: acks are matched to
  // the requests in the order sent on the session. The subscription stays
  // recorded, so it is sent (and refused again) after a reconnect.
  std::function<void(const std::string& group, const std::string& message)> on_subscription_error;
};

// Gets the token for LOGIN on the IoThread; `fresh` after a token rejection.
using TokenSource = std::function<void(bool fresh, std::function<void(Result<Secret>)>)>;
[[nodiscard]] TokenSource rest_token_source(KiwoomRestClient& rest);

struct WsClientStats {
  std::uint64_t sessions = 0;        // logins that succeeded
  std::uint64_t reconnects = 0;      // sessions lost and tried again
  std::uint64_t idle_timeouts = 0;
  std::uint64_t pings = 0;           // echoed
  std::uint64_t reals = 0;           // entries delivered
  std::uint64_t bad_frames = 0;      // malformed / unknown / unexpected, logged and skipped
  std::uint64_t system_notices = 0;
};

class KiwoomWsClient {
 public:
  KiwoomWsClient(IoThread& io, WsClientConfig config, TokenSource tokens, WsHandlers handlers, const Clock& clock,
                 Deliver deliver = {});
  // Stops and waits for the IoThread to let go; no handler is called
  // afterwards (ones already handed to `deliver` may still run).
  ~KiwoomWsClient();
  KiwoomWsClient(const KiwoomWsClient&) = delete;
  KiwoomWsClient& operator=(const KiwoomWsClient&) = delete;

  void start();
  void stop();  // closes; no reconnect

  // Recorded at once and sent when logged in (and again after every reconnect).
  void subscribe(std::string group, std::vector<std::string> items, std::vector<std::string> types);
  void unsubscribe(std::string group, std::vector<std::string> items, std::vector<std::string> types);
  void list_conditions();
  // A real-time search is restored after reconnects; a one-shot search is not.
  void search_condition(ConditionSearchRequest request);
  void clear_condition(std::string seq);

  // A snapshot; blocks until the IoThread answers (never call it from there).
  [[nodiscard]] WsClientStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace dalbit::kiwoom
