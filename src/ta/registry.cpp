#include "ta/registry.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>

#include "ta/indicators.h"

namespace dalbit::ta {

namespace {

using Made = Result<std::unique_ptr<Indicator>>;

struct Naming {
  std::string spec;
  std::vector<std::string> columns;
};

// Binds a concrete indicator to the Indicator interface; `Read` copies its
// outputs into the values array after every update.
template <class T, std::size_t N, class Read>
class Adapter final : public Indicator {
 public:
  Adapter(Naming naming, T indicator, Read read)
      : Indicator(std::move(naming.spec), std::move(naming.columns), indicator.lookback()),
        indicator_(std::move(indicator)),
        read_(read) {
    values_.fill(kNoValue);
  }
  void update(const Bar& bar) override {
    indicator_.update(bar);
    read_(indicator_, values_);
  }
  [[nodiscard]] bool ready() const override { return indicator_.ready(); }
  [[nodiscard]] std::span<const double> values() const override { return values_; }

 private:
  T indicator_;
  Read read_;
  std::array<double, N> values_;
};

template <std::size_t N, class T, class Read>
Made wrap(Naming naming, T indicator, Read read) {
  return std::unique_ptr<Indicator>(
      std::make_unique<Adapter<T, N, Read>>(std::move(naming), std::move(indicator), read));
}

template <class T>
Made single(Naming naming, T indicator) {
  return wrap<1>(std::move(naming), std::move(indicator),
                 [](const T& t, std::array<double, 1>& out) { out[0] = t.value(); });
}

using Params = std::vector<double>;  // validated, defaults filled in
using Factory = Made (*)(const Params&, Naming);

int as_int(double v) { return static_cast<int>(v); }

struct Entry {
  IndicatorInfo info;
  Factory make;
};

constexpr ParamInfo period(std::string_view name, double fallback, int min) {
  return ParamInfo{name, true, static_cast<double>(min), static_cast<double>(kMaxPeriod), fallback};
}

const std::vector<Entry>& entries() {
  static const std::vector<Entry> table = {
      {{"sma", "simple moving average of close", {period("period", 20, Sma::kMinPeriod)}, {""}},
       [](const Params& p, Naming n) { return single(std::move(n), Sma(as_int(p[0]))); }},
      {{"ema", "exponential moving average of close, SMA-seeded", {period("period", 20, Ema::kMinPeriod)}, {""}},
       [](const Params& p, Naming n) { return single(std::move(n), Ema(as_int(p[0]))); }},
      {{"wma", "linearly weighted moving average of close", {period("period", 20, Wma::kMinPeriod)}, {""}},
       [](const Params& p, Naming n) { return single(std::move(n), Wma(as_int(p[0]))); }},
      {{"mom", "momentum: close - close `period` bars ago", {period("period", 10, Momentum::kMinPeriod)}, {""}},
       [](const Params& p, Naming n) { return single(std::move(n), Momentum(as_int(p[0]))); }},
      {{"disparity", "disparity (이격도): close / SMA(period) * 100",
        {period("period", 20, Disparity::kMinPeriod)}, {""}},
       [](const Params& p, Naming n) { return single(std::move(n), Disparity(as_int(p[0]))); }},
      {{"rsi", "relative strength index, Wilder smoothing", {period("period", 14, Rsi::kMinPeriod)}, {""}},
       [](const Params& p, Naming n) { return single(std::move(n), Rsi(as_int(p[0]))); }},
      {{"bb", "Bollinger bands: SMA middle +/- k population standard deviations, and %b",
        {period("period", 20, Bollinger::kMinPeriod), ParamInfo{"k", false, 0.0, 100.0, 2.0}},
        {"middle", "upper", "lower", "pctb"}},
       [](const Params& p, Naming n) {
         return wrap<4>(std::move(n), Bollinger(as_int(p[0]), p[1]),
                        [](const Bollinger& b, std::array<double, 4>& out) {
                          out = {b.middle(), b.upper(), b.lower(), b.percent_b()};
                        });
       }},
      {{"macd", "MACD line, signal and histogram",
        {period("fast", 12, Macd::kMinPeriod), period("slow", 26, Macd::kMinPeriod),
         period("signal", 9, Macd::kMinSignalPeriod)},
        {"line", "signal", "hist"}},
       [](const Params& p, Naming n) -> Made {
         if (p[0] >= p[1]) {
           return Error{"macd: fast period must be less than slow period, got fast " +
                        std::to_string(as_int(p[0])) + " and slow " + std::to_string(as_int(p[1]))};
         }
         return wrap<3>(std::move(n), Macd(as_int(p[0]), as_int(p[1]), as_int(p[2])),
                        [](const Macd& m, std::array<double, 3>& out) {
                          out = {m.line(), m.signal(), m.histogram()};
                        });
       }},
      {{"stoch", "stochastic (TA-Lib STOCH, SMA smoothing): fast %K, slow %K, slow %D",
        {period("fastk", 14, Stochastic::kMinPeriod), period("slowk", 3, Stochastic::kMinPeriod),
         period("slowd", 3, Stochastic::kMinPeriod)},
        {"fastk", "k", "d"}},
       [](const Params& p, Naming n) {
         return wrap<3>(std::move(n), Stochastic(as_int(p[0]), as_int(p[1]), as_int(p[2])),
                        [](const Stochastic& s, std::array<double, 3>& out) {
                          out = {s.fast_k(), s.slow_k(), s.slow_d()};
                        });
       }},
      {{"atr", "average true range, Wilder smoothing", {period("period", 14, Atr::kMinPeriod)}, {""}},
       [](const Params& p, Naming n) { return single(std::move(n), Atr(as_int(p[0]))); }},
      {{"obv", "on-balance volume", {}, {""}},
       [](const Params&, Naming n) { return single(std::move(n), Obv()); }},
      {{"volma", "simple moving average of volume", {period("period", 20, VolumeMa::kMinPeriod)}, {""}},
       [](const Params& p, Naming n) { return single(std::move(n), VolumeMa(as_int(p[0]))); }},
      {{"ad", "accumulation/distribution line", {}, {""}},
       [](const Params&, Naming n) { return single(std::move(n), AccumulationDistribution()); }},
      {{"chaikin", "Chaikin oscillator: EMA(fast) - EMA(slow) of the A/D line",
        {period("fast", 3, Chaikin::kMinPeriod), period("slow", 10, Chaikin::kMinPeriod)}, {""}},
       [](const Params& p, Naming n) { return single(std::move(n), Chaikin(as_int(p[0]), as_int(p[1]))); }},
      {{"vwap", "session VWAP of typical price, reset each KST day", {}, {""}},
       [](const Params&, Naming n) { return single(std::move(n), Vwap()); }},
  };
  return table;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Whole numbers as integers ("100000", not the shortest form "1e+05").
std::string format_number(double v) {
  if (v == std::trunc(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<std::int64_t>(v));
  std::array<char, 32> buf{};
  const auto end = std::to_chars(buf.data(), buf.data() + buf.size(), v).ptr;
  return std::string(buf.data(), end);
}

template <class T>
bool parse_whole(std::string_view text, T& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

Result<double> parse_param(std::string_view indicator, const ParamInfo& param, std::string_view text) {
  const auto fail = [&](const std::string& expectation) {
    return Error{std::string(indicator) + ": " + std::string(param.name) + " must be " + expectation +
                 ", got \"" + std::string(text) + "\""};
  };
  double value = 0.0;
  if (param.integer) {
    std::int64_t n = 0;
    const std::string expectation = "an integer >= " + format_number(param.min);
    if (!parse_whole(text, n) || static_cast<double>(n) < param.min) return fail(expectation);
    value = static_cast<double>(n);
  } else {
    const std::string expectation = "a number > " + format_number(param.min);
    if (!parse_whole(text, value) || !std::isfinite(value) || !(value > param.min)) return fail(expectation);
  }
  if (value > param.max) return fail("at most " + format_number(param.max));
  return value;
}

std::string param_list(const IndicatorInfo& info) {
  if (info.params.empty()) return "no parameters";
  std::string out = std::to_string(info.params.size()) +
                    (info.params.size() == 1 ? " parameter (" : " parameters (");
  for (std::size_t i = 0; i < info.params.size(); ++i) {
    if (i > 0) out += ", ";
    out += info.params[i].name;
  }
  return out + ")";
}

std::string known_names() {
  std::string out;
  for (const Entry& e : entries()) {
    if (!out.empty()) out += ", ";
    out += e.info.name;
  }
  return out;
}

Naming naming_for(const IndicatorInfo& info, const Params& params) {
  Naming n{std::string(info.name), {}};
  std::string prefix(info.name);
  for (double p : params) {
    n.spec += ":" + format_number(p);
    prefix += "_" + format_number(p);
  }
  for (std::string_view output : info.outputs) {
    n.columns.push_back(output.empty() ? prefix : prefix + "_" + std::string(output));
  }
  return n;
}

}  // namespace

Made make_indicator(std::string_view spec) {
  std::vector<std::string_view> tokens;
  for (std::size_t start = 0;;) {
    const std::size_t colon = spec.find(':', start);
    tokens.push_back(trim(spec.substr(start, colon == std::string_view::npos ? colon : colon - start)));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  const std::string name = lower(tokens.front());
  if (name.empty()) return Error{"empty indicator name in spec \"" + std::string(spec) + "\""};

  for (const Entry& entry : entries()) {
    const IndicatorInfo& info = entry.info;
    if (info.name != name) continue;
    const std::size_t given = tokens.size() - 1;
    if (given > info.params.size()) {
      return Error{name + ": takes " + param_list(info) + ", got " + std::to_string(given) + " in \"" +
                   std::string(spec) + "\""};
    }
    Params params;
    for (std::size_t i = 0; i < info.params.size(); ++i) {
      if (i >= given) {
        params.push_back(info.params[i].default_value);
        continue;
      }
      auto value = parse_param(name, info.params[i], tokens[i + 1]);
      if (!value) return value.error();
      params.push_back(*value);
    }
    return entry.make(params, naming_for(info, params));
  }
  return Error{"unknown indicator \"" + std::string(tokens.front()) + "\" (known: " + known_names() + ")"};
}

const std::vector<IndicatorInfo>& indicator_catalog() {
  static const std::vector<IndicatorInfo> catalog = [] {
    std::vector<IndicatorInfo> out;
    for (const Entry& e : entries()) out.push_back(e.info);
    return out;
  }();
  return catalog;
}

}  // namespace dalbit::ta
