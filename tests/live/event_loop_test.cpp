#include "live/event_loop.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.h"

namespace dalbit::live {
namespace {

using namespace std::chrono_literals;

TEST(EventLoop, RunsPostedWorkInOrderFromAnyThreadAndCommitsAfterEach) {
  EventLoop loop;
  std::vector<int> seen;
  int commits = 0;
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) loop.post([&seen, i] { seen.push_back(i); });
    loop.post([&loop] { loop.stop(); });
  });
  loop.run(1h, [] {}, [&] { ++commits; });
  producer.join();
  ASSERT_EQ(seen.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)], i);
  EXPECT_GE(commits, 100);
}

TEST(EventLoop, HeartbeatsWithoutEventsAndDespiteABusyQueue) {
  EventLoop loop;
  int beats = 0;
  std::atomic<bool> flooding{true};
  std::thread flood([&] {
    while (flooding.load()) {
      loop.post([] { std::this_thread::sleep_for(100us); });
      std::this_thread::sleep_for(50us);
    }
  });
  loop.post([&] {});
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    loop.stop();
  });
  loop.run(20ms, [&] { ++beats; }, {});
  flooding.store(false);
  flood.join();
  stopper.join();
  // 300 ms at one beat per 20 ms: about 15, whatever the queue holds.
  EXPECT_GE(beats, 8);
  EXPECT_LE(beats, 20);
}

TEST(ScaledClock, RunsFasterFromItsOrigin) {
  const Timestamp origin = from_kst(KstDate{2026, 11, 25}, TimeOfDay::hm(12, 30));
  ScaledClock clock(origin, 120.0);
  std::this_thread::sleep_for(100ms);
  const auto elapsed = clock.now() - origin;
  EXPECT_GE(elapsed, 11s);  // 100 ms x 120 = 12 s, minus scheduling slack
  EXPECT_LT(elapsed, 30s);
  ScaledClock frozen(origin, 0.0);
  std::this_thread::sleep_for(10ms);
  EXPECT_EQ(frozen.now(), origin);
}

}  // namespace
}  // namespace dalbit::live
