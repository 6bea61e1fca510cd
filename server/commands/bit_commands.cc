// Bit commands (bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
// The bit arithmetic lives in storage/bitops; these handlers check arguments in Redis's order
// and manage the keys.
#include <array>

#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "storage/bitops.h"
#include "storage/numbers.h"

namespace baozi {
namespace {

uint64_t MaxBulk(CmdContext& ctx) { return static_cast<uint64_t>(ctx.config().proto_max_bulk_len); }

// Redis lookupStringForBitCommand: the key's string for writing, created empty when missing.
// Creating it is no change of its own (Redis's dbAdd there leaves server.dirty alone): the
// command counts what it writes, so a BITFIELD whose every write failed changes nothing, is
// not propagated, and SETBIT on a new key counts once.
Result<DbEntry*> StringForWrite(CmdContext& ctx, std::string_view key) {
  Db& db = ctx.db();
  auto e = FindString(db, key, false);
  if (!e) return e;
  if (*e == nullptr) {
    DbEntry* added = &db.Add(key, Value::RawString(std::string()));
    ctx.server().keyspace().stats().dirty--;
    return added;
  }
  return e;
}

// SETBIT key offset value
void CmdSetBit(CmdContext& ctx) {
  auto off = ParseBitOffset(ctx.arg(2), false, 0, MaxBulk(ctx));
  if (!off) return ctx.SendError(off.error());
  auto on = ParseInt64(ctx.arg(3));
  if (!on || (*on & ~1)) return ctx.SendError(Errc::kBitValue);
  auto e = StringForWrite(ctx, ctx.arg(1));
  if (!e) return ctx.SendError(e.error());
  bool changed = false;
  int old = SetBit((*e)->value.MutableString(), *off, static_cast<int>(*on), &changed);
  if (changed) {
    ctx.db().MarkModified(**e);
    ctx.SignalModifiedKey(ctx.arg(1));
    ctx.Notify(notify::kString, "setbit", ctx.arg(1));
  }
  ctx.rb().SendLong(old);
}

// GETBIT key offset
void CmdGetBit(CmdContext& ctx) {
  auto off = ParseBitOffset(ctx.arg(2), false, 0, MaxBulk(ctx));
  if (!off) return ctx.SendError(off.error());
  auto e = FindString(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendLong(0);
  char buf[kIntBufSize];
  ctx.rb().SendLong(GetBit((*e)->value.View(buf), *off));
}

// BITCOUNT key [start end [BYTE|BIT]]
void CmdBitCount(CmdContext& ctx) {
  auto e = FindString(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendLong(0);
  char buf[kIntBufSize];
  std::string_view s = (*e)->value.View(buf);
  if (ctx.argc() == 2) return ctx.rb().SendLong(PopCount(s));
  if (ctx.argc() != 4 && ctx.argc() != 5) return ctx.SendError(Errc::kSyntax);
  auto start = ArgInt(ctx, ctx.arg(2));
  if (!start) return;
  auto end = ArgInt(ctx, ctx.arg(3));
  if (!end) return;
  // Redis answers an empty negative range before it looks at the unit argument.
  if (*start < 0 && *end < 0 && *start > *end) return ctx.rb().SendLong(0);
  bool bit_unit = false;
  if (ctx.argc() == 5) {
    if (EqualsIgnoreCase(ctx.arg(4), "bit")) {
      bit_unit = true;
    } else if (!EqualsIgnoreCase(ctx.arg(4), "byte")) {
      return ctx.SendError(Errc::kSyntax);
    }
  }
  ctx.rb().SendLong(BitCount(s, *start, *end, bit_unit));
}

// BITPOS key bit [start [end [BYTE|BIT]]]
void CmdBitPos(CmdContext& ctx) {
  auto bit = ArgInt(ctx, ctx.arg(2));
  if (!bit) return;
  if (*bit != 0 && *bit != 1) return ctx.SendError("The bit argument must be 1 or 0.");
  auto e = FindString(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendLong(*bit ? -1 : 0);
  if (ctx.argc() > 6) return ctx.SendError(Errc::kSyntax);
  std::optional<int64_t> start, end;
  bool bit_unit = false;
  if (ctx.argc() >= 4) {
    start = ArgInt(ctx, ctx.arg(3));
    if (!start) return;
    if (ctx.argc() == 6) {
      if (EqualsIgnoreCase(ctx.arg(5), "bit")) {
        bit_unit = true;
      } else if (!EqualsIgnoreCase(ctx.arg(5), "byte")) {
        return ctx.SendError(Errc::kSyntax);
      }
    }
    if (ctx.argc() >= 5) {
      end = ArgInt(ctx, ctx.arg(4));
      if (!end) return;
    }
  }
  char buf[kIntBufSize];
  ctx.rb().SendLong(BitPos((*e)->value.View(buf), static_cast<int>(*bit), start, end, bit_unit));
}

// BITOP AND|OR|XOR|NOT destkey key [key ...]
void CmdBitOp(CmdContext& ctx) {
  auto kind = ParseBitOpKind(ctx.arg(1));
  if (!kind) return ctx.SendError(Errc::kSyntax);
  if (*kind == BitOpKind::kNot && ctx.argc() != 4) {
    return ctx.SendError("BITOP NOT must be called with a single source key.");
  }
  Db& db = ctx.db();
  // Integer-encoded sources are printed into per-source buffers that outlive the views.
  std::vector<std::array<char, kIntBufSize>> bufs(ctx.argc() - 3);
  std::vector<std::string_view> srcs;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    auto e = FindString(db, ctx.arg(i), true);
    if (!e) return ctx.SendError(e.error());
    srcs.push_back(*e ? (*e)->value.View(bufs[i - 3].data()) : std::string_view());
  }
  std::string result = BitOp(*kind, srcs);
  int64_t len = static_cast<int64_t>(result.size());
  std::string_view dst = ctx.arg(2);
  if (!result.empty()) {
    db.Set(dst, Value::RawString(std::move(result)));
    ctx.SignalModifiedKey(dst);
    ctx.Notify(notify::kString, "set", dst);
  } else if (db.Remove(dst)) {
    ctx.SignalModifiedKey(dst);
    ctx.Notify(notify::kGeneric, "del", dst);
  }
  ctx.rb().SendLong(len);
}

void ReplyBitfield(CmdContext& ctx, const std::vector<std::optional<int64_t>>& results) {
  ctx.rb().StartArray(results.size());
  for (const auto& r : results) {
    if (r) {
      ctx.rb().SendLong(*r);
    } else {
      ctx.rb().SendNull();
    }
  }
}

// BITFIELD key [GET enc off] [SET enc off value] [INCRBY enc off incr] [OVERFLOW WRAP|SAT|FAIL]
void BitfieldGeneric(CmdContext& ctx, bool read_only) {
  auto ops = ParseBitfield(ctx.args().subspan(2), read_only, MaxBulk(ctx));
  if (!ops) return ctx.SendError(ops.error());
  if (BitfieldWrites(*ops)) {
    auto e = StringForWrite(ctx, ctx.arg(1));
    if (!e) return ctx.SendError(e.error());
    size_t changes = 0;
    auto results = ExecBitfield((*e)->value.MutableString(), *ops, &changes);
    ReplyBitfield(ctx, results);  // before the event, as Redis orders them
    if (changes > 0) {
      ctx.db().MarkModified(**e);
      ctx.server().keyspace().stats().dirty += changes - 1;  // one per write, as Redis counts
      ctx.SignalModifiedKey(ctx.arg(1));
      ctx.Notify(notify::kString, "setbit", ctx.arg(1));
    }
    return;
  }
  auto e = FindString(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  char buf[kIntBufSize];
  std::string_view s = *e ? (*e)->value.View(buf) : std::string_view();
  ReplyBitfield(ctx, ExecBitfieldRead(s, *ops));
}
void CmdBitfield(CmdContext& ctx) { BitfieldGeneric(ctx, false); }
void CmdBitfieldRo(CmdContext& ctx) { BitfieldGeneric(ctx, true); }

}  // namespace

void RegisterBitCommands(CommandRegistry& r) {
  r.Add({"setbit", 4, kWrite | kDenyOom, {1, 1, 1}, CmdSetBit, "bitmap"});
  r.Add({"getbit", 3, kReadOnly | kFast, {1, 1, 1}, CmdGetBit, "bitmap"});
  r.Add({"bitcount", -2, kReadOnly, {1, 1, 1}, CmdBitCount, "bitmap"});
  r.Add({"bitpos", -3, kReadOnly, {1, 1, 1}, CmdBitPos, "bitmap"});
  r.Add({"bitop", -4, kWrite | kDenyOom, {2, -1, 1}, CmdBitOp, "bitmap"});
  r.Add({"bitfield", -2, kWrite | kDenyOom, {1, 1, 1}, CmdBitfield, "bitmap"});
  r.Add({"bitfield_ro", -2, kReadOnly | kFast, {1, 1, 1}, CmdBitfieldRo, "bitmap"});
}

}  // namespace baozi
