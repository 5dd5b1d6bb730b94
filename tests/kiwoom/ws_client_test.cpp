#include "kiwoom/ws_client.h"

#include <condition_variable>
#include <future>
#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kiwoom/io_thread.h"
#include "test_wss_server.h"

namespace dalbit::kiwoom {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TestWssServer;
using testing::WsReply;
using namespace std::chrono_literals;

bool is_login(const std::string& frame) { return frame.find("\"LOGIN\"") != std::string::npos; }

std::string login_ok() { return build_login_result(LoginResult{Ack{0, ""}, std::nullopt, std::nullopt}); }

// Token source that counts and records the `fresh` flags.
struct Tokens {
  std::mutex m;
  std::vector<bool> fresh;
  TokenSource source() {
    return [this](bool f, std::function<void(Result<Secret>)> done) {
      {
        std::lock_guard lock(m);
        fresh.push_back(f);
      }
      done(Secret("ws-token"));
    };
  }
  std::vector<bool> flags() {
    std::lock_guard lock(m);
    return fresh;
  }
};

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 5000ms) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

WsClientConfig config_for(const TestWssServer& server) {
  WsClientConfig c;
  c.host = "127.0.0.1";
  c.port = server.port();
  c.ca_file = server.ca_file();
  c.path = "/api/dostk/websocket";
  c.login_timeout = 300ms;
  c.backoff = {20ms, 1.6, 0.2, 200ms};
  return c;
}

// After LOGIN: an ack sent before the LOGIN answer, then the answer, a SYSTEM
// heartbeat notice, four kinds of bad frame, and a PING at the end to see the
// client survived them all.
TEST(KiwoomWsClient, SystemNoticesAreNotEchoedAndBadFramesAreSurvived) {
  const std::string ping = build_ping();
  TestWssServer server([&](int, const std::string& frame) -> WsReply {
    if (!is_login(frame)) return {};
    RealEntry unknown{"0Z", "무엇", "005930", {}};
    RealEntry bad_trade{"0B", "주식체결", "005930", {}};
    bad_trade.values.add(10, "abc");
    return {{build_reg_result(RegResult{}), login_ok(), build_system({"R10002", "heartbeat"}), "not json",
             R"({"trnm":"WHAT"})", build_real(std::vector<RealEntry>{unknown}),
             build_real(std::vector<RealEntry>{bad_trade}), ping},
            false};
  });
  IoThread io;
  Tokens tokens;
  WallClock clock;
  KiwoomWsClient ws(io, config_for(server), tokens.source(), {}, clock);
  ws.start();
  ASSERT_TRUE(eventually([&] { return server.received().size() >= 2; }));
  const auto got = server.received();
  EXPECT_TRUE(is_login(got[0]));
  EXPECT_EQ(got[1], ping);  // echoed verbatim
  for (const auto& f : got) EXPECT_THAT(f, Not(HasSubstr("SYSTEM")));
  const auto stats = ws.stats();
  EXPECT_EQ(stats.sessions, 1u);
  EXPECT_EQ(stats.pings, 1u);
  EXPECT_EQ(stats.system_notices, 1u);
  EXPECT_EQ(stats.bad_frames, 5u);
  EXPECT_EQ(server.connections(), 1);
}

TEST(KiwoomWsClient, DuplicateSessionNoticeStopsForGood) {
  TestWssServer server([](int, const std::string& frame) -> WsReply {
    if (!is_login(frame)) return {};
    return {{login_ok(), build_system({"R10001", "duplicate login"})}, false};
  });
  IoThread io;
  Tokens tokens;
  WallClock clock;
  std::promise<std::string> fatal;
  WsHandlers h;
  h.on_fatal = [&](const Error& e) { fatal.set_value(e.message); };
  KiwoomWsClient ws(io, config_for(server), tokens.source(), h, clock);
  ws.start();
  auto f = fatal.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_THAT(f.get(), HasSubstr("R10001"));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(server.connections(), 1);
}

TEST(KiwoomWsClient, LoginRefusedForTheTokenReconnectsWithAFreshOneAndRestoresSubscriptions) {
  TestWssServer server([](int connection, const std::string& frame) -> WsReply {
    if (!is_login(frame)) return {};
    if (connection == 1) {
      return {{build_login_result(LoginResult{Ack{1, "토큰 인증에 실패했습니다 [CODE=8005]"}, std::nullopt,
                                              std::nullopt})},
              true};
    }
    return {{login_ok()}, false};
  });
  IoThread io;
  Tokens tokens;
  WallClock clock;
  KiwoomWsClient ws(io, config_for(server), tokens.source(), {}, clock);
  ws.subscribe("1", {"005930"}, {"0B"});  // before start: sent after LOGIN
  ws.start();
  ASSERT_TRUE(eventually([&] {
    const auto got = server.received();
    return !got.empty() && got.back().find("\"REG\"") != std::string::npos;
  }));
  EXPECT_THAT(tokens.flags(), ElementsAre(false, true));
  EXPECT_EQ(server.connections(), 2);
  EXPECT_THAT(server.received().back(), HasSubstr("005930"));
}

TEST(KiwoomWsClient, NoLoginAnswerIsATimeoutAndARetry) {
  TestWssServer server([](int connection, const std::string& frame) -> WsReply {
    if (!is_login(frame) || connection == 1) return {};
    return {{login_ok()}, false};
  });
  IoThread io;
  Tokens tokens;
  WallClock clock;
  std::atomic<int> ups{0};
  WsHandlers h;
  h.on_connection = [&](bool up) { ups += up; };
  KiwoomWsClient ws(io, config_for(server), tokens.source(), h, clock);
  ws.start();
  EXPECT_TRUE(eventually([&] { return ups.load() == 1; }));
  EXPECT_EQ(server.connections(), 2);
}

TEST(KiwoomWsClient, UnsubscribeSendsRemoveOnlyForWhatWasSubscribed) {
  std::atomic<int> logins{0};
  TestWssServer server([&](int, const std::string& frame) -> WsReply {
    if (!is_login(frame)) return {};
    ++logins;
    return {{login_ok()}, false};
  });
  IoThread io;
  Tokens tokens;
  WallClock clock;
  KiwoomWsClient ws(io, config_for(server), tokens.source(), {}, clock);
  ws.start();
  ASSERT_TRUE(eventually([&] { return logins.load() == 1; }));
  ws.subscribe("1", {"005930", "000660"}, {"0B"});
  ws.unsubscribe("1", {"000660"}, {"0B"});
  ASSERT_TRUE(eventually([&] { return server.received().size() >= 3; }));
  const auto got = server.received();
  EXPECT_THAT(got[1], HasSubstr("\"REG\""));
  EXPECT_THAT(got[2], HasSubstr("\"REMOVE\""));
  EXPECT_THAT(got[2], HasSubstr("000660"));
  EXPECT_THAT(got[2], Not(HasSubstr("005930")));
}

}  // namespace
}  // namespace dalbit::kiwoom

namespace dalbit::kiwoom {
namespace {

TEST(KiwoomWsClient, RealtimeConditionsBeyondTheLoginLimitAreNotSent) {
  std::atomic<int> logins{0};
  TestWssServer server([&](int, const std::string& frame) -> WsReply {
    if (!is_login(frame)) return {};
    ++logins;
    return {{login_ok()}, false};
  });
  IoThread io;
  Tokens tokens;
  WallClock clock;
  KiwoomWsClient ws(io, config_for(server), tokens.source(), {}, clock);
  ws.start();
  ASSERT_TRUE(eventually([&] { return logins.load() == 1; }));
  for (int i = 0; i <= ws_code::kMaxRealtimeConditions; ++i) {
    ConditionSearchRequest r;
    r.seq = std::to_string(i);
    r.realtime = true;
    ws.search_condition(r);
  }
  ws.list_conditions();  // a marker after them
  ASSERT_TRUE(eventually([&] {
    const auto got = server.received();
    return !got.empty() && got.back().find("CNSRLST") != std::string::npos;
  }));
  int searches = 0;
  for (const auto& f : server.received()) searches += f.find("CNSRREQ") != std::string::npos;
  EXPECT_EQ(searches, ws_code::kMaxRealtimeConditions);
}

}  // namespace
}  // namespace dalbit::kiwoom
