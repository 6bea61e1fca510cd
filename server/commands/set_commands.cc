// Set commands (t_set.c as of Redis 7.0): SADD, SREM, SMOVE, membership, SPOP/SRANDMEMBER, the
// SINTER/SUNION/SDIFF families and SSCAN.
//
// Keyspace events and WATCH signals follow t_set.c 7.0 exactly, including its quirks: SPOP
// publishes "spop" before it pops, SMOVE always signals its source but its destination only when
// the member was new there, and a *STORE that stores nothing deletes the destination (a "del"
// and a signal, only if something was there).
//
// Reply order is part of the contract where Redis makes it deterministic: an intset iterates in
// ascending order, and SUNION, SDIFF and SPOP-all reply from a freshly built result set, which is
// an intset (so sorted) whenever every member is an integer and there are no more than
// set-max-intset-entries of them, whatever the sources' encodings. Hashtable order is the hash
// seed's business and clients cannot rely on it.
#include <algorithm>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "storage/keyspace_events.h"
#include "storage/numbers.h"
#include "storage/set.h"

namespace baozi {
namespace {

// SPOP with a count keeps the survivors in a new set when they are fewer than 1/5 of the
// popped members (Redis SPOP_MOVE_STRATEGY_MUL).
constexpr uint64_t kSpopMoveStrategyMul = 5;
// SRANDMEMBER with a positive count copies the whole set and drops members when the count is
// above 1/3 of the set (Redis SRANDMEMBER_SUB_STRATEGY_MUL).
constexpr uint64_t kSrandmemberSubStrategyMul = 3;
// SRANDMEMBER with a huge negative count would write without bound; Redis stops when the client
// is closed for its output buffer. Past this many bytes of pending output we do the same.
constexpr size_t kRandomReplyCapBytes = size_t{1} << 30;

size_t IntsetLimit(CmdContext& ctx) {
  return ctx.server().keyspace().limits.set_max_intset_entries;
}

void AddDirty(CmdContext& ctx, uint64_t n) { ctx.server().keyspace().stats().dirty += n; }

// The set at an entry: nullptr when the key is missing, kWrongType when it holds another type.
Result<SetObject*> AsSet(DbEntry* e) {
  if (e == nullptr) return static_cast<SetObject*>(nullptr);
  if (e->value.type() != ObjType::kSet) return Fail(Errc::kWrongType);
  return &e->value.set();
}

void SendMember(protocol::ReplyBuilder& rb, const SetMember& m) {
  char buf[kIntBufSize];
  rb.SendBulk(m.View(buf));
}

// Replies every member of `s` as a set, in the order a fresh copy of it would iterate (Redis
// answers SPOP-all through a union into a new set): ascending when the copy would be an intset.
void ReplyAsFreshSet(CmdContext& ctx, const SetObject& s) {
  auto& rb = ctx.rb();
  rb.StartSet(s.size());
  if (!s.is_intset() && s.size() <= SetObject::EffectiveIntsetLimit(IntsetLimit(ctx))) {
    std::vector<int64_t> ints;
    ints.reserve(s.size());
    bool all_ints = true;
    s.ForEachMember([&](const SetMember& m) {
      if (!all_ints) return;
      if (auto v = ParseInt64(m.str)) {
        ints.push_back(*v);
      } else {
        all_ints = false;
      }
    });
    if (all_ints) {
      std::sort(ints.begin(), ints.end());
      for (int64_t v : ints) SendMember(rb, SetMember::Int(v));
      return;
    }
  }
  s.ForEachMember([&](const SetMember& m) { SendMember(rb, m); });
}

// Stores a *STORE result: a non-empty set overwrites the destination whatever it held (and
// drops its TTL) and publishes `event`; an empty one deletes it. Replies the result's size.
void StoreResult(CmdContext& ctx, std::string_view dst, SetObject&& result,
                 std::string_view event) {
  Db& db = ctx.db();
  const size_t n = result.size();
  // Redis replies before publishing (visible to a client subscribed to its own events).
  if (n > 0) {
    db.Set(dst, Value::Wrap(new SetObject(std::move(result))));
    ctx.SignalModifiedKey(dst);
    ctx.rb().SendLong(static_cast<int64_t>(n));
    ctx.Notify(notify::kSet, event, dst);
    return;
  }
  ctx.rb().SendLong(0);
  if (db.Remove(dst)) {
    ctx.SignalModifiedKey(dst);
    ctx.Notify(notify::kGeneric, "del", dst);
  }
}

// SADD key member [member ...]
void CmdSadd(CmdContext& ctx) {
  Db& db = ctx.db();
  DbEntry* e = db.FindWrite(ctx.arg(1));
  auto set = AsSet(e);
  if (!set) return ctx.SendError(set.error());
  const bool created = *set == nullptr;
  if (created) {
    e = &db.Add(ctx.arg(1), Value::Wrap(new SetObject(SetObject::ForMember(ctx.arg(2)))));
  }
  SetObject& s = e->value.set();
  const size_t limit = IntsetLimit(ctx);
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) added += s.Add(ctx.arg(i), limit) ? 1 : 0;
  if (added > 0) {
    if (!created) db.MarkModified(*e);
    AddDirty(ctx, added - 1);
    ctx.SignalModifiedKey(ctx.arg(1));
    ctx.Notify(notify::kSet, "sadd", ctx.arg(1));
  }
  ctx.rb().SendLong(added);
}

// SREM key member [member ...]
void CmdSrem(CmdContext& ctx) {
  Db& db = ctx.db();
  DbEntry* e = db.FindWrite(ctx.arg(1));
  auto set = AsSet(e);
  if (!set) return ctx.SendError(set.error());
  if (*set == nullptr) return ctx.rb().SendLong(0);
  SetObject& s = **set;
  int64_t removed = 0;
  bool key_removed = false;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (!s.Remove(ctx.arg(i))) continue;
    ++removed;
    if (s.empty()) {
      db.Delete(ctx.arg(1));
      key_removed = true;
      break;
    }
  }
  if (removed > 0) {
    if (!key_removed) db.MarkModified(*e);
    AddDirty(ctx, removed - 1);
    ctx.SignalModifiedKey(ctx.arg(1));
    ctx.Notify(notify::kSet, "srem", ctx.arg(1));
    if (key_removed) ctx.Notify(notify::kGeneric, "del", ctx.arg(1));
  }
  ctx.rb().SendLong(removed);
}

// SMOVE source destination member
void CmdSmove(CmdContext& ctx) {
  Db& db = ctx.db();
  std::string_view src_key = ctx.arg(1), dst_key = ctx.arg(2), member = ctx.arg(3);
  DbEntry* src_e = db.FindWrite(src_key);
  DbEntry* dst_e = db.FindWrite(dst_key);
  if (src_e == nullptr) return ctx.rb().SendLong(0);
  auto src = AsSet(src_e);
  if (!src) return ctx.SendError(src.error());
  auto dst = AsSet(dst_e);
  if (!dst) return ctx.SendError(dst.error());
  if (src_e == dst_e) return ctx.rb().SendLong((*src)->Contains(member) ? 1 : 0);
  if (!(*src)->Remove(member)) return ctx.rb().SendLong(0);
  ctx.Notify(notify::kSet, "srem", src_key);
  if ((*src)->empty()) {
    db.Delete(src_key);
    ctx.Notify(notify::kGeneric, "del", src_key);
  } else {
    db.MarkModified(*src_e);
  }
  bool added = true;
  if (dst_e == nullptr) {
    dst_e = &db.Add(dst_key, Value::Wrap(new SetObject(SetObject::ForMember(member))));
    dst_e->value.set().Add(member, IntsetLimit(ctx));
  } else if (dst_e->value.set().Add(member, IntsetLimit(ctx))) {
    db.MarkModified(*dst_e);
  } else {
    added = false;
  }
  ctx.SignalModifiedKey(src_key);
  if (added) {
    ctx.SignalModifiedKey(dst_key);
    ctx.Notify(notify::kSet, "sadd", dst_key);
  }
  ctx.rb().SendLong(1);
}

// SISMEMBER key member
void CmdSismember(CmdContext& ctx) {
  auto set = AsSet(ctx.db().FindRead(ctx.arg(1)));
  if (!set) return ctx.SendError(set.error());
  ctx.rb().SendLong(*set != nullptr && (*set)->Contains(ctx.arg(2)) ? 1 : 0);
}

// SMISMEMBER key member [member ...]
void CmdSmismember(CmdContext& ctx) {
  auto set = AsSet(ctx.db().FindRead(ctx.arg(1)));
  if (!set) return ctx.SendError(set.error());
  auto& rb = ctx.rb();
  rb.StartArray(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    rb.SendLong(*set != nullptr && (*set)->Contains(ctx.arg(i)) ? 1 : 0);
  }
}

// SCARD key
void CmdScard(CmdContext& ctx) {
  auto set = AsSet(ctx.db().FindRead(ctx.arg(1)));
  if (!set) return ctx.SendError(set.error());
  ctx.rb().SendLong(*set == nullptr ? 0 : static_cast<int64_t>((*set)->size()));
}

// SPOP without a count propagates as SREM of the member it popped, even when that emptied
// the set.
void PropagateSrem(CmdContext& ctx, const SetMember& m) {
  if (!ctx.propagating()) return;
  char buf[kIntBufSize];
  ctx.PropagateAs({"SREM", ctx.arg(1), m.View(buf)});
}

// SPOP key count (Redis spopWithCountCommand).
void SpopWithCount(CmdContext& ctx) {
  auto l = ParseInt64(ctx.arg(2));
  if (!l || *l < 0) return ctx.SendError(Errc::kNotPositive);
  const uint64_t count = static_cast<uint64_t>(*l);
  Db& db = ctx.db();
  DbEntry* e = db.FindWrite(ctx.arg(1));
  auto set = AsSet(e);
  if (!set) return ctx.SendError(set.error());
  auto& rb = ctx.rb();
  if (*set == nullptr || count == 0) return rb.StartSet(0);
  SetObject& s = **set;
  const uint64_t size = s.size();
  ctx.Notify(notify::kSet, "spop", ctx.arg(1));

  // Everything goes: reply the whole set and delete the key.
  if (count >= size) {
    ReplyAsFreshSet(ctx, s);
    db.Delete(ctx.arg(1));
    ctx.Notify(notify::kGeneric, "del", ctx.arg(1));
    ctx.SignalModifiedKey(ctx.arg(1));
    AddDirty(ctx, size - 1);
    ctx.PropagateAs({"DEL", ctx.arg(1)});
    return;
  }
  // Otherwise one SREM per popped member, in reply order (Redis 7.0 does not batch them).
  const bool propagating = ctx.propagating();
  auto send = [&](const SetMember& m) {
    SendMember(rb, m);
    if (propagating) {
      char buf[kIntBufSize];
      ctx.AlsoPropagate({"SREM", ctx.arg(1), m.View(buf)});
    }
  };
  ctx.PreventPropagation();

  auto& rng = ctx.server().keyspace().rng();
  rb.StartSet(count);
  const uint64_t remaining = size - count;
  if (remaining * kSpopMoveStrategyMul > count) {
    // Few to pop: pop them one by one.
    for (uint64_t i = 0; i < count; ++i) {
      s.PopRandom(rng, send);
    }
    db.MarkModified(*e);
  } else {
    // Most of the set goes: move the few survivors into a new set, reply what is left in the
    // old one, and store the new one in its place (keeping the TTL, as dbOverwrite does).
    const size_t limit = IntsetLimit(ctx);
    std::optional<SetObject> survivors;
    for (uint64_t i = 0; i < remaining; ++i) {
      s.PopRandom(rng, [&](const SetMember& m) {
        if (!survivors) {
          char buf[kIntBufSize];
          survivors = SetObject::ForMember(m.View(buf));
        }
        survivors->Add(m, limit);
      });
    }
    s.ForEachMember(send);
    db.Overwrite(*e, Value::Wrap(new SetObject(std::move(*survivors))));
  }
  ctx.SignalModifiedKey(ctx.arg(1));
  AddDirty(ctx, count - 1);
}

// SPOP key [count]
void CmdSpop(CmdContext& ctx) {
  if (ctx.argc() == 3) return SpopWithCount(ctx);
  if (ctx.argc() > 3) return ctx.SendError(Errc::kSyntax);
  Db& db = ctx.db();
  DbEntry* e = db.FindWrite(ctx.arg(1));
  auto set = AsSet(e);
  if (!set) return ctx.SendError(set.error());
  if (*set == nullptr) return ctx.rb().SendNull();
  SetObject& s = **set;
  if (ctx.config().notify_keyspace_events & notify::kSet) {
    // Redis publishes "spop" before it replies (visible to a client subscribed to its own
    // events): build the reply aside, then send it after the event.
    std::string reply;
    protocol::ReplyBuilder aside(&reply);
    aside.set_resp3(ctx.rb().resp3());
    s.PopRandom(ctx.server().keyspace().rng(), [&](const SetMember& m) {
      SendMember(aside, m);
      PropagateSrem(ctx, m);
    });
    ctx.Notify(notify::kSet, "spop", ctx.arg(1));
    ctx.rb().SendRaw(reply);
  } else {
    s.PopRandom(ctx.server().keyspace().rng(), [&](const SetMember& m) {
      SendMember(ctx.rb(), m);
      PropagateSrem(ctx, m);
    });
  }
  if (s.empty()) {
    db.Delete(ctx.arg(1));
    ctx.Notify(notify::kGeneric, "del", ctx.arg(1));
  } else {
    db.MarkModified(*e);
  }
  ctx.SignalModifiedKey(ctx.arg(1));
}

// SRANDMEMBER key count (Redis srandmemberWithCountCommand and its four cases).
void SrandmemberWithCount(CmdContext& ctx) {
  auto l = ParseInt64(ctx.arg(2));
  if (!l) return ctx.SendError(Errc::kNotInteger);
  // -LLONG_MIN has no int64 (CVE-2023-25155): Redis bounds the count to +-LONG_MAX.
  if (*l == std::numeric_limits<int64_t>::min()) {
    return ctx.SendError(
        "value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  }
  const bool distinct = *l >= 0;
  const uint64_t count = static_cast<uint64_t>(distinct ? *l : -*l);
  auto set = AsSet(ctx.db().FindRead(ctx.arg(1)));
  if (!set) return ctx.SendError(set.error());
  auto& rb = ctx.rb();
  if (*set == nullptr || count == 0) return rb.StartArray(0);
  SetObject& s = **set;
  const uint64_t size = s.size();
  auto& rng = ctx.server().keyspace().rng();

  // CASE 1: repeats allowed (or a single pick): independent draws.
  if (!distinct || count == 1) {
    rb.StartArray(count);
    const std::string* out = rb.buffer();
    for (uint64_t i = 0; i < count; ++i) {
      SendMember(rb, s.RandomMember(rng));
      if (out->size() > kRandomReplyCapBytes) {
        ctx.client().Set(kClientCloseAsap);
        break;
      }
    }
    return;
  }
  // CASE 2: the whole set.
  if (count >= size) {
    rb.StartArray(size);
    s.ForEachMember([&](const SetMember& m) { SendMember(rb, m); });
    return;
  }
  // CASE 3: most of the set: shuffle a copy of the members and keep a prefix (a uniform subset,
  // which is what Redis's "copy, then delete random members" gives).
  rb.StartArray(count);
  if (count * kSrandmemberSubStrategyMul > size) {
    std::vector<SetMember> all;
    all.reserve(size);
    s.ForEachMember([&](const SetMember& m) { all.push_back(m); });
    for (uint64_t i = 0; i < count; ++i) {
      std::swap(all[i], all[i + static_cast<uint64_t>(rng()) % (size - i)]);
      SendMember(rb, all[i]);
    }
    return;
  }
  // CASE 4: a small part of a big set: draw until `count` distinct members came up.
  SetDict seen;
  seen.Reserve(count);
  while (seen.size() < count) {
    SetMember m = s.RandomMember(rng);
    char buf[kIntBufSize];
    seen.TryEmplace(m.View(buf));
  }
  seen.ForEach([&](std::string_view k, SetNoValue&) { rb.SendBulk(k); });
}

// SRANDMEMBER key [count]
void CmdSrandmember(CmdContext& ctx) {
  if (ctx.argc() == 3) return SrandmemberWithCount(ctx);
  if (ctx.argc() > 3) return ctx.SendError(Errc::kSyntax);
  auto set = AsSet(ctx.db().FindRead(ctx.arg(1)));
  if (!set) return ctx.SendError(set.error());
  if (*set == nullptr) return ctx.rb().SendNull();
  SendMember(ctx.rb(), (*set)->RandomMember(ctx.server().keyspace().rng()));
}

// Looks up every key in order (Redis reads sources with lookupKeyRead, even for *STORE); false
// after replying WRONGTYPE. Missing keys give nullptr.
bool LookupSets(CmdContext& ctx, std::span<const std::string_view> keys,
                std::vector<SetObject*>* sets) {
  sets->reserve(keys.size());
  for (std::string_view k : keys) {
    auto set = AsSet(ctx.db().FindRead(k));
    if (!set) {
      ctx.SendError(set.error());
      return false;
    }
    sets->push_back(*set);
  }
  return true;
}

enum class InterMode { kReply, kStore, kCardinality };

// SINTER, SMEMBERS, SINTERSTORE and SINTERCARD (Redis sinterGenericCommand).
void InterGeneric(CmdContext& ctx, std::span<const std::string_view> keys, InterMode mode,
                  std::string_view dst = {}, uint64_t limit = 0) {
  std::vector<SetObject*> sets;
  if (!LookupSets(ctx, keys, &sets)) return;
  auto& rb = ctx.rb();
  // An empty set (a missing key) empties the intersection.
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) {
    if (mode == InterMode::kStore) {
      // Redis's early exit deletes (and publishes) before replying, unlike the computed case.
      if (ctx.db().Remove(dst)) {
        ctx.SignalModifiedKey(dst);
        ctx.Notify(notify::kGeneric, "del", dst);
      }
      return rb.SendLong(0);
    }
    if (mode == InterMode::kCardinality) return rb.SendLong(0);
    return rb.StartSet(0);
  }
  // Smallest first, stable like glibc's merge-sort qsort: the first set's order is the reply's.
  std::stable_sort(sets.begin(), sets.end(),
                   [](const SetObject* a, const SetObject* b) { return a->size() < b->size(); });
  SetObject* first = sets[0];
  SetObject result;
  const size_t intset_limit = IntsetLimit(ctx);
  uint64_t cardinality = 0;
  protocol::ReplyBuilder::DeferHandle len{};
  if (mode == InterMode::kReply) len = rb.DeferSetLen();

  if (sets.size() == 1 && mode == InterMode::kReply) {
    // SMEMBERS and single-key SINTER: straight from the set.
    first->ForEachMember([&](const SetMember& m) { SendMember(rb, m); });
    rb.SetDeferredLen(len, first->size());
    return;
  }
  bool done = false;
  first->ForEachMember([&](const SetMember& m) {
    if (done) return;
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j] != first && !sets[j]->Contains(m)) return;
    }
    switch (mode) {
      case InterMode::kCardinality:
        ++cardinality;
        if (limit != 0 && cardinality >= limit) done = true;
        break;
      case InterMode::kReply:
        SendMember(rb, m);
        ++cardinality;
        break;
      case InterMode::kStore:
        result.Add(m, intset_limit);
        break;
    }
  });
  switch (mode) {
    case InterMode::kCardinality:
      return rb.SendLong(static_cast<int64_t>(cardinality));
    case InterMode::kReply:
      return rb.SetDeferredLen(len, cardinality);
    case InterMode::kStore:
      return StoreResult(ctx, dst, std::move(result), "sinterstore");
  }
}

// SMEMBERS key (Redis runs it as a one-key SINTER; this is that path without the bookkeeping)
void CmdSmembers(CmdContext& ctx) {
  auto set = AsSet(ctx.db().FindRead(ctx.arg(1)));
  if (!set) return ctx.SendError(set.error());
  auto& rb = ctx.rb();
  if (*set == nullptr) return rb.StartSet(0);
  rb.StartSet((*set)->size());
  (*set)->ForEachMember([&](const SetMember& m) { SendMember(rb, m); });
}

// SINTER key [key ...]
void CmdSinter(CmdContext& ctx) { InterGeneric(ctx, ctx.args().subspan(1), InterMode::kReply); }

// SINTERSTORE destination key [key ...]
void CmdSinterstore(CmdContext& ctx) {
  InterGeneric(ctx, ctx.args().subspan(2), InterMode::kStore, ctx.arg(1));
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void CmdSintercard(CmdContext& ctx) {
  auto numkeys = ParseInt64(ctx.arg(1));
  if (!numkeys || *numkeys < 1) return ctx.SendError("numkeys should be greater than 0");
  if (*numkeys > static_cast<int64_t>(ctx.argc()) - 2) {
    return ctx.SendError("Number of keys can't be greater than number of args");
  }
  uint64_t limit = 0;
  for (size_t j = 2 + *numkeys; j < ctx.argc(); ++j) {
    const bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(ctx.arg(j), "LIMIT") && more) {
      auto l = ParseInt64(ctx.arg(++j));
      if (!l || *l < 0) return ctx.SendError("LIMIT can't be negative");
      limit = static_cast<uint64_t>(*l);
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }
  InterGeneric(ctx, ctx.args().subspan(2, *numkeys), InterMode::kCardinality, {}, limit);
}

enum class SetOp { kUnion, kDiff };

// SUNION, SDIFF and their STORE forms (Redis sunionDiffGenericCommand): the result is built as a
// new set (an intset to begin with), replied or stored.
void UnionDiffGeneric(CmdContext& ctx, std::span<const std::string_view> keys, SetOp op,
                      std::optional<std::string_view> dst) {
  std::vector<SetObject*> sets;
  if (!LookupSets(ctx, keys, &sets)) return;
  const size_t limit = IntsetLimit(ctx);
  SetObject result;
  SetObject* first = sets[0];
  if (op == SetOp::kUnion) {
    for (SetObject* s : sets) {
      if (s != nullptr) s->ForEachMember([&](const SetMember& m) { result.Add(m, limit); });
    }
  } else if (first != nullptr && std::find(sets.begin() + 1, sets.end(), first) == sets.end()) {
    // Redis weighs two algorithms: probe each member of the first set in the others (halved,
    // for its better constants), or copy the first set and remove the others' members.
    uint64_t probe_work = 0, copy_work = 0;
    for (SetObject* s : sets) {
      if (s == nullptr) continue;
      probe_work += first->size();
      copy_work += s->size();
    }
    if (probe_work / 2 <= copy_work) {
      // Larger sets first: a member is more likely to be found early.
      std::stable_sort(sets.begin() + 1, sets.end(), [](const SetObject* a, const SetObject* b) {
        return (a ? a->size() : 0) > (b ? b->size() : 0);
      });
      first->ForEachMember([&](const SetMember& m) {
        for (size_t j = 1; j < sets.size(); ++j) {
          if (sets[j] != nullptr && sets[j]->Contains(m)) return;
        }
        result.Add(m, limit);
      });
    } else {
      first->ForEachMember([&](const SetMember& m) { result.Add(m, limit); });
      for (size_t j = 1; j < sets.size() && !result.empty(); ++j) {
        if (sets[j] != nullptr)
          sets[j]->ForEachMember([&](const SetMember& m) { result.Remove(m); });
      }
    }
  }
  // (A first key repeated later makes the difference empty.)
  if (dst) {
    return StoreResult(ctx, *dst, std::move(result),
                       op == SetOp::kUnion ? "sunionstore" : "sdiffstore");
  }
  auto& rb = ctx.rb();
  rb.StartSet(result.size());
  result.ForEachMember([&](const SetMember& m) { SendMember(rb, m); });
}

// SUNION key [key ...]
void CmdSunion(CmdContext& ctx) {
  UnionDiffGeneric(ctx, ctx.args().subspan(1), SetOp::kUnion, std::nullopt);
}
// SUNIONSTORE destination key [key ...]
void CmdSunionstore(CmdContext& ctx) {
  UnionDiffGeneric(ctx, ctx.args().subspan(2), SetOp::kUnion, ctx.arg(1));
}
// SDIFF key [key ...]
void CmdSdiff(CmdContext& ctx) {
  UnionDiffGeneric(ctx, ctx.args().subspan(1), SetOp::kDiff, std::nullopt);
}
// SDIFFSTORE destination key [key ...]
void CmdSdiffstore(CmdContext& ctx) {
  UnionDiffGeneric(ctx, ctx.args().subspan(2), SetOp::kDiff, ctx.arg(1));
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
void CmdSscan(CmdContext& ctx) {
  // Redis parses the cursor, then looks the key up (a missing key answers before the options
  // are read), then checks the type, then parses the options.
  if (!ParseScanCursor(ctx.arg(2))) return ctx.SendError("invalid cursor");
  auto set = AsSet(ctx.db().FindRead(ctx.arg(1)));
  if (!set) return ctx.SendError(set.error());
  if (*set == nullptr) return ReplyScanPage(ctx, 0, {});
  auto args = ParseScanArgs(ctx, 2, /*allow_type=*/false);
  if (!args) return;
  SetObject& s = **set;
  std::vector<std::string> items;
  auto collect = [&](const SetMember& m) {
    char buf[kIntBufSize];
    items.emplace_back(m.View(buf));
  };
  uint64_t cursor = args->cursor;
  if (s.is_intset()) {
    cursor = s.Scan(cursor, collect);
  } else {
    // As Redis's scanGenericCommand: up to COUNT elements, visiting at most 10 * COUNT buckets.
    int64_t max_iterations = args->count * 10;
    do {
      cursor = s.Scan(cursor, collect);
    } while (cursor != 0 && max_iterations-- > 0 &&
             items.size() < static_cast<uint64_t>(args->count));
  }
  if (!args->pattern.empty()) {
    std::erase_if(items, [&](const std::string& m) { return !args->Matches(m); });
  }
  ReplyScanPage(ctx, cursor, items);
}

}  // namespace

void RegisterSetCommands(CommandRegistry& r) {
  r.Add({"sadd", -3, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdSadd, "set"});
  r.Add({"srem", -3, kWrite | kFast, {1, 1, 1}, CmdSrem, "set"});
  r.Add({"smove", 4, kWrite | kFast, {1, 2, 1}, CmdSmove, "set"});
  r.Add({"sismember", 3, kReadOnly | kFast, {1, 1, 1}, CmdSismember, "set"});
  r.Add({"smismember", -3, kReadOnly | kFast, {1, 1, 1}, CmdSmismember, "set"});
  r.Add({"scard", 2, kReadOnly | kFast, {1, 1, 1}, CmdScard, "set"});
  r.Add({"spop", -2, kWrite | kFast, {1, 1, 1}, CmdSpop, "set"});
  r.Add({"srandmember", -2, kReadOnly, {1, 1, 1}, CmdSrandmember, "set"});
  r.Add({"smembers", 2, kReadOnly, {1, 1, 1}, CmdSmembers, "set"});
  r.Add({"sinter", -2, kReadOnly, {1, -1, 1}, CmdSinter, "set"});
  r.Add({"sintercard", -3, kReadOnly, {0, 0, 0}, CmdSintercard, "set"});
  r.Add({"sinterstore", -3, kWrite | kDenyOom, {1, -1, 1}, CmdSinterstore, "set"});
  r.Add({"sunion", -2, kReadOnly, {1, -1, 1}, CmdSunion, "set"});
  r.Add({"sunionstore", -3, kWrite | kDenyOom, {1, -1, 1}, CmdSunionstore, "set"});
  r.Add({"sdiff", -2, kReadOnly, {1, -1, 1}, CmdSdiff, "set"});
  r.Add({"sdiffstore", -3, kWrite | kDenyOom, {1, -1, 1}, CmdSdiffstore, "set"});
  r.Add({"sscan", -3, kReadOnly, {1, 1, 1}, CmdSscan, "set"});
}

}  // namespace baozi
