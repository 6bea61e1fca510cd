// Redis 7.0 functions (functions.c, function_lua.c): libraries of Lua functions that FUNCTION
// LOAD installs, FCALL runs by name, and RDB/AOF persist as the code they were loaded from.
//
// A library is one payload: a shebang line "#!lua name=<lib>" and Lua code that, run once at
// load time, registers its functions with redis.register_function(name, callback) or the
// named-argument form redis.register_function{function_name=, callback=, flags=,
// description=}. Only the code is kept; a library comes back from an RDB file, a FUNCTION
// RESTORE payload or an AOF by loading that code again.
//
// The interpreter. Every library lives in one Lua state of its own (LuaVm with functions=true),
// apart from EVAL's. As in Redis, the state's globals are an empty table whose metatable
// decides what a lookup finds: normally the real, read-only globals, and while a library's
// top-level code runs, a small load-time API that holds nothing but `redis` with
// register_function, log, the LOG_* levels and REDIS_VERSION(_NUM). So the load code cannot
// call commands, reach the libraries (string, table, ...) or keep state in globals; the
// functions it registers are compiled against the same empty table and see the full
// environment when FCALL runs them later. Local variables captured by the callbacks are the
// only state a library keeps between calls. Loading runs under a count hook that stops code
// running past 500 ms (FUNCTION LOAD timeout); loading from RDB/AOF has no limit, as Redis
// gives its master and AOF clients none.
//
// A set of libraries (Redis functionsLibCtx) indexes its functions by name case-insensitively,
// as Redis's function dictionary does; library names, and function names within one library,
// are case-sensitive. Loading into a set is all or nothing (Redis
// functionsCreateWithLibraryCtx): the library is compiled and run, must register at least one
// function, and none of its functions may already exist in another library; REPLACE swaps a
// library of the same name. FUNCTION RESTORE compiles a payload's libraries into a fresh set
// first and then joins it to the current one (Redis libraryJoin), so a payload that fails
// leaves everything as it was.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <lua.hpp>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/scripting/lua_vm.h"
#include "server/scripting/scripting.h"

namespace baozi {

class ScriptEngine;
struct FunctionLibrary;

struct FunctionInfo {
  std::string name;
  std::optional<std::string> description;
  uint32_t flags = 0;   // ScriptFlag bits
  int ref = LUA_NOREF;  // the callback, in the functions interpreter's registry
  FunctionLibrary* library = nullptr;
};

struct FunctionLibrary {
  std::string name;
  std::string code;                                      // the payload as given, shebang included
  std::vector<std::unique_ptr<FunctionInfo>> functions;  // in registration order
};

// The flag names in Redis's order (scripts_flags_def): FUNCTION LIST lists them so.
struct ScriptFlagName {
  uint32_t flag;
  std::string_view name;
};
inline constexpr ScriptFlagName kFunctionFlagNames[] = {
    {kScriptNoWrites, "no-writes"},
    {kScriptAllowOom, "allow-oom"},
    {kScriptAllowStale, "allow-stale"},
    {kScriptNoCluster, "no-cluster"},
    {kScriptAllowCrossSlot, "allow-cross-slot-keys"},
};

// A set of libraries and the index of their functions (Redis functionsLibCtx). Destroying it
// releases the callbacks of the libraries it still holds.
class FunctionLibraries {
 public:
  explicit FunctionLibraries(lua_State* L) : L_(L) {}
  ~FunctionLibraries();
  FunctionLibraries(const FunctionLibraries&) = delete;
  FunctionLibraries& operator=(const FunctionLibraries&) = delete;

  FunctionLibrary* FindLibrary(std::string_view name) const;
  // Case-insensitive, as FCALL looks functions up.
  FunctionInfo* FindFunction(std::string_view name) const;

  // Libraries by name.
  const std::map<std::string, std::unique_ptr<FunctionLibrary>, std::less<>>& libraries() const {
    return libraries_;
  }
  size_t library_count() const { return libraries_.size(); }
  // INFO's number_of_functions: names in the index.
  size_t function_count() const { return functions_.size(); }
  // FUNCTION STATS' functions_count: what the libraries registered (Redis counts a library's
  // functions whose names differ only in case twice here, once in the index).
  size_t registered_functions() const { return registered_; }
  // Bytes of bookkeeping the libraries and functions take (Redis cache_memory).
  size_t memory() const { return memory_; }

  // Adds a library and its functions to the index (Redis libraryLink).
  void Link(std::unique_ptr<FunctionLibrary> lib);
  // Takes a library and its functions out (Redis libraryUnlink); nullptr when absent.
  std::unique_ptr<FunctionLibrary> Unlink(std::string_view name);
  // Takes every library out, in name order.
  std::vector<std::unique_ptr<FunctionLibrary>> UnlinkAll();
  void Clear();

  // Releases a library's callbacks in `L`.
  static void Release(lua_State* L, FunctionLibrary& lib);
  lua_State* lua() const { return L_; }

 private:
  struct CaseHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const;
  };
  struct CaseEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const;
  };

  lua_State* L_;
  std::map<std::string, std::unique_ptr<FunctionLibrary>, std::less<>> libraries_;
  std::unordered_map<std::string, FunctionInfo*, CaseHash, CaseEq> functions_;
  size_t registered_ = 0;
  size_t memory_ = 0;
};

// How loaded libraries meet the ones already there.
enum class LibraryPolicy {
  kAppend,   // a library that exists already is an error
  kReplace,  // it is replaced
  kFlush,    // every existing library goes first
};

class FunctionRegistry {
 public:
  static constexpr int64_t kLoadTimeoutMs = 500;  // Redis LOAD_TIMEOUT_MS

  explicit FunctionRegistry(ScriptEngine& engine);
  ~FunctionRegistry();
  FunctionRegistry(const FunctionRegistry&) = delete;
  FunctionRegistry& operator=(const FunctionRegistry&) = delete;

  LuaVm& vm() { return *vm_; }
  // The libraries FCALL sees.
  FunctionLibraries& libraries() { return *current_; }
  const FunctionLibraries& libraries() const { return *current_; }
  std::unique_ptr<FunctionLibraries> NewLibraries() const;

  // Compiles `code` as a library into `into` (Redis functionsCreateWithLibraryCtx): the
  // library's name, or Redis's error text. `timeout_ms` 0 means no limit.
  std::expected<std::string, std::string> Create(std::string_view code, bool replace,
                                                 FunctionLibraries& into, int64_t timeout_ms);
  // Moves every library of `src` into the current set (Redis libraryJoin, or a swap for
  // kFlush). On an error nothing changed and `src` still holds its libraries.
  std::expected<void, std::string> Join(FunctionLibraries& src, LibraryPolicy policy);
  // Compiles libraries (an RDB's) into a fresh set and joins them: the first error's text.
  std::expected<void, std::string> LoadAll(std::span<const std::string> codes,
                                           LibraryPolicy policy);
  // FUNCTION DELETE; false when there is no such library.
  bool Delete(std::string_view library);
  // FUNCTION FLUSH.
  void Flush();

  // Every library's code, in name order (FUNCTION DUMP, RDB, AOF rewrite).
  std::vector<std::string_view> Codes() const;

  // INFO: the interpreter's allocation (used_memory_vm_functions) and the bookkeeping
  // (used_memory_functions).
  size_t VmMemory() const { return vm_->UsedMemory(); }
  size_t MemoryOverhead() const;

  // The argv of the FCALL that is running (FUNCTION STATS shows it); empty otherwise.
  std::span<const std::string_view> running_argv;

 private:
  void SetUpLoadEnvironment();
  void UseLoadEnvironment(bool load);
  static int RegisterFunction(lua_State* L);
  static void LoadHook(lua_State* L, lua_Debug* ar);

  ScriptEngine& engine_;
  std::unique_ptr<LuaVm> vm_;
  std::unique_ptr<FunctionLibraries> current_;
  int globals_meta_ref_ = LUA_NOREF;  // the metatable of the empty globals table
  int real_globals_ref_ = LUA_NOREF;  // what it reads through to normally
  int load_api_ref_ = LUA_NOREF;      // ... and while a library loads
  // The library being loaded, for register_function; null outside a load.
  FunctionLibrary* loading_ = nullptr;
  int64_t load_start_us_ = 0;
  int64_t load_timeout_ms_ = 0;
};

}  // namespace baozi
