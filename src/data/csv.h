// The market-data CSV row formats (docs/data.md) and their parser.
//
//   ticks: time,code,price,volume                  time = KST "YYYY-MM-DD HH:MM:SS[.fff]"
//   bars:  time,code,open,high,low,close,volume    time = KST start of the minute
//
// RowParser is the hot path of every backtest: it works on string_views of
// the caller's buffer, never allocates for a good row (only an error message
// allocates), and converts a timestamp whose date repeats the previous row's
// without calendar arithmetic.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "core/types.h"

namespace dalbit::data {

enum class CsvKind : std::uint8_t { Ticks, Bars };

inline constexpr std::string_view kTickHeader = "time,code,price,volume";
inline constexpr std::string_view kBarHeader = "time,code,open,high,low,close,volume";

// The kind a header line announces; `line` has no line terminator.
[[nodiscard]] std::optional<CsvKind> kind_of_header(std::string_view line);

class RowParser {
 public:
  // Each returns false with error() set to what is wrong with the row (without
  // the file:line prefix, which the caller knows); `out` may then be partly
  // written. `line` has no terminator.
  [[nodiscard]] bool parse_tick(std::string_view line, Tick& out);
  [[nodiscard]] bool parse_bar(std::string_view line, Bar& out);
  // A timestamp alone, as parse_kst_timestamp accepts it.
  [[nodiscard]] bool parse_time(std::string_view field, Timestamp& out);

  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  // Each reads one field starting at `p` and, on success, leaves `p` on the
  // ',' or the end of the line that follows it. One pass over the row: the
  // digit loops are the field scan.
  bool read_time(const char*& p, const char* end, Timestamp& out);
  bool read_code(const char*& p, const char* end, StockCode& out);
  bool read_price(const char*& p, const char* end, std::string_view name, Price& out);
  bool read_volume(const char*& p, const char* end, Qty& out);
  bool read_separator(const char*& p, const char* end);
  bool fail(std::string message);
  // A row that failed: a wrong field count is the error that explains the
  // others, so it takes precedence over what the failing field said.
  bool fail_row(std::string_view line, std::size_t expected_fields, std::string_view header);

  // The last date seen: its ten characters and the instant of its KST midnight.
  std::array<char, 10> cached_date_text_{};
  Timestamp cached_midnight_{};
  bool have_cached_date_ = false;
  // The last minute seen: "YYYY-MM-DD HH:MM" and the instant it starts.
  std::array<char, 16> cached_minute_text_{};
  Timestamp cached_minute_start_{};
  bool have_cached_minute_ = false;
  // The last code seen, so a file of one code validates it once.
  StockCode cached_code_;
  bool have_cached_code_ = false;
  // The last price that passed the grid check (trades repeat prices).
  std::int64_t last_grid_price_ = 0;
  std::string error_;
};

}  // namespace dalbit::data
