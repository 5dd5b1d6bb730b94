// Money, prices and share counts as distinct int64 types.
//
// KRW has no minor unit and KRX prices sit on an integer tick grid, so every
// amount is a whole number of won or shares. The types never convert into each
// other implicitly: the only bridge is Price * Qty -> Krw (a trade's value).
#pragma once

#include <compare>
#include <concepts>
#include <cstdint>
#include <functional>

namespace dalbit {

template <class Tag>
class StrongInt {
 public:
  using Rep = std::int64_t;
  constexpr StrongInt() = default;
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  constexpr explicit StrongInt(I v) : v_(static_cast<Rep>(v)) {}
  // No floating-point constructor on purpose: a fraction of a won or a share is a bug.
  template <std::floating_point F>
  StrongInt(F) = delete;

  [[nodiscard]] constexpr Rep value() const { return v_; }

  friend constexpr auto operator<=>(StrongInt, StrongInt) = default;
  friend constexpr StrongInt operator+(StrongInt a, StrongInt b) { return StrongInt(a.v_ + b.v_); }
  friend constexpr StrongInt operator-(StrongInt a, StrongInt b) { return StrongInt(a.v_ - b.v_); }
  friend constexpr StrongInt operator-(StrongInt a) { return StrongInt(-a.v_); }
  constexpr StrongInt& operator+=(StrongInt b) { v_ += b.v_; return *this; }
  constexpr StrongInt& operator-=(StrongInt b) { v_ -= b.v_; return *this; }
  // Scaling by a plain count (e.g. ticks * 3) keeps the unit.
  friend constexpr StrongInt operator*(StrongInt a, Rep k) { return StrongInt(a.v_ * k); }
  friend constexpr StrongInt operator*(Rep k, StrongInt a) { return StrongInt(a.v_ * k); }

 private:
  Rep v_ = 0;
};

struct PriceTag {};
struct QtyTag {};
struct KrwTag {};

using Price = StrongInt<PriceTag>;  // won per share, on the KRX tick grid
using Qty = StrongInt<QtyTag>;      // shares
using Krw = StrongInt<KrwTag>;      // an amount of won

constexpr Krw operator*(Price p, Qty q) { return Krw(p.value() * q.value()); }
constexpr Krw operator*(Qty q, Price p) { return p * q; }

// Whole shares that `budget` buys at `price` (0 when price is not positive).
constexpr Qty shares_for(Krw budget, Price price) {
  return price.value() > 0 ? Qty(budget.value() / price.value()) : Qty(0);
}

}  // namespace dalbit

template <class Tag>
struct std::hash<dalbit::StrongInt<Tag>> {
  std::size_t operator()(dalbit::StrongInt<Tag> v) const noexcept {
    return std::hash<std::int64_t>{}(v.value());
  }
};
