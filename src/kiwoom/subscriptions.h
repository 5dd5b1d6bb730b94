// What the WebSocket is subscribed to, so a reconnect can restore it (in the
// manner of Boost.Redis's subscription_tracker): REG groups by type and item,
// and the real-time condition searches. Sans IO: it only builds requests.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "kiwoom/ws_codec.h"

namespace dalbit::kiwoom {

class SubscriptionTracker {
 public:
  // Records the pairs (item x type) and returns the REG requests that add
  // them, at most ws_code::kMaxItemsPerReg items each.
  std::vector<RegRequest> add(const std::string& group, const std::vector<std::string>& items,
                              const std::vector<std::string>& types);
  // Forgets them and returns the REMOVE requests (only for pairs that were there).
  std::vector<RegRequest> remove(const std::string& group, const std::vector<std::string>& items,
                                 const std::vector<std::string>& types);
  // Every REG needed on a fresh session, after LOGIN.
  [[nodiscard]] std::vector<RegRequest> restore() const;

  void add_condition(const ConditionSearchRequest& realtime_search);
  void remove_condition(const std::string& seq);
  [[nodiscard]] std::vector<ConditionSearchRequest> conditions() const;

  [[nodiscard]] std::size_t pairs() const;

 private:
  using Items = std::set<std::string>;
  static std::vector<RegRequest> requests(bool remove, const std::string& group,
                                          const std::map<std::string, Items>& by_type);
  std::map<std::string, std::map<std::string, Items>> groups_;  // group -> type -> items
  std::map<std::string, ConditionSearchRequest> conditions_;    // seq -> its search
};

}  // namespace dalbit::kiwoom
