#include "core/time.h"

#include <charconv>
#include <cstdio>

namespace dalbit {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

sys_days to_sys_days(KstDate d) {
  return sys_days{std::chrono::year{d.year} / std::chrono::month{static_cast<unsigned>(d.month)} /
                  std::chrono::day{static_cast<unsigned>(d.day)}};
}

// Reads exactly n decimal digits starting at s[pos].
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

bool valid_date(KstDate d) {
  if (d.year < 1970 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1) return false;
  const std::chrono::year_month_day ymd{std::chrono::year{d.year} /
                                        std::chrono::month{static_cast<unsigned>(d.month)} /
                                        std::chrono::day{static_cast<unsigned>(d.day)}};
  return ymd.ok();
}

std::string KstDate::str() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

int KstDate::weekday() const {
  return static_cast<int>(std::chrono::weekday{to_sys_days(*this)}.c_encoding());
}

std::string TimeOfDay::str() const {
  char buf[16];
  const int h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
  if (s == 0) {
    std::snprintf(buf, sizeof buf, "%02d:%02d", h, m);
  } else {
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", h, m, s);
  }
  return buf;
}

KstDateTime to_kst(Timestamp t) {
  const auto local = t + kKstOffset;
  const auto day = std::chrono::floor<days>(local);
  const std::chrono::year_month_day ymd{day};
  const auto since_midnight = local - day;
  const auto secs = std::chrono::floor<std::chrono::seconds>(since_midnight);
  KstDateTime out;
  out.date = {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
              static_cast<int>(static_cast<unsigned>(ymd.day()))};
  out.time.seconds = static_cast<int>(secs.count());
  out.nanos = (since_midnight - secs).count();
  return out;
}

KstDate kst_date(Timestamp t) { return to_kst(t).date; }
TimeOfDay kst_time_of_day(Timestamp t) { return to_kst(t).time; }

Timestamp from_kst(KstDate d, TimeOfDay t, std::int64_t nanos) {
  const auto day_start = Timestamp{to_sys_days(d).time_since_epoch()};
  return day_start - kKstOffset + std::chrono::seconds{t.seconds} + Duration{nanos};
}

Timestamp kst_midnight(Timestamp t) { return from_kst(kst_date(t), TimeOfDay{0}); }

std::optional<KstDate> parse_kst_date(std::string_view s) {
  KstDate d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!digits(s, 0, 4, d.year) || !digits(s, 5, 2, d.month) || !digits(s, 8, 2, d.day)) {
    return std::nullopt;
  }
  if (!valid_date(d)) return std::nullopt;
  return d;
}

std::optional<TimeOfDay> parse_time_of_day(std::string_view s) {
  int h = 0, m = 0, sec = 0;
  if (s.size() != 5 && s.size() != 8) return std::nullopt;
  if (s[2] != ':' || !digits(s, 0, 2, h) || !digits(s, 3, 2, m)) return std::nullopt;
  if (s.size() == 8 && (s[5] != ':' || !digits(s, 6, 2, sec))) return std::nullopt;
  if (h > 23 || m > 59 || sec > 59) return std::nullopt;
  return TimeOfDay{h * 3600 + m * 60 + sec};
}

std::optional<Timestamp> parse_kst_timestamp(std::string_view s) {
  if (s.size() < 19 || (s[10] != ' ' && s[10] != 'T')) return std::nullopt;
  const auto date = parse_kst_date(s.substr(0, 10));
  const auto time = parse_time_of_day(s.substr(11, 8));
  if (!date || !time) return std::nullopt;
  std::int64_t nanos = 0;
  if (s.size() > 19) {
    if (s[19] != '.' || s.size() == 20 || s.size() > 29) return std::nullopt;
    std::int64_t scale = 100000000;
    for (std::size_t i = 20; i < s.size(); ++i, scale /= 10) {
      const char c = s[i];
      if (c < '0' || c > '9') return std::nullopt;
      nanos += (c - '0') * scale;
    }
  }
  return from_kst(*date, *time, nanos);
}

std::string format_kst(Timestamp t) {
  const auto k = to_kst(t);
  char buf[40];
  const int h = k.time.seconds / 3600, m = k.time.seconds / 60 % 60, s = k.time.seconds % 60;
  const long ms = static_cast<long>(k.nanos / 1000000);
  if (ms != 0) {
    std::snprintf(buf, sizeof buf, "%s %02d:%02d:%02d.%03ld", k.date.str().c_str(), h, m, s, ms);
  } else {
    std::snprintf(buf, sizeof buf, "%s %02d:%02d:%02d", k.date.str().c_str(), h, m, s);
  }
  return buf;
}

}  // namespace dalbit
