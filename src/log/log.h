// Category loggers (orders, trading, lua, ws, rest, errors) over spdlog, with a
// redaction layer in front of every sink: any registered secret (app key,
// secret key, token, bot token) is replaced by "<redacted>" before a line is
// written anywhere, whoever logged it and however it was formatted.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "core/secret.h"

namespace dalbit::log {

struct Options {
  std::string dir;              // daily files go here; empty: no files
  std::string level = "info";   // trace, debug, info, warn, error
  std::string console_level = "info";
  int retention_days = 14;      // daily files kept
  bool console = true;
};

// (Re)creates every category logger with the given sinks. Safe to call again.
void init(const Options& options);
void flush();
// Flushes and drops every logger (at exit, and in tests that re-init).
void shutdown();

spdlog::logger& orders();
spdlog::logger& trading();
spdlog::logger& lua();
spdlog::logger& ws();
spdlog::logger& rest();
spdlog::logger& errors();

// From now on `secret` never appears in a log line. Empty secrets are ignored.
void register_secret(const Secret& secret);
void register_secret(std::string_view value);
// Replaces every registered secret and every "Bearer <token>" in `text`.
[[nodiscard]] std::string redact(std::string_view text);

}  // namespace dalbit::log
