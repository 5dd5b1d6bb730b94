// Kiwoom's value formats, parsed and printed in one place (README §9).
//
// Every data value on the wire is a string: "+72500" (a price whose sign is
// the direction against the previous close), "-00000000196888" (a zero-padded
// signed amount), " 123 " (padding), "" (no value), "-0", "--123" (seen in one
// client: read as -123), "+1.25" (a rate in percent), "20260315" (YYYYMMDD),
// "093000" (HHMMSS), "A005930" (an account-side stock code), "005930_NX" (a
// venue-suffixed code). Parse errors name the key and quote the bad text.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/money.h"
#include "core/result.h"
#include "core/stock_code.h"
#include "core/time.h"

namespace dalbit::kiwoom {

// A percentage kept exactly to two decimals: "+1.25" is 1.25 % (125 hundredths).
struct Rate {
  std::int64_t hundredths = 0;
  friend constexpr auto operator<=>(Rate, Rate) = default;
  [[nodiscard]] constexpr double percent() const { return static_cast<double>(hundredths) / 100.0; }
};

// The sign in front of a price: its direction against the previous close.
enum class Direction : std::uint8_t { Flat, Up, Down };

// Where an order goes or a quote comes from: KRX, Nextrade, or smart routing
// (통합). The same idea is spelled "KRX"/"NXT"/"SOR" in dmst_stex_tp and as the
// code suffixes ""/"_NX"/"_AL" on quote requests and WebSocket items.
enum class Venue : std::uint8_t { Krx, Nxt, Sor };

struct Instrument {
  StockCode code;
  Venue venue = Venue::Krx;
  friend bool operator==(const Instrument&, const Instrument&) = default;
};

// ASCII whitespace trimmed from both ends.
[[nodiscard]] std::string_view trim(std::string_view text);
[[nodiscard]] inline bool is_blank(std::string_view text) { return trim(text).empty(); }

// Signed integer: optional '+' or '-' (a doubled "--" reads as one), digits
// with any zero padding, surrounding spaces. "" is an error here; callers that
// allow "no value" test is_blank first.
[[nodiscard]] Result<std::int64_t> parse_int(std::string_view key, std::string_view text);
// The magnitude of a direction-signed price ("-78800" -> 78800).
[[nodiscard]] Result<Price> parse_price(std::string_view key, std::string_view text);
[[nodiscard]] Direction price_direction(std::string_view text);
// A signed price difference (전일대비 "-600").
[[nodiscard]] Result<Price> parse_price_change(std::string_view key, std::string_view text);
// A share count; negative counts are rejected.
[[nodiscard]] Result<Qty> parse_qty(std::string_view key, std::string_view text);
// A signed share count (a change, or a trade volume whose sign is the aggressor).
[[nodiscard]] Result<Qty> parse_signed_qty(std::string_view key, std::string_view text);
// A signed amount of won.
[[nodiscard]] Result<Krw> parse_krw(std::string_view key, std::string_view text);
// A percentage with at most two decimals: "+1.25", "-0.24", "46.25", "0".
[[nodiscard]] Result<Rate> parse_rate(std::string_view key, std::string_view text);
// YYYYMMDD; "00000000" is an error ("no date"): optional fields test for it first.
[[nodiscard]] Result<KstDate> parse_date(std::string_view key, std::string_view text);
// HHMMSS
[[nodiscard]] Result<TimeOfDay> parse_time(std::string_view key, std::string_view text);
// YYYYMMDDHHMMSS read as KST.
[[nodiscard]] Result<Timestamp> parse_date_time(std::string_view key, std::string_view text);
// "005930" or the account-side "A005930".
[[nodiscard]] Result<StockCode> parse_stock_code(std::string_view key, std::string_view text);
// A stock code with an optional venue suffix: "005930", "005930_NX", "005930_AL".
[[nodiscard]] Result<Instrument> parse_instrument(std::string_view key, std::string_view text);
// "00000000" and blank: the date fields' way of saying "none".
[[nodiscard]] bool is_no_date(std::string_view text);

// Printing, for requests and for the simulator's responses.
[[nodiscard]] std::string format_int(std::int64_t v);                // "-123"
[[nodiscard]] std::string format_signed(std::int64_t v);             // "+600", "-600", "0"
[[nodiscard]] std::string format_padded(std::int64_t v, int width);  // "-00000000196888"
[[nodiscard]] std::string format_price(Price magnitude, Direction direction);  // "+72500"
[[nodiscard]] std::string format_rate(Rate r, bool plus_sign);       // "+1.25", "-0.24", "0.00"
[[nodiscard]] std::string format_date(KstDate d);                    // "20260315"
[[nodiscard]] std::string format_time(TimeOfDay t);                  // "093000"
[[nodiscard]] std::string format_date_time(Timestamp t);             // "20260315083713" (KST)
[[nodiscard]] std::string format_stock_code(StockCode code, bool account_prefix);
[[nodiscard]] std::string format_instrument(Instrument instrument);
[[nodiscard]] std::string_view venue_code(Venue venue);  // "KRX", "NXT", "SOR"
[[nodiscard]] Result<Venue> parse_venue_code(std::string_view key, std::string_view text);

// The quoted form of a bad value for error messages: at most 32 bytes, control
// characters replaced. Never call it on a secret.
[[nodiscard]] std::string quote_for_error(std::string_view text);

}  // namespace dalbit::kiwoom
