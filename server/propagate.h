// Propagation: every change a command makes to the dataset leaves the server as commands in a
// deterministic form (Redis's propagate()/alsoPropagate()), which the append-only file appends
// and replays at start-up to the same data (and replicas would apply).
//
// The form is what Redis 7.0 writes for the same command, so an AOF moves between baozi and
// Redis: relative expiries become absolute (SET EX -> SET PXAT, EXPIRE -> PEXPIREAT), random or
// blocking commands become their effect (SPOP -> SREM, BLPOP -> LPOP, ...), keys deleted by
// expiry or eviction become DEL (UNLINK under lazyfree-lazy-expire/eviction), a command that
// changed nothing propagates nothing, and the commands one execution unit (a command, EXEC, a
// script) propagates are wrapped in MULTI/EXEC when there is more than one.
#pragma once

#include <initializer_list>
#include <span>
#include <string_view>

namespace baozi {

// Receives the propagated stream (the AOF writer implements it).
class PropagationSink {
 public:
  virtual ~PropagationSink() = default;
  // One command that changes database `db`, in replayable form, in execution order. The views
  // are valid during the call only.
  virtual void Feed(int db, std::span<const std::string_view> argv) = 0;
};

}  // namespace baozi

// ---------------------------------------------------------------------------------------------
// The propagation machinery (server/propagate.cc). Commands use it through CmdContext
// (PropagateAs / AlsoPropagate / PreventPropagation / ForcePropagation); the dispatcher,
// blocking, expiry and eviction call it directly. Every entry point returns at once when
// `server.propagation_sink` is nullptr.

namespace baozi {

class Server;
class CmdContext;

namespace propagation {

// Runs `ctx`'s handler as one step of Redis's call(): afterwards, if the command changed the
// dataset (the dirty counter moved) or forced propagation, its argv — or the form it declared
// with PropagateAs — joins the pending ops after whatever the handler (or lazy expiry during
// it) added. The outermost call ends an execution unit: its ops go to the sink, wrapped in
// MULTI/EXEC when there is more than one (Redis 7.0's propagatePendingCommands). EXEC's queued
// commands run nested and so share EXEC's unit.
void RunHandler(Server& server, CmdContext& ctx);

// Redis alsoPropagate: adds an op to the current unit, or feeds it at once outside any unit
// (active expiry).
void Also(Server& server, int db, std::span<const std::string_view> argv);
void Also(Server& server, int db, std::initializer_list<std::string_view> argv);

// Redis propagateDeletion: DEL, or UNLINK when `lazy`, for a key that expiry or eviction
// removed.
void Deletion(Server& server, int db, std::string_view key, bool lazy);

// Redis propagatePendingCommands: feeds whatever the current unit holds now (eviction does this
// after each key, so evicted keys never join a command's MULTI/EXEC).
void FlushPending(Server& server);

// While muted, a command's own op is not propagated (its extra ops and lazy-expiry DELs still
// are): a script's commands after redis.set_repl(redis.REPL_NONE).
void MuteOwnOps(bool muted);

}  // namespace propagation
}  // namespace baozi
