// Compiled with -ffp-contract=off (CMakeLists.txt): a fused multiply-add
// rounds differently from a multiply then an add, and would make the output
// depend on the CPU the generator was built for.
#include "data/generator.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <string_view>
#include <utility>

#include "core/krx.h"
#include "data/csv.h"

namespace dalbit::data {
namespace {

namespace fs = std::filesystem;

constexpr int kContinuousMinutes = 380;                          // 09:00..15:19
constexpr int kOpenMs = 9 * 3'600'000;                           // 09:00:00.000
constexpr int kClosingAuctionMs = 15 * 3'600'000 + 30 * 60'000;  // 15:30:00.000
constexpr int kMinuteMs = 60'000;
// A typical trade is worth this much, so cheap stocks trade more shares.
constexpr std::int64_t kTradeValue = 3'000'000;
// The opening auction gaps by this fraction of the daily volatility.
constexpr double kGapShare = 0.3;
// Written files are flushed in pieces of about this size.
constexpr std::size_t kFlushBytes = 1u << 20;

constexpr int kMaxCodes = 10'000;
constexpr int kMaxDays = 10'000;
constexpr int kMaxTicksPerMinute = 10'000;
constexpr int kMaxVolatilityBp = 5'000;
constexpr int kMaxDriftBp = 1'000;

// splitmix64: spreads a seed over all 64 bits before it seeds a generator.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Uniform and normal values from raw mt19937_64 bits, identical everywhere
// (the std distributions are not: each standard library has its own).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : bits_(seed) {}

  // [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(bits_() >> 11) * 0x1.0p-53; }

  // [0, n)
  int below(int n) { return static_cast<int>(uniform() * n); }

  // Irwin-Hall: twelve uniforms (21 bits each, three per draw) sum to mean 6, variance 1. Close
  // enough to a normal for a synthetic market, bounded at 6 sigma, and needs no log or cos (whose
  // last bit differs between libm versions).
  double normal() {
    constexpr std::uint64_t kMask = (1u << 21) - 1;
    std::uint64_t sum = 0;
    for (int i = 0; i < 4; ++i) {
      const std::uint64_t x = bits_();
      sum += (x >> 43) + ((x >> 22) & kMask) + ((x >> 1) & kMask);
    }
    // Each part k stands for (k + 0.5) / 2^21, so the twelve add 6 / 2^21.
    return (static_cast<double>(sum) + 6.0) * 0x1.0p-21 - 6.0;
  }

 private:
  std::mt19937_64 bits_;
};

struct Trade {
  int ms = 0;  // since KST midnight
  Price price;
  Qty qty;
};

struct MinuteBar {
  int minute = 0;  // since KST midnight
  Price open, high, low, close;
  Qty volume;
};

KstDate next_day(KstDate d) { return kst_date(from_kst(d, TimeOfDay{0}) + std::chrono::hours{24}); }

std::string code_label(std::size_t i, const CodeSpec& c) {
  return "codes[" + std::to_string(i) + "] (" + c.code.str() + ")";
}

Status validate(const GeneratorOptions& o) {
  if (o.codes.empty()) return Error{"gen-data: codes: need at least one code"};
  if (o.codes.size() > kMaxCodes) {
    return Error{"gen-data: codes: at most " + std::to_string(kMaxCodes) + " codes"};
  }
  std::set<StockCode> seen;
  for (std::size_t i = 0; i < o.codes.size(); ++i) {
    const CodeSpec& c = o.codes[i];
    if (!seen.insert(c.code).second) return Error{"gen-data: " + code_label(i, c) + ": repeated"};
    if (!krx::on_grid(c.start)) {
      return Error{"gen-data: " + code_label(i, c) + ": start " + std::to_string(c.start.value()) +
                   " is not a positive price on the tick grid"};
    }
    if (c.volatility_bp < 0 || c.volatility_bp > kMaxVolatilityBp) {
      return Error{"gen-data: " + code_label(i, c) + ": volatility_bp must be 0.." +
                   std::to_string(kMaxVolatilityBp)};
    }
    if (c.drift_bp < -kMaxDriftBp || c.drift_bp > kMaxDriftBp) {
      return Error{"gen-data: " + code_label(i, c) + ": drift_bp must be -" +
                   std::to_string(kMaxDriftBp) + ".." + std::to_string(kMaxDriftBp)};
    }
  }
  if (!valid_date(o.first_date)) return Error{"gen-data: first_date is not a valid date"};
  if (o.days < 1 || o.days > kMaxDays) {
    return Error{"gen-data: days must be 1.." + std::to_string(kMaxDays) + ", got " +
                 std::to_string(o.days)};
  }
  if (o.tick_days < 0 || o.tick_days > o.days) {
    return Error{"gen-data: tick_days must be 0..days (" + std::to_string(o.days) + "), got " +
                 std::to_string(o.tick_days)};
  }
  if (o.ticks_per_minute < 1 || o.ticks_per_minute > kMaxTicksPerMinute) {
    return Error{"gen-data: ticks_per_minute must be 1.." + std::to_string(kMaxTicksPerMinute) +
                 ", got " + std::to_string(o.ticks_per_minute)};
  }
  return {};
}

// Appends text to a file through a large buffer; every failure names the path.
class CsvWriter {
 public:
  explicit CsvWriter(std::string path) : path_(std::move(path)) { buf_.reserve(2 * kFlushBytes); }
  ~CsvWriter() {
    if (file_) std::fclose(file_);
  }
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  Status open() {
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) return Error{path_ + ": cannot create: " + std::strerror(errno)};
    return {};
  }
  std::string& buffer() { return buf_; }
  Status maybe_flush() { return buf_.size() >= kFlushBytes ? flush() : Status{}; }
  Status close() {
    auto flushed = flush();
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!flushed) return flushed;
    if (!closed) return Error{path_ + ": write failed"};
    return {};
  }

 private:
  Status flush() {
    if (std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size()) {
      return Error{path_ + ": write failed"};
    }
    buf_.clear();
    return {};
  }

  std::string path_;
  std::FILE* file_ = nullptr;
  std::string buf_;
};

void append_int(std::string& out, std::int64_t v) {
  std::array<char, 24> digits;
  const auto r = std::to_chars(digits.data(), digits.data() + digits.size(), v);
  out.append(digits.data(), r.ptr);
}

void append_2(std::string& out, int v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

// "HH:MM:SS" and, with `millis`, ".mmm".
void append_time(std::string& out, int ms, bool millis) {
  append_2(out, ms / 3'600'000);
  out += ':';
  append_2(out, ms / kMinuteMs % 60);
  out += ':';
  append_2(out, ms / 1000 % 60);
  if (millis) {
    out += '.';
    out += static_cast<char>('0' + ms % 1000 / 100);
    append_2(out, ms % 100);
  }
}

std::string comment_line(const GeneratorOptions& o, const CodeSpec& c) {
  std::string line = "# synthetic data generated by dalbit gen-data --seed " +
                     std::to_string(o.seed) + " --from " + o.first_date.str() + " --days " +
                     std::to_string(o.days) + " --tick-days " + std::to_string(o.tick_days) +
                     " --ticks-per-minute " + std::to_string(o.ticks_per_minute);
  if (!o.holidays.empty()) {
    line += " --holidays ";
    for (std::size_t i = 0; i < o.holidays.size(); ++i) {
      if (i > 0) line += ',';
      line += o.holidays[i].str();
    }
  }
  line += "; " + c.code.str() + " \"" + c.name + "\" (invented), start " +
          std::to_string(c.start.value()) + ", volatility " + std::to_string(c.volatility_bp) +
          " bp/day, drift " + std::to_string(c.drift_bp) + " bp/day\n";
  return line;
}

// One code's market, day after day.
class CodeMarket {
 public:
  CodeMarket(const CodeSpec& spec, std::uint64_t seed, int ticks_per_minute)
      : rng_(mix(seed ^ mix(code_bits(spec.code)))),
        base_(spec.start),
        daily_volatility_(spec.volatility_bp / 10'000.0),
        daily_drift_(spec.drift_bp / 10'000.0),
        ticks_per_minute_(ticks_per_minute) {}

  // The day's trades in time order; the last one (15:30) is the close, which
  // becomes the next day's base.
  const std::vector<Trade>& simulate_day() {
    trades_.clear();
    const krx::PriceBand band = krx::daily_band(base_);
    const double lower = static_cast<double>(band.lower.value());
    const double upper = static_cast<double>(band.upper.value());
    const auto clamp = [&](double p) { return std::min(std::max(p, lower), upper); };
    const std::int64_t mean_qty = std::max<std::int64_t>(1, kTradeValue / base_.value());

    int total = 0;
    for (int m = 0; m < kContinuousMinutes; ++m) {
      // U shape: weight 2 at the open and the close, 0.5 at midday, mean 1.
      const double x = (2.0 * m - (kContinuousMinutes - 1)) / (kContinuousMinutes - 1);
      const double weight = 0.5 + 1.5 * x * x;
      const double jitter = 0.75 + 0.5 * rng_.uniform();
      counts_[m] = std::max(1, static_cast<int>(ticks_per_minute_ * weight * jitter + 0.5));
      total += counts_[m];
    }
    const double step_volatility = daily_volatility_ / std::sqrt(static_cast<double>(total));
    const double step_drift = daily_drift_ / total;

    const auto auction_qty = [&] {
      return Qty(mean_qty * ticks_per_minute_ +
                 static_cast<std::int64_t>(rng_.uniform() * static_cast<double>(mean_qty) *
                                           ticks_per_minute_));
    };
    double fair = clamp(static_cast<double>(base_.value()) *
                        (1.0 + kGapShare * daily_volatility_ * rng_.normal()));
    trades_.push_back({kOpenMs, nearest(fair, band), auction_qty()});

    for (int m = 0; m < kContinuousMinutes; ++m) {
      offsets_.resize(static_cast<std::size_t>(counts_[m]));
      for (int& o : offsets_) o = rng_.below(kMinuteMs);
      std::sort(offsets_.begin(), offsets_.end());
      for (const int offset : offsets_) {
        fair = clamp(fair * (1.0 + step_drift + step_volatility * rng_.normal()));
        const auto [bid, ask] = quote(fair, band);
        const Price price = rng_.uniform() < 0.5 ? bid : ask;
        // A product of two uniforms times 4: mean one, mostly small trades.
        const double size = static_cast<double>(mean_qty) * 4.0 * rng_.uniform() * rng_.uniform();
        const Qty qty(std::max<std::int64_t>(1, static_cast<std::int64_t>(size + 0.5)));
        trades_.push_back({kOpenMs + m * kMinuteMs + offset, price, qty});
      }
    }
    const Price close = nearest(fair, band);
    trades_.push_back({kClosingAuctionMs, close, auction_qty()});
    base_ = close;
    return trades_;
  }

 private:
  static std::uint64_t code_bits(const StockCode& code) {
    std::uint64_t bits = 0;
    for (const char c : code.view()) bits = bits << 8 | static_cast<unsigned char>(c);
    return bits;
  }

  // The grid prices just below (or at) and above `fair`, which lies inside
  // the band; both stay inside it.
  static std::pair<Price, Price> quote(double fair, const krx::PriceBand& band) {
    const Price bid = krx::floor_to_tick(Price(static_cast<std::int64_t>(fair)));
    return {bid, std::min(krx::tick_up(bid), band.upper)};
  }

  // The grid price closest to `fair`.
  static Price nearest(double fair, const krx::PriceBand& band) {
    const auto [bid, ask] = quote(fair, band);
    const double below = fair - static_cast<double>(bid.value());
    const double above = static_cast<double>(ask.value()) - fair;
    return below < above ? bid : ask;
  }

  Rng rng_;
  Price base_;
  double daily_volatility_;
  double daily_drift_;
  int ticks_per_minute_;
  std::array<int, kContinuousMinutes> counts_{};
  std::vector<int> offsets_;
  std::vector<Trade> trades_;
};

// Trades (in time order) grouped into 1-minute bars.
void aggregate(const std::vector<Trade>& trades, std::vector<MinuteBar>& bars) {
  bars.clear();
  for (const Trade& t : trades) {
    const int minute = t.ms / kMinuteMs;
    if (bars.empty() || bars.back().minute != minute) {
      bars.push_back({minute, t.price, t.price, t.price, t.price, t.qty});
      continue;
    }
    MinuteBar& b = bars.back();
    b.high = std::max(b.high, t.price);
    b.low = std::min(b.low, t.price);
    b.close = t.price;
    b.volume += t.qty;
  }
}

Status generate_code(const GeneratorOptions& o, const CodeSpec& spec,
                     const std::vector<KstDate>& days, const fs::path& out) {
  const std::string file = spec.code.str() + ".csv";
  CsvWriter bars_out((out / "bars" / file).string());
  if (auto s = bars_out.open(); !s) return s;
  const std::string comment = comment_line(o, spec);
  bars_out.buffer() += comment;
  bars_out.buffer() += kBarHeader;
  bars_out.buffer() += '\n';

  const bool with_ticks = o.tick_days > 0;
  CsvWriter ticks_out((out / "ticks" / file).string());
  if (with_ticks) {
    if (auto s = ticks_out.open(); !s) return s;
    ticks_out.buffer() += comment;
    ticks_out.buffer() += kTickHeader;
    ticks_out.buffer() += '\n';
  }

  CodeMarket market(spec, o.seed, o.ticks_per_minute);
  std::vector<MinuteBar> bars;
  const std::size_t first_tick_day = days.size() - static_cast<std::size_t>(o.tick_days);
  const std::string code_field = "," + spec.code.str() + ",";
  for (std::size_t d = 0; d < days.size(); ++d) {
    const std::string date = days[d].str() + " ";
    const auto& trades = market.simulate_day();
    aggregate(trades, bars);
    std::string& b = bars_out.buffer();
    for (const MinuteBar& bar : bars) {
      b += date;
      append_time(b, bar.minute * kMinuteMs, false);
      b += code_field;
      append_int(b, bar.open.value());
      b += ',';
      append_int(b, bar.high.value());
      b += ',';
      append_int(b, bar.low.value());
      b += ',';
      append_int(b, bar.close.value());
      b += ',';
      append_int(b, bar.volume.value());
      b += '\n';
    }
    if (auto s = bars_out.maybe_flush(); !s) return s;
    if (d < first_tick_day) continue;
    std::string& t = ticks_out.buffer();
    for (const Trade& trade : trades) {
      t += date;
      append_time(t, trade.ms, true);
      t += code_field;
      append_int(t, trade.price.value());
      t += ',';
      append_int(t, trade.qty.value());
      t += '\n';
      if (t.size() >= kFlushBytes) {
        if (auto s = ticks_out.maybe_flush(); !s) return s;
      }
    }
  }
  if (auto s = bars_out.close(); !s) return s;
  if (with_ticks) return ticks_out.close();
  return {};
}

}  // namespace

std::vector<CodeSpec> default_codes(int count) {
  struct Named {
    std::string_view code, name;
    std::int64_t start;
    int volatility_bp, drift_bp;
  };
  // Invented companies; the 9xxxxx codes are not KRX listings.
  static constexpr std::array<Named, 5> kNamed{{
      {"900010", "Dalbit Electronics", 72'500, 180, 2},
      {"900020", "Haneul Chemical", 15'300, 250, 0},
      {"900030", "Byeol Bio", 1'850, 400, -3},
      {"900040", "Gureum Motors", 231'000, 200, 1},
      {"900050", "Baram Games", 4'320, 320, 0},
  }};
  std::vector<CodeSpec> out;
  const int n = std::clamp(count, 0, kMaxDefaultCodes);
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    CodeSpec spec;
    if (i < static_cast<int>(kNamed.size())) {
      const Named& named = kNamed[static_cast<std::size_t>(i)];
      spec.code = *StockCode::parse(named.code);
      spec.name = named.name;
      spec.start = Price(named.start);
      spec.volatility_bp = named.volatility_bp;
      spec.drift_bp = named.drift_bp;
    } else {
      // More codes for big benchmark sets: 900060, 900070, ... with spread-out prices.
      const std::string code = std::to_string(900'010 + 10 * i);  // six digits up to 999990
      spec.code = *StockCode::parse(code);
      spec.name = "Synthetic " + code;
      spec.start =
          krx::floor_to_tick(Price(1'000 + (static_cast<std::int64_t>(i) * 7'919) % 150'000));
      spec.volatility_bp = 150 + i * 37 % 250;
      spec.drift_bp = i % 7 - 3;
    }
    out.push_back(std::move(spec));
  }
  return out;
}

std::vector<KstDate> trading_days(const GeneratorOptions& o) {
  std::vector<KstDate> days;
  if (!valid_date(o.first_date) || o.days < 1 || o.days > kMaxDays) return days;
  const std::set<KstDate> holidays(o.holidays.begin(), o.holidays.end());
  for (KstDate d = o.first_date; static_cast<int>(days.size()) < o.days; d = next_day(d)) {
    const int weekday = d.weekday();
    if (weekday != 0 && weekday != 6 && !holidays.contains(d)) days.push_back(d);
  }
  return days;
}

Status generate(const GeneratorOptions& options, const std::string& out_dir) {
  if (auto s = validate(options); !s) return s;
  const fs::path out(out_dir);
  std::error_code ec;
  fs::create_directories(out / "bars", ec);
  if (!ec && options.tick_days > 0) fs::create_directories(out / "ticks", ec);
  if (ec)
    return Error{"gen-data: cannot create directories under '" + out_dir + "': " + ec.message()};
  const auto days = trading_days(options);
  for (const CodeSpec& spec : options.codes) {
    if (auto s = generate_code(options, spec, days, out); !s) return s;
  }
  return {};
}

}  // namespace dalbit::data
