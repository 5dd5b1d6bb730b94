// What a trader watching `dalbit run` sees: every order, fill, veto-free
// state change and engine notice as one line with the KST time, while the
// journal underneath records everything in the store.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "engine/journal.h"

namespace dalbit::live {

class TerminalJournal final : public engine::Journal {
 public:
  TerminalJournal(engine::Journal& inner, const Clock& clock) : inner_(inner), clock_(clock) {}

  void order(const Order& order) override { inner_.order(order); }
  void order_event(const Order& order, std::string_view detail) override;
  void fill(const Fill& fill) override;
  void position(const Position& position, Timestamp at) override { inner_.position(position, at); }
  void signal(const engine::SignalRecord& signal) override { inner_.signal(signal); }
  bool before_send() override { return inner_.before_send(); }
  void risk_state(engine::RiskState state, std::string_view reason, Timestamp at) override;

  // "[09:31:02] text" on standard output.
  void line(std::string_view text) const;
  void banner(std::string_view text) const;
  void report(std::string_view text) const;

 private:
  engine::Journal& inner_;
  const Clock& clock_;
};

}  // namespace dalbit::live
