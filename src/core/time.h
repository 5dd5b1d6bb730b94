// Instants and KST calendar arithmetic.
//
// An instant is a UTC time point in nanoseconds. Korea Standard Time is
// UTC+9 with no daylight saving, so every KST field is a fixed offset away.
// Nothing here reads the system clock: that is Clock's job (core/clock.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dalbit {

using Duration = std::chrono::nanoseconds;
using Timestamp = std::chrono::time_point<std::chrono::system_clock, Duration>;

inline constexpr std::chrono::hours kKstOffset{9};

struct KstDate {
  int year = 1970;
  int month = 1;
  int day = 1;
  friend auto operator<=>(const KstDate&, const KstDate&) = default;
  [[nodiscard]] int yyyymmdd() const { return year * 10000 + month * 100 + day; }
  [[nodiscard]] std::string str() const;  // "2026-01-05"
  [[nodiscard]] int weekday() const;      // 0 = Sunday .. 6 = Saturday
};

// Seconds since KST midnight; session times are compared in this unit.
struct TimeOfDay {
  int seconds = 0;
  static constexpr TimeOfDay hm(int h, int m) { return TimeOfDay{h * 3600 + m * 60}; }
  friend constexpr auto operator<=>(TimeOfDay, TimeOfDay) = default;
  [[nodiscard]] std::string str() const;  // "09:00" or "09:00:30"
};

struct KstDateTime {
  KstDate date;
  TimeOfDay time;
  std::int64_t nanos = 0;  // below the second
};

[[nodiscard]] KstDateTime to_kst(Timestamp t);
[[nodiscard]] KstDate kst_date(Timestamp t);
[[nodiscard]] TimeOfDay kst_time_of_day(Timestamp t);
[[nodiscard]] Timestamp from_kst(KstDate d, TimeOfDay t, std::int64_t nanos = 0);
[[nodiscard]] Timestamp kst_midnight(Timestamp t);

// "YYYY-MM-DD"
[[nodiscard]] std::optional<KstDate> parse_kst_date(std::string_view s);
// "HH:MM" or "HH:MM:SS"
[[nodiscard]] std::optional<TimeOfDay> parse_time_of_day(std::string_view s);
// "YYYY-MM-DD HH:MM:SS" with an optional ".fff" (1 to 9 digits), read as KST.
// Also accepts 'T' as the separator. Written for the CSV hot path: no allocation.
[[nodiscard]] std::optional<Timestamp> parse_kst_timestamp(std::string_view s);
// "2026-01-05 09:00:00.123" (milliseconds shown only when non-zero)
[[nodiscard]] std::string format_kst(Timestamp t);

[[nodiscard]] bool valid_date(KstDate d);

}  // namespace dalbit
