// Transactions (multi.c): MULTI, EXEC, DISCARD, WATCH, UNWATCH. Queuing itself happens in the
// dispatcher, which owns every check a queued command must pass; see server/multi.h for WATCH.
#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/dispatcher.h"

namespace baozi {
namespace {

// MULTI
void CmdMulti(CmdContext& ctx) {
  Client& c = ctx.client();
  if (c.Has(kClientMulti)) return ctx.SendError("MULTI calls can not be nested");
  c.multi = std::make_unique<MultiState>();
  c.Set(kClientMulti);
  ctx.rb().SendOk();
}

// DISCARD
void CmdDiscard(CmdContext& ctx) {
  if (!ctx.client().Has(kClientMulti)) return ctx.SendError("DISCARD without MULTI");
  DiscardTransaction(ctx.server(), ctx.client());
  ctx.rb().SendOk();
}

// EXEC
void CmdExec(CmdContext& ctx) {
  Client& c = ctx.client();
  Server& server = ctx.server();
  if (!c.Has(kClientMulti)) return ctx.SendError("EXEC without MULTI");
  if (server.watches().AnyExpired(c, server.keyspace())) c.Set(kClientDirtyCas);
  if (c.Has(kClientDirtyExec) || c.Has(kClientDirtyCas)) {
    if (c.Has(kClientDirtyExec)) {
      ctx.SendError("-EXECABORT Transaction discarded because of previous errors.");
    } else {
      ctx.rb().SendNullArray();
    }
    DiscardTransaction(server, c);
    return;
  }
  // The client stays in MULTI while the queue runs, as in Redis (SUBSCRIBE checks it), but its
  // WATCHes go first: the transaction's own writes must not dirty anything.
  std::unique_ptr<MultiState> tx = std::move(c.multi);
  server.watches().UnwatchAll(c);

  // Blocking commands answer as their non-blocking forms inside a transaction; a script or an
  // outer caller may have denied blocking already.
  bool deny_before = c.Has(kClientDenyBlocking);
  c.Set(kClientDenyBlocking);
  // Messages published to this client by its own commands wait until the array is complete.
  ctx.rb().HoldPushes();
  ctx.rb().StartArray(tx->commands.size());
  std::vector<std::string_view> argv;
  for (QueuedCommand& q : tx->commands) {
    argv.assign(q.argv.begin(), q.argv.end());
    // Each runs as if sent alone (a SELECT changes the db of the commands after it).
    Call(server, c, *q.cmd, argv);
  }
  ctx.rb().ReleasePushes();
  if (!deny_before) c.Clear(kClientDenyBlocking);
  DiscardTransaction(server, c);
  server.keyspace().stats().dirty++;
  ctx.PreventPropagation();  // the queued commands propagated themselves, as one unit
}

// WATCH key [key ...]
void CmdWatch(CmdContext& ctx) {
  if (ctx.client().Has(kClientMulti)) return ctx.SendError("WATCH inside MULTI is not allowed");
  for (size_t i = 1; i < ctx.argc(); ++i)
    ctx.server().watches().Watch(ctx.client(), ctx.db(), ctx.arg(i));
  ctx.rb().SendOk();
}

// UNWATCH
void CmdUnwatch(CmdContext& ctx) {
  ctx.server().watches().UnwatchAll(ctx.client());
  ctx.client().Clear(kClientDirtyCas);
  ctx.rb().SendOk();
}

}  // namespace

void RegisterMultiCommands(CommandRegistry& r) {
  r.Add({"multi",
         1,
         kNoScript | kLoading | kStale | kFast | kAllowBusy,
         {},
         CmdMulti,
         "transactions"});
  r.Add({"exec", 1, kNoScript | kLoading | kStale | kSkipSlowlog, {}, CmdExec, "transactions"});
  r.Add({"discard",
         1,
         kNoScript | kLoading | kStale | kFast | kAllowBusy,
         {},
         CmdDiscard,
         "transactions"});
  r.Add({"watch",
         -2,
         kNoScript | kLoading | kStale | kFast | kAllowBusy,
         {1, -1, 1},
         CmdWatch,
         "transactions"});
  r.Add({"unwatch",
         1,
         kNoScript | kLoading | kStale | kFast | kAllowBusy,
         {},
         CmdUnwatch,
         "transactions"});
}

}  // namespace baozi
