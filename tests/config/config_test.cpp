#include "config/config.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dalbit::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string error_of(const std::string& text) {
  auto r = parse(text, "cfg.json");
  EXPECT_FALSE(r.ok()) << "expected an error for: " << text;
  return r.ok() ? "" : r.error().message;
}

TEST(Config, ShippedConfigIsValid) {
  auto r = load(std::string(DALBIT_SOURCE_DIR) + "/config/dalbit.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GT(r->account.initial_cash, Krw(0));
  EXPECT_TRUE(r->strategies.count("momentum_tpsl"));
}

TEST(Config, CommentsAndDefaults) {
  auto r = parse(R"({
    // a line comment
    "account": { "initial_cash": 5000000 } /* a block comment */
  })", "cfg.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->account.initial_cash, Krw(5'000'000));
  EXPECT_EQ(r->fees.commission_ppm, 150);
  EXPECT_EQ(r->risk.buy_window_end, TimeOfDay::hm(15, 20));
}

TEST(Config, PercentagesBecomePartsPerMillion) {
  auto r = parse(R"({"fees": {"commission_pct": 0.015, "sell_tax_pct": 0.2}})", "cfg.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->fees.commission_ppm, 150);
  EXPECT_EQ(r->fees.sell_tax_ppm, 2000);
}

TEST(ConfigErrors, UnknownKeyNamesFileAndPath) {
  EXPECT_THAT(error_of(R"({"risk": {"max_order_valu": 1}})"),
              HasSubstr("cfg.json: risk.max_order_valu: unknown key"));
  EXPECT_THAT(error_of(R"({"riks": {}})"), HasSubstr("cfg.json: riks: unknown key"));
}

TEST(ConfigErrors, WrongTypeSaysWhatWasExpected) {
  EXPECT_THAT(error_of(R"({"risk": {"max_order_value": "lots"}})"),
              HasSubstr("cfg.json: risk.max_order_value: expected an integer from 1 to"));
  EXPECT_THAT(error_of(R"({"logging": {"console": "yes"}})"),
              HasSubstr("logging.console: expected true or false, got a string"));
  EXPECT_THAT(error_of(R"({"account": {"initial_cash": 1.5}})"),
              HasSubstr("account.initial_cash: expected an integer"));
  EXPECT_THAT(error_of(R"({"risk": []})"), HasSubstr("risk: expected an object, got an array"));
}

TEST(ConfigErrors, OutOfRange) {
  EXPECT_THAT(error_of(R"({"risk": {"max_open_positions": -1}})"),
              HasSubstr("risk.max_open_positions: expected an integer from 0 to 1000, got -1"));
  EXPECT_THAT(error_of(R"({"fill_model": {"max_volume_pct": 0}})"),
              HasSubstr("fill_model.max_volume_pct: expected an integer from 1 to 100, got 0"));
  EXPECT_THAT(error_of(R"({"fees": {"sell_tax_pct": 5}})"),
              HasSubstr("fees.sell_tax_pct: expected a percentage from 0 to 1, got 5"));
  EXPECT_THAT(error_of(R"({"fees": {"commission_pct": 0.000015}})"),
              HasSubstr("fees.commission_pct: expected at most four decimal places"));
}

TEST(ConfigErrors, BadTimesDatesAndChoices) {
  EXPECT_THAT(error_of(R"({"market": {"open": "9am"}})"),
              HasSubstr("market.open: expected a KST time \"HH:MM\""));
  EXPECT_THAT(error_of(R"({"market": {"holidays": ["2026-01-01", "2026-13-01"]}})"),
              HasSubstr("market.holidays[1]: expected a date"));
  EXPECT_THAT(error_of(R"({"data": {"on_bad_row": "ignore"}})"),
              HasSubstr("data.on_bad_row: expected one of \"skip\", \"stop\", got \"ignore\""));
  EXPECT_THAT(error_of(R"({"risk": {"buy_window_start": "15:00", "buy_window_end": "09:00"}})"),
              HasSubstr("risk.buy_window_end: expected a time not before buy_window_start"));
}

TEST(ConfigErrors, StrategyParams) {
  EXPECT_THAT(error_of(R"({"strategies": {"x": {"params": {"n": [1]}}}})"),
              HasSubstr("strategies.x.params.n: expected a boolean, number or string"));
  EXPECT_THAT(error_of(R"({"strategies": {"x": {"parms": {}}}})"),
              HasSubstr("strategies.x.parms: unknown key"));
}

TEST(Config, LiveRiskKeysDefaultOff) {
  auto r = parse("{}", "cfg.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->risk.max_orders_per_second, 0);
  EXPECT_EQ(r->risk.max_orders_per_day, 0);
  EXPECT_EQ(r->risk.max_total_exposure, Krw(0));
  EXPECT_EQ(r->risk.daily_loss_limit, Krw(0));
  EXPECT_EQ(r->risk.daily_loss_action, DailyLossAction::Halted);
  EXPECT_EQ(r->risk.duplicate_window_s, 0);
  EXPECT_EQ(r->risk.connectivity_timeout_s, 30);
  EXPECT_TRUE(r->unfilled.empty());
}

TEST(Config, LiveRiskKeys) {
  auto r = parse(R"({"risk": {"max_orders_per_second": 5, "max_orders_per_day": 200,
    "max_total_exposure": 8000000, "daily_loss_limit": 300000, "daily_loss_action": "reducing",
    "duplicate_window_s": 5, "connectivity_timeout_s": 20}})", "cfg.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->risk.max_orders_per_second, 5);
  EXPECT_EQ(r->risk.max_orders_per_day, 200);
  EXPECT_EQ(r->risk.max_total_exposure, Krw(8'000'000));
  EXPECT_EQ(r->risk.daily_loss_limit, Krw(300'000));
  EXPECT_EQ(r->risk.daily_loss_action, DailyLossAction::Reducing);
  EXPECT_EQ(r->risk.duplicate_window_s, 5);
  EXPECT_EQ(r->risk.connectivity_timeout_s, 20);
}

TEST(ConfigErrors, LiveRiskKeys) {
  EXPECT_THAT(error_of(R"({"risk": {"max_orders_per_second": -1}})"),
              HasSubstr("risk.max_orders_per_second: expected an integer from 0 to 1000, got -1"));
  EXPECT_THAT(error_of(R"({"risk": {"daily_loss_limit": "1e6"}})"),
              HasSubstr("risk.daily_loss_limit: expected an integer"));
  EXPECT_THAT(error_of(R"({"risk": {"daily_loss_action": "stop"}})"),
              HasSubstr("risk.daily_loss_action: expected one of \"reducing\", \"halted\", got \"stop\""));
  EXPECT_THAT(error_of(R"({"risk": {"connectivity_timeout_s": 0}})"),
              HasSubstr("risk.connectivity_timeout_s: expected an integer from 1 to 3600, got 0"));
}

TEST(Config, UnfilledPolicyPerStrategy) {
  auto r = parse(R"({"strategies": {
    "a": {"params": {}, "unfilled": {"after_s": 30, "action": "reprice", "ticks": 2}},
    "b": {"unfilled": {"after_s": 10, "action": "market"}},
    "c": {"params": {"n": 1}}}})", "cfg.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->unfilled.size(), 2u);
  EXPECT_EQ(r->unfilled.at("a").after_s, 30);
  EXPECT_EQ(r->unfilled.at("a").action, UnfilledPolicy::Action::Reprice);
  EXPECT_EQ(r->unfilled.at("a").ticks, 2);
  EXPECT_EQ(r->unfilled.at("b").action, UnfilledPolicy::Action::Market);
  EXPECT_EQ(r->unfilled.at("b").ticks, 1);
  EXPECT_TRUE(r->strategies.count("c"));
}

TEST(ConfigErrors, UnfilledPolicy) {
  EXPECT_THAT(error_of(R"({"strategies": {"a": {"unfilled": {"after_s": 30, "action": "wait"}}}})"),
              HasSubstr("strategies.a.unfilled.action: expected one of \"market\", \"reprice\", \"cancel\""));
  EXPECT_THAT(error_of(R"({"strategies": {"a": {"unfilled": {"action": "cancel"}}}})"),
              HasSubstr("strategies.a.unfilled.after_s: is required"));
  EXPECT_THAT(error_of(R"({"strategies": {"a": {"unfilled": {"after_s": 0, "action": "cancel"}}}})"),
              HasSubstr("strategies.a.unfilled.after_s: expected an integer from 1 to 86400, got 0"));
  EXPECT_THAT(error_of(R"({"strategies": {"a": {"unfilled": {"after_s": 5, "action": "cancel", "tick": 1}}}})"),
              HasSubstr("strategies.a.unfilled.tick: unknown key"));
  EXPECT_THAT(error_of(R"({"strategies": {"a": {"unfilled": 30}}})"),
              HasSubstr("strategies.a.unfilled: expected an object, got an integer 30"));
  EXPECT_THAT(error_of(R"({"risk_scripts": {"a": {"unfilled": {"after_s": 5, "action": "cancel"}}}})"),
              HasSubstr("risk_scripts.a.unfilled: unknown key"));
}

TEST(ConfigErrors, EveryProblemIsReportedOnItsOwnLine) {
  const auto msg = error_of(R"({"risk": {"max_open_positions": "a", "bogus": 1}, "nope": 2})");
  EXPECT_THAT(msg, HasSubstr("cfg.json: risk.max_open_positions: expected an integer"));
  EXPECT_THAT(msg, HasSubstr("cfg.json: risk.bogus: unknown key"));
  EXPECT_THAT(msg, HasSubstr("cfg.json: nope: unknown key"));
  EXPECT_EQ(std::count(msg.begin(), msg.end(), '\n'), 2);
}

TEST(ConfigErrors, SyntaxErrorNamesLineAndColumn) {
  EXPECT_THAT(error_of("{\n  \"account\": {\n    \"initial_cash\": 5,,\n  }\n}"),
              HasSubstr("cfg.json: not valid JSON at line 3"));
}

TEST(ConfigErrors, MissingFile) {
  auto r = load("/nonexistent/dalbit.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("/nonexistent/dalbit.json: cannot open"));
}

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("dalbit-cred-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    ::unsetenv("DALBIT_APP_KEY");
    ::unsetenv("DALBIT_SECRET_KEY");
    ::unsetenv("DALBIT_TELEGRAM_BOT_TOKEN");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& text, mode_t mode) {
    const auto path = (dir_ / "credentials.json").string();
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(CredentialsTest, FromAnOwnerOnlyFile) {
  const auto path = write(R"({"app_key": "AK-test-1", "secret_key": "SK-test-2"})", 0600);
  auto c = load_credentials(path);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->app_key.reveal(), "AK-test-1");
  EXPECT_EQ(c->secret_key.reveal(), "SK-test-2");
  EXPECT_TRUE(c->telegram_bot_token.empty());
}

TEST_F(CredentialsTest, EnvironmentWinsOverTheFile) {
  const auto path = write(R"({"app_key": "from-file"})", 0600);
  ::setenv("DALBIT_APP_KEY", "from-env", 1);
  auto c = load_credentials(path);
  ::unsetenv("DALBIT_APP_KEY");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->app_key.reveal(), "from-env");
}

TEST_F(CredentialsTest, RefusesAFileOthersCanRead) {
  const auto path = write(R"({"app_key": "AK-visible"})", 0644);
  auto c = load_credentials(path);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, HasSubstr("readable by its owner only"));
  EXPECT_THAT(c.error().message, Not(HasSubstr("AK-visible")));
}

TEST_F(CredentialsTest, BadJsonNeverEchoesTheContent) {
  const auto path = write(R"({"app_key": "AK-leak-me" )", 0600);
  auto c = load_credentials(path);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, Not(HasSubstr("AK-leak-me")));
}

}  // namespace
}  // namespace dalbit::config

namespace dalbit::config {
namespace {

TEST(ConfigLive, BrokerAndLiveSections) {
  auto r = parse(R"({
    "broker": {"environment": "mock", "confirm_real_orders": false},
    "live": {"codes": ["005930", "000660"], "drift_check_s": 2, "control_dir": "/tmp/x"}
  })", "cfg.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->broker.environment, Environment::Mock);
  ASSERT_EQ(r->live.codes.size(), 2u);
  EXPECT_EQ(r->live.codes[1].str(), "000660");
  EXPECT_EQ(r->live.drift_check_s, 2);
  EXPECT_EQ(r->live.control_dir, "/tmp/x");
  auto d = parse("{}", "cfg.json");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->broker.environment, Environment::Simulator);
  EXPECT_FALSE(d->broker.confirm_real_orders);
}

TEST(ConfigLive, BadValuesNameTheKey) {
  EXPECT_THAT(error_of(R"({"broker": {"environment": "prod"}})"),
              HasSubstr("cfg.json: broker.environment: expected one of"));
  EXPECT_THAT(error_of(R"({"live": {"codes": ["5930"]}})"),
              HasSubstr("cfg.json: live.codes[0]: expected a 6-digit stock code"));
  EXPECT_THAT(error_of(R"({"live": {"codes": "005930"}})"), HasSubstr("live.codes: expected a list"));
  EXPECT_THAT(error_of(R"({"broker": {"port": 70000}})"), HasSubstr("broker.port: expected an integer from 0"));
}

}  // namespace
}  // namespace dalbit::config
