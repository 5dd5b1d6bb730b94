// Indicators by spec string, for the CLI (`dalbit ta --only rsi:14,bb:20:2`)
// and the Lua binding: a spec builds an indicator and tells its output columns
// and look-back.
//
//   auto rsi = make_indicator("rsi:14");        // Result<std::unique_ptr<Indicator>>
//   if (!rsi) return rsi.error();               // `rsi: period must be an integer >= 2, got "x"`
//   (*rsi)->columns();                          // {"rsi_14"}
//   for (const Bar& b : bars) {
//     (*rsi)->update(b);
//     if ((*rsi)->ready()) use((*rsi)->values()[0]);
//   }
//
// Spec grammar: name[:param...]. Names are case-insensitive; omitted trailing
// parameters take the defaults in indicator_catalog() (docs/indicators.md).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace dalbit::ta {

class Indicator {
 public:
  virtual ~Indicator() = default;
  Indicator(const Indicator&) = delete;
  Indicator& operator=(const Indicator&) = delete;

  virtual void update(const Bar& bar) = 0;
  [[nodiscard]] virtual bool ready() const = 0;
  // The current outputs in columns() order; NaN before ready().
  [[nodiscard]] virtual std::span<const double> values() const = 0;

  // Canonical spec with every parameter spelled out: "bb:20:2".
  [[nodiscard]] const std::string& spec() const { return spec_; }
  // One per output: "rsi_14"; "bb_20_2_middle", "bb_20_2_upper", ...
  [[nodiscard]] const std::vector<std::string>& columns() const { return columns_; }
  // Bars consumed before the first value; ready() from bar lookback() + 1 on
  // (VWAP: also only once its session has traded).
  [[nodiscard]] int lookback() const { return lookback_; }

 protected:
  Indicator(std::string spec, std::vector<std::string> columns, int lookback)
      : spec_(std::move(spec)), columns_(std::move(columns)), lookback_(lookback) {}

 private:
  std::string spec_;
  std::vector<std::string> columns_;
  int lookback_;
};

[[nodiscard]] Result<std::unique_ptr<Indicator>> make_indicator(std::string_view spec);

struct ParamInfo {
  std::string_view name;
  bool integer;
  double min;          // inclusive for integers, exclusive for reals
  double max;          // inclusive
  double default_value;
};

struct IndicatorInfo {
  std::string_view name;
  std::string_view summary;
  std::vector<ParamInfo> params;
  std::vector<std::string_view> outputs;  // column suffixes; empty name for a single output
};

// Every indicator make_indicator() knows, in a stable order (for help texts).
[[nodiscard]] const std::vector<IndicatorInfo>& indicator_catalog();

}  // namespace dalbit::ta
