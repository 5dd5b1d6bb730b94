#include "kiwoom/rest_client.h"

#include <deque>
#include <future>
#include <map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "kiwoom/http_transport.h"
#include "kiwoom/io_thread.h"
#include "kiwoom/token_manager.h"
#include "log/log.h"

namespace dalbit::kiwoom {

struct KiwoomRestClient::Impl : std::enable_shared_from_this<Impl> {
  // A call between its pages and retries.
  struct Active {
    detail::RestJob job;
    Pager pager;
    ApiClass api_class = ApiClass::Query;
    bool needs_token = true;
    bool is_order = false;
    bool internal = false;  // the client's own token calls: completed on the IoThread
    int attempt = 0;        // 1 after a token rejection
    int rate_limited = 0;   // answers 1700/429 for the current page
    std::uint64_t generation = 0;
  };
  using Ticket = RateLimiter::Ticket;
  // One connection and the request on it (one at a time per connection).
  struct Lane {
    std::shared_ptr<HttpTransport> transport;
    ApiClassSet classes;
    std::optional<Ticket> in_flight;
  };

  static std::vector<Lane> lanes_for(std::shared_ptr<HttpTransport> queries, std::shared_ptr<HttpTransport> orders) {
    std::vector<Lane> lanes;
    if (!orders || orders == queries) {
      lanes.push_back(Lane{std::move(queries), ApiClassSet::all(), std::nullopt});
      return lanes;
    }
    // The order connection also carries au10001/au10002: an order needing a
    // fresh token must not wait behind a stalled query either.
    lanes.push_back(Lane{std::move(orders), {ApiClass::Token, ApiClass::Order}, std::nullopt});
    lanes.push_back(Lane{std::move(queries), {ApiClass::Query}, std::nullopt});
    return lanes;
  }

  Impl(IoThread& io, std::vector<Lane> lanes, RestClientConfig config, const Clock& clock, Deliver deliver)
      : io_(io), lanes_(std::move(lanes)), config_(std::move(config)), clock_(clock), deliver_(std::move(deliver)),
        tokens_(config_.token_refresh_margin), limiter_(config_.limits, clock_), wake_(io.context()) {}

  void submit(detail::RestJob job) {
    if (stopped_) return;
    Active a;
    a.pager = Pager(job.max_pages);
    a.job = std::move(job);
    enqueue(std::move(a));
    pump();
  }

  void enqueue(Active a) {
    // The same class as the limiter's (unknown api-ids are queries).
    a.api_class = api_class_of(a.job.request.api_id);
    a.needs_token = a.api_class != ApiClass::Token;
    a.is_order = a.api_class == ApiClass::Order;
    const Ticket t = limiter_.enqueue(a.job.request.api_id);
    waiting_.emplace(t, std::move(a));
  }

  // Gives every idle connection the next request its buckets allow, or arms
  // the timer for the earliest one. Passes repeat while something moved: a
  // query held for a token queues au10001, which the order connection takes.
  void pump() {
    std::optional<Timestamp> wake;
    for (bool moved = true; moved && !stopped_;) {
      moved = false;
      wake.reset();
      for (std::size_t lane = 0; lane < lanes_.size(); ++lane) {
        if (lanes_[lane].in_flight) continue;
        if (const std::optional<Ticket> held = take_held(lanes_[lane].classes)) {
          send(lane, *held);
          moved = true;
          continue;
        }
        const RateLimiter::Next next = limiter_.poll(lanes_[lane].classes);
        if (!next.ticket) {
          if (next.wake_at) wake = wake ? std::min(*wake, *next.wake_at) : *next.wake_at;
          continue;
        }
        moved = true;
        if (waiting_.at(*next.ticket).needs_token &&
            tokens_.before_request(clock_.now()) == TokenManager::Need::Issue) {
          // Admitted by its buckets; it goes as soon as a token is there.
          held_.push_back(*next.ticket);
          start_issue();
          continue;
        }
        send(lane, *next.ticket);
      }
    }
    if (wake && !stopped_) arm(*wake);
  }

  // A request of `classes` that waited for a token, once there is one; orders first.
  std::optional<Ticket> take_held(ApiClassSet classes) {
    if (held_.empty() || tokens_.before_request(clock_.now()) != TokenManager::Need::Use) return std::nullopt;
    auto pick = held_.end();
    for (auto h = held_.begin(); h != held_.end(); ++h) {
      const Active& a = waiting_.at(*h);
      if (!classes.has(a.api_class)) continue;
      if (pick == held_.end()) pick = h;
      if (a.is_order) {
        pick = h;
        break;
      }
    }
    if (pick == held_.end()) return std::nullopt;
    const Ticket t = *pick;
    held_.erase(pick);
    return t;
  }

  void arm(Timestamp at) {
    const Duration delay = std::max(Duration::zero(), at - clock_.now());
    wake_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(delay));
    wake_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      if (auto self = weak.lock(); self && !ec) self->pump();
    });
  }

  void start_issue() {
    if (issuing_) return;
    issuing_ = true;
    auto issued = std::make_shared<std::optional<IssuedToken>>();
    detail::RestJob job{build_request(TokenRequest{config_.app_key, config_.secret_key}), 1,
                        [issued](const HttpReply& reply) -> std::optional<ApiError> {
                          auto r = parse_response<IssuedToken>(reply);
                          if (!r) return r.error();
                          *issued = std::move(*r);
                          return std::nullopt;
                        },
                        [this, issued](const ApiError* error) { on_issue_done(error, issued.get()); }};
    Active a;
    a.pager = Pager(1);
    a.internal = true;
    a.job = std::move(job);
    enqueue(std::move(a));
  }

  // Runs on the IoThread (the issue job's finish is not delivered elsewhere).
  void with_token(bool fresh, std::function<void(Result<Secret>)> done) {
    if (fresh) tokens_.invalidate();
    if (tokens_.before_request(clock_.now()) == TokenManager::Need::Use) return done(*tokens_.token());
    token_waiters_.push_back(std::move(done));
    start_issue();
    pump();
  }

  void on_issue_done(const ApiError* error, std::optional<IssuedToken>* issued) {
    issuing_ = false;
    auto waiters = std::move(token_waiters_);
    token_waiters_.clear();
    if (error) {
      log::rest().error("token issue failed: {}", error->describe());
      for (auto& w : waiters) w(Error{"no token: " + error->describe()});
      ApiError e = *error;
      e.message = "no token: " + e.message;
      while (!held_.empty()) {
        const Ticket t = held_.front();
        held_.pop_front();
        Active a = std::move(waiting_.at(t));
        waiting_.erase(t);
        limiter_.on_reply(t, false);
        e.api_id = std::string(a.job.request.api_id);
        finish(std::move(a), &e);
      }
      return;
    }
    log::register_secret((*issued)->token);
    ++stats_.tokens_issued;
    log::rest().info("token issued, expires {}", format_kst((*issued)->expires));
    tokens_.on_issued(std::move(**issued), clock_.now());
    for (auto& w : waiters) w(*tokens_.token());
  }

  void send(std::size_t lane, Ticket ticket) {
    Active& a = waiting_.at(ticket);
    lanes_[lane].in_flight = ticket;
    a.generation = tokens_.generation();
    HttpRequest req;
    req.target = std::string(a.job.request.path);
    req.body = a.job.request.body;
    req.idempotent = !a.is_order;
    for (auto& h : request_headers(a.job.request, a.needs_token ? tokens_.token() : nullptr, &a.pager)) {
      req.headers.emplace_back(std::string(h.name), std::move(h.value));
    }
    log::rest().debug("{} sent (page {}, attempt {})", a.job.request.api_id, a.pager.pages() + 1, a.attempt + 1);
    lanes_[lane].transport->send(std::move(req), [weak = weak_from_this(), lane, ticket](Result<HttpResponse> r) {
      if (auto self = weak.lock()) self->on_answer(lane, ticket, std::move(r));
    });
  }

  void on_answer(std::size_t lane, Ticket ticket, Result<HttpResponse> r) {
    if (stopped_) return;
    lanes_[lane].in_flight.reset();
    auto node = waiting_.extract(ticket);
    Active& a = node.mapped();
    const std::string_view api = a.job.request.api_id;
    if (!r.ok()) {
      limiter_.on_reply(ticket, false);
      ++stats_.network_errors;
      ApiError e{ErrorKind::Network, std::string(api), 0, std::nullopt, "", r.error().message};
      log::rest().error("{}", e.describe());
      finish(std::move(a), &e);
      return pump();
    }
    ++stats_.pages;
    const HttpReply reply{api, r->status, r->body, r->cont_yn, r->next_key};
    const std::optional<ApiError> error = a.job.page(reply);
    const auto verdict = a.needs_token ? tokens_.on_reply(error ? &*error : nullptr, a.generation, a.attempt)
                                       : TokenManager::Verdict::Done;
    if (verdict == TokenManager::Verdict::ReissueAndRetry) {
      limiter_.on_reply(ticket, false);
      log::rest().warn("{}: token rejected, issuing a new one and sending again", api);
      ++stats_.token_retries;
      a.attempt = 1;
      enqueue(std::move(a));
      return pump();
    }
    if (error && error->kind == ErrorKind::RateLimited && verdict == TokenManager::Verdict::Done &&
        a.rate_limited < config_.max_rate_limit_retries) {
      ++a.rate_limited;
      log::rest().warn("{}: rate limited ({}), sending again after a back-off", api, a.rate_limited);
      limiter_.on_reply(ticket, true);  // back at the head of its class, same ticket
      waiting_.insert(std::move(node));
      return pump();
    }
    limiter_.on_reply(ticket, false);
    if (error) {
      log::rest().error("{}", error->describe());
      finish(std::move(a), &*error);
      return pump();
    }
    if (a.pager.advance(reply.cont_yn, reply.next_key)) {
      a.attempt = 0;
      a.rate_limited = 0;
      enqueue(std::move(a));
      return pump();
    }
    finish(std::move(a), nullptr);
    pump();
  }

  void finish(Active a, const ApiError* error) {
    const bool internal = a.internal;
    std::function<void()> fn = [f = std::move(a.job.finish), e = error ? std::optional(*error) : std::nullopt] {
      f(e ? &*e : nullptr);
    };
    if (deliver_ && !internal) deliver_(std::move(fn));
    else fn();
  }

  void revoke(std::function<void(Status)> done) {
    const Secret* token = tokens_.token();
    auto complete = [this, done = std::move(done)](Status s) {
      if (deliver_) deliver_([done, s] { done(s); });
      else done(s);
    };
    if (!token) return complete(Status{});
    RevokeRequest req{config_.app_key, config_.secret_key, *token};
    tokens_.invalidate();
    Active a;
    a.pager = Pager(1);
    a.internal = true;  // `complete` delivers
    a.job = {build_request(req), 1,
             [](const HttpReply& reply) -> std::optional<ApiError> {
               auto r = parse_response<Revoked>(reply);
               if (!r) return r.error();
               return std::nullopt;
             },
             [complete](const ApiError* e) { complete(e ? Status(e->to_error()) : Status{}); }};
    enqueue(std::move(a));
    pump();
  }

  RestClientStats stats() const {
    RestClientStats s = stats_;
    s.pacing = limiter_.stats();
    return s;
  }

  IoThread& io_;
  std::vector<Lane> lanes_;
  RestClientConfig config_;
  const Clock& clock_;
  Deliver deliver_;
  TokenManager tokens_;
  RateLimiter limiter_;
  boost::asio::steady_timer wake_;
  std::map<Ticket, Active> waiting_;
  std::deque<Ticket> held_;
  std::vector<std::function<void(Result<Secret>)>> token_waiters_;
  bool issuing_ = false;
  bool stopped_ = false;  // the client was destroyed: nothing more is sent or completed
  RestClientStats stats_;
};

KiwoomRestClient::KiwoomRestClient(IoThread& io, std::shared_ptr<HttpTransport> transport, RestClientConfig config,
                                   const Clock& clock, Deliver deliver)
    : KiwoomRestClient(io, std::move(transport), nullptr, std::move(config), clock, std::move(deliver)) {}

KiwoomRestClient::KiwoomRestClient(IoThread& io, std::shared_ptr<HttpTransport> query_transport,
                                   std::shared_ptr<HttpTransport> order_transport, RestClientConfig config,
                                   const Clock& clock, Deliver deliver)
    : impl_(std::make_shared<Impl>(io, Impl::lanes_for(std::move(query_transport), std::move(order_transport)),
                                   std::move(config), clock, std::move(deliver))) {
  log::register_secret(impl_->config_.app_key);
  log::register_secret(impl_->config_.secret_key);
}

KiwoomRestClient::~KiwoomRestClient() {
  // The Impl dies on the IoThread, after any handler that holds it.
  auto impl = std::move(impl_);
  IoThread& io = impl->io_;
  if (io.on_this_thread()) {
    impl->stopped_ = true;
    impl->wake_.cancel();
    return;
  }
  std::promise<void> gone;
  io.post([&gone, impl = std::move(impl)]() mutable {
    impl->stopped_ = true;
    impl->wake_.cancel();
    impl.reset();
    gone.set_value();
  });
  gone.get_future().wait();
}

void KiwoomRestClient::submit(detail::RestJob job) {
  impl_->io_.post([impl = impl_, job = std::move(job)]() mutable { impl->submit(std::move(job)); });
}

void KiwoomRestClient::revoke(std::function<void(Status)> done) {
  impl_->io_.post([impl = impl_, done = std::move(done)]() mutable { impl->revoke(std::move(done)); });
}

void KiwoomRestClient::with_token(bool fresh, std::function<void(Result<Secret>)> done) {
  impl_->io_.post([impl = impl_, fresh, done = std::move(done)]() mutable {
    if (!impl->stopped_) impl->with_token(fresh, std::move(done));
  });
}

RestClientStats KiwoomRestClient::stats() const {
  if (impl_->io_.on_this_thread()) return impl_->stats();
  std::promise<RestClientStats> p;
  impl_->io_.post([&p, impl = impl_] { p.set_value(impl->stats()); });
  return p.get_future().get();
}

}  // namespace dalbit::kiwoom
