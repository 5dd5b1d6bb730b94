// `dalbit check`: compiles and lints a script in the real sandbox, without
// trading (docs/lua-api.md "Checking a script").
//
//   lua::CheckOptions options{.params = &cfg.strategies, .config_path = cfg.path, .now = WallClock().now()};
//   for (const auto& d : lua::check_script("scripts/strategies/rsi.lua", lua::ScriptKind::Strategy, options)) {
//     std::puts(lua::describe(d).c_str());          // "scripts/strategies/rsi.lua:12: reads undefined global 'rsl'"
//   }
//
// What it finds:
//  - syntax errors, errors in the top-level code, in on_init and in self_check
//    (run against an engine that refuses every intent), with their lines;
//  - globals: every read of a global the sandbox does not have and every
//    assignment to a global, found in the bytecode (LuaJIT's jit.util), so
//    code that never runs is checked too;
//  - ctx methods that do not exist for the script's kind, and ctx.method(...)
//    calls without the colon, found in the source (a variable named `ctx`);
//  - callbacks: misspelt ones (S.on_bars), none that could ever run, and ones
//    the script's subscriptions after on_init would never deliver;
//  - params: config params the script does not declare or gives another type
//    (errors), declared params the config does not set (warnings).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/time.h"

namespace dalbit::lua {

enum class ScriptKind : std::uint8_t { Strategy, Risk };

struct Diagnostic {
  std::string file;
  int line = 0;       // 1-based; 0 when the problem is the whole file
  std::string message;
  bool error = true;  // false: a warning, which does not fail the check
};
// "file:line: message", "file:line: warning: message" ("file: ..." without a line).
[[nodiscard]] std::string describe(const Diagnostic& d);

struct CheckOptions {
  // The config's params for scripts of this kind (strategies or
  // risk_scripts); null when no config was given (nothing to compare).
  const std::map<std::string, config::Params>* params = nullptr;
  std::string config_path;  // names the config in messages
  std::chrono::microseconds call_budget{5000};
  std::size_t memory_budget = 64u << 20;
  Timestamp now{};  // what ctx:now() says during the dry run
};

// Everything wrong with the script at `path`, errors and warnings, by line.
// The script's name is its file name without ".lua".
[[nodiscard]] std::vector<Diagnostic> check_script(const std::string& path, ScriptKind kind,
                                                   const CheckOptions& options);

}  // namespace dalbit::lua
