#include "server/scripting/scripting.h"

#include <chrono>
#include <cstring>

#include "protocol/split_args.h"
#include "server/aof.h"
#include "server/cmd_context.h"
#include "server/dispatcher.h"
#include "server/propagate.h"
#include "server/scripting/functions.h"
#include "server/server.h"
#include "server/sha1.h"
#include "server/snapshot.h"

namespace baozi {
namespace {}  // namespace

bool ParseShebang(std::string_view body, uint32_t* flags, size_t* code_start, std::string* error) {
  *flags = kScriptEvalCompat;
  *code_start = 0;
  if (!body.starts_with("#!")) return true;
  // "#!lua flags=a,b": the engine and the script's flags, split as Redis splits arguments
  // (quotes allowed). The line is left out of the code but its newline stays, so line numbers
  // in errors match the source.
  size_t eol = body.find('\n');
  if (eol == std::string_view::npos) {
    *error = "Invalid script shebang";
    return false;
  }
  *code_start = eol;
  auto split = protocol::SplitArgs(body.substr(0, eol));
  if (!split || split->empty()) {
    *error = "Invalid engine in script shebang";
    return false;
  }
  const std::vector<std::string>& parts = *split;
  if (parts[0] != "#!lua") {
    *error = "Unexpected engine in script shebang: " + parts[0];
    return false;
  }
  *flags = 0;
  for (size_t j = 1; j < parts.size(); ++j) {
    if (!parts[j].starts_with("flags=")) {
      *error = "Unknown lua shebang option: " + parts[j];
      return false;
    }
    // Split on every comma, as sdssplitlen does: "a,," names an empty flag, "" names none.
    std::string_view list = std::string_view(parts[j]).substr(6);
    if (list.empty()) continue;
    for (size_t pos = 0;;) {
      size_t comma = list.find(',', pos);
      std::string_view name =
          list.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
      uint32_t f = ParseScriptFlag(name);
      if (f == 0) {
        *error = "Unexpected flag in script shebang: " + std::string(name);
        return false;
      }
      *flags |= f;
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
  }
  return true;
}

uint32_t ScriptFlagsToCmdFlags(uint32_t cmd_flags, uint32_t script_flags) {
  if (script_flags & kScriptEvalCompat) return cmd_flags;
  cmd_flags &= ~(kStale | kDenyOom | kWrite | kMayReplicate);
  if (!(script_flags & (kScriptAllowOom | kScriptNoWrites))) cmd_flags |= kDenyOom;
  if (!(script_flags & kScriptNoWrites)) cmd_flags |= kWrite;
  if (script_flags & kScriptAllowStale) cmd_flags |= kStale;
  return cmd_flags;
}

int64_t MonotonicUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint32_t ParseScriptFlag(std::string_view name) {
  if (name == "no-writes") return kScriptNoWrites;
  if (name == "allow-oom") return kScriptAllowOom;
  if (name == "allow-stale") return kScriptAllowStale;
  if (name == "no-cluster") return kScriptNoCluster;
  if (name == "allow-cross-slot-keys") return kScriptAllowCrossSlot;
  return 0;
}

ScriptEngine::ScriptEngine(Server& server)
    : server_(server), eval_vm_(std::make_unique<LuaVm>(*this, false)), script_client_(0, 0) {
  // MONITOR shows the script's commands as coming from "lua"; blocking commands answer at once.
  script_client_.addr = "lua";
  script_client_.laddr = "lua";
  script_client_.Set(kClientDenyBlocking);
  script_client_.set_authenticated(true);
  functions_ = std::make_unique<FunctionRegistry>(*this);
}

ScriptEngine::~ScriptEngine() = default;

const CachedScript* ScriptEngine::Find(std::string_view sha) const {
  if (sha.size() != 40) return nullptr;
  // "ABC..." and "abc..." name the same script (Redis hashes SHAs case-insensitively).
  char lower[40];
  for (size_t i = 0; i < 40; ++i) {
    char c = sha[i];
    lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  auto it = scripts_.find(std::string_view(lower, 40));
  return it == scripts_.end() ? nullptr : &it->second;
}

const CachedScript* ScriptEngine::CreateFunction(std::string_view body, protocol::ReplyBuilder* rb,
                                                 std::string* sha_out) {
  std::string sha = Sha1::Hex(Sha1::Of(body));
  if (sha_out != nullptr) *sha_out = sha;
  if (auto it = scripts_.find(sha); it != scripts_.end()) return &it->second;

  uint32_t flags = kScriptEvalCompat;
  size_t code_start = 0;
  if (std::string error; !ParseShebang(body, &flags, &code_start, &error)) {
    if (rb != nullptr) rb->SendError(error);
    return nullptr;
  }

  lua_State* L = eval_vm_->state();
  std::string_view code = body.substr(code_start);
  if (LuaVm::LoadSource(L, code.data(), code.size(), "@user_script") != 0) {
    if (rb != nullptr) {
      rb->SendError(std::string("Error compiling script (new function): ") + lua_tostring(L, -1));
    }
    lua_pop(L, 1);
    return nullptr;
  }
  CachedScript& s = scripts_[sha];
  s.ref = luaL_ref(L, LUA_REGISTRYINDEX);  // the compiled chunk, pushed by ref on every run
  s.sha = sha;
  s.body.assign(body);
  s.flags = flags;
  scripts_memory_ += sha.size() + body.size() + sizeof(CachedScript) + 64;
  return &s;
}

void ScriptEngine::Flush() {
  // A new interpreter: the compiled functions, and anything scripts left in it, are gone.
  eval_vm_.reset();
  eval_vm_ = std::make_unique<LuaVm>(*this, false);
  scripts_.clear();
  scripts_memory_ = 0;
}

uint32_t ScriptEngine::CommandFlags(const Command& cmd, std::span<const std::string_view> argv) {
  std::string_view name = cmd.name();
  if (argv.size() < 2) return cmd.flags();
  uint32_t script_flags = kScriptEvalCompat;
  if (name == "eval" || name == "eval_ro") {
    size_t code_start;
    std::string error;
    if (!ParseShebang(argv[1], &script_flags, &code_start, &error)) return cmd.flags();
  } else if (name == "evalsha" || name == "evalsha_ro") {
    const CachedScript* s = Find(argv[1]);
    if (s == nullptr) return cmd.flags();
    script_flags = s->flags;
  } else if (name == "fcall" || name == "fcall_ro") {
    if (!function_flags) return cmd.flags();
    std::optional<uint32_t> f = function_flags(argv[1]);
    if (!f) return cmd.flags();
    script_flags = *f;
  } else {
    return cmd.flags();
  }
  return ScriptFlagsToCmdFlags(cmd.flags(), script_flags);
}

size_t ScriptEngine::EvalVmMemory() const { return eval_vm_->UsedMemory(); }

std::string_view ScriptEngine::BusyError() const {
  if (run_ && !run_->eval_mode) {
    return "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN "
           "NOSAVE.";
  }
  return "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
         "NOSAVE.";
}

bool ScriptEngine::Prepare(CmdContext& ctx, LuaVm& vm, std::string_view funcname, uint32_t flags,
                           bool ro, bool eval_mode) {
  (void)vm;
  Server& server = ctx.server();
  Client& caller = ctx.client();
  const bool oom =
      server.config().maxmemory != 0 && server.UsedMemory() > server.config().maxmemory;
  if (!(flags & kScriptEvalCompat)) {
    // A script that declared no writes may run over the limit (no-writes implies allow-oom).
    if (!(flags & (kScriptAllowOom | kScriptNoWrites)) && oom) {
      ctx.SendError(
          "-OOM allow-oom flag is not set on the script, can not run it when used memory > "
          "'maxmemory'");
      return false;
    }
    if (!(flags & kScriptNoWrites)) {
      int aof_errno = 0;
      if (server.snapshot().WritesDenied()) {
        ctx.SendError(
            "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
            "persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only "
            "scripts.");
        return false;
      }
      if (server.aof().WritesDenied(&aof_errno)) {
        ctx.SendError(
            std::string("-MISCONF Redis is configured to persist data to AOF, but it's currently "
                        "unable to persist to disk. Writable scripts are blocked. Use 'no-writes' "
                        "flag for read only scripts. AOF error: ") +
            std::strerror(aof_errno));
        return false;
      }
      if (ro) {
        ctx.SendError("Can not execute a script with write flag using *_ro command.");
        return false;
      }
    }
  }
  ScriptRun& run = run_storage_;
  run.caller = &caller;
  run.funcname.assign(funcname);
  run.eval_mode = eval_mode;
  run.read_only = ro || (!(flags & kScriptEvalCompat) && (flags & kScriptNoWrites));
  run.allow_oom = !(flags & kScriptEvalCompat) && (flags & kScriptAllowOom);
  run.oom_at_start = oom;
  run.start_us = MonotonicUs();
  run.snapshot_ms = server.keyspace().now_ms();
  run.write_dirty = run.timed_out = run.killed = false;
  run.repl = kReplAll;
  run_ = &run;
  script_client_.set_db(caller.db());
  script_client_.set_resp(2);
  if (caller.Has(kClientMulti)) script_client_.Set(kClientMulti);
  return true;
}

void ScriptEngine::Execute(CmdContext& ctx, LuaVm& vm, std::span<const std::string_view> keys,
                           std::span<const std::string_view> args) {
  lua_State* L = vm.state();
  ScriptRun& run = *run_;
  // Stack: error handler, function.
  vm.PushErrorHandler();
  lua_insert(L, -2);
  vm.RestoreGlobals();
  const bool hook = server_.config().busy_reply_threshold > 0;
  if (hook) vm.SetHook(true);
  int err;
  if (run.eval_mode) {
    vm.SetGlobalArray("KEYS", keys.data(), keys.size());
    vm.SetGlobalArray("ARGV", args.data(), args.size());
    err = lua_pcall(L, 0, 1, -2);
  } else {
    for (auto list : {keys, args}) {
      lua_createtable(L, static_cast<int>(list.size()), 0);
      for (size_t j = 0; j < list.size(); ++j) {
        lua_pushlstring(L, list[j].data(), list[j].size());
        lua_rawseti(L, -2, static_cast<int>(j + 1));
      }
    }
    err = lua_pcall(L, 2, 1, -4);
  }
  if (hook) vm.SetHook(false);
  // Redis steps the collector every 50 scripts rather than letting a full cycle land inside one.
  if (++gc_count_ == 50) {
    lua_gc(L, LUA_GCSTEP, 50);
    gc_count_ = 0;
  }
  protocol::ReplyBuilder& rb = ctx.rb();
  if (err != 0) {
    if (!lua_istable(L, -1)) {
      const char* msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
      std::string text = "Error running script " + run.funcname + ", ";
      text.append(msg, strnlen(msg, 100));
      rb.SendError(text);
    } else {
      LuaVm::ErrorInfo info = LuaVm::ExtractErrorInfo(L);
      std::string text = "-" + info.msg;
      if (info.has_location) {
        text += " script: " + run.funcname + ", on " + info.source + ":" + info.line + ".";
      }
      rb.SendError(text, !info.ignore_stats);
    }
    lua_pop(L, 1);
  } else {
    LuaVm::PopReply(L, rb, script_client_.resp());
  }
  lua_pop(L, 1);  // the error handler

  // scriptResetRun
  script_client_.Clear(kClientMulti);
  run_ = nullptr;
  ctx.PreventPropagation();
}

void ScriptEngine::ScriptCall(std::span<const std::string_view> argv, std::string* err) {
  ScriptRun& run = *run_;
  Server& server = server_;
  Command* cmd = server.registry().Find(argv[0]);
  if (cmd != nullptr && cmd->IsContainer() && argv.size() >= 2) {
    cmd = cmd->FindSubcommand(argv[1]);
  }
  // A refused call is a rejected command, as in Redis: an error reply in INFO's counts, and a
  // rejected call of the command when there is one. The script's own error reply that follows
  // is then not counted again.
  auto refuse = [&](std::string msg) {
    std::string_view code = "ERR";
    if (!msg.empty() && msg[0] == '-') {
      std::string_view head = std::string_view(msg).substr(1);
      code = head.substr(0, head.find(' '));
    }
    CountErrorReplies(server, code);
    if (cmd != nullptr) cmd->stats().rejected_calls++;
    *err = std::move(msg);
  };
  const int argc = static_cast<int>(argv.size());
  if (cmd == nullptr) return refuse("Unknown Redis command called from script");
  if ((cmd->arity() > 0 && cmd->arity() != argc) || argc < -cmd->arity()) {
    return refuse("Wrong number of args calling Redis command from script");
  }
  script_client_.last_cmd = cmd;
  if (cmd->Has(kNoScript)) return refuse("This Redis command is not allowed from script");
  if (cmd->Has(kWrite)) {
    if (run.read_only) return refuse("Write commands are not allowed from read-only scripts.");
    int aof_errno = 0;
    if (server.snapshot().WritesDenied()) return refuse(std::string(kErrMisconf));
    if (server.aof().WritesDenied(&aof_errno)) {
      return refuse(std::string("-MISCONF Errors writing to the AOF file: ") +
                    std::strerror(aof_errno));
    }
  }
  // Only before the first write: once a script wrote, stopping it half way is worse.
  if (!run.allow_oom && server.config().maxmemory != 0 && !run.write_dirty && run.oom_at_start &&
      cmd->Has(kDenyOom)) {
    return refuse("-OOM command not allowed when used memory > 'maxmemory'.");
  }
  if (cmd->Has(kWrite)) run.write_dirty = true;
  // Another client's command (served while busy) may have moved the clock: the script's stands.
  server.keyspace().set_now_ms(run.snapshot_ms);
  const bool mute = (run.repl & kReplAof) == 0;
  if (mute) propagation::MuteOwnOps(true);
  Call(server, script_client_, *cmd, argv);
  if (mute) propagation::MuteOwnOps(false);
}

bool ScriptEngine::Interrupt() {
  ScriptRun* run = run_;
  if (run == nullptr) return false;
  if (!run->timed_out) {
    int64_t elapsed_ms = (MonotonicUs() - run->start_us) / 1000;
    if (elapsed_ms < server_.config().busy_reply_threshold) return false;
    server_.Log(Server::kWarning, "Slow script detected: still in execution after " +
                                      std::to_string(elapsed_ms) +
                                      " milliseconds. You can try killing the script using the " +
                                      (run->eval_mode ? "SCRIPT KILL" : "FUNCTION KILL") +
                                      " command. Script name is: " + run->funcname + ".");
    run->timed_out = true;
  }
  if (server_.process_events_while_blocked) server_.process_events_while_blocked();
  server_.keyspace().set_now_ms(run->snapshot_ms);
  return run->killed || server_.shutdown_requested();
}

void ScriptEngine::Kill(CmdContext& ctx, bool is_eval) {
  ScriptRun* run = run_;
  if (run == nullptr) return ctx.SendError("-NOTBUSY No scripts in execution right now.");
  if (run->write_dirty) {
    return ctx.SendError(
        "-UNKILLABLE Sorry the script already executed write commands against the dataset. You "
        "can either wait the script termination or kill the server in a hard way using the "
        "SHUTDOWN NOSAVE command.");
  }
  if (is_eval != run->eval_mode) return ctx.SendError(BusyError());
  run->killed = true;
  ctx.rb().SendOk();
}

}  // namespace baozi
