// Scripting commands (eval.c): EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT. The engine is in
// server/scripting/; this file parses arguments and picks the script.
#include <string>

#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/commands/help.h"
#include "server/dispatcher.h"
#include "server/scripting/scripting.h"

namespace baozi {
namespace {

// EVAL script numkeys [key ...] [arg ...]: numkeys, or an error reply.
std::optional<size_t> NumKeys(CmdContext& ctx) {
  auto n = ArgInt(ctx, ctx.arg(2));
  if (!n) return std::nullopt;
  if (*n > static_cast<int64_t>(ctx.argc() - 3)) {
    ctx.SendError("Number of keys can't be greater than number of args");
    return std::nullopt;
  }
  if (*n < 0) {
    ctx.SendError("Number of keys can't be negative");
    return std::nullopt;
  }
  return static_cast<size_t>(*n);
}

void EvalGeneric(CmdContext& ctx, bool evalsha, bool ro) {
  if (!ctx.server().monitors().empty()) FeedMonitors(ctx.server(), ctx.client(), ctx.args());
  auto numkeys = NumKeys(ctx);
  if (!numkeys) return;
  ScriptEngine& engine = ctx.server().scripting();
  const CachedScript* script;
  if (evalsha) {
    script = engine.Find(ctx.arg(1));
    if (script == nullptr) return ctx.SendError("-NOSCRIPT No matching script. Please use EVAL.");
  } else {
    script = engine.CreateFunction(ctx.arg(1), &ctx.rb(), nullptr);
    if (script == nullptr) return;
  }
  auto args = ctx.args();
  auto keys = args.subspan(3, *numkeys);
  auto argv = args.subspan(3 + *numkeys);
  const int ref = script->ref;
  engine.Run(ctx, engine.eval_vm(), script->sha, script->flags, ro, /*eval_mode=*/true, keys, argv,
             [ref](lua_State* L) { lua_rawgeti(L, LUA_REGISTRYINDEX, ref); });
}

void CmdEval(CmdContext& ctx) { EvalGeneric(ctx, false, false); }
void CmdEvalSha(CmdContext& ctx) { EvalGeneric(ctx, true, false); }
void CmdEvalRo(CmdContext& ctx) { EvalGeneric(ctx, false, true); }
void CmdEvalShaRo(CmdContext& ctx) { EvalGeneric(ctx, true, true); }

// SCRIPT LOAD script
void CmdScriptLoad(CmdContext& ctx) {
  std::string sha;
  if (ctx.server().scripting().CreateFunction(ctx.arg(2), &ctx.rb(), &sha) == nullptr) return;
  ctx.rb().SendBulk(sha);
}

// SCRIPT EXISTS sha [sha ...]
void CmdScriptExists(CmdContext& ctx) {
  ScriptEngine& engine = ctx.server().scripting();
  ctx.rb().StartArray(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.rb().SendLong(engine.Find(ctx.arg(i)) != nullptr ? 1 : 0);
  }
}

// SCRIPT FLUSH [ASYNC|SYNC]. Either way the cache is emptied before the reply; ASYNC only
// decides, in Redis, which thread frees it.
void CmdScriptFlush(CmdContext& ctx) {
  if (ctx.argc() > 3 || (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "sync") &&
                         !EqualsIgnoreCase(ctx.arg(2), "async"))) {
    return ctx.SendError("SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  ctx.server().scripting().Flush();
  ctx.rb().SendOk();
}

// SCRIPT KILL
void CmdScriptKill(CmdContext& ctx) { ctx.server().scripting().Kill(ctx, /*is_eval=*/true); }

// SCRIPT HELP. Redis also lists DEBUG; baozi has no Lua debugger, so SCRIPT DEBUG is not
// registered and not offered here.
void CmdScriptHelp(CmdContext& ctx) {
  SendHelp(ctx, {
                    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "EXISTS <sha1> [<sha1> ...]",
                    "    Return information about the existence of the scripts in the script "
                    "cache.",
                    "FLUSH [ASYNC|SYNC]",
                    "    Flush the Lua scripts cache. Very dangerous on replicas.",
                    "    When called without the optional mode argument, the behavior is "
                    "determined by the",
                    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                    "    * ASYNC: Asynchronously flush the scripts cache.",
                    "    * SYNC: Synchronously flush the scripts cache.",
                    "KILL",
                    "    Kill the currently executing Lua script.",
                    "LOAD <script>",
                    "    Load a script into the scripts cache without executing it.",
                });
}

}  // namespace

void RegisterScriptCommands(CommandRegistry& r) {
  // may-replicate is set in Redis though COMMAND INFO does not show it: CLIENT PAUSE WRITE
  // holds a script that may write.
  constexpr uint32_t kEvalFlags = kNoScript | kStale | kSkipMonitor | kNoMandatoryKeys;
  r.Add({"eval", -3, kEvalFlags | kMayReplicate, {}, CmdEval, "scripting"});
  r.Add({"evalsha", -3, kEvalFlags | kMayReplicate, {}, CmdEvalSha, "scripting"});
  r.Add({"eval_ro", -3, kEvalFlags | kReadOnly, {}, CmdEvalRo, "scripting"});
  r.Add({"evalsha_ro", -3, kEvalFlags | kReadOnly, {}, CmdEvalShaRo, "scripting"});
  Command* script = r.Add({"script", -2, 0, {}, CmdContainer, "scripting"});
  script->AddSubcommand({"kill", 2, kNoScript | kAllowBusy, {}, CmdScriptKill, "scripting"});
  script->AddSubcommand({"help", 2, kLoading | kStale, {}, CmdScriptHelp, "scripting"});
  script->AddSubcommand({"load", 3, kNoScript | kStale, {}, CmdScriptLoad, "scripting"});
  script->AddSubcommand({"exists", -3, kNoScript, {}, CmdScriptExists, "scripting"});
  script->AddSubcommand({"flush", -2, kNoScript, {}, CmdScriptFlush, "scripting"});
}

}  // namespace baozi
