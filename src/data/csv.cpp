#include "data/csv.h"

#include <algorithm>
#include <cstring>

#include "core/krx.h"

namespace dalbit::data {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kTimeFormat = " (expected YYYY-MM-DD HH:MM:SS[.fff])";
// Longest slice of a bad field quoted back in a message.
constexpr std::size_t kMaxQuoted = 40;
// 18 digits always fit an int64.
constexpr std::ptrdiff_t kMaxDigits = 18;
constexpr std::ptrdiff_t kMaxFractionDigits = 9;
// "YYYY-MM-DD HH:MM"
constexpr std::size_t kMinutePrefix = 16;
// Nanoseconds per unit of a fraction with this many digits (".250" is 250 x 10^6).
constexpr std::array<std::int64_t, kMaxFractionDigits + 1> kFractionScale{
    0, 100'000'000, 10'000'000, 1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};

std::string quoted(std::string_view field) {
  std::string out = "'";
  out += field.substr(0, kMaxQuoted);
  if (field.size() > kMaxQuoted) out += "...";
  out += '\'';
  return out;
}

// The field that starts at p: up to the next ',' or the end of the line.
std::string_view field_at(const char* p, const char* end) {
  const char* q = p;
  while (q < end && *q != ',') ++q;
  return {p, static_cast<std::size_t>(q - p)};
}

bool at_field_end(const char* p, const char* end) { return p == end || *p == ','; }

// The digit's value, or something above 9 for any other character.
unsigned digit(char c) { return static_cast<unsigned>(c - '0'); }

// 1..18 decimal digits making up the rest of the field; p moves past them.
inline bool read_digits(const char*& p, const char* end, std::int64_t& out) {
  const char* q = p;
  std::uint64_t v = 0;  // unsigned: an over-long run wraps harmlessly before it is rejected
  while (q < end && digit(*q) <= 9) v = v * 10 + digit(*q++);
  if (q == p || q - p > kMaxDigits || !at_field_end(q, end)) return false;
  out = static_cast<std::int64_t>(v);
  p = q;
  return true;
}

bool two_digits(const char* s, int& out) {
  const unsigned hi = digit(s[0]), lo = digit(s[1]);
  if (hi > 9 || lo > 9) return false;
  out = static_cast<int>(hi * 10 + lo);
  return true;
}

}  // namespace

std::optional<CsvKind> kind_of_header(std::string_view line) {
  if (line.starts_with(kUtf8Bom)) line.remove_prefix(kUtf8Bom.size());
  if (line == kTickHeader) return CsvKind::Ticks;
  if (line == kBarHeader) return CsvKind::Bars;
  return std::nullopt;
}

bool RowParser::fail(std::string message) {
  error_ = std::move(message);
  return false;
}

bool RowParser::fail_row(std::string_view line, std::size_t expected_fields,
                         std::string_view header) {
  const auto fields = static_cast<std::size_t>(std::count(line.begin(), line.end(), ',')) + 1;
  if (fields != expected_fields) {
    return fail("expected " + std::to_string(expected_fields) + " fields (" + std::string(header) +
                "), got " + std::to_string(fields));
  }
  return false;  // error_ already names the bad field
}

bool RowParser::read_separator(const char*& p, const char* end) {
  if (p < end && *p == ',') {
    ++p;
    return true;
  }
  return fail("missing field");  // always superseded by fail_row's field count
}

bool RowParser::read_time(const char*& p, const char* end, Timestamp& out) {
  const char* const s = p;
  // Rows of one minute share "YYYY-MM-DD HH:MM", already checked when first
  // seen: then only the seconds and the fraction are new.
  const bool long_enough = end - s >= 19;
  const bool same_minute = long_enough && have_cached_minute_ &&
                           std::memcmp(s, cached_minute_text_.data(), kMinutePrefix) == 0;
  int hour = 0, minute = 0, second = 0;
  // Layout first, so the fixed-position reads stay inside the line.
  bool ok = long_enough && s[16] == ':' && two_digits(s + 17, second) && second <= 59;
  if (!same_minute) {
    ok = ok && s[4] == '-' && s[7] == '-' && (s[10] == ' ' || s[10] == 'T') && s[13] == ':' &&
         two_digits(s + 11, hour) && two_digits(s + 14, minute) && hour <= 23 && minute <= 59;
  }
  const char* q = s + 19;
  std::int64_t nanos = 0;
  if (ok && q < end && *q == '.') {
    const char* const fraction = ++q;
    while (q < end && digit(*q) <= 9 && q - fraction < kMaxFractionDigits) {
      nanos = nanos * 10 + digit(*q++);
    }
    ok = q > fraction;
    nanos *= kFractionScale[q - fraction];
  }
  if (!ok || !at_field_end(q, end)) {
    return fail("bad time " + quoted(field_at(s, end)) + std::string(kTimeFormat));
  }
  if (!same_minute) {
    // Rows of one day share their date: convert it once per day, not per minute.
    if (!have_cached_date_ || std::memcmp(s, cached_date_text_.data(), 10) != 0) {
      const auto date = parse_kst_date({s, 10});
      if (!date) return fail("bad date in time " + quoted(field_at(s, end)));
      std::memcpy(cached_date_text_.data(), s, 10);
      cached_midnight_ = from_kst(*date, TimeOfDay{0});
      have_cached_date_ = true;
    }
    std::memcpy(cached_minute_text_.data(), s, kMinutePrefix);
    cached_minute_start_ = cached_midnight_ + std::chrono::minutes{hour * 60 + minute};
    have_cached_minute_ = true;
  }
  out = cached_minute_start_ + std::chrono::seconds{second} + Duration{nanos};
  p = q;
  return true;
}

bool RowParser::parse_time(std::string_view field, Timestamp& out) {
  const char* p = field.data();
  const char* const end = p + field.size();
  if (!read_time(p, end, out)) return false;
  if (p != end) return fail("bad time " + quoted(field) + std::string(kTimeFormat));
  return true;
}

bool RowParser::read_code(const char*& p, const char* end, StockCode& out) {
  constexpr auto n = static_cast<std::ptrdiff_t>(StockCode::kLength);
  if (end - p >= n && at_field_end(p + n, end)) {
    if (have_cached_code_ && std::memcmp(p, cached_code_.view().data(), StockCode::kLength) == 0) {
      out = cached_code_;
      p += n;
      return true;
    }
    if (const auto code = StockCode::parse({p, StockCode::kLength})) {
      cached_code_ = out = *code;
      have_cached_code_ = true;
      p += n;
      return true;
    }
  }
  return fail("invalid stock code " + quoted(field_at(p, end)));
}

bool RowParser::read_price(const char*& p, const char* end, std::string_view name, Price& out) {
  const char* const start = p;
  std::int64_t v = 0;
  if (!read_digits(p, end, v)) {
    const auto field = field_at(start, end);
    const char* magnitude = start + 1;
    if (field.starts_with('-') && read_digits(magnitude, end, v)) {
      return fail(std::string(name) + " " + std::string(field) + " is not positive");
    }
    return fail("bad number " + quoted(field) + " in " + std::string(name));
  }
  if (v == 0) return fail(std::string(name) + " 0 is not positive");
  if (v != last_grid_price_) {
    if (!krx::on_grid(Price(v))) {
      return fail(std::string(name) + " " + std::to_string(v) +
                  " is off the tick grid (tick size " +
                  std::to_string(krx::tick_size(Price(v)).value()) + ")");
    }
    last_grid_price_ = v;
  }
  out = Price(v);
  return true;
}

bool RowParser::read_volume(const char*& p, const char* end, Qty& out) {
  const char* const start = p;
  std::int64_t v = 0;
  if (!read_digits(p, end, v)) {
    const auto field = field_at(start, end);
    const char* magnitude = start + 1;
    if (field.starts_with('-') && read_digits(magnitude, end, v)) {
      return fail("volume " + std::string(field) + " is negative");
    }
    return fail("bad number " + quoted(field) + " in volume");
  }
  out = Qty(v);
  return true;
}

bool RowParser::parse_tick(std::string_view line, Tick& out) {
  const char* p = line.data();
  const char* const end = p + line.size();
  const bool ok = read_time(p, end, out.time) &&
                  read_separator(p, end) && read_code(p, end, out.code) &&
                  read_separator(p, end) && read_price(p, end, "price", out.price) &&
                  read_separator(p, end) && read_volume(p, end, out.volume) && p == end;
  return ok || fail_row(line, 4, kTickHeader);
}

bool RowParser::parse_bar(std::string_view line, Bar& out) {
  const char* p = line.data();
  const char* const end = p + line.size();
  const bool ok = read_time(p, end, out.time) &&
                  read_separator(p, end) && read_code(p, end, out.code) &&
                  read_separator(p, end) && read_price(p, end, "open", out.open) &&
                  read_separator(p, end) && read_price(p, end, "high", out.high) &&
                  read_separator(p, end) && read_price(p, end, "low", out.low) &&
                  read_separator(p, end) && read_price(p, end, "close", out.close) &&
                  read_separator(p, end) && read_volume(p, end, out.volume) && p == end;
  if (!ok) return fail_row(line, 7, kBarHeader);
  out.minutes = 1;
  if (out.high < out.low) {
    return fail("high " + std::to_string(out.high.value()) + " is below low " +
                std::to_string(out.low.value()));
  }
  const auto outside = [&](std::string_view name, Price price) {
    return fail(std::string(name) + " " + std::to_string(price.value()) + " is outside [low " +
                std::to_string(out.low.value()) + ", high " + std::to_string(out.high.value()) +
                "]");
  };
  if (out.open < out.low || out.open > out.high) return outside("open", out.open);
  if (out.close < out.low || out.close > out.high) return outside("close", out.close);
  return true;
}

}  // namespace dalbit::data
