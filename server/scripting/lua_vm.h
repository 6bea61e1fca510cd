// One sandboxed Lua 5.1 interpreter, set up as Redis 7.0 sets up its own: the libraries a script
// may use (base, table, string, math, cjson, struct, cmsgpack, bit), the `redis` API table, the
// error handler that turns any error into Redis's {err=, source=, line=} table, and globals that
// cannot be changed.
//
// Read-only globals. Redis patches its copy of Lua with a read-only flag on tables; Debian's Lua
// has no such flag, so the same guarantee is built from metatables. Every table reachable from
// the globals (the globals themselves, `string`, `redis`, `cjson`, ...) is replaced, where a
// script can see it, by an empty proxy whose metatable reads through to the real table
// (__index) and refuses writes (__newindex raises "Attempt to modify a readonly table"). Because
// the proxy stays empty, every assignment reaches __newindex, including ones that overwrite an
// existing field. The raw functions that would bypass metamethods (rawset, setmetatable,
// table.insert/remove/sort) refuse a proxy; those that read (rawget, next, pairs) see through it,
// so `for k in pairs(string)` lists the library as in Redis. The globals proxy's misses end in
// the real globals' own metatable, which raises "Script attempted to access nonexistent global
// variable". The string metatable's __index is pointed at the `string` proxy as well, so
// getmetatable("") hands out nothing writable. What a script cannot reach at all is removed, as
// in Redis: print, dofile, loadfile, getfenv, setfenv, newproxy, module loading, os, io, and
// debug once the error handler holds its own reference to it.
//
// Conversions (Redis script_lua.c) live here too: a RESP reply from a command becomes a Lua
// value for redis.call (integer -> number, bulk -> string, null -> false, status -> {ok=},
// error -> {err=}, arrays -> tables, RESP3 types -> {map=}, {set=}, {double=}, ...), and the
// value a script returns becomes the caller's reply (number -> integer, truncated; false -> null;
// true -> 1; tables stop at the first nil; {err=}/{ok=} -> error/status).
#pragma once

#include <cstddef>
#include <cstdint>
#include <lua.hpp>
#include <string>
#include <string_view>

#include "protocol/reply_builder.h"

namespace baozi {

class ScriptEngine;

class LuaVm {
 public:
  // `functions`: the interpreter FUNCTION libraries run in (no KEYS/ARGV globals).
  LuaVm(ScriptEngine& engine, bool functions);
  ~LuaVm();
  LuaVm(const LuaVm&) = delete;
  LuaVm& operator=(const LuaVm&) = delete;

  lua_State* state() const { return L_; }
  ScriptEngine& engine() const { return engine_; }
  // used_memory_lua / used_memory_vm_*: what the interpreter has allocated.
  size_t UsedMemory() const;

  // Pushes the error handler every protected call of a script goes through.
  void PushErrorHandler();
  // Sets the KEYS or ARGV global (EVAL) past the read-only protection.
  void SetGlobalArray(const char* name, const std::string_view* items, size_t n);
  // luaL_loadbuffer for source text only (see lua_vm.cc): bytecode is refused as Redis refuses
  // it, with the parser's error for its first byte.
  static int LoadSource(lua_State* L, const char* buf, size_t len, const char* chunkname);
  // Puts the globals proxy back as the thread's globals, whatever a script did.
  void RestoreGlobals();

  // The error table a failed redis.call carries (Redis luaPushErrorBuff): "-CODE msg" keeps its
  // code, a message without a dash gets "ERR"; trailing CR/LF trimmed.
  static void PushErrorTable(lua_State* L, std::string_view error);
  // Converts the RESP reply at the start of `reply` to a Lua value on the stack; returns the
  // bytes consumed.
  static size_t PushReply(lua_State* L, std::string_view reply);
  // Pops the value on top of the stack and writes it as a reply. `script_resp` is the protocol
  // the script chose with redis.setresp (it decides what booleans become).
  static void PopReply(lua_State* L, protocol::ReplyBuilder& rb, int script_resp);

  // What an error value says (Redis luaExtractErrorInformation): a string is "ERR <it>"; a
  // table gives err, and source/line when the error handler added them.
  struct ErrorInfo {
    std::string msg;
    std::string source, line;
    bool has_msg = false;
    bool has_location = false;
    bool ignore_stats = false;  // a command's error, counted when the command wrote it
  };
  static ErrorInfo ExtractErrorInfo(lua_State* L);

  // The count hook that watches for busy-reply-threshold and SCRIPT KILL, while a script runs.
  void SetHook(bool on);

  // Pushes a read-only view of the table at `idx`: an empty proxy that reads through to it and
  // refuses writes with "Attempt to modify a readonly table", known to the raw-access guards.
  static void PushReadonlyView(lua_State* L, int idx);
  // Gives the table on top of the stack a metatable whose __index raises "Script attempted to
  // access nonexistent global variable".
  static void SetNonexistentGlobalError(lua_State* L);

  // Marks the table on top of the stack, and every table reachable from it, read-only the way
  // the header describes; the proxies replace the tables in their parents. Used once for the
  // globals; FUNCTION's loader uses it for the library environment.
  void ProtectGlobals();

 private:
  void OpenLibraries();
  void RegisterRedisApi();
  void InstallErrorHandler();

  ScriptEngine& engine_;
  lua_State* L_;
  bool functions_;
  int globals_proxy_ref_ = LUA_NOREF;
  int real_globals_ref_ = LUA_NOREF;
};

}  // namespace baozi
