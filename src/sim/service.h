// The Kiwoom simulator without sockets: REST calls and WebSocket frames in,
// answers and pushes out. The server (server.h) only moves bytes; tests can
// drive this class directly.
//
// Two clocks: `wall` (real UTC) for tokens and rate limits, as a client's
// own clock judges them; the market's simulated KST clock for everything
// traded, moved by advance().
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/result.h"
#include "core/time.h"
#include "sim/account.h"
#include "sim/faults.h"
#include "sim/market.h"

namespace dalbit::sim {

struct RateOptions {
  double per_second = 1.0;  // per api-id, Kiwoom's ~1/s (docs/kiwoom.md)
  double burst = 3.0;
  // Kiwoom answers an exceeded limit both ways (docs/kiwoom.md): HTTP 429
  // with only return_msg, or HTTP 200 with return_code 5 and [1700:...].
  bool http_429 = false;
};

struct SimOptions {
  MarketOptions market{};
  Timestamp start;  // simulated KST start time
  std::string app_key = "sim-app-key";
  std::string secret_key = "sim-secret-key";
  std::string account = "81000000";
  Krw cash = Krw(100'000'000);
  std::chrono::hours token_life{24};
  RateOptions rate{};
  std::vector<Fault> faults;  // armed at start
};

struct HttpCall {
  std::string path;
  std::string api_id;
  std::string authorization;
  std::string cont_yn;
  std::string next_key;
  std::string body;
};

struct HttpAnswer {
  int status = 200;
  std::string body;
  std::string api_id;
  std::string cont_yn;   // response headers, empty when not paging
  std::string next_key;
  bool drop = false;                    // close the connection without answering
  std::chrono::milliseconds delay{0};   // answer this much later (stall)
  bool pushes_first = false;            // send the queued pushes before this answer
};

using SessionId = std::uint64_t;

// A frame for one WebSocket session; close = end that session after it (an
// empty frame closes without sending).
struct Push {
  SessionId session = 0;
  std::string frame;
  bool close = false;
};

class Service {
 public:
  Service(SimOptions options, Timestamp wall_now);

  HttpAnswer handle_rest(const HttpCall& call, Timestamp wall_now);
  // The admin endpoint (POST /admin/...): faults and the market clock.
  HttpAnswer handle_admin(const std::string& path, const std::string& body);

  SessionId open_session();
  void on_frame(SessionId id, std::string_view frame, Timestamp wall_now);
  void close_session(SessionId id);
  // A PING to every logged-in session (the server's keep-alive). A session
  // that left kMaxUnansweredPings unechoed gets SYSTEM R10002 and is closed.
  void ping_all();
  static constexpr int kMaxUnansweredPings = 3;

  // Runs the market to `sim_now`; trades, fills and condition hits queue pushes.
  void advance(Timestamp sim_now);
  [[nodiscard]] Timestamp sim_now() const { return market_.now(); }
  std::vector<Push> take_pushes();

  // Arms a fault; expire_token and drop_ws act at once.
  void arm(const Fault& fault);
  [[nodiscard]] const Market& market() const { return market_; }
  [[nodiscard]] const Account& account() const { return account_; }

 private:
  struct Bucket {
    double tokens = 0;
    Timestamp updated;
  };
  struct Session {
    bool logged_in = false;
    int unanswered_pings = 0;
    std::map<std::string, std::set<std::string>> registered;  // type -> items ("" for 00/04)
    std::map<std::string, std::set<StockCode>> conditions;     // realtime seq -> codes inside
    bool wants(std::string_view type, std::string_view item) const;
  };
  using Handler = HttpAnswer (Service::*)(const HttpCall&);

  [[nodiscard]] bool token_valid(std::string_view token, Timestamp wall_now) const;
  bool take_rate(std::string_view api_id, Timestamp wall_now);
  void queue_account_events(AccountEvents& events);
  void queue(SessionId id, std::string frame, bool close = false);
  // A REAL push, broken first while malformed_ws is armed.
  void queue_real(SessionId id, std::span<const kiwoom::RealEntry> entries);
  void evaluate_conditions();
  [[nodiscard]] std::vector<StockCode> matching(std::string_view seq) const;
  [[nodiscard]] TimeOfDay sim_time() const { return kst_time_of_day(market_.now()); }

  HttpAnswer issue_token(const HttpCall& call, Timestamp wall_now);
  HttpAnswer revoke_token(const HttpCall& call);
  HttpAnswer deposit(const HttpCall& call);
  HttpAnswer balance(const HttpCall& call);
  HttpAnswer open_orders(const HttpCall& call);
  HttpAnswer executions(const HttpCall& call);
  HttpAnswer account_return(const HttpCall& call);
  HttpAnswer realized_pnl(const HttpCall& call);
  HttpAnswer stock_info(const HttpCall& call);
  HttpAnswer order_book(const HttpCall& call);
  HttpAnswer tick_chart(const HttpCall& call);
  HttpAnswer minute_chart(const HttpCall& call);
  HttpAnswer daily_chart(const HttpCall& call);
  HttpAnswer stock_list(const HttpCall& call);
  HttpAnswer volume_surge(const HttpCall& call);
  HttpAnswer change_rate_top(const HttpCall& call);
  HttpAnswer volume_top(const HttpCall& call);
  HttpAnswer trading_value_top(const HttpCall& call);
  HttpAnswer new_order(const HttpCall& call);
  HttpAnswer modify_order(const HttpCall& call);
  HttpAnswer cancel_order(const HttpCall& call);
  [[nodiscard]] const Handler* handler_of(std::string_view api_id) const;

  SimOptions options_;
  Market market_;
  Account account_;
  Faults faults_;
  std::mt19937_64 token_rng_;
  std::map<std::string, Timestamp> tokens_;  // token -> expiry (wall)
  std::map<std::string, Bucket, std::less<>> buckets_;
  std::map<SessionId, Session> sessions_;
  SessionId next_session_ = 1;
  std::vector<Push> pushes_;
  std::vector<Print> prints_;  // reused by advance()
  KstDate day_;
  bool expired_today_ = false;
  std::uint64_t malformed_ws_sent_ = 0;  // REAL pushes broken so far, to alternate the kinds
};

}  // namespace dalbit::sim
