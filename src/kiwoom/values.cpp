#include "kiwoom/values.h"

#include <charconv>
#include <cstdio>
#include <limits>

#include "kiwoom/protocol.h"

namespace dalbit::kiwoom {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

Error bad(std::string_view key, std::string_view what, std::string_view text) {
  std::string m;
  m.reserve(key.size() + what.size() + 48);
  m.append(key).append(": ").append(what).append(" ").append(quote_for_error(text));
  return Error{std::move(m)};
}

enum class IntStatus { Ok, Empty, Bad, Overflow };

// The shared integer reader; returns the value with its sign. `negative` tells
// "-0" apart from "0" for callers that care about the direction.
IntStatus read_int(std::string_view text, std::int64_t& out, bool& negative) {
  const std::string_view s = trim(text);
  if (s.empty()) return IntStatus::Empty;
  std::size_t i = 0;
  negative = false;
  if (s[0] == '+') {
    i = 1;
  } else if (s[0] == '-') {
    negative = true;
    i = (s.size() > 1 && s[1] == '-') ? 2 : 1;
  }
  if (i == s.size()) return IntStatus::Bad;
  std::uint64_t magnitude = 0;
  const char* first = s.data() + i;
  const char* last = s.data() + s.size();
  // from_chars would accept a second sign for signed types; the unsigned read
  // accepts digits only.
  const auto [ptr, ec] = std::from_chars(first, last, magnitude);
  if (ec == std::errc::result_out_of_range) return IntStatus::Overflow;
  if (ec != std::errc{} || ptr != last) return IntStatus::Bad;
  if (magnitude > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return IntStatus::Overflow;
  }
  const auto v = static_cast<std::int64_t>(magnitude);
  out = negative ? -v : v;
  return IntStatus::Ok;
}

Result<std::int64_t> int_or_error(std::string_view key, std::string_view text, std::string_view what) {
  std::int64_t v = 0;
  bool negative = false;
  switch (read_int(text, v, negative)) {
    case IntStatus::Ok: return v;
    case IntStatus::Empty: return bad(key, std::string(what) + " is empty:", text);
    case IntStatus::Overflow: return bad(key, std::string(what) + " out of range:", text);
    case IntStatus::Bad: break;
  }
  return bad(key, "bad " + std::string(what), text);
}

bool fixed_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool read_date(std::string_view s, KstDate& d) {
  return s.size() >= 8 && fixed_digits(s, 0, 4, d.year) && fixed_digits(s, 4, 2, d.month) &&
         fixed_digits(s, 6, 2, d.day) && valid_date(d);
}

bool read_time(std::string_view s, std::size_t pos, TimeOfDay& t) {
  int h = 0, m = 0, sec = 0;
  if (s.size() < pos + 6 || !fixed_digits(s, pos, 2, h) || !fixed_digits(s, pos + 2, 2, m) ||
      !fixed_digits(s, pos + 4, 2, sec)) {
    return false;
  }
  if (h > 23 || m > 59 || sec > 59) return false;
  t.seconds = h * 3600 + m * 60 + sec;
  return true;
}

}  // namespace

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string quote_for_error(std::string_view text) {
  constexpr std::size_t kMax = 32;
  std::string_view shown = text;
  bool cut = false;
  if (shown.size() > kMax) {
    std::size_t n = kMax;
    // Do not split a UTF-8 sequence (Korean names are 3 bytes a syllable).
    while (n > 0 && (static_cast<unsigned char>(shown[n]) & 0xC0) == 0x80) --n;
    shown = shown.substr(0, n);
    cut = true;
  }
  std::string out = "\"";
  for (const char c : shown) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? '?' : c;
  }
  out += cut ? "...\"" : "\"";
  return out;
}

Result<std::int64_t> parse_int(std::string_view key, std::string_view text) {
  return int_or_error(key, text, "number");
}

Result<Price> parse_price(std::string_view key, std::string_view text) {
  auto v = int_or_error(key, text, "price");
  if (!v) return v.error();
  return Price(*v < 0 ? -*v : *v);
}

Direction price_direction(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.empty()) return Direction::Flat;
  if (s[0] == '+') return Direction::Up;
  if (s[0] == '-') return Direction::Down;
  return Direction::Flat;
}

Result<Price> parse_price_change(std::string_view key, std::string_view text) {
  auto v = int_or_error(key, text, "price change");
  if (!v) return v.error();
  return Price(*v);
}

Result<Qty> parse_qty(std::string_view key, std::string_view text) {
  auto v = int_or_error(key, text, "quantity");
  if (!v) return v.error();
  if (*v < 0) return bad(key, "negative quantity", text);
  return Qty(*v);
}

Result<Qty> parse_signed_qty(std::string_view key, std::string_view text) {
  auto v = int_or_error(key, text, "quantity");
  if (!v) return v.error();
  return Qty(*v);
}

Result<Krw> parse_krw(std::string_view key, std::string_view text) {
  auto v = int_or_error(key, text, "amount");
  if (!v) return v.error();
  return Krw(*v);
}

Result<Rate> parse_rate(std::string_view key, std::string_view text) {
  const std::string_view s = trim(text);
  if (s.empty()) return bad(key, "rate is empty:", text);
  const std::size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  std::int64_t units = 0;
  bool negative = false;
  if (read_int(whole, units, negative) != IntStatus::Ok || trim(whole) != whole) {
    return bad(key, "bad rate", text);
  }
  std::int64_t frac = 0;
  if (dot != std::string_view::npos) {
    const std::string_view digits = s.substr(dot + 1);
    if (digits.empty() || digits.size() > 2) return bad(key, "bad rate (two decimals at most)", text);
    for (const char c : digits) {
      if (c < '0' || c > '9') return bad(key, "bad rate", text);
      frac = frac * 10 + (c - '0');
    }
    if (digits.size() == 1) frac *= 10;
  }
  const std::int64_t magnitude = (units < 0 ? -units : units);
  if (magnitude > std::numeric_limits<std::int64_t>::max() / 100 - 1) {
    return bad(key, "rate out of range:", text);
  }
  const std::int64_t hundredths = magnitude * 100 + frac;
  return Rate{negative ? -hundredths : hundredths};
}

bool is_no_date(std::string_view text) {
  const std::string_view s = trim(text);
  return s.empty() || s.find_first_not_of('0') == std::string_view::npos;
}

Result<KstDate> parse_date(std::string_view key, std::string_view text) {
  const std::string_view s = trim(text);
  KstDate d;
  if (s.size() != 8 || !read_date(s, d)) return bad(key, "bad date (YYYYMMDD)", text);
  return d;
}

Result<TimeOfDay> parse_time(std::string_view key, std::string_view text) {
  const std::string_view s = trim(text);
  TimeOfDay t;
  if (s.size() != 6 || !read_time(s, 0, t)) return bad(key, "bad time (HHMMSS)", text);
  return t;
}

Result<Timestamp> parse_date_time(std::string_view key, std::string_view text) {
  const std::string_view s = trim(text);
  KstDate d;
  TimeOfDay t;
  if (s.size() != 14 || !read_date(s, d) || !read_time(s, 8, t)) {
    return bad(key, "bad date-time (YYYYMMDDHHMMSS)", text);
  }
  return from_kst(d, t);
}

Result<StockCode> parse_stock_code(std::string_view key, std::string_view text) {
  std::string_view s = trim(text);
  if (s.size() == StockCode::kLength + 1 && s.front() == code::kAccountCodePrefix) s.remove_prefix(1);
  if (auto c = StockCode::parse(s)) return *c;
  return bad(key, "bad stock code", text);
}

Result<Instrument> parse_instrument(std::string_view key, std::string_view text) {
  const std::string_view s = trim(text);
  Instrument out;
  std::string_view base = s;
  if (s.ends_with(code::kSuffixNxt)) {
    out.venue = Venue::Nxt;
    base = s.substr(0, s.size() - code::kSuffixNxt.size());
  } else if (s.ends_with(code::kSuffixSor)) {
    out.venue = Venue::Sor;
    base = s.substr(0, s.size() - code::kSuffixSor.size());
  }
  auto c = parse_stock_code(key, base);
  if (!c) return bad(key, "bad stock code", text);
  out.code = *c;
  return out;
}

std::string format_int(std::int64_t v) { return std::to_string(v); }

std::string format_signed(std::int64_t v) { return v > 0 ? "+" + std::to_string(v) : std::to_string(v); }

std::string format_padded(std::int64_t v, int width) {
  const bool negative = v < 0;
  const std::string digits = std::to_string(negative ? -v : v);
  const auto digit_width = static_cast<std::size_t>(width > 0 ? width - (negative ? 1 : 0) : 0);
  std::string out = negative ? "-" : "";
  if (digits.size() < digit_width) out.append(digit_width - digits.size(), '0');
  out += digits;
  return out;
}

std::string format_price(Price magnitude, Direction direction) {
  const std::string digits = std::to_string(magnitude.value() < 0 ? -magnitude.value() : magnitude.value());
  switch (direction) {
    case Direction::Up: return "+" + digits;
    case Direction::Down: return "-" + digits;
    case Direction::Flat: break;
  }
  return digits;
}

std::string format_rate(Rate r, bool plus_sign) {
  const std::int64_t h = r.hundredths;
  const std::int64_t m = h < 0 ? -h : h;
  char buf[40];
  const char* sign = h < 0 ? "-" : (plus_sign && h > 0 ? "+" : "");
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", sign, static_cast<long long>(m / 100),
                static_cast<long long>(m % 100));
  return buf;
}

std::string format_date(KstDate d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", d.year, d.month, d.day);
  return buf;
}

std::string format_time(TimeOfDay t) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", t.seconds / 3600, t.seconds / 60 % 60, t.seconds % 60);
  return buf;
}

std::string format_date_time(Timestamp t) {
  const KstDateTime k = to_kst(t);
  return format_date(k.date) + format_time(k.time);
}

std::string format_stock_code(StockCode code, bool account_prefix) {
  std::string out;
  if (account_prefix) out += code::kAccountCodePrefix;
  out += code.view();
  return out;
}

std::string format_instrument(Instrument instrument) {
  std::string out = instrument.code.str();
  if (instrument.venue == Venue::Nxt) out += code::kSuffixNxt;
  if (instrument.venue == Venue::Sor) out += code::kSuffixSor;
  return out;
}

std::string_view venue_code(Venue venue) {
  switch (venue) {
    case Venue::Nxt: return code::kVenueNxt;
    case Venue::Sor: return code::kVenueSor;
    case Venue::Krx: break;
  }
  return code::kVenueKrx;
}

Result<Venue> parse_venue_code(std::string_view key, std::string_view text) {
  const std::string_view s = trim(text);
  if (s == code::kVenueKrx) return Venue::Krx;
  if (s == code::kVenueNxt) return Venue::Nxt;
  if (s == code::kVenueSor) return Venue::Sor;
  return bad(key, "bad exchange", text);
}

}  // namespace dalbit::kiwoom
