#include "kiwoom/subscriptions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dalbit::kiwoom {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST(SubscriptionTracker, AddReturnsOnlyNewPairsPerType) {
  SubscriptionTracker t;
  auto first = t.add("1", {"005930", "000660"}, {"0B"});
  ASSERT_THAT(first, SizeIs(1));
  EXPECT_EQ(first[0].group, "1");
  EXPECT_FALSE(first[0].remove);
  EXPECT_THAT(first[0].data[0].items, ElementsAre("000660", "005930"));
  EXPECT_THAT(first[0].data[0].types, ElementsAre("0B"));
  auto again = t.add("1", {"005930", "035720"}, {"0B", "0D"});
  ASSERT_THAT(again, SizeIs(2));
  EXPECT_THAT(again[0].data[0].items, ElementsAre("035720"));  // 0B: only the new code
  EXPECT_THAT(again[1].data[0].items, ElementsAre("005930", "035720"));  // 0D: both
  EXPECT_EQ(t.pairs(), 5u);
  EXPECT_THAT(t.add("1", {"005930"}, {"0B"}), IsEmpty());
}

TEST(SubscriptionTracker, RemoveOnlyWhatIsThere) {
  SubscriptionTracker t;
  (void)t.add("1", {"005930"}, {"0B", "0D"});
  EXPECT_THAT(t.remove("1", {"000660"}, {"0B"}), IsEmpty());
  EXPECT_THAT(t.remove("9", {"005930"}, {"0B"}), IsEmpty());
  auto r = t.remove("1", {"005930"}, {"0B"});
  ASSERT_THAT(r, SizeIs(1));
  EXPECT_TRUE(r[0].remove);
  EXPECT_EQ(t.pairs(), 1u);
  auto restore = t.restore();
  ASSERT_THAT(restore, SizeIs(1));
  EXPECT_THAT(restore[0].data[0].types, ElementsAre("0D"));
}

TEST(SubscriptionTracker, RestoreChunksAtTheItemLimitAndKeepsGroups) {
  SubscriptionTracker t;
  std::vector<std::string> codes;
  for (int i = 0; i < 250; ++i) codes.push_back(std::to_string(100000 + i));
  (void)t.add("1", codes, {"0B"});
  (void)t.add("2", {""}, {"00", "04"});
  auto all = t.restore();
  ASSERT_THAT(all, SizeIs(5));
  EXPECT_THAT(all[0].data[0].items, SizeIs(ws_code::kMaxItemsPerReg));
  EXPECT_THAT(all[2].data[0].items, SizeIs(50));
  EXPECT_EQ(all[3].group, "2");
  EXPECT_THAT(all[3].data[0].items, ElementsAre(""));
  for (const auto& r : all) EXPECT_TRUE(r.keep_existing);
}

ConditionSearchRequest realtime(std::string seq) {
  ConditionSearchRequest r;
  r.seq = std::move(seq);
  r.realtime = true;
  return r;
}

TEST(SubscriptionTracker, RealtimeConditionsAreKeptBySeq) {
  SubscriptionTracker t;
  t.add_condition(realtime("1"));
  t.add_condition(realtime("2"));
  t.add_condition(realtime("1"));
  EXPECT_THAT(t.conditions(), SizeIs(2));
  t.remove_condition("1");
  ASSERT_THAT(t.conditions(), SizeIs(1));
  EXPECT_EQ(t.conditions()[0].seq, "2");
}

}  // namespace
}  // namespace dalbit::kiwoom
