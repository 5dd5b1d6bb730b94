// WebSocket messages: classification of read frames by trnm, both ends'
// parsers, and the builders (nlohmann::ordered_json keeps Kiwoom's key order).
#include "kiwoom/ws_codec.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "kiwoom/protocol.h"
#include "kiwoom/ws_internal.h"

namespace dalbit::kiwoom {
namespace {

using nlohmann::ordered_json;
using detail::Frame;
using detail::FrameElement;

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; });
  return out;
}

// For a frame that is not JSON: the trnm it seems to carry, so the error can
// still name it. Only short [A-Za-z] words are taken, so nothing else leaks.
std::string guess_trnm(std::string_view text) {
  const std::size_t k = text.find("\"trnm\"");
  if (k == std::string_view::npos) return {};
  const std::size_t open = text.find('"', text.find(':', k));
  if (open == std::string_view::npos) return {};
  std::string out;
  for (std::size_t i = open + 1; i < text.size() && text[i] != '"'; ++i) {
    const char c = text[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) || out.size() >= 8) return {};
    out += c;
  }
  return upper(out);
}

WsError error(std::string_view trnm, std::string message, std::string type = {}) {
  std::string m = trnm.empty() ? std::string("websocket") : std::string(trnm);
  m += ": " + message;
  return WsError{std::string(trnm), std::move(type), std::move(m)};
}

std::string_view field_or(const Frame& f, std::string_view key, std::string_view fallback = {}) {
  const std::string* v = f.field(key);
  return v ? std::string_view(*v) : fallback;
}

Result<Ack> read_ack(const Frame& f) {
  const std::string* rc = f.field(ws_key::kReturnCode);
  if (rc == nullptr) return Error{"missing " + std::string(ws_key::kReturnCode)};
  auto n = parse_int(ws_key::kReturnCode, *rc);
  if (!n) return n.error();
  return Ack{*n, std::string(field_or(f, ws_key::kReturnMsg))};
}

WsMessage read_login(const Frame& f, const std::string& trnm) {
  auto ack = read_ack(f);
  if (!ack) return error(trnm, ack.error().message);
  LoginResult out;
  out.ack = std::move(*ack);
  if (const std::string* sor = f.field(ws_key::kSorYn)) out.sor_enabled = trim(*sor) == code::kYes;
  out.error = classify_reply(trnm::kLogin, kHttpOk, out.ack.return_code, out.ack.return_msg);
  return out;
}

// SYSTEM frames use code/message; one report has return_code/return_msg.
WsMessage read_system(const Frame& f) {
  SystemNotice out;
  out.code = std::string(trim(field_or(f, ws_key::kCode, field_or(f, ws_key::kReturnCode))));
  out.message = std::string(field_or(f, ws_key::kMessage, field_or(f, ws_key::kReturnMsg)));
  return out;
}

WsMessage read_real(Frame& f, const std::string& trnm) {
  if (!f.has_data) return error(trnm, "missing data");
  Real out;
  out.entries.reserve(f.data.size());
  for (FrameElement& e : f.data) {
    const std::string* type = e.field(ws_key::kType);
    if (e.is_array || type == nullptr) return error(trnm, "data entry without type");
    if (!e.has_values) return error(trnm, "entry " + quote_for_error(*type) + " has no values", *type);
    RealEntry& r = out.entries.emplace_back();
    r.type = *type;
    if (const std::string* name = e.field(ws_key::kName)) r.name = *name;
    if (const std::string* item = e.field(ws_key::kItem)) r.item = std::string(trim(*item));
    r.values = std::move(e.values);
  }
  return out;
}

// CNSRLST rows are [seq, name] arrays; apis.json describes {seq, name} objects.
WsMessage read_condition_list(const Frame& f, const std::string& trnm) {
  auto ack = read_ack(f);
  if (!ack) return error(trnm, ack.error().message);
  ConditionList out;
  out.ack = std::move(*ack);
  for (const FrameElement& e : f.data) {
    ConditionInfo c;
    if (e.is_array) {
      if (e.fields.size() < 2) return error(trnm, "condition row with fewer than 2 values");
      c.seq = std::string(trim(e.fields[0].second));
      c.name = e.fields[1].second;
    } else {
      const std::string* seq = e.field(ws_key::kSeq);
      const std::string* name = e.field(ws_key::kName);
      if (seq == nullptr || name == nullptr) return error(trnm, "condition row without seq and name");
      c.seq = std::string(trim(*seq));
      c.name = *name;
    }
    out.conditions.push_back(std::move(c));
  }
  return out;
}

WsMessage read_condition_search(const Frame& f, const std::string& trnm) {
  auto ack = read_ack(f);
  if (!ack) return error(trnm, ack.error().message);
  ConditionSearchResult out;
  out.ack = std::move(*ack);
  out.seq = std::string(trim(field_or(f, ws_key::kSeq)));  // "2 " has been seen
  out.has_more = trim(field_or(f, ws_key::kContYn)) == code::kYes;
  out.next_key = std::string(trim(field_or(f, ws_key::kNextKey)));
  for (std::size_t i = 0; i < f.data.size(); ++i) {
    const FrameElement& e = f.data[i];
    const std::string where = "row " + std::to_string(i) + ": ";
    if (e.is_array) return error(trnm, where + "expected an object");
    if (const std::string* jmcode = e.field(ws_key::kJmcode)) {
      auto code = parse_stock_code(ws_key::kJmcode, *jmcode);
      if (!code) return error(trnm, where + code.error().message);
      out.realtime = true;
      out.rows.emplace_back().code = *code;
      continue;
    }
    auto row = detail::decode_condition_row(e.values);
    if (!row) return error(trnm, where + row.error().message);
    out.rows.push_back(std::move(*row));
  }
  return out;
}

WsMessage read_condition_clear(const Frame& f, const std::string& trnm) {
  auto ack = read_ack(f);
  if (!ack) return error(trnm, ack.error().message);
  return ConditionClearResult{std::string(trim(field_or(f, ws_key::kSeq))), std::move(*ack)};
}

// The frame's trnm, upper-cased (the official client matches it so).
std::string frame_trnm(const Frame& f) { return upper(trim(field_or(f, ws_key::kTrnm))); }

bool is_bare_ping(std::string_view frame) { return trim(frame) == trnm::kPing; }

// "item": ["005930"] or, leniently, "item": "005930".
std::vector<std::string> string_list(const FrameElement& e, std::string_view key) {
  if (const auto* l = e.list(key)) return *l;
  if (const std::string* s = e.field(key)) return {*s};
  return {};
}

WsRequest read_reg_request(const Frame& f, const std::string& trnm) {
  RegRequest out;
  out.remove = trnm == trnm::kRemove;
  const std::string* group = f.field(ws_key::kGrpNo);
  if (group == nullptr || is_blank(*group)) return error(trnm, "missing grp_no");
  out.group = std::string(trim(*group));
  if (!out.remove) {
    const std::string_view refresh = trim(field_or(f, ws_key::kRefresh, ws_code::kRefreshKeep));
    if (refresh != ws_code::kRefreshKeep && refresh != ws_code::kRefreshReplace) {
      return error(trnm, "bad refresh " + quote_for_error(refresh));
    }
    out.keep_existing = refresh == ws_code::kRefreshKeep;
  }
  if (!f.has_data || f.data.empty()) return error(trnm, "missing data");
  for (const FrameElement& e : f.data) {
    if (e.is_array) return error(trnm, "data entry is not an object");
    RegData d{string_list(e, ws_key::kItem), string_list(e, ws_key::kType)};
    if (d.types.empty()) return error(trnm, "data entry without type");
    out.data.push_back(std::move(d));
  }
  return out;
}

WsRequest read_condition_search_request(const Frame& f, const std::string& trnm) {
  ConditionSearchRequest out;
  const std::string* seq = f.field(ws_key::kSeq);
  if (seq == nullptr || is_blank(*seq)) return error(trnm, "missing seq");
  out.seq = std::string(trim(*seq));
  const std::string_view type = trim(field_or(f, ws_key::kSearchType));
  if (type != ws_code::kSearchOnce && type != ws_code::kSearchRealtime) {
    return error(trnm, "bad search_type " + quote_for_error(type));
  }
  out.realtime = type == ws_code::kSearchRealtime;
  const std::string_view venue = trim(field_or(f, ws_key::kStexTp));
  if (venue == code::kCondVenueKrx) {
    out.venue = VenueFilter::Krx;
  } else if (venue == code::kCondVenueNxt) {
    out.venue = VenueFilter::Nxt;
  } else if (venue == code::kCondVenueAll) {
    out.venue = VenueFilter::All;
  } else {
    return error(trnm, "bad stex_tp " + quote_for_error(venue));
  }
  out.continuing = trim(field_or(f, ws_key::kContYn)) == code::kYes;
  out.next_key = std::string(trim(field_or(f, ws_key::kNextKey)));
  return out;
}

std::string_view condition_venue(VenueFilter v) {
  switch (v) {
    case VenueFilter::Nxt: return code::kCondVenueNxt;
    case VenueFilter::All: return code::kCondVenueAll;
    case VenueFilter::Krx: break;
  }
  return code::kCondVenueKrx;
}

ordered_json with_trnm(std::string_view trnm) {
  ordered_json j = ordered_json::object();
  j[std::string(ws_key::kTrnm)] = trnm;
  return j;
}

void put_ack(ordered_json& j, const Ack& ack) {
  j[std::string(ws_key::kReturnCode)] = ack.return_code;
  j[std::string(ws_key::kReturnMsg)] = ack.return_msg;
}

ordered_json values_json(const FidValues& values) {
  ordered_json v = ordered_json::object();
  for (std::size_t i = 0; i < values.size(); ++i) v[std::to_string(values.fid_at(i))] = values.text_at(i);
  return v;
}

}  // namespace

// ---------------------------------------------------------------- parsers

WsMessage parse_ws_message(std::string_view frame) {
  if (is_bare_ping(frame)) return Ping{std::string(frame)};
  auto parsed = detail::read_frame(frame);
  if (!parsed) return error(guess_trnm(frame), parsed.error().message);
  Frame& f = *parsed;
  const std::string trnm = frame_trnm(f);
  if (trnm.empty()) return error({}, "frame without trnm");
  if (trnm == trnm::kReal) return read_real(f, trnm);
  if (trnm == trnm::kPing) return Ping{std::string(frame)};
  if (trnm == trnm::kLogin) return read_login(f, trnm);
  if (trnm == trnm::kSystem) return read_system(f);
  if (trnm == trnm::kReg || trnm == trnm::kRemove) {
    auto ack = read_ack(f);
    if (!ack) return error(trnm, ack.error().message);
    return RegResult{trnm == trnm::kRemove, std::move(*ack)};
  }
  if (trnm == trnm::kConditionList) return read_condition_list(f, trnm);
  if (trnm == trnm::kConditionSearch) return read_condition_search(f, trnm);
  if (trnm == trnm::kConditionClear) return read_condition_clear(f, trnm);
  return error(trnm, "unknown trnm");
}

WsRequest parse_ws_request(std::string_view frame) {
  if (is_bare_ping(frame)) return Ping{std::string(frame)};
  auto parsed = detail::read_frame(frame);
  if (!parsed) return error(guess_trnm(frame), parsed.error().message);
  const Frame& f = *parsed;
  const std::string trnm = frame_trnm(f);
  if (trnm.empty()) return error({}, "frame without trnm");
  if (trnm == trnm::kLogin) {
    const std::string* token = f.field(ws_key::kToken);
    if (token == nullptr || is_blank(*token)) return error(trnm, "missing token");
    return LoginRequest{Secret(std::string(trim(*token)))};
  }
  if (trnm == trnm::kPing) return Ping{std::string(frame)};
  if (trnm == trnm::kReg || trnm == trnm::kRemove) return read_reg_request(f, trnm);
  if (trnm == trnm::kConditionList) return ConditionListRequest{};
  if (trnm == trnm::kConditionSearch) return read_condition_search_request(f, trnm);
  if (trnm == trnm::kConditionClear) {
    const std::string* seq = f.field(ws_key::kSeq);
    if (seq == nullptr || is_blank(*seq)) return error(trnm, "missing seq");
    return ConditionClearRequest{std::string(trim(*seq))};
  }
  return error(trnm, "not a client message");
}

// ---------------------------------------------------------------- builders

std::string build_login(const Secret& token) {
  ordered_json j = with_trnm(trnm::kLogin);
  j[std::string(ws_key::kToken)] = token.reveal();
  return j.dump();
}

std::string build_ping() { return with_trnm(trnm::kPing).dump(); }

std::string build_reg(const RegRequest& request) {
  ordered_json j = with_trnm(request.remove ? trnm::kRemove : trnm::kReg);
  j[std::string(ws_key::kGrpNo)] = request.group;
  // REMOVE needs no refresh (websocket.md §3.1); clients differ, we omit it.
  if (!request.remove) {
    j[std::string(ws_key::kRefresh)] = request.keep_existing ? ws_code::kRefreshKeep : ws_code::kRefreshReplace;
  }
  ordered_json data = ordered_json::array();
  for (const RegData& d : request.data) {
    ordered_json e = ordered_json::object();
    e[std::string(ws_key::kItem)] = d.items;
    e[std::string(ws_key::kType)] = d.types;
    data.push_back(std::move(e));
  }
  j[std::string(ws_key::kData)] = std::move(data);
  return j.dump();
}

std::string build_condition_list() { return with_trnm(trnm::kConditionList).dump(); }

std::string build_condition_search(const ConditionSearchRequest& request) {
  ordered_json j = with_trnm(trnm::kConditionSearch);
  j[std::string(ws_key::kSeq)] = request.seq;
  j[std::string(ws_key::kSearchType)] = request.realtime ? ws_code::kSearchRealtime : ws_code::kSearchOnce;
  j[std::string(ws_key::kStexTp)] = condition_venue(request.venue);
  if (!request.realtime) {
    j[std::string(ws_key::kContYn)] = request.continuing ? code::kYes : code::kNo;
    j[std::string(ws_key::kNextKey)] = request.next_key;
  }
  return j.dump();
}

std::string build_condition_clear(std::string_view seq) {
  ordered_json j = with_trnm(trnm::kConditionClear);
  j[std::string(ws_key::kSeq)] = seq;
  return j.dump();
}

std::string build_login_result(const LoginResult& result) {
  ordered_json j = with_trnm(trnm::kLogin);
  put_ack(j, result.ack);
  if (result.sor_enabled) j[std::string(ws_key::kSorYn)] = *result.sor_enabled ? code::kYes : code::kNo;
  return j.dump();
}

std::string build_system(const SystemNotice& notice) {
  ordered_json j = with_trnm(trnm::kSystem);
  j[std::string(ws_key::kCode)] = notice.code;
  j[std::string(ws_key::kMessage)] = notice.message;
  return j.dump();
}

std::string build_reg_result(const RegResult& result) {
  ordered_json j = with_trnm(result.remove ? trnm::kRemove : trnm::kReg);
  put_ack(j, result.ack);
  return j.dump();
}

std::string build_real(std::span<const RealEntry> entries) {
  ordered_json j = with_trnm(trnm::kReal);
  ordered_json data = ordered_json::array();
  for (const RealEntry& e : entries) {
    ordered_json o = ordered_json::object();
    o[std::string(ws_key::kType)] = e.type;
    o[std::string(ws_key::kName)] = e.name;
    o[std::string(ws_key::kItem)] = e.item;
    o[std::string(ws_key::kValues)] = values_json(e.values);
    data.push_back(std::move(o));
  }
  j[std::string(ws_key::kData)] = std::move(data);
  return j.dump();
}

std::string build_condition_list_result(const ConditionList& list) {
  ordered_json j = with_trnm(trnm::kConditionList);
  put_ack(j, list.ack);
  ordered_json data = ordered_json::array();
  for (const ConditionInfo& c : list.conditions) data.push_back(ordered_json::array({c.seq, c.name}));
  j[std::string(ws_key::kData)] = std::move(data);
  return j.dump();
}

std::string build_condition_search_result(const ConditionSearchResult& result) {
  ordered_json j = with_trnm(trnm::kConditionSearch);
  j[std::string(ws_key::kSeq)] = result.seq;
  if (!result.realtime) {
    j[std::string(ws_key::kContYn)] = result.has_more ? code::kYes : code::kNo;
    j[std::string(ws_key::kNextKey)] = result.next_key;
  }
  put_ack(j, result.ack);
  ordered_json data = ordered_json::array();
  for (const ConditionRow& row : result.rows) {
    if (result.realtime) {
      ordered_json o = ordered_json::object();
      o[std::string(ws_key::kJmcode)] = format_stock_code(row.code, true);
      data.push_back(std::move(o));
    } else {
      data.push_back(values_json(detail::encode_condition_row(row)));
    }
  }
  j[std::string(ws_key::kData)] = std::move(data);
  return j.dump();
}

std::string build_condition_clear_result(const ConditionClearResult& result) {
  ordered_json j = with_trnm(trnm::kConditionClear);
  j[std::string(ws_key::kSeq)] = result.seq;
  put_ack(j, result.ack);
  return j.dump();
}

}  // namespace dalbit::kiwoom
