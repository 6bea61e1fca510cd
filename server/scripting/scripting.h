// Running Lua on the server (Redis eval.c + script.c): the script cache behind EVAL/EVALSHA, the
// one script that may be running at a time, and redis.call's path into the command table.
//
// A script runs inside the command that started it (EVAL, FCALL), start to finish, so it is
// atomic like a MULTI/EXEC: no other client's command runs in between. Its redis.call()s run
// through the same Call() as a client's commands, on a client of its own (the "lua" client of
// MONITOR) that cannot block and shares the caller's database; the checks a client's command
// passes in the dispatcher are made here instead, with Redis's script-specific texts (unknown
// command, arity, not allowed from scripts, writes from read-only scripts, -OOM before the first
// write, -MISCONF). What the commands write joins the calling command's propagation unit, so a
// script reaches the AOF as its effects wrapped in MULTI/EXEC, never as the script.
//
// Time stands still for a script: keys expire by the time it started (the keyspace clock is
// only advanced per dispatched command), so a script sees a consistent dataset.
//
// Long scripts. A count hook runs every 100,000 Lua instructions. Past busy-reply-threshold the
// server turns "busy": the hook lets the network layer serve other clients in between
// (Server::process_events_while_blocked), and the dispatcher answers them -BUSY except for the
// few commands flagged allow-busy (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE, ...). SCRIPT
// KILL marks the run killed and the hook raises an error the script cannot catch: the hook then
// fires on every line, so a pcall that swallowed the error fails again at once. A script that
// already wrote cannot be killed (-UNKILLABLE): its writes must not be half applied.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/client.h"
#include "server/scripting/lua_vm.h"
#include "server/string_map.h"

namespace baozi {

class Server;
class CmdContext;
class Command;
class FunctionRegistry;

// Script flags (the shebang's flags=, a function's flags).
enum ScriptFlag : uint32_t {
  kScriptNoWrites = 1 << 0,
  kScriptAllowOom = 1 << 1,
  kScriptAllowStale = 1 << 2,
  kScriptNoCluster = 1 << 3,
  kScriptAllowCrossSlot = 1 << 4,
  kScriptEvalCompat = 1 << 5,  // an EVAL script without a shebang: the pre-7.0 rules
};
// The clock scripts are timed with (busy-reply-threshold, FUNCTION STATS, load timeouts).
int64_t MonotonicUs();
// Parses one flag name ("no-writes"); 0 when unknown.
uint32_t ParseScriptFlag(std::string_view name);
// An EVAL body's "#!lua flags=..." line (Redis evalExtractShebangFlags): the flags (or
// kScriptEvalCompat without a shebang) and where the code starts; false with Redis's error text.
bool ParseShebang(std::string_view body, uint32_t* flags, size_t* code_start, std::string* error);
// Redis scriptFlagsToCmdFlags: what a script's declared flags make of its command's flags.
uint32_t ScriptFlagsToCmdFlags(uint32_t cmd_flags, uint32_t script_flags);

// redis.set_repl targets.
enum ReplFlag : int { kReplNone = 0, kReplAof = 1, kReplReplica = 2, kReplAll = 3 };

// The running script (Redis scriptRunCtx).
struct ScriptRun {
  Client* caller = nullptr;
  std::string funcname;  // the SHA for EVAL, the function's name for FCALL
  bool eval_mode = true;
  bool read_only = false;
  bool allow_oom = false;
  bool oom_at_start = false;  // memory was over maxmemory when the script started
  bool write_dirty = false;   // a write command ran: the script can no longer be killed
  bool timed_out = false;     // past busy-reply-threshold: other clients get -BUSY
  bool killed = false;
  int repl = kReplAll;
  int64_t start_us = 0;
  int64_t snapshot_ms = 0;  // the keyspace clock the script runs at
};

struct CachedScript {
  std::string sha;  // lowercase hex, the name errors give the script
  std::string body;
  uint32_t flags = 0;
  int ref = LUA_NOREF;  // the compiled chunk in the EVAL interpreter's registry
};

class ScriptEngine {
 public:
  explicit ScriptEngine(Server& server);
  ~ScriptEngine();

  Server& server() { return server_; }
  LuaVm& eval_vm() { return *eval_vm_; }
  Client& script_client() { return script_client_; }
  // FUNCTION's libraries and their interpreter (server/scripting/functions.h).
  FunctionRegistry& functions() { return *functions_; }

  // EVAL/EVALSHA's cache. Compiles `body` as f_<sha> unless known; on an error the reply was
  // written to `rb` and nullptr is returned.
  const CachedScript* CreateFunction(std::string_view body, protocol::ReplyBuilder* rb,
                                     std::string* sha_out);
  const CachedScript* Find(std::string_view sha) const;
  // SCRIPT FLUSH: forgets every script and starts a fresh interpreter.
  void Flush();
  size_t cached_scripts() const { return scripts_.size(); }
  size_t scripts_memory() const { return scripts_memory_; }

  // Runs one invocation: checks `flags` as Redis's scriptPrepareForRun (writing the error and
  // returning when the script may not run), then calls the function `push_fn` pushes with KEYS
  // and ARGV (EVAL: as globals; FCALL: as its two arguments), and writes its result or error as
  // ctx's reply. The command's own argv is never propagated: the script's writes are.
  template <class PushFn>
  void Run(CmdContext& ctx, LuaVm& vm, std::string_view funcname, uint32_t flags, bool ro,
           bool eval_mode, std::span<const std::string_view> keys,
           std::span<const std::string_view> args, PushFn&& push_fn) {
    if (!Prepare(ctx, vm, funcname, flags, ro, eval_mode)) return;
    push_fn(vm.state());
    Execute(ctx, vm, keys, args);
  }

  // redis.call's checks and the command itself. On a refusal `err` gets the message (without
  // the script suffix) and nothing ran; otherwise the reply is in the script client's buffer.
  void ScriptCall(std::span<const std::string_view> argv, std::string* err);

  ScriptRun* running() { return run_; }
  bool busy() const { return run_ != nullptr && run_->timed_out; }
  // The -BUSY text for the running script (SCRIPT KILL or FUNCTION KILL named).
  std::string_view BusyError() const;
  // SCRIPT KILL (is_eval) / FUNCTION KILL.
  void Kill(CmdContext& ctx, bool is_eval);
  // The count hook's work (scriptInterrupt): true when the script must stop.
  bool Interrupt();

  // Redis getCommandFlags for EVAL*/FCALL*: the flags the script declared decide whether the
  // command counts as a write and deny-oom (dispatcher checks, MULTI's flags, pauses).
  uint32_t CommandFlags(const Command& cmd, std::span<const std::string_view> argv);
  // FCALL's flags lookup by function name; the function registry installs it.
  std::function<std::optional<uint32_t>(std::string_view)> function_flags;

  // Every lua state's allocation, for INFO.
  size_t EvalVmMemory() const;

 private:
  bool Prepare(CmdContext& ctx, LuaVm& vm, std::string_view funcname, uint32_t flags, bool ro,
               bool eval_mode);
  void Execute(CmdContext& ctx, LuaVm& vm, std::span<const std::string_view> keys,
               std::span<const std::string_view> args);

  Server& server_;
  std::unique_ptr<LuaVm> eval_vm_;
  StringMap<CachedScript> scripts_;
  size_t scripts_memory_ = 0;
  Client script_client_;
  ScriptRun* run_ = nullptr;  // &run_storage_ while a script runs
  ScriptRun run_storage_;     // reused, so a run allocates nothing for its bookkeeping
  int gc_count_ = 0;
  std::unique_ptr<FunctionRegistry> functions_;  // last: it unhooks function_flags first
};

}  // namespace baozi
