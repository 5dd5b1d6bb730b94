#include "lua/watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "log/log.h"
#include "lua/script.h"

namespace dalbit::lua {

Result<std::unique_ptr<ScriptWatcher>> ScriptWatcher::open(const std::vector<Dir>& dirs,
                                                           std::chrono::milliseconds debounce) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return Error{fmt::format("cannot watch the scripts: inotify_init1: {}", std::strerror(errno))};
  std::unique_ptr<ScriptWatcher> watcher(new ScriptWatcher(fd, debounce));
  for (const Dir& dir : dirs) {
    const int wd = ::inotify_add_watch(fd, dir.path.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR);
    if (wd < 0) return Error{fmt::format("cannot watch {}: {}", dir.path, std::strerror(errno))};
    watcher->prefixes_[wd] = dir.prefix;
  }
  return watcher;
}

ScriptWatcher::~ScriptWatcher() { ::close(fd_); }

void ScriptWatcher::read_events(std::chrono::steady_clock::time_point now) {
  alignas(inotify_event) char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n <= 0) {
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        log::lua().error("watching the scripts: read: {}", std::strerror(errno));
      }
      if (n < 0 && errno == EINTR) continue;
      return;
    }
    for (ssize_t at = 0; at < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      if ((event->mask & IN_Q_OVERFLOW) != 0) {
        log::lua().warn("watching the scripts: the kernel dropped events; save the script again to reload it");
        continue;
      }
      const auto prefix = prefixes_.find(event->wd);
      if (prefix == prefixes_.end() || event->len == 0) continue;
      const std::string_view file(event->name);  // NUL-padded to len
      constexpr std::string_view kExtension = ".lua";
      if (!file.ends_with(kExtension)) continue;
      const std::string_view stem = file.substr(0, file.size() - kExtension.size());
      if (!detail::valid_script_name(stem)) continue;
      pending_[prefix->second + std::string(stem)] = now;
    }
  }
}

std::vector<std::string> ScriptWatcher::poll(std::chrono::steady_clock::time_point now) {
  read_events(now);
  std::vector<std::string> ready;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now - it->second >= debounce_) {
      ready.push_back(it->first);
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return ready;
}

}  // namespace dalbit::lua
