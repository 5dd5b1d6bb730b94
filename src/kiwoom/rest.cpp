// Transport-facing helpers of rest.h: continuation, headers, error bodies.
#include "kiwoom/rest.h"

#include "kiwoom/json.h"

namespace dalbit::kiwoom {

bool Pager::advance(std::string_view cont_yn, std::string_view next_key) {
  ++pages_;
  const std::string_view key = trim(next_key);
  // cont-yn Y with an empty next-key would repeat the first page forever.
  const bool more = trim(cont_yn) == code::kYes && !key.empty();
  const bool capped = max_pages_ > 0 && pages_ >= max_pages_;
  done_ = !more || capped;
  next_key_ = done_ ? std::string() : std::string(key);
  return !done_;
}

std::vector<Header> request_headers(const RestRequest& request, const Secret* token, const Pager* pager) {
  std::vector<Header> out;
  out.reserve(5);
  out.push_back({header::kContentType, std::string(header::kJsonContentType)});
  out.push_back({header::kApiId, std::string(request.api_id)});
  if (token != nullptr) out.push_back({header::kAuthorization, std::string(header::kBearerPrefix) + token->reveal()});
  if (pager != nullptr && pager->continuing()) {
    out.push_back({header::kContYn, std::string(code::kYes)});
    out.push_back({header::kNextKey, pager->next_key()});
  }
  return out;
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  const std::string_view s = trim(authorization);
  const std::string_view prefix = header::kBearerPrefix;
  if (s.size() <= prefix.size()) return std::nullopt;
  // The scheme is case-insensitive in HTTP ("bearer" is what au10001 returns).
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char a = s[i], b = prefix[i];
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a) != lower(b)) return std::nullopt;
  }
  const std::string_view token = trim(s.substr(prefix.size()));
  if (token.empty()) return std::nullopt;
  return token;
}

std::string error_body(std::int64_t return_code, std::string_view return_msg) {
  json::Builder b;
  b.number(key::kReturnCode, return_code);
  b.text(key::kReturnMsg, return_msg);
  return b.dump();
}

Result<OrderKind> parse_order_kind(std::string_view key, std::string_view text) {
  const std::string_view s = trim(text);
  OrderKind out;
  const bool buy = s.find(order_kind_text::kBuy) != std::string_view::npos;
  const bool sell = s.find(order_kind_text::kSell) != std::string_view::npos;
  if (buy == sell) return Error{std::string(key) + ": unknown order kind " + quote_for_error(text)};
  out.side = buy ? Side::Buy : Side::Sell;
  if (s.find(order_kind_text::kModify) != std::string_view::npos) {
    out.action = OrderAction::Modify;
  } else if (s.find(order_kind_text::kCancel) != std::string_view::npos) {
    out.action = OrderAction::Cancel;
  }
  return out;
}

}  // namespace dalbit::kiwoom
