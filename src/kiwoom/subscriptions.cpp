#include "kiwoom/subscriptions.h"

namespace dalbit::kiwoom {

std::vector<RegRequest> SubscriptionTracker::requests(bool remove, const std::string& group,
                                                      const std::map<std::string, Items>& by_type) {
  std::vector<RegRequest> out;
  for (const auto& [type, items] : by_type) {
    std::vector<std::string> chunk;
    auto flush = [&] {
      if (chunk.empty()) return;
      RegRequest r;
      r.remove = remove;
      r.group = group;
      r.data.push_back(RegData{std::move(chunk), {type}});
      out.push_back(std::move(r));
      chunk.clear();
    };
    for (const auto& item : items) {
      chunk.push_back(item);
      if (chunk.size() == ws_code::kMaxItemsPerReg) flush();
    }
    flush();
  }
  return out;
}

std::vector<RegRequest> SubscriptionTracker::add(const std::string& group, const std::vector<std::string>& items,
                                                 const std::vector<std::string>& types) {
  std::map<std::string, Items> added;
  auto& g = groups_[group];
  for (const auto& type : types)
    for (const auto& item : items)
      if (g[type].insert(item).second) added[type].insert(item);
  return requests(false, group, added);
}

std::vector<RegRequest> SubscriptionTracker::remove(const std::string& group, const std::vector<std::string>& items,
                                                    const std::vector<std::string>& types) {
  std::map<std::string, Items> removed;
  auto g = groups_.find(group);
  if (g == groups_.end()) return {};
  for (const auto& type : types) {
    auto t = g->second.find(type);
    if (t == g->second.end()) continue;
    for (const auto& item : items)
      if (t->second.erase(item) > 0) removed[type].insert(item);
    if (t->second.empty()) g->second.erase(t);
  }
  if (g->second.empty()) groups_.erase(g);
  return requests(true, group, removed);
}

std::vector<RegRequest> SubscriptionTracker::restore() const {
  std::vector<RegRequest> out;
  for (const auto& [group, by_type] : groups_) {
    auto r = requests(false, group, by_type);
    out.insert(out.end(), std::make_move_iterator(r.begin()), std::make_move_iterator(r.end()));
  }
  return out;
}

void SubscriptionTracker::add_condition(const ConditionSearchRequest& realtime_search) {
  conditions_[realtime_search.seq] = realtime_search;
}

void SubscriptionTracker::remove_condition(const std::string& seq) { conditions_.erase(seq); }

std::vector<ConditionSearchRequest> SubscriptionTracker::conditions() const {
  std::vector<ConditionSearchRequest> out;
  for (const auto& [seq, search] : conditions_) out.push_back(search);
  return out;
}

std::size_t SubscriptionTracker::pairs() const {
  std::size_t n = 0;
  for (const auto& [group, by_type] : groups_)
    for (const auto& [type, items] : by_type) n += items.size();
  return n;
}

}  // namespace dalbit::kiwoom
