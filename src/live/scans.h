// Market rankings for strategies that subscribed to scans (ctx:subscribe{ scans = {...} }):
// Kiwoom's ranking api-ids polled and turned into ScanItems for Host::on_scan.
//
//   volume_surge  ka10023 거래량급증      change_rate  ka10027 전일대비등락률상위
//   volume_top    ka10030 당일거래량상위  value_top    ka10032 거래대금상위
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"
#include "kiwoom/rest.h"

namespace dalbit::kiwoom {
class KiwoomRestClient;
}

namespace dalbit::live {

// One ranking as scripts see it; rank is the row's position (1 = top).
[[nodiscard]] std::vector<ScanItem> scan_items(const kiwoom::VolumeSurge& r);
[[nodiscard]] std::vector<ScanItem> scan_items(const kiwoom::ChangeRateTop& r);
[[nodiscard]] std::vector<ScanItem> scan_items(const kiwoom::VolumeTop& r);
[[nodiscard]] std::vector<ScanItem> scan_items(const kiwoom::TradingValueTop& r);

// Asks for the ranking `kind` names and hands its items to `deliver` (on the
// client's Deliver thread); an unknown kind or a failed call is logged.
void poll_scan(kiwoom::KiwoomRestClient& rest, std::string_view kind,
               std::function<void(const std::string& kind, std::vector<ScanItem> items)> deliver);

}  // namespace dalbit::live
