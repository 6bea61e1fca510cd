// Sorted-set commands (t_zset.c), point operations and pops: ZADD, ZINCRBY, ZREM, ZSCORE,
// ZMSCORE, ZCARD, ZRANK, ZREVRANK, ZPOPMIN/ZPOPMAX, ZMPOP and the blocking BZPOPMIN,
// BZPOPMAX, BZMPOP, ZRANDMEMBER and ZSCAN. The range family is in zset_range_commands.cc.
//
// Argument checks run in Redis 7.0's order, since that decides which error a bad command gets:
// ZADD validates its options, then every score, before looking the key up; the pops parse
// their count first; the blocking forms parse their timeout before touching a key. Every
// command that empties a sorted set deletes the key.
//
// Keyspace events and WATCH signals are t_zset.c's: ZADD and ZINCRBY report ("zadd", or "zincr"
// for INCR) only when an element was added or its score changed; ZREM reports "zrem"; a pop
// reports "zpopmin"/"zpopmax" once, whatever the count; and each of them follows with "del"
// when it emptied the set. A blocked BZPOP* served later runs the same pop, so it publishes the
// same events.
#include <algorithm>
#include <climits>
#include <cmath>
#include <vector>

#include "server/blocking.h"
#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/commands/zset_common.h"
#include "storage/keyspace_events.h"
#include "storage/numbers.h"
#include "storage/zset.h"

namespace baozi {
namespace {

using AddStatus = ZsetObject::AddStatus;

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...], and ZINCRBY (INCR).
void ZaddGeneric(CmdContext& ctx, uint32_t flags) {
  size_t scoreidx = 2;
  bool ch = false;
  for (; scoreidx < ctx.argc(); ++scoreidx) {
    std::string_view opt = ctx.arg(scoreidx);
    if (EqualsIgnoreCase(opt, "nx")) {
      flags |= ZsetObject::kAddNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      flags |= ZsetObject::kAddXx;
    } else if (EqualsIgnoreCase(opt, "ch")) {
      ch = true;
    } else if (EqualsIgnoreCase(opt, "incr")) {
      flags |= ZsetObject::kAddIncr;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      flags |= ZsetObject::kAddGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      flags |= ZsetObject::kAddLt;
    } else {
      break;
    }
  }
  const bool incr = flags & ZsetObject::kAddIncr;
  const bool nx = flags & ZsetObject::kAddNx;
  const bool xx = flags & ZsetObject::kAddXx;
  const bool gt = flags & ZsetObject::kAddGt;
  const bool lt = flags & ZsetObject::kAddLt;

  size_t elements = ctx.argc() - scoreidx;
  if (elements % 2 != 0 || elements == 0) return ctx.SendError(Errc::kSyntax);
  elements /= 2;
  if (nx && xx) return ctx.SendError("XX and NX options at the same time are not compatible");
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    return ctx.SendError("GT, LT, and/or NX options at the same time are not compatible");
  }
  if (incr && elements > 1) {
    return ctx.SendError("INCR option supports a single increment-element pair");
  }
  // Every score is checked before anything changes; they are parsed again while adding, which
  // costs less than keeping them.
  for (size_t j = 0; j < elements; ++j) {
    if (!ParseDouble(ctx.arg(scoreidx + 2 * j))) return ctx.SendError(Errc::kNotFloat);
  }

  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  auto found = FindZset(db, key, false);
  if (!found) return ctx.SendError(found.error());
  DbEntry* e = *found;
  auto& rb = ctx.rb();
  if (e == nullptr) {
    if (xx) return incr ? rb.SendNull() : rb.SendLong(0);
    const EncodingLimits& limits = ctx.server().keyspace().limits;
    auto* z = new ZsetObject();
    // Redis 7.0 picks the encoding from the first member alone; later ones convert as usual.
    if (limits.zset_max_listpack_entries == 0 ||
        limits.zset_max_listpack_value < ctx.arg(scoreidx + 1).size()) {
      z->ConvertToSkiplist();
    }
    e = &db.Add(key, Value::Wrap(z));
  }

  ZsetObject& z = e->value.zset();
  const EncodingLimits& limits = ctx.server().keyspace().limits;
  // Redis publishes on its way out, after the reply or the NaN error alike.
  auto publish = [&](int64_t changed) {
    if (changed == 0) return;
    db.MarkModified(*e);
    ctx.SignalModifiedKey(key);
    ctx.Notify(notify::kZset, incr ? "zincr" : "zadd", key);
  };
  int64_t added = 0;
  int64_t updated = 0;
  int64_t processed = 0;
  double score = 0;
  for (size_t j = 0; j < elements; ++j) {
    double s = *ParseDouble(ctx.arg(scoreidx + 2 * j));
    auto r = z.Add(ctx.arg(scoreidx + 2 * j + 1), s, flags, limits);
    if (r.status == AddStatus::kNan) {
      ctx.SendError("resulting score is not a number (NaN)");
      return publish(added + updated);
    }
    if (r.status == AddStatus::kAdded) ++added;
    if (r.status == AddStatus::kUpdated) ++updated;
    if (r.status != AddStatus::kNop) ++processed;
    score = r.score;
  }
  if (incr) {
    if (processed != 0) {
      rb.SendDouble(score);
    } else {
      rb.SendNull();
    }
  } else {
    rb.SendLong(ch ? added + updated : added);
  }
  publish(added + updated);
}

void CmdZadd(CmdContext& ctx) { ZaddGeneric(ctx, ZsetObject::kAddNone); }
// ZINCRBY key increment member
void CmdZincrby(CmdContext& ctx) { ZaddGeneric(ctx, ZsetObject::kAddIncr); }

// ZREM key member [member ...]
void CmdZrem(CmdContext& ctx) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  auto e = FindZset(db, key, false);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendLong(0);
  ZsetObject& z = (*e)->value.zset();
  int64_t deleted = 0;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    if (z.Remove(ctx.arg(j))) ++deleted;
    if (z.empty()) break;
  }
  if (deleted > 0) {
    const bool key_removed = AfterZsetRemoval(db, **e, key);
    ctx.Notify(notify::kZset, "zrem", key);
    if (key_removed) ctx.Notify(notify::kGeneric, "del", key);
    ctx.SignalModifiedKey(key);
  }
  ctx.rb().SendLong(deleted);
}

// ZSCORE key member
void CmdZscore(CmdContext& ctx) {
  auto e = FindZset(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendNull();
  auto s = (*e)->value.zset().Score(ctx.arg(2));
  if (!s) return ctx.rb().SendNull();
  ctx.rb().SendDouble(*s);
}

// ZMSCORE key member [member ...]
void CmdZmscore(CmdContext& ctx) {
  auto e = FindZset(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  auto& rb = ctx.rb();
  rb.StartArray(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); ++j) {
    // A missing key answers like an empty set.
    std::optional<double> s;
    if (*e != nullptr) s = (*e)->value.zset().Score(ctx.arg(j));
    if (s) {
      rb.SendDouble(*s);
    } else {
      rb.SendNull();
    }
  }
}

// ZCARD key
void CmdZcard(CmdContext& ctx) {
  auto e = FindZset(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  ctx.rb().SendLong(*e == nullptr ? 0 : static_cast<int64_t>((*e)->value.zset().size()));
}

// ZRANK/ZREVRANK key member
void RankGeneric(CmdContext& ctx, bool reverse) {
  auto e = FindZset(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendNull();
  auto r = (*e)->value.zset().Rank(ctx.arg(2), reverse);
  if (!r) return ctx.rb().SendNull();
  ctx.rb().SendLong(static_cast<int64_t>(*r));
}

void CmdZrank(CmdContext& ctx) { RankGeneric(ctx, false); }
void CmdZrevrank(CmdContext& ctx) { RankGeneric(ctx, true); }

// ---- pops ----

enum class PopReply : uint8_t {
  kFlat,       // ZPOPMIN/ZPOPMAX in RESP2, or without a count: member, score, ...
  kNested,     // ZPOPMIN/ZPOPMAX with a count in RESP3: [member, score], ...
  kKeyFlat,    // BZPOPMIN/BZPOPMAX: key, member, score
  kKeyNested,  // ZMPOP/BZMPOP: [key, [[member, score], ...]]
};

// Redis genericZpopCommand, from the first key that holds a sorted set: pops up to `count`
// elements from the low (or high) end. With no such key it answers a null array when
// `nil_when_empty`, else an empty array.
void ZpopGeneric(CmdContext& ctx, std::span<const std::string_view> keys, bool max, int64_t count,
                 PopReply shape, bool nil_when_empty) {
  Db& db = ctx.db();
  auto& rb = ctx.rb();
  DbEntry* e = nullptr;
  std::string_view key;
  for (std::string_view k : keys) {
    auto f = FindZset(db, k, false);
    if (!f) return ctx.SendError(f.error());
    if (*f == nullptr) continue;
    e = *f;
    key = k;
    break;
  }
  if (e == nullptr) return nil_when_empty ? rb.SendNullArray() : rb.StartArray(0);
  if (count == 0) return rb.StartArray(0);
  ZsetObject& z = e->value.zset();
  const size_t n = std::min<uint64_t>(static_cast<uint64_t>(count), z.size());
  // The blocking pops and ZMPOP propagate as ZPOPMIN/ZPOPMAX of the key they popped (with the
  // number popped for the M forms).
  if (shape == PopReply::kKeyFlat) {
    ctx.PropagateAs({max ? "ZPOPMAX" : "ZPOPMIN", key});
  } else if (shape == PopReply::kKeyNested && ctx.propagating()) {
    char buf[kIntBufSize];
    ctx.PropagateAs(
        {max ? "ZPOPMAX" : "ZPOPMIN", key, {buf, FormatInt64(static_cast<int64_t>(n), buf)}});
  }
  switch (shape) {
    case PopReply::kFlat:
      rb.StartArray(2 * n);
      break;
    case PopReply::kNested:
      rb.StartArray(n);
      break;
    case PopReply::kKeyFlat:
      rb.StartArray(2 * n + 1);
      rb.SendBulk(key);
      break;
    case PopReply::kKeyNested:
      rb.StartArray(2);
      rb.SendBulk(key);
      rb.StartArray(n);
      break;
  }
  const bool nested = shape == PopReply::kNested || shape == PopReply::kKeyNested;
  for (size_t i = 0; i < n; ++i) {
    ZsetObject::Iterator it = max ? z.Last() : z.Begin();
    if (nested) rb.StartArray(2);
    rb.SendBulk(it.member());
    rb.SendDouble(it.score());
    if (max) {
      z.PopBack();
    } else {
      z.PopFront();
    }
  }
  ctx.Notify(notify::kZset, max ? "zpopmax" : "zpopmin", key);
  ctx.SignalModifiedKey(key);
  if (AfterZsetRemoval(db, *e, key)) ctx.Notify(notify::kGeneric, "del", key);
}

// ZPOPMIN/ZPOPMAX key [count]
void PopMinMax(CmdContext& ctx, bool max) {
  if (ctx.argc() > 3) return ctx.SendError(Errc::kSyntax);
  int64_t count = -1;  // a plain single pop
  if (ctx.argc() == 3) {
    auto c = ParseInt64(ctx.arg(2));
    if (!c || *c < 0) return ctx.SendError(Errc::kNotPositive);
    count = *c;
  }
  const bool nested = ctx.rb().resp3() && count != -1;
  ZpopGeneric(ctx, ctx.args().subspan(1, 1), max, count == -1 ? 1 : count,
              nested ? PopReply::kNested : PopReply::kFlat, false);
}

void CmdZpopmin(CmdContext& ctx) { PopMinMax(ctx, false); }
void CmdZpopmax(CmdContext& ctx) { PopMinMax(ctx, true); }

// Redis blockingGenericZpopCommand: the timeout first, then the keys in order; the first
// non-empty sorted set is popped, and with none the client blocks (or, when it may not,
// gets a null array).
void BlockingZpop(CmdContext& ctx, std::span<const std::string_view> keys, bool max,
                  std::string_view timeout, int64_t count, PopReply shape) {
  auto deadline = ParseBlockTimeout(ctx, timeout);
  if (!deadline) return;
  Db& db = ctx.db();
  for (std::string_view key : keys) {
    auto f = FindZset(db, key, false);
    if (!f) return ctx.SendError(f.error());
    if (*f == nullptr) continue;
    return ZpopGeneric(ctx, std::span<const std::string_view>(&key, 1), max, count, shape, true);
  }
  if (!ctx.CanBlock()) return ctx.rb().SendNullArray();
  ctx.Block(keys, ObjType::kZset, *deadline);
}

// BZPOPMIN/BZPOPMAX key [key ...] timeout
void CmdBzpopmin(CmdContext& ctx) {
  BlockingZpop(ctx, ctx.args().subspan(1, ctx.argc() - 2), false, ctx.arg(ctx.argc() - 1), 1,
               PopReply::kKeyFlat);
}
void CmdBzpopmax(CmdContext& ctx) {
  BlockingZpop(ctx, ctx.args().subspan(1, ctx.argc() - 2), true, ctx.arg(ctx.argc() - 1), 1,
               PopReply::kKeyFlat);
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count], and BZMPOP with the timeout before numkeys.
void ZmpopGeneric(CmdContext& ctx, size_t numkeys_index, bool blocking) {
  auto mpop = ParseMPopArgs(ctx, numkeys_index, "min", "max");
  if (!mpop) return;
  const bool max = mpop->second_where;
  if (blocking) {
    return BlockingZpop(ctx, mpop->keys, max, ctx.arg(1), mpop->count, PopReply::kKeyNested);
  }
  ZpopGeneric(ctx, mpop->keys, max, mpop->count, PopReply::kKeyNested, true);
}

void CmdZmpop(CmdContext& ctx) { ZmpopGeneric(ctx, 1, false); }
void CmdBzmpop(CmdContext& ctx) { ZmpopGeneric(ctx, 2, true); }

// ---- ZRANDMEMBER ----

void ReplyMemberScore(protocol::ReplyBuilder& rb, const ZsetObject::Iterator& it, bool withscores) {
  if (withscores && rb.resp3()) rb.StartArray(2);
  rb.SendBulk(it.member());
  if (withscores) rb.SendDouble(it.score());
}

// Redis zrandmemberWithCountCommand. A negative count may repeat elements and is served by
// independent uniform picks; a count covering the whole set returns it from the highest rank
// down; a
// smaller positive count returns that many distinct elements in no particular order.
void ZrandmemberWithCount(CmdContext& ctx, int64_t l, bool withscores) {
  auto e = FindZset(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  auto& rb = ctx.rb();
  if (*e == nullptr) return rb.StartArray(0);
  const ZsetObject& z = (*e)->value.zset();
  const uint64_t size = z.size();
  const bool uniq = l >= 0;
  const uint64_t count = uniq ? static_cast<uint64_t>(l) : static_cast<uint64_t>(-l);
  if (count == 0) return rb.StartArray(0);
  auto& rng = ctx.server().keyspace().rng();
  const bool flat_pairs = withscores && !rb.resp3();

  if (!uniq || count == 1) {
    rb.StartArray(flat_pairs ? count * 2 : count);
    for (uint64_t i = 0; i < count; ++i) {
      ReplyMemberScore(rb, z.AtRank(static_cast<size_t>(rng() % size)), withscores);
    }
    return;
  }
  const uint64_t n = std::min(count, size);
  rb.StartArray(flat_pairs ? n * 2 : n);
  if (count >= size) {
    // Redis walks the set with its set-operation iterator, which starts at the highest rank.
    for (auto it = z.Last(); !it.done(); it.Prev()) ReplyMemberScore(rb, it, withscores);
    return;
  }
  // Distinct ranks by Floyd's sampling, then shuffled so the order carries no rank.
  std::vector<size_t> ranks;
  ranks.reserve(n);
  std::vector<bool> taken(size, false);
  for (uint64_t j = size - n; j < size; ++j) {
    uint64_t t = rng() % (j + 1);
    if (taken[t]) t = j;
    taken[t] = true;
    ranks.push_back(static_cast<size_t>(t));
  }
  std::shuffle(ranks.begin(), ranks.end(), rng);
  for (size_t r : ranks) ReplyMemberScore(rb, z.AtRank(r), withscores);
}

// ZRANDMEMBER key [count [WITHSCORES]]
void CmdZrandmember(CmdContext& ctx) {
  if (ctx.argc() >= 3) {
    auto l = ParseInt64(ctx.arg(2));
    if (!l) return ctx.SendError(Errc::kNotInteger);
    if (*l == LLONG_MIN) {
      return ctx.SendError(
          "value is out of range, value must between -9223372036854775807 and "
          "9223372036854775807");
    }
    bool withscores = false;
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), "withscores"))) {
      return ctx.SendError(Errc::kSyntax);
    }
    if (ctx.argc() == 4) {
      withscores = true;
      if (*l < -LLONG_MAX / 2 || *l > LLONG_MAX / 2) {
        return ctx.SendError("value is out of range");
      }
    }
    return ZrandmemberWithCount(ctx, *l, withscores);
  }
  auto e = FindZset(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendNull();
  const ZsetObject& z = (*e)->value.zset();
  auto& rng = ctx.server().keyspace().rng();
  ctx.rb().SendBulk(z.AtRank(static_cast<size_t>(rng() % z.size())).member());
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
void CmdZscan(CmdContext& ctx) {
  // Redis parses the cursor, then looks the key up (a missing key answers before the options
  // are read), then checks the type, then parses the options.
  if (!ParseScanCursor(ctx.arg(2))) return ctx.SendError("invalid cursor");
  auto e = FindZset(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ReplyScanPage(ctx, 0, {});
  auto args = ParseScanArgs(ctx, 2, /*allow_type=*/false);
  if (!args) return;
  const ZsetObject& z = (*e)->value.zset();
  std::vector<std::string> items;
  const auto want = static_cast<size_t>(args->count);
  uint64_t cursor = z.Scan(args->cursor, want, [&](std::string_view m, std::string_view s) {
    if (!args->Matches(m)) return;
    items.emplace_back(m);
    items.emplace_back(s);
  });
  ReplyScanPage(ctx, cursor, items);
}

}  // namespace

void RegisterZsetCommands(CommandRegistry& r) {
  r.Add({"zadd", -4, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdZadd, "sorted-set"});
  r.Add({"zincrby", 4, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdZincrby, "sorted-set"});
  r.Add({"zrem", -3, kWrite | kFast, {1, 1, 1}, CmdZrem, "sorted-set"});
  r.Add({"zscore", 3, kReadOnly | kFast, {1, 1, 1}, CmdZscore, "sorted-set"});
  r.Add({"zmscore", -3, kReadOnly | kFast, {1, 1, 1}, CmdZmscore, "sorted-set"});
  r.Add({"zcard", 2, kReadOnly | kFast, {1, 1, 1}, CmdZcard, "sorted-set"});
  r.Add({"zrank", 3, kReadOnly | kFast, {1, 1, 1}, CmdZrank, "sorted-set"});
  r.Add({"zrevrank", 3, kReadOnly | kFast, {1, 1, 1}, CmdZrevrank, "sorted-set"});
  r.Add({"zpopmin", -2, kWrite | kFast, {1, 1, 1}, CmdZpopmin, "sorted-set"});
  r.Add({"zpopmax", -2, kWrite | kFast, {1, 1, 1}, CmdZpopmax, "sorted-set"});
  r.Add({"zmpop", -4, kWrite, {0, 0, 0}, CmdZmpop, "sorted-set"});
  r.Add({"bzpopmin",
         -3,
         kWrite | kNoScript | kBlocking | kFast,
         {1, -2, 1},
         CmdBzpopmin,
         "sorted-set"});
  r.Add({"bzpopmax",
         -3,
         kWrite | kNoScript | kBlocking | kFast,
         {1, -2, 1},
         CmdBzpopmax,
         "sorted-set"});
  r.Add({"bzmpop", -5, kWrite | kBlocking, {0, 0, 0}, CmdBzmpop, "sorted-set"});
  r.Add({"zrandmember", -2, kReadOnly, {1, 1, 1}, CmdZrandmember, "sorted-set"});
  r.Add({"zscan", -3, kReadOnly, {1, 1, 1}, CmdZscan, "sorted-set"});
  RegisterZsetRangeCommands(r);
}

}  // namespace baozi
