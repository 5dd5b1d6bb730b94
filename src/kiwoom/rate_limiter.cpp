#include "kiwoom/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace dalbit::kiwoom {

void RateLimiter::Bucket::take(Timestamp now) { tat = std::max(tat, now) + interval; }

RateLimiter::Bucket RateLimiter::make_bucket(RateLimit limit) {
  Bucket b;
  const double seconds = limit.per_second > 0 ? 1.0 / limit.per_second : 0.0;
  b.interval = Duration(static_cast<Duration::rep>(std::llround(seconds * 1e9)));
  b.tolerance = b.interval * std::max(0, limit.burst - 1);
  return b;
}

std::size_t RateLimiter::priority_of(ApiClass c) {
  for (std::size_t prio = 0; prio < kPriorities; ++prio) {
    if (kClassOf[prio] == c) return prio;
  }
  return kPriorities - 1;
}

RateLimiter::RateLimiter(RateLimiterConfig config, const Clock& clock, std::uint64_t seed)
    : config_(std::move(config)), clock_(clock), seed_(seed) {
  class_buckets_[0] = make_bucket(config_.tokens);
  class_buckets_[1] = make_bucket(config_.orders);
  class_buckets_[2] = make_bucket(config_.queries);
}

RateLimiter::ApiState& RateLimiter::api(std::string_view id) {
  auto it = apis_.find(id);
  if (it != apis_.end()) return it->second;
  const auto o = config_.overrides.find(id);
  const RateLimit limit = o != config_.overrides.end() ? o->second : config_.per_api;
  ApiState s{make_bucket(limit), Backoff(config_.backoff, seed_ + apis_.size()), {}};
  return apis_.emplace(std::string(id), std::move(s)).first->second;
}

RateLimiter::Ticket RateLimiter::enqueue(std::string_view api_id) {
  Pending p;
  p.ticket = next_ticket_++;
  p.api_id = std::string(api_id);
  p.priority = priority_of(api_class_of(api_id));
  p.enqueued = clock_.now();
  api(api_id);
  queues_[p.priority].push_back(std::move(p));
  return queues_[p.priority].back().ticket;
}

Timestamp RateLimiter::ready_at(const Pending& p) {
  const ApiState& a = api(p.api_id);
  return std::max({a.bucket.ready_at(), a.blocked_until, class_buckets_[p.priority].ready_at()});
}

RateLimiter::Next RateLimiter::poll(ApiClassSet classes) {
  const Timestamp now = clock_.now();
  std::optional<Timestamp> wake;
  for (std::size_t prio = 0; prio < kPriorities; ++prio) {
    if (!classes.has(kClassOf[prio])) continue;
    auto& q = queues_[prio];
    for (auto it = q.begin(); it != q.end(); ++it) {
      const Timestamp at = ready_at(*it);
      if (at > now) {
        wake = wake ? std::min(*wake, at) : at;
        continue;
      }
      api(it->api_id).bucket.take(now);
      class_buckets_[prio].take(now);
      const Duration wait = now - it->enqueued;
      ++stats_.sent;
      if (wait > Duration::zero()) {
        ++stats_.waited;
        stats_.total_wait += wait;
        stats_.max_wait = std::max(stats_.max_wait, wait);
      }
      Pending p = std::move(*it);
      q.erase(it);
      const Ticket t = p.ticket;
      const auto [slot, inserted] = in_flight_.emplace(t, std::move(p));
      return Next{t, slot->second.api_id, std::nullopt};
    }
  }
  return Next{std::nullopt, {}, wake};
}

void RateLimiter::on_reply(Ticket ticket, bool rate_limited) {
  const auto it = in_flight_.find(ticket);
  if (it == in_flight_.end()) return;
  ApiState& a = api(it->second.api_id);
  if (!rate_limited) {
    a.backoff.reset();
    in_flight_.erase(it);
    return;
  }
  ++stats_.rate_limited;
  a.blocked_until = clock_.now() + a.backoff.next();
  // Not executed by the broker, so resending is safe (README §6.1): it keeps
  // its place at the head of its class and its original enqueue time.
  Pending p = std::move(it->second);
  in_flight_.erase(it);
  queues_[p.priority].push_front(std::move(p));
}

std::size_t RateLimiter::queued() const {
  std::size_t n = 0;
  for (const auto& q : queues_) n += q.size();
  return n;
}

}  // namespace dalbit::kiwoom
