#include "lua/check.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <lua.hpp>

#include "lua/ctx.h"
#include "lua/script.h"
#include "lua/vm.h"

namespace dalbit::lua {
namespace {

using detail::Callback;
using detail::Role;
using detail::Script;

// The engine of a dry run: it refuses every intent and knows nothing.
class DryRunApi final : public StrategyApi {
 public:
  explicit DryRunApi(Timestamp now) : now_(now) {}
  IntentResult submit(Intent) override { return {false, 0, "dalbit check: no trading"}; }
  bool cancel(std::string_view, OrderId) override { return false; }
  IntentResult modify(std::string_view, OrderId, std::optional<Price>, std::optional<Qty>) override {
    return {false, 0, "dalbit check: no trading"};
  }
  std::vector<Order> open_orders(std::string_view) const override { return {}; }
  const Position* position(StockCode) const override { return nullptr; }
  std::vector<Position> positions() const override { return {}; }
  std::vector<SellRecord> todays_sells() const override { return {}; }
  Krw cash() const override { return Krw(0); }
  Timestamp now() const override { return now_; }
  Price last_price(StockCode) const override { return Price(0); }
  void notify(std::string_view, std::string_view) override {}

 private:
  Timestamp now_;
};

// ------------------------------------------------------------ the source

// An identifier in the source outside comments and strings.
struct Token {
  std::string_view text;
  int line;
  std::size_t end;  // offset just past it
};

// Skips a long bracket ([[ ]], [==[ ]==]) starting at `i`; npos when `i` opens none.
std::size_t skip_long_bracket(std::string_view s, std::size_t i, int& line) {
  if (i >= s.size() || s[i] != '[') return std::string_view::npos;
  std::size_t j = i + 1;
  while (j < s.size() && s[j] == '=') ++j;
  if (j >= s.size() || s[j] != '[') return std::string_view::npos;
  const std::string close = "]" + std::string(j - i - 1, '=') + "]";
  const std::size_t end = s.find(close, j + 1);
  const std::size_t stop = end == std::string_view::npos ? s.size() : end + close.size();
  line += static_cast<int>(std::count(s.begin() + static_cast<std::ptrdiff_t>(i),
                                      s.begin() + static_cast<std::ptrdiff_t>(stop), '\n'));
  return stop;
}

// The identifiers of a Lua source, skipping comments and string literals.
std::vector<Token> identifiers(std::string_view s) {
  std::vector<Token> out;
  int line = 1;
  std::size_t i = 0;
  const auto ident_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      const std::size_t after = skip_long_bracket(s, i + 2, line);
      if (after != std::string_view::npos) {
        i = after;
      } else {
        i = s.find('\n', i);
        if (i == std::string_view::npos) i = s.size();
      }
    } else if (c == '"' || c == '\'') {
      ++i;
      while (i < s.size() && s[i] != c && s[i] != '\n') i += s[i] == '\\' ? 2 : 1;
      ++i;
    } else if (c == '[' && skip_long_bracket(s, i, line) != std::string_view::npos) {
      int ignored = 0;
      i = skip_long_bracket(s, i, ignored);
    } else if (ident_char(c) && !(c >= '0' && c <= '9')) {
      const std::size_t start = i;
      while (i < s.size() && ident_char(s[i])) ++i;
      out.push_back({s.substr(start, i - start), line, i});
    } else if (c >= '0' && c <= '9') {
      while (i < s.size() && (ident_char(s[i]) || s[i] == '.')) ++i;
    } else {
      ++i;
    }
  }
  return out;
}

std::size_t skip_spaces(std::string_view s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  return i;
}

// The first line where `key` is an identifier followed by `=` (a table field or
// an assignment); 0 when none.
int line_of_field(const std::vector<Token>& tokens, std::string_view source, std::string_view key) {
  for (const Token& t : tokens) {
    if (t.text != key) continue;
    const std::size_t next = skip_spaces(source, t.end);
    if (next < source.size() && source[next] == '=' && (next + 1 >= source.size() || source[next + 1] != '=')) {
      return t.line;
    }
  }
  for (const Token& t : tokens) {
    if (t.text == key) return t.line;
  }
  return 0;
}

int last_return_line(const std::vector<Token>& tokens) {
  for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) {
    if (it->text == "return") return it->line;
  }
  return 0;
}

void lint_ctx_uses(const std::vector<Token>& tokens, std::string_view source, Role role, const std::string& path,
                   std::vector<Diagnostic>& out) {
  const auto methods = detail::ctx_methods(role);
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    const Token& t = tokens[k];
    if (t.text != "ctx") continue;
    // `x.ctx` is some other table's field.
    const std::size_t start = t.end - t.text.size();
    const std::size_t before = start == 0 ? std::string_view::npos : source.find_last_not_of(" \t\r\n", start - 1);
    if (before != std::string_view::npos && (source[before] == '.' || source[before] == ':')) continue;
    const std::size_t sep = skip_spaces(source, t.end);
    if (sep >= source.size() || (source[sep] != ':' && source[sep] != '.')) continue;
    if (source[sep] == '.' && sep + 1 < source.size() && source[sep + 1] == '.') continue;  // concatenation
    if (k + 1 >= tokens.size() || skip_spaces(source, sep + 1) != tokens[k + 1].end - tokens[k + 1].text.size()) {
      continue;
    }
    const Token& name = tokens[k + 1];
    const bool known = std::find(methods.begin(), methods.end(), name.text) != methods.end();
    if (!known) {
      std::vector<std::string_view> listed(methods.begin(), methods.end());
      std::sort(listed.begin(), listed.end());
      out.push_back({path, name.line,
                     fmt::format("ctx has no method '{}'{} (known: {})", name.text,
                                 role == Role::Risk ? " for a risk script, whose ctx only reads" : "",
                                 fmt::join(listed, ", ")),
                     true});
      continue;
    }
    const std::size_t call = skip_spaces(source, name.end);
    if (source[sep] == '.' && name.text != "params" && call < source.size() && source[call] == '(') {
      out.push_back({path, name.line, fmt::format("call it with a colon: ctx:{}(...)", name.text), true});
    }
  }
}

// ---------------------------------------------------------- the bytecode

// Lists every global read and write of a compiled chunk, with lines, using
// LuaJIT's jit.util in a plain state (the chunk is only compiled, never run).
// The opcode numbers are learnt from two probes, so they need no vmdef.lua.
constexpr const char* kGlobalsLister = R"lua(
local u = require "jit.util"
local chunk = ...
local function opcode(src)
  local f = assert(loadstring(src))
  for pc = 1, u.funcinfo(f).bytecodes - 1 do
    local ins = u.funcbc(f, pc)
    if u.funck(f, -math.floor(ins / 65536) - 1) == "x" then return ins % 256 end
  end
end
local GGET, GSET = opcode("return x"), opcode("x = 1")
local found = {}
local function walk(fn)
  local info = u.funcinfo(fn)
  for pc = 1, info.bytecodes - 1 do
    local ins = u.funcbc(fn, pc)
    local op = ins % 256
    if op == GGET or op == GSET then
      found[#found + 1] = { op == GSET, u.funck(fn, -math.floor(ins / 65536) - 1), u.funcinfo(fn, pc).currentline }
    end
  end
  for i = 0, info.gcconsts - 1 do
    local k = u.funck(fn, -i - 1)
    if type(k) == "proto" then walk(k) end
  end
end
walk(chunk)
return found
)lua";

struct GlobalUse {
  bool write;
  std::string name;
  int line;
};

// The uses, or the syntax error ("path:line: ...").
Result<std::vector<GlobalUse>> global_uses(const std::string& source, const std::string& path) {
  std::unique_ptr<lua_State, decltype(&lua_close)> state(luaL_newstate(), lua_close);
  lua_State* L = state.get();
  if (L == nullptr) return Error{"cannot create a Lua state to check the script"};
  luaL_openlibs(L);
  if (luaL_loadstring(L, kGlobalsLister) != 0) return Error{lua_tostring(L, -1)};
  const std::string chunk_name = "@" + path;
  if (luaL_loadbufferx(L, source.data(), source.size(), chunk_name.c_str(), "t") != 0) {
    return Error{lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "cannot compile"};
  }
  if (lua_pcall(L, 1, 1, 0) != 0) {
    return Error{fmt::format("cannot list the script's globals: {}", lua_tostring(L, -1))};
  }
  std::vector<GlobalUse> uses;
  const int n = static_cast<int>(lua_objlen(L, -1));
  for (int i = 1; i <= n; ++i) {
    lua_rawgeti(L, -1, i);
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    lua_rawgeti(L, -3, 3);
    uses.push_back({lua_toboolean(L, -3) != 0, lua_tostring(L, -2) ? lua_tostring(L, -2) : "?",
                    static_cast<int>(lua_tointeger(L, -1))});
    lua_pop(L, 4);
  }
  return uses;
}

// The names the sandbox defines, read from a real sandboxed state.
std::set<std::string> sandbox_globals(const std::string& path) {
  struct List final : detail::Vm::Body {
    void run(lua_State* L) override {
      lua_pushnil(L);
      while (lua_next(L, LUA_GLOBALSINDEX) != 0) {
        if (lua_type(L, -2) == LUA_TSTRING) names.insert(lua_tostring(L, -2));
        lua_pop(L, 1);
      }
    }
    std::set<std::string> names;
  } list;
  auto vm = detail::Vm::create("check", path, {});
  if (vm) (void)(*vm)->run(list);
  return list.names;
}

void lint_globals(const std::vector<GlobalUse>& uses, const std::string& path, std::vector<Diagnostic>& out) {
  const std::set<std::string> defined = sandbox_globals(path);
  std::set<std::string> assigned;
  for (const auto& u : uses) {
    if (u.write) assigned.insert(u.name);
  }
  std::set<std::pair<std::string, int>> seen;
  for (const auto& u : uses) {
    if (!seen.insert({u.name, u.line * 2 + (u.write ? 1 : 0)}).second) continue;
    if (u.write) {
      out.push_back({path, u.line,
                     fmt::format("assigns the global '{}'; make it local (local {} = ... / local function {})",
                                 u.name, u.name, u.name),
                     true});
    } else if (!defined.contains(u.name) && !assigned.contains(u.name)) {
      static const std::set<std::string> kForbidden = {"io",      "os",       "debug",   "ffi",    "jit",
                                                       "package", "load",     "loadstring", "loadfile",
                                                       "dofile",  "getfenv",  "setfenv", "module", "newproxy",
                                                       "coroutine", "gcinfo"};
      out.push_back({path, u.line,
                     kForbidden.contains(u.name)
                         ? fmt::format("'{}' is not available to dalbit scripts (sandbox)", u.name)
                         : fmt::format("reads the undefined global '{}' (a typo, or a missing local?)", u.name),
                     true});
    }
  }
}

// ------------------------------------------------------------ the dry run

// "strategy 'x': <path>:12: what" or "on_init: <path>:12: what" as a diagnostic at that line.
Diagnostic diagnostic_of(const std::string& message, const std::string& path, const std::string& prefix = {}) {
  const detail::Location at = detail::location_of(message);
  if (at.line == 0) {
    // "<label>: <path>: what" without a line.
    const auto from = message.find(path + ": ");
    return {path, 0, prefix + (from == std::string::npos ? message : message.substr(from + path.size() + 2)), true};
  }
  const std::string located = fmt::format("{}:{}: ", at.file, at.line);
  const auto from = message.find(located);
  std::string what = from == std::string::npos ? message : message.substr(from + located.size());
  std::string before = from == std::string::npos ? std::string() : message.substr(0, from);
  // Keep "on_init: " and the like; drop the "strategy 'x': " label the file name makes redundant.
  if (before.starts_with("strategy '") || before.starts_with("risk script '")) {
    const auto label_end = before.find("': ");
    before = label_end == std::string::npos ? std::string() : before.substr(label_end + 3);
  }
  return {at.file, at.line, prefix + before + what, true};
}

void lint_params(const Script& script, const CheckOptions& options, const std::string& name,
                 const std::string& path, int params_line, std::vector<Diagnostic>& out) {
  if (options.params == nullptr) return;
  const std::string config = options.config_path.empty() ? std::string("the config") : options.config_path;
  const auto& declared = script.declared_params();
  const auto entry = options.params->find(name);
  const char* self = script.role() == Role::Strategy ? "S" : "R";
  const char* section = script.role() == Role::Strategy ? "strategies" : "risk_scripts";
  if (entry == options.params->end()) {
    if (!declared.empty()) {
      out.push_back({path, params_line,
                     fmt::format("{} has no {}.{} entry: every param keeps the script's default", config, section,
                                 name),
                     false});
    }
    return;
  }
  for (const auto& [key, value] : entry->second) {
    const auto it = declared.find(key);
    if (it == declared.end()) {
      out.push_back({path, params_line,
                     fmt::format("{} sets {}.{}.params.{}, which {}.params does not declare", config, section, name,
                                 key, self),
                     true});
      continue;
    }
    const std::string_view given = std::visit(
        [](const auto& v) -> std::string_view {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, bool>) return "a boolean";
          if constexpr (std::is_same_v<V, std::string>) return "a string";
          return "a number";
        },
        value);
    if (given != it->second) {
      out.push_back({path, params_line,
                     fmt::format("params.{}: the script's default is {}, {} gives {}", key, it->second, config,
                                 given),
                     true});
    }
  }
  for (const auto& [key, type] : declared) {
    if (!entry->second.contains(key)) {
      out.push_back({path, params_line,
                     fmt::format("params.{} is not set in {} ({}.{}.params): the script's default applies", key,
                                 config, section, name),
                     false});
    }
  }
}

void lint_callbacks(const Script& script, const std::vector<Token>& tokens, std::string_view source,
                    const std::string& path, std::vector<Diagnostic>& out) {
  if (script.role() != Role::Strategy) return;
  constexpr std::array kEvents = {Callback::Tick,    Callback::Bar,       Callback::Order,
                                  Callback::Fill,    Callback::Timer,     Callback::Session,
                                  Callback::Book,    Callback::Condition, Callback::Scan};
  const bool any = std::any_of(kEvents.begin(), kEvents.end(), [&](Callback cb) { return script.has(cb); });
  if (!any) {
    out.push_back({path, last_return_line(tokens),
                   "defines no event callback (on_bar, on_tick, on_timer, on_condition, on_scan, on_book, "
                   "on_session, on_order, on_fill): nothing would ever run",
                   true});
    return;
  }
  const auto& sub = script.subscription();
  const auto warn_unreached = [&](Callback cb, const std::string& fix) {
    const std::string_view name = detail::callback_name(cb);
    out.push_back({path, line_of_field(tokens, source, name),
                   fmt::format("{} is never called with the subscriptions made in on_init: {}", name, fix), false});
  };
  const auto warn_unhandled = [&](std::string_view what, Callback cb) {
    out.push_back({path, line_of_field(tokens, source, "subscribe"),
                   fmt::format("subscribes to {} but defines no {}", what, detail::callback_name(cb)), false});
  };
  if (script.has(Callback::Tick) && !script.takes_ticks()) warn_unreached(Callback::Tick, "subscribe{ ticks = true }");
  const bool any_bars = std::any_of(detail::kBarMinutes.begin(), detail::kBarMinutes.end(),
                                    [&](int m) { return script.takes_bars(m); });
  if (script.has(Callback::Bar) && !any_bars) warn_unreached(Callback::Bar, "subscribe{ bars = \"1m\" }");
  if (script.has(Callback::Book) && !sub.book) warn_unreached(Callback::Book, "subscribe{ book = true }");
  if (!script.has(Callback::Book) && sub.book) warn_unhandled("the order book", Callback::Book);
  if (script.has(Callback::Condition) && sub.conditions.empty()) {
    warn_unreached(Callback::Condition, "subscribe{ conditions = { \"<name>\" } }");
  }
  if (!script.has(Callback::Condition) && !sub.conditions.empty()) warn_unhandled("conditions", Callback::Condition);
  const bool any_scan = std::any_of(sub.scans.begin(), sub.scans.end(), [](bool b) { return b; });
  if (script.has(Callback::Scan) && !any_scan) {
    warn_unreached(Callback::Scan, "subscribe{ scans = { \"volume_top\" } }");
  }
  if (!script.has(Callback::Scan) && any_scan) warn_unhandled("scans", Callback::Scan);
}

Result<std::string> read_source(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot read the file"};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string describe(const Diagnostic& d) {
  const std::string where = d.line > 0 ? fmt::format("{}:{}", d.file, d.line) : d.file;
  return fmt::format("{}: {}{}", where, d.error ? "" : "warning: ", d.message);
}

std::vector<Diagnostic> check_script(const std::string& path, ScriptKind kind, const CheckOptions& options) {
  std::vector<Diagnostic> out;
  const Role role = kind == ScriptKind::Strategy ? Role::Strategy : Role::Risk;
  const std::filesystem::path file(path);
  const std::string stem = file.stem().string();
  if (file.extension() != ".lua" || !detail::valid_script_name(stem)) {
    out.push_back({path, 0, "a script's file is <name>.lua, its name letters, digits, '_' and '-'", true});
    return out;
  }
  const auto source = read_source(path);
  if (!source) {
    out.push_back({path, 0, source.error().message, true});
    return out;
  }
  const auto uses = global_uses(*source, path);
  if (!uses) {
    out.push_back(diagnostic_of(uses.error().message, path));
    return out;  // a syntax error: nothing else can be checked
  }
  const std::vector<Token> tokens = identifiers(*source);
  lint_globals(*uses, path, out);
  lint_ctx_uses(tokens, *source, role, path, out);

  DryRunApi api(options.now);
  HostOptions host_options;
  host_options.call_budget = options.call_budget;
  host_options.memory_budget = options.memory_budget;
  std::optional<Timestamp> clock;
  Timestamp next_timer = Timestamp::min();
  detail::Shared shared{api, host_options, clock, next_timer, 0, false};
  detail::ScriptSpec spec{.role = role,
                          .name = role == Role::Strategy ? stem : "risk/" + stem,
                          .path = path,
                          .params = {},
                          .budgets = {.call = options.call_budget, .memory = options.memory_budget}};
  // Loaded with the script's own defaults first, so that each config param is judged on its own.
  std::vector<detail::LoadNote> notes;
  auto script = Script::load(spec, shared, &notes);
  if (!script) {
    out.push_back(diagnostic_of(script.error().message, path));
  } else {
    for (const auto& n : notes) {
      const std::string what = n.text.starts_with(path + ": ") ? n.text.substr(path.size() + 2) : n.text;
      out.push_back({path, line_of_field(tokens, *source, n.key), what, n.mistake});
    }
    const int params_line = line_of_field(tokens, *source, "params");
    const auto before = out.size();
    lint_params(**script, options, stem, path, params_line, out);
    const bool params_ok = std::none_of(out.begin() + static_cast<std::ptrdiff_t>(before), out.end(),
                                        [](const Diagnostic& d) { return d.error; });
    if (params_ok && options.params != nullptr && options.params->contains(stem)) {
      spec.params = options.params->at(stem);
      auto with_config = Script::load(spec, shared);
      if (with_config) {
        *script = std::move(*with_config);
      } else {
        out.push_back(diagnostic_of(with_config.error().message, path));
      }
    }
    Script& s = **script;
    if (!s.on_init(nullptr)) {
      out.push_back(diagnostic_of(s.last_error(), path));
    } else if (const Status checked = s.self_check(); !checked) {
      out.push_back(diagnostic_of(checked.message(), path));
    } else {
      lint_callbacks(s, tokens, *source, path, out);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  return out;
}

}  // namespace dalbit::lua
