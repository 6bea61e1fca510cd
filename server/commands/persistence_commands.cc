// Persistence commands (rdb.c, cluster.c): SAVE, BGSAVE, DUMP, RESTORE. The snapshot machinery
// is server/snapshot.h; the payload format is persistence/rdb.h.
#include <string>
#include <vector>

#include "persistence/rdb.h"
#include "server/aof.h"
#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/snapshot.h"
#include "storage/numbers.h"

namespace baozi {
namespace {

constexpr std::string_view kErrBgsaveInProgress = "Background save already in progress";

// SAVE
void CmdSave(CmdContext& ctx) {
  Snapshot& snap = ctx.server().snapshot();
  if (snap.child_running()) return ctx.SendError(kErrBgsaveInProgress);
  snap.CountSave();
  if (snap.SaveSync()) return ctx.rb().SendOk();
  ctx.SendError("-ERR");
}

// BGSAVE [SCHEDULE]
void CmdBgsave(CmdContext& ctx) {
  bool schedule = false;
  if (ctx.argc() > 1) {
    if (ctx.argc() == 2 && EqualsIgnoreCase(ctx.arg(1), "schedule")) {
      schedule = true;
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }
  Snapshot& snap = ctx.server().snapshot();
  // Inside EXEC a fork would snapshot half a transaction: Redis schedules it instead.
  const bool in_exec = ctx.client().Has(kClientMulti) || ctx.client().Has(kClientDenyBlocking);
  if (snap.child_running()) return ctx.SendError(kErrBgsaveInProgress);
  if (ctx.server().aof().child_running() || in_exec) {
    if (schedule || in_exec) {
      snap.ScheduleBackgroundSave();
      return ctx.rb().SendSimple("Background saving scheduled");
    }
    return ctx.SendError(
        "Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in "
        "order to schedule a BGSAVE whenever possible.");
  }
  if (snap.StartBackgroundSave()) return ctx.rb().SendSimple("Background saving started");
  ctx.SendError("-ERR");
}

// DUMP key
void CmdDump(CmdContext& ctx) {
  DbEntry* e = ctx.db().FindRead(ctx.arg(1));
  if (e == nullptr) return ctx.rb().SendNull();
  ctx.rb().SendBulk(rdb::DumpPayload(e->value, ctx.config().rdbcompression));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
void CmdRestore(CmdContext& ctx) {
  bool replace = false, absttl = false;
  int64_t lfu_freq = -1, lru_idle = -1;
  for (size_t j = 4; j < ctx.argc(); ++j) {
    const std::string_view a = ctx.arg(j);
    const size_t additional = ctx.argc() - j - 1;
    if (EqualsIgnoreCase(a, "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(a, "absttl")) {
      absttl = true;
    } else if (EqualsIgnoreCase(a, "idletime") && additional >= 1 && lfu_freq == -1) {
      auto v = ParseInt64(ctx.arg(j + 1));
      if (!v) return ctx.SendError(Errc::kNotInteger);
      if (*v < 0) return ctx.SendError("Invalid IDLETIME value, must be >= 0");
      lru_idle = *v;
      ++j;
    } else if (EqualsIgnoreCase(a, "freq") && additional >= 1 && lru_idle == -1) {
      auto v = ParseInt64(ctx.arg(j + 1));
      if (!v) return ctx.SendError(Errc::kNotInteger);
      if (*v < 0 || *v > 255) return ctx.SendError("Invalid FREQ value, must be >= 0 and <= 255");
      lfu_freq = *v;
      ++j;
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }
  const std::string_view key = ctx.arg(1);
  Db& db = ctx.db();
  if (!replace && db.FindWrite(key) != nullptr) {
    return ctx.SendError("-BUSYKEY Target key name already exists.");
  }
  auto ttl = ParseInt64(ctx.arg(2));
  if (!ttl) return ctx.SendError(Errc::kNotInteger);
  if (*ttl < 0) return ctx.SendError("Invalid TTL value, must be >= 0");
  const std::string_view payload = ctx.arg(3);
  if (!rdb::VerifyPayload(payload)) {
    return ctx.SendError("DUMP payload version or checksum are wrong");
  }
  auto value = rdb::LoadPayload(payload, ctx.server().keyspace().limits);
  if (!value) return ctx.SendError("Bad data format");

  bool deleted = false;
  if (replace) deleted = db.Delete(key);
  int64_t when = *ttl;
  if (when != 0 && !absttl) when += ctx.now_ms();
  if (when != 0 && when <= ctx.now_ms()) {
    // Already expired: nothing is created, but a replaced key is gone (Redis propagates DEL).
    if (deleted) {  // Delete counted the one change Redis counts
      ctx.SignalModifiedKey(key);
      ctx.Notify(notify::kGeneric, "del", key);
      ctx.PropagateAs({ctx.config().lazyfree_lazy_server_del ? "UNLINK" : "DEL", key});
    }
    return ctx.rb().SendOk();
  }
  DbEntry& e = db.Add(key, std::move(*value));
  if (when != 0) db.SetExpire(e, when);
  ctx.server().keyspace().SetAccessData(e.value, lfu_freq, lru_idle);
  ctx.SignalModifiedKey(key);
  ctx.Notify(notify::kGeneric, "restore", key);
  ctx.rb().SendOk();
  // Redis counts a RESTORE as one change, replace or not; Delete and Add counted one each.
  if (deleted) ctx.server().keyspace().stats().dirty--;
  // A relative TTL propagates as the absolute deadline plus ABSTTL, so a replay later restores
  // the same deadline.
  if (when != 0 && !absttl && ctx.propagating()) {
    char buf[kIntBufSize];
    std::vector<std::string_view> argv(ctx.args().begin(), ctx.args().end());
    argv[2] = {buf, FormatInt64(when, buf)};
    argv.push_back("ABSTTL");
    ctx.PropagateAs(argv);
  }
}

}  // namespace

void RegisterPersistenceCommands(CommandRegistry& r) {
  r.Add({"save", 1, kAdmin | kNoScript | kNoAsyncLoading | kNoMulti, {}, CmdSave, "server"});
  r.Add({"bgsave", -1, kAdmin | kNoScript | kNoAsyncLoading, {}, CmdBgsave, "server"});
  r.Add({"dump", 2, kReadOnly, {1, 1, 1}, CmdDump, "keyspace"});
  r.Add({"restore", -4, kWrite | kDenyOom, {1, 1, 1}, CmdRestore, "keyspace"});
}

}  // namespace baozi
