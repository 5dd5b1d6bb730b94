// The sandbox: each way out fails with a message that says why, and what a
// strategy legitimately needs still works.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lua_test_support.h"

namespace dalbit::lua::testing {
namespace {

using ::testing::HasSubstr;

struct Escape {
  std::string code;
  std::string message;
};

class SandboxEscape : public LuaTest, public ::testing::WithParamInterface<Escape> {};

// Each escape runs in on_bar; the error must be the sandbox's, at that line,
// and a plain Lua error: the script keeps running.
TEST_P(SandboxEscape, FailsWithAClearError) {
  run("escape", "local S = {}\nfunction S.on_bar(ctx, bar)\n" + GetParam().code + "\nend\nreturn S\n");
  host->on_bar(bar("005930", 100));
  EXPECT_EQ(host->errors("escape"), 1u) << "the escape did not fail";
  EXPECT_EQ(host->last_error("escape"), "on_bar: " + dir.script("escape") + ":3: " + GetParam().message);
  EXPECT_TRUE(host->enabled("escape"));
}

INSTANTIATE_TEST_SUITE_P(
    Sandbox, SandboxEscape,
    ::testing::Values(
        Escape{R"(io.open("/etc/passwd"))", "'io' is not available to dalbit scripts (sandbox)"},
        Escape{R"(os.execute("touch /tmp/pwned"))", "'os' is not available to dalbit scripts (sandbox)"},
        Escape{R"(local t = os.time())", "'os' is not available to dalbit scripts (sandbox)"},
        Escape{R"(require("os"))", "require \"os\": only \"dalbit.ta\" can be required by dalbit scripts (sandbox)"},
        Escape{R"(local f = load("return 1"))", "'load' is not available to dalbit scripts (sandbox)"},
        Escape{R"(loadstring("\27LJ\2")())", "'loadstring' is not available to dalbit scripts (sandbox)"},
        Escape{R"(dofile("/etc/passwd"))", "'dofile' is not available to dalbit scripts (sandbox)"},
        Escape{R"(loadfile("/etc/passwd"))", "'loadfile' is not available to dalbit scripts (sandbox)"},
        Escape{R"(local b = string.dump(function() end))", "string.dump is not available to dalbit scripts (sandbox)"},
        Escape{R"(local b = ("").dump(print))", "string.dump is not available to dalbit scripts (sandbox)"},
        Escape{R"(debug.getinfo(1))", "'debug' is not available to dalbit scripts (sandbox)"},
        Escape{R"(ffi.C.system("true"))", "'ffi' is not available to dalbit scripts (sandbox)"},
        Escape{R"(local ffi = require("ffi"))",
               "require \"ffi\": only \"dalbit.ta\" can be required by dalbit scripts (sandbox)"},
        Escape{R"(jit.on())", "'jit' is not available to dalbit scripts (sandbox)"},
        Escape{R"(package.loaded.os.exit())", "'package' is not available to dalbit scripts (sandbox)"},
        Escape{R"(setfenv(1, {}))", "'setfenv' is not available to dalbit scripts (sandbox)"},
        Escape{R"(getfenv(0).io = 1)", "'getfenv' is not available to dalbit scripts (sandbox)"},
        Escape{R"(newproxy(true))", "'newproxy' is not available to dalbit scripts (sandbox)"},
        Escape{R"(coroutine.wrap(print))", "'coroutine' is not available to dalbit scripts (sandbox)"},
        Escape{R"(module("x"))", "'module' is not available to dalbit scripts (sandbox)"},
        Escape{R"(collectgarbage())",
               R"(collectgarbage("collect") is not available to dalbit scripts; only collectgarbage("count"))"},
        Escape{R"(collectgarbage("stop"))",
               R"(collectgarbage("stop") is not available to dalbit scripts; only collectgarbage("count"))"},
        Escape{R"(rawset(ctx, "buy", print))", "rawset: ctx is read-only"},
        Escape{R"(rawset(ctx.params, "x", 1))", "rawset: ctx.params is read-only"},
        Escape{R"(ctx.buy = function() end)", "ctx is read-only"},
        Escape{R"(setmetatable(ctx.params, {}))", "cannot change a protected metatable"},
        Escape{R"(getmetatable(ctx).__index = {})", "attempt to index a string value"},
        Escape{R"(setmetatable(_G, nil))", "cannot change a protected metatable"}));

TEST_F(LuaTest, WhatStrategiesNeedStillWorks) {
  run("libs", R"(
local S = { params = { n = 3 } }
function S.on_init(ctx)
  local t = { 3, 1, 2 }
  table.sort(t, function(a, b) return a > b end)
  table.insert(t, 0)
  local ok, err = pcall(error, "inner")
  local xok = xpcall(function() error("x") end, function(e) return "handled" end)
  local s = string.format("%s|%d|%.2f|%s|%s", table.concat(t, ","), math.floor(7.9), math.sqrt(2),
                          ("abc"):upper(), string.rep("ab", 2))
  local count = collectgarbage("count")
  local keys = 0
  for _ in pairs({ a = 1, b = 2 }) do keys = keys + 1 end
  for _ in ipairs({ 1, 2, 3 }) do keys = keys + 1 end
  local m = setmetatable({}, { __index = function(_, k) return k .. "!" end })
  ctx:log("%s %s %s %s %s %d %s %s %s", s, tostring(ok), err, tostring(xok), type(count), keys, m.hi,
          select("#", 1, 2), tostring(rawget({ z = 1 }, "z")))
  rawset(_G, "made_global", true)
  undefined_global_is_nil = (some_undefined_name == nil)
  ctx:log("%s %s %s", tostring(made_global), tostring(undefined_global_is_nil), string.match("005930", "^%d+$"))
end
return S
)");
  EXPECT_EQ(host->errors("libs"), 0u) << host->last_error("libs");
  EXPECT_THAT(logs->text(), HasSubstr("[libs] 3,2,1,0|7|1.41|ABC|abab false inner false number 5 hi! 2 1\n"));
  EXPECT_THAT(logs->text(), HasSubstr("[libs] true true 005930\n"));
}

TEST_F(LuaTest, EachStrategyHasItsOwnGlobals) {
  dir.write("a", "shared = 'from a'\nreturn { on_init = function(ctx) ctx:log('%s', tostring(shared)) end }\n");
  dir.write("b", "return { on_init = function(ctx) ctx:log('%s', tostring(shared)) end }\n");
  load({"a", "b"}).on_init();
  EXPECT_THAT(logs->text(), HasSubstr("[a] from a\n[b] nil\n"));
}

}  // namespace
}  // namespace dalbit::lua::testing
