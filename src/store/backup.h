// Online backups of the store: one file a day, dalbit-YYYYMMDD.db (KST), each
// a complete database on its own (rollback-journal mode, no -wal beside it),
// opened with any SQLite tool.
//
//   backup_database("var/dalbit.db", "var/backup/" + backup_name(kst_date(now)));
//   prune_backups("var/backup", 14, now);   // keeps the last 14 days
//
// A backup is written to <name>.partial and renamed when complete, so a file
// with a backup name is never half written.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"

namespace dalbit::store {

// "dalbit-20261125.db"
[[nodiscard]] std::string backup_name(KstDate day);
// The day in a name made by backup_name; none for any other name.
[[nodiscard]] std::optional<KstDate> parse_backup_name(std::string_view file_name);

// Copies the store at `source` to `dest` over a read-only connection: nothing
// in `source` changes (no migration), its schema version does not matter, and
// an engine may keep writing to it meanwhile. Missing parent directories of
// `dest` are created; an existing `dest` is replaced.
Status backup_database(const std::string& source, const std::string& dest);

// Removes from `dir` the backups (names made by backup_name; nothing else is
// touched) of days more than `keep_days` days before now's KST date: with
// keep_days 7 on the 25th, the 19th to the 25th stay. keep_days must be 1 to
// 36600 (a hundred years). Returns how many files were removed.
Result<int> prune_backups(const std::string& dir, int keep_days, Timestamp now);

}  // namespace dalbit::store
