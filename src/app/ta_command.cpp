#include <cmath>
#include <cstdio>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "app/commands.h"
#include "data/replay.h"
#include "ta/registry.h"

namespace dalbit::app {
namespace {

std::vector<std::string> all_default_specs() {
  std::vector<std::string> specs;
  for (const auto& info : ta::indicator_catalog()) specs.emplace_back(info.name);
  return specs;
}

}  // namespace

int ta(const TaOptions& o) {
  const auto specs = o.only.empty() ? all_default_specs() : o.only;
  // Validate every spec before reading any data, so a typo fails fast and names itself.
  std::vector<std::string> columns;
  for (const auto& spec : specs) {
    auto ind = ta::make_indicator(spec);
    if (!ind.ok()) {
      std::fprintf(stderr, "dalbit ta: --only %s: %s\n", spec.c_str(), ind.error().message.c_str());
      return kExitBadInput;
    }
    for (const auto& c : (*ind)->columns()) columns.push_back(c);
  }

  auto source = data::ReplaySource::open(o.data, {});
  if (!source.ok()) {
    std::fprintf(stderr, "dalbit ta: %s\n", source.error().message.c_str());
    return kExitBadInput;
  }
  FILE* out = stdout;
  if (!o.out.empty()) {
    out = std::fopen(o.out.c_str(), "w");
    if (!out) {
      std::fprintf(stderr, "dalbit ta: cannot write %s\n", o.out.c_str());
      return kExitFailed;
    }
  }
  std::string header = "time,code,open,high,low,close,volume";
  for (const auto& c : columns) header += "," + c;
  std::fprintf(out, "%s\n", header.c_str());

  // Each code is its own series.
  std::unordered_map<StockCode, std::vector<std::unique_ptr<ta::Indicator>>> by_code;
  data::MarketEvent ev;
  std::string line;
  while ((*source)->next(ev)) {
    if (ev.kind != data::EventKind::Bar) {
      std::fprintf(stderr, "dalbit ta: %s holds ticks; indicators are computed on bars\n", o.data.c_str());
      return kExitBadInput;
    }
    const Bar& b = ev.bar;
    auto& indicators = by_code[b.code];
    if (indicators.empty()) {
      for (const auto& spec : specs) indicators.push_back(std::move(*ta::make_indicator(spec)));
    }
    line = fmt::format("{},{},{},{},{},{},{}", format_kst(b.time), b.code.view(), b.open.value(),
                       b.high.value(), b.low.value(), b.close.value(), b.volume.value());
    for (auto& ind : indicators) {
      ind->update(b);
      for (const double v : ind->values()) {
        line += ',';
        if (ind->ready() && std::isfinite(v)) line += fmt::format("{}", v);
      }
    }
    line += '\n';
    std::fputs(line.c_str(), out);
  }
  if (out != stdout) std::fclose(out);
  if (const auto& stop = (*source)->stopped()) {
    std::fprintf(stderr, "dalbit ta: %s\n", stop->message.c_str());
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace dalbit::app
