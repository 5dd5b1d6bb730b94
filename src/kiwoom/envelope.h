// The answer envelope shared by every REST response and the WebSocket acks:
// return_code / return_msg plus the HTTP status, classified once (README §6).
//
//   ok            return_code 0 and HTTP 2xx
// The broker's code is read from return_msg ("[8005:...]", "CODE=8005",
// "(RC9000:") or, in the plain form, is return_code itself (8005, 1700).
//   TokenInvalid  HTTP 401, or a 8005/8031/8103 code, or return_code 3
//                 ("인증에 실패했습니다[8005:Token이 유효하지 않습니다]")
//   RateLimited   HTTP 429, or a 1700 code, or return_code 5 without a code
//                 (return_code 5 with [1634] is "batch too large": Rejected)
//   Rejected      anything else the broker refused, with its message
//   Malformed     the answer broke the protocol: not JSON, a required key
//                 missing, a value that does not parse
//   Network       (set by the client, never by classify_reply) no answer at all
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/result.h"

namespace dalbit::kiwoom {

// Network: no answer arrived (connect, TLS, timeout, dropped connection); for
// an order its fate is unknown until reconciled (ka10075 / the 00 feed).
enum class ErrorKind : std::uint8_t { TokenInvalid, RateLimited, Rejected, Malformed, Network };
[[nodiscard]] std::string_view to_string(ErrorKind kind);

struct ApiError {
  ErrorKind kind = ErrorKind::Rejected;
  std::string api_id;
  int http_status = 200;
  std::optional<std::int64_t> return_code;
  std::string code;     // the broker's code found in return_msg ("8005", "1700", "RC9000") or ""
  std::string message;  // the broker's return_msg, or what was malformed
  // "kt10000: rejected (HTTP 200, return_code 20, code RC9000): [2000](RC9000:...)"
  [[nodiscard]] std::string describe() const;
  [[nodiscard]] Error to_error() const { return Error{describe()}; }
};

template <class T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}        // NOLINT: implicit on purpose
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT
  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  [[nodiscard]] const ApiError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

// The broker's code inside a message: "[8005:...]" and "[1634]" give the four
// digits, "CODE=8005" (WebSocket LOGIN) too, "(RC9000:...)" gives "RC9000".
// "" when there is none.
[[nodiscard]] std::string find_error_code(std::string_view message);

// nullopt for a success. `return_code` is nullopt when the body had none (or
// was not JSON); with HTTP 200 that is Malformed.
[[nodiscard]] std::optional<ApiError> classify_reply(std::string_view api_id, int http_status,
                                                     std::optional<std::int64_t> return_code,
                                                     std::string_view return_msg);

}  // namespace dalbit::kiwoom
