#include <cstdio>
#include <filesystem>
#include <system_error>

#include "app/commands.h"
#include "core/clock.h"
#include "store/backup.h"

namespace dalbit::app {

int backup(const BackupOptions& o) {
  std::error_code ec;
  // Checked here, not left to SQLite, so that a typo is bad usage (2), not a failed backup (1).
  if (!std::filesystem::is_regular_file(o.store, ec)) {
    std::fprintf(stderr, "dalbit backup: --store %s: no such database file\n", o.store.c_str());
    return kExitBadInput;
  }
  WallClock clock;
  const Timestamp now = clock.now();
  const std::string dest = (std::filesystem::path(o.out) / store::backup_name(kst_date(now))).string();
  if (auto s = store::backup_database(o.store, dest); !s) {
    std::fprintf(stderr, "dalbit backup: %s\n", s.message().c_str());
    return kExitFailed;
  }
  std::printf("dalbit backup: %s -> %s\n", o.store.c_str(), dest.c_str());
  if (o.keep_days > 0) {
    auto removed = store::prune_backups(o.out, o.keep_days, now);
    if (!removed) {
      std::fprintf(stderr, "dalbit backup: %s\n", removed.error().message.c_str());
      return kExitFailed;
    }
    std::printf("dalbit backup: removed %d backup(s) older than %d days from %s\n", *removed, o.keep_days,
                o.out.c_str());
  }
  return kExitOk;
}

}  // namespace dalbit::app
