#include "sim/service.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "kiwoom/protocol.h"
#include "kiwoom/rest.h"
#include "kiwoom/ws_codec.h"

namespace dalbit::sim {
namespace {

namespace kw = kiwoom;
using kw::Rate;

constexpr std::size_t kPageRows = 100;  // rows per chart page before cont-yn: Y
constexpr auto kAckAfterExec = std::chrono::milliseconds(100);
constexpr auto kConditionEvery = std::chrono::seconds(60);
// What REG accepts: Kiwoom's REAL types (02 comes from CNSRREQ, not REG).
constexpr std::array<std::string_view, 8> kRegistrableTypes{
    kw::real_type::kOrderExecution, kw::real_type::kBalance,     kw::real_type::kTrade,       kw::real_type::kBestQuote,
    kw::real_type::kOrderBook,      kw::real_type::kStockStatus, kw::real_type::kMarketPhase, kw::real_type::kVi};

HttpAnswer error_answer(std::int64_t return_code, std::string_view message) {
  HttpAnswer a;
  a.body = kw::error_body(return_code, message);
  return a;
}

HttpAnswer coded_error(int code, std::string_view text) {
  return error_answer(code, std::string(text));
}

HttpAnswer token_error() {
  return error_answer(kw::return_code::kTokenCategory,
                      std::string(kw::error_text::kTokenInvalidPrefix) + "[" + std::to_string(kw::error_code::kTokenInvalid) +
                          ":" + std::string(kw::error_text::kTokenInvalid) + "]");
}

HttpAnswer rate_limit_error(std::string_view api_id) {
  return error_answer(kw::return_code::kLimitCategory,
                      std::string(kw::error_text::kRateLimited) + "[" + std::to_string(kw::error_code::kRateLimited) +
                          ":" + std::string(kw::error_text::kRateLimited) + ". API ID=" + std::string(api_id) + "]");
}

// The HTTP form, as seen from Kiwoom: status 429 and a body with return_msg alone.
HttpAnswer too_many_requests() {
  HttpAnswer a;
  a.status = kw::kHttpTooManyRequests;
  a.body = nlohmann::json{{std::string(kw::key::kReturnMsg), std::string(kw::error_text::kRateLimited)}}.dump();
  return a;
}

HttpAnswer bad_value(std::string_view why) {
  return coded_error(kw::error_code::kBadValueFormat, std::string(kw::error_text::kBadValue) + ". " + std::string(why));
}

HttpAnswer business_reject(std::string_view rc, std::string_view text) {
  return error_answer(kw::return_code::kBusinessCategory, "[" + std::to_string(kw::reject_code::kBusinessCode) + "](" +
                                                              std::string(rc) + ":" + std::string(text) + ")");
}

HttpAnswer reject_answer(const Reject& r) {
  switch (r.kind) {
    case RejectKind::UnknownCode: return coded_error(kw::error_code::kUnknownStock, kw::error_text::kUnknownStock);
    case RejectKind::BadPrice: return business_reject(kw::reject_code::kBadPrice, kw::reject_code::kBadPriceText);
    case RejectKind::BadQty: return business_reject(kw::reject_code::kBadQty, kw::reject_code::kBadQtyText);
    case RejectKind::NoCash: return business_reject(kw::reject_code::kNoCash, kw::reject_code::kNoCashText);
    case RejectKind::NoShares: return business_reject(kw::reject_code::kNoShares, kw::reject_code::kNoSharesText);
    case RejectKind::MarketClosed:
      return business_reject(kw::reject_code::kMarketClosed, kw::reject_code::kMarketClosedText);
    case RejectKind::UnknownOrder:
      return business_reject(kw::reject_code::kUnknownOrder, kw::reject_code::kUnknownOrderText);
  }
  return business_reject(kw::reject_code::kBadQty, r.message);
}

template <class Response>
HttpAnswer ok(const Response& r) {
  HttpAnswer a;
  a.body = kw::build_response(r);
  return a;
}

// Slices `rows` into a page by the request's continuation headers.
template <class Row>
std::vector<Row> page(std::vector<Row> rows, const HttpCall& call, HttpAnswer& answer) {
  std::size_t offset = 0;
  if (call.cont_yn == kw::code::kYes && !call.next_key.empty()) {
    offset = std::min(rows.size(), static_cast<std::size_t>(std::strtoull(call.next_key.c_str(), nullptr, 10)));
  }
  const std::size_t end = std::min(rows.size(), offset + kPageRows);
  std::vector<Row> out(std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(offset)),
                       std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(end)));
  answer.cont_yn = end < rows.size() ? kw::code::kYes : kw::code::kNo;
  answer.next_key = end < rows.size() ? std::to_string(end) : "";
  return out;
}

// 전일대비기호 of `price` against the stock's base and limits.
int sign_of(Price price, const Stock& s) {
  if (price == s.band.upper) return kw::code::kSignLimitUp;
  if (price == s.band.lower) return kw::code::kSignLimitDown;
  if (price > s.base) return kw::code::kSignUp;
  if (price < s.base) return kw::code::kSignDown;
  return kw::code::kSignFlat;
}

int change_sign(const Stock& s) { return sign_of(s.last, s); }

Rate change_rate(const Stock& s) {
  return Rate{(s.last.value() - s.base.value()) * 10'000 / std::max<std::int64_t>(1, s.base.value())};
}

Krw whole_millions(Krw v) { return Krw(v.value() / 1'000'000 * 1'000'000); }

void fill_rank(kw::RankRow& row, const Stock& s) {
  row.code = s.code;
  row.name = s.name;
  row.price = s.last;
  row.change_sign = change_sign(s);
  row.change = s.last - s.base;
  row.change_rate = change_rate(s);
}

// The formulas of the condition search (CNSRLST), over the synthetic market.
struct Formula {
  std::string_view seq;
  std::string_view name;
  bool (*match)(const Stock&, double day_fraction);
};

constexpr std::array<Formula, 3> kFormulas{{
    {"0", "volume_surge",
     [](const Stock& s, double day) {
       return s.traded() && static_cast<double>(s.volume.value()) >
                                1.5 * day * static_cast<double>(s.previous_volume.value());
     }},
    {"1", "new_high", [](const Stock& s, double) { return s.traded() && s.last == s.high && s.last > s.base; }},
    {"2", "gap_up",
     [](const Stock& s, double) { return s.traded() && s.open.value() * 100 >= s.base.value() * 101; }},
}};

const Formula* find_formula(std::string_view seq) {
  for (const auto& f : kFormulas) {
    if (f.seq == seq) return &f;
  }
  return nullptr;
}

}  // namespace

bool Service::Session::wants(std::string_view type, std::string_view item) const {
  const auto it = registered.find(std::string(type));
  return it != registered.end() && it->second.contains(std::string(item));
}

Service::Service(SimOptions options, Timestamp wall_now)
    : options_(std::move(options)),
      market_(options_.market, options_.start),
      account_(options_.account, options_.cash),
      token_rng_(options_.market.seed ^ static_cast<std::uint64_t>(wall_now.time_since_epoch().count())),
      day_(kst_date(options_.start)) {
  for (const auto& f : options_.faults) arm(f);
}

// ---------------------------------------------------------------- REST

const Service::Handler* Service::handler_of(std::string_view api_id) const {
  static const std::map<std::string_view, Handler> kHandlers = {
      {kw::api_id::kDeposit, &Service::deposit},
      {kw::api_id::kBalance, &Service::balance},
      {kw::api_id::kOpenOrders, &Service::open_orders},
      {kw::api_id::kExecutions, &Service::executions},
      {kw::api_id::kAccountReturn, &Service::account_return},
      {kw::api_id::kRealizedPnl, &Service::realized_pnl},
      {kw::api_id::kStockInfo, &Service::stock_info},
      {kw::api_id::kOrderBook, &Service::order_book},
      {kw::api_id::kTickChart, &Service::tick_chart},
      {kw::api_id::kMinuteChart, &Service::minute_chart},
      {kw::api_id::kDailyChart, &Service::daily_chart},
      {kw::api_id::kStockList, &Service::stock_list},
      {kw::api_id::kVolumeSurge, &Service::volume_surge},
      {kw::api_id::kChangeRateTop, &Service::change_rate_top},
      {kw::api_id::kVolumeTop, &Service::volume_top},
      {kw::api_id::kTradingValueTop, &Service::trading_value_top},
      {kw::api_id::kBuy, &Service::new_order},
      {kw::api_id::kSell, &Service::new_order},
      {kw::api_id::kModify, &Service::modify_order},
      {kw::api_id::kCancel, &Service::cancel_order},
  };
  const auto it = kHandlers.find(api_id);
  return it == kHandlers.end() ? nullptr : &it->second;
}

bool Service::token_valid(std::string_view token, Timestamp wall_now) const {
  const auto it = tokens_.find(std::string(token));
  return it != tokens_.end() && wall_now < it->second;
}

bool Service::take_rate(std::string_view api_id, Timestamp wall_now) {
  auto it = buckets_.find(api_id);
  if (it == buckets_.end()) it = buckets_.emplace(std::string(api_id), Bucket{options_.rate.burst, wall_now}).first;
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(wall_now - b.updated).count();
  b.tokens = std::min(options_.rate.burst, b.tokens + std::max(0.0, elapsed) * options_.rate.per_second);
  b.updated = wall_now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

HttpAnswer Service::handle_rest(const HttpCall& call, Timestamp wall_now) {
  HttpAnswer answer = [&] {
    if (faults_.take(FaultKind::Drop)) {
      HttpAnswer a;
      a.drop = true;
      return a;
    }
    if (call.api_id.empty()) return coded_error(kw::error_code::kMissingApiId, kw::error_text::kMissingApiId);
    const kw::ApiInfo* api = kw::find_api(call.api_id);
    if (api == nullptr) return coded_error(kw::error_code::kUnknownApiId, kw::error_text::kUnknownApiId);
    if (api->path != call.path) return coded_error(kw::error_code::kApiIdNotForPath, kw::error_text::kApiIdNotForPath);
    if (faults_.take(FaultKind::RateLimit429)) return too_many_requests();
    if (faults_.take(FaultKind::RateLimit)) return rate_limit_error(call.api_id);
    if (!take_rate(call.api_id, wall_now)) {
      return options_.rate.http_429 ? too_many_requests() : rate_limit_error(call.api_id);
    }
    if (faults_.take(FaultKind::Malformed)) {
      HttpAnswer a;
      a.body = R"({"return_code":0,"return_msg":"정상)";
      return a;
    }
    if (call.api_id == kw::api_id::kTokenIssue) return issue_token(call, wall_now);
    // au10002 names its token in the body, with the app key and secret; the
    // documented request has no authorization header.
    if (call.api_id == kw::api_id::kTokenRevoke) return revoke_token(call);
    const auto token = kw::bearer_token(call.authorization);
    if (!token || !token_valid(*token, wall_now)) return token_error();
    const Handler* h = handler_of(call.api_id);
    if (h == nullptr) return coded_error(kw::error_code::kUnknownApiId, kw::error_text::kUnknownApiId);
    return (this->**h)(call);
  }();
  answer.api_id = call.api_id;
  answer.delay += faults_.take_stall();
  return answer;
}

HttpAnswer Service::issue_token(const HttpCall& call, Timestamp wall_now) {
  auto req = kw::parse_request<kw::TokenRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  if (req->app_key.reveal() != options_.app_key || req->secret_key.reveal() != options_.secret_key) {
    return coded_error(kw::error_code::kBadAppKey, kw::error_text::kBadCredentials);
  }
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string token(86, ' ');
  for (char& c : token) c = kAlphabet[token_rng_() % kAlphabet.size()];
  // Whole seconds: expires_dt carries no fraction.
  const auto expires = std::chrono::floor<std::chrono::seconds>(wall_now + options_.token_life);
  tokens_[token] = expires;
  return ok(kw::IssuedToken{Secret(token), "bearer", expires});
}

HttpAnswer Service::revoke_token(const HttpCall& call) {
  auto req = kw::parse_request<kw::RevokeRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  if (req->app_key.reveal() != options_.app_key || req->secret_key.reveal() != options_.secret_key) {
    return coded_error(kw::error_code::kBadAppKey, kw::error_text::kBadCredentials);
  }
  if (tokens_.erase(req->token.reveal()) == 0) return token_error();
  return ok(kw::Revoked{});
}

HttpAnswer Service::deposit(const HttpCall& call) {
  auto req = kw::parse_request<kw::DepositRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  kw::Deposit d;
  d.cash = d.d2_cash = account_.cash();
  d.orderable = account_.orderable();
  d.d1_cash = account_.cash();
  d.withdrawable = account_.orderable();
  d.margin_cash = account_.reserved();
  return ok(d);
}

HttpAnswer Service::balance(const HttpCall& call) {
  auto req = kw::parse_request<kw::BalanceRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  kw::Balance b;
  for (const auto& [code, h] : account_.holdings()) {
    if (h.qty.value() == 0) continue;
    const Stock* s = market_.find(code);
    kw::Holding row;
    row.code = code;
    row.name = s->name;
    row.qty = h.qty;
    row.sellable = account_.sellable(code);
    row.avg_price = h.avg_price();
    row.current = s->last;
    row.purchase_amount = h.cost;
    row.eval_amount = s->last * h.qty;
    const Krw sell_fee = krx::commission(account_.fees(), row.eval_amount);
    const Krw tax = krx::sell_tax(account_.fees(), row.eval_amount);
    row.eval_pnl = row.eval_amount - h.cost - h.buy_fees - sell_fee - tax;
    row.pnl_rate = Rate{h.cost.value() > 0 ? row.eval_pnl.value() * 10'000 / h.cost.value() : 0};
    row.prev_close = s->base;
    row.buy_fee = h.buy_fees;
    row.sell_fee = sell_fee;
    row.sell_tax = tax;
    row.bought_today = h.bought_today;
    row.sold_today = h.sold_today;
    row.credit_type = "00";
    b.total_purchase += row.purchase_amount;
    b.total_eval += row.eval_amount;
    b.total_pnl += row.eval_pnl;
    b.holdings.push_back(std::move(row));
  }
  b.total_pnl_rate = Rate{b.total_purchase.value() > 0 ? b.total_pnl.value() * 10'000 / b.total_purchase.value() : 0};
  b.estimated_assets = account_.cash() + b.total_eval;
  b.total_loan = Krw(0);
  return ok(b);
}

HttpAnswer Service::open_orders(const HttpCall& call) {
  auto req = kw::parse_request<kw::OpenOrdersRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  kw::OpenOrders out;
  for (auto it = account_.orders().rbegin(); it != account_.orders().rend(); ++it) {
    const SimOrder& o = *it;
    if (!o.working || (req->code && *req->code != o.code)) continue;
    if ((req->side == kw::SideFilter::Buy && o.side != Side::Buy) ||
        (req->side == kw::SideFilter::Sell && o.side != Side::Sell)) {
      continue;
    }
    kw::OpenOrder row;
    row.order_no = o.order_no;
    row.code = o.code;
    row.name = o.name;
    row.status = std::string(o.filled.value() > 0 ? kw::order_status_text::kFilled : kw::order_status_text::kAccepted);
    row.kind = (o.side == Side::Buy ? "+" : "-") + std::string(o.side == Side::Buy ? kw::order_kind_text::kBuy
                                                                                     : kw::order_kind_text::kSell);
    row.trade_type = std::string(o.type == OrderType::Market ? kw::trade_type_text::kMarket : kw::trade_type_text::kLimit);
    row.order_qty = o.qty;
    row.order_price = o.price;
    row.unfilled = o.unfilled();
    row.account = account_.number();
    if (!o.orig_order_no.empty()) row.orig_order_no = o.orig_order_no;
    row.filled_amount = o.filled_value;
    row.time = o.time;
    if (o.filled.value() > 0) {
      row.last_fill_price = o.last_fill_price;
      row.last_fill_qty = o.last_fill_qty;
    }
    row.venue_text = std::string(kw::code::kVenueKrx);
    out.orders.push_back(std::move(row));
  }
  return ok(out);
}

HttpAnswer Service::executions(const HttpCall& call) {
  auto req = kw::parse_request<kw::ExecutionsRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  kw::Executions out;
  for (auto it = account_.orders().rbegin(); it != account_.orders().rend(); ++it) {
    const SimOrder& o = *it;
    if (o.filled.value() == 0 || (req->code && *req->code != o.code)) continue;
    if ((req->side == kw::SideFilter::Buy && o.side != Side::Buy) ||
        (req->side == kw::SideFilter::Sell && o.side != Side::Sell)) {
      continue;
    }
    if (req->before_order_no && o.order_no >= *req->before_order_no) continue;
    kw::Execution row;
    row.order_no = o.order_no;
    row.code = o.code;
    row.name = o.name;
    row.kind = (o.side == Side::Buy ? "+" : "-") + std::string(o.side == Side::Buy ? kw::order_kind_text::kBuy
                                                                                     : kw::order_kind_text::kSell);
    row.status = std::string(kw::order_status_text::kFilled);
    row.trade_type = std::string(o.type == OrderType::Market ? kw::trade_type_text::kMarket : kw::trade_type_text::kLimit);
    row.order_price = o.price;
    row.order_qty = o.qty;
    row.fill_price = Price(o.filled_value.value() / o.filled.value());
    row.filled = o.filled;
    row.unfilled = o.unfilled();
    row.fee = o.fees;
    row.tax = o.tax;
    row.order_time = o.time;
    if (!o.orig_order_no.empty()) row.orig_order_no = o.orig_order_no;
    out.executions.push_back(std::move(row));
  }
  return ok(out);
}

HttpAnswer Service::account_return(const HttpCall& call) {
  auto req = kw::parse_request<kw::AccountReturnRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  kw::AccountReturns out;
  for (const auto& [code, h] : account_.holdings()) {
    const Stock* s = market_.find(code);
    kw::AccountReturnRow row;
    row.code = code;
    row.name = s->name;
    row.current = s->last;
    row.avg_price = h.avg_price();
    row.purchase_amount = h.cost;
    row.qty = h.qty;
    row.date = kst_date(market_.now());
    row.realized_today = h.realized_today;
    row.settled_qty = h.qty;
    row.clearable_qty = account_.sellable(code);
    row.credit_type = "00";
    out.rows.push_back(std::move(row));
  }
  return ok(out);
}

HttpAnswer Service::realized_pnl(const HttpCall& call) {
  auto req = kw::parse_request<kw::RealizedPnlRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  kw::RealizedPnl out;
  const KstDate today = kst_date(market_.now());
  if (req->from <= today && today <= req->to) {
    out.total_bought = account_.bought_today();
    out.total_sold = account_.sold_today();
    out.realized = account_.realized_today();
    out.fees = account_.fees_today();
    out.taxes = account_.taxes_today();
    if (account_.bought_today().value() != 0 || account_.sold_today().value() != 0) {
      out.days.push_back({today, account_.bought_today(), account_.sold_today(), account_.realized_today(),
                          account_.fees_today(), account_.taxes_today()});
    }
  }
  return ok(out);
}

HttpAnswer Service::stock_info(const HttpCall& call) {
  auto req = kw::parse_request<kw::StockInfoRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  const Stock* s = market_.find(req->instrument.code);
  if (s == nullptr) return coded_error(kw::error_code::kUnknownStock, kw::error_text::kUnknownStock);
  kw::StockInfo info;
  info.instrument = req->instrument;
  info.name = s->name;
  info.current = s->last;
  info.upper_limit = s->band.upper;
  info.lower_limit = s->band.lower;
  info.base_price = s->base;
  info.change_sign = change_sign(*s);
  info.change = s->last - s->base;
  info.change_rate = change_rate(*s);
  info.volume = s->volume;
  info.open = s->open;
  info.high = s->high;
  info.low = s->low;
  Price hi = s->traded() ? s->high : s->base, lo = s->traded() ? s->low : s->base;
  for (const auto& d : s->history) {
    hi = std::max(hi, d.high);
    lo = std::min(lo, d.low);
  }
  info.high_250d = hi;
  info.low_250d = lo;
  return ok(info);
}

HttpAnswer Service::order_book(const HttpCall& call) {
  auto req = kw::parse_request<kw::OrderBookRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  if (market_.find(req->instrument.code) == nullptr) {
    return coded_error(kw::error_code::kUnknownStock, kw::error_text::kUnknownStock);
  }
  const Book book = market_.book(req->instrument.code);
  kw::OrderBook out;
  out.time = sim_time();
  for (std::size_t i = 0; i < 10; ++i) {
    out.asks[i] = {book.asks.prices[i], book.asks.qtys[i], std::nullopt};
    out.bids[i] = {book.bids.prices[i], book.bids.qtys[i], std::nullopt};
    out.total_ask += book.asks.qtys[i];
    out.total_bid += book.bids.qtys[i];
  }
  return ok(out);
}

HttpAnswer Service::tick_chart(const HttpCall& call) {
  auto req = kw::parse_request<kw::TickChartRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  const Stock* s = market_.find(req->instrument.code);
  if (s == nullptr) return coded_error(kw::error_code::kUnknownStock, kw::error_text::kUnknownStock);
  std::vector<kw::IntradayBar> bars;
  const auto n = static_cast<std::size_t>(std::max(1, req->ticks));
  for (std::size_t i = 0; i < s->trades.size(); i += n) {
    kw::IntradayBar b;
    b.open = b.high = b.low = s->trades[i].price;
    for (std::size_t j = i; j < std::min(s->trades.size(), i + n); ++j) {
      const Tick& t = s->trades[j];
      b.high = std::max(b.high, t.price);
      b.low = std::min(b.low, t.price);
      b.close = t.price;
      b.volume += t.volume;
      b.time = std::chrono::floor<std::chrono::seconds>(t.time);
    }
    bars.push_back(b);
  }
  std::reverse(bars.begin(), bars.end());
  HttpAnswer a;
  kw::TickChart out;
  out.instrument = req->instrument;
  out.bars = page(std::move(bars), call, a);
  a.body = kw::build_response(out);
  return a;
}

HttpAnswer Service::minute_chart(const HttpCall& call) {
  auto req = kw::parse_request<kw::MinuteChartRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  const Stock* s = market_.find(req->instrument.code);
  if (s == nullptr) return coded_error(kw::error_code::kUnknownStock, kw::error_text::kUnknownStock);
  const int width = 60 * std::max(1, req->minutes);
  std::vector<kw::IntradayBar> bars;
  Qty day_volume(0);
  for (const Tick& t : s->trades) {
    const TimeOfDay tod = kst_time_of_day(t.time);
    const Timestamp start = from_kst(kst_date(t.time), TimeOfDay{tod.seconds / width * width});
    day_volume += t.volume;
    if (bars.empty() || bars.back().time != start) {
      kw::IntradayBar b;
      b.time = start;
      b.open = b.high = b.low = t.price;
      bars.push_back(b);
    }
    kw::IntradayBar& b = bars.back();
    b.high = std::max(b.high, t.price);
    b.low = std::min(b.low, t.price);
    b.close = t.price;
    b.volume += t.volume;
    b.day_volume = day_volume;
  }
  std::reverse(bars.begin(), bars.end());
  HttpAnswer a;
  kw::MinuteChart out;
  out.instrument = req->instrument;
  out.bars = page(std::move(bars), call, a);
  a.body = kw::build_response(out);
  return a;
}

HttpAnswer Service::daily_chart(const HttpCall& call) {
  auto req = kw::parse_request<kw::DailyChartRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  const Stock* s = market_.find(req->instrument.code);
  if (s == nullptr) return coded_error(kw::error_code::kUnknownStock, kw::error_text::kUnknownStock);
  std::vector<kw::DailyBar> bars;
  auto add = [&](const DayBar& d) {
    if (d.date > req->base_date) return;
    kw::DailyBar b;
    b.date = d.date;
    b.open = d.open;
    b.high = d.high;
    b.low = d.low;
    b.close = d.close;
    b.volume = d.volume;
    bars.push_back(b);
  };
  for (const auto& d : s->history) add(d);
  if (s->traded()) add({kst_date(market_.now()), s->open, s->high, s->low, s->last, s->volume});
  std::reverse(bars.begin(), bars.end());
  HttpAnswer a;
  kw::DailyChart out;
  out.instrument = req->instrument;
  out.bars = page(std::move(bars), call, a);
  a.body = kw::build_response(out);
  return a;
}

HttpAnswer Service::stock_list(const HttpCall& call) {
  auto req = kw::parse_request<kw::StockListRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  kw::StockList out;
  if (req->market == kw::ListMarket::Kospi) {
    for (const Stock& s : market_.stocks()) {
      kw::ListedStock row;
      row.code = s.code;
      row.name = s.name;
      row.listed_shares = Qty(10'000'000);
      row.prev_close = s.base;
      row.audit = "정상";
      row.market_code = std::string(kw::code::kListKospi);
      row.market_name = "거래소";
      row.warning = "0";
      out.stocks.push_back(std::move(row));
    }
  }
  return ok(out);
}

HttpAnswer Service::volume_surge(const HttpCall& call) {
  auto req = kw::parse_request<kw::VolumeSurgeRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  kw::VolumeSurge out;
  for (const Stock& s : market_.stocks()) {
    kw::VolumeSurgeRow row;
    fill_rank(row, s);
    row.previous_volume = s.previous_volume;
    row.volume = s.volume;
    row.surge = s.volume - s.previous_volume;
    row.surge_rate = Rate{(s.volume - s.previous_volume).value() * 10'000 /
                          std::max<std::int64_t>(1, s.previous_volume.value())};
    out.rows.push_back(std::move(row));
  }
  std::sort(out.rows.begin(), out.rows.end(), [](const kw::VolumeSurgeRow& a, const kw::VolumeSurgeRow& b) { return *a.surge_rate > *b.surge_rate; });
  return ok(out);
}

HttpAnswer Service::change_rate_top(const HttpCall& call) {
  auto req = kw::parse_request<kw::ChangeRateTopRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  kw::ChangeRateTop out;
  for (const Stock& s : market_.stocks()) {
    kw::ChangeRateRow row;
    fill_rank(row, s);
    row.volume = s.volume;
    out.rows.push_back(std::move(row));
  }
  const bool falling = req->sort == kw::ChangeRateSort::FallRate || req->sort == kw::ChangeRateSort::FallAmount;
  std::sort(out.rows.begin(), out.rows.end(), [falling](const kw::ChangeRateRow& a, const kw::ChangeRateRow& b) {
    return falling ? *a.change_rate < *b.change_rate : *a.change_rate > *b.change_rate;
  });
  return ok(out);
}

HttpAnswer Service::volume_top(const HttpCall& call) {
  auto req = kw::parse_request<kw::VolumeTopRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  kw::VolumeTop out;
  for (const Stock& s : market_.stocks()) {
    kw::VolumeTopRow row;
    fill_rank(row, s);
    row.volume = s.volume;
    row.value = whole_millions(s.value);
    out.rows.push_back(std::move(row));
  }
  std::sort(out.rows.begin(), out.rows.end(), [](const kw::VolumeTopRow& a, const kw::VolumeTopRow& b) { return a.volume > b.volume; });
  return ok(out);
}

HttpAnswer Service::trading_value_top(const HttpCall& call) {
  auto req = kw::parse_request<kw::TradingValueTopRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  kw::TradingValueTop out;
  for (const Stock& s : market_.stocks()) {
    kw::TradingValueRow row;
    fill_rank(row, s);
    row.volume = s.volume;
    row.previous_volume = s.previous_volume;
    row.value = whole_millions(s.value);
    out.rows.push_back(std::move(row));
  }
  std::sort(out.rows.begin(), out.rows.end(), [](const kw::TradingValueRow& a, const kw::TradingValueRow& b) { return *a.value > *b.value; });
  for (std::size_t i = 0; i < out.rows.size(); ++i) out.rows[i].rank = static_cast<int>(i + 1);
  return ok(out);
}

// ---------------------------------------------------------------- orders

HttpAnswer Service::new_order(const HttpCall& call) {
  auto req = kw::parse_request<kw::NewOrderRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  const Stock* s = market_.find(req->code);
  if (s == nullptr) return coded_error(kw::error_code::kUnknownStock, kw::error_text::kUnknownStock);
  if (market_.phase() == krx::SessionPhase::Closed) return reject_answer({RejectKind::MarketClosed, ""});
  if (req->type != kw::TradeType::Limit && req->type != kw::TradeType::Market) {
    return reject_answer({RejectKind::BadPrice, "only limit (0) and market (3) orders are simulated"});
  }
  if (req->type == kw::TradeType::Limit && !req->price) return reject_answer({RejectKind::BadPrice, "no price"});
  NewOrder order{req->side, req->code, s->name, req->qty,
                 req->type == kw::TradeType::Market ? std::nullopt : req->price, s->band, sim_time()};
  AccountEvents events;
  const OrderOutcome placed = account_.place(order, events);
  if (!placed.ok()) return reject_answer(*placed.reject);
  HttpAnswer a;
  if (faults_.take(FaultKind::ExecBeforeAck)) {
    // The order trades at once and its 00 messages overtake this answer.
    const Print p = market_.print_now(req->code, req->qty);
    account_.on_tick(p.tick, s->name, s->base, events);
    a.pushes_first = true;
    a.delay = kAckAfterExec;
  }
  queue_account_events(events);
  a.body = kw::build_response(kw::OrderAck{placed.order_no, kw::Venue::Krx});
  return a;
}

HttpAnswer Service::modify_order(const HttpCall& call) {
  auto req = kw::parse_request<kw::ModifyOrderRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  const Stock* s = market_.find(req->code);
  if (s == nullptr) return coded_error(kw::error_code::kUnknownStock, kw::error_text::kUnknownStock);
  if (market_.phase() == krx::SessionPhase::Closed) return reject_answer({RejectKind::MarketClosed, ""});
  AccountEvents events;
  const OrderOutcome changed = account_.modify(req->orig_order_no, req->qty, req->price, s->band, sim_time(), events);
  if (!changed.ok()) return reject_answer(*changed.reject);
  queue_account_events(events);
  const SimOrder* o = account_.find(changed.order_no);
  return ok(kw::ModifyAck{changed.order_no, req->orig_order_no, o->qty, kw::Venue::Krx});
}

HttpAnswer Service::cancel_order(const HttpCall& call) {
  auto req = kw::parse_request<kw::CancelOrderRequest>(call.api_id, call.body);
  if (!req) return bad_value(req.error().message);
  const Stock* s = market_.find(req->code);
  if (s == nullptr) return coded_error(kw::error_code::kUnknownStock, kw::error_text::kUnknownStock);
  if (market_.phase() == krx::SessionPhase::Closed) return reject_answer({RejectKind::MarketClosed, ""});
  AccountEvents events;
  const OrderOutcome cancelled = account_.cancel(req->orig_order_no, req->qty, s->band, sim_time(), events);
  if (!cancelled.ok()) return reject_answer(*cancelled.reject);
  queue_account_events(events);
  const SimOrder* o = account_.find(cancelled.order_no);
  return ok(kw::CancelAck{cancelled.order_no, req->orig_order_no, o->qty});
}

// ---------------------------------------------------------------- admin

HttpAnswer Service::handle_admin(const std::string& path, const std::string& body) {
  HttpAnswer a;
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    a.status = 400;
    a.body = R"({"error":"the body must be a JSON object"})";
    return a;
  }
  if (path == "/admin/fault") {
    const auto name = j.value("fault", std::string{});
    auto fault = parse_fault(j.contains("arg") ? name + ":" + std::to_string(j.value("arg", 1)) : name);
    if (!fault) {
      a.status = 400;
      a.body = nlohmann::json{{"error", fault.error().message}}.dump();
      return a;
    }
    arm(*fault);
    a.body = R"({"ok":true})";
    return a;
  }
  if (path == "/admin/advance") {
    const std::int64_t seconds = j.value("seconds", std::int64_t{0});
    if (seconds <= 0) {
      a.status = 400;
      a.body = R"({"error":"seconds must be positive"})";
      return a;
    }
    advance(market_.now() + std::chrono::seconds(seconds));
    a.body = nlohmann::json{{"now", format_kst(market_.now())}}.dump();
    return a;
  }
  a.status = 404;
  a.body = R"x({"error":"unknown admin path (POST /admin/fault, /admin/advance, /admin/clock)"})x";
  return a;
}

void Service::arm(const Fault& fault) {
  faults_.arm(fault);
  if (faults_.take_expire()) tokens_.clear();
  if (faults_.take_drop_ws()) {
    for (const auto& [id, session] : sessions_) queue(id, "", true);
  }
}

// ---------------------------------------------------------------- WebSocket

SessionId Service::open_session() {
  const SessionId id = next_session_++;
  sessions_[id] = Session{};
  return id;
}

void Service::close_session(SessionId id) { sessions_.erase(id); }

void Service::ping_all() {
  for (auto& [id, s] : sessions_) {
    if (!s.logged_in) continue;
    if (s.unanswered_pings >= kMaxUnansweredPings) {
      queue(id, kw::build_system({std::string(kw::ws_code::kHeartbeatTimeout), "PING not echoed"}), true);
      continue;
    }
    ++s.unanswered_pings;
    queue(id, kw::build_ping());
  }
}

void Service::queue(SessionId id, std::string frame, bool close) { pushes_.push_back({id, std::move(frame), close}); }

void Service::queue_real(SessionId id, std::span<const kw::RealEntry> entries) {
  if (!faults_.take(FaultKind::MalformedWs)) return queue(id, kw::build_real(entries));
  // Alternating, so that malformed_ws:2 gives one of each.
  if (malformed_ws_sent_++ % 2 == 0) {
    std::string frame = kw::build_real(entries);
    frame.resize(frame.size() / 2);
    return queue(id, std::move(frame));
  }
  std::vector<kw::RealEntry> stripped(entries.begin(), entries.end());
  stripped.front().values = {};  // every FID gone, the required ones too
  queue(id, kw::build_real(stripped));
}

std::vector<Push> Service::take_pushes() { return std::exchange(pushes_, {}); }

void Service::on_frame(SessionId id, std::string_view frame, Timestamp wall_now) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session& session = it->second;
  const kw::WsRequest request = kw::parse_ws_request(frame);
  if (const auto* login = std::get_if<kw::LoginRequest>(&request)) {
    if (!token_valid(login->token.reveal(), wall_now)) {
      kw::LoginResult r;
      r.ack = {1, std::string(kw::error_text::kLoginFailed) + " [CODE=" + std::to_string(kw::error_code::kTokenInvalid) +
                      ", MESSAGE=" + std::string(kw::error_text::kTokenInvalid) + "]"};
      queue(id, kw::build_login_result(r), true);
      return;
    }
    session.logged_in = true;
    kw::LoginResult r;
    r.ack = {0, std::string(kw::kDefaultOkMessage)};
    queue(id, kw::build_login_result(r));
    return;
  }
  if (std::holds_alternative<kw::Ping>(request)) {  // the client's echo of our PING
    session.unanswered_pings = 0;
    return;
  }
  if (!session.logged_in) {
    queue(id, kw::build_system({std::string(kw::ws_code::kLoginTimeout), "LOGIN first"}), true);
    return;
  }
  if (const auto* reg = std::get_if<kw::RegRequest>(&request)) {
    // A type Kiwoom does not have is refused whole, nothing registered.
    for (const auto& d : reg->data) {
      for (const auto& type : d.types) {
        if (std::find(kRegistrableTypes.begin(), kRegistrableTypes.end(), type) == kRegistrableTypes.end()) {
          queue(id, kw::build_reg_result({reg->remove, {1, "등록할 수 없는 실시간 항목입니다: " + type}}));
          return;
        }
      }
    }
    if (!reg->remove && !reg->keep_existing) session.registered.clear();
    for (const auto& d : reg->data) {
      for (const auto& type : d.types) {
        for (const auto& item : d.items) {
          if (reg->remove) {
            session.registered[type].erase(item);
          } else {
            session.registered[type].insert(item);
          }
        }
      }
    }
    queue(id, kw::build_reg_result({reg->remove, {0, std::string(kw::kDefaultOkMessage)}}));
    return;
  }
  if (std::holds_alternative<kw::ConditionListRequest>(request)) {
    kw::ConditionList list;
    list.ack = {0, std::string(kw::kDefaultOkMessage)};
    for (const auto& f : kFormulas) list.conditions.push_back({std::string(f.seq), std::string(f.name)});
    queue(id, kw::build_condition_list_result(list));
    return;
  }
  if (const auto* search = std::get_if<kw::ConditionSearchRequest>(&request)) {
    kw::ConditionSearchResult r;
    r.seq = search->seq;
    r.realtime = search->realtime;
    if (find_formula(search->seq) == nullptr) {
      r.ack = {1, "조건검색식이 존재하지 않습니다"};
      queue(id, kw::build_condition_search_result(r));
      return;
    }
    r.ack = {0, std::string(kw::kDefaultOkMessage)};
    const auto codes = matching(search->seq);
    for (const auto& code : codes) {
      const Stock* s = market_.find(code);
      kw::ConditionRow row;
      row.code = code;
      row.name = s->name;
      row.price = s->last;
      row.change_sign = change_sign(*s);
      row.change = s->last - s->base;
      row.volume = s->volume;
      row.open = s->open;
      row.high = s->high;
      row.low = s->low;
      r.rows.push_back(std::move(row));
    }
    if (search->realtime) session.conditions[search->seq] = std::set<StockCode>(codes.begin(), codes.end());
    queue(id, kw::build_condition_search_result(r));
    return;
  }
  if (const auto* clear = std::get_if<kw::ConditionClearRequest>(&request)) {
    session.conditions.erase(clear->seq);
    queue(id, kw::build_condition_clear_result({clear->seq, {0, std::string(kw::kDefaultOkMessage)}}));
    return;
  }
  // A frame we cannot read: Kiwoom closes such connections; we say why first.
  const auto& error = std::get<kw::WsError>(request);
  queue(id, kw::build_system({"R10000", error.message}));
}

std::vector<StockCode> Service::matching(std::string_view seq) const {
  std::vector<StockCode> out;
  const Formula* f = find_formula(seq);
  if (f == nullptr) return out;
  const auto& times = options_.market.session;
  const double day = std::clamp(static_cast<double>(sim_time().seconds - times.open.seconds) /
                                    static_cast<double>(times.close.seconds - times.open.seconds),
                                0.02, 1.0);
  for (const Stock& s : market_.stocks()) {
    if (f->match(s, day)) out.push_back(s.code);
  }
  return out;
}

void Service::evaluate_conditions() {
  for (auto& [id, session] : sessions_) {
    for (auto& [seq, inside] : session.conditions) {
      const auto now = matching(seq);
      const std::set<StockCode> now_set(now.begin(), now.end());
      std::vector<kw::RealEntry> entries;
      for (const auto& code : now_set) {
        if (!inside.contains(code)) entries.push_back(kw::encode_real(kw::ConditionHit{seq, code, kw::ConditionAction::Enter, sim_time()}));
      }
      for (const auto& code : inside) {
        if (!now_set.contains(code)) entries.push_back(kw::encode_real(kw::ConditionHit{seq, code, kw::ConditionAction::Exit, sim_time()}));
      }
      inside = now_set;
      if (!entries.empty()) queue_real(id, entries);
    }
  }
}

void Service::queue_account_events(AccountEvents& events) {
  std::vector<kw::RealEntry> orders;
  for (const auto& e : events.orders) orders.push_back(kw::encode_real(e));
  // Faults on execution messages: a pair swapped, or one sent twice.
  for (std::size_t i = 0; i + 1 < orders.size(); i += 2) {
    if (faults_.take(FaultKind::ReorderExec)) std::swap(orders[i], orders[i + 1]);
  }
  std::vector<kw::RealEntry> sequence;
  for (auto& e : orders) {
    sequence.push_back(e);
    if (faults_.take(FaultKind::DuplicateExec)) sequence.push_back(e);
  }
  for (const auto& [id, session] : sessions_) {
    if (!session.logged_in) continue;
    if (session.wants(kw::real_type::kOrderExecution, "")) {
      for (const auto& e : sequence) queue_real(id, std::span(&e, 1));
    }
    if (session.wants(kw::real_type::kBalance, "")) {
      for (const auto& b : events.balances) {
        const auto entry = kw::encode_real(b);
        queue_real(id, std::span(&entry, 1));
      }
    }
  }
  events = {};
}

void Service::advance(Timestamp sim_now) {
  prints_.clear();
  AccountEvents events;
  while (market_.now() + std::chrono::seconds(1) <= sim_now) {
    // Step to the end of the day first so day orders expire before a new day.
    const Timestamp next_close = from_kst(kst_date(market_.now()), options_.market.session.close);
    // Conditions are judged every simulated minute, so hits arrive as they happen.
    Timestamp target = std::min(sim_now, market_.now() + kConditionEvery);
    if (market_.now() < next_close && next_close < target) target = next_close;
    const std::size_t before = prints_.size();
    market_.advance_to(target, prints_);
    for (std::size_t i = before; i < prints_.size(); ++i) {
      const Stock* s = market_.find(prints_[i].tick.code);
      account_.on_tick(prints_[i].tick, s->name, s->base, events);
    }
    if (kst_date(market_.now()) != day_) {
      day_ = kst_date(market_.now());
      expired_today_ = false;
      account_.new_day();
    }
    if (!expired_today_ && kst_time_of_day(market_.now()) >= options_.market.session.close) {
      expired_today_ = true;
      account_.expire_all(sim_time(), events);
    }
    evaluate_conditions();
  }
  queue_account_events(events);
  for (const auto& [id, session] : sessions_) {
    if (!session.logged_in) continue;
    std::vector<kw::RealEntry> entries;
    std::set<StockCode> books;
    for (const Print& p : prints_) {
      const Tick& t = p.tick;
      const std::string item = t.code.str();
      const Stock* s = market_.find(t.code);
      if (session.wants(kw::real_type::kTrade, item)) {
        kw::TradeEvent e;
        e.instrument = {t.code, kw::Venue::Krx};
        e.time = kst_time_of_day(t.time);
        e.price = t.price;
        e.volume = {t.volume, std::nullopt};
        e.cum_volume = p.cum_volume;
        e.cum_value = whole_millions(p.cum_value);
        e.change = t.price - s->base;
        e.change_rate = Rate{(t.price.value() - s->base.value()) * 10'000 / std::max<std::int64_t>(1, s->base.value())};
        e.change_sign = sign_of(t.price, *s);
        e.open = p.open;
        e.high = p.high;
        e.low = p.low;
        entries.push_back(kw::encode_real(e));
      }
      if (session.wants(kw::real_type::kOrderBook, item)) books.insert(t.code);
    }
    for (const auto& code : books) {
      const Book book = market_.book(code);
      kw::BookEvent e;
      e.instrument = {code, kw::Venue::Krx};
      e.time = sim_time();
      for (std::size_t i = 0; i < 10; ++i) {
        e.asks[i] = {book.asks.prices[i], book.asks.qtys[i], std::nullopt};
        e.bids[i] = {book.bids.prices[i], book.bids.qtys[i], std::nullopt};
        e.total_ask += book.asks.qtys[i];
        e.total_bid += book.bids.qtys[i];
      }
      entries.push_back(kw::encode_real(e));
    }
    if (!entries.empty()) queue_real(id, entries);
  }
}

}  // namespace dalbit::sim
