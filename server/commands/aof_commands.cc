// BGREWRITEAOF (aof.c bgrewriteaofCommand). The rewrite itself is server/aof.h's.
#include "server/aof.h"
#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/snapshot.h"

namespace baozi {
namespace {

void CmdBgrewriteaof(CmdContext& ctx) {
  AofWriter& aof = ctx.server().aof();
  // Inside EXEC a fork would capture half a transaction: Redis schedules it instead.
  const bool in_exec = ctx.client().Has(kClientMulti) || ctx.client().Has(kClientDenyBlocking);
  if (aof.child_running()) {
    return ctx.SendError("Background append only file rewriting already in progress");
  }
  if (ctx.server().snapshot().child_running() || in_exec) {
    aof.ScheduleRewrite();
    return ctx.rb().SendSimple("Background append only file rewriting scheduled");
  }
  if (aof.StartRewrite()) {
    return ctx.rb().SendSimple("Background append only file rewriting started");
  }
  ctx.SendError(
      "Can't execute an AOF background rewriting. Please check the server logs for more "
      "information.");
}

}  // namespace

void RegisterAofCommands(CommandRegistry& r) {
  r.Add({"bgrewriteaof", 1, kAdmin | kNoScript | kNoAsyncLoading, {}, CmdBgrewriteaof, "server"});
}

}  // namespace baozi
