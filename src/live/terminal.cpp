#include "live/terminal.h"

#include <cstdio>

#include <fmt/format.h>

namespace dalbit::live {

void TerminalJournal::line(std::string_view text) const {
  const std::string t = format_kst(clock_.now());
  // "YYYY-MM-DD HH:MM:SS.mmm" -> "HH:MM:SS"
  std::printf("[%s] %.*s\n", t.size() >= 19 ? t.substr(11, 8).c_str() : t.c_str(), static_cast<int>(text.size()),
              text.data());
  std::fflush(stdout);
}

void TerminalJournal::banner(std::string_view text) const {
  std::printf("%.*s\n\n", static_cast<int>(text.size()), text.data());
  std::fflush(stdout);
}

void TerminalJournal::report(std::string_view text) const {
  std::printf("\n%.*s\n\n", static_cast<int>(text.size()), text.data());
  std::fflush(stdout);
}

void TerminalJournal::order_event(const Order& order, std::string_view detail) {
  inner_.order_event(order, detail);
  // "created" and "sent" come together with the order; the broker's answers are the news.
  if (detail == "created" || detail == "sent") {
    if (detail == "sent") {
      line(fmt::format("{} {} {} x{} · {} [{}] #{}", to_string(order.side), order.code.str(),
                       order.type == OrderType::Market ? "market" : fmt::format("@{}", order.limit.value()),
                       order.qty.value(), order.strategy, order.reason, order.id));
    }
    return;
  }
  if (detail.rfind("accepted", 0) == 0 || detail.find(" @") != std::string_view::npos) return;  // fills print below
  line(fmt::format("order #{} {} {}: {}", order.id, order.code.str(), order.strategy, detail));
}

void TerminalJournal::fill(const Fill& fill) {
  inner_.fill(fill);
  line(fmt::format("FILL {} {} x{} @{} · order #{}{}", to_string(fill.side), fill.code.str(), fill.qty.value(),
                   fill.price.value(), fill.order_id,
                   fill.commission.value() + fill.tax.value() > 0
                       ? fmt::format(" (fee {}, tax {})", fill.commission.value(), fill.tax.value())
                       : std::string()));
}

void TerminalJournal::risk_state(engine::RiskState state, std::string_view reason, Timestamp at) {
  inner_.risk_state(state, reason, at);
  line(fmt::format("RISK STATE {}: {}", to_string(state), reason));
}

}  // namespace dalbit::live
