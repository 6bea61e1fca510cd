#include "server/scripting/lua_vm.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include <lua-bitop.h>
#include <lua-cjson.h>
}

#include "server/allocator.h"
#include "server/scripting/lua_libs.h"
#include "server/scripting/scripting.h"
#include "server/server.h"
#include "server/sha1.h"
#include "server/version.h"

namespace baozi {
namespace {

constexpr char kReadonlyError[] = "Attempt to modify a readonly table";
// Registry keys.
constexpr char kRealOfKey[] = "baozi.real_of";  // proxy -> the table it guards

LuaVm* VmOf(lua_State* L) { return static_cast<LuaVm*>(lua_touserdata(L, lua_upvalueindex(1))); }

// Raised by the VM in Redis when C code (rawset, setmetatable) writes a read-only table: no
// "source:line:" prefix, unlike an assignment in Lua code.
int RaiseReadonlyFromC(lua_State* L) {
  lua_pushstring(L, kReadonlyError);
  return lua_error(L);
}

// __newindex of every proxy: the script's own line is named, as Redis's VM names it.
int ProxyNewIndex(lua_State* L) { return luaL_error(L, "%s", kReadonlyError); }

// __index at the end of a globals lookup that found nothing.
int NonexistentGlobal(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name != nullptr ? name : "?");
}

// Leaves the real table for `idx` if it is a proxy, else the value itself, on top of the stack.
void PushUnproxied(lua_State* L, int idx) {
  lua_pushvalue(L, idx);
  if (!lua_istable(L, -1)) return;
  lua_getfield(L, LUA_REGISTRYINDEX, kRealOfKey);
  lua_pushvalue(L, -2);
  lua_rawget(L, -2);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 2);
    return;
  }
  lua_replace(L, -3);
  lua_pop(L, 1);
}

bool IsProxy(lua_State* L, int idx) {
  if (!lua_istable(L, idx)) return false;
  idx = idx > 0 ? idx : lua_gettop(L) + idx + 1;
  lua_getfield(L, LUA_REGISTRYINDEX, kRealOfKey);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  bool proxy = !lua_isnil(L, -1);
  lua_pop(L, 2);
  return proxy;
}

// Calls the wrapped original (upvalue 1) with the current arguments.
int CallOriginal(lua_State* L) {
  int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

// Writers refuse proxies.
int GuardedWrite(lua_State* L) {
  if (IsProxy(L, 1)) return RaiseReadonlyFromC(L);
  return CallOriginal(L);
}

// Readers see through them.
int SeeThrough(lua_State* L) {
  if (lua_gettop(L) >= 1 && IsProxy(L, 1)) {
    PushUnproxied(L, 1);
    lua_replace(L, 1);
  }
  return CallOriginal(L);
}

// pairs(t) returns the see-through next (upvalue 1) and t itself, never the real table.
int SeeThroughPairs(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

void WrapGlobal(lua_State* L, int table_idx, const char* name, lua_CFunction wrapper) {
  lua_getfield(L, table_idx, name);
  lua_pushcclosure(L, wrapper, 1);
  lua_setfield(L, table_idx, name);
}

// redis.* ------------------------------------------------------------------------------------

ScriptRun* RunOf(lua_State* L) { return VmOf(L)->engine().running(); }

int RaiseError(lua_State* L, std::string_view msg) {
  LuaVm::PushErrorTable(L, msg);
  return lua_error(L);
}

// Redis luaArgsToRedisArgv: strings as they are, numbers as "%.17g" (Lua's own conversion
// loses precision); anything else refuses the call.
bool ArgsToArgv(lua_State* L, std::vector<std::string>& argv) {
  int argc = lua_gettop(L);
  argv.resize(argc);
  for (int j = 1; j <= argc; ++j) {
    if (lua_type(L, j) == LUA_TNUMBER) {
      char buf[64];
      int n = std::snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(lua_tonumber(L, j)));
      argv[j - 1].assign(buf, n);
    } else {
      size_t len;
      const char* s = lua_type(L, j) == LUA_TSTRING ? lua_tolstring(L, j, &len) : nullptr;
      if (s == nullptr) return false;
      argv[j - 1].assign(s, len);
    }
  }
  return true;
}

int GenericCall(lua_State* L, bool raise) {
  LuaVm* vm = VmOf(L);
  ScriptEngine& engine = vm->engine();
  if (engine.running() == nullptr) {
    return RaiseError(L, "redis.call/pcall can only be called inside a script invocation");
  }
  static thread_local std::vector<std::string> argv;
  static thread_local std::vector<std::string_view> views;
  if (lua_gettop(L) == 0) {
    LuaVm::PushErrorTable(L, "Please specify at least one argument for this redis lib call");
    return raise ? lua_error(L) : 1;
  }
  bool ok = ArgsToArgv(L, argv);
  lua_settop(L, 0);
  if (!ok) {
    LuaVm::PushErrorTable(L, "Lua redis lib command arguments must be strings or integers");
    return raise ? lua_error(L) : 1;
  }
  // A debug hook could re-enter here; Redis refuses that, and so does this.
  static thread_local bool in_use = false;
  if (in_use) {
    LuaVm::PushErrorTable(L,
                          "luaRedisGenericCommand() recursive call detected. Are you doing funny "
                          "stuff with Lua debug hooks?");
    return 1;
  }
  in_use = true;
  views.assign(argv.begin(), argv.end());
  Client& sc = engine.script_client();
  sc.out().clear();
  // lua_error longjmps: no C++ object with a destructor may be alive when it is called, so the
  // refusal text lives in this block only.
  bool refused;
  {
    std::string err;
    engine.ScriptCall(views, &err);
    refused = !err.empty();
    if (refused) {
      LuaVm::PushErrorTable(L, err);
      // The refusal was counted as the command's error; the script's is not counted again.
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "ignore_error_stats_update");
    }
  }
  in_use = false;
  if (refused) return raise ? lua_error(L) : 1;
  // The reply is read where the command wrote it, and the buffer kept for the next call.
  std::string& reply = sc.out();
  if (!lua_checkstack(L, 8)) {
    reply.clear();
    return luaL_error(L, "reached lua stack limit");
  }
  LuaVm::PushReply(L, reply);
  const bool failed = !reply.empty() && reply[0] == '-';
  reply.clear();
  if (raise && failed) return lua_error(L);
  return 1;
}

int RedisCall(lua_State* L) { return GenericCall(L, true); }
int RedisPcall(lua_State* L) { return GenericCall(L, false); }

// The global pcall: Redis 7's errors are tables, so a caught error that carries `err` is handed
// to the script as that string, as pcall did before 7.0.
int ScriptPcall(lua_State* L) {
  int argc = lua_gettop(L);
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
    lua_remove(L, 1);
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, 1);
  }
  return lua_gettop(L);
}

int RedisSha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) return RaiseError(L, "wrong number of arguments");
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  std::string hex = Sha1::Hex(Sha1::Of(s != nullptr ? s : "", s != nullptr ? len : 0));
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

int RedisErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    LuaVm::PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  size_t len;
  const char* s = lua_tolstring(L, 1, &len);
  std::string msg(s, strnlen(s, len));  // read as a C string, as Redis does
  if (msg.empty() || msg[0] != '-') msg.insert(0, "-");
  LuaVm::PushErrorTable(L, msg);
  return 1;
}

int RedisStatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    LuaVm::PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(L);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "ok");
  return 1;
}

int RedisLog(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) return RaiseError(L, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, 1)) return RaiseError(L, "First argument must be a number (log level).");
  int level = static_cast<int>(lua_tonumber(L, 1));
  if (level < Server::kDebug || level > Server::kWarning) {
    return RaiseError(L, "Invalid debug level.");
  }
  std::string line;
  for (int j = 2; j <= argc; ++j) {
    size_t len;
    const char* s = lua_tolstring(L, j, &len);
    if (s == nullptr) continue;
    if (j != 2) line += ' ';
    line.append(s, len);
  }
  VmOf(L)->engine().server().Log(static_cast<Server::LogLevel>(level), line);
  return 0;
}

int RedisSetResp(lua_State* L) {
  ScriptRun* run = RunOf(L);
  if (run == nullptr) {
    return RaiseError(L, "redis.setresp can only be called inside a script invocation");
  }
  if (lua_gettop(L) != 1) return RaiseError(L, "redis.setresp() requires one argument.");
  int resp = static_cast<int>(lua_tonumber(L, 1));
  if (resp != 2 && resp != 3) return RaiseError(L, "RESP version must be 2 or 3.");
  VmOf(L)->engine().script_client().set_resp(resp);
  return 0;
}

int RedisSetRepl(lua_State* L) {
  ScriptRun* run = RunOf(L);
  if (run == nullptr) {
    return RaiseError(L, "redis.set_repl can only be called inside a script invocation");
  }
  if (lua_gettop(L) != 1) return RaiseError(L, "redis.set_repl() requires two arguments.");
  int flags = static_cast<int>(lua_tonumber(L, -1));
  if ((flags & ~kReplAll) != 0) {
    return RaiseError(
        L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  }
  run->repl = flags;
  return 0;
}

// With one user who may run everything (no ACLs beyond requirepass), the answer is yes for every
// command that exists.
int RedisAclCheckCmd(lua_State* L) {
  if (RunOf(L) == nullptr) {
    return RaiseError(L, "redis.acl_check_cmd can only be called inside a script invocation");
  }
  if (lua_gettop(L) == 0) {
    return RaiseError(L, "Please specify at least one argument for this redis lib call");
  }
  // Scoped: RaiseError longjmps (see GenericCall).
  const char* error = nullptr;
  {
    std::vector<std::string> argv;
    if (!ArgsToArgv(L, argv)) {
      error = "Lua redis lib command arguments must be strings or integers";
    } else {
      Command* cmd = VmOf(L)->engine().server().registry().Find(argv[0]);
      if (cmd != nullptr && cmd->IsContainer() && argv.size() >= 2) {
        cmd = cmd->FindSubcommand(argv[1]);
      }
      if (cmd == nullptr) error = "Invalid command passed to redis.acl_check_cmd()";
    }
  }
  if (error != nullptr) return RaiseError(L, error);
  lua_pushboolean(L, 1);
  return 1;
}

// The debugger's entry points do nothing outside a debugging session, which baozi does not
// offer (SCRIPT DEBUG is not registered).
int RedisBreakpoint(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}
int RedisDebug(lua_State*) { return 0; }
int RedisReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

void SetField(lua_State* L, const char* name, lua_Number v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, name);
}

void SetFn(lua_State* L, LuaVm* vm, const char* name, lua_CFunction fn) {
  lua_pushlightuserdata(L, vm);
  lua_pushcclosure(L, fn, 1);
  lua_setfield(L, -2, name);
}

// Two crashes in Debian's packages that Redis fixed in its own copies, closed here.
//
// bit.tohex(x, n) negates n for upper-case digits, which overflows for INT_MIN
// (CVE-2024-31449); bit's argument conversion is modulo 2^32 (the 2^52+2^51 trick), so a
// count that lands on INT_MIN is moved to INT_MIN+1, which gives the same 8 upper-case digits.
int SafeToHex(lua_State* L) {
  if (lua_gettop(L) >= 2 && lua_isnumber(L, 2)) {
    volatile double biased = lua_tonumber(L, 2) + 6755399441055744.0;
    uint64_t bits;
    double b = biased;
    std::memcpy(&bits, &b, sizeof(bits));
    if (static_cast<int32_t>(static_cast<uint32_t>(bits)) == INT32_MIN) {
      lua_pushnumber(L, INT32_MIN + 1);
      lua_replace(L, 2);
    }
  }
  return CallOriginal(L);
}

// unpack(t, i, j) computes j - i + 1 in int, which overflows for huge ranges
// (CVE-2025-46817): the count is taken in unsigned arithmetic and refused past INT_MAX.
int SafeUnpack(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  int i = luaL_optint(L, 2, 1);
  int e = luaL_opt(L, luaL_checkint, 3, static_cast<int>(lua_objlen(L, 1)));
  if (i > e) return 0;
  unsigned n = static_cast<unsigned>(e) - static_cast<unsigned>(i);
  if (n >= static_cast<unsigned>(INT32_MAX) || !lua_checkstack(L, static_cast<int>(++n))) {
    return luaL_error(L, "too many results to unpack");
  }
  lua_rawgeti(L, 1, i);
  while (i++ < e) lua_rawgeti(L, 1, i);
  return static_cast<int>(n);
}

// Source only, as Redis's Lua reads it: a chunk starting with the bytecode signature (ESC) is
// parsed as text, so it fails at its first byte with the parser's own message, and crafted
// bytecode can never reach the VM. A reader that yields one space first keeps Lua from taking
// the binary path; the space changes neither line numbers nor the chunk name.
struct SourceReader {
  const char* buf;
  size_t len;
  int step = 0;
};

const char* ReadSource(lua_State*, void* ud, size_t* size) {
  auto* r = static_cast<SourceReader*>(ud);
  switch (r->step++) {
    case 0:
      *size = 1;
      return " ";
    case 1:
      *size = r->len;
      return r->buf;
    default:
      *size = 0;
      return nullptr;
  }
}

// loadstring(s [, chunkname]), through LoadSource.
int SourceLoadstring(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  const char* chunkname = luaL_optstring(L, 2, s);
  if (LuaVm::LoadSource(L, s, len, chunkname) == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

// load(fn [, chunkname]): the pieces fn returns, joined, through LoadSource.
int SourceLoad(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  const char* chunkname = luaL_optstring(L, 2, "=(load)");
  std::string code;
  for (;;) {
    lua_pushvalue(L, 1);
    if (lua_pcall(L, 0, 1, 0) != 0) {
      lua_pushnil(L);
      lua_insert(L, -2);
      return 2;
    }
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) {
      lua_pop(L, 1);
      lua_pushnil(L);
      lua_pushstring(L, "reader function must return a string");
      return 2;
    }
    size_t n;
    const char* piece = lua_tolstring(L, -1, &n);
    code.append(piece, n);
    lua_pop(L, 1);
    if (n == 0) break;
  }
  if (LuaVm::LoadSource(L, code.data(), code.size(), chunkname) == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

// Lua's memory is outside used_memory, as in Redis (whose Lua uses libc's malloc, not zmalloc).
void* LuaAlloc(void*, void* ptr, size_t, size_t nsize) {
  return alloc::UncountedRealloc(ptr, nsize);
}

int LuaPanic(lua_State* L) {
  const char* msg = lua_tostring(L, -1);
  std::fprintf(stderr, "Lua panic: %s\n", msg != nullptr ? msg : "?");
  std::abort();
}

// The count/line hook (Redis luaMaskCountHook).
thread_local ScriptEngine* hooked_engine = nullptr;

void CountHook(lua_State* L, lua_Debug*) {
  ScriptEngine* engine = hooked_engine;
  if (engine == nullptr || !engine->Interrupt()) return;
  // A SHUTDOWN NOSAVE ends the script too; only a kill is logged as one.
  if (!engine->server().shutdown_requested()) {
    engine->server().Log(Server::kWarning, "Lua script killed by user with SCRIPT KILL.");
  }
  // From now on every line raises again, so a pcall cannot swallow the kill.
  lua_sethook(L, CountHook, LUA_MASKLINE, 0);
  RaiseError(L, "Script killed by user with SCRIPT KILL...");
}

// Redis's conversion of a double to long long on x86: out of range (and NaN) gives LLONG_MIN.
int64_t TruncateNumber(lua_Number d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(d);
}

// RESP reader for a reply the server itself wrote (always well formed).
struct ReplyReader {
  std::string_view buf;
  size_t pos = 0;

  std::string_view Line() {
    size_t end = buf.find("\r\n", pos);
    std::string_view line = buf.substr(pos, end - pos);
    pos = end + 2;
    return line;
  }
  static int64_t ToInt(std::string_view s) {
    int64_t v = 0;
    bool neg = !s.empty() && s[0] == '-';
    for (size_t i = neg ? 1 : 0; i < s.size(); ++i) v = v * 10 + (s[i] - '0');
    return neg ? -v : v;
  }
  std::string_view Bulk(int64_t len) {
    std::string_view s = buf.substr(pos, len);
    pos += len + 2;
    return s;
  }
};

void PushValue(lua_State* L, ReplyReader& r, bool keep);

void PushValue(lua_State* L, ReplyReader& r, bool keep) {
  if (keep && !lua_checkstack(L, 5)) luaL_error(L, "reached lua stack limit");
  char type = r.buf[r.pos++];
  std::string_view line = r.Line();
  switch (type) {
    case '+':
      if (!keep) return;
      lua_newtable(L);
      lua_pushlstring(L, line.data(), line.size());
      lua_setfield(L, -2, "ok");
      return;
    case '-': {
      if (!keep) return;
      std::string e = "-";
      e.append(line);
      LuaVm::PushErrorTable(L, e);
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "ignore_error_stats_update");
      return;
    }
    case ':':
      if (keep) lua_pushnumber(L, static_cast<lua_Number>(ReplyReader::ToInt(line)));
      return;
    case '$': {
      int64_t len = ReplyReader::ToInt(line);
      if (len < 0) {
        if (keep) lua_pushboolean(L, 0);
        return;
      }
      std::string_view s = r.Bulk(len);
      if (keep) lua_pushlstring(L, s.data(), s.size());
      return;
    }
    case '=': {
      std::string_view s = r.Bulk(ReplyReader::ToInt(line));
      if (!keep) return;
      lua_newtable(L);
      lua_newtable(L);
      std::string_view body = s.size() >= 4 ? s.substr(4) : std::string_view();
      lua_pushlstring(L, body.data(), body.size());
      lua_setfield(L, -2, "string");
      lua_pushlstring(L, s.data(), std::min<size_t>(3, s.size()));
      lua_setfield(L, -2, "format");
      lua_setfield(L, -2, "verbatim_string");
      return;
    }
    case '*':
    case '>': {
      int64_t n = ReplyReader::ToInt(line);
      if (n < 0) {
        if (keep) lua_pushboolean(L, 0);
        return;
      }
      if (keep) lua_newtable(L);
      for (int64_t j = 0; j < n; ++j) {
        if (keep) lua_pushnumber(L, static_cast<lua_Number>(j + 1));
        PushValue(L, r, keep);
        if (keep) lua_settable(L, -3);
      }
      return;
    }
    case '%':
    case '~': {
      int64_t n = ReplyReader::ToInt(line);
      if (keep) {
        lua_newtable(L);
        lua_newtable(L);
      }
      for (int64_t j = 0; j < n; ++j) {
        PushValue(L, r, keep);
        if (type == '%') {
          PushValue(L, r, keep);
        } else if (keep) {
          lua_pushboolean(L, 1);
        }
        if (keep) lua_settable(L, -3);
      }
      if (keep) lua_setfield(L, -2, type == '%' ? "map" : "set");
      return;
    }
    case '|': {
      // Attributes are read and dropped; the reply they annotate follows.
      int64_t n = ReplyReader::ToInt(line);
      for (int64_t j = 0; j < 2 * n; ++j) PushValue(L, r, false);
      PushValue(L, r, keep);
      return;
    }
    case '_':
      if (keep) lua_pushnil(L);
      return;
    case '#':
      if (keep) lua_pushboolean(L, line == "t");
      return;
    case ',': {
      if (!keep) return;
      double d;
      if (line == "inf") {
        d = HUGE_VAL;
      } else if (line == "-inf") {
        d = -HUGE_VAL;
      } else if (line == "nan") {
        d = NAN;
      } else {
        d = std::strtod(std::string(line).c_str(), nullptr);
      }
      lua_newtable(L);
      lua_pushnumber(L, d);
      lua_setfield(L, -2, "double");
      return;
    }
    case '(':
      if (!keep) return;
      lua_newtable(L);
      lua_pushlstring(L, line.data(), line.size());
      lua_setfield(L, -2, "big_number");
      return;
    default:
      if (keep) lua_pushnil(L);
      return;
  }
}

// Pushes t[field] and reports whether it has type `type` (the value stays pushed either way).
bool FieldIs(lua_State* L, const char* field, int type) {
  lua_pushstring(L, field);
  lua_rawget(L, -2);
  return lua_type(L, -1) == type;
}

std::string NoCrLf(const char* s, size_t len) {
  std::string out(s, len);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

LuaVm::LuaVm(ScriptEngine& engine, bool functions)
    : engine_(engine), L_(lua_newstate(LuaAlloc, nullptr)), functions_(functions) {
  lua_atpanic(L_, LuaPanic);
  OpenLibraries();
  RegisterRedisApi();
  InstallErrorHandler();
  // Gone before the globals are locked: what Redis never loads or removes.
  for (const char* name : {"print", "dofile", "loadfile", "getfenv", "setfenv", "newproxy",
                           "module", "require", "package", "os", "io", "debug"}) {
    lua_pushnil(L_);
    lua_setglobal(L_, name);
  }
  lua_pushvalue(L_, LUA_GLOBALSINDEX);
  ProtectGlobals();
  lua_pop(L_, 1);
}

LuaVm::~LuaVm() {
  if (hooked_engine == &engine_) hooked_engine = nullptr;
  lua_close(L_);
}

size_t LuaVm::UsedMemory() const {
  return static_cast<size_t>(lua_gc(L_, LUA_GCCOUNT, 0)) * 1024 +
         static_cast<size_t>(lua_gc(L_, LUA_GCCOUNTB, 0));
}

void LuaVm::OpenLibraries() {
  struct Lib {
    const char* name;
    lua_CFunction open;
  };
  const Lib libs[] = {{"", luaopen_base},
                      {LUA_TABLIBNAME, luaopen_table},
                      {LUA_STRLIBNAME, luaopen_string},
                      {LUA_MATHLIBNAME, luaopen_math},
                      {LUA_DBLIBNAME, luaopen_debug}};
  for (const Lib& lib : libs) {
    lua_pushcfunction(L_, lib.open);
    lua_pushstring(L_, lib.name);
    lua_call(L_, 1, 0);
  }
  // Debian's cjson returns its table without setting a global; bit sets one itself.
  lua_pushcfunction(L_, luaopen_cjson);
  lua_call(L_, 0, 1);
  lua_setglobal(L_, "cjson");
  lua_pushcfunction(L_, luaopen_bit);
  lua_call(L_, 0, 1);
  lua_setglobal(L_, "bit");
  lua_getglobal(L_, "bit");
  WrapGlobal(L_, lua_gettop(L_), "tohex", SafeToHex);
  lua_pop(L_, 1);
  lua_pushcfunction(L_, SafeUnpack);
  lua_setglobal(L_, "unpack");
  lua_pushcfunction(L_, SourceLoadstring);
  lua_setglobal(L_, "loadstring");
  lua_pushcfunction(L_, SourceLoad);
  lua_setglobal(L_, "load");
  lua::OpenStruct(L_);
  lua::OpenCmsgpack(L_);
  lua::OpenRedisMath(L_);
}

void LuaVm::RegisterRedisApi() {
  lua_pushlightuserdata(L_, this);
  lua_pushcclosure(L_, ScriptPcall, 1);
  lua_setglobal(L_, "pcall");

  lua_newtable(L_);
  SetFn(L_, this, "call", RedisCall);
  SetFn(L_, this, "pcall", RedisPcall);
  SetFn(L_, this, "log", RedisLog);
  SetField(L_, "LOG_DEBUG", Server::kDebug);
  SetField(L_, "LOG_VERBOSE", Server::kVerbose);
  SetField(L_, "LOG_NOTICE", Server::kNotice);
  SetField(L_, "LOG_WARNING", Server::kWarning);
  // REDIS_VERSION_NUM is 0x00MMmmpp.
  int major = 0, minor = 0, patch = 0;
  std::sscanf(std::string(kRedisVersion).c_str(), "%d.%d.%d", &major, &minor, &patch);
  SetField(L_, "REDIS_VERSION_NUM", (major << 16) | (minor << 8) | patch);
  lua_pushlstring(L_, kRedisVersion.data(), kRedisVersion.size());
  lua_setfield(L_, -2, "REDIS_VERSION");
  SetFn(L_, this, "setresp", RedisSetResp);
  SetFn(L_, this, "sha1hex", RedisSha1hex);
  SetFn(L_, this, "error_reply", RedisErrorReply);
  SetFn(L_, this, "status_reply", RedisStatusReply);
  SetFn(L_, this, "set_repl", RedisSetRepl);
  SetField(L_, "REPL_NONE", kReplNone);
  SetField(L_, "REPL_AOF", kReplAof);
  SetField(L_, "REPL_SLAVE", kReplReplica);
  SetField(L_, "REPL_REPLICA", kReplReplica);
  SetField(L_, "REPL_ALL", kReplAll);
  SetFn(L_, this, "acl_check_cmd", RedisAclCheckCmd);
  if (!functions_) {
    SetFn(L_, this, "breakpoint", RedisBreakpoint);
    SetFn(L_, this, "debug", RedisDebug);
    SetFn(L_, this, "replicate_commands", RedisReplicateCommands);
  }
  lua_setglobal(L_, "redis");
}

void LuaVm::InstallErrorHandler() {
  // Redis's handler, in Lua so that it can name the Lua frame that failed: a C function's error
  // (redis.call's) is reported at the script line that called it.
  static constexpr char kHandler[] =
      "local dbg = debug\n"
      "__redis__err__handler = function(err)\n"
      "  local i = dbg.getinfo(2,'nSl')\n"
      "  if i and i.what == 'C' then\n"
      "    i = dbg.getinfo(3,'nSl')\n"
      "  end\n"
      "  if type(err) ~= 'table' then\n"
      "    err = {err='ERR ' .. tostring(err)}\n"
      "  end\n"
      "  if i then\n"
      "    err['source'] = i.source\n"
      "    err['line'] = i.currentline\n"
      "  end\n"
      "  return err\n"
      "end\n";
  luaL_loadbuffer(L_, kHandler, sizeof(kHandler) - 1, "@err_handler_def");
  lua_call(L_, 0, 0);
}

void LuaVm::ProtectGlobals() {
  lua_State* L = L_;
  const int real_g = lua_gettop(L);
  lua_newtable(L);  // real_of: proxy -> real
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, kRealOfKey);
  const int real_of = lua_gettop(L);
  lua_newtable(L);  // proxy_of: real -> proxy, for this walk
  const int proxy_of = lua_gettop(L);

  // Iterative walk: every table reachable from the globals gets a proxy, and each field that
  // held a table is pointed at that table's proxy.
  std::vector<int> pending;  // registry refs of tables whose fields are still to be walked
  auto make_proxy = [&](int idx) {
    idx = idx > 0 ? idx : lua_gettop(L) + idx + 1;
    PushReadonlyView(L, idx);
    // proxy_of[real] = proxy
    lua_pushvalue(L, idx);
    lua_pushvalue(L, -2);
    lua_rawset(L, proxy_of);
    lua_pop(L, 1);
    lua_pushvalue(L, idx);
    pending.push_back(luaL_ref(L, LUA_REGISTRYINDEX));
  };

  make_proxy(real_g);
  while (!pending.empty()) {
    int ref = pending.back();
    pending.pop_back();
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    const int t = lua_gettop(L);
    // Collect table-valued fields first: assigning while iterating is allowed for existing
    // keys, but a clean two-pass walk is easier to reason about.
    std::vector<int> keys;
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
      if (lua_istable(L, -1)) {
        lua_pushvalue(L, -2);
        keys.push_back(luaL_ref(L, LUA_REGISTRYINDEX));
      }
      lua_pop(L, 1);
    }
    for (int key_ref : keys) {
      lua_rawgeti(L, LUA_REGISTRYINDEX, key_ref);
      luaL_unref(L, LUA_REGISTRYINDEX, key_ref);
      lua_pushvalue(L, -1);
      lua_rawget(L, t);  // key, value
      lua_pushvalue(L, -1);
      lua_rawget(L, proxy_of);  // key, value, proxy-or-nil
      bool is_proxy_already = false;
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        // A value that is itself a proxy (seen from another parent) stays.
        lua_pushvalue(L, -1);
        lua_rawget(L, real_of);
        is_proxy_already = !lua_isnil(L, -1);
        lua_pop(L, 1);
        if (is_proxy_already) {
          lua_pop(L, 2);
          continue;
        }
        make_proxy(-1);
        lua_pushvalue(L, -1);
        lua_rawget(L, proxy_of);
      }
      // key, value, proxy
      lua_remove(L, -2);
      lua_rawset(L, t);
    }
    lua_pop(L, 1);
  }

  // Misses in the globals end here.
  lua_pushvalue(L, real_g);
  SetNonexistentGlobalError(L);
  lua_pop(L, 1);
  // getmetatable(_G) is a table in Redis: here a read-only view of that metatable.
  lua_getmetatable(L, real_g);
  const int globals_meta = lua_gettop(L);
  PushReadonlyView(L, globals_meta);
  lua_pushvalue(L, real_g);
  lua_rawget(L, proxy_of);
  lua_getmetatable(L, -1);
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 4);

  // Raw access that would get around the proxies.
  WrapGlobal(L, real_g, "rawset", GuardedWrite);
  WrapGlobal(L, real_g, "setmetatable", GuardedWrite);
  WrapGlobal(L, real_g, "rawget", SeeThrough);
  WrapGlobal(L, real_g, "next", SeeThrough);
  lua_getfield(L, real_g, "next");
  lua_pushcclosure(L, SeeThroughPairs, 1);
  lua_setfield(L, real_g, "pairs");
  lua_getfield(L, real_g, "table");  // the proxy
  PushUnproxied(L, -1);
  const int table_lib = lua_gettop(L);
  // table.remove/sort on a library write nothing (its length is 0), as in Redis; insert writes.
  WrapGlobal(L, table_lib, "insert", GuardedWrite);
  WrapGlobal(L, table_lib, "foreach", SeeThrough);
  lua_pop(L, 2);

  // Strings' methods resolve through the string proxy, so getmetatable("") leads nowhere
  // writable.
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  const int string_meta = lua_gettop(L);
  lua_getfield(L, real_g, "string");
  lua_setfield(L, string_meta, "__index");
  // getmetatable("") gives a read-only view of it.
  PushReadonlyView(L, string_meta);
  lua_setfield(L, string_meta, "__metatable");
  lua_pop(L, 2);

  // The thread's globals become the proxy: chunks compiled from now on (scripts, loadstring)
  // see only it.
  lua_pushvalue(L, real_g);
  real_globals_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, real_g);
  lua_rawget(L, proxy_of);
  globals_proxy_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pop(L, 2);  // real_of, proxy_of
  RestoreGlobals();
}

void LuaVm::PushReadonlyView(lua_State* L, int idx) {
  idx = idx > 0 ? idx : lua_gettop(L) + idx + 1;
  lua_newtable(L);  // the view
  lua_newtable(L);  // its metatable
  lua_pushvalue(L, idx);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ProxyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  // real_of[view] = table, for rawset/rawget/next/pairs/setmetatable.
  lua_getfield(L, LUA_REGISTRYINDEX, kRealOfKey);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, idx);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

void LuaVm::SetNonexistentGlobalError(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
}

int LuaVm::LoadSource(lua_State* L, const char* buf, size_t len, const char* chunkname) {
  if (len == 0 || buf[0] != LUA_SIGNATURE[0]) return luaL_loadbuffer(L, buf, len, chunkname);
  SourceReader r{buf, len};
  return lua_load(L, ReadSource, &r, chunkname);
}

void LuaVm::RestoreGlobals() {
  lua_rawgeti(L_, LUA_REGISTRYINDEX, globals_proxy_ref_);
  lua_replace(L_, LUA_GLOBALSINDEX);
}

void LuaVm::PushErrorHandler() {
  lua_rawgeti(L_, LUA_REGISTRYINDEX, real_globals_ref_);
  lua_getfield(L_, -1, "__redis__err__handler");
  lua_remove(L_, -2);
}

void LuaVm::SetGlobalArray(const char* name, const std::string_view* items, size_t n) {
  lua_rawgeti(L_, LUA_REGISTRYINDEX, real_globals_ref_);
  lua_createtable(L_, static_cast<int>(n), 0);
  for (size_t j = 0; j < n; ++j) {
    lua_pushlstring(L_, items[j].data(), items[j].size());
    lua_rawseti(L_, -2, static_cast<int>(j + 1));
  }
  lua_setfield(L_, -2, name);
  lua_pop(L_, 1);
}

void LuaVm::PushErrorTable(lua_State* L, std::string_view error) {
  std::string code = "ERR";
  std::string_view msg = error;
  if (!error.empty() && error[0] == '-') {
    size_t space = error.find(' ');
    if (space == std::string_view::npos) {
      msg = error.substr(1);
    } else {
      code.assign(error.substr(1, space - 1));
      msg = error.substr(space + 1);
    }
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.remove_suffix(1);
  while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) msg.remove_prefix(1);
  code += ' ';
  code.append(msg);
  lua_newtable(L);
  lua_pushstring(L, code.c_str());  // a C string in Redis: it ends at the first NUL
  lua_setfield(L, -2, "err");
}

size_t LuaVm::PushReply(lua_State* L, std::string_view reply) {
  ReplyReader r{reply};
  PushValue(L, r, true);
  return r.pos;
}

void LuaVm::PopReply(lua_State* L, protocol::ReplyBuilder& rb, int script_resp) {
  if (!lua_checkstack(L, 4)) {
    rb.SendError("reached lua stack limit");
    lua_pop(L, 1);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      rb.SendBulk(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        if (lua_toboolean(L, -1)) {
          rb.SendLong(1);
        } else {
          rb.SendNull();
        }
      } else {
        rb.SendBool(lua_toboolean(L, -1));
      }
      break;
    case LUA_TNUMBER:
      rb.SendLong(TruncateNumber(lua_tonumber(L, -1)));
      break;
    case LUA_TTABLE: {
      if (FieldIs(L, "err", LUA_TSTRING)) {
        lua_pop(L, 1);
        ErrorInfo info = ExtractErrorInfo(L);
        std::string msg = "-" + info.msg;
        rb.SendError(msg, !info.ignore_stats);
        break;
      }
      lua_pop(L, 1);
      if (FieldIs(L, "ok", LUA_TSTRING)) {
        size_t len;
        const char* s = lua_tolstring(L, -1, &len);
        rb.SendSimple(NoCrLf(s, strnlen(s, len)));
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (FieldIs(L, "double", LUA_TNUMBER)) {
        rb.SendDouble(lua_tonumber(L, -1));
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (FieldIs(L, "big_number", LUA_TSTRING)) {
        size_t len;
        const char* s = lua_tolstring(L, -1, &len);
        rb.SendBigNumber(NoCrLf(s, len));
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (FieldIs(L, "verbatim_string", LUA_TTABLE)) {
        bool sent = false;
        if (FieldIs(L, "format", LUA_TSTRING)) {
          size_t flen;
          const char* f = lua_tolstring(L, -1, &flen);
          // Redis copies up to 3 bytes of the C string and pads with spaces.
          std::string format(f, std::min<size_t>(strnlen(f, flen), 3));
          format.resize(3, ' ');
          lua_pop(L, 1);
          if (FieldIs(L, "string", LUA_TSTRING)) {
            size_t len;
            const char* s = lua_tolstring(L, -1, &len);
            rb.SendVerbatim(std::string_view(s, len), format);
            sent = true;
          }
        }
        lua_pop(L, 2);
        if (sent) break;
      } else {
        lua_pop(L, 1);
      }
      if (FieldIs(L, "map", LUA_TTABLE)) {
        auto h = rb.DeferMapLen();
        size_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
          lua_pushvalue(L, -2);
          PopReply(L, rb, script_resp);  // the key
          PopReply(L, rb, script_resp);  // the value
          ++n;
        }
        rb.SetDeferredLen(h, n);
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (FieldIs(L, "set", LUA_TTABLE)) {
        auto h = rb.DeferSetLen();
        size_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
          lua_pop(L, 1);
          lua_pushvalue(L, -1);
          PopReply(L, rb, script_resp);
          ++n;
        }
        rb.SetDeferredLen(h, n);
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      auto h = rb.DeferArrayLen();
      size_t n = 0;
      for (int j = 1;; ++j) {
        lua_rawgeti(L, -1, j);
        if (lua_isnil(L, -1)) {
          lua_pop(L, 1);
          break;
        }
        PopReply(L, rb, script_resp);
        ++n;
      }
      rb.SetDeferredLen(h, n);
      break;
    }
    default:
      rb.SendNull();
  }
  lua_pop(L, 1);
}

LuaVm::ErrorInfo LuaVm::ExtractErrorInfo(lua_State* L) {
  ErrorInfo info;
  if (lua_isstring(L, -1)) {
    info.msg = "ERR ";
    info.msg += lua_tostring(L, -1);  // up to its first NUL
    return info;
  }
  // Redis reads these as C strings: each stops at its first NUL.
  auto get = [&](const char* field, std::string* out) {
    lua_getfield(L, -1, field);
    bool found = lua_isstring(L, -1);
    if (found) {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      out->assign(s, strnlen(s, len));
    }
    lua_pop(L, 1);
    return found;
  };
  info.has_msg = get("err", &info.msg);
  // Both fields are read even when the first is missing.
  const bool has_source = get("source", &info.source);
  const bool has_line = get("line", &info.line);
  info.has_location = has_source && has_line;
  lua_getfield(L, -1, "ignore_error_stats_update");
  if (lua_isboolean(L, -1)) info.ignore_stats = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return info;
}

void LuaVm::SetHook(bool on) {
  if (on) {
    hooked_engine = &engine_;
    lua_sethook(L_, CountHook, LUA_MASKCOUNT, 100000);
  } else {
    lua_sethook(L_, nullptr, 0, 0);
    hooked_engine = nullptr;
  }
}

}  // namespace baozi
