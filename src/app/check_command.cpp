#include <cstdio>
#include <filesystem>

#include "app/commands.h"
#include "config/config.h"
#include "core/clock.h"
#include "log/log.h"
#include "lua/check.h"

namespace dalbit::app {
namespace {

// scripts/risk/x.lua is a risk script; anything else a strategy unless --risk names it.
bool in_risk_dir(const std::string& path) {
  return std::filesystem::path(path).parent_path().filename() == "risk";
}

}  // namespace

int check(const CheckOptions& o) {
  if (o.strategies.empty() && o.risk.empty()) {
    std::fprintf(stderr, "dalbit check: give the script files to check\n");
    return kExitBadInput;
  }
  // Loading scripts logs what it notices; here the diagnostics say it, once.
  log::init({.dir = "", .level = "off", .console_level = "off", .console = false});
  std::optional<config::Config> cfg;
  if (!o.config.empty()) {
    auto loaded = config::load(o.config);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
      return kExitBadInput;
    }
    cfg = std::move(*loaded);
  }
  lua::CheckOptions options;
  options.config_path = o.config;
  options.now = WallClock().now();
  if (cfg) {
    options.call_budget = std::chrono::milliseconds(cfg->lua.call_budget_ms);
    options.memory_budget = static_cast<std::size_t>(cfg->lua.memory_budget_mb) << 20;
  }
  int errors = 0, warnings = 0;
  const auto run = [&](const std::string& file, lua::ScriptKind kind) {
    options.params = !cfg ? nullptr : kind == lua::ScriptKind::Strategy ? &cfg->strategies : &cfg->risk_scripts;
    for (const auto& d : lua::check_script(file, kind, options)) {
      std::printf("%s\n", lua::describe(d).c_str());
      ++(d.error ? errors : warnings);
    }
  };
  for (const auto& file : o.strategies) {
    run(file, in_risk_dir(file) ? lua::ScriptKind::Risk : lua::ScriptKind::Strategy);
  }
  for (const auto& file : o.risk) run(file, lua::ScriptKind::Risk);
  const std::size_t files = o.strategies.size() + o.risk.size();
  std::fprintf(stderr, "dalbit check: %zu file%s, %d error%s, %d warning%s\n", files, files == 1 ? "" : "s", errors,
               errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
  log::shutdown();
  return errors > 0 ? kExitFailed : kExitOk;
}

}  // namespace dalbit::app
