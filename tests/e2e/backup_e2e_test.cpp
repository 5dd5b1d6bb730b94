// `dalbit backup` run as a process, as cron would, next to a writer that
// holds a write transaction open.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kDalbit = std::string(DALBIT_BINARY_DIR) + "/src/app/dalbit";

class Db {
 public:
  explicit Db(const fs::path& p) { EXPECT_EQ(sqlite3_open(p.c_str(), &db_), SQLITE_OK) << p; }
  ~Db() { sqlite3_close(db_); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << sql << ": " << (err ? err : "");
    sqlite3_free(err);
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    std::string v = "<no row>";
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
    if (sqlite3_step(s) == SQLITE_ROW) v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
  }

 private:
  sqlite3* db_ = nullptr;
};

class BackupE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dalbit-backup-e2e-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "backups");
  }
  void TearDown() override { fs::remove_all(dir_); }

  int run(const std::string& args) {
    const std::string cmd = kDalbit + " backup " + args + " >" + (dir_ / "out.txt").string() + " 2>" +
                            (dir_ / "err.txt").string();
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string err() const {
    std::ifstream in(dir_ / "err.txt");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
};

TEST_F(BackupE2E, CopiesWhatIsCommittedWhileAWriterHoldsItsTransactionAndPrunes) {
  const auto store = dir_ / "dalbit.db";
  Db writer(store);
  writer.exec("PRAGMA journal_mode = WAL; CREATE TABLE fills (id TEXT); INSERT INTO fills VALUES ('F1'), ('F2');");
  writer.exec("BEGIN IMMEDIATE; INSERT INTO fills VALUES ('uncommitted');");
  const auto backups = dir_ / "backups";
  const std::set<std::string> before = {"dalbit-20200101.db", "dalbit-20991231.db", "notes.txt",
                                        "dalbit-20200101.db.partial"};
  for (const auto& name : before) std::ofstream(backups / name) << "old";

  ASSERT_EQ(run("--store " + store.string() + " --out " + backups.string() + " --keep-days 3"), 0) << err();
  writer.exec("COMMIT");

  std::set<std::string> after;
  for (const auto& e : fs::directory_iterator(backups)) after.insert(e.path().filename().string());
  EXPECT_FALSE(after.count("dalbit-20200101.db")) << "older than 3 days";
  for (const auto& kept : {"dalbit-20991231.db", "notes.txt", "dalbit-20200101.db.partial"}) {
    EXPECT_TRUE(after.count(kept)) << kept;
  }
  std::string made;
  for (const auto& name : after) {
    if (!before.count(name)) made = name;
  }
  ASSERT_EQ(after.size(), before.size()) << "one removed, one written";
  EXPECT_THAT(made, ::testing::MatchesRegex("dalbit-20[0-9]{6}\\.db"));
  Db copy(backups / made);
  EXPECT_EQ(copy.text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(copy.text("SELECT group_concat(id, ',') FROM fills"), "F1,F2");
}

TEST_F(BackupE2E, BadUsageExitsTwoAndWritesNothing) {
  EXPECT_EQ(run("--store " + (dir_ / "missing.db").string() + " --out " + (dir_ / "backups").string()), 2);
  EXPECT_THAT(err(), HasSubstr("no such database file"));
  EXPECT_FALSE(fs::exists(dir_ / "missing.db"));
  Db(dir_ / "dalbit.db").exec("CREATE TABLE t (x INTEGER)");
  EXPECT_EQ(run("--store " + (dir_ / "dalbit.db").string() + " --out " + (dir_ / "backups").string() +
                " --keep-days 0"),
            2);
  EXPECT_EQ(run("--store " + (dir_ / "dalbit.db").string() + " --out " + (dir_ / "backups").string() +
                " --keep-days 36601"),
            2);
  EXPECT_EQ(run("--store " + (dir_ / "dalbit.db").string()), 2);  // --out is required
  EXPECT_TRUE(fs::is_empty(dir_ / "backups"));
}

}  // namespace
