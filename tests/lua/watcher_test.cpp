// ScriptWatcher: a saved script is reported once its file has been quiet for
// the debounce; the host reloads it between two events.
#include "lua/watcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class Watcher : public LuaTest {
 protected:
  void SetUp() override {
    LuaTest::SetUp();
    std::filesystem::create_directories(risk_dir());
    auto opened = ScriptWatcher::open({{dir.str(), ""}, {risk_dir(), "risk/"}}, 100ms);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    watcher = std::move(*opened);
  }
  [[nodiscard]] std::string risk_dir() const { return dir.str() + "/risk"; }
  void write_file(const std::string& path, const std::string& text) const { std::ofstream(path) << text; }

  std::unique_ptr<ScriptWatcher> watcher;
  const Clock::time_point t0 = Clock::now();
};

TEST_F(Watcher, ReportsASaveOnceTheFileHasBeenQuietForTheDebounce) {
  dir.write("rsi", "return {}\n");
  EXPECT_THAT(watcher->poll(t0), IsEmpty());
  EXPECT_THAT(watcher->poll(t0 + 99ms), IsEmpty());
  EXPECT_THAT(watcher->poll(t0 + 100ms), ElementsAre("rsi"));
  EXPECT_THAT(watcher->poll(t0 + 500ms), IsEmpty());
}

TEST_F(Watcher, SeveralWritesMakeOneReload) {
  dir.write("rsi", "return {}\n");
  dir.write("rsi", "return { }\n");
  EXPECT_THAT(watcher->poll(t0), IsEmpty());
  dir.write("rsi", "return {  }\n");
  EXPECT_THAT(watcher->poll(t0 + 80ms), IsEmpty());
  EXPECT_THAT(watcher->poll(t0 + 150ms), IsEmpty());  // the last write was seen at +80 ms
  EXPECT_THAT(watcher->poll(t0 + 180ms), ElementsAre("rsi"));
}

TEST_F(Watcher, SeesAFileRenamedIntoPlace) {
  const std::string temporary = dir.str() + "/.rsi.lua.swp";
  write_file(temporary, "return {}\n");
  std::filesystem::rename(temporary, dir.script("rsi"));
  EXPECT_THAT(watcher->poll(t0), IsEmpty());
  EXPECT_THAT(watcher->poll(t0 + 1s), ElementsAre("rsi"));
}

TEST_F(Watcher, RiskScriptsAreNamedWithTheirPrefix) {
  write_file(risk_dir() + "/rebuy.lua", "return {}\n");
  dir.write("b", "return {}\n");
  dir.write("a", "return {}\n");
  EXPECT_THAT(watcher->poll(t0), IsEmpty());
  EXPECT_THAT(watcher->poll(t0 + 1s), ElementsAre("a", "b", "risk/rebuy"));
}

TEST_F(Watcher, IgnoresFilesThatAreNotScripts) {
  for (const char* name : {"notes.txt", "bad name.lua", "rsi.lua~", "4913", ".lua", "a.b.lua"}) {
    write_file(dir.str() + "/" + name, "x");
  }
  EXPECT_THAT(watcher->poll(t0), IsEmpty());
  EXPECT_THAT(watcher->poll(t0 + 1s), IsEmpty());
}

TEST_F(Watcher, AMissingDirectoryIsAnError) {
  const auto opened = ScriptWatcher::open({{dir.str() + "/nope", ""}}, 100ms);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().message, "cannot watch " + dir.str() + "/nope: No such file or directory");
}

TEST_F(Watcher, ASavedStrategyIsReloadedBetweenTwoEvents) {
  dir.write("s", "return { on_bar = function(ctx, b) ctx:log('v1 %d', b.close) end }\n");
  Host& h = load({"s"});
  h.on_init();
  EXPECT_THAT(watcher->poll(t0), IsEmpty());
  EXPECT_THAT(watcher->poll(t0 + 1s), ElementsAre("s"));  // the first write, before the host loaded it
  h.on_bar(bar("005930", 1));
  dir.write("s", "return { on_bar = function(ctx, b) ctx:log('v2 %d', b.close) end }\n");
  EXPECT_THAT(watcher->poll(t0 + 2s), IsEmpty());  // seen now, reported once quiet
  for (const auto& name : watcher->poll(t0 + 3s)) {
    if (h.has(name)) {
      ASSERT_TRUE(h.reload(name).ok());
    }
  }
  h.on_bar(bar("005930", 2));
  EXPECT_THAT(logs->text(), HasSubstr("[s] v1 1\n[s] reloaded\n[s] v2 2\n"));
}

}  // namespace
}  // namespace dalbit::lua::testing
