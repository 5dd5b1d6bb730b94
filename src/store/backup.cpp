#include "store/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <memory>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <sqlite3.h>

#include "store/sqlite_copy.h"
#include "store/store.h"

namespace dalbit::store {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "dalbit-";
constexpr std::string_view kSuffix = ".db";
// How long the copy waits for a lock (WAL recovery by another connection)
// before giving up; the same patience as the store's writes.
constexpr int kBusyWaitMs = 5000;
constexpr int kBusyStepMs = 50;
constexpr int kMaxKeepDays = 36'600;  // a hundred years

struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;

Error sqlite_error(sqlite3* db, std::string_view what) {
  return Error{fmt::format("store: {}: {} (sqlite code {})", what, sqlite3_errmsg(db),
                           db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM)};
}

Result<Database> open_database(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) return sqlite_error(db.get(), fmt::format("open {}", path));
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kBusyWaitMs);
  return db;
}

// Makes the rename itself durable, not only the file's bytes.
Status sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error{fmt::format("store: backup: open directory {}: {}", dir.string(),
                                       std::error_code(errno, std::generic_category()).message())};
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Error{fmt::format("store: backup: fsync directory {}: {}", dir.string(),
                                        std::error_code(err, std::generic_category()).message())};
  return {};
}

// Runs the whole copy as one step, that is one read transaction on the
// source: the copy is a consistent snapshot, and under WAL a writer is never
// blocked by it (a copy in several steps would restart whenever another
// connection writes, and might never finish under a busy engine).
Status copy_pages(sqlite3* source, sqlite3* dest, const std::string& what) {
  sqlite3_backup* backup = sqlite3_backup_init(dest, "main", source, "main");
  if (!backup) return sqlite_error(dest, what);
  int rc = SQLITE_OK;
  for (int waited = 0;; waited += kBusyStepMs) {
    rc = sqlite3_backup_step(backup, -1);
    if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || waited >= kBusyWaitMs) break;
    sqlite3_sleep(kBusyStepMs);
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return Error{fmt::format("store: {}: {} (sqlite code {})", what, sqlite3_errstr(rc), rc)};
  }
  return {};
}

// The copy keeps the source's header, which marks a WAL database; a backup is
// better as one self-contained file. Reopened, so the connection reads that header.
Status make_self_contained(const std::string& path, const std::string& what) {
  auto db = open_database(path, SQLITE_OPEN_READWRITE);
  if (!db) return Error{db.error().message};
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db->get(), "PRAGMA journal_mode = DELETE", -1, &raw, nullptr) != SQLITE_OK) {
    return sqlite_error(db->get(), what);
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return sqlite_error(db->get(), what);
  const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
  if (!mode || std::string_view(mode) != "delete") {
    return Error{fmt::format("store: {}: journal_mode stays '{}'", what, mode ? mode : "")};
  }
  stmt.reset();
  if (sqlite3_close(db->release()) != SQLITE_OK) return Error{fmt::format("store: {}: close failed", what)};
  return {};
}

}  // namespace

std::string backup_name(KstDate day) { return fmt::format("{}{:08}{}", kPrefix, day.yyyymmdd(), kSuffix); }

std::optional<KstDate> parse_backup_name(std::string_view name) {
  if (name.size() != kPrefix.size() + 8 + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  const auto digits = name.substr(kPrefix.size(), 8);
  int yyyymmdd = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), yyyymmdd);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  const KstDate day{yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100};
  if (!valid_date(day)) return std::nullopt;
  return day;
}

Status copy_database(sqlite3* source, const std::string& dest) {
  const std::string what = fmt::format("backup to {}", dest);
  if (dest.empty()) return Error{"store: backup: empty destination path"};
  if (!sqlite3_get_autocommit(source)) {
    return Error{fmt::format("store: {}: refused inside a transaction (it would copy uncommitted writes)", what)};
  }
  const fs::path target(dest);
  std::error_code ec;
  const char* source_file = sqlite3_db_filename(source, "main");
  if (source_file && *source_file && fs::weakly_canonical(source_file, ec) == fs::weakly_canonical(target, ec)) {
    return Error{fmt::format("store: {}: that is the database itself", what)};
  }
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Error{fmt::format("store: {}: create {}: {}", what, target.parent_path().string(), ec.message())};
  }
  // Whatever a crashed backup left here is stale.
  const std::string partial = dest + ".partial";
  for (const auto& stale : {partial, partial + "-journal"}) {
    fs::remove(stale, ec);
    if (ec) return Error{fmt::format("store: {}: remove {}: {}", what, stale, ec.message())};
  }
  {
    auto out = open_database(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!out) return Error{out.error().message};
    if (auto s = copy_pages(source, out->get(), what); !s) {
      out->reset();
      fs::remove(partial, ec);
      return s;
    }
    if (sqlite3_close(out->release()) != SQLITE_OK) return Error{fmt::format("store: {}: close failed", what)};
  }
  if (auto s = make_self_contained(partial, what); !s) return s;
  fs::rename(partial, target, ec);
  if (ec) return Error{fmt::format("store: {}: rename {}: {}", what, partial, ec.message())};
  return sync_directory(target.parent_path());
}

Status backup_database(const std::string& source, const std::string& dest) {
  if (source.empty()) return Error{"store: backup: empty source path"};
  std::error_code ec;
  // A read-only open of a missing file would fail anyway, but less clearly.
  if (!fs::is_regular_file(source, ec)) return Error{fmt::format("store: backup: no database file at {}", source)};
  (void)route_sqlite_log();  // best effort: the store logs why when it cannot
  auto db = open_database(source, SQLITE_OPEN_READONLY);
  if (!db) return Error{db.error().message};
  return copy_database(db->get(), dest);
}

Result<int> prune_backups(const std::string& dir, int keep_days, Timestamp now) {
  // The upper bound keeps the date arithmetic (in nanoseconds) far from overflowing.
  if (keep_days < 1 || keep_days > kMaxKeepDays) {
    return Error{fmt::format("store: prune backups in {}: keep_days is {}, must be 1 to {}", dir, keep_days,
                             kMaxKeepDays)};
  }
  // KST has no daylight saving: a day is always 24 hours.
  const KstDate oldest_kept =
      kst_date(kst_midnight(now) - std::chrono::hours(24) * static_cast<std::int64_t>(keep_days - 1));
  std::error_code ec;
  std::vector<fs::path> expired;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const auto day = parse_backup_name(it->path().filename().string());
    if (day && *day < oldest_kept && it->is_regular_file(ec)) expired.push_back(it->path());
  }
  if (ec) return Error{fmt::format("store: prune backups in {}: {}", dir, ec.message())};
  int removed = 0;
  for (const auto& file : expired) {
    // False without an error: someone else removed it first, which is fine.
    if (fs::remove(file, ec)) ++removed;
    if (ec) {
      return Error{fmt::format("store: prune backups: remove {}: {} (removed {} before it)", file.string(),
                               ec.message(), removed)};
    }
  }
  return removed;
}

}  // namespace dalbit::store
