// List commands (t_list.c): pushes and pops at both ends, index and range access, LINSERT,
// LREM, LTRIM, LPOS, the moves between lists, LMPOP, and the blocking forms.
//
// Argument checks run in Redis 7.0's order, which decides which error a bad command gets:
// LRANGE/LTRIM/LREM parse their numbers before looking the key up, LINDEX/LSET after; LPOP
// parses its count first; LMOVE parses both directions first; the blocking forms parse their
// timeout before touching a key (BLMPOP only after numkeys, direction and COUNT). Every command
// that empties a list deletes the key, as Redis does.
//
// Keyspace events and WATCH signals follow t_list.c: a change publishes its event ("lpush",
// "lpop", "linsert", "lrem", "ltrim"...) and then "del" if the list emptied; a move publishes the
// push on the destination before the pop on the source. Only real changes are reported, except
// LTRIM, which Redis reports whenever the key exists. A blocked client that is served runs its
// command again (server/blocking.cc), so it publishes what Redis's serveClientBlockedOnList does.
#include "server/blocking.h"
#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "storage/keyspace_events.h"
#include "storage/list.h"
#include "storage/numbers.h"

namespace baozi {
namespace {

using Where = ListObject::Where;

// The key's entry when it holds a list, nullptr when missing, kWrongType otherwise.
Result<DbEntry*> FindList(Db& db, std::string_view key, bool for_read) {
  DbEntry* e = for_read ? db.FindRead(key) : db.FindWrite(key);
  if (e != nullptr && e->value.type() != ObjType::kList) return Fail(Errc::kWrongType);
  return e;
}

std::string_view PushEvent(Where where) { return where == Where::kHead ? "lpush" : "rpush"; }
std::string_view PopEvent(Where where) { return where == Where::kHead ? "lpop" : "rpop"; }

// After elements left a list: an empty list's key goes away (publishing "del"), otherwise the
// change is recorded.
void AfterRemoval(CmdContext& ctx, DbEntry& e, std::string_view key) {
  if (e.value.list().empty()) {
    ctx.db().Delete(key);
    ctx.Notify(notify::kGeneric, "del", key);
  } else {
    ctx.db().MarkModified(e);
  }
}

// A pop's bookkeeping (Redis's listElementsRemoved): the pop event, the key's deletion if the
// list emptied, the WATCH signal.
void AfterPop(CmdContext& ctx, DbEntry& e, std::string_view key, Where where) {
  ctx.Notify(notify::kList, PopEvent(where), key);
  AfterRemoval(ctx, e, key);
  ctx.SignalModifiedKey(key);
}

// LEFT | RIGHT, case-insensitively; replies a syntax error otherwise.
std::optional<Where> ParseWhere(CmdContext& ctx, std::string_view arg) {
  if (EqualsIgnoreCase(arg, "left")) return Where::kHead;
  if (EqualsIgnoreCase(arg, "right")) return Where::kTail;
  ctx.SendError(Errc::kSyntax);
  return std::nullopt;
}

ListObject* NewList(CmdContext& ctx) {
  return new ListObject(ctx.server().keyspace().limits.list_max_listpack_size);
}

// LPUSH/RPUSH/LPUSHX/RPUSHX key element [element ...]
void PushGeneric(CmdContext& ctx, Where where, bool only_existing) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  auto e = FindList(db, key, false);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) {
    if (only_existing) return ctx.rb().SendLong(0);
    ListObject* l = NewList(ctx);
    for (size_t i = 2; i < ctx.argc(); ++i) l->Push(ctx.arg(i), where);
    size_t len = l->size();
    db.Add(key, Value::Wrap(l));
    ctx.rb().SendLong(static_cast<int64_t>(len));
  } else {
    ListObject& l = (*e)->value.list();
    for (size_t i = 2; i < ctx.argc(); ++i) l.Push(ctx.arg(i), where);
    db.MarkModified(**e);
    ctx.rb().SendLong(static_cast<int64_t>(l.size()));
  }
  ctx.SignalModifiedKey(key);
  ctx.Notify(notify::kList, PushEvent(where), key);
}

void CmdLPush(CmdContext& ctx) { PushGeneric(ctx, Where::kHead, false); }
void CmdRPush(CmdContext& ctx) { PushGeneric(ctx, Where::kTail, false); }
void CmdLPushX(CmdContext& ctx) { PushGeneric(ctx, Where::kHead, true); }
void CmdRPushX(CmdContext& ctx) { PushGeneric(ctx, Where::kTail, true); }

// Pops up to `count` elements of a non-empty list as an array (LPOP/RPOP with a count, and the
// inner array of LMPOP/BLMPOP).
void ReplyPopMany(CmdContext& ctx, ListObject& l, Where where, uint64_t count) {
  size_t n = count < l.size() ? static_cast<size_t>(count) : l.size();
  auto& rb = ctx.rb();
  rb.StartArray(n);
  l.PopMany(where, n, [&](std::string_view v) { rb.SendBulk(v); });
}

// LPOP/RPOP key [count]
void PopGeneric(CmdContext& ctx, Where where) {
  if (ctx.argc() > 3) return ctx.SendArityError();
  bool has_count = ctx.argc() == 3;
  int64_t count = 0;
  if (has_count) {
    auto c = ParseInt64(ctx.arg(2));
    if (!c || *c < 0) return ctx.SendError(Errc::kNotPositive);
    count = *c;
  }
  Db& db = ctx.db();
  auto e = FindList(db, ctx.arg(1), false);
  if (!e) return ctx.SendError(e.error());
  auto& rb = ctx.rb();
  if (*e == nullptr) return has_count ? rb.SendNullArray() : rb.SendNull();
  if (has_count && count == 0) return rb.StartArray(0);
  ListObject& l = (*e)->value.list();
  if (has_count) {
    ReplyPopMany(ctx, l, where, static_cast<uint64_t>(count));
  } else {
    l.Pop(where, [&](std::string_view v) { rb.SendBulk(v); });
  }
  AfterPop(ctx, **e, ctx.arg(1), where);
}

void CmdLPop(CmdContext& ctx) { PopGeneric(ctx, Where::kHead); }
void CmdRPop(CmdContext& ctx) { PopGeneric(ctx, Where::kTail); }

// LLEN key
void CmdLLen(CmdContext& ctx) {
  auto e = FindList(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  ctx.rb().SendLong(*e == nullptr ? 0 : static_cast<int64_t>((*e)->value.list().size()));
}

// LRANGE key start stop
void CmdLRange(CmdContext& ctx) {
  auto start = ArgInt(ctx, ctx.arg(2));
  if (!start) return;
  auto end = ArgInt(ctx, ctx.arg(3));
  if (!end) return;
  auto e = FindList(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  auto& rb = ctx.rb();
  if (*e == nullptr) return rb.StartArray(0);
  const ListObject& l = (*e)->value.list();
  int64_t llen = static_cast<int64_t>(l.size());
  int64_t s = *start, t = *end;
  if (s < 0) s += llen;
  if (t < 0) t += llen;
  if (s < 0) s = 0;
  if (s > t || s >= llen) return rb.StartArray(0);
  if (t >= llen) t = llen - 1;
  size_t n = static_cast<size_t>(t - s + 1);
  rb.StartArray(n);
  l.ForRange(s, n, Where::kTail, [&](std::string_view v) { rb.SendBulk(v); });
}

// LINDEX key index
void CmdLIndex(CmdContext& ctx) {
  auto e = FindList(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendNull();
  auto index = ArgInt(ctx, ctx.arg(2));
  if (!index) return;
  ListObject::Cursor c = (*e)->value.list().Seek(*index);
  if (!c.valid()) return ctx.rb().SendNull();
  char buf[kIntBufSize];
  ctx.rb().SendBulk(c.View(buf));
}

// LSET key index element
void CmdLSet(CmdContext& ctx) {
  Db& db = ctx.db();
  auto e = FindList(db, ctx.arg(1), false);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.SendError(Errc::kNoSuchKey);
  auto index = ArgInt(ctx, ctx.arg(2));
  if (!index) return;
  if (!(*e)->value.list().Set(*index, ctx.arg(3))) return ctx.SendError(Errc::kOutOfRange);
  db.MarkModified(**e);
  ctx.rb().SendOk();
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kList, "lset", ctx.arg(1));
}

// LINSERT key BEFORE|AFTER pivot element
void CmdLInsert(CmdContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.arg(2), "after")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.arg(2), "before")) {
    after = false;
  } else {
    return ctx.SendError(Errc::kSyntax);
  }
  Db& db = ctx.db();
  auto e = FindList(db, ctx.arg(1), false);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendLong(0);
  ListObject& l = (*e)->value.list();
  if (!l.InsertNear(ctx.arg(3), ctx.arg(4), after)) return ctx.rb().SendLong(-1);
  db.MarkModified(**e);
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kList, "linsert", ctx.arg(1));
  ctx.rb().SendLong(static_cast<int64_t>(l.size()));
}

// LREM key count element
void CmdLRem(CmdContext& ctx) {
  auto count = ArgInt(ctx, ctx.arg(2));
  if (!count) return;
  Db& db = ctx.db();
  auto e = FindList(db, ctx.arg(1), false);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendLong(0);
  // A negative count scans from the tail; LLONG_MIN has no positive twin and, as in Redis,
  // ends up unlimited.
  Where from = *count < 0 ? Where::kTail : Where::kHead;
  uint64_t limit = *count < 0 ? 0 - static_cast<uint64_t>(*count) : static_cast<uint64_t>(*count);
  if (*count == INT64_MIN) limit = 0;
  size_t removed = (*e)->value.list().Remove(ctx.arg(3), limit, from);
  if (removed > 0) {
    ctx.SignalModifiedKey(ctx.arg(1));
    ctx.Notify(notify::kList, "lrem", ctx.arg(1));
    AfterRemoval(ctx, **e, ctx.arg(1));
  }
  ctx.rb().SendLong(static_cast<int64_t>(removed));
}

// LTRIM key start stop
void CmdLTrim(CmdContext& ctx) {
  auto start = ArgInt(ctx, ctx.arg(2));
  if (!start) return;
  auto end = ArgInt(ctx, ctx.arg(3));
  if (!end) return;
  Db& db = ctx.db();
  auto e = FindList(db, ctx.arg(1), false);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendOk();
  ListObject& l = (*e)->value.list();
  int64_t llen = static_cast<int64_t>(l.size());
  int64_t s = *start, t = *end;
  if (s < 0) s += llen;
  if (t < 0) t += llen;
  if (s < 0) s = 0;
  int64_t ltrim, rtrim;
  if (s > t || s >= llen) {
    ltrim = llen;  // everything goes
    rtrim = 0;
  } else {
    if (t >= llen) t = llen - 1;
    ltrim = s;
    rtrim = llen - t - 1;
  }
  l.DeleteRange(0, static_cast<size_t>(ltrim));
  l.DeleteRange(-rtrim, static_cast<size_t>(rtrim));
  // Reported even when nothing was trimmed, as Redis does.
  ctx.Notify(notify::kList, "ltrim", ctx.arg(1));
  AfterRemoval(ctx, **e, ctx.arg(1));
  if (ltrim + rtrim == 0) ctx.PreventPropagation();  // Redis's dirty counter did not move
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.rb().SendOk();
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void CmdLPos(CmdContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;  // count -1: no COUNT option
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "rank") && more) {
      auto r = ArgInt(ctx, ctx.arg(++j));
      if (!r) return;
      if (*r == 0) {
        return ctx.SendError(
            "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or "
            "use negative to start from the end of the list");
      }
      rank = *r;
    } else if (EqualsIgnoreCase(opt, "count") && more) {
      auto c = ParseInt64(ctx.arg(++j));
      if (!c || *c < 0) return ctx.SendError("COUNT can't be negative");
      count = *c;
    } else if (EqualsIgnoreCase(opt, "maxlen") && more) {
      auto m = ParseInt64(ctx.arg(++j));
      if (!m || *m < 0) return ctx.SendError("MAXLEN can't be negative");
      maxlen = *m;
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }
  // A negative rank searches from the tail. Redis negates it in place, so LLONG_MIN stays
  // negative: it then matches from the first hit on and never reaches COUNT (replicated with
  // wrapping arithmetic below).
  Where towards = Where::kTail;
  if (rank < 0) {
    rank = static_cast<int64_t>(0 - static_cast<uint64_t>(rank));
    towards = Where::kHead;
  }
  auto& rb = ctx.rb();
  auto e = FindList(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return count != -1 ? rb.StartArray(0) : rb.SendNull();
  const ListObject& l = (*e)->value.list();
  protocol::ReplyBuilder::DeferHandle h = 0;
  if (count != -1) h = rb.DeferArrayLen();
  int64_t llen = static_cast<int64_t>(l.size());
  int64_t index = 0, matches = 0, match_index = -1;
  size_t found = 0;
  ListObject::Cursor c = towards == Where::kTail ? l.Front() : l.Back();
  while (c.valid() && (maxlen == 0 || index < maxlen)) {
    if (c.Equals(ctx.arg(2))) {
      ++matches;
      match_index = towards == Where::kTail ? index : llen - index - 1;
      if (matches >= rank) {
        if (count == -1) break;
        ++found;
        rb.SendLong(match_index);
        auto past =
            static_cast<int64_t>(static_cast<uint64_t>(matches) - static_cast<uint64_t>(rank) + 1);
        if (count != 0 && past >= count) break;
      }
    }
    ++index;
    match_index = -1;
    c.Step(towards);
  }
  if (count != -1) return rb.SetDeferredLen(h, found);
  if (match_index != -1) return rb.SendLong(match_index);
  rb.SendNull();
}

// Moves the element at `from` of the (non-empty) list in `src` to `to` of the list at `dst_key`,
// replying it; the destination was checked by the caller (nullptr: it does not exist). Redis
// reports the push on the destination first, then the pop on the source (and its deletion).
void MoveElement(CmdContext& ctx, DbEntry& src, std::string_view src_key, DbEntry* dst,
                 std::string_view dst_key, Where from, Where to) {
  Db& db = ctx.db();
  auto& rb = ctx.rb();
  ListObject& s = src.value.list();
  const bool rotation = dst != nullptr && &dst->value.list() == &s;
  if (ctx.config().notify_keyspace_events & (notify::kList | notify::kNew)) {
    // A subscriber may be this very client (RESP3), so the order of the reply and the events
    // is visible: Redis publishes "new" and the push, replies, then publishes the pop. Copying
    // the element costs nothing next to publishing.
    std::string v = s.PopString(from);
    if (dst == nullptr) {
      ListObject* d = NewList(ctx);
      d->Push(v, to);
      db.Add(dst_key, Value::Wrap(d));
    } else {
      dst->value.list().Push(v, to);
      db.MarkModified(*dst);
    }
    ctx.SignalModifiedKey(dst_key);
    ctx.Notify(notify::kList, PushEvent(to), dst_key);
    rb.SendBulk(v);
    ctx.Notify(notify::kList, PopEvent(from), src_key);
    if (!rotation) AfterRemoval(ctx, src, src_key);
    ctx.SignalModifiedKey(src_key);
    return;
  }
  if (dst == nullptr) {
    ListObject* d = NewList(ctx);
    s.Pop(from, [&](std::string_view v) {
      d->Push(v, to);
      rb.SendBulk(v);
    });
    db.Add(dst_key, Value::Wrap(d));
  } else if (rotation) {
    // Rotation within one list: the popped bytes must leave the list before going back in.
    std::string v = s.PopString(from);
    s.Push(v, to);
    rb.SendBulk(v);
    db.MarkModified(*dst);
  } else {
    ListObject& d = dst->value.list();
    s.Pop(from, [&](std::string_view v) {
      d.Push(v, to);
      rb.SendBulk(v);
    });
    db.MarkModified(*dst);
  }
  ctx.SignalModifiedKey(dst_key);
  ctx.Notify(notify::kList, PushEvent(to), dst_key);
  ctx.Notify(notify::kList, PopEvent(from), src_key);
  if (!rotation) AfterRemoval(ctx, src, src_key);
  ctx.SignalModifiedKey(src_key);
}

// The shared body of RPOPLPUSH/LMOVE and their blocking forms once the source exists.
void MoveGeneric(CmdContext& ctx, DbEntry& src, Where from, Where to) {
  auto dst = FindList(ctx.db(), ctx.arg(2), false);
  if (!dst) return ctx.SendError(dst.error());
  MoveElement(ctx, src, ctx.arg(1), *dst, ctx.arg(2), from, to);
}

void LMoveGeneric(CmdContext& ctx, Where from, Where to) {
  auto src = FindList(ctx.db(), ctx.arg(1), false);
  if (!src) return ctx.SendError(src.error());
  if (*src == nullptr) return ctx.rb().SendNull();
  MoveGeneric(ctx, **src, from, to);
}

// RPOPLPUSH source destination
void CmdRPopLPush(CmdContext& ctx) { LMoveGeneric(ctx, Where::kTail, Where::kHead); }

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
void CmdLMove(CmdContext& ctx) {
  auto from = ParseWhere(ctx, ctx.arg(3));
  if (!from) return;
  auto to = ParseWhere(ctx, ctx.arg(4));
  if (!to) return;
  LMoveGeneric(ctx, *from, *to);
}

// The pops over several keys (LMPOP, BLPOP...): the first non-empty list answers
// [key, <what pop() replies>], a key of another type WRONGTYPE. False when every list is empty.
template <class Pop>
bool PopFromFirstList(CmdContext& ctx, std::span<const std::string_view> keys, Where where,
                      Pop&& pop) {
  Db& db = ctx.db();
  for (std::string_view key : keys) {
    auto e = FindList(db, key, false);
    if (!e) {
      ctx.SendError(e.error());
      return true;
    }
    if (*e == nullptr) continue;
    ctx.rb().StartArray(2);
    ctx.rb().SendBulk(key);
    pop((*e)->value.list(), key);
    AfterPop(ctx, **e, key, where);
    return true;
  }
  return false;
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count], and BLMPOP with a timeout before
// numkeys. `numkeys_index` is where numkeys sits.
void MPopGeneric(CmdContext& ctx, size_t numkeys_index, bool blocking) {
  auto mpop = ParseMPopArgs(ctx, numkeys_index, "left", "right");
  if (!mpop) return;
  const Where where = mpop->second_where ? Where::kTail : Where::kHead;
  const int64_t count = mpop->count;
  int64_t deadline = 0;
  if (blocking) {
    auto d = ParseBlockTimeout(ctx, ctx.arg(1));
    if (!d) return;
    deadline = *d;
  }
  auto keys = mpop->keys;
  if (PopFromFirstList(ctx, keys, where, [&](ListObject& l, std::string_view key) {
        // Propagated as LPOP/RPOP key <how many it popped>.
        if (ctx.propagating()) {
          char buf[kIntBufSize];
          uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(count), l.size());
          ctx.PropagateAs({where == Where::kHead ? "LPOP" : "RPOP",
                           key,
                           {buf, FormatInt64(static_cast<int64_t>(n), buf)}});
        }
        ReplyPopMany(ctx, l, where, static_cast<uint64_t>(count));
      })) {
    return;
  }
  if (!blocking || !ctx.CanBlock()) return ctx.rb().SendNullArray();
  ctx.Block(keys, ObjType::kList, deadline);
}

void CmdLMPop(CmdContext& ctx) { MPopGeneric(ctx, 1, false); }
void CmdBLMPop(CmdContext& ctx) { MPopGeneric(ctx, 2, true); }

// BLPOP/BRPOP key [key ...] timeout
void BlockingPop(CmdContext& ctx, Where where) {
  auto deadline = ParseBlockTimeout(ctx, ctx.arg(ctx.argc() - 1));
  if (!deadline) return;
  auto keys = ctx.args().subspan(1, ctx.argc() - 2);
  if (PopFromFirstList(ctx, keys, where, [&](ListObject& l, std::string_view key) {
        ctx.PropagateAs({where == Where::kHead ? "LPOP" : "RPOP", key});
        l.Pop(where, [&](std::string_view v) { ctx.rb().SendBulk(v); });
      })) {
    return;
  }
  if (!ctx.CanBlock()) return ctx.rb().SendNullArray();
  ctx.Block(keys, ObjType::kList, *deadline);
}

void CmdBLPop(CmdContext& ctx) { BlockingPop(ctx, Where::kHead); }
void CmdBRPop(CmdContext& ctx) { BlockingPop(ctx, Where::kTail); }

// The blocking moves wait on the source only; the destination is checked once there is
// something to move. Unable to block, they answer a null bulk (not a null array).
void BlockingMove(CmdContext& ctx, Where from, Where to, int64_t deadline) {
  auto src = FindList(ctx.db(), ctx.arg(1), false);
  if (!src) return ctx.SendError(src.error());
  if (*src != nullptr) {
    MoveGeneric(ctx, **src, from, to);
    // Propagated as the non-blocking form (unless the destination was WRONGTYPE: no change).
    // Served at once the directions stay as sent; served after blocking, Redis 7.0 writes them
    // in its own lower case.
    if (ctx.argc() == 6 && ctx.server().blocking().IsReprocessing(ctx.client())) {
      ctx.PropagateAs({"LMOVE", ctx.arg(1), ctx.arg(2), from == Where::kHead ? "left" : "right",
                       to == Where::kHead ? "left" : "right"});
    } else if (ctx.argc() == 6) {
      ctx.PropagateAs({"LMOVE", ctx.arg(1), ctx.arg(2), ctx.arg(3), ctx.arg(4)});
    } else {
      ctx.PropagateAs({"RPOPLPUSH", ctx.arg(1), ctx.arg(2)});
    }
    return;
  }
  if (!ctx.CanBlock()) return ctx.rb().SendNull();
  ctx.Block(ctx.args().subspan(1, 1), ObjType::kList, deadline);
}

// BRPOPLPUSH source destination timeout
void CmdBRPopLPush(CmdContext& ctx) {
  auto deadline = ParseBlockTimeout(ctx, ctx.arg(3));
  if (!deadline) return;
  BlockingMove(ctx, Where::kTail, Where::kHead, *deadline);
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
void CmdBLMove(CmdContext& ctx) {
  auto from = ParseWhere(ctx, ctx.arg(3));
  if (!from) return;
  auto to = ParseWhere(ctx, ctx.arg(4));
  if (!to) return;
  auto deadline = ParseBlockTimeout(ctx, ctx.arg(5));
  if (!deadline) return;
  BlockingMove(ctx, *from, *to, *deadline);
}

}  // namespace

void RegisterListCommands(CommandRegistry& r) {
  r.Add({"lpush", -3, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdLPush, "list"});
  r.Add({"rpush", -3, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdRPush, "list"});
  r.Add({"lpushx", -3, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdLPushX, "list"});
  r.Add({"rpushx", -3, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdRPushX, "list"});
  r.Add({"lpop", -2, kWrite | kFast, {1, 1, 1}, CmdLPop, "list"});
  r.Add({"rpop", -2, kWrite | kFast, {1, 1, 1}, CmdRPop, "list"});
  r.Add({"llen", 2, kReadOnly | kFast, {1, 1, 1}, CmdLLen, "list"});
  r.Add({"lrange", 4, kReadOnly, {1, 1, 1}, CmdLRange, "list"});
  r.Add({"lindex", 3, kReadOnly, {1, 1, 1}, CmdLIndex, "list"});
  r.Add({"lset", 4, kWrite | kDenyOom, {1, 1, 1}, CmdLSet, "list"});
  r.Add({"linsert", 5, kWrite | kDenyOom, {1, 1, 1}, CmdLInsert, "list"});
  r.Add({"lrem", 4, kWrite, {1, 1, 1}, CmdLRem, "list"});
  r.Add({"ltrim", 4, kWrite, {1, 1, 1}, CmdLTrim, "list"});
  r.Add({"lpos", -3, kReadOnly, {1, 1, 1}, CmdLPos, "list"});
  r.Add({"rpoplpush", 3, kWrite | kDenyOom, {1, 2, 1}, CmdRPopLPush, "list"});
  r.Add({"lmove", 5, kWrite | kDenyOom, {1, 2, 1}, CmdLMove, "list"});
  r.Add({"lmpop", -4, kWrite, {0, 0, 0}, CmdLMPop, "list"});
  r.Add({"blpop", -3, kWrite | kNoScript | kBlocking, {1, -2, 1}, CmdBLPop, "list"});
  r.Add({"brpop", -3, kWrite | kNoScript | kBlocking, {1, -2, 1}, CmdBRPop, "list"});
  r.Add({"brpoplpush",
         4,
         kWrite | kDenyOom | kNoScript | kBlocking,
         {1, 2, 1},
         CmdBRPopLPush,
         "list"});
  r.Add({"blmove", 6, kWrite | kDenyOom | kNoScript | kBlocking, {1, 2, 1}, CmdBLMove, "list"});
  r.Add({"blmpop", -5, kWrite | kBlocking, {0, 0, 0}, CmdBLMPop, "list"});
}

}  // namespace baozi
