// `dalbit run` against the simulator over real sockets: a whole session, the
// kill switch, restarts, broker faults and the real-money guard. At the end of
// every test the engine's store holds exactly the simulator's executions.
#include <cctype>

#include <nlohmann/json.hpp>

#include "live/live_test_support.h"

namespace dalbit::live_test {
namespace {

nlohmann::json report_of(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir / "out")) {
    if (e.path().filename().string().rfind("session-", 0) == 0) return nlohmann::json::parse(slurp(e.path()));
  }
  return {};
}

std::map<std::string, std::int64_t> report_positions(const nlohmann::json& report) {
  std::map<std::string, std::int64_t> out;
  for (const auto& p : report["open_positions"]) out[p["code"].get<std::string>()] = p["qty"].get<std::int64_t>();
  return out;
}

// Shares held by code, as the session report lists them.
std::map<std::string, std::int64_t> held_shares(const sim::Account& a) {
  std::map<std::string, std::int64_t> h;
  for (const auto& [code, holding] : a.holdings()) {
    if (holding.qty.value() > 0) h[code.str()] = holding.qty.value();
  }
  return h;
}

// Orders placed to buy or sell (a cancel is numbered as an order too).
std::size_t new_orders(const sim::Account& a) {
  std::size_t n = 0;
  for (const auto& o : a.orders()) n += o.action == kiwoom::OrderAction::New ? 1 : 0;
  return n;
}

TEST_F(LiveRunTest, TradesAWholeSessionAndEndsWithTheSimulatorsAccount) {
  start_sim("2026-11-25 14:50:00", 300);  // 40 market minutes to the close in 8 s
  write_config();
  Process& engine = run_engine({"--until-close"});
  ASSERT_EQ(engine.wait(60s), 0) << engine.text();
  const std::string out = engine.text();
  EXPECT_NE(out.find("reconciled with the broker (start)"), std::string::npos) << out;
  EXPECT_NE(out.find("FILL"), std::string::npos) << out;
  EXPECT_NE(out.find("session report"), std::string::npos) << out;

  const auto report = report_of(dir_);
  ASSERT_FALSE(report.is_null()) << out;
  EXPECT_GT(report["orders"]["fills"].get<int>(), 0);
  const auto holdings = with_account(held_shares);
  EXPECT_EQ(report_positions(report), holdings);
  EXPECT_EQ(report["equity"]["cash"].get<std::int64_t>(), with_account([](const sim::Account& a) {
              return a.cash().value();
            }));
  expect_store_matches_simulator();
}

TEST_F(LiveRunTest, TradesOnlyOnceTheFirstReconciliationSucceeds) {
  start_sim("2026-11-25 15:15:00", 300, {{sim::FaultKind::Malformed, 6}});  // the first account reads fail
  write_config();
  Process& engine = run_engine({"--until-close"});
  ASSERT_EQ(engine.wait(60s), 0) << engine.text();
  const std::string out = engine.text();
  const auto retried = out.find("the broker's account is not available");
  const auto reconciled = out.find("reconciled with the broker (start)");
  ASSERT_NE(retried, std::string::npos) << out;
  ASSERT_NE(reconciled, std::string::npos) << out;
  EXPECT_LT(retried, reconciled);
  EXPECT_LT(reconciled, out.find("market data connected")) << out;
  expect_store_matches_simulator();
}

TEST_F(LiveRunTest, RefusesTheRealHostWithoutConfirmation) {
  start_sim("2026-11-25 10:00:00", 0);
  write_config();
  std::ofstream(dir_ / "real.json") << "{\"broker\": {\"environment\": \"real\"}, \"live\": {\"control_dir\": \""
                                    << (dir_ / "run").string() << "\"}}";
  Process p = spawn({kDalbit, "run", "--config", (dir_ / "real.json").string(), "--strategies", "churn"},
                    dir_ / "real.out");
  EXPECT_EQ(p.wait(10s), 2);
  EXPECT_NE(p.text().find("--confirm-real"), std::string::npos) << p.text();
  EXPECT_EQ(with_account(new_orders), 0u);
}

TEST_F(LiveRunTest, KillFlattensCancelsAndTheHaltSurvivesARestart) {
  start_sim("2026-11-25 10:00:00", 30);
  write_config();
  Process& engine = run_engine();
  ASSERT_TRUE(eventually(
      [&] {
        return with_account([](const sim::Account& a) {
          for (const auto& [code, h] : a.holdings()) {
            if (h.qty.value() > 0) return true;
          }
          return false;
        });
      },
      30s))
      << engine.text();
  ASSERT_EQ(control("kill --flatten --reason test"), 0) << slurp(dir_ / "control.out");
  EXPECT_TRUE(eventually(
      [&] {
        return with_account([](const sim::Account& a) {
          for (const auto& [code, h] : a.holdings()) {
            if (h.qty.value() > 0) return false;
          }
          for (const auto& o : a.orders()) {
            if (o.unfilled().value() > 0) return false;
          }
          return true;
        });
      },
      20s))
      << engine.text();
  std::this_thread::sleep_for(1500ms);  // 45 market seconds: churn would have bought again
  engine.signal(SIGTERM);
  ASSERT_EQ(engine.wait(20s), 0) << engine.text();
  EXPECT_NE(engine.text().find("RISK STATE halted"), std::string::npos) << engine.text();
  // The only orders after the kill are its own sells (also of buys whose cancel lost the race with
  // their fill); buys the strategy placed before it may still have been on their way (orders are paced).
  const std::string all = engine.text();
  const std::string before_kill = all.substr(0, all.find("KILL"));
  std::size_t orders_after_kill = 0;
  for (auto at = before_kill.find("] buy "); at != std::string::npos; at = before_kill.find("] buy ", at + 1)) {
    ++orders_after_kill;
  }
  for (auto at = all.find("· kill ["); at != std::string::npos; at = all.find("· kill [", at + 1)) {
    ++orders_after_kill;
  }
  EXPECT_EQ(with_account(new_orders), orders_after_kill) << all;

  Process& again = run_engine();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(with_account(new_orders), orders_after_kill)
      << again.text();
  EXPECT_NE(again.text().find("risk state halted"), std::string::npos) << again.text();
  ASSERT_EQ(control("resume --reason test"), 0) << slurp(dir_ / "control.out");
  EXPECT_TRUE(eventually(
      [&] { return with_account(new_orders) > orders_after_kill; }, 20s))
      << again.text();
  again.signal(SIGTERM);
  ASSERT_EQ(again.wait(20s), 0) << again.text();
  expect_store_matches_simulator();
}

TEST_F(LiveRunTest, DuplicateReorderedAndEarlyExecutionsCountOnce) {
  start_sim("2026-11-25 14:55:00", 300,
            {{sim::FaultKind::DuplicateExec, 20}, {sim::FaultKind::ReorderExec, 10},
             {sim::FaultKind::ExecBeforeAck, 5}});
  write_config();
  Process& engine = run_engine({"--until-close"});
  ASSERT_EQ(engine.wait(60s), 0) << engine.text();
  expect_store_matches_simulator();
}

TEST_F(LiveRunTest, ReconnectsAfterTheFeedDropsAndReconciles) {
  start_sim("2026-11-25 14:55:00", 200);
  write_config();
  Process& engine = run_engine({"--until-close"});
  ASSERT_TRUE(eventually([&] { return engine.text().find("FILL") != std::string::npos; }, 30s)) << engine.text();
  server_->with_service([](sim::Service& s) { s.arm({sim::FaultKind::DropWs, 1}); });
  ASSERT_EQ(engine.wait(60s), 0) << engine.text();
  EXPECT_NE(engine.text().find("reconciled with the broker (reconnected)"), std::string::npos) << engine.text();
  expect_store_matches_simulator();
}

TEST_F(LiveRunTest, SurvivesKillNineAtThreeRandomMoments) { crash_and_restart(3, 7, "2026-11-25 15:05:00", 60); }

// Saving a script reloads it between two events; a broken save keeps the
// running version and names file and line; `dalbit reload` (SIGHUP) reloads too.
TEST_F(LiveRunTest, ReloadsOnSaveAndOnCommandAndSurvivesABrokenSave) {
  start_sim("2026-11-25 10:00:00", 10);
  const fs::path scripts = dir_ / "scripts";
  fs::create_directories(scripts);
  fs::copy_file(fs::path(kScripts) / "churn.lua", scripts / "churn.lua");
  write_config("", scripts.string());
  Process& engine = run_engine();
  ASSERT_TRUE(eventually([&] { return engine.text().find("market data connected") != std::string::npos; }, 30s))
      << engine.text();
  const std::string good = slurp(scripts / "churn.lua");
  std::ofstream(scripts / "churn.lua") << good << "\n-- saved again\n";
  EXPECT_TRUE(eventually([&] { return engine.text().find("[churn] reloaded") != std::string::npos; }, 10s))
      << engine.text();
  std::ofstream(scripts / "churn.lua") << "local S = {\nfunction end\n";
  EXPECT_TRUE(eventually([&] { return engine.text().find("[churn] reload failed") != std::string::npos; }, 10s))
      << engine.text();
  EXPECT_NE(engine.text().find("churn.lua:2:"), std::string::npos) << engine.text();
  std::ofstream(scripts / "churn.lua") << good;
  ASSERT_EQ(control("reload"), 0) << slurp(dir_ / "control.out");
  EXPECT_TRUE(eventually([&] { return engine.text().find("SIGHUP: reloading every script") != std::string::npos; }, 10s))
      << engine.text();
  const auto orders = with_account(new_orders);
  EXPECT_TRUE(eventually([&] { return with_account(new_orders) > orders; }, 20s))
      << "the strategy keeps trading after the reloads\n" << engine.text();
  engine.signal(SIGTERM);
  ASSERT_EQ(engine.wait(30s), 0) << engine.text();
  expect_store_matches_simulator();
}

TEST_F(LiveRunTest, RankingsReachStrategiesThatSubscribedToScans) {
  start_sim("2026-11-25 10:30:00", 10);
  write_config();
  Process& engine = run_engine({}, "scan_probe");
  ASSERT_TRUE(eventually([&] { return engine.text().find("top of volume_top, rank 1") != std::string::npos; }, 20s))
      << engine.text();
  EXPECT_TRUE(eventually([&] { return with_account(new_orders) == 1; }, 10s)) << engine.text();
  engine.signal(SIGTERM);
  ASSERT_EQ(engine.wait(30s), 0) << engine.text();
}

TEST_F(LiveRunTest, PaperTradesOnLiveDataAndSendsNothingToTheBroker) {
  start_sim("2026-11-25 15:00:00", 300);
  write_config();
  Process& engine = run_engine({"--paper", "--until-close"});
  ASSERT_EQ(engine.wait(60s), 0) << engine.text();
  const auto report = report_of(dir_);
  ASSERT_FALSE(report.is_null()) << engine.text();
  EXPECT_EQ(report["mode"], "paper");
  EXPECT_GT(report["orders"]["fills"].get<int>(), 0) << engine.text();
  EXPECT_EQ(with_account(new_orders), 0u) << "a paper run must not send orders";
  EXPECT_EQ(engine.text().find("reconciled"), std::string::npos) << "paper has no account to reconcile";
}

// Every fault the simulator can inject, armed once the session trades: the
// run still ends cleanly and its store and positions equal the simulator's.
class LiveRunFaults : public LiveRunTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(LiveRunFaults, TheStoreStillEqualsTheSimulatorsAccount) {
  start_sim("2026-11-25 15:00:00", 200);
  write_config();
  Process& engine = run_engine({"--until-close"});
  ASSERT_TRUE(eventually([&] { return engine.text().find("FILL") != std::string::npos; }, 30s)) << engine.text();
  const auto fault = sim::parse_fault(GetParam());
  ASSERT_TRUE(fault.ok()) << fault.error().message;
  server_->with_service([&](sim::Service& s) { s.arm(*fault); });
  ASSERT_EQ(engine.wait(90s), 0) << engine.text();
  expect_store_matches_simulator();
  const auto report = report_of(dir_);
  const auto holdings = with_account(held_shares);
  EXPECT_EQ(report_positions(report), holdings) << engine.text();
}

INSTANTIATE_TEST_SUITE_P(Live, LiveRunFaults,
                         ::testing::Values("drop:3", "stall:1500", "rate_limit:5", "rate_limit_429:3", "expire_token",
                                           "malformed:2", "malformed_ws:5", "drop_ws"),
                         [](const ::testing::TestParamInfo<std::string>& fault) {
                           std::string name;
                           for (const char c : fault.param) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

}  // namespace
}  // namespace dalbit::live_test
