// A KRX short code: six characters, digits or upper-case letters ("005930",
// "0000J0" for newer listings). Stored inline so it is cheap to copy and hash.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace dalbit {

class StockCode {
 public:
  static constexpr std::size_t kLength = 6;

  // nullopt unless `s` is exactly six [0-9A-Z] characters.
  static std::optional<StockCode> parse(std::string_view s);

  StockCode() { chars_.fill('0'); }
  [[nodiscard]] std::string_view view() const { return {chars_.data(), kLength}; }
  [[nodiscard]] std::string str() const { return std::string(view()); }
  friend bool operator==(const StockCode&, const StockCode&) = default;
  friend auto operator<=>(const StockCode&, const StockCode&) = default;

 private:
  std::array<char, kLength> chars_{};
};

}  // namespace dalbit

template <>
struct std::hash<dalbit::StockCode> {
  std::size_t operator()(const dalbit::StockCode& c) const noexcept {
    return std::hash<std::string_view>{}(c.view());
  }
};
