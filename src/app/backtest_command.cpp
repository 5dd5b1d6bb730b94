#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/progress.h"
#include "engine/store_journal.h"
#include "broker/sim_broker.h"
#include "config/config.h"
#include "data/replay.h"
#include "engine/engine.h"
#include "engine/lua_strategies.h"
#include "engine/replay.h"
#include "engine/summary.h"
#include "log/log.h"
#include "lua/host.h"
#include "store/store.h"

namespace dalbit::app {
namespace {

using json = nlohmann::ordered_json;

// 1234567 -> "1,234,567"; signed when asked, for P&L.
std::string won(Krw v, bool sign = false) {
  const auto x = v.value();
  const std::string digits = std::to_string(x < 0 ? -x : x);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  if (x < 0) return "-" + grouped;
  return (sign && x > 0 ? "+" : "") + grouped;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

json summary_json(const engine::Summary& s, const engine::Engine& e, std::int64_t run,
                  const BacktestOptions& o, double elapsed_s) {
  const auto& st = e.stats();
  json positions = json::array();
  for (const auto& p : s.open_positions) {
    positions.push_back({{"code", p.code.str()}, {"qty", p.qty.value()}, {"avg_price", p.avg_price.value()},
                         {"last", p.last.value()}, {"unrealized", p.unrealized.value()}});
  }
  json trades = json::array();
  for (const auto& t : e.trades()) {
    trades.push_back({{"order_id", t.order_id}, {"strategy", t.strategy}, {"code", t.code.str()},
                      {"qty", t.qty.value()}, {"avg_sell_price", t.avg_price.value()},
                      {"realized", t.realized.value()}, {"closed", format_kst(t.closed)}});
  }
  return {
      {"run_id", run},
      {"strategies", o.strategies},
      {"risk", o.risk},
      {"data", o.data},
      {"from", o.from},
      {"to", o.to},
      {"initial_cash", s.initial_cash.value()},
      {"final_cash", s.final_cash.value()},
      {"final_equity", s.final_equity.value()},
      {"pnl", {{"total", s.pnl.value()}, {"realized", s.realized.value()},
               {"unrealized", s.unrealized.value()}, {"pct", s.pnl_pct}}},
      {"fees", {{"commission", s.commission.value()}, {"tax", s.tax.value()}}},
      {"trades", {{"count", s.trades}, {"wins", s.wins}, {"losses", s.losses}, {"win_rate_pct", s.win_rate_pct}}},
      {"max_drawdown", {{"won", s.max_drawdown.value()}, {"pct", s.max_drawdown_pct}}},
      {"orders", {{"submitted", st.orders}, {"fills", st.fills}, {"rejected", st.rejected},
                  {"cancelled", st.cancelled}, {"vetoed", st.vetoes}, {"intents", st.intents}}},
      {"events", {{"ticks", st.ticks}, {"bars", st.bars}}},
      {"elapsed_s", elapsed_s},
      {"open_positions", positions},
      {"trade_list", trades},
  };
}

void print_summary(const engine::Summary& s, const engine::Engine& e, std::int64_t run,
                   const BacktestOptions& o, const std::string& out, const std::string& store_path) {
  const auto& st = e.stats();
  std::printf("\ndalbit backtest · run %lld · %s\n", static_cast<long long>(run), join(o.strategies, ", ").c_str());
  std::printf("  events        %llu bars, %llu ticks\n", static_cast<unsigned long long>(st.bars),
              static_cast<unsigned long long>(st.ticks));
  std::printf("  trades        %llu  (%llu won, %llu lost, win rate %.1f %%)\n",
              static_cast<unsigned long long>(s.trades), static_cast<unsigned long long>(s.wins),
              static_cast<unsigned long long>(s.losses), s.win_rate_pct);
  std::printf("  P&L           %s won (%+.2f %%): realized %s, unrealized %s\n", won(s.pnl, true).c_str(),
              s.pnl_pct, won(s.realized, true).c_str(), won(s.unrealized, true).c_str());
  std::printf("  fees and tax  commission %s, tax %s\n", won(s.commission).c_str(), won(s.tax).c_str());
  std::printf("  max drawdown  %s won (%.2f %%)\n", won(s.max_drawdown).c_str(), s.max_drawdown_pct);
  std::printf("  orders        %llu (%llu fills, %llu cancelled, %llu rejected), %llu vetoed\n",
              static_cast<unsigned long long>(st.orders), static_cast<unsigned long long>(st.fills),
              static_cast<unsigned long long>(st.cancelled), static_cast<unsigned long long>(st.rejected),
              static_cast<unsigned long long>(st.vetoes));
  std::printf("  cash          %s -> %s won, equity %s\n", won(s.initial_cash).c_str(), won(s.final_cash).c_str(),
              won(s.final_equity).c_str());
  for (const auto& p : s.open_positions) {
    std::printf("  holding       %s x%lld avg %s last %s (%s)\n", p.code.str().c_str(),
                static_cast<long long>(p.qty.value()), won(Krw(p.avg_price.value())).c_str(),
                won(Krw(p.last.value())).c_str(), won(p.unrealized, true).c_str());
  }
  std::printf("  result        %s\n  store         %s (run %lld)\n", out.c_str(), store_path.c_str(),
              static_cast<long long>(run));
}

std::optional<KstDate> parse_date_option(const std::string& value, const char* name, bool& bad) {
  if (value.empty()) return std::nullopt;
  auto d = parse_kst_date(value);
  if (!d) {
    std::fprintf(stderr, "dalbit backtest: %s: expected a date YYYY-MM-DD, got \"%s\"\n", name, value.c_str());
    bad = true;
  }
  return d;
}

}  // namespace

int backtest(const BacktestOptions& o) {
  auto cfg = config::load(o.config);
  if (!cfg.ok()) {
    std::fprintf(stderr, "%s\n", cfg.error().message.c_str());
    return kExitBadInput;
  }
  bool bad = false;
  data::ReplayOptions replay;
  replay.on_bad_row = cfg->data.on_bad_row;
  replay.from = parse_date_option(o.from, "--from", bad);
  replay.to = parse_date_option(o.to, "--to", bad);
  if (bad) return kExitBadInput;
  if (replay.from && replay.to && *replay.to < *replay.from) {
    std::fprintf(stderr, "dalbit backtest: --to %s is before --from %s\n", o.to.c_str(), o.from.c_str());
    return kExitBadInput;
  }

  log::init({.dir = cfg->logging.dir, .level = cfg->logging.level,
             .console_level = o.verbose ? cfg->logging.level : "warn",
             .retention_days = cfg->logging.retention_days, .console = cfg->logging.console});
  // Secrets are not needed to replay, but if they are configured they must
  // never reach a log line, whatever a script prints.
  auto creds = config::load_credentials(cfg->credentials_file);
  if (!creds.ok()) {
    std::fprintf(stderr, "%s\n", creds.error().message.c_str());
    return kExitBadInput;
  }
  log::register_secret(creds->app_key);
  log::register_secret(creds->secret_key);
  log::register_secret(creds->telegram_bot_token);

  auto source = data::ReplaySource::open(o.data, replay);
  if (!source.ok()) {
    std::fprintf(stderr, "dalbit backtest: %s\n", source.error().message.c_str());
    return kExitBadInput;
  }

  const std::string store_path = o.store.empty() ? cfg->store.path : o.store;
  auto db = store::Store::open(store_path);
  if (!db.ok()) {
    std::fprintf(stderr, "dalbit backtest: %s\n", db.error().message.c_str());
    return kExitFailed;
  }
  store::Store& st = **db;
  // One transaction for the whole run: a run that fails leaves nothing behind.
  store::Transaction tx(st);
  WallClock wall;
  auto run = st.begin_run({"backtest", o.config, join(o.strategies, ","), o.data, wall.now()});
  if (!run.ok()) {
    std::fprintf(stderr, "dalbit backtest: %s\n", run.error().message.c_str());
    return kExitFailed;
  }
  engine::StoreJournal journal(st, *run);

  SimClock clock;
  broker::SimBroker broker(match::Params{cfg->fill_model.max_volume_pct, cfg->fees});
  engine::Engine engine(*cfg, clock, broker, &journal);
  lua::HostOptions host_options = lua::host_options(*cfg);
  // A script disabled mid-run is news for the terminal, not only the log.
  host_options.on_event = [](const lua::HostEvent& e) {
    std::fprintf(stderr, "dalbit backtest: %s\n", lua::describe(e).c_str());
  };
  lua::Host host(engine, host_options);
  if (auto st_load = host.load(o.strategies, cfg->strategies); !st_load.ok()) {
    std::fprintf(stderr, "dalbit backtest: %s\n", st_load.message().c_str());
    return kExitBadInput;
  }
  if (auto st_risk = host.load_risk(o.risk, cfg->risk_scripts); !st_risk.ok()) {
    std::fprintf(stderr, "dalbit backtest: %s\n", st_risk.message().c_str());
    return kExitBadInput;
  }
  engine::LuaStrategies strategies(host);
  engine.set_strategies(&strategies);
  host.on_init();

  log::trading().info("backtest run {}: {} over {}", *run, join(o.strategies, ","), o.data);
  Progress progress("backtest");
  const auto started = std::chrono::steady_clock::now();
  auto replayed = engine::run_replay(**source, engine, clock, cfg->market.sessions,
                                     [&](const engine::ReplayProgress& p) {
                                       progress.update(p.bytes_done, p.bytes_total, p.events,
                                                       format_kst(p.now));
                                     });
  progress.finish();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!replayed.ok()) {
    std::fprintf(stderr, "dalbit backtest: %s\nnothing was written to the store\n", replayed.message().c_str());
    log::errors().error("backtest run {} failed: {}", *run, replayed.message());
    return kExitFailed;
  }

  const auto summary = engine::summarize(engine, cfg->account.initial_cash);
  const json result = summary_json(summary, engine, *run, o, elapsed);
  const std::string out = o.out.empty() ? fmt::format("out/backtest-{}.json", *run) : o.out;
  if (auto st_finish = st.finish_run(*run, "completed", result.dump(), wall.now()); !st_finish.ok()) {
    std::fprintf(stderr, "dalbit backtest: %s\n", st_finish.message().c_str());
    return kExitFailed;
  }
  if (!journal.status().ok()) {
    std::fprintf(stderr, "dalbit backtest: the store failed: %s\nnothing was written to the store\n",
                 journal.status().message().c_str());
    return kExitFailed;
  }
  if (auto committed = tx.commit(); !committed.ok()) {
    std::fprintf(stderr, "dalbit backtest: %s\n", committed.message().c_str());
    return kExitFailed;
  }
  std::error_code ec;
  if (const auto parent = std::filesystem::path(out).parent_path(); !parent.empty()) {
    std::filesystem::create_directories(parent, ec);
  }
  std::ofstream(out) << result.dump(2) << '\n';
  if (!std::filesystem::exists(out)) {
    std::fprintf(stderr, "dalbit backtest: cannot write the result file %s\n", out.c_str());
    return kExitFailed;
  }
  print_summary(summary, engine, *run, o, out, store_path);
  log::trading().info("backtest run {} done: {} trades, P&L {}", *run, summary.trades, summary.pnl.value());
  log::shutdown();
  return kExitOk;
}

}  // namespace dalbit::app
