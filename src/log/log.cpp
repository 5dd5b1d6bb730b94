#include "log/log.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/daily_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace dalbit::log {
namespace {

constexpr std::string_view kRedacted = "<redacted>";
constexpr std::string_view kBearer = "Bearer ";

struct SecretRegistry {
  std::mutex mutex;
  std::vector<std::string> secrets;  // longest first, so a secret that contains another is caught whole
};

SecretRegistry& registry() {
  static SecretRegistry r;
  return r;
}

// Wraps the real sinks: scrubs each line, then forwards it.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RedactingSink(std::vector<spdlog::sink_ptr> targets) : targets_(std::move(targets)) {}
  const std::vector<spdlog::sink_ptr>& targets() const { return targets_; }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    const std::string clean = redact(payload);
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(clean.data(), clean.size());
    for (auto& t : targets_) {
      if (t->should_log(copy.level)) t->log(copy);
    }
  }
  void flush_() override {
    for (auto& t : targets_) t->flush();
  }

 private:
  std::vector<spdlog::sink_ptr> targets_;
};

constexpr const char* kNames[] = {"orders", "trading", "lua", "ws", "rest", "errors"};

std::shared_ptr<spdlog::logger> get_or_make(const char* name) {
  if (auto l = spdlog::get(name)) return l;
  // Before init(): a console logger, so nothing logged early is lost.
  auto l = std::make_shared<spdlog::logger>(name, std::make_shared<RedactingSink>(
      std::vector<spdlog::sink_ptr>{std::make_shared<spdlog::sinks::stderr_color_sink_mt>()}));
  spdlog::register_logger(l);
  return l;
}

spdlog::level::level_enum parse_level(const std::string& s) {
  return spdlog::level::from_str(s == "warn" ? "warning" : s);
}

}  // namespace

void init(const Options& options) {
  spdlog::drop_all();
  std::vector<spdlog::sink_ptr> targets;
  if (options.console) {
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_level(parse_level(options.console_level));
    console->set_pattern("%H:%M:%S.%e %^%-5l%$ [%n] %v");
    targets.push_back(console);
  }
  if (!options.dir.empty()) {
    auto file = std::make_shared<spdlog::sinks::daily_file_sink_mt>(
        options.dir + "/dalbit.log", 0, 0, false,
        static_cast<std::uint16_t>(std::clamp(options.retention_days, 1, 65535)));
    file->set_level(spdlog::level::trace);
    file->set_pattern("%Y-%m-%d %H:%M:%S.%e %-5l [%n] %v");
    targets.push_back(file);
  }
  auto sink = std::make_shared<RedactingSink>(std::move(targets));
  for (const char* name : kNames) {
    auto l = std::make_shared<spdlog::logger>(name, sink);
    l->set_level(parse_level(options.level));
    l->flush_on(spdlog::level::warn);
    spdlog::register_logger(l);
  }
}

void flush() {
  for (const char* name : kNames) {
    if (auto l = spdlog::get(name)) l->flush();
  }
}

void shutdown() {
  flush();
  spdlog::drop_all();
}

spdlog::logger& orders() { return *get_or_make("orders"); }
spdlog::logger& trading() { return *get_or_make("trading"); }
spdlog::logger& lua() { return *get_or_make("lua"); }
spdlog::logger& ws() { return *get_or_make("ws"); }
spdlog::logger& rest() { return *get_or_make("rest"); }
spdlog::logger& errors() { return *get_or_make("errors"); }

void register_secret(const Secret& secret) { register_secret(secret.reveal()); }

void register_secret(std::string_view value) {
  if (value.empty()) return;
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  if (std::find(r.secrets.begin(), r.secrets.end(), value) != r.secrets.end()) return;
  r.secrets.emplace_back(value);
  std::sort(r.secrets.begin(), r.secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string redact(std::string_view text) {
  std::string out(text);
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    for (const auto& s : r.secrets) {
      for (auto pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + kRedacted.size())) {
        out.replace(pos, s.size(), kRedacted);
      }
    }
  }
  // An Authorization header value is a token whether or not it was registered.
  for (auto pos = out.find(kBearer); pos != std::string::npos; pos = out.find(kBearer, pos + 1)) {
    const auto start = pos + kBearer.size();
    auto end = start;
    while (end < out.size() && out[end] != ' ' && out[end] != '"' && out[end] != '\'' &&
           out[end] != ',' && out[end] != '\n') {
      ++end;
    }
    if (end > start && out.compare(start, end - start, kRedacted) != 0) {
      out.replace(start, end - start, kRedacted);
    }
  }
  return out;
}

}  // namespace dalbit::log
