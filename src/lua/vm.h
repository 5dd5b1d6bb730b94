// One sandboxed, interpreted Lua state with a wall-time budget per call and a
// memory cap (internal to src/lua; the public API is host.h).
//
// Why this shape (DESIGN.md "Threads", STYLE.md 1): LuaJIT does not run debug
// hooks inside compiled traces, so the JIT is off for the state and a count
// hook charges the steady-clock time between its checks to the call's budget
// (a single gap at most half the budget, so one OS pause of the engine thread
// cannot disable a healthy script; a runaway loop is checked every few
// microseconds and charged in full). The allocator given to
// lua_newstate counts bytes and refuses past the cap; a large allocation
// also checks the clock (megabyte-sized allocations between two hook checks
// could otherwise take far longer than the budget). After a trip the hook
// raises on every instruction, so a script's own pcall cannot swallow it.
//
// Every C++ -> Lua interaction goes through run(): it calls a Body inside
// lua_pcall under the budgets, with the traceback handler below it, and puts
// the stack back. Nothing that may allocate runs outside a protected call, so
// running out of memory is an error value, never a Lua panic.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <lua.hpp>

#include "core/result.h"

namespace dalbit::lua::detail {

struct Budgets {
  std::chrono::microseconds call{5000};  // steady-clock time per run() (see the hook)
  std::size_t memory = 64u << 20;        // bytes the state may hold
};

enum class Fault {
  None,
  Error,  // a Lua error; the state is fine and may run again
  Fatal,  // budget exceeded, out of memory or stack overflow: discard the Vm
};

class Vm {
 public:
  // Code run inside the protected call. It may raise Lua errors (lua_error,
  // luaL_error); C++ exceptions must not escape it.
  class Body {
   public:
    virtual void run(lua_State* L) = 0;

   protected:
    ~Body() = default;
  };

  // `label` tags log lines (the strategy name); `script_path` names the chunk
  // in messages ("@<script_path>").
  static Result<std::unique_ptr<Vm>> create(std::string label, std::string script_path,
                                            Budgets budgets);
  ~Vm();
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  // Runs `body` under the budgets; the stack is back at its old top afterwards.
  // After Fault::Fatal the Vm must not run again.
  [[nodiscard]] Fault run(Body& body);

  // The last fault: "<script>:<line>: <what>" when the line is known.
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] const std::string& traceback() const { return traceback_; }
  [[nodiscard]] const std::string& label() const { return label_; }
  [[nodiscard]] const std::string& script_path() const { return script_path_; }
  [[nodiscard]] std::size_t memory_used() const { return used_; }

  // Counts `bytes` held outside the Lua heap for this script (C++ indicators)
  // against its memory budget. False, and nothing counted, when they do not fit.
  [[nodiscard]] bool charge(std::size_t bytes);
  void release(std::size_t bytes);
  // The Vm running `L` (any of its threads).
  static Vm& of(lua_State* L);

  // For bodies: makes `require(name)` return what `open` returns (called
  // once, on the first require). Only modules registered here can be
  // required; there is no other require in the sandbox.
  static void register_module(lua_State* L, const char* name, lua_CFunction open);
  // For bodies: compiles `source` (text only, never bytecode) as the chunk
  // "@<script_path>" and pushes it; raises the syntax error otherwise.
  void load_chunk(lua_State* L, const std::string& source) const;
  // For bodies: makes rawset refuse the value at `index` ("<what> is read-only").
  static void protect(lua_State* L, int index, const char* what);
  // For bodies: pushes the standard library's own string.format / next, saved
  // before any script ran (a script may overwrite its globals).
  static void push_string_format(lua_State* L);
  static void push_next(lua_State* L);
  // A read-only view of the table at `index`: reads and pairs() go through,
  // writes (also rawset) raise "<what> is read-only". Pushes the view.
  static void push_read_only(lua_State* L, int index, const char* what);
  // Pushes a __newindex function that raises "<what> is read-only".
  static void push_write_guard(lua_State* L, const char* what);

 private:
  Vm(std::string label, std::string script_path, Budgets budgets);
  static void* allocate(void* ud, void* ptr, std::size_t old_size, std::size_t new_size);
  static void count_hook(lua_State* L, lua_Debug* ar);
  static int on_error(lua_State* L);
  static int trampoline(lua_State* L);
  static int setup(lua_State* L);
  void trip(lua_State* L, const std::string& what);
  // "<script>:<line>" of the innermost Lua frame that has a line; the script's path otherwise.
  [[nodiscard]] std::string where(lua_State* L) const;
  [[nodiscard]] std::string refused_message() const;
  // Charges the time since the last check to the call; true once the budget is spent.
  [[nodiscard]] bool over_time();
  [[nodiscard]] std::string over_time_message() const;
  Fault classify(int status);

  std::string label_;
  std::string script_path_;
  Budgets budgets_;
  std::size_t live_limit_;  // above this after a full collection, the script is stopped
  lua_State* L_ = nullptr;
  std::size_t used_ = 0;
  std::chrono::steady_clock::duration max_gap_;     // most a single gap between checks is charged
  std::chrono::steady_clock::time_point last_check_{};
  std::chrono::steady_clock::duration charged_{};   // of this call's budget
  bool running_ = false;  // inside run(): the call's budget applies
  bool refused_ = false;  // the allocator refused a request
  std::string refused_at_;  // where() at the first refusal: LUA_ERRMEM skips the error handler
  bool tripped_ = false;
  std::string trip_message_;
  std::string error_;
  std::string traceback_;
  int handler_ref_ = LUA_NOREF;
  int trampoline_ref_ = LUA_NOREF;
};

// "5 ms", "250 us"; "64 MiB", "512 KiB".
[[nodiscard]] std::string describe(std::chrono::microseconds d);
[[nodiscard]] std::string describe_bytes(std::size_t bytes);

}  // namespace dalbit::lua::detail
