// Keyspace commands (db.c, expire.c): DEL, EXISTS, TYPE, RENAME, MOVE, COPY, SCAN, KEYS, the
// EXPIRE family, SELECT, SWAPDB, FLUSHDB/FLUSHALL, OBJECT.
//
// Every change signals WATCH and publishes db.c's event for each key it touched, in the
// database the key lives in (MOVE and COPY ... DB reach another one). Flushes and SWAPDB publish
// nothing: they only mark the watchers of keys that existed, before the data moves.
#include <limits>
#include <vector>

#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/commands/help.h"
#include "server/snapshot.h"
#include "storage/numbers.h"

namespace baozi {
namespace {

// DEL key [key ...] / UNLINK (values are freed inline; they are small until lazy free exists)
void CmdDel(CmdContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (!ctx.db().Delete(ctx.arg(i))) continue;
    ctx.SignalModifiedKey(ctx.arg(i));
    ctx.Notify(notify::kGeneric, "del", ctx.arg(i));
    ++n;
  }
  ctx.rb().SendLong(n);
}

// EXISTS key [key ...]
void CmdExists(CmdContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) n += ctx.db().FindReadNoTouch(ctx.arg(i)) ? 1 : 0;
  ctx.rb().SendLong(n);
}

// TOUCH key [key ...]
void CmdTouch(CmdContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) n += ctx.db().FindRead(ctx.arg(i)) ? 1 : 0;
  ctx.rb().SendLong(n);
}

// TYPE key
void CmdType(CmdContext& ctx) {
  DbEntry* e = ctx.db().FindReadNoTouch(ctx.arg(1));
  ctx.rb().SendSimple(e ? TypeName(e->value.type()) : "none");
}

// RENAME key newkey / RENAMENX key newkey
void RenameGeneric(CmdContext& ctx, bool nx) {
  Db& db = ctx.db();
  std::string_view from = ctx.arg(1), to = ctx.arg(2);
  if (db.Find(from) == nullptr) return ctx.SendError(Errc::kNoSuchKey);
  if (from == to) {
    if (nx) return ctx.rb().SendLong(0);
    return ctx.rb().SendOk();
  }
  if (db.Find(to) != nullptr) {
    if (nx) return ctx.rb().SendLong(0);
    db.Delete(to);
  }
  auto moved = db.Extract(from);
  DbEntry& e = db.Add(to, std::move(moved->value));
  if (moved->expire_ms != kNoExpire) db.SetExpire(e, moved->expire_ms);
  ctx.SignalModifiedKey(from);
  ctx.SignalModifiedKey(to);
  ctx.Notify(notify::kGeneric, "rename_from", from);
  ctx.Notify(notify::kGeneric, "rename_to", to);
  if (nx) return ctx.rb().SendLong(1);
  ctx.rb().SendOk();
}
void CmdRename(CmdContext& ctx) { RenameGeneric(ctx, false); }
void CmdRenameNx(CmdContext& ctx) { RenameGeneric(ctx, true); }

// RANDOMKEY
void CmdRandomKey(CmdContext& ctx) {
  auto k = ctx.db().RandomKey();
  if (!k) return ctx.rb().SendNull();
  ctx.rb().SendBulk(*k);
}

// DBSIZE
void CmdDbSize(CmdContext& ctx) { ctx.rb().SendLong(static_cast<int64_t>(ctx.db().size())); }

// FLUSHDB [ASYNC|SYNC] / FLUSHALL [ASYNC|SYNC]
bool FlushArgsOk(CmdContext& ctx) {
  if (ctx.argc() > 2) {
    ctx.SendError(Errc::kSyntax);
    return false;
  }
  if (ctx.argc() == 2 && !EqualsIgnoreCase(ctx.arg(1), "sync") &&
      !EqualsIgnoreCase(ctx.arg(1), "async")) {
    ctx.SendError(Errc::kSyntax);
    return false;
  }
  return true;
}
void CmdFlushDb(CmdContext& ctx) {
  if (!FlushArgsOk(ctx)) return;
  // Watchers learn of the flush before the keys go: the check needs to see what existed.
  ctx.server().watches().TouchAllInDb(ctx.db(), nullptr);
  ctx.server().SignalFlushed();
  ctx.db().Clear();
  ctx.server().blocking().SignalFlushed(ctx.client().db());
  ctx.rb().SendOk();
  ctx.ForcePropagation();  // even an empty db's flush reaches the AOF
}
void CmdFlushAll(CmdContext& ctx) {
  if (!FlushArgsOk(ctx)) return;
  Keyspace& ks = ctx.server().keyspace();
  for (int i = 0; i < ks.size(); ++i) ctx.server().watches().TouchAllInDb(ks.db(i), nullptr);
  ctx.server().SignalFlushed();
  ks.FlushAll();
  ctx.server().blocking().SignalFlushed(-1);
  ctx.server().snapshot().AfterFlushAll();
  ctx.rb().SendOk();
  ctx.ForcePropagation();
}

// Redis getIntFromObjectOrReply: an int64 that also fits in an int.
std::optional<int> ArgDbIndex(CmdContext& ctx, std::string_view arg, std::string_view error) {
  auto v = ParseInt64(arg);
  if (!v || *v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()) {
    ctx.SendError(error);
    return std::nullopt;
  }
  return static_cast<int>(*v);
}
bool ValidDb(CmdContext& ctx, int index) {
  return index >= 0 && index < ctx.server().keyspace().size();
}

// SELECT index
void CmdSelect(CmdContext& ctx) {
  auto id = ArgDbIndex(ctx, ctx.arg(1), kErrNotInteger);
  if (!id) return;
  if (!ValidDb(ctx, *id)) return ctx.SendError(Errc::kDbIndex);
  ctx.client().set_db(*id);
  ctx.rb().SendOk();
}

// SWAPDB index1 index2
void CmdSwapDb(CmdContext& ctx) {
  auto a = ArgDbIndex(ctx, ctx.arg(1), "invalid first DB index");
  if (!a) return;
  auto b = ArgDbIndex(ctx, ctx.arg(2), "invalid second DB index");
  if (!b) return;
  if (!ValidDb(ctx, *a) || !ValidDb(ctx, *b)) return ctx.SendError(Errc::kDbIndex);
  if (*a != *b) {
    Db& db_a = ctx.server().keyspace().db(*a);
    Db& db_b = ctx.server().keyspace().db(*b);
    // Before the swap, while each db still holds what its watchers saw.
    ctx.server().watches().TouchAllInDb(db_a, &db_b);
    ctx.server().watches().TouchAllInDb(db_b, &db_a);
    db_a.SwapContents(db_b);
    ctx.server().blocking().SignalSwappedDbs(static_cast<int>(*a), static_cast<int>(*b));
  }
  ctx.rb().SendOk();
  ctx.ForcePropagation();  // Redis counts every SWAPDB as a change, even of a db with itself
}

// MOVE key db
void CmdMove(CmdContext& ctx) {
  auto id = ArgDbIndex(ctx, ctx.arg(2), kErrNotInteger);
  if (!id) return;
  if (!ValidDb(ctx, *id)) return ctx.SendError(Errc::kDbIndex);
  Db& src = ctx.db();
  Db& dst = ctx.server().keyspace().db(*id);
  if (&src == &dst) return ctx.SendError(Errc::kSameObject);
  if (src.Find(ctx.arg(1)) == nullptr) return ctx.rb().SendLong(0);
  if (dst.Find(ctx.arg(1)) != nullptr) return ctx.rb().SendLong(0);
  auto moved = src.Extract(ctx.arg(1));
  DbEntry& e = dst.Add(ctx.arg(1), std::move(moved->value));
  if (moved->expire_ms != kNoExpire) dst.SetExpire(e, moved->expire_ms);
  ctx.server().SignalModifiedKey(src, ctx.arg(1));
  ctx.server().SignalModifiedKey(dst, ctx.arg(1));
  ctx.server().NotifyKeyspaceEvent(notify::kGeneric, "move_from", ctx.arg(1), src.index());
  ctx.server().NotifyKeyspaceEvent(notify::kGeneric, "move_to", ctx.arg(1), dst.index());
  ctx.rb().SendLong(1);
}

// COPY source destination [DB destination-db] [REPLACE]
void CmdCopy(CmdContext& ctx) {
  bool replace = false;
  int dst_index = ctx.client().db();
  for (size_t j = 3; j < ctx.argc(); ++j) {
    if (EqualsIgnoreCase(ctx.arg(j), "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.arg(j), "db") && j + 1 < ctx.argc()) {
      auto id = ParseInt64(ctx.arg(j + 1));
      if (!id) return ctx.SendError(Errc::kNotInteger);
      if (*id < 0 || *id >= ctx.server().keyspace().size()) return ctx.SendError(Errc::kDbIndex);
      dst_index = static_cast<int>(*id);
      ++j;
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }
  Db& src = ctx.db();
  Db& dst = ctx.server().keyspace().db(dst_index);
  if (&src == &dst && ctx.arg(1) == ctx.arg(2)) return ctx.SendError(Errc::kSameObject);
  DbEntry* from = src.FindRead(ctx.arg(1));
  if (from == nullptr) return ctx.rb().SendLong(0);
  if (dst.Find(ctx.arg(2)) != nullptr) {
    if (!replace) return ctx.rb().SendLong(0);
  }
  Value copy = from->value;
  int64_t expire = src.ExpireOf(*from);
  dst.Delete(ctx.arg(2));
  DbEntry& e = dst.Add(ctx.arg(2), std::move(copy));
  if (expire != kNoExpire) dst.SetExpire(e, expire);
  ctx.server().SignalModifiedKey(dst, ctx.arg(2));
  ctx.server().NotifyKeyspaceEvent(notify::kGeneric, "copy_to", ctx.arg(2), dst.index());
  ctx.rb().SendLong(1);
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
void CmdScan(CmdContext& ctx) {
  auto args = ParseScanArgs(ctx, 1, /*allow_type=*/true);
  if (!args) return;
  Db& db = ctx.db();
  std::vector<std::string> keys;
  uint64_t next = args->cursor;
  int64_t max_iterations = args->count * 10;
  do {
    next = db.Scan(next, [&](std::string_view key, DbEntry&) { keys.emplace_back(key); });
  } while (next != 0 && max_iterations-- > 0 && static_cast<int64_t>(keys.size()) < args->count);

  // Filter after collecting, as Redis does: the lookups may expire keys, which the dict
  // callback must not.
  std::erase_if(keys, [&](const std::string& key) {
    if (!args->Matches(key)) return true;
    DbEntry* e = db.Find(key);  // expired keys are lazily deleted here
    return e == nullptr ||
           (args->type && !EqualsIgnoreCase(*args->type, TypeName(e->value.type())));
  });
  ReplyScanPage(ctx, next, keys);
}

// KEYS pattern
void CmdKeys(CmdContext& ctx) {
  std::string_view pattern = ctx.arg(1);
  bool all = pattern == "*";
  Db& db = ctx.db();
  auto& rb = ctx.rb();
  auto h = rb.DeferArrayLen();
  size_t n = 0;
  db.ForEach([&](std::string_view key, DbEntry& e) {
    if (db.IsExpired(e)) return;
    if (!all && !KeyMatches(pattern, key)) return;
    rb.SendBulk(key);
    ++n;
  });
  rb.SetDeferredLen(h, n);
}

enum ExpireFlag : uint32_t { kNx = 1, kXx = 2, kGt = 4, kLt = 8 };

// EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT key time [NX|XX|GT|LT]
void ExpireGeneric(CmdContext& ctx, int64_t base_ms, bool seconds) {
  uint32_t flags = 0;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    if (EqualsIgnoreCase(opt, "nx")) {
      flags |= kNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      flags |= kXx;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      flags |= kGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      flags |= kLt;
    } else {
      return ctx.SendError("Unsupported option " + std::string(opt));
    }
  }
  if ((flags & kNx) && (flags & (kXx | kGt | kLt))) {
    return ctx.SendError("NX and XX, GT or LT options at the same time are not compatible");
  }
  if ((flags & kGt) && (flags & kLt)) {
    return ctx.SendError("GT and LT options at the same time are not compatible");
  }
  auto when = ArgInt(ctx, ctx.arg(2));
  if (!when) return;
  int64_t ms = *when;
  if (seconds) {
    if (ms > std::numeric_limits<int64_t>::max() / 1000 ||
        ms < std::numeric_limits<int64_t>::min() / 1000) {
      return ReplyInvalidExpire(ctx);
    }
    ms *= 1000;
  }
  if (ms > std::numeric_limits<int64_t>::max() - base_ms) return ReplyInvalidExpire(ctx);
  ms += base_ms;

  Db& db = ctx.db();
  DbEntry* e = db.Find(ctx.arg(1));
  if (e == nullptr) return ctx.rb().SendLong(0);
  if (flags) {
    int64_t current = db.ExpireOf(*e);
    if ((flags & kNx) && current != kNoExpire) return ctx.rb().SendLong(0);
    if ((flags & kXx) && current == kNoExpire) return ctx.rb().SendLong(0);
    if ((flags & kGt) && (current == kNoExpire || ms <= current)) return ctx.rb().SendLong(0);
    if ((flags & kLt) && current != kNoExpire && ms >= current) return ctx.rb().SendLong(0);
  }
  // Redis answers before publishing "expire" but after publishing "del" (a RESP3 client
  // subscribed to its own events sees the difference).
  if (ms <= ctx.now_ms()) {
    db.Delete(ctx.arg(1));
    ctx.SignalModifiedKey(ctx.arg(1));
    ctx.Notify(notify::kGeneric, "del", ctx.arg(1));
    ctx.rb().SendLong(1);
    ctx.PropagateAs({ctx.config().lazyfree_lazy_expire ? "UNLINK" : "DEL", ctx.arg(1)});
  } else {
    db.SetExpire(*e, ms);
    ctx.rb().SendLong(1);
    ctx.SignalModifiedKey(ctx.arg(1));
    ctx.Notify(notify::kGeneric, "expire", ctx.arg(1));
    // Redis 7.0: PEXPIREAT with the absolute deadline, the options as sent; a PEXPIREAT
    // propagates unchanged.
    if (ctx.propagating() && (base_ms != 0 || seconds)) {
      char buf[kIntBufSize];
      std::vector<std::string_view> argv(ctx.args().begin(), ctx.args().end());
      argv[0] = "PEXPIREAT";
      argv[2] = {buf, FormatInt64(ms, buf)};
      ctx.PropagateAs(argv);
    }
  }
}
void CmdExpire(CmdContext& ctx) { ExpireGeneric(ctx, ctx.now_ms(), true); }
void CmdPExpire(CmdContext& ctx) { ExpireGeneric(ctx, ctx.now_ms(), false); }
void CmdExpireAt(CmdContext& ctx) { ExpireGeneric(ctx, 0, true); }
void CmdPExpireAt(CmdContext& ctx) { ExpireGeneric(ctx, 0, false); }

// TTL/PTTL/EXPIRETIME/PEXPIRETIME key
void TtlGeneric(CmdContext& ctx, bool output_ms, bool absolute) {
  DbEntry* e = ctx.db().FindReadNoTouch(ctx.arg(1));
  if (e == nullptr) return ctx.rb().SendLong(-2);
  const int64_t expire = ctx.db().ExpireOf(*e);
  if (expire == kNoExpire) return ctx.rb().SendLong(-1);
  // The wall clock, not the keyspace's: inside a script, where keys expire by the script's
  // start time, Redis 7.0 still counts the TTL down from now.
  int64_t ttl = absolute ? expire : expire - ctx.server().clock().NowMs();
  if (ttl < 0) ttl = 0;
  // Unsigned so that an expire near INT64_MAX rounds without overflowing (Redis replies
  // 9223372036854776 for EXPIRETIME of PEXPIREAT 9223372036854775807).
  ctx.rb().SendLong(output_ms ? ttl
                              : static_cast<int64_t>((static_cast<uint64_t>(ttl) + 500) / 1000));
}
void CmdTtl(CmdContext& ctx) { TtlGeneric(ctx, false, false); }
void CmdPTtl(CmdContext& ctx) { TtlGeneric(ctx, true, false); }
void CmdExpireTime(CmdContext& ctx) { TtlGeneric(ctx, false, true); }
void CmdPExpireTime(CmdContext& ctx) { TtlGeneric(ctx, true, true); }

// PERSIST key
void CmdPersist(CmdContext& ctx) {
  DbEntry* e = ctx.db().Find(ctx.arg(1));
  if (e == nullptr || !ctx.db().HasExpire(*e)) return ctx.rb().SendLong(0);
  ctx.db().SetExpire(*e, kNoExpire);
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kGeneric, "persist", ctx.arg(1));
  ctx.rb().SendLong(1);
}

// OBJECT's lookup (Redis: LOOKUP_NOTOUCH|LOOKUP_NONOTIFY): counted as a hit or a miss like a
// read, but leaves the access data alone and a miss publishes no "keymiss" event.
DbEntry* ObjectLookup(CmdContext& ctx) { return ctx.db().FindIntrospect(ctx.arg(2)); }

// OBJECT ENCODING key
void CmdObjectEncoding(CmdContext& ctx) {
  DbEntry* e = ObjectLookup(ctx);
  if (e == nullptr) return ctx.rb().SendNull();
  ctx.rb().SendBulk(EncodingName(e->value.encoding()));
}

// OBJECT REFCOUNT key: small integers are shared objects in Redis (refcount INT_MAX) unless a
// maxmemory policy needs per-key LRU/LFU data.
void CmdObjectRefcount(CmdContext& ctx) {
  DbEntry* e = ObjectLookup(ctx);
  if (e == nullptr) return ctx.rb().SendNull();
  const Value& v = e->value;
  bool shared = v.is_int() && v.int_value() >= 0 && v.int_value() < 10000 &&
                (ctx.config().maxmemory == 0 || !ctx.server().keyspace().lfu_or_lru_policy());
  ctx.rb().SendLong(shared ? 2147483647 : 1);
}

// OBJECT IDLETIME key
void CmdObjectIdletime(CmdContext& ctx) {
  DbEntry* e = ObjectLookup(ctx);
  if (e == nullptr) return ctx.rb().SendNull();
  if (ctx.server().keyspace().lfu_mode()) {
    return ctx.SendError(
        "An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take some time to adjust.");
  }
  ctx.rb().SendLong(ctx.server().keyspace().IdleSeconds(e->value));
}

// OBJECT FREQ key
void CmdObjectFreq(CmdContext& ctx) {
  DbEntry* e = ObjectLookup(ctx);
  if (e == nullptr) return ctx.rb().SendNull();
  if (!ctx.server().keyspace().lfu_mode()) {
    return ctx.SendError(
        "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
        "when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
  }
  ctx.rb().SendLong(ctx.server().keyspace().LfuFrequency(e->value));
}

// OBJECT HELP
void CmdObjectHelp(CmdContext& ctx) {
  SendHelp(ctx,
           {
               "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
               "ENCODING <key>",
               "    Return the kind of internal representation used in order to store the value",
               "    associated with a <key>.",
               "FREQ <key>",
               "    Return the access frequency index of the <key>. The returned integer is",
               "    proportional to the logarithm of the recent access frequency of the key.",
               "IDLETIME <key>",
               "    Return the idle time of the <key>, that is the approximated number of",
               "    seconds elapsed since the last access to the key.",
               "REFCOUNT <key>",
               "    Return the number of references of the value associated with the specified",
               "    <key>.",
           });
}

}  // namespace

void RegisterKeyCommands(CommandRegistry& r) {
  r.Add({"del", -2, kWrite, {1, -1, 1}, CmdDel, "generic"});
  r.Add({"unlink", -2, kWrite | kFast, {1, -1, 1}, CmdDel, "generic"});
  r.Add({"exists", -2, kReadOnly | kFast, {1, -1, 1}, CmdExists, "generic"});
  r.Add({"touch", -2, kReadOnly | kFast, {1, -1, 1}, CmdTouch, "generic"});
  r.Add({"type", 2, kReadOnly | kFast, {1, 1, 1}, CmdType, "generic"});
  r.Add({"rename", 3, kWrite, {1, 2, 1}, CmdRename, "generic"});
  r.Add({"renamenx", 3, kWrite | kFast, {1, 2, 1}, CmdRenameNx, "generic"});
  r.Add({"randomkey", 1, kReadOnly, {}, CmdRandomKey, "generic"});
  r.Add({"dbsize", 1, kReadOnly | kFast, {}, CmdDbSize, "server"});
  r.Add({"flushdb", -1, kWrite, {}, CmdFlushDb, "server"});
  r.Add({"flushall", -1, kWrite, {}, CmdFlushAll, "server"});
  r.Add({"select", 2, kLoading | kStale | kFast, {}, CmdSelect, "connection"});
  r.Add({"swapdb", 3, kWrite | kFast, {}, CmdSwapDb, "server"});
  r.Add({"move", 3, kWrite | kFast, {1, 1, 1}, CmdMove, "generic"});
  r.Add({"copy", -3, kWrite | kDenyOom, {1, 2, 1}, CmdCopy, "generic"});
  r.Add({"scan", -2, kReadOnly, {}, CmdScan, "generic"});
  r.Add({"keys", 2, kReadOnly, {}, CmdKeys, "generic"});
  r.Add({"expire", -3, kWrite | kFast, {1, 1, 1}, CmdExpire, "generic"});
  r.Add({"pexpire", -3, kWrite | kFast, {1, 1, 1}, CmdPExpire, "generic"});
  r.Add({"expireat", -3, kWrite | kFast, {1, 1, 1}, CmdExpireAt, "generic"});
  r.Add({"pexpireat", -3, kWrite | kFast, {1, 1, 1}, CmdPExpireAt, "generic"});
  r.Add({"ttl", 2, kReadOnly | kFast, {1, 1, 1}, CmdTtl, "generic"});
  r.Add({"pttl", 2, kReadOnly | kFast, {1, 1, 1}, CmdPTtl, "generic"});
  r.Add({"expiretime", 2, kReadOnly | kFast, {1, 1, 1}, CmdExpireTime, "generic"});
  r.Add({"pexpiretime", 2, kReadOnly | kFast, {1, 1, 1}, CmdPExpireTime, "generic"});
  r.Add({"persist", 2, kWrite | kFast, {1, 1, 1}, CmdPersist, "generic"});

  Command* object = r.Add({"object", -2, 0, {}, CmdContainer, "generic"});
  object->AddSubcommand({"encoding", 3, kReadOnly, {2, 2, 1}, CmdObjectEncoding, "generic"});
  object->AddSubcommand({"freq", 3, kReadOnly, {2, 2, 1}, CmdObjectFreq, "generic"});
  object->AddSubcommand({"idletime", 3, kReadOnly, {2, 2, 1}, CmdObjectIdletime, "generic"});
  object->AddSubcommand({"refcount", 3, kReadOnly, {2, 2, 1}, CmdObjectRefcount, "generic"});
  object->AddSubcommand({"help", 2, kLoading | kStale, {}, CmdObjectHelp, "generic"});
}

}  // namespace baozi
