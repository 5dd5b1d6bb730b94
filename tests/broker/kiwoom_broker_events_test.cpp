// KiwoomBroker's handling of 00 events and order answers, with a scripted
// transport in place of the network: the cases the simulator never produces
// (a rejection on the stream, a modify made in the HTS, an HTTP 5xx, events
// of orders adopted after a restart) and the early-event TTL on a SimClock.
#include <deque>
#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "broker/kiwoom_broker.h"
#include "broker/test_engine.h"
#include "kiwoom/http_transport.h"
#include "kiwoom/io_thread.h"
#include "kiwoom/protocol.h"
#include "kiwoom/rest.h"
#include "kiwoom/rest_client.h"

namespace dalbit::broker {
namespace {

namespace kw = kiwoom;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

// Answers like Kiwoom on the IoThread: a token, order numbers 0000001, 0000002 ...
// (or the scripted answers queued for orders), cancel acks.
class ScriptedKiwoom final : public kw::HttpTransport {
 public:
  explicit ScriptedKiwoom(kw::IoThread& io) : io_(io) {}

  void send(kw::HttpRequest request, kw::HttpCallback done) override {
    const std::string api = header(request, "api-id");
    kw::HttpResponse answer{200, "", "", ""};
    {
      std::lock_guard lock(m_);
      if (api == kw::api_id::kTokenIssue) {
        answer.body = kw::build_response(kw::IssuedToken{Secret("tok"), "bearer", wall_.now() + 24h});
      } else if (api == kw::api_id::kBuy || api == kw::api_id::kSell) {
        ++orders_;
        if (!order_answers_.empty()) {
          answer = order_answers_.front();
          order_answers_.pop_front();
        } else {
          const std::string n = std::to_string(++next_no_);
          answer.body = kw::build_response(kw::OrderAck{std::string(7 - n.size(), '0') + n, kw::Venue::Krx});
        }
      } else if (api == kw::api_id::kCancel) {
        ++cancels_;
        answer.body = kw::build_response(kw::CancelAck{"9000001", std::nullopt, Qty(0)});
      } else {
        answer.body = kw::error_body(1501, "unexpected api-id in this test");
      }
    }
    io_.post([done = std::move(done), answer = std::move(answer)]() mutable { done(std::move(answer)); });
  }
  void close() override {}

  void script_order_answer(kw::HttpResponse r) {
    std::lock_guard lock(m_);
    order_answers_.push_back(std::move(r));
  }
  int orders() {
    std::lock_guard lock(m_);
    return orders_;
  }
  int cancels() {
    std::lock_guard lock(m_);
    return cancels_;
  }

 private:
  static std::string header(const kw::HttpRequest& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  kw::IoThread& io_;
  WallClock wall_;
  std::mutex m_;
  std::deque<kw::HttpResponse> order_answers_;
  int orders_ = 0;
  int cancels_ = 0;
  int next_no_ = 0;
};

const StockCode kCode = *StockCode::parse("005930");

class KiwoomBrokerEvents : public ::testing::Test {
 protected:
  void start(KiwoomBrokerConfig config = {}) {
    transport_ = std::make_shared<ScriptedKiwoom>(*io_);
    kw::RestClientConfig rc;
    rc.app_key = Secret("k");
    rc.secret_key = Secret("s");
    rc.limits.per_api = rc.limits.queries = rc.limits.orders = rc.limits.tokens = {1000.0, 100};
    rest_ = std::make_unique<kw::KiwoomRestClient>(*io_, transport_, rc, wall_,
                                                   [this](std::function<void()> fn) { engine_.post(std::move(fn)); });
    broker_ = std::make_unique<KiwoomBroker>(*rest_, clock_, config);
    broker_->set_listener(&listener_);
  }
  void TearDown() override {
    rest_.reset();
    engine_.run_for(0ms);
    broker_.reset();
    io_.reset();
  }

  Order order(OrderId id, Side side, Qty qty, Price limit = Price(70'000)) {
    Order o;
    o.id = id;
    o.code = kCode;
    o.side = side;
    o.type = OrderType::Limit;
    o.qty = qty;
    o.limit = limit;
    return o;
  }
  // Submits and waits for the ack; returns the broker number.
  std::string submit_acked(OrderId id, Side side, Qty qty) {
    broker_->submit(order(id, side, qty), krx::daily_band(Price(70'000)));
    EXPECT_TRUE(engine_.run_until([&] { return rec_.broker_no.contains(id) || rec_.unknown.contains(id); }));
    return rec_.broker_no.contains(id) ? rec_.broker_no.at(id) : "";
  }
  static kw::OrderEvent event(std::string no, kw::OrderEventStatus status, Qty order_qty, Qty unfilled,
                              std::string kind = "+매수") {
    kw::OrderEvent e;
    e.order_no = std::move(no);
    e.code = kCode;
    e.status = status;
    e.order_qty = order_qty;
    e.order_price = Price(70'000);
    e.unfilled = unfilled;
    e.kind = std::move(kind);
    e.time = TimeOfDay::hm(10, 15);
    e.reject_reason = "0";
    return e;
  }
  // An execution of `unit` shares at `price`, the order's `cumulative` after it.
  static kw::OrderEvent execution(std::string no, Qty order_qty, Qty cumulative, Qty unit, Price price, Krw amount) {
    auto e = event(std::move(no), kw::OrderEventStatus::Filled, order_qty, order_qty - cumulative);
    e.exec_qty = cumulative;
    e.exec_price = price;
    e.unit_exec_price = price;
    e.unit_exec_qty = unit;
    e.filled_amount = amount;
    return e;
  }

  WallClock wall_;
  SimClock clock_{from_kst(KstDate{2026, 3, 10}, TimeOfDay::hm(10, 0))};
  std::unique_ptr<kw::IoThread> io_ = std::make_unique<kw::IoThread>();
  std::shared_ptr<ScriptedKiwoom> transport_;
  std::unique_ptr<kw::KiwoomRestClient> rest_;
  std::unique_ptr<KiwoomBroker> broker_;
  testing::EngineQueue engine_;
  testing::Recorded rec_;
  testing::RecordingListener listener_{rec_};
};

TEST_F(KiwoomBrokerEvents, FillsCarryTheFeeScheduleTheEventTimeAndTheirCumulativeId) {
  KiwoomBrokerConfig config;
  config.fees.commission_ppm = 1'000;  // not the default: the broker must use the configured schedule
  start(config);
  const auto no = submit_acked(1, Side::Sell, Qty(10));
  broker_->on_order_event(execution(no, Qty(10), Qty(4), Qty(4), Price(70'100), Krw(280'400)));
  ASSERT_EQ(rec_.fills.size(), 1u);
  const Fill& f = rec_.fills[0];
  EXPECT_EQ(f.order_id, 1u);
  EXPECT_EQ(f.fill_id, no + "-4");
  EXPECT_EQ(f.code, kCode);
  EXPECT_EQ(f.side, Side::Sell);
  EXPECT_EQ(f.qty, Qty(4));
  EXPECT_EQ(f.price, Price(70'100));
  EXPECT_EQ(f.cumulative, Qty(4));
  EXPECT_EQ(f.commission, krx::commission(config.fees, Krw(280'400)));
  EXPECT_EQ(f.commission, Krw(280));
  EXPECT_EQ(f.tax, krx::sell_tax(config.fees, Krw(280'400)));
  EXPECT_EQ(f.time, from_kst(KstDate{2026, 3, 10}, TimeOfDay::hm(10, 15)));
}

TEST_F(KiwoomBrokerEvents, RejectionOnTheStreamIsReportedOnce) {
  start();
  const auto no = submit_acked(1, Side::Buy, Qty(10));
  auto rejected = event(no, kw::OrderEventStatus::Rejected, Qty(10), Qty(10));
  rejected.reject_reason = "호가범위 초과";
  broker_->on_order_event(rejected);
  broker_->on_order_event(rejected);
  EXPECT_EQ(rec_.events, (std::vector<std::string>{"accepted 1", "rejected 1"}));
  EXPECT_THAT(rec_.rejected.at(1), HasSubstr("호가범위 초과"));
  EXPECT_EQ(broker_->stats().rejected, 1u);
}

TEST_F(KiwoomBrokerEvents, ExpiryOfThePartlyFilledOriginalCancelsItsOpenRestOnce) {
  start();
  const auto no = submit_acked(1, Side::Buy, Qty(10));
  broker_->on_order_event(execution(no, Qty(10), Qty(4), Qty(4), Price(70'000), Krw(280'000)));
  broker_->on_order_event(event(no, kw::OrderEventStatus::Cancelled, Qty(10), Qty(0)));
  auto child = event("0000077", kw::OrderEventStatus::Confirmed, Qty(6), Qty(0), "매수취소");
  child.orig_order_no = no;
  broker_->on_order_event(child);
  EXPECT_EQ(rec_.events, (std::vector<std::string>{"accepted 1", "fill 1 4", "cancelled 1 6"}));
}

TEST_F(KiwoomBrokerEvents, CancelConfirmationThenTheOriginalsCancelledEventCountsOnce) {
  start();
  const auto no = submit_acked(1, Side::Buy, Qty(10));
  broker_->cancel(1);
  ASSERT_TRUE(engine_.run_until([&] { return transport_->cancels() == 1; }));
  auto child = event("0000002", kw::OrderEventStatus::Confirmed, Qty(10), Qty(0), "매수취소");
  child.orig_order_no = no;
  broker_->on_order_event(child);
  broker_->on_order_event(event(no, kw::OrderEventStatus::Cancelled, Qty(10), Qty(0)));
  EXPECT_EQ(rec_.events, (std::vector<std::string>{"accepted 1", "cancelled 1 10"}));
}

TEST_F(KiwoomBrokerEvents, ARefusedCancelLeavesTheOrderWorkingAndMayBeAskedAgain) {
  start();
  const auto no = submit_acked(1, Side::Buy, Qty(10));
  broker_->cancel(1);
  ASSERT_TRUE(engine_.run_until([&] { return transport_->cancels() == 1; }));
  engine_.run_for(50ms);  // the cancel's REST ack
  auto refused = event("0000002", kw::OrderEventStatus::Rejected, Qty(10), Qty(0), "매수취소");
  refused.orig_order_no = no;
  refused.reject_reason = "원주문 체결완료";
  broker_->on_order_event(refused);
  EXPECT_EQ(rec_.events, (std::vector<std::string>{"accepted 1"}));
  broker_->cancel(1);
  EXPECT_TRUE(engine_.run_until([&] { return transport_->cancels() == 2; }));
  EXPECT_EQ(broker_->stats().cancels, 2u);
}

TEST_F(KiwoomBrokerEvents, AModifyMadeOutsideDalbitTakesTheSharesOffTheOrder) {
  start();
  const auto no = submit_acked(1, Side::Buy, Qty(10));
  auto modify = event("0000050", kw::OrderEventStatus::Confirmed, Qty(10), Qty(10), "+매수정정");
  modify.orig_order_no = no;
  broker_->on_order_event(modify);
  ASSERT_TRUE(rec_.cancelled.contains(1));
  EXPECT_EQ(rec_.cancelled.at(1), Qty(10));
  // The modified order's executions are not ours to count.
  auto exec = execution("0000050", Qty(10), Qty(3), Qty(3), Price(69'900), Krw(209'700));
  exec.orig_order_no = no;
  broker_->on_order_event(exec);
  EXPECT_TRUE(rec_.fills.empty());
  EXPECT_EQ(broker_->stats().foreign_events, 1u);
}

TEST_F(KiwoomBrokerEvents, UnknownNumbersWaitForTheirTtlThenAreForeign) {
  KiwoomBrokerConfig config;
  config.early_event_ttl = 30'000ms;
  start(config);
  broker_->on_order_event(execution("0005555", Qty(3), Qty(3), Qty(3), Price(70'000), Krw(210'000)));
  EXPECT_EQ(broker_->stats().early_events, 1u);
  clock_.advance(29s);
  broker_->expire_early_events();
  EXPECT_EQ(broker_->stats().foreign_events, 0u);
  clock_.advance(1s);
  broker_->expire_early_events();
  EXPECT_EQ(broker_->stats().foreign_events, 1u);
  EXPECT_TRUE(rec_.events.empty());
}

TEST_F(KiwoomBrokerEvents, AnAdoptedOrderGetsItsHeldEventsAndOnlyItsNewShares) {
  start();
  Order o = order(7, Side::Buy, Qty(10));
  o.broker_no = "0000042";
  o.filled = Qty(4);
  o.filled_value = Krw(280'000);
  // Held until adopt: cumulative 5 is one new share.
  broker_->on_order_event(execution("0000042", Qty(10), Qty(5), Qty(1), Price(70'000), Krw(350'000)));
  EXPECT_TRUE(rec_.fills.empty());
  broker_->adopt(7, o);
  ASSERT_EQ(rec_.fills.size(), 1u);
  EXPECT_EQ(rec_.fills[0].qty, Qty(1));
  EXPECT_EQ(rec_.fills[0].fill_id, "0000042-5");
  // Already booked before the restart: nothing.
  broker_->on_order_event(execution("0000042", Qty(10), Qty(4), Qty(4), Price(70'000), Krw(280'000)));
  EXPECT_EQ(rec_.fills.size(), 1u);
  EXPECT_EQ(broker_->stats().foreign_events, 0u);
}

TEST_F(KiwoomBrokerEvents, AnUnknownOrderAdoptedByReconciliationWorksAgain) {
  start();
  transport_->script_order_answer(kw::HttpResponse{502, "", "", ""});
  broker_->submit(order(1, Side::Buy, Qty(10)), krx::daily_band(Price(70'000)));
  ASSERT_TRUE(engine_.run_until([&] { return rec_.unknown.contains(1); }));
  broker_->cancel(1);  // no number: nothing can be sent
  engine_.run_for(20ms);
  EXPECT_EQ(transport_->cancels(), 0);
  Order found = order(1, Side::Buy, Qty(10));
  found.broker_no = "0000031";
  broker_->adopt(1, found);
  broker_->on_order_event(execution("0000031", Qty(10), Qty(2), Qty(2), Price(70'000), Krw(140'000)));
  ASSERT_EQ(rec_.fills.size(), 1u);
  EXPECT_EQ(rec_.fills[0].fill_id, "0000031-2");
  // Adopted again by the next reconcile, with the fill booked: nothing changes.
  found.filled = Qty(2);
  found.filled_value = Krw(140'000);
  broker_->adopt(1, found);
  broker_->cancel(1);
  EXPECT_TRUE(engine_.run_until([&] { return transport_->cancels() == 1; }));
}

TEST_F(KiwoomBrokerEvents, AnExecutionBeyondTheOrderedSharesIsNotReported) {
  start();
  const auto no = submit_acked(1, Side::Buy, Qty(10));
  broker_->on_order_event(execution(no, Qty(12), Qty(12), Qty(12), Price(70'000), Krw(840'000)));
  EXPECT_TRUE(rec_.fills.empty());
}

TEST_F(KiwoomBrokerEvents, AnHttp5xxAnswerIsUnknownAndNotResent) {
  start();
  transport_->script_order_answer(kw::HttpResponse{503, "Service Unavailable", "", ""});
  broker_->submit(order(1, Side::Buy, Qty(10)), krx::daily_band(Price(70'000)));
  ASSERT_TRUE(engine_.run_until([&] { return rec_.unknown.contains(1); }));
  engine_.run_for(50ms);
  EXPECT_EQ(transport_->orders(), 1);
  EXPECT_EQ(rec_.events, (std::vector<std::string>{"unknown 1"}));
}

TEST_F(KiwoomBrokerEvents, ABrokerRefusalIsRejected) {
  start();
  transport_->script_order_answer(kw::HttpResponse{200, kw::error_body(20, "[2000](RC4058:모의투자 장종료)"), "", ""});
  broker_->submit(order(1, Side::Buy, Qty(10)), krx::daily_band(Price(70'000)));
  ASSERT_TRUE(engine_.run_until([&] { return rec_.rejected.contains(1); }));
  EXPECT_THAT(rec_.rejected.at(1), HasSubstr("RC4058"));
}

TEST_F(KiwoomBrokerEvents, TheSameOrderIdIsNeverSentTwice) {
  start();
  (void)submit_acked(1, Side::Buy, Qty(10));
  broker_->submit(order(1, Side::Buy, Qty(10)), krx::daily_band(Price(70'000)));
  engine_.run_for(50ms);
  EXPECT_EQ(transport_->orders(), 1);
  EXPECT_EQ(broker_->stats().sent, 1u);
}

TEST_F(KiwoomBrokerEvents, ACancelOfAFilledOrderSendsNothing) {
  start();
  const auto no = submit_acked(1, Side::Buy, Qty(10));
  broker_->on_order_event(execution(no, Qty(10), Qty(10), Qty(10), Price(70'000), Krw(700'000)));
  broker_->cancel(1);
  broker_->cancel(99);  // never sent: logged
  engine_.run_for(50ms);
  EXPECT_EQ(transport_->cancels(), 0);
}

}  // namespace
}  // namespace dalbit::broker
