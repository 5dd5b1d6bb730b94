// Runs the dalbit binary as a process, as a user would, and checks what it
// prints, writes and stores.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSource = DALBIT_SOURCE_DIR;
const std::string kDalbit = std::string(DALBIT_BINARY_DIR) + "/src/app/dalbit";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class BacktestE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dalbit-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "logs");
    write_config(R"("momentum_tpsl": { "params": { "lookback_bars": 2, "entry_rise_pct": 1.0,
        "budget": 1000000, "take_profit_pct": 2.0, "stop_loss_pct": 1.0, "last_entry": "15:00" } })",
                 kSource + "/scripts/strategies", "stop");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_config(const std::string& strategies, const std::string& scripts, const std::string& bad_rows) {
    std::ofstream(dir_ / "dalbit.json") << R"({
      "account": { "initial_cash": 10000000 },
      "fill_model": { "max_volume_pct": 100 },
      "data": { "on_bad_row": ")" << bad_rows << R"(" },
      "logging": { "dir": ")" << (dir_ / "logs").string() << R"(", "console": true },
      "store": { "path": ")" << (dir_ / "dalbit.db").string() << R"(" },
      "lua": { "strategies_dir": ")" << scripts << R"(", "risk_dir": ")" << (dir_ / "risk").string() << R"(" },
      "strategies": { )" << strategies << R"( }
    })";
  }

  ProcessResult run(const std::string& args, const std::string& env = "") {
    const auto out = dir_ / "stdout.txt";
    const auto err = dir_ / "stderr.txt";
    const std::string cmd = env + " " + kDalbit + " " + args + " >" + out.string() + " 2>" + err.string();
    const int status = std::system(cmd.c_str());
    ProcessResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }

  std::string backtest_args(const std::string& data, const std::string& strategies = "momentum_tpsl") {
    return "backtest --config " + (dir_ / "dalbit.json").string() + " --data " + data + " --strategies " +
           strategies + " --out " + (dir_ / "result.json").string();
  }

  long long count_rows(const char* table) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2((dir_ / "dalbit.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      return -1;
    }
    sqlite3_stmt* st = nullptr;
    long long n = -1;
    const std::string sql = std::string("SELECT count(*) FROM ") + table;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
      n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  }

  fs::path dir_;
};

// The hand-made data (tests/e2e/data/two_trades.csv) with lookback 2, entry +1.0 %, take profit
// +2.0 %, stop loss -1.0 %, 1,000,000 won per entry; fees 0.015 % truncated to 10 won, tax 0.20 %.
//   09:02 bar closes 10,100 = +1.0 % over 09:00's 10,000: buy 1,000,000 / 10,100 = 99 shares.
//   09:03 opens 10,100: bought 99 = 999,900 + commission 140 (149.985 -> 140).
//   09:05 closes 10,350 = +2.475 % over 10,100: sell all.
//   09:06 opens 10,350: sold 99 = 1,024,650 - commission 150 - tax 2,049 -> realized +22,411.
//   09:09 closes 10,450 = +1.456 % over 09:07's 10,300: buy 1,000,000 / 10,450 = 95 shares.
//   09:10 opens 10,450: bought 95 = 992,750 + 140; it closes 10,300 = -1.435 %: sell all.
//   09:11 opens 10,300: sold 95 = 978,500 - 140 - tax 1,957 -> realized -16,487.
// Max drawdown: holdings are marked at each bar's close after that bar's fills. The peak is
// 10,024,610 (09:05 close: 8,999,960 cash + 99 x 10,350); the trough 10,005,924 after the last sell:
// 18,686 won.
TEST_F(BacktestE2E, ExactTradesAndPnlOnHandMadeBars) {
  const auto r = run(backtest_args(kSource + "/tests/e2e/data/two_trades.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto j = nlohmann::json::parse(slurp(dir_ / "result.json"));
  EXPECT_EQ(j["trades"]["count"], 2);
  EXPECT_EQ(j["trades"]["wins"], 1);
  EXPECT_EQ(j["trades"]["losses"], 1);
  EXPECT_DOUBLE_EQ(j["trades"]["win_rate_pct"].get<double>(), 50.0);
  ASSERT_EQ(j["trade_list"].size(), 2u);
  EXPECT_EQ(j["trade_list"][0]["qty"], 99);
  EXPECT_EQ(j["trade_list"][0]["avg_sell_price"], 10'350);
  EXPECT_EQ(j["trade_list"][0]["realized"], 22'411);
  EXPECT_EQ(j["trade_list"][0]["closed"], "2026-01-05 09:06:00");
  EXPECT_EQ(j["trade_list"][1]["qty"], 95);
  EXPECT_EQ(j["trade_list"][1]["avg_sell_price"], 10'300);
  EXPECT_EQ(j["trade_list"][1]["realized"], -16'487);
  EXPECT_EQ(j["pnl"]["realized"], 5'924);
  EXPECT_EQ(j["pnl"]["unrealized"], 0);
  EXPECT_EQ(j["pnl"]["total"], 5'924);
  EXPECT_EQ(j["final_cash"], 10'005'924);
  EXPECT_EQ(j["fees"]["commission"], 140 + 150 + 140 + 140);
  EXPECT_EQ(j["fees"]["tax"], 2'049 + 1'957);
  EXPECT_EQ(j["max_drawdown"]["won"], 18'686);
  EXPECT_EQ(j["orders"]["submitted"], 4);
  EXPECT_EQ(j["events"]["bars"], 13);
  EXPECT_THAT(r.out, HasSubstr("trades        2  (1 won, 1 lost, win rate 50.0 %)"));
  EXPECT_THAT(r.out, HasSubstr("P&L           +5,924 won"));

  // The same run is in the store, with every order, fill and signal.
  EXPECT_EQ(count_rows("runs"), 1);
  EXPECT_EQ(count_rows("orders"), 4);
  EXPECT_EQ(count_rows("fills"), 4);
  EXPECT_EQ(count_rows("signals"), 8);  // 4 intents, each became an order
}

TEST_F(BacktestE2E, SameInputSameResult) {
  const auto a = run(backtest_args(kSource + "/data/sample/bars"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto first = nlohmann::json::parse(slurp(dir_ / "result.json"));
  const auto b = run(backtest_args(kSource + "/data/sample/bars"));
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto second = nlohmann::json::parse(slurp(dir_ / "result.json"));
  for (auto* j : {&first, &second}) {
    j->erase("run_id");
    j->erase("elapsed_s");
  }
  EXPECT_EQ(first, second);
  EXPECT_EQ(count_rows("runs"), 2);
}

TEST_F(BacktestE2E, MissingDataNamesThePath) {
  const auto r = run(backtest_args((dir_ / "nope.csv").string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("nope.csv"));
}

TEST_F(BacktestE2E, MissingStrategyNamesIt) {
  const auto r = run(backtest_args(kSource + "/tests/e2e/data/two_trades.csv", "momentum_tpsl,no_such_strategy"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no_such_strategy"));
  EXPECT_LE(count_rows("runs"), 0);  // no store, or an empty one
}

TEST_F(BacktestE2E, BadConfigKeyNamesFileAndKey) {
  std::ofstream(dir_ / "dalbit.json") << R"({ "risk": { "max_order_value": -1 } })";
  const auto r = run(backtest_args(kSource + "/tests/e2e/data/two_trades.csv"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("dalbit.json: risk.max_order_value: expected an integer from 1"));
}

TEST_F(BacktestE2E, MalformedRowStopsTheRunAndLeavesNothingInTheStore) {
  auto text = slurp(kSource + "/tests/e2e/data/two_trades.csv");
  text += "2026-01-05 09:13:00,900010,10250,10250,10250,oops,1000\n";
  std::ofstream(dir_ / "bad.csv") << text;
  // A first good run, so the store exists and holds one run.
  ASSERT_EQ(run(backtest_args(kSource + "/tests/e2e/data/two_trades.csv")).exit_code, 0);
  const auto r = run(backtest_args((dir_ / "bad.csv").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("bad.csv:16"));
  EXPECT_THAT(r.err, HasSubstr("nothing was written to the store"));
  EXPECT_EQ(count_rows("runs"), 1);
  EXPECT_EQ(count_rows("orders"), 4);
}

TEST_F(BacktestE2E, MalformedRowIsSkippedWhenConfiguredTo) {
  write_config(R"("momentum_tpsl": { "params": { "lookback_bars": 2, "entry_rise_pct": 1.0,
        "budget": 1000000, "take_profit_pct": 2.0, "stop_loss_pct": 1.0, "last_entry": "15:00" } })",
               kSource + "/scripts/strategies", "skip");
  auto text = slurp(kSource + "/tests/e2e/data/two_trades.csv");
  text += "2026-01-05 09:13:00,900010,10250,10250,10250,oops,1000\n";
  std::ofstream(dir_ / "bad.csv") << text;
  const auto r = run(backtest_args((dir_ / "bad.csv").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(slurp(fs::directory_iterator(dir_ / "logs")->path()), HasSubstr("bad.csv:16"));
  const auto j = nlohmann::json::parse(slurp(dir_ / "result.json"));
  EXPECT_EQ(j["pnl"]["total"], 5'924);
}

TEST_F(BacktestE2E, SecretsNeverReachLogsOrOutput) {
  fs::create_directories(dir_ / "scripts");
  std::ofstream(dir_ / "scripts" / "leaky.lua") << R"(
    local S = { name = "leaky", params = {} }
    function S.on_init(ctx) ctx:log("app key FAKE-APPKEY-7x1 and token FAKE-TOKEN-9q2") end
    function S.on_bar(ctx, bar) error("secret FAKE-SECRET-3z8 in an error") end
    return S)";
  write_config(R"("leaky": { "params": {} })", (dir_ / "scripts").string(), "stop");
  const auto r = run(backtest_args(kSource + "/tests/e2e/data/two_trades.csv", "leaky"),
                     "DALBIT_APP_KEY=FAKE-APPKEY-7x1 DALBIT_SECRET_KEY=FAKE-SECRET-3z8 "
                     "DALBIT_TELEGRAM_BOT_TOKEN=FAKE-TOKEN-9q2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string logs;
  for (const auto& e : fs::directory_iterator(dir_ / "logs")) logs += slurp(e.path());
  EXPECT_THAT(logs, HasSubstr("app key <redacted> and token <redacted>"));
  EXPECT_THAT(logs, HasSubstr("leaky.lua:4"));  // the error still names the script and line
  for (const std::string& text : {logs, r.out, r.err}) {
    EXPECT_THAT(text, Not(HasSubstr("FAKE-APPKEY-7x1")));
    EXPECT_THAT(text, Not(HasSubstr("FAKE-SECRET-3z8")));
    EXPECT_THAT(text, Not(HasSubstr("FAKE-TOKEN-9q2")));
  }
}

TEST_F(BacktestE2E, GenDataReproducesTheShippedSample) {
  const auto r = run("gen-data --out " + (dir_ / "gen").string() +
                     " --seed 1 --codes 3 --days 15 --tick-days 1 --ticks-per-minute 30 --from 2026-01-05");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* file : {"bars/900010.csv", "bars/900030.csv", "ticks/900020.csv"}) {
    EXPECT_EQ(slurp(dir_ / "gen" / file), slurp(fs::path(kSource) / "data/sample" / file)) << file;
  }
}

TEST_F(BacktestE2E, TaWritesOneRowPerBarWithEmptyLookback) {
  const auto r = run("ta --data " + kSource + "/tests/e2e/data/two_trades.csv --only sma:3,rsi:2 --out " +
                     (dir_ / "ta.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream csv(slurp(dir_ / "ta.csv"));
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(csv, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 14u);  // header + 13 bars
  EXPECT_EQ(lines[0], "time,code,open,high,low,close,volume,sma_3,rsi_2");
  EXPECT_EQ(lines[1], "2026-01-05 09:00:00,900010,10000,10000,10000,10000,1000,,");
  // 09:02: SMA(3) of 10,000, 10,050, 10,100 = 10,050; RSI(2) over two rises = 100.
  EXPECT_EQ(lines[3], "2026-01-05 09:02:00,900010,10050,10100,10050,10100,1000,10050,100");
  const auto bad = run("ta --data " + kSource + "/tests/e2e/data/two_trades.csv --only rsx");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("unknown indicator \"rsx\""));
}

TEST(Cli, HelpIsCompleteForEverySubcommand) {
  const std::string cmd = kDalbit + " --help 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string text;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  ::pclose(p);
  for (const char* sub : {"backtest", "gen-data", "ta", "check"}) EXPECT_THAT(text, HasSubstr(sub));
  FILE* q = ::popen((kDalbit + " backtest --help 2>&1").c_str(), "r");
  text.clear();
  while (std::size_t n = std::fread(buf, 1, sizeof buf, q)) text.append(buf, n);
  ::pclose(q);
  for (const char* opt : {"--config", "--data", "--strategies", "--risk", "--from", "--to", "--out", "--store"}) {
    EXPECT_THAT(text, HasSubstr(opt));
  }
}

// A risk script vetoes both entries of the hand-made data: no trade, two vetoes naming it.
TEST_F(BacktestE2E, RiskScriptsVetoBeforeTheHardLimits) {
  fs::create_directories(dir_ / "risk");
  std::ofstream(dir_ / "risk" / "nobuy.lua") << R"(
local R = { params = { why = "no buys" } }
function R.check(ctx, intent)
  if intent.side == "buy" then return false, ctx.params.why end
end
return R
)";
  const auto r = run(backtest_args(kSource + "/tests/e2e/data/two_trades.csv") + " --risk nobuy");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto j = nlohmann::json::parse(slurp(dir_ / "result.json"));
  EXPECT_EQ(j["trades"]["count"], 0);
  EXPECT_EQ(j["orders"]["submitted"], 0);
  EXPECT_GE(j["orders"]["vetoed"].get<int>(), 2);  // the strategy asks again on the next bars
  EXPECT_EQ(j["orders"]["vetoed"], j["orders"]["intents"]);
  EXPECT_EQ(j["risk"], nlohmann::json::array({"nobuy"}));

  const auto missing = run(backtest_args(kSource + "/tests/e2e/data/two_trades.csv") + " --risk nope");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("risk script 'risk/nope': cannot read " + (dir_ / "risk" / "nope.lua").string()));
}

// dalbit check: file:line messages and the exit code a script's editor or CI reads.
TEST_F(BacktestE2E, CheckReportsFileAndLineAndFailsOnErrors) {
  fs::create_directories(dir_ / "strategies");
  fs::create_directories(dir_ / "risk");
  const auto bad = dir_ / "strategies" / "bad.lua";
  std::ofstream(bad) << "local S = {}\nfunction S.on_bar(ctx, bar)\n  ctx:sel(bar.code)\n  totl = 1\nend\nreturn S\n";
  const auto risk = dir_ / "risk" / "cap.lua";
  std::ofstream(risk) << "return { check = function(ctx, intent)\n  ctx:sell(intent.code)\nend }\n";
  const auto r = run("check " + bad.string() + " " + risk.string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr(bad.string() + ":3: ctx has no method 'sel' (known: "));
  EXPECT_THAT(r.out, HasSubstr(bad.string() + ":4: assigns the global 'totl'"));
  EXPECT_THAT(r.out, HasSubstr(risk.string() + ":2: ctx has no method 'sell' for a risk script"));
  EXPECT_THAT(r.err, HasSubstr("dalbit check: 2 files, 3 errors, 0 warnings"));

  const auto clean = run("check " + kSource + "/scripts/strategies/momentum_tpsl.lua --config " +
                         (dir_ / "dalbit.json").string());
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_EQ(clean.out, "");

  const auto none = run("check");
  EXPECT_EQ(none.exit_code, 2);
}

}  // namespace
