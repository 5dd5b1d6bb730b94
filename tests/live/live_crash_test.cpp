// The long crash test (ctest label soak; `make soak`): twenty kill -9s.
#include "live/live_test_support.h"

namespace dalbit::live_test {
namespace {

TEST_F(LiveRunTest, SurvivesKillNineAtTwentyRandomMoments) { crash_and_restart(20, 2026, "2026-11-25 14:30:00", 30); }

}  // namespace
}  // namespace dalbit::live_test
