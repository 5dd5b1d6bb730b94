#include "core/money.h"
#include "core/stock_code.h"

#include <type_traits>

#include <gtest/gtest.h>

namespace dalbit {
namespace {

// The strong types must not mix: these are the compile-time proofs.
template <class A, class B>
concept Addable = requires(A a, B b) { a + b; };
static_assert(Addable<Price, Price>);
static_assert(!Addable<Price, Qty>);
static_assert(!Addable<Krw, Price>);
static_assert(!std::is_convertible_v<std::int64_t, Price>);
static_assert(!std::is_constructible_v<Price, double>);
static_assert(std::is_same_v<decltype(Price(1) * Qty(1)), Krw>);

TEST(Money, PriceTimesQtyIsWon) {
  EXPECT_EQ(Price(72'500) * Qty(3), Krw(217'500));
  EXPECT_EQ(shares_for(Krw(1'000'000), Price(72'500)), Qty(13));
  EXPECT_EQ(shares_for(Krw(1'000'000), Price(0)), Qty(0));
}

TEST(StockCode, ValidatesSixCharacters) {
  EXPECT_TRUE(StockCode::parse("005930"));
  EXPECT_TRUE(StockCode::parse("0000J0"));
  EXPECT_FALSE(StockCode::parse("05930"));
  EXPECT_FALSE(StockCode::parse("0059300"));
  EXPECT_FALSE(StockCode::parse("00593a"));
  EXPECT_FALSE(StockCode::parse("005 30"));
  EXPECT_EQ(StockCode::parse("005930")->str(), "005930");
}

}  // namespace
}  // namespace dalbit
