#include "kiwoom/envelope.h"

#include <algorithm>

#include "kiwoom/protocol.h"

namespace dalbit::kiwoom {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool four_digits_at(std::string_view s, std::size_t pos) {
  return pos + 4 <= s.size() && std::all_of(s.begin() + static_cast<std::ptrdiff_t>(pos),
                                            s.begin() + static_cast<std::ptrdiff_t>(pos + 4), is_digit);
}

int code_number(std::string_view code) {
  if (code.size() != 4 || !std::all_of(code.begin(), code.end(), is_digit)) return 0;
  return (code[0] - '0') * 1000 + (code[1] - '0') * 100 + (code[2] - '0') * 10 + (code[3] - '0');
}

}  // namespace

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::TokenInvalid: return "token invalid";
    case ErrorKind::RateLimited: return "rate limited";
    case ErrorKind::Rejected: return "rejected";
    case ErrorKind::Malformed: return "malformed";
    case ErrorKind::Network: return "no answer";
  }
  return "?";
}

std::string ApiError::describe() const {
  std::string out = api_id.empty() ? std::string("kiwoom") : api_id;
  out += ": ";
  out += to_string(kind);
  if (kind != ErrorKind::Malformed && kind != ErrorKind::Network) {
    out += " (HTTP " + std::to_string(http_status);
    if (return_code) out += ", return_code " + std::to_string(*return_code);
    if (!code.empty()) out += ", code " + code;
    out += ")";
  }
  if (!message.empty()) out += ": " + message;
  return out;
}

std::string find_error_code(std::string_view m) {
  // "[8005:" or "[1634]"
  for (std::size_t p = m.find('['); p != std::string_view::npos; p = m.find('[', p + 1)) {
    if (four_digits_at(m, p + 1) && p + 5 < m.size() && (m[p + 5] == ':' || m[p + 5] == ']')) {
      return std::string(m.substr(p + 1, 4));
    }
  }
  // "CODE=8005" (WebSocket LOGIN failure)
  if (const std::size_t p = m.find("CODE="); p != std::string_view::npos && four_digits_at(m, p + 5)) {
    return std::string(m.substr(p + 5, 4));
  }
  // "(RC9000:" (order rejections)
  if (const std::size_t p = m.find("(RC"); p != std::string_view::npos && four_digits_at(m, p + 3)) {
    return std::string(m.substr(p + 1, 6));
  }
  return {};
}

std::optional<ApiError> classify_reply(std::string_view api_id, int http_status,
                                       std::optional<std::int64_t> return_code, std::string_view return_msg) {
  const bool http_ok = http_status >= 200 && http_status < 300;
  if (http_ok && return_code == return_code::kOk) return std::nullopt;

  ApiError e;
  e.api_id = std::string(api_id);
  e.http_status = http_status;
  e.return_code = return_code;
  e.code = find_error_code(return_msg);
  e.message = std::string(return_msg);
  // The plain form puts the 4-digit code in return_code itself (README §6.1).
  if (e.code.empty() && return_code && *return_code >= 1000 && *return_code <= 9999) {
    e.code = std::to_string(*return_code);
  }
  const int n = code_number(e.code);
  const auto& reissue = error_code::kReissueTokenCodes;
  if (http_status == kHttpUnauthorized || std::find(reissue.begin(), reissue.end(), n) != reissue.end() ||
      return_code == return_code::kTokenCategory) {
    e.kind = ErrorKind::TokenInvalid;
  } else if (http_status == kHttpTooManyRequests || n == error_code::kRateLimited ||
             (return_code == return_code::kLimitCategory && e.code.empty())) {
    e.kind = ErrorKind::RateLimited;
  } else if (http_ok && !return_code) {
    e.kind = ErrorKind::Malformed;
    e.message = "response has no " + std::string(key::kReturnCode);
  } else {
    e.kind = ErrorKind::Rejected;
    if (e.message.empty()) e.message = "HTTP " + std::to_string(http_status);
  }
  return e;
}

}  // namespace dalbit::kiwoom
