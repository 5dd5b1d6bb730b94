#include "live/scans.h"

#include "kiwoom/rest_client.h"
#include "log/log.h"

namespace dalbit::live {
namespace {

// Kiwoom's sign codes 4 (lower limit) and 5 (down) make a magnitude negative.
double signed_pct(const std::optional<kiwoom::Rate>& rate, const std::optional<int>& sign) {
  if (!rate) return 0;
  const double pct = rate->percent();
  return sign && (*sign == 4 || *sign == 5) && pct > 0 ? -pct : pct;
}

ScanItem base_item(const kiwoom::RankRow& row, std::size_t index) {
  ScanItem item;
  item.code = row.code;
  item.rank = static_cast<int>(index) + 1;
  item.price = row.price;
  item.change_pct = signed_pct(row.change_rate, row.change_sign);
  return item;
}

template <class Rows, class Fill>
std::vector<ScanItem> convert(const Rows& rows, Fill fill) {
  std::vector<ScanItem> out;
  out.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ScanItem item = base_item(rows[i], i);
    fill(rows[i], item);
    out.push_back(item);
  }
  return out;
}

template <class Request>
void call(kiwoom::KiwoomRestClient& rest, const std::string& kind,
          const std::function<void(const std::string&, std::vector<ScanItem>)>& deliver) {
  rest.call(Request{}, [kind, deliver](kiwoom::ApiResult<typename Request::Response> r) {
    if (!r) {
      log::rest().warn("scan {}: {}", kind, r.error().describe());
      return;
    }
    deliver(kind, scan_items(*r));
  });
}

}  // namespace

std::vector<ScanItem> scan_items(const kiwoom::VolumeSurge& r) {
  return convert(r.rows, [](const kiwoom::VolumeSurgeRow& row, ScanItem& item) {
    item.volume = row.volume.value_or(Qty(0));
    item.surge_pct = row.surge_rate ? row.surge_rate->percent() : 0;
  });
}

std::vector<ScanItem> scan_items(const kiwoom::ChangeRateTop& r) {
  return convert(r.rows, [](const kiwoom::ChangeRateRow& row, ScanItem& item) {
    item.volume = row.volume.value_or(Qty(0));
  });
}

std::vector<ScanItem> scan_items(const kiwoom::VolumeTop& r) {
  return convert(r.rows, [](const kiwoom::VolumeTopRow& row, ScanItem& item) {
    item.volume = row.volume;
    item.value = row.value.value_or(Krw(0));
  });
}

std::vector<ScanItem> scan_items(const kiwoom::TradingValueTop& r) {
  return convert(r.rows, [](const kiwoom::TradingValueRow& row, ScanItem& item) {
    if (row.rank) item.rank = *row.rank;
    item.volume = row.volume.value_or(Qty(0));
    item.value = row.value.value_or(Krw(0));
  });
}

void poll_scan(kiwoom::KiwoomRestClient& rest, std::string_view kind,
               std::function<void(const std::string& kind, std::vector<ScanItem> items)> deliver) {
  const std::string k(kind);
  if (k == "volume_surge") return call<kiwoom::VolumeSurgeRequest>(rest, k, deliver);
  if (k == "change_rate") return call<kiwoom::ChangeRateTopRequest>(rest, k, deliver);
  if (k == "volume_top") return call<kiwoom::VolumeTopRequest>(rest, k, deliver);
  if (k == "value_top") return call<kiwoom::TradingValueTopRequest>(rest, k, deliver);
  log::lua().warn("unknown scan \"{}\" (volume_surge, change_rate, volume_top, value_top)", k);
}

}  // namespace dalbit::live
