// The live broker: orders go out as Kiwoom REST calls (kt10000/kt10001,
// kt10003), their fate comes back on the WebSocket 00 stream, and the
// account is read with kt00001 + kt00018 + ka10075 + ka10076.
//
//   KiwoomBroker broker(rest, clock, {.fees = config.fees});
//   broker.set_listener(&engine);
//   ws handlers: on_real -> if OrderEvent: broker.on_order_event(event)
//   broker.submit(order, band);
//
// Everything runs on the engine thread: the REST client's Deliver posts its
// completions there, and the runner feeds 00 events from there.
//
// Fills are rebuilt from the order's cumulative filled shares
// (cumulative_filled), never by counting events: a duplicate, late or
// re-ordered 00 event adds nothing that was already reported. Fill ids are
// "<broker_no>-<cumulative>", the same whether a fill came from the stream or
// from reconciliation.
//
// An order answer that does not prove the broker refused the order (no
// answer, a timeout, an unreadable answer, an HTTP 5xx) is reported as
// on_unknown and the order is never sent again (order_outcome).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/broker.h"
#include "core/clock.h"
#include "core/krx.h"
#include "kiwoom/envelope.h"
#include "kiwoom/ws_codec.h"

namespace dalbit::kiwoom {
class KiwoomRestClient;
}

namespace dalbit::broker {

struct KiwoomBrokerConfig {
  std::chrono::milliseconds early_event_ttl{30'000};  // how long a 00 event for an unknown order number waits for its ack
  // Portfolio::apply books Fill.commission and Fill.tax as given, so they are
  // computed here per fill (krx::commission, krx::sell_tax), as the simulator
  // charges them per execution; whether Kiwoom rounds per execution or per
  // order is UNCONFIRMED (krx.md 7.2), and reconciliation corrects the cash.
  krx::FeeSchedule fees{};
};

// ---------------------------------------------------------------- the arithmetic (pure, tested without sockets)

// What an order answer means for the order.
enum class OrderOutcome : std::uint8_t { Rejected, Unknown };
[[nodiscard]] OrderOutcome order_outcome(const kiwoom::ApiError& error);

// The order's filled shares after a 00 execution event, nullopt when the
// event is not an execution or says nothing usable.
[[nodiscard]] std::optional<Qty> cumulative_filled(const kiwoom::OrderEvent& event);

// Shares an execution event adds to what was already reported, split into
// at most two fills with exact values when the event allows it.
struct FillPart {
  Qty qty;
  Price price;
  Qty cumulative;  // the order's filled shares after this part
};
struct NewFills {
  std::array<FillPart, 2> parts{};
  std::size_t count = 0;
  // False when no split reproduces the broker's filled amount: the price is
  // the execution's and the value may be off until reconciliation.
  bool exact = true;
};
// `reported` / `reported_value`: the order's shares and their value already
// reported. Empty when the event adds nothing (a duplicate or a late event).
[[nodiscard]] NewFills new_fills(const kiwoom::OrderEvent& event, Qty reported, Krw reported_value);

// The broker's orders from ka10075 (open) and ka10076 (with executions),
// merged by order number; the error names the api-id and the order number.
[[nodiscard]] Result<std::vector<BrokerOrder>> merge_orders(const std::vector<kiwoom::OpenOrders>& open,
                                                           const std::vector<kiwoom::Executions>& executions);

// ---------------------------------------------------------------- the broker

class KiwoomBroker final : public Broker {
 public:
  // `rest` and `clock` must outlive it.
  KiwoomBroker(kiwoom::KiwoomRestClient& rest, const Clock& clock, KiwoomBrokerConfig config = {});
  ~KiwoomBroker() override;
  KiwoomBroker(const KiwoomBroker&) = delete;
  KiwoomBroker& operator=(const KiwoomBroker&) = delete;

  void submit(const Order& order, const krx::PriceBand& band) override;  // kt10000 / kt10001
  void cancel(OrderId id) override;                                       // kt10003, qty 0 (all that is left)
  [[nodiscard]] bool keeps_account() const override { return true; }
  // kt00001 + kt00018 + ka10075 + ka10076 (all pages); `at` is when the fetch began.
  void fetch_snapshot(std::function<void(Result<AccountSnapshot>)> done) override;
  // After a restart: broker_no -> id, and its filled shares and value.
  void adopt(OrderId id, const Order& order) override;
  // The runner feeds every decoded 00 event here.
  void on_order_event(const kiwoom::OrderEvent& event);
  // Logs and counts as foreign the early events older than early_event_ttl.
  // on_order_event and every order answer call it; the runner may call it
  // from its heartbeat so that the last ones do not wait for the next event.
  void expire_early_events();

  struct Stats {
    std::uint64_t sent = 0;            // orders sent
    std::uint64_t acked = 0;           // orders the broker numbered
    std::uint64_t rejected = 0;        // refused by the answer or by a 00 event
    std::uint64_t unknown = 0;         // outcome unknown (on_unknown)
    std::uint64_t fills = 0;           // Fills reported
    std::uint64_t duplicates = 0;      // execution events that added nothing
    std::uint64_t early_events = 0;    // events held for an ack that had not arrived
    std::uint64_t foreign_events = 0;  // events for orders dalbit does not know
    std::uint64_t cancels = 0;         // cancel requests sent
  };
  [[nodiscard]] const Stats& stats() const { return stats_; }

 private:
  struct Tracked {
    Order order;
    std::string broker_no;
    Qty reported;            // filled shares reported as Fills
    Krw reported_value;      // their value
    bool cancel_wanted = false;     // cancel asked before the ack
    bool cancel_in_flight = false;  // kt10003 sent, not answered yet
    bool cancel_reported = false;   // on_cancelled called
    bool closed = false;            // rejected or outcome unknown: no more calls for it
  };
  struct EarlyEvent {
    kiwoom::OrderEvent event;
    Timestamp arrived;
  };

  void on_order_answer(OrderId id, const std::string* order_no, const kiwoom::ApiError* error);
  void send_cancel(OrderId id, Tracked& t);
  void on_own_event(OrderId id, Tracked& t, const kiwoom::OrderEvent& event);
  void on_child_event(OrderId id, Tracked& t, const kiwoom::OrderEvent& event);
  void apply_execution(OrderId id, Tracked& t, const kiwoom::OrderEvent& event);
  void report_cancelled(OrderId id, Tracked& t, Qty cancelled, std::string_view reason);
  void replay_early(const std::string& broker_no);
  [[nodiscard]] Tracked* find(OrderId id);

  kiwoom::KiwoomRestClient& rest_;
  const Clock& clock_;
  KiwoomBrokerConfig config_;
  std::unordered_map<OrderId, Tracked> orders_;
  std::unordered_map<std::string, OrderId> by_broker_no_;
  std::vector<EarlyEvent> early_;  // in arrival order
  Stats stats_;
  // Completions check it: a REST answer delivered after the broker is gone does nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace dalbit::broker
