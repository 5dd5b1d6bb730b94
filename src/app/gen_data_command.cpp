#include <cstdio>

#include "app/commands.h"
#include "config/config.h"
#include "data/generator.h"

namespace dalbit::app {

int gen_data(const GenDataOptions& o) {
  data::GeneratorOptions g;
  g.seed = o.seed;
  if (o.codes < 1 || o.codes > 9999) {
    std::fprintf(stderr, "dalbit gen-data: --codes: expected 1 to 9999, got %d\n", o.codes);
    return kExitBadInput;
  }
  g.codes = data::default_codes(o.codes);
  const auto from = parse_kst_date(o.from);
  if (!from) {
    std::fprintf(stderr, "dalbit gen-data: --from: expected a date YYYY-MM-DD, got \"%s\"\n", o.from.c_str());
    return kExitBadInput;
  }
  g.first_date = *from;
  g.days = o.days;
  g.tick_days = o.tick_days;
  g.ticks_per_minute = o.ticks_per_minute;
  if (!o.config.empty()) {
    auto cfg = config::load(o.config);
    if (!cfg.ok()) {
      std::fprintf(stderr, "%s\n", cfg.error().message.c_str());
      return kExitBadInput;
    }
    g.holidays = cfg->market.holidays;
  }
  if (auto st = data::generate(g, o.out); !st.ok()) {
    std::fprintf(stderr, "dalbit gen-data: %s\n", st.message().c_str());
    return kExitBadInput;
  }
  const auto days = data::trading_days(g);
  std::printf("wrote %d codes x %zu trading days (%s .. %s) of synthetic bars%s to %s\n", o.codes, days.size(),
              days.empty() ? "-" : days.front().str().c_str(), days.empty() ? "-" : days.back().str().c_str(),
              o.tick_days > 0 ? " and ticks" : "", o.out.c_str());
  return kExitOk;
}

}  // namespace dalbit::app
