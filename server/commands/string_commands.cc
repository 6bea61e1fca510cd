// String commands (t_string.c): SET and its relatives, counters, ranges, LCS.
#include <cmath>
#include <limits>
#include <vector>

#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "storage/lcs.h"
#include "storage/numbers.h"

namespace baozi {
namespace {

enum SetFlag : uint32_t {
  kSetNx = 1 << 0,
  kSetXx = 1 << 1,
  kSetGet = 1 << 2,
  kKeepTtl = 1 << 3,
  kPersist = 1 << 4,
  kEx = 1 << 5,
  kPx = 1 << 6,
  kExAt = 1 << 7,
  kPxAt = 1 << 8,
};
constexpr uint32_t kAnyExpire = kEx | kPx | kExAt | kPxAt;

enum class ExtendedFor { kSet, kGetEx };

struct ExtendedArgs {
  uint32_t flags = 0;
  std::string_view expire;  // the raw expire argument, if any
};

// Redis parseExtendedStringArgumentsOrReply: the same option grammar serves SET and GETEX, with
// each option allowed only where Redis allows it and only without a conflicting one.
std::optional<ExtendedArgs> ParseExtendedArgs(CmdContext& ctx, size_t start, ExtendedFor type) {
  ExtendedArgs out;
  uint32_t& f = out.flags;
  auto args = ctx.args();
  for (size_t j = start; j < args.size(); ++j) {
    std::string_view opt = args[j];
    bool has_next = j + 1 < args.size();
    if (EqualsIgnoreCase(opt, "NX") && !(f & kSetXx) && type == ExtendedFor::kSet) {
      f |= kSetNx;
    } else if (EqualsIgnoreCase(opt, "XX") && !(f & kSetNx) && type == ExtendedFor::kSet) {
      f |= kSetXx;
    } else if (EqualsIgnoreCase(opt, "GET") && type == ExtendedFor::kSet) {
      f |= kSetGet;
    } else if (EqualsIgnoreCase(opt, "KEEPTTL") && !(f & kPersist) && !(f & kAnyExpire) &&
               type == ExtendedFor::kSet) {
      f |= kKeepTtl;
    } else if (EqualsIgnoreCase(opt, "PERSIST") && type == ExtendedFor::kGetEx &&
               !(f & kAnyExpire) && !(f & kKeepTtl)) {
      f |= kPersist;
    } else if (EqualsIgnoreCase(opt, "EX") && !(f & kKeepTtl) && !(f & kPersist) &&
               !(f & (kExAt | kPx | kPxAt)) && has_next) {
      f |= kEx;
      out.expire = args[++j];
    } else if (EqualsIgnoreCase(opt, "PX") && !(f & kKeepTtl) && !(f & kPersist) &&
               !(f & (kEx | kExAt | kPxAt)) && has_next) {
      f |= kPx;
      out.expire = args[++j];
    } else if (EqualsIgnoreCase(opt, "EXAT") && !(f & kKeepTtl) && !(f & kPersist) &&
               !(f & (kEx | kPx | kPxAt)) && has_next) {
      f |= kExAt;
      out.expire = args[++j];
    } else if (EqualsIgnoreCase(opt, "PXAT") && !(f & kKeepTtl) && !(f & kPersist) &&
               !(f & (kEx | kExAt | kPx)) && has_next) {
      f |= kPxAt;
      out.expire = args[++j];
    } else {
      ctx.SendError(Errc::kSyntax);
      return std::nullopt;
    }
  }
  return out;
}

// Redis getExpireMillisecondsOrReply: positive values only; relative forms are added to the
// command's time snapshot; any overflow is an invalid expire time.
std::optional<int64_t> ExpireDeadlineMs(CmdContext& ctx, std::string_view arg, uint32_t flags) {
  auto v = ArgInt(ctx, arg);
  if (!v) return std::nullopt;
  int64_t ms = *v;
  bool seconds = flags & (kEx | kExAt);
  if (ms <= 0 || (seconds && ms > std::numeric_limits<int64_t>::max() / 1000)) {
    ReplyInvalidExpire(ctx);
    return std::nullopt;
  }
  if (seconds) ms *= 1000;
  if (flags & (kEx | kPx)) {
    auto sum = CheckedAdd(ms, ctx.now_ms());
    if (!sum || *sum <= 0) {
      ReplyInvalidExpire(ctx);
      return std::nullopt;
    }
    ms = *sum;
  }
  return ms;
}

// Replies the current string value of key (GET semantics); false after a WRONGTYPE error.
bool ReplyGet(CmdContext& ctx, std::string_view key) {
  auto e = FindString(ctx.db(), key, true);
  if (!e) {
    ctx.SendError(e.error());
    return false;
  }
  if (*e == nullptr) {
    ctx.rb().SendNull();
  } else {
    ReplyStringValue(ctx, (*e)->value);
  }
  return true;
}

// What a SET that wrote propagates (Redis 7.0): any expiry as SET key value PXAT <abs ms>, the
// other options dropped; otherwise the command as sent minus its GET arguments.
void PropagateSet(CmdContext& ctx, uint32_t flags, std::string_view key, std::string_view value,
                  int64_t deadline) {
  if (flags & kAnyExpire) {
    char buf[kIntBufSize];
    ctx.PropagateAs({"SET", key, value, "PXAT", {buf, FormatInt64(deadline, buf)}});
  } else if (flags & kSetGet) {
    std::vector<std::string_view> argv;
    argv.reserve(ctx.argc());
    for (size_t j = 0; j < ctx.argc(); ++j) {
      if (j < 3 || !EqualsIgnoreCase(ctx.arg(j), "GET")) argv.push_back(ctx.arg(j));
    }
    ctx.PropagateAs(argv);
  }
}

// Redis setGenericCommand.
void SetGeneric(CmdContext& ctx, uint32_t flags, std::string_view key, std::string_view value,
                std::string_view expire, bool reply_ok) {
  int64_t deadline = kNoExpire;
  if (flags & kAnyExpire) {
    auto d = ExpireDeadlineMs(ctx, expire, flags);
    if (!d) return;
    deadline = *d;
  }
  if ((flags & kSetGet) && !ReplyGet(ctx, key)) return;
  Db& db = ctx.db();
  bool found = db.FindWrite(key) != nullptr;
  if (((flags & kSetNx) && found) || ((flags & kSetXx) && !found)) {
    if (!(flags & kSetGet)) ctx.rb().SendNull();
    return;
  }
  db.Set(key, Value::FromString(value), deadline,
         Db::kSetLookedUp | ((flags & kKeepTtl) ? Db::kSetKeepTtl : 0));
  ctx.SignalModifiedKey(key);
  ctx.Notify(notify::kString, "set", key);
  if (flags & kAnyExpire) ctx.Notify(notify::kGeneric, "expire", key);
  if (reply_ok && !(flags & kSetGet)) ctx.rb().SendOk();
  if (ctx.propagating()) PropagateSet(ctx, flags, key, value, deadline);
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL]
void CmdSet(CmdContext& ctx) {
  auto ext = ParseExtendedArgs(ctx, 3, ExtendedFor::kSet);
  if (!ext) return;
  SetGeneric(ctx, ext->flags, ctx.arg(1), ctx.arg(2), ext->expire, true);
}

// SETNX key value
void CmdSetNx(CmdContext& ctx) {
  Db& db = ctx.db();
  if (db.FindWrite(ctx.arg(1)) != nullptr) {
    ctx.rb().SendLong(0);
    return;
  }
  db.Set(ctx.arg(1), Value::FromString(ctx.arg(2)));
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kString, "set", ctx.arg(1));
  ctx.rb().SendLong(1);
}

// SETEX key seconds value
void CmdSetEx(CmdContext& ctx) { SetGeneric(ctx, kEx, ctx.arg(1), ctx.arg(3), ctx.arg(2), true); }

// PSETEX key milliseconds value
void CmdPSetEx(CmdContext& ctx) { SetGeneric(ctx, kPx, ctx.arg(1), ctx.arg(3), ctx.arg(2), true); }

// GET key
void CmdGet(CmdContext& ctx) { ReplyGet(ctx, ctx.arg(1)); }

// GETEX key [EX s|PX ms|EXAT ts|PXAT ts|PERSIST]
void CmdGetEx(CmdContext& ctx) {
  auto ext = ParseExtendedArgs(ctx, 2, ExtendedFor::kGetEx);
  if (!ext) return;
  Db& db = ctx.db();
  auto e = FindString(db, ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendNull();
  // Redis validates the expire time only once it knows the key exists.
  int64_t deadline = kNoExpire;
  if (ext->flags & kAnyExpire) {
    auto d = ExpireDeadlineMs(ctx, ext->expire, ext->flags);
    if (!d) return;
    deadline = *d;
  }
  ReplyStringValue(ctx, (*e)->value);
  std::string_view key = ctx.arg(1);
  if (ext->flags & kAnyExpire) {
    // Only an absolute time can already be past: relative ones were added to now.
    if (deadline <= ctx.now_ms()) {
      db.Delete(key);
      ctx.SignalModifiedKey(key);
      ctx.Notify(notify::kGeneric, "del", key);
      ctx.PropagateAs({ctx.config().lazyfree_lazy_expire ? "UNLINK" : "DEL", key});
    } else {
      db.SetExpire(**e, deadline);
      ctx.SignalModifiedKey(key);
      ctx.Notify(notify::kGeneric, "expire", key);
      if (ctx.propagating()) {
        char buf[kIntBufSize];
        ctx.PropagateAs({"PEXPIREAT", key, {buf, FormatInt64(deadline, buf)}});
      }
    }
  } else if ((ext->flags & kPersist) && db.HasExpire(**e)) {
    db.SetExpire(**e, kNoExpire);
    ctx.SignalModifiedKey(key);
    ctx.Notify(notify::kGeneric, "persist", key);
    ctx.PropagateAs({"PERSIST", key});
  }
}

// GETDEL key
void CmdGetDel(CmdContext& ctx) {
  Db& db = ctx.db();
  auto e = FindString(db, ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendNull();
  ReplyStringValue(ctx, (*e)->value);
  db.Delete(ctx.arg(1));
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kGeneric, "del", ctx.arg(1));
  ctx.PropagateAs({ctx.config().lazyfree_lazy_user_del ? "UNLINK" : "DEL", ctx.arg(1)});
}

// GETSET key value
void CmdGetSet(CmdContext& ctx) {
  if (!ReplyGet(ctx, ctx.arg(1))) return;
  ctx.db().Set(ctx.arg(1), Value::FromString(ctx.arg(2)));
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kString, "set", ctx.arg(1));
  ctx.PropagateAs({"SET", ctx.arg(1), ctx.arg(2)});
}

// MGET key [key ...]
void CmdMGet(CmdContext& ctx) {
  Db& db = ctx.db();
  ctx.rb().StartArray(ctx.argc() - 1);
  for (size_t i = 1; i < ctx.argc(); ++i) {
    DbEntry* e = db.FindRead(ctx.arg(i));
    if (e == nullptr || !e->value.is_string()) {
      ctx.rb().SendNull();
    } else {
      ReplyStringValue(ctx, e->value);
    }
  }
}

// MSET key value [key value ...] / MSETNX: an even argument count is an arity error.
bool MSetArityOk(CmdContext& ctx) {
  if (ctx.argc() % 2 == 0) {
    ctx.SendArityError();
    return false;
  }
  return true;
}

void SetAllPairs(CmdContext& ctx) {
  Db& db = ctx.db();
  for (size_t i = 1; i + 1 < ctx.argc(); i += 2) {
    db.Set(ctx.arg(i), Value::FromString(ctx.arg(i + 1)));
    ctx.SignalModifiedKey(ctx.arg(i));
    ctx.Notify(notify::kString, "set", ctx.arg(i));
  }
}

void CmdMSet(CmdContext& ctx) {
  if (!MSetArityOk(ctx)) return;
  SetAllPairs(ctx);
  ctx.rb().SendOk();
}

void CmdMSetNx(CmdContext& ctx) {
  if (!MSetArityOk(ctx)) return;
  Db& db = ctx.db();
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    if (db.Find(ctx.arg(i)) != nullptr) return ctx.rb().SendLong(0);
  }
  SetAllPairs(ctx);
  ctx.rb().SendLong(1);
}

// Redis checkStringLength: the result of a write may not exceed proto-max-bulk-len.
bool StringLengthOk(CmdContext& ctx, uint64_t size, uint64_t append) {
  uint64_t total = size + append;
  if (total > static_cast<uint64_t>(ctx.config().proto_max_bulk_len) || total < size) {
    ctx.SendError(Errc::kStringTooLong);
    return false;
  }
  return true;
}

// APPEND key value
void CmdAppend(CmdContext& ctx) {
  Db& db = ctx.db();
  auto e = FindString(db, ctx.arg(1), false);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) {
    db.Add(ctx.arg(1), Value::FromString(ctx.arg(2)));
    ctx.SignalModifiedKey(ctx.arg(1));
    ctx.Notify(notify::kString, "append", ctx.arg(1));
    ctx.rb().SendLong(static_cast<int64_t>(ctx.arg(2).size()));
    return;
  }
  Value& v = (*e)->value;
  if (!StringLengthOk(ctx, v.StringLength(), ctx.arg(2).size())) return;
  std::string& s = v.MutableString();
  s.append(ctx.arg(2));
  db.MarkModified(**e);
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kString, "append", ctx.arg(1));
  ctx.rb().SendLong(static_cast<int64_t>(s.size()));
}

// STRLEN key
void CmdStrLen(CmdContext& ctx) {
  auto e = FindString(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  ctx.rb().SendLong(*e ? static_cast<int64_t>((*e)->value.StringLength()) : 0);
}

// GETRANGE key start end (and its old name SUBSTR)
void CmdGetRange(CmdContext& ctx) {
  auto start = ArgInt(ctx, ctx.arg(2));
  if (!start) return;
  auto end = ArgInt(ctx, ctx.arg(3));
  if (!end) return;
  auto e = FindString(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendBulk("");
  char buf[kIntBufSize];
  std::string_view s = (*e)->value.View(buf);
  int64_t len = static_cast<int64_t>(s.size());
  int64_t a = *start, b = *end;
  if (a < 0 && b < 0 && a > b) return ctx.rb().SendBulk("");
  if (a < 0) a += len;
  if (b < 0) b += len;
  if (a < 0) a = 0;
  if (b < 0) b = 0;
  if (b >= len) b = len - 1;
  if (a > b || len == 0) return ctx.rb().SendBulk("");
  ctx.rb().SendBulk(s.substr(a, b - a + 1));
}

// SETRANGE key offset value
void CmdSetRange(CmdContext& ctx) {
  auto offset = ArgInt(ctx, ctx.arg(2));
  if (!offset) return;
  if (*offset < 0) return ctx.SendError("offset is out of range");
  std::string_view value = ctx.arg(3);
  Db& db = ctx.db();
  auto e = FindString(db, ctx.arg(1), false);
  if (!e) return ctx.SendError(e.error());
  uint64_t off = static_cast<uint64_t>(*offset);
  if (*e == nullptr) {
    if (value.empty()) return ctx.rb().SendLong(0);
    if (!StringLengthOk(ctx, off, value.size())) return;
    std::string s(off + value.size(), '\0');
    s.replace(off, value.size(), value);
    db.Add(ctx.arg(1), Value::RawString(std::move(s)));
    ctx.SignalModifiedKey(ctx.arg(1));
    ctx.Notify(notify::kString, "setrange", ctx.arg(1));
    ctx.rb().SendLong(static_cast<int64_t>(off + value.size()));
    return;
  }
  Value& v = (*e)->value;
  if (value.empty()) return ctx.rb().SendLong(static_cast<int64_t>(v.StringLength()));
  if (!StringLengthOk(ctx, off, value.size())) return;
  std::string& s = v.MutableString();
  if (s.size() < off + value.size()) s.resize(off + value.size(), '\0');
  s.replace(off, value.size(), value);
  db.MarkModified(**e);
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kString, "setrange", ctx.arg(1));
  ctx.rb().SendLong(static_cast<int64_t>(s.size()));
}

// Redis incrDecrCommand.
void IncrDecr(CmdContext& ctx, int64_t delta) {
  Db& db = ctx.db();
  auto e = FindString(db, ctx.arg(1), false);
  if (!e) return ctx.SendError(e.error());
  int64_t current = 0;
  if (*e != nullptr) {
    const Value& v = (*e)->value;
    if (v.is_int()) {
      current = v.int_value();
    } else {
      char buf[kIntBufSize];
      auto n = ParseInt64(v.View(buf));
      if (!n) return ctx.SendError(Errc::kNotInteger);
      current = *n;
    }
  }
  auto next = CheckedAdd(current, delta);
  if (!next) return ctx.SendError(Errc::kOverflow);
  if (*e != nullptr) {
    db.Overwrite(**e, Value::FromInt(*next));
  } else {
    db.Add(ctx.arg(1), Value::FromInt(*next));
  }
  // Redis names the event "incrby" for all four counter commands.
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kString, "incrby", ctx.arg(1));
  ctx.rb().SendLong(*next);
}

void CmdIncr(CmdContext& ctx) { IncrDecr(ctx, 1); }
void CmdDecr(CmdContext& ctx) { IncrDecr(ctx, -1); }

// INCRBY key increment
void CmdIncrBy(CmdContext& ctx) {
  auto d = ArgInt(ctx, ctx.arg(2));
  if (d) IncrDecr(ctx, *d);
}

// DECRBY key decrement
void CmdDecrBy(CmdContext& ctx) {
  auto d = ArgInt(ctx, ctx.arg(2));
  if (!d) return;
  if (*d == std::numeric_limits<int64_t>::min()) return ctx.SendError("decrement would overflow");
  IncrDecr(ctx, -*d);
}

// INCRBYFLOAT key increment
void CmdIncrByFloat(CmdContext& ctx) {
  Db& db = ctx.db();
  auto e = FindString(db, ctx.arg(1), false);
  if (!e) return ctx.SendError(e.error());
  long double value = 0;
  if (*e != nullptr) {
    char buf[kIntBufSize];
    auto v = ParseLongDouble((*e)->value.View(buf));
    if (!v) return ctx.SendError(Errc::kNotFloat);
    value = *v;
  }
  auto incr = ParseLongDouble(ctx.arg(2));
  if (!incr) return ctx.SendError(Errc::kNotFloat);
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) return ctx.SendError(Errc::kNanOrInfinity);
  std::string s = LongDoubleToString(value);
  if (*e != nullptr) {
    db.Overwrite(**e, Value::FromStringNoInt(s));
  } else {
    db.Add(ctx.arg(1), Value::FromStringNoInt(s));
  }
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kString, "incrbyfloat", ctx.arg(1));
  ctx.rb().SendBulk(s);  // after the event, as Redis orders them
  // The exact result, not the increment: float rounding must not differ on replay.
  ctx.PropagateAs({"SET", ctx.arg(1), s, "KEEPTTL"});
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
void CmdLcs(CmdContext& ctx) {
  Db& db = ctx.db();
  DbEntry* a = db.FindRead(ctx.arg(1));
  DbEntry* b = db.FindRead(ctx.arg(2));
  if ((a && !a->value.is_string()) || (b && !b->value.is_string())) {
    return ctx.SendError("The specified keys must contain string values");
  }
  bool want_len = false, want_idx = false, with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "IDX")) {
      want_idx = true;
    } else if (EqualsIgnoreCase(opt, "LEN")) {
      want_len = true;
    } else if (EqualsIgnoreCase(opt, "WITHMATCHLEN")) {
      with_match_len = true;
    } else if (EqualsIgnoreCase(opt, "MINMATCHLEN") && more) {
      auto v = ArgInt(ctx, ctx.arg(++j));
      if (!v) return;
      min_match_len = *v < 0 ? 0 : *v;
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }
  if (want_idx && want_len) {
    return ctx.SendError("If you want both the length and indexes, please just use IDX.");
  }
  char abuf[kIntBufSize], bbuf[kIntBufSize];
  std::string_view sa = a ? a->value.View(abuf) : std::string_view();
  std::string_view sb = b ? b->value.View(bbuf) : std::string_view();
  auto r = Lcs(sa, sb, !want_idx && !want_len, want_idx, static_cast<size_t>(min_match_len),
               static_cast<uint64_t>(ctx.config().proto_max_bulk_len));
  if (!r) return ctx.SendError(r.error());
  auto& rb = ctx.rb();
  if (want_len) return rb.SendLong(static_cast<int64_t>(r->len));
  if (!want_idx) return rb.SendBulk(r->lcs);
  rb.StartMap(2);
  rb.SendBulk("matches");
  rb.StartArray(r->matches.size());
  for (const auto& m : r->matches) {
    rb.StartArray(with_match_len ? 3 : 2);
    rb.StartArray(2);
    rb.SendLong(static_cast<int64_t>(m.a_start));
    rb.SendLong(static_cast<int64_t>(m.a_end));
    rb.StartArray(2);
    rb.SendLong(static_cast<int64_t>(m.b_start));
    rb.SendLong(static_cast<int64_t>(m.b_end));
    if (with_match_len) rb.SendLong(static_cast<int64_t>(m.len));
  }
  rb.SendBulk("len");
  rb.SendLong(static_cast<int64_t>(r->len));
}

}  // namespace

void RegisterStringCommands(CommandRegistry& r) {
  r.Add({"set", -3, kWrite | kDenyOom, {1, 1, 1}, CmdSet, "string"});
  r.Add({"setnx", 3, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdSetNx, "string"});
  r.Add({"setex", 4, kWrite | kDenyOom, {1, 1, 1}, CmdSetEx, "string"});
  r.Add({"psetex", 4, kWrite | kDenyOom, {1, 1, 1}, CmdPSetEx, "string"});
  r.Add({"get", 2, kReadOnly | kFast, {1, 1, 1}, CmdGet, "string"});
  r.Add({"getex", -2, kWrite | kFast, {1, 1, 1}, CmdGetEx, "string"});
  r.Add({"getdel", 2, kWrite | kFast, {1, 1, 1}, CmdGetDel, "string"});
  r.Add({"getset", 3, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdGetSet, "string"});
  r.Add({"mget", -2, kReadOnly | kFast, {1, -1, 1}, CmdMGet, "string"});
  r.Add({"mset", -3, kWrite | kDenyOom, {1, -1, 2}, CmdMSet, "string"});
  r.Add({"msetnx", -3, kWrite | kDenyOom, {1, -1, 2}, CmdMSetNx, "string"});
  r.Add({"append", 3, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdAppend, "string"});
  r.Add({"strlen", 2, kReadOnly | kFast, {1, 1, 1}, CmdStrLen, "string"});
  r.Add({"getrange", 4, kReadOnly, {1, 1, 1}, CmdGetRange, "string"});
  r.Add({"substr", 4, kReadOnly, {1, 1, 1}, CmdGetRange, "string"});
  r.Add({"setrange", 4, kWrite | kDenyOom, {1, 1, 1}, CmdSetRange, "string"});
  r.Add({"incr", 2, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdIncr, "string"});
  r.Add({"decr", 2, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdDecr, "string"});
  r.Add({"incrby", 3, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdIncrBy, "string"});
  r.Add({"decrby", 3, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdDecrBy, "string"});
  r.Add({"incrbyfloat", 3, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdIncrByFloat, "string"});
  r.Add({"lcs", -3, kReadOnly, {1, 2, 1}, CmdLcs, "string"});
}

}  // namespace baozi
