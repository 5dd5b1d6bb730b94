// When to (re-)issue the access token, sans IO.
//
// Before each request: before_request(now) says Use the token or Issue one
// first. The token is refreshed `refresh_margin` before expires_dt (the
// official client uses 600 s). After each answer: on_reply() turns a
// TokenInvalid answer (HTTP 401, or HTTP 200 with return_code 3 and
// "[8005:...]", or a LOGIN failure with CODE=8005) into "re-issue and retry
// once"; a second rejection of the retry fails.
//
// Each issued token has a generation, so that ten requests rejected together
// drop the token once, and a request rejected with an old token just retries
// with the new one.
#pragma once

#include <cstdint>
#include <optional>

#include "core/secret.h"
#include "core/time.h"
#include "kiwoom/envelope.h"
#include "kiwoom/rest.h"

namespace dalbit::kiwoom {

class TokenManager {
 public:
  explicit TokenManager(Duration refresh_margin = std::chrono::minutes(10)) : margin_(refresh_margin) {}

  enum class Need : std::uint8_t { Use, Issue };
  [[nodiscard]] Need before_request(Timestamp now) const;

  void on_issued(IssuedToken token, Timestamp now);
  // The current token; nullptr before the first issue or after invalidation.
  [[nodiscard]] const Secret* token() const { return token_ ? &*token_ : nullptr; }
  // Changes on every issue; send it along with a request and hand it back to on_reply.
  [[nodiscard]] std::uint64_t generation() const { return generation_; }
  [[nodiscard]] std::optional<Timestamp> expires() const { return expires_; }
  // When before_request starts saying Issue; nullopt without a token.
  [[nodiscard]] std::optional<Timestamp> refresh_at() const { return token_ ? std::optional(refresh_at_) : std::nullopt; }

  enum class Verdict : std::uint8_t {
    Done,             // not a token problem: the caller handles the answer
    ReissueAndRetry,  // ask before_request again (it says Issue if needed), then resend once
    Fail,             // the retry was rejected too
  };
  // `attempt` is 0 for the first send and 1 for the retry.
  [[nodiscard]] Verdict on_reply(const ApiError* error, std::uint64_t generation_used, int attempt);
  void invalidate();

 private:
  Duration margin_;
  std::optional<Secret> token_;
  std::optional<Timestamp> expires_;
  Timestamp refresh_at_{};
  std::uint64_t generation_ = 0;
};

}  // namespace dalbit::kiwoom
