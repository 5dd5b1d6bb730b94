#include "lua/vm.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <luajit.h>

#include "log/log.h"

namespace dalbit::lua::detail {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The hook reads the clock every this many VM instructions: a few
// microseconds of interpreted work, so a runaway loop overshoots its budget by
// that much while a normal call pays for no more than one clock read.
constexpr int kHookInstructions = 1000;

// A growth of at least this many bytes also checks the time budget: between
// two hook checks a script may make up to 1000 calls that each allocate (and
// fault in) megabytes, which the instruction count alone would let run for
// hundreds of milliseconds. Healthy scripts rarely allocate this much at once.
constexpr std::size_t kClockedAllocation = 64u << 10;

// The most one gap between two budget checks may charge, as a fraction of the
// budget. A gap is the OS pausing the engine thread, a slow engine call or one
// long C function (sorting a huge table): one such gap never stops a script by
// itself, and a script that keeps making them is stopped after a few.
constexpr int kChargedGapsPerBudget = 2;

// Slots of the main stack that hold the call path's two C functions, so a
// call reads them without a registry lookup; nothing else stays on that stack.
constexpr int kHandlerSlot = 1;
constexpr int kTrampolineSlot = 2;
constexpr int kRestingTop = 2;

// Registry keys (a script has no way to reach the registry).
constexpr const char* kProtectedKey = "dalbit.protected";
constexpr const char* kFormatKey = "dalbit.string.format";
constexpr const char* kNextKey = "dalbit.next";

// Globals a script must not have. Reading one raises a message that says so,
// instead of the puzzling "attempt to index a nil value".
constexpr std::array<std::string_view, 16> kForbiddenGlobals = {
    "io",      "os",       "debug",   "ffi",     "jit",     "package",
    "load",     "loadstring", "loadfile", "dofile", "getfenv",
    "setfenv", "module",   "newproxy", "coroutine", "gcinfo"};
constexpr const char* kModulesKey = "dalbit.modules";  // name -> opener, then the opened module

bool forbidden(std::string_view name) {
  for (const auto f : kForbiddenGlobals) {
    if (f == name) return true;
  }
  return false;
}

int global_index(lua_State* L) {
  if (lua_type(L, 2) == LUA_TSTRING && forbidden(lua_tostring(L, 2))) {
    return luaL_error(L, "'%s' is not available to dalbit scripts (sandbox)", lua_tostring(L, 2));
  }
  return 0;
}

// require of the modules registered with Vm::register_module, and nothing else.
int sandboxed_require(lua_State* L) {
  const char* name = luaL_checkstring(L, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, kModulesKey);
  lua_getfield(L, -1, name);
  if (lua_isnil(L, -1)) {
    return luaL_error(L, "require \"%s\": only \"dalbit.ta\" can be required by dalbit scripts (sandbox)", name);
  }
  if (lua_iscfunction(L, -1)) {
    lua_call(L, 0, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, name);
  }
  return 1;
}

int no_string_dump(lua_State* L) {
  return luaL_error(L, "string.dump is not available to dalbit scripts (sandbox)");
}

int count_only_collectgarbage(lua_State* L) {
  const char* option = luaL_optstring(L, 1, "collect");
  if (std::strcmp(option, "count") != 0) {
    return luaL_error(L, "collectgarbage(\"%s\") is not available to dalbit scripts; only "
                         "collectgarbage(\"count\")", option);
  }
  lua_pushnumber(L, lua_gc(L, LUA_GCCOUNT, 0) + lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
  return 1;
}

// rawset that refuses protected values (ctx, ctx.params); upvalue 1 is the
// library's rawset.
int guarded_rawset(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kProtectedKey);
  lua_pushvalue(L, 1);
  lua_rawget(L, -2);
  if (lua_type(L, -1) == LUA_TSTRING) return luaL_error(L, "rawset: %s is read-only", lua_tostring(L, -1));
  lua_settop(L, 3);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 3, 1);
  return 1;
}

// pairs that honours __pairs (Lua 5.2 style; this LuaJIT is built without
// 5.2 compatibility), so read-only views iterate; upvalue 1 is `next`.
int pairs_with_metamethod(lua_State* L) {
  if (luaL_getmetafield(L, 1, "__pairs")) {
    lua_pushvalue(L, 1);
    lua_call(L, 1, 3);
    return 3;
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

// xpcall whose handler runs once the failed call is unwound, as a plain call.
// LuaJIT runs an xpcall handler inside the count hook when the hook raised the
// error, and hooks are off there: a looping handler could never be stopped.
// Scripts have no debug library, so a handler loses nothing by running later.
int unwound_xpcall(lua_State* L) {
  luaL_checkany(L, 2);
  const int n = lua_gettop(L);
  luaL_checkstack(L, n, "too many arguments to xpcall");
  lua_pushvalue(L, 1);
  for (int i = 3; i <= n; ++i) lua_pushvalue(L, i);
  if (lua_pcall(L, n - 2, LUA_MULTRET, 0) == 0) {
    lua_pushboolean(L, 1);
    lua_insert(L, n + 1);
    return lua_gettop(L) - n;
  }
  lua_pushvalue(L, 2);
  lua_insert(L, -2);
  lua_call(L, 1, 1);
  lua_pushboolean(L, 0);
  lua_insert(L, -2);
  return 2;
}

int refuse_write(lua_State* L) {
  return luaL_error(L, "%s is read-only", lua_tostring(L, lua_upvalueindex(1)));
}

// __pairs of a read-only view: upvalue 1 is `next`, upvalue 2 the real table.
int read_only_pairs(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_pushnil(L);
  return 3;
}

int absolute(lua_State* L, int index) {
  return index < 0 && index > LUA_REGISTRYINDEX ? lua_gettop(L) + index + 1 : index;
}

int panic(lua_State* L) {
  // Unreachable by design (see vm.h); if it happens, the process cannot continue safely.
  const char* message = lua_tostring(L, -1);
  log::errors().critical("Lua panic (unprotected error): {}", message ? message : "?");
  log::flush();
  std::abort();
}

}  // namespace

std::string describe(std::chrono::microseconds d) {
  const auto us = d.count();
  return us % 1000 == 0 ? fmt::format("{} ms", us / 1000) : fmt::format("{} us", us);
}

std::string describe_bytes(std::size_t bytes) {
  if (bytes % (1u << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes % (1u << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

Vm::Vm(std::string label, std::string script_path, Budgets budgets)
    : label_(std::move(label)),
      script_path_(std::move(script_path)),
      budgets_(budgets),
      live_limit_(budgets.memory - budgets.memory / 4),
      max_gap_(budgets.call / kChargedGapsPerBudget) {}

Vm::~Vm() {
  if (L_ != nullptr) lua_close(L_);
}

Result<std::unique_ptr<Vm>> Vm::create(std::string label, std::string script_path, Budgets budgets) {
  std::unique_ptr<Vm> vm(new Vm(std::move(label), std::move(script_path), budgets));
  vm->L_ = lua_newstate(&Vm::allocate, vm.get());
  if (vm->L_ == nullptr) {
    return Error{fmt::format("{}: cannot create a Lua state within a memory budget of {}",
                             vm->script_path_, describe_bytes(budgets.memory))};
  }
  lua_atpanic(vm->L_, panic);
  // The budget only holds for interpreted code: hooks do not run inside traces.
  if (luaJIT_setmode(vm->L_, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF) == 0) {
    return Error{fmt::format("{}: cannot turn the JIT off for the script's state", vm->script_path_)};
  }
  if (lua_cpcall(vm->L_, &Vm::setup, vm.get()) != 0) {
    const char* message = lua_tostring(vm->L_, -1);
    return Error{fmt::format("{}: cannot set up the sandbox: {}", vm->script_path_,
                             message ? message : "unknown error")};
  }
  // The handler and the trampoline stay in the main stack's first slots
  // (reading them back from the registry allocates nothing).
  lua_rawgeti(vm->L_, LUA_REGISTRYINDEX, vm->handler_ref_);
  lua_rawgeti(vm->L_, LUA_REGISTRYINDEX, vm->trampoline_ref_);
  lua_sethook(vm->L_, &Vm::count_hook, LUA_MASKCOUNT, kHookInstructions);
  return vm;
}

// Opens the vetted libraries and closes the sandbox's doors (runs protected,
// before any script code).
int Vm::setup(lua_State* L) {
  Vm& vm = *static_cast<Vm*>(lua_touserdata(L, 1));
  const luaL_Reg libraries[] = {{"", luaopen_base},
                                {LUA_TABLIBNAME, luaopen_table},
                                {LUA_STRLIBNAME, luaopen_string},
                                {LUA_MATHLIBNAME, luaopen_math}};
  for (const auto& lib : libraries) {
    lua_pushcfunction(L, lib.func);
    lua_pushstring(L, lib.name);
    lua_call(L, 1, 0);
  }

  lua_getglobal(L, "string");
  lua_getfield(L, -1, "format");
  lua_setfield(L, LUA_REGISTRYINDEX, kFormatKey);
  // The same table is the strings' __index, so ("").dump goes too.
  lua_pushcfunction(L, no_string_dump);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);

  lua_getglobal(L, "next");
  lua_setfield(L, LUA_REGISTRYINDEX, kNextKey);

  for (const auto name : kForbiddenGlobals) {
    lua_pushnil(L);
    lua_setglobal(L, std::string(name).c_str());
  }
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kModulesKey);
  lua_pushcfunction(L, sandboxed_require);
  lua_setglobal(L, "require");
  lua_pushcfunction(L, count_only_collectgarbage);
  lua_setglobal(L, "collectgarbage");
  lua_getglobal(L, "rawset");
  lua_pushcclosure(L, guarded_rawset, 1);
  lua_setglobal(L, "rawset");
  lua_pushcfunction(L, unwound_xpcall);
  lua_setglobal(L, "xpcall");
  push_next(L);
  lua_pushcclosure(L, pairs_with_metamethod, 1);
  lua_setglobal(L, "pairs");
  lua_getglobal(L, "tostring");
  lua_pushcclosure(L, [](lua_State* S) -> int {
    // print goes to the lua log, tagged with the strategy, not to stdout.
    std::string line;
    const int n = lua_gettop(S);
    for (int i = 1; i <= n; ++i) {
      lua_pushvalue(S, lua_upvalueindex(1));
      lua_pushvalue(S, i);
      lua_call(S, 1, 1);
      std::size_t length = 0;
      const char* text = lua_tolstring(S, -1, &length);
      if (text == nullptr) return luaL_error(S, "'tostring' must return a string to 'print'");
      if (i > 1) line += '\t';
      line.append(text, length);
      lua_pop(S, 1);
    }
    log::lua().info("[{}] {}", of(S).label_, line);
    return 0;
  }, 1);
  lua_setglobal(L, "print");

  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kProtectedKey);

  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_createtable(L, 0, 2);
  lua_pushcfunction(L, global_index);
  lua_setfield(L, -2, "__index");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_pop(L, 1);

  lua_pushcfunction(L, &Vm::on_error);
  vm.handler_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushcfunction(L, &Vm::trampoline);
  vm.trampoline_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

Vm& Vm::of(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return *static_cast<Vm*>(ud);
}

void* Vm::allocate(void* ud, void* ptr, std::size_t old_size, std::size_t new_size) {
  Vm& vm = *static_cast<Vm*>(ud);
  if (ptr == nullptr) old_size = 0;
  if (new_size == 0) {
    std::free(ptr);
    vm.used_ -= old_size;
    return nullptr;
  }
  if (new_size > old_size && new_size - old_size > vm.budgets_.memory - vm.used_) {
    // Sticky: a script that catches the error with pcall is still stopped.
    // The frames are as consistent here as when LuaJIT raises the error
    // (lj_err_mem reads them too), and lua_getinfo("Sl") allocates nothing.
    if (!vm.refused_ && vm.L_ != nullptr) vm.refused_at_ = vm.where(vm.L_);
    vm.refused_ = true;
    return nullptr;
  }
  if (new_size > old_size && new_size - old_size >= kClockedAllocation && vm.running_ && !vm.tripped_ &&
      vm.over_time()) {
    // The stop comes as a refused allocation; trip() makes it stick.
    vm.trip(vm.L_, vm.over_time_message());
    return nullptr;
  }
  void* grown = std::realloc(ptr, new_size);
  if (grown == nullptr) {
    // Lua assumes shrinking never fails: keep the old, larger block (and its count).
    return new_size <= old_size ? ptr : nullptr;
  }
  vm.used_ = vm.used_ - old_size + new_size;
  return grown;
}

void Vm::count_hook(lua_State* L, lua_Debug*) {
  Vm& vm = of(L);
  if (!vm.tripped_) {
    if (vm.refused_) vm.trip(L, vm.refused_message());
    if (!vm.tripped_ && vm.used_ > vm.live_limit_) {
      // Maybe only garbage: collect before judging (the allocator cap would
      // otherwise stop a script whose live data fits).
      lua_gc(L, LUA_GCCOLLECT, 0);
      if (vm.used_ > vm.live_limit_) {
        vm.trip(L, fmt::format("memory budget exceeded ({} live after a full collection, "
                               "limit {} of a {} budget)", describe_bytes(vm.used_),
                               describe_bytes(vm.live_limit_), describe_bytes(vm.budgets_.memory)));
      }
    }
    if (!vm.tripped_) {
      if (!vm.over_time()) return;
      vm.trip(L, vm.over_time_message());
    }
  }
  lua_pushstring(L, vm.trip_message_.c_str());
  lua_error(L);
}

bool Vm::over_time() {
  // A long gap since the last check is the thread not running (the OS paused
  // it) or one long C function; charging it in full would let a scheduling
  // hiccup disable a healthy strategy.
  const auto now = SteadyClock::now();
  charged_ += std::min<SteadyClock::duration>(now - last_check_, max_gap_);
  last_check_ = now;
  return charged_ >= budgets_.call;
}

std::string Vm::over_time_message() const {
  return fmt::format("call budget of {} exceeded", describe(budgets_.call));
}

std::string Vm::refused_message() const {
  return fmt::format("memory budget of {} exceeded (an allocation was refused)", describe_bytes(budgets_.memory));
}

void Vm::trip(lua_State* L, const std::string& what) {
  trip_message_ = where(L) + ": " + what;
  tripped_ = true;
  // From now on every instruction raises, until the stack is unwound to run().
  lua_sethook(L, &Vm::count_hook, LUA_MASKCOUNT, 1);
}

// The traceback handler under every call: names script:line (the first Lua
// frame with a line, so an error raised by a C function points at its caller)
// and keeps the traceback for the log.
int Vm::on_error(lua_State* L) {
  Vm& vm = of(L);
  const char* text = lua_tostring(L, 1);
  std::string message = text != nullptr
                            ? std::string(text)
                            : fmt::format("(error object is a {} value)", luaL_typename(L, 1));
  lua_Debug ar{};
  for (int level = 1; lua_getstack(L, level, &ar) != 0; ++level) {
    lua_getinfo(L, "Sl", &ar);
    if (ar.currentline <= 0) continue;
    if (!message.starts_with(std::string(ar.short_src) + ":")) {
      message = fmt::format("{}:{}: {}", ar.short_src, ar.currentline, message);
    }
    break;
  }
  luaL_traceback(L, L, nullptr, 1);
  vm.traceback_ = lua_tostring(L, -1);
  vm.error_ = std::move(message);
  lua_pushstring(L, vm.error_.c_str());
  return 1;
}

std::string Vm::where(lua_State* L) const {
  lua_Debug ar{};
  for (int level = 0; lua_getstack(L, level, &ar) != 0; ++level) {
    if (lua_getinfo(L, "Sl", &ar) != 0 && ar.currentline > 0) return fmt::format("{}:{}", ar.short_src, ar.currentline);
  }
  return script_path_;
}

int Vm::trampoline(lua_State* L) {
  static_cast<Body*>(lua_touserdata(L, 1))->run(L);
  return 0;
}

Fault Vm::run(Body& body) {
  lua_State* L = L_;
  lua_pushvalue(L, kTrampolineSlot);
  lua_pushlightuserdata(L, &body);
  last_check_ = SteadyClock::now();
  charged_ = {};
  running_ = true;
  const int status = lua_pcall(L, 1, 0, kHandlerSlot);
  running_ = false;
  lua_settop(L, kRestingTop);
  if (status == 0 && !tripped_) return Fault::None;
  return classify(status);
}

Fault Vm::classify(int status) {
  if (tripped_) {
    error_ = trip_message_;
    return Fault::Fatal;
  }
  if (status == LUA_ERRMEM || refused_) {  // LUA_ERRMEM skips the handler: the allocator noted the line
    error_ = fmt::format("{}: {}", refused_at_.empty() ? script_path_ : refused_at_, refused_message());
    traceback_.clear();
    return Fault::Fatal;
  }
  switch (status) {
    case LUA_ERRERR:
      error_ = fmt::format("{}: error while handling an error (out of memory or stack?)",
                           script_path_);
      return Fault::Fatal;
    default:
      // Lua's "stack overflow" and LuaJIT's "C stack overflow" (runaway
      // recursion): the state may be near its limits, so it is not run again.
      return error_.find("stack overflow") != std::string::npos ? Fault::Fatal : Fault::Error;
  }
}

void Vm::load_chunk(lua_State* L, const std::string& source) const {
  // Bytecode skips the parser's checks and can crash the VM; the "t" mode
  // below refuses it too, but without naming the file.
  if (!source.empty() && source[0] == LUA_SIGNATURE[0]) {
    const std::string message = script_path_ + ": is precompiled bytecode; dalbit loads Lua source text only";
    lua_pushlstring(L, message.data(), message.size());
    lua_error(L);
  }
  const std::string chunk_name = "@" + script_path_;
  if (luaL_loadbufferx(L, source.data(), source.size(), chunk_name.c_str(), "t") != 0) lua_error(L);
}

void Vm::protect(lua_State* L, int index, const char* what) {
  index = absolute(L, index);
  lua_getfield(L, LUA_REGISTRYINDEX, kProtectedKey);
  lua_pushvalue(L, index);
  lua_pushstring(L, what);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

bool Vm::charge(std::size_t bytes) {
  if (bytes > budgets_.memory - std::min(used_, budgets_.memory)) return false;
  used_ += bytes;
  return true;
}

void Vm::release(std::size_t bytes) { used_ -= std::min(bytes, used_); }

void Vm::register_module(lua_State* L, const char* name, lua_CFunction open) {
  lua_getfield(L, LUA_REGISTRYINDEX, kModulesKey);
  lua_pushcfunction(L, open);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

void Vm::push_string_format(lua_State* L) { lua_getfield(L, LUA_REGISTRYINDEX, kFormatKey); }

void Vm::push_next(lua_State* L) { lua_getfield(L, LUA_REGISTRYINDEX, kNextKey); }

void Vm::push_write_guard(lua_State* L, const char* what) {
  lua_pushstring(L, what);
  lua_pushcclosure(L, refuse_write, 1);
}

void Vm::push_read_only(lua_State* L, int index, const char* what) {
  index = absolute(L, index);
  lua_newtable(L);
  lua_createtable(L, 0, 4);
  lua_pushvalue(L, index);
  lua_setfield(L, -2, "__index");
  push_write_guard(L, what);
  lua_setfield(L, -2, "__newindex");
  push_next(L);
  lua_pushvalue(L, index);
  lua_pushcclosure(L, read_only_pairs, 2);
  lua_setfield(L, -2, "__pairs");
  lua_pushstring(L, "read-only");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  protect(L, -1, what);
}

}  // namespace dalbit::lua::detail
