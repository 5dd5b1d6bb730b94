// The Kiwoom REST client: typed calls over an HttpTransport, with the token,
// pacing and continuation handled.
//
//   IoThread io;
//   auto queries = make_https_transport(io, {.host = "api.kiwoom.com"});
//   auto orders = make_https_transport(io, {.host = "api.kiwoom.com"});
//   KiwoomRestClient rest(io, *queries, *orders, config, wall_clock,
//                         [&engine](auto fn) { engine.post(std::move(fn)); });
//   rest.call(DepositRequest{}, [](ApiResult<Deposit> d) { ... runs on the engine thread ... });
//   rest.call_pages(DailyChartRequest{...}, 10, [](ApiResult<std::vector<DailyChart>> pages) { ... });
//   rest.revoke([](Status s) { ... });   // au10002 at shutdown
//
// Threading: every public member may be called from any thread; the work is
// posted to the IoThread, which alone touches the transport, the
// TokenManager and the RateLimiter. Each completion runs exactly once,
// through `deliver` (the engine posts it onto its own thread), or on the
// IoThread when no deliver is given. One request is on the wire at a time
// per connection. With a second transport, orders (kt10000-kt10003) and the
// token calls (au10001/au10002) have that connection to themselves, so a
// query stalled on the wire never delays an order; with one, everything
// shares it.
//
// What a call does, in order: waits for its api-id's and class's rate
// buckets (token calls, then orders, then queries, so a chart backfill never
// delays a stop-loss); issues a token first when there is none or it is
// within the refresh margin (au10001, one issue however many requests wait);
// sends; on a token rejection (HTTP 401, or return_code 3 / [8005]) drops the
// token, issues a new one and sends once more; on a rate-limit answer (429,
// 1700, return_code 5) backs the api-id off and sends again, up to
// max_rate_limit_retries, after which the call fails loudly; follows
// cont-yn/next-key to the last page (call_pages). Nothing is dropped: every
// call ends in its completion with the value or an ApiError. A Network error
// on an order means its fate is unknown: reconcile, never resend blindly.
//
// The app key, secret and every issued token are registered with
// log::register_secret, and no log line or error carries a request body.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/secret.h"
#include "kiwoom/envelope.h"
#include "kiwoom/rate_limiter.h"
#include "kiwoom/rest.h"

namespace dalbit::kiwoom {

class HttpTransport;
class IoThread;

struct RestClientConfig {
  Secret app_key;
  Secret secret_key;
  RateLimiterConfig limits;
  Duration token_refresh_margin = std::chrono::minutes(10);
  int max_rate_limit_retries = 20;  // per request; then the call fails with the RateLimited error
};

struct RestClientStats {
  RateLimiter::Stats pacing;
  std::uint64_t tokens_issued = 0;
  std::uint64_t token_retries = 0;   // requests re-sent after a token rejection
  std::uint64_t pages = 0;           // answers read (every page counts)
  std::uint64_t network_errors = 0;
};

// Runs a completion on the caller's thread of choice.
using Deliver = std::function<void(std::function<void()>)>;

namespace detail {
// One logical call (all its pages), type-erased for the .cpp.
struct RestJob {
  RestRequest request;
  int max_pages = 1;  // 0: no limit
  // Reads one page and keeps it; the error when the answer is not a success.
  std::function<std::optional<ApiError>(const HttpReply&)> page;
  // Called once, with nullptr after the last page or the error that ended the call.
  std::function<void(const ApiError*)> finish;
};
}  // namespace detail

class KiwoomRestClient {
 public:
  // `io` and `clock` must outlive the client; `io` runs the transport.
  // One connection for every call.
  KiwoomRestClient(IoThread& io, std::shared_ptr<HttpTransport> transport, RestClientConfig config,
                   const Clock& clock, Deliver deliver = {});
  // Queries on `query_transport`; orders and token calls on `order_transport`
  // (nullptr, or the same transport: one connection, as above).
  KiwoomRestClient(IoThread& io, std::shared_ptr<HttpTransport> query_transport,
                   std::shared_ptr<HttpTransport> order_transport, RestClientConfig config, const Clock& clock,
                   Deliver deliver = {});
  // Waits for the IoThread to let go; nothing more is sent, calls still
  // pending never complete (their owner is going away). Completions already
  // handed to `deliver` may still run: the engine drains its queue first.
  ~KiwoomRestClient();
  KiwoomRestClient(const KiwoomRestClient&) = delete;
  KiwoomRestClient& operator=(const KiwoomRestClient&) = delete;

  template <class Request>
  using Done = std::function<void(ApiResult<typename Request::Response>)>;
  template <class Request>
  using PagesDone = std::function<void(ApiResult<std::vector<typename Request::Response>>)>;

  // One request, one answer (a continuation is not followed).
  template <class Request>
  void call(const Request& request, Done<Request> done) {
    using Response = typename Request::Response;
    auto out = std::make_shared<std::optional<Response>>();
    submit({build_request(request), 1,
            [out](const HttpReply& reply) -> std::optional<ApiError> {
              auto r = parse_response<Response>(reply);
              if (!r) return r.error();
              *out = std::move(*r);
              return std::nullopt;
            },
            [out, done = std::move(done)](const ApiError* error) {
              if (error) return done(*error);
              done(std::move(**out));
            }});
  }

  // Follows cont-yn/next-key until the last page or `max_pages` (0: no limit);
  // the pages in the order received.
  template <class Request>
  void call_pages(const Request& request, int max_pages, PagesDone<Request> done) {
    using Response = typename Request::Response;
    auto out = std::make_shared<std::vector<Response>>();
    submit({build_request(request), max_pages,
            [out](const HttpReply& reply) -> std::optional<ApiError> {
              auto r = parse_response<Response>(reply);
              if (!r) return r.error();
              out->push_back(std::move(*r));
              return std::nullopt;
            },
            [out, done = std::move(done)](const ApiError* error) {
              if (error) return done(*error);
              done(std::move(*out));
            }});
  }

  // au10002 for the current token (ok at once when there is none); the token
  // is forgotten either way.
  void revoke(std::function<void(Status)> done);

  // The current token for the WebSocket LOGIN, issued first when needed;
  // `fresh` drops the current one first (after a LOGIN rejected with 8005).
  // `done` runs on the IoThread (the WebSocket client lives there too).
  void with_token(bool fresh, std::function<void(Result<Secret>)> done);

  // A snapshot; blocks until the IoThread answers (never call it from there).
  [[nodiscard]] RestClientStats stats() const;

 private:
  struct Impl;
  void submit(detail::RestJob job);
  std::shared_ptr<Impl> impl_;
};

}  // namespace dalbit::kiwoom
