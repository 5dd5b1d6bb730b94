// Rankings: ka10023 volume surge, ka10027 change rate, ka10030 volume,
// ka10032 trading value. The many filter codes travel as strings whose
// "everything" defaults live in protocol.h.
#include "kiwoom/fields.h"

namespace dalbit::kiwoom {

using namespace fields;

namespace {
constexpr IntCodec kMinutes{.min = 1, .max = 24 * 60};
constexpr IntCodec kRank{.min = 0, .max = 1'000'000};
constexpr auto kRankMarket = enum_codec<RankMarket>({{RankMarket::All, code::kRankMarketAll},
                                                    {RankMarket::Kospi, code::kRankMarketKospi},
                                                    {RankMarket::Kosdaq, code::kRankMarketKosdaq}});
constexpr auto kRankVenue = enum_codec<VenueFilter>({{VenueFilter::Krx, code::kRankVenueKrx},
                                                    {VenueFilter::Nxt, code::kRankVenueNxt},
                                                    {VenueFilter::All, code::kRankVenueAll}});
constexpr auto kSurgeSort = enum_codec<VolumeSurgeSort>({{VolumeSurgeSort::SurgeQty, code::kSurgeSortQty},
                                                        {VolumeSurgeSort::SurgeRate, code::kSurgeSortRate},
                                                        {VolumeSurgeSort::DropQty, code::kDropSortQty},
                                                        {VolumeSurgeSort::DropRate, code::kDropSortRate}});
constexpr auto kChangeSort = enum_codec<ChangeRateSort>({{ChangeRateSort::RiseRate, code::kRiseRate},
                                                        {ChangeRateSort::RiseAmount, code::kRiseAmount},
                                                        {ChangeRateSort::FallRate, code::kFallRate},
                                                        {ChangeRateSort::FallAmount, code::kFallAmount},
                                                        {ChangeRateSort::Flat, code::kFlatChange}});
constexpr auto kVolumeSort = enum_codec<VolumeTopSort>({{VolumeTopSort::Volume, code::kVolumeTopByVolume},
                                                       {VolumeTopSort::Turnover, code::kVolumeTopByTurnover},
                                                       {VolumeTopSort::Value, code::kVolumeTopByValue}});
constexpr auto kLimitMoves = enum_codec<bool>({{true, code::kIncludeLimitMoves}, {false, code::kExcludeLimitMoves}});
constexpr auto kVolumeTopManaged =
    enum_codec<bool>({{true, code::kVolumeTopIncludeManaged}, {false, code::kVolumeTopExcludeManaged}});
constexpr auto kValueTopManaged =
    enum_codec<bool>({{true, code::kValueTopIncludeManaged}, {false, code::kValueTopExcludeManaged}});

// The columns every ranking row shares.
template <class V, class S>
void describe_rank_row(V& v, S& r) {
  v.req(key::kStkCd, r.code, kCode);
  v.text(key::kStkNm, r.name);
  v.req(key::kCurPrc, r.price, kPrice);
  v.opt(key::kPredPreSig, r.change_sign, kChangeSign);
  v.opt(key::kPredPre, r.change, kPriceChange);
  v.opt(key::kFluRt, r.change_rate, kSignedRate);
}
}  // namespace

template <class V, Is<VolumeSurgeRequest> S>
void describe(V& v, S& r) {
  v.req(key::kMrktTp, r.market, kRankMarket);
  v.req(key::kSortTp, r.sort, kSurgeSort);
  v.computed(key::kTmTp, r.minutes ? code::kSurgeVsMinutes : code::kSurgeVsPreviousDay);
  v.req(key::kTrdeQtyTp, r.min_volume, kText);
  v.opt(key::kTm, r.minutes, kMinutes);
  v.req(key::kStkCnd, r.stock_filter, kText);
  v.req(key::kPricTp, r.price_filter, kText);
  v.req(key::kStexTp, r.venue, kRankVenue);
}

template <class V, Is<VolumeSurgeRow> S>
void describe(V& v, S& r) {
  describe_rank_row(v, r);
  v.opt(key::kPrevTrdeQty, r.previous_volume, kQty);
  v.opt(key::kNowTrdeQty, r.volume, kQty);
  v.opt(key::kSdninQty, r.surge, kSignedQty);
  v.opt(key::kSdninRt, r.surge_rate, kSignedRate);
}

template <class V, Is<VolumeSurge> S>
void describe(V& v, S& s) {
  v.list(key::kVolumeSurgeList, s.rows);
}

template <class V, Is<ChangeRateTopRequest> S>
void describe(V& v, S& r) {
  v.req(key::kMrktTp, r.market, kRankMarket);
  v.req(key::kSortTp, r.sort, kChangeSort);
  v.req(key::kTrdeQtyCnd, r.volume_filter, kText);
  v.req(key::kStkCnd, r.stock_filter, kText);
  v.req(key::kCrdCnd, r.credit_filter, kText);
  v.req(key::kUpdownIncls, r.include_limit_moves, kLimitMoves);
  v.req(key::kPricCnd, r.price_filter, kText);
  v.req(key::kTrdePricaCnd, r.value_filter, kText);
  v.req(key::kStexTp, r.venue, kRankVenue);
}

template <class V, Is<ChangeRateRow> S>
void describe(V& v, S& r) {
  describe_rank_row(v, r);
  v.opt(key::kSelReq, r.ask_qty, kQty);
  v.opt(key::kBuyReq, r.bid_qty, kQty);
  v.opt(key::kNowTrdeQty, r.volume, kQty);
  v.opt(key::kCntrStr, r.strength, kRate);
}

template <class V, Is<ChangeRateTop> S>
void describe(V& v, S& s) {
  v.list(key::kChangeRateList, s.rows);
}

template <class V, Is<VolumeTopRequest> S>
void describe(V& v, S& r) {
  v.req(key::kMrktTp, r.market, kRankMarket);
  v.req(key::kSortTp, r.sort, kVolumeSort);
  v.req(key::kMangStkIncls, r.include_managed, kVolumeTopManaged);
  v.req(key::kCrdTp, r.credit_filter, kText);
  v.req(key::kTrdeQtyTp, r.volume_filter, kText);
  v.req(key::kPricTp, r.price_filter, kText);
  v.req(key::kTrdePricaTp, r.value_filter, kText);
  v.req(key::kMrktOpenTp, r.session_filter, kText);
  v.req(key::kStexTp, r.venue, kRankVenue);
}

template <class V, Is<VolumeTopRow> S>
void describe(V& v, S& r) {
  describe_rank_row(v, r);
  v.req(key::kTrdeQty, r.volume, kQty);
  v.opt(key::kPredRt, r.vs_previous, kSignedRate);
  v.opt(key::kTrdeTernRt, r.turnover, kSignedRate);
  v.opt(key::kTrdeAmt, r.value, kMillionKrw);
}

template <class V, Is<VolumeTop> S>
void describe(V& v, S& s) {
  v.list(key::kVolumeTopList, s.rows);
}

template <class V, Is<TradingValueTopRequest> S>
void describe(V& v, S& r) {
  v.req(key::kMrktTp, r.market, kRankMarket);
  v.req(key::kMangStkIncls, r.include_managed, kValueTopManaged);
  v.req(key::kStexTp, r.venue, kRankVenue);
}

template <class V, Is<TradingValueRow> S>
void describe(V& v, S& r) {
  describe_rank_row(v, r);
  v.opt(key::kNowRank, r.rank, kRank);
  v.opt(key::kPredRank, r.previous_rank, kRank);
  v.opt(key::kSelBid, r.best_ask, kPrice);
  v.opt(key::kBuyBid, r.best_bid, kPrice);
  v.opt(key::kNowTrdeQty, r.volume, kQty);
  v.opt(key::kPredTrdeQty, r.previous_volume, kQty);
  v.opt(key::kTrdePrica, r.value, kMillionKrw);
}

template <class V, Is<TradingValueTop> S>
void describe(V& v, S& s) {
  v.list(key::kTradingValueList, s.rows);
}

}  // namespace dalbit::kiwoom

DALBIT_KIWOOM_REST_API(dalbit::kiwoom::VolumeSurgeRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::ChangeRateTopRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::VolumeTopRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::TradingValueTopRequest)
