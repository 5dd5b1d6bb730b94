#include "engine/store_journal.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "log/log.h"

namespace dalbit::engine {
namespace {

constexpr RiskState kRiskStates[] = {RiskState::Active, RiskState::Reducing,
                                             RiskState::Halted};

std::optional<RiskState> parse_risk_state(std::string_view text) {
  for (auto s : kRiskStates) {
    if (engine::to_string(s) == text) return s;
  }
  return std::nullopt;
}

Result<RiskRecord> parse_risk_record(const std::string& key, const std::string& text) {
  const auto bad = [&](std::string_view why) {
    return Error{fmt::format("store state '{}': {} in '{}'", key, why, text)};
  };
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return bad("not a JSON object");
  const auto field = [&](const char* name) -> const std::string* {
    const auto it = json.find(name);
    return it != json.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  const std::string* state = field("state");
  const std::string* reason = field("reason");
  const std::string* since = field("since");
  if (!state || !reason || !since) return bad("\"state\", \"reason\" and \"since\" must be strings");
  RiskRecord r;
  const auto parsed_state = parse_risk_state(*state);
  if (!parsed_state) return bad(fmt::format("unknown state '{}'", *state));
  r.state = *parsed_state;
  const auto day = parse_kst_date(*since);
  if (!day) return bad(fmt::format("\"since\" '{}' is not a YYYY-MM-DD date", *since));
  r.since = *day;
  r.reason = *reason;
  return r;
}

}  // namespace

void StoreJournal::keep(Status st) {
  if (st.ok()) return;
  log::errors().error("store journal, run {}: {}", run_, st.message());
  if (status_.ok()) status_ = std::move(st);
}

void StoreJournal::order(const Order& order) {
  before_write();
  keep(store_.record_order(run_, order));
}

void StoreJournal::order_event(const Order& order, std::string_view detail) {
  before_write();
  keep(store_.record_order_event(run_, order.id, order.status, order.updated, detail));
}

void StoreJournal::fill(const Fill& fill) {
  before_write();
  auto r = store_.record_fill(run_, fill);
  if (!r.ok()) keep(Error{r.error().message});
}

void StoreJournal::position(const Position& position, Timestamp at) {
  before_write();
  keep(store_.record_position(run_, position, at));
}

void StoreJournal::signal(const SignalRecord& s) {
  store::Signal row;
  row.at = s.at;
  row.strategy = s.strategy;
  row.code = s.code;
  row.side = s.side;
  row.kind = s.kind;
  row.order_id = s.order_id;
  row.reason = s.reason;
  before_write();
  keep(store_.record_signal(run_, row));
}

std::string risk_state_key(std::string_view mode) { return fmt::format("risk_state.{}", mode); }

Result<std::optional<RiskRecord>> load_risk_state(store::Store& store, std::string_view mode) {
  if (mode != "live" && mode != "paper") {
    return Error{fmt::format("load_risk_state: mode '{}' is neither live nor paper", mode)};
  }
  const std::string key = risk_state_key(mode);
  auto text = store.get_state(key);
  if (!text) return text.error();
  if (!text->has_value()) return std::optional<RiskRecord>();
  auto record = parse_risk_record(key, **text);
  if (!record) return record.error();
  return std::optional<RiskRecord>(std::move(*record));
}

Status save_risk_state(store::Store& store, std::string_view mode, const RiskRecord& record) {
  const nlohmann::json value = {
      {"state", engine::to_string(record.state)}, {"reason", record.reason}, {"since", record.since.str()}};
  // A reason may come from a script in any encoding: never throw over it.
  return store.set_state(risk_state_key(mode),
                         value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

DurableJournal::DurableJournal(store::Store& store, std::int64_t run, std::string_view mode)
    : StoreJournal(store, run), mode_(mode) {
  if (mode_ != "live" && mode_ != "paper") {
    keep(Error{fmt::format("durable journal: mode '{}' is neither live nor paper", mode_)});
  }
}

DurableJournal::~DurableJournal() { (void)commit("close"); }

void DurableJournal::before_write() {
  if (batch_) return;
  batch_.emplace(store_);
  if (batch_->status()) return;
  // Without a batch each write commits on its own: slower, still durable.
  keep(Error{fmt::format("cannot open a batch, writing unbatched: {}", batch_->status().message())});
  batch_.reset();
}

bool DurableJournal::before_send() { return commit("before_send").ok(); }

Status DurableJournal::flush() { return commit("flush"); }

Status DurableJournal::commit(std::string_view when) {
  if (!batch_) return {};
  Status s = batch_->commit();
  batch_.reset();  // rolls back what a failed commit left open
  if (s) return s;
  Error lost{fmt::format("{}: the batch is lost (rolled back): {}", when, s.message())};
  keep(lost);
  return lost;
}

void DurableJournal::risk_state(RiskState state, std::string_view reason, Timestamp at) {
  before_write();
  keep(save_risk_state(store_, mode_, {state, std::string(reason), kst_date(at)}));
  (void)commit("risk_state");
}

}  // namespace dalbit::engine
