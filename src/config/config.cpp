#include "config/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace dalbit::config {
namespace {

using json = nlohmann::json;

std::string type_name(const json& v) {
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer() || v.is_number_unsigned()) return "an integer";
  if (v.is_number_float()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

std::string shown(const json& v) {
  auto s = v.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return type_name(v) + " " + s;
}

// Walks one JSON object, reading the keys it knows and reporting every
// problem with its full key path. Unknown keys are reported by finish().
class ObjectReader {
 public:
  ObjectReader(const json* obj, std::string path, std::vector<std::string>& errors)
      : obj_(obj), path_(std::move(path)), errors_(errors) {}

  std::string key_path(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  void error(const std::string& key, const std::string& what) {
    errors_.push_back(key_path(key) + ": " + what);
  }

  const json* find(const std::string& key) {
    known_.insert(key);
    if (obj_ == nullptr) return nullptr;
    auto it = obj_->find(key);
    return it == obj_->end() ? nullptr : &*it;
  }

  void integer(const std::string& key, std::int64_t& out, std::int64_t lo, std::int64_t hi) {
    const json* v = find(key);
    if (!v) return;
    if (!v->is_number_integer() && !v->is_number_unsigned()) {
      error(key, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
                     ", got " + shown(*v));
      return;
    }
    const auto x = v->get<std::int64_t>();
    if (x < lo || x > hi) {
      error(key, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
                     ", got " + std::to_string(x));
      return;
    }
    out = x;
  }

  void integer(const std::string& key, int& out, int lo, int hi) {
    std::int64_t x = out;
    integer(key, x, lo, hi);
    out = static_cast<int>(x);
  }

  void won(const std::string& key, Krw& out, std::int64_t lo, std::int64_t hi) {
    std::int64_t x = out.value();
    integer(key, x, lo, hi);
    out = Krw(x);
  }

  // A percentage with at most four decimals, stored as parts per million.
  void percent_ppm(const std::string& key, std::int64_t& out_ppm, double lo, double hi) {
    const json* v = find(key);
    if (!v) return;
    std::ostringstream range;
    range << "a percentage from " << lo << " to " << hi;
    if (!v->is_number()) {
      error(key, "expected " + range.str() + ", got " + shown(*v));
      return;
    }
    const double pct = v->get<double>();
    const double ppm = pct * 10'000.0;
    if (pct < lo || pct > hi) {
      error(key, "expected " + range.str() + ", got " + v->dump());
    } else if (std::fabs(ppm - std::round(ppm)) > 1e-6) {
      error(key, "expected at most four decimal places (0.0001 % steps), got " + v->dump());
    } else {
      out_ppm = std::llround(ppm);
    }
  }

  void boolean(const std::string& key, bool& out) {
    const json* v = find(key);
    if (!v) return;
    if (!v->is_boolean()) return error(key, "expected true or false, got " + shown(*v));
    out = v->get<bool>();
  }

  void string(const std::string& key, std::string& out, bool allow_empty = false) {
    const json* v = find(key);
    if (!v) return;
    if (!v->is_string()) return error(key, "expected a string, got " + shown(*v));
    auto s = v->get<std::string>();
    if (!allow_empty && s.empty()) return error(key, "expected a non-empty string");
    out = std::move(s);
  }

  void one_of(const std::string& key, std::string& out, const std::vector<std::string>& choices) {
    const json* v = find(key);
    if (!v) return;
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : ", ") + ("\"" + c + "\"");
    if (!v->is_string()) return error(key, "expected one of " + list + ", got " + shown(*v));
    const auto s = v->get<std::string>();
    for (const auto& c : choices) {
      if (s == c) {
        out = s;
        return;
      }
    }
    error(key, "expected one of " + list + ", got \"" + s + "\"");
  }

  void time_of_day(const std::string& key, TimeOfDay& out) {
    const json* v = find(key);
    if (!v) return;
    std::optional<TimeOfDay> t;
    if (v->is_string()) t = parse_time_of_day(v->get<std::string>());
    if (!t) return error(key, "expected a KST time \"HH:MM\", got " + shown(*v));
    out = *t;
  }

  // Calls fn(reader) for a nested object; reports a wrong type.
  void object(const std::string& key, const std::function<void(ObjectReader&)>& fn) {
    const json* v = find(key);
    if (v && !v->is_object()) return error(key, "expected an object, got " + shown(*v));
    ObjectReader child(v, key_path(key), errors_);
    fn(child);
    child.finish();
  }

  const json* raw() const { return obj_; }

  void finish() {
    if (!obj_) return;
    for (auto it = obj_->begin(); it != obj_->end(); ++it) {
      if (!known_.count(it.key())) {
        std::string list;
        for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
        errors_.push_back(key_path(it.key()) + ": unknown key (known keys here: " + list + ")");
      }
    }
  }

 private:
  const json* obj_;
  std::string path_;
  std::vector<std::string>& errors_;
  std::set<std::string> known_;
};

void read_unfilled(ObjectReader& s, const std::string& name, std::map<std::string, UnfilledPolicy>& out) {
  if (!s.find("unfilled")) return;
  UnfilledPolicy policy;
  std::string action;
  s.object("unfilled", [&](ObjectReader& u) {
    if (u.raw() && !u.find("after_s")) u.error("after_s", "is required (seconds, 1 to 86400)");
    if (u.raw() && !u.find("action")) u.error("action", "is required (\"market\", \"reprice\" or \"cancel\")");
    u.integer("after_s", policy.after_s, 1, 86'400);
    u.one_of("action", action, {"market", "reprice", "cancel"});
    u.integer("ticks", policy.ticks, 1, 100);
  });
  policy.action = action == "market"    ? UnfilledPolicy::Action::Market
                  : action == "reprice" ? UnfilledPolicy::Action::Reprice
                                        : UnfilledPolicy::Action::Cancel;
  out[name] = policy;
}

// "strategies" and "risk_scripts": name -> { "params": { key: value } }; strategies
// may also have "unfilled" (when `unfilled` is given).
void read_scripts(ObjectReader& r, const std::string& section, std::map<std::string, Params>& out,
                  std::vector<std::string>& errors,
                  std::map<std::string, UnfilledPolicy>* unfilled = nullptr) {
  const json* all = r.find(section);
  if (!all) return;
  if (!all->is_object()) {
    r.error(section, "expected an object of script name -> { \"params\": {...} }, got " + shown(*all));
    return;
  }
  for (auto it = all->begin(); it != all->end(); ++it) {
    const std::string path = section + "." + it.key();
    if (!it->is_object()) {
      errors.push_back(path + ": expected an object with \"params\", got " + shown(*it));
      continue;
    }
    ObjectReader s(&*it, path, errors);
    Params params;
    const json* p = s.find("params");
    if (p && !p->is_object()) {
      s.error("params", "expected an object of name -> value, got " + shown(*p));
    } else if (p) {
      for (auto pit = p->begin(); pit != p->end(); ++pit) {
        const auto& v = *pit;
        if (v.is_boolean()) {
          params[pit.key()] = v.get<bool>();
        } else if (v.is_number_integer() || v.is_number_unsigned()) {
          params[pit.key()] = v.get<std::int64_t>();
        } else if (v.is_number_float()) {
          params[pit.key()] = v.get<double>();
        } else if (v.is_string()) {
          params[pit.key()] = v.get<std::string>();
        } else {
          errors.push_back(path + ".params." + pit.key() +
                           ": expected a boolean, number or string, got " + shown(v));
        }
      }
    }
    if (unfilled) read_unfilled(s, it.key(), *unfilled);
    s.finish();
    out[it.key()] = std::move(params);
  }
}

std::string line_and_column(const std::string& text, std::size_t byte) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

}  // namespace

Result<Config> parse(const std::string& text, const std::string& file) {
  json root;
  try {
    root = json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    // nlohmann's message repeats its own offset; ours names line and column.
    std::string what = e.what();
    const auto colon = what.rfind(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    return Error{file + ": not valid JSON at " + line_and_column(text, e.byte > 0 ? e.byte - 1 : 0) +
                 ": " + what};
  }
  if (!root.is_object()) return Error{file + ": expected a JSON object at the top level"};

  Config cfg;
  cfg.path = file;
  std::vector<std::string> errors;
  ObjectReader r(&root, "", errors);

  r.object("account", [&](ObjectReader& a) {
    a.won("initial_cash", cfg.account.initial_cash, 0, 1'000'000'000'000'000);
  });
  r.object("fees", [&](ObjectReader& f) {
    f.percent_ppm("commission_pct", cfg.fees.commission_ppm, 0.0, 1.0);
    f.integer("commission_unit", cfg.fees.commission_unit, 1, 1000);
    f.percent_ppm("sell_tax_pct", cfg.fees.sell_tax_ppm, 0.0, 1.0);
  });
  r.object("market", [&](ObjectReader& m) {
    m.time_of_day("pre_open", cfg.market.sessions.pre_open);
    m.time_of_day("open", cfg.market.sessions.open);
    m.time_of_day("closing_auction", cfg.market.sessions.closing_auction);
    m.time_of_day("close", cfg.market.sessions.close);
    m.integer("price_limit_pct", cfg.market.price_limit_pct, 1, 100);
    if (const json* h = m.find("holidays")) {
      if (!h->is_array()) {
        m.error("holidays", "expected an array of \"YYYY-MM-DD\" dates, got " + shown(*h));
      } else {
        for (std::size_t i = 0; i < h->size(); ++i) {
          const auto& v = (*h)[i];
          std::optional<KstDate> d;
          if (v.is_string()) d = parse_kst_date(v.get<std::string>());
          if (d) {
            cfg.market.holidays.push_back(*d);
          } else {
            m.error("holidays[" + std::to_string(i) + "]",
                    "expected a date \"YYYY-MM-DD\", got " + shown(v));
          }
        }
      }
    }
    const auto& s = cfg.market.sessions;
    if (!(s.pre_open <= s.open && s.open < s.closing_auction && s.closing_auction <= s.close)) {
      m.error("open", "expected pre_open <= open < closing_auction <= close");
    }
  });
  r.object("risk", [&](ObjectReader& k) {
    k.won("max_order_value", cfg.risk.max_order_value, 1, 1'000'000'000'000);
    k.won("max_position_value", cfg.risk.max_position_value, 1, 1'000'000'000'000);
    k.integer("max_open_positions", cfg.risk.max_open_positions, 0, 1000);
    if (const json* v = k.find("stop_loss_floor_pct")) {
      if (!v->is_number() || v->get<double>() < 0 || v->get<double>() >= 100) {
        k.error("stop_loss_floor_pct", "expected a percentage from 0 (off) to below 100, got " + shown(*v));
      } else {
        cfg.risk.stop_loss_floor_pct = v->get<double>();
      }
    }
    k.time_of_day("buy_window_start", cfg.risk.buy_window_start);
    k.time_of_day("buy_window_end", cfg.risk.buy_window_end);
    k.integer("max_orders_per_second", cfg.risk.max_orders_per_second, 0, 1000);
    k.integer("max_orders_per_day", cfg.risk.max_orders_per_day, 0, 1'000'000);
    k.won("max_total_exposure", cfg.risk.max_total_exposure, 0, 1'000'000'000'000'000);
    k.won("daily_loss_limit", cfg.risk.daily_loss_limit, 0, 1'000'000'000'000'000);
    std::string action = "halted";
    k.one_of("daily_loss_action", action, {"reducing", "halted"});
    cfg.risk.daily_loss_action =
        action == "reducing" ? DailyLossAction::Reducing : DailyLossAction::Halted;
    k.integer("duplicate_window_s", cfg.risk.duplicate_window_s, 0, 86'400);
    k.integer("connectivity_timeout_s", cfg.risk.connectivity_timeout_s, 1, 3600);
    if (cfg.risk.buy_window_end < cfg.risk.buy_window_start) {
      k.error("buy_window_end", "expected a time not before buy_window_start");
    }
  });
  r.object("fill_model", [&](ObjectReader& f) {
    f.integer("max_volume_pct", cfg.fill_model.max_volume_pct, 1, 100);
  });
  r.object("data", [&](ObjectReader& d) {
    std::string policy = "skip";
    d.one_of("on_bad_row", policy, {"skip", "stop"});
    cfg.data.on_bad_row = policy == "stop" ? BadRowPolicy::Stop : BadRowPolicy::Skip;
  });
  r.object("logging", [&](ObjectReader& l) {
    l.string("dir", cfg.logging.dir);
    l.one_of("level", cfg.logging.level, {"trace", "debug", "info", "warn", "error"});
    l.integer("retention_days", cfg.logging.retention_days, 1, 3650);
    l.boolean("console", cfg.logging.console);
  });
  r.object("store", [&](ObjectReader& s) { s.string("path", cfg.store.path); });
  r.object("lua", [&](ObjectReader& l) {
    l.string("strategies_dir", cfg.lua.strategies_dir);
    l.string("risk_dir", cfg.lua.risk_dir);
    l.integer("call_budget_ms", cfg.lua.call_budget_ms, 1, 1000);
    l.integer("memory_budget_mb", cfg.lua.memory_budget_mb, 1, 4096);
    l.integer("max_errors", cfg.lua.max_errors, 1, 1'000'000);
    l.integer("error_window_s", cfg.lua.error_window_s, 1, 86'400);
    l.integer("reload_debounce_ms", cfg.lua.reload_debounce_ms, 0, 10'000);
  });
  r.object("broker", [&](ObjectReader& b) {
    std::string env = std::string(to_string(cfg.broker.environment));
    b.one_of("environment", env, {"real", "mock", "simulator"});
    cfg.broker.environment = env == "real" ? Environment::Real : env == "mock" ? Environment::Mock
                                                                               : Environment::Simulator;
    b.string("host", cfg.broker.host);
    b.integer("port", cfg.broker.port, 0, 65535);
    b.string("ca_file", cfg.broker.ca_file, /*allow_empty=*/true);
    b.boolean("confirm_real_orders", cfg.broker.confirm_real_orders);
    b.boolean("follow_simulator_clock", cfg.broker.follow_simulator_clock);
  });
  r.object("live", [&](ObjectReader& l) {
    if (const json* v = l.find("codes")) {
      if (!v->is_array()) {
        l.error("codes", "expected a list of 6-digit stock codes, got " + shown(*v));
      } else {
        for (std::size_t i = 0; i < v->size(); ++i) {
          const json& c = (*v)[i];
          auto code = c.is_string() ? StockCode::parse(c.get<std::string>()) : std::nullopt;
          if (!code) {
            l.error("codes[" + std::to_string(i) + "]", "expected a 6-digit stock code, got " + shown(c));
          } else {
            cfg.live.codes.push_back(*code);
          }
        }
      }
    }
    l.integer("heartbeat_ms", cfg.live.heartbeat_ms, 10, 1000);
    l.integer("drift_check_s", cfg.live.drift_check_s, 1, 3600);
    l.integer("scan_interval_s", cfg.live.scan_interval_s, 5, 3600);
    l.string("report_dir", cfg.live.report_dir);
    l.string("backup_dir", cfg.live.backup_dir);
    l.integer("backup_keep_days", cfg.live.backup_keep_days, 1, 3650);
    l.string("control_dir", cfg.live.control_dir);
  });
  r.string("credentials_file", cfg.credentials_file, /*allow_empty=*/true);
  read_scripts(r, "strategies", cfg.strategies, errors, &cfg.unfilled);
  read_scripts(r, "risk_scripts", cfg.risk_scripts, errors);
  r.finish();

  if (!errors.empty()) {
    std::string msg;
    for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + file + ": " + e;
    return Error{msg};
  }
  return cfg;
}

std::string_view to_string(Environment e) {
  switch (e) {
    case Environment::Real: return "real";
    case Environment::Mock: return "mock";
    case Environment::Simulator: return "simulator";
  }
  return "?";
}

Result<Config> load(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error{file + ": cannot open the config file"};
  std::stringstream buf;
  buf << in.rdbuf();
  return parse(buf.str(), file);
}

Result<Credentials> load_credentials(const std::string& file) {
  Credentials c;
  auto from_env = [](const char* name, Secret& out) {
    if (const char* v = std::getenv(name); v && *v) out = Secret(v);
  };
  from_env("DALBIT_APP_KEY", c.app_key);
  from_env("DALBIT_SECRET_KEY", c.secret_key);
  from_env("DALBIT_TELEGRAM_BOT_TOKEN", c.telegram_bot_token);
  if (file.empty()) return c;

  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return Error{file + ": cannot read the credentials file"};
  if (st.st_uid != ::getuid()) {
    return Error{file + ": the credentials file must be owned by the user running dalbit"};
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Error{file + ": the credentials file must be readable by its owner only (chmod 600)"};
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  json j;
  try {
    j = json::parse(buf.str(), nullptr, true, true);
  } catch (const json::parse_error&) {
    // The parser's message may quote the file's text, which holds secrets.
    return Error{file + ": the credentials file is not valid JSON"};
  }
  if (!j.is_object()) return Error{file + ": expected a JSON object"};
  const std::set<std::string> known = {"app_key", "secret_key", "telegram_bot_token"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!known.count(it.key())) {
      return Error{file + ": " + it.key() +
                   ": unknown key (known keys: app_key, secret_key, telegram_bot_token)"};
    }
    if (!it->is_string()) return Error{file + ": " + it.key() + ": expected a string"};
  }
  auto take = [&](const char* key, Secret& out) {
    if (out.empty() && j.contains(key)) out = Secret(j[key].get<std::string>());
  };
  take("app_key", c.app_key);
  take("secret_key", c.secret_key);
  take("telegram_bot_token", c.telegram_bot_token);
  return c;
}

}  // namespace dalbit::config
