#include "kiwoom/token_manager.h"

#include <algorithm>

namespace dalbit::kiwoom {

TokenManager::Need TokenManager::before_request(Timestamp now) const {
  return token_ && now < refresh_at_ ? Need::Use : Need::Issue;
}

void TokenManager::on_issued(IssuedToken token, Timestamp now) {
  token_ = std::move(token.token);
  expires_ = token.expires;
  // A short-lived token (a simulator's, or a clock far off) is refreshed at
  // half its life rather than at once, so it cannot cause an issue storm.
  const Duration life = std::max(Duration::zero(), token.expires - now);
  refresh_at_ = token.expires - std::min(margin_, life / 2);
  ++generation_;
}

TokenManager::Verdict TokenManager::on_reply(const ApiError* error, std::uint64_t generation_used, int attempt) {
  if (error == nullptr || error->kind != ErrorKind::TokenInvalid) return Verdict::Done;
  if (attempt >= 1) return Verdict::Fail;
  if (generation_used == generation_) invalidate();
  return Verdict::ReissueAndRetry;
}

void TokenManager::invalidate() {
  token_.reset();
  expires_.reset();
}

}  // namespace dalbit::kiwoom
