// Request pacing for one app key, sans IO: the clock is injected and poll()
// says what to send now or when to ask again.
//
// Each request must find a token in two buckets: its api-id's (default about
// 1 request/s sustained, burst 2: measured by one client, UNCONFIRMED) and
// its class's (queries and orders 5/s each, from Kiwoom's terms). Token
// issue/revoke go first, then orders, then queries; within a class the oldest
// request that its buckets allow goes first, so one slow api-id does not hold
// up the others. A rate-limit answer (1700 / HTTP 429) puts the request back
// at the head of its class and backs its api-id off (0.5 s, doubling, capped).
// Nothing is ever dropped; every wait is counted.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "kiwoom/backoff.h"
#include "kiwoom/protocol.h"

namespace dalbit::kiwoom {

// A set of api classes, for poll(): the REST client's order connection asks
// for token calls and orders only, its query connection for queries.
class ApiClassSet {
 public:
  constexpr ApiClassSet(std::initializer_list<ApiClass> classes) {
    for (const ApiClass c : classes) bits_ |= bit(c);
  }
  static constexpr ApiClassSet all() { return {ApiClass::Token, ApiClass::Query, ApiClass::Order}; }
  [[nodiscard]] constexpr bool has(ApiClass c) const { return (bits_ & bit(c)) != 0; }

 private:
  static constexpr unsigned bit(ApiClass c) { return 1u << static_cast<unsigned>(c); }
  unsigned bits_ = 0;
};

struct RateLimit {
  double per_second = 1.0;
  int burst = 1;
};

struct RateLimiterConfig {
  RateLimit per_api{1.0, 2};
  RateLimit queries{5.0, 5};
  RateLimit orders{5.0, 5};
  RateLimit tokens{1.0, 2};  // au10001 / au10002
  std::map<std::string, RateLimit, std::less<>> overrides;  // per api-id
  BackoffConfig backoff{std::chrono::milliseconds(500), 2.0, 0.0, std::chrono::seconds(8)};
};

class RateLimiter {
 public:
  using Ticket = std::uint64_t;

  RateLimiter(RateLimiterConfig config, const Clock& clock, std::uint64_t seed = 1);

  Ticket enqueue(std::string_view api_id);

  struct Next {
    std::optional<Ticket> ticket;     // send this one now
    std::string_view api_id;          // its api-id; valid until on_reply(ticket)
    std::optional<Timestamp> wake_at; // otherwise: poll again then (nullopt: nothing queued)
  };
  // Only requests of `classes` are considered (and only their wake_at).
  [[nodiscard]] Next poll(ApiClassSet classes = ApiClassSet::all());

  // The answer to a sent ticket. A rate-limited one goes back to the queue.
  void on_reply(Ticket ticket, bool rate_limited);

  struct Stats {
    std::uint64_t sent = 0;
    std::uint64_t waited = 0;        // sent later than enqueued
    std::uint64_t rate_limited = 0;  // broker answers 1700 / 429
    Duration total_wait{};
    Duration max_wait{};
  };
  [[nodiscard]] const Stats& stats() const { return stats_; }
  [[nodiscard]] std::size_t queued() const;
  [[nodiscard]] std::size_t in_flight() const { return in_flight_.size(); }

 private:
  // GCRA, the token bucket in one timestamp: a request may go at
  // `tat - tolerance`, and going pushes tat one interval further.
  struct Bucket {
    Duration interval{};
    Duration tolerance{};
    Timestamp tat{};
    [[nodiscard]] Timestamp ready_at() const { return tat - tolerance; }
    void take(Timestamp now);
  };
  struct ApiState {
    Bucket bucket;
    Backoff backoff;
    Timestamp blocked_until{};
  };
  struct Pending {
    Ticket ticket = 0;
    std::string api_id;
    std::size_t priority = 0;
    Timestamp enqueued{};
  };

  static constexpr std::size_t kPriorities = 3;  // tokens, orders, queries
  static constexpr ApiClass kClassOf[kPriorities] = {ApiClass::Token, ApiClass::Order, ApiClass::Query};
  static Bucket make_bucket(RateLimit limit);
  static std::size_t priority_of(ApiClass c);
  ApiState& api(std::string_view id);
  [[nodiscard]] Timestamp ready_at(const Pending& p);

  RateLimiterConfig config_;
  const Clock& clock_;
  std::uint64_t seed_;
  Ticket next_ticket_ = 1;
  std::map<std::string, ApiState, std::less<>> apis_;
  Bucket class_buckets_[kPriorities];
  std::deque<Pending> queues_[kPriorities];
  std::map<Ticket, Pending> in_flight_;
  Stats stats_;
};

}  // namespace dalbit::kiwoom
