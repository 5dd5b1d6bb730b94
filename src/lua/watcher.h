// Watches the script directories for saved files, for hot reload (Linux
// inotify; non-blocking).
//
//   auto watcher = lua::ScriptWatcher::open({{cfg.lua.strategies_dir, ""}, {cfg.lua.risk_dir, "risk/"}},
//                                           std::chrono::milliseconds(cfg.lua.reload_debounce_ms));
//   // On the engine thread between two events, when fd() is readable or on a short timer:
//   for (const auto& name : (*watcher)->poll(std::chrono::steady_clock::now())) {
//     if (host.has(name)) (void)host.reload(name);   // failures are logged and reported by the host
//   }
//
// A save is a file closed after writing (IN_CLOSE_WRITE) or renamed into the
// directory (IN_MOVED_TO: editors that write a temporary file and rename it).
// A script is ready once its file has been quiet for the debounce, so an
// editor's several writes make one reload. Only <name>.lua files with a valid
// script name count; swap and backup files are ignored.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace dalbit::lua {

class ScriptWatcher {
 public:
  struct Dir {
    std::string path;
    std::string prefix;  // put before the names of its scripts: "" for strategies, "risk/" for risk scripts
  };

  // Fails naming the directory that cannot be watched (missing, no permission, no inotify).
  [[nodiscard]] static Result<std::unique_ptr<ScriptWatcher>> open(const std::vector<Dir>& dirs,
                                                                   std::chrono::milliseconds debounce);
  ~ScriptWatcher();
  ScriptWatcher(const ScriptWatcher&) = delete;
  ScriptWatcher& operator=(const ScriptWatcher&) = delete;

  // Reads what the kernel queued (never blocks) and returns, sorted, the
  // scripts saved at least `debounce` before `now` and not since; each once.
  [[nodiscard]] std::vector<std::string> poll(std::chrono::steady_clock::time_point now);
  // The inotify descriptor, readable when something changed (for an event loop).
  [[nodiscard]] int fd() const { return fd_; }

 private:
  ScriptWatcher(int fd, std::chrono::milliseconds debounce) : fd_(fd), debounce_(debounce) {}
  void read_events(std::chrono::steady_clock::time_point now);

  int fd_;
  std::chrono::milliseconds debounce_;
  std::map<int, std::string> prefixes_;  // watch descriptor -> its directory's prefix
  std::map<std::string, std::chrono::steady_clock::time_point> pending_;  // name -> last save seen
};

}  // namespace dalbit::lua
