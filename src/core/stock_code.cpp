#include "core/stock_code.h"

namespace dalbit {

std::optional<StockCode> StockCode::parse(std::string_view s) {
  if (s.size() != kLength) return std::nullopt;
  StockCode code;
  for (std::size_t i = 0; i < kLength; ++i) {
    const char c = s[i];
    const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
    if (!ok) return std::nullopt;
    code.chars_[i] = c;
  }
  return code;
}

}  // namespace dalbit
