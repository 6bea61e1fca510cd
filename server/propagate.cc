// Propagation: how executed writes reach the sink (server/propagate.h) in Redis 7.0's form.
//
// Redis collects what one execution unit propagates in server.also_propagate and hands it on
// when the unit ends (propagatePendingCommands): a single op as it is, several inside MULTI ...
// EXEC so a reader applies them atomically. An op joins the unit from three places: a command
// that changed the dataset adds its own argv (or the deterministic form it declared) after its
// handler returns; a handler adds extra ops (SPOP's SREMs); lazy expiry during the handler adds
// a DEL. Because lazy expiry and extra ops happen during the handler and the command's own op
// only after it, a lazily expired key's DEL always precedes the write that found it expired.
//
// The unit here is the outermost RunHandler: EXEC's queued commands run nested inside EXEC's
// handler, so a transaction is one unit; a blocked client served later is a unit of its own.
// Ops live in one reused arena (argument bytes plus offsets), so a steady stream of rewrites
// allocates nothing once warm, and the common case — one top-level command propagating its own
// argv — skips the arena altogether and feeds the client's argv straight to the sink.
//
// Outside any unit (active expiry, eviction before a command runs) an op is fed at once. While
// no sink is installed nothing here runs beyond the caller's one test of the pointer.
#include "server/propagate.h"

#include <string>
#include <vector>

#include "server/cmd_context.h"
#include "server/server.h"

namespace baozi {
namespace propagation {
namespace {

struct Op {
  int db;
  uint32_t first_arg;
  uint32_t argc;
  bool dropped;  // a PropagateAs form whose command turned out to change nothing
};

struct PendingUnit {
  int depth = 0;  // open RunHandler calls
  std::string bytes;
  std::vector<std::pair<uint32_t, uint32_t>> args;  // offset, length in `bytes`
  std::vector<Op> ops;
  // Ops fed early (eviction flushes mid-unit): a PropagateAs index counts from the unit's start,
  // so one taken before such a flush never lands on a later op.
  uint32_t flushed = 0;
  std::vector<std::string_view> scratch;  // an op's argv as views, while it is fed
};

// One server runs per thread; the unit is empty between units, so servers that take turns on a
// thread (the tests) never see each other's ops.
thread_local PendingUnit unit;
thread_local bool muted = false;

constexpr std::string_view kMulti[] = {"MULTI"};
constexpr std::string_view kExec[] = {"EXEC"};
constexpr std::string_view kDel = "DEL";
constexpr std::string_view kUnlink = "UNLINK";

uint32_t Append(int db, std::span<const std::string_view> argv) {
  PendingUnit& u = unit;
  u.ops.push_back(
      {db, static_cast<uint32_t>(u.args.size()), static_cast<uint32_t>(argv.size()), false});
  for (std::string_view a : argv) {
    u.args.emplace_back(static_cast<uint32_t>(u.bytes.size()), static_cast<uint32_t>(a.size()));
    u.bytes.append(a);
  }
  return u.flushed + static_cast<uint32_t>(u.ops.size() - 1);
}

// The op a PropagateAs index names, or nullptr once it was fed.
Op* OpAt(uint32_t index) {
  PendingUnit& u = unit;
  if (index < u.flushed || index - u.flushed >= u.ops.size()) return nullptr;
  return &u.ops[index - u.flushed];
}

void FeedOp(PropagationSink* sink, const Op& op) {
  PendingUnit& u = unit;
  u.scratch.clear();
  for (uint32_t i = 0; i < op.argc; ++i) {
    auto [off, len] = u.args[op.first_arg + i];
    u.scratch.emplace_back(u.bytes.data() + off, len);
  }
  sink->Feed(op.db, u.scratch);
}

void Clear() {
  PendingUnit& u = unit;
  u.flushed = u.depth == 0 ? 0 : u.flushed + static_cast<uint32_t>(u.ops.size());
  u.ops.clear();
  u.args.clear();
  u.bytes.clear();
}

}  // namespace

void FlushPending(Server& server) {
  PendingUnit& u = unit;
  PropagationSink* sink = server.propagation_sink;
  if (u.ops.empty()) return;
  if (sink == nullptr) return Clear();  // the sink went away mid-unit (appendonly turned off)
  const Op* first = nullptr;
  const Op* last = nullptr;
  size_t live = 0;
  for (const Op& op : u.ops) {
    if (op.dropped) continue;
    if (first == nullptr) first = &op;
    last = &op;
    ++live;
  }
  // MULTI carries the first op's db so its SELECT comes first; EXEC the last op's, so no SELECT
  // comes between the last op and EXEC (Redis feeds EXEC without a db).
  if (live > 1) sink->Feed(first->db, kMulti);
  for (const Op& op : u.ops) {
    if (!op.dropped) FeedOp(sink, op);
  }
  if (live > 1) sink->Feed(last->db, kExec);
  Clear();
}

void MuteOwnOps(bool m) { muted = m; }

void Also(Server& server, int db, std::span<const std::string_view> argv) {
  PropagationSink* sink = server.propagation_sink;
  if (sink == nullptr) return;
  if (unit.depth == 0) return sink->Feed(db, argv);
  Append(db, argv);
}

void Also(Server& server, int db, std::initializer_list<std::string_view> argv) {
  Also(server, db, std::span<const std::string_view>(argv.begin(), argv.size()));
}

void Deletion(Server& server, int db, std::string_view key, bool lazy) {
  if (server.propagation_sink == nullptr) return;
  Also(server, db, {lazy ? kUnlink : kDel, key});
}

void RunHandler(Server& server, CmdContext& ctx) {
  if (server.propagation_sink == nullptr) {
    ctx.cmd().handler()(ctx);
    return;
  }
  PendingUnit& u = unit;
  const bool outer = u.depth == 0;
  const uint64_t& dirty = server.keyspace().stats().dirty;
  const uint64_t dirty_before = dirty;
  ++u.depth;
  ctx.cmd().handler()(ctx);
  --u.depth;
  // Redis call(): the dirty counter moved (a SAVE inside the command may lower it: no change).
  const bool changed = dirty > dirty_before || (ctx.prop_flags_ & CmdContext::kPropForce);
  const bool own = changed && !(ctx.prop_flags_ & CmdContext::kPropPrevent) && !muted;
  if (ctx.propagated_form_ != UINT32_MAX) {
    if (Op* op = OpAt(ctx.propagated_form_); op != nullptr && !own) op->dropped = true;
  } else if (own && server.propagation_sink != nullptr) {
    if (outer && u.ops.empty()) {
      server.propagation_sink->Feed(ctx.client().db(), ctx.args());
    } else {
      Append(ctx.client().db(), ctx.args());
    }
  }
  if (outer) {
    FlushPending(server);
    u.flushed = 0;
  }
}

}  // namespace propagation

void CmdContext::SetPropagatedForm(std::span<const std::string_view> argv) {
  // A handler that runs outside RunHandler (none today) would leave the form pending forever.
  if (propagation::unit.depth == 0) return;
  if (propagation::Op* op = propagation::OpAt(propagated_form_); op != nullptr) {
    op->dropped = true;
  }
  propagated_form_ = propagation::Append(client_.db(), argv);
}

}  // namespace baozi
