// Updates must not allocate: a strategy updates indicators on every bar of
// every subscribed code. This binary replaces the global operator new to count
// allocations while the indicators run.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "series.h"
#include "ta/registry.h"

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
}  // namespace

// GCC pairs the free() below with a `new` expression and warns; here free() is
// the right partner of the malloc() in the replacement operator new.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace dalbit::ta {
namespace {

TEST(NoAllocation, UpdatesAndReadsAllocateNothing) {
  const auto bars = testing::random_bars(2'000, 9);
  std::vector<std::unique_ptr<Indicator>> all;
  for (const IndicatorInfo& info : indicator_catalog()) {
    auto made = make_indicator(info.name);
    ASSERT_TRUE(made.ok());
    all.push_back(std::move(*made));
  }
  double sink = 0.0;
  counting = true;
  for (const Bar& b : bars) {
    for (auto& ind : all) {
      ind->update(b);
      if (ind->ready()) sink += ind->values()[0];
    }
  }
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
  EXPECT_TRUE(sink == sink || sink != sink);  // keep the reads
}

}  // namespace
}  // namespace dalbit::ta
