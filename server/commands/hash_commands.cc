// Hash commands (t_hash.c as of Redis 7.0.15): HSET and friends, counters, the whole-hash
// readers, HRANDFIELD and HSCAN.
//
// Order of checks follows Redis exactly, because it decides which error a bad call gets:
// arguments that parse without the key (HINCRBY's increment, HRANDFIELD's count and options,
// HSCAN's cursor) are checked before the key is looked up, so "not an integer" wins over
// WRONGTYPE; HSCAN's other options are parsed only after the lookup, so a missing key answers an
// empty page even with junk options. A hash that loses its last field is deleted, and a failed
// HINCRBY/HINCRBYFLOAT never leaves an empty hash behind (CVE-2023-28856): the key is created
// only once the new value is known.
//
// Keyspace events follow t_hash.c: "hset" for HSET/HMSET whenever they run (even if no value
// changed) and for HSETNX when it sets, "hdel" and then "del" when the hash emptied,
// "hincrby"/"hincrbyfloat" on success; each with the WATCH signal before it.
//
// Replies are written from the stored bytes: HGET on a listpack sends the value straight out of
// the listpack, integers are printed into a stack buffer, and nothing is copied into a
// temporary string.
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "storage/hash.h"
#include "storage/keyspace_events.h"
#include "storage/numbers.h"

namespace baozi {
namespace {

// HRANDFIELD with a positive count copies the hash and drops random fields when the count is
// above a third of the hash (Redis HRANDFIELD_SUB_STRATEGY_MUL).
constexpr uint64_t kSubStrategyMul = 3;
// HRANDFIELD with a huge negative count would write without bound (Redis runs until memory runs
// out). Past this much pending output the client is closed instead.
constexpr size_t kRandomReplyCapBytes = size_t{1} << 30;

const EncodingLimits& Limits(CmdContext& ctx) { return ctx.server().keyspace().limits; }

void AddDirty(CmdContext& ctx, uint64_t n) { ctx.server().keyspace().stats().dirty += n; }

// The hash at an entry: nullptr when the key is missing, kWrongType when it holds another type.
Result<HashObject*> AsHash(DbEntry* e) {
  if (e == nullptr) return static_cast<HashObject*>(nullptr);
  if (e->value.type() != ObjType::kHash) return Fail(Errc::kWrongType);
  return &e->value.hash();
}

void SendRef(protocol::ReplyBuilder& rb, const HashRef& r) {
  char buf[kIntBufSize];
  rb.SendBulk(r.View(buf));
}

// The hash to write `key` into, created (empty) when missing; nullptr after a WRONGTYPE reply.
// `created` tells the caller the dirty/modified bookkeeping Db::Add already did.
HashObject* HashForWrite(CmdContext& ctx, std::string_view key, DbEntry*& e, bool& created) {
  Db& db = ctx.db();
  e = db.FindWrite(key);
  auto h = AsHash(e);
  if (!h) {
    ctx.SendError(h.error());
    return nullptr;
  }
  created = *h == nullptr;
  if (!created) return *h;
  e = &db.Add(key, Value::Wrap(new HashObject()));
  return &e->value.hash();
}

// The hash at `key` for reading; nullopt after a WRONGTYPE reply, nullptr when missing.
std::optional<HashObject*> HashForRead(CmdContext& ctx, std::string_view key) {
  auto h = AsHash(ctx.db().FindRead(key));
  if (!h) {
    ctx.SendError(h.error());
    return std::nullopt;
  }
  return *h;
}

// HSET key field value [field value ...] / HMSET (same, replying OK).
void HsetGeneric(CmdContext& ctx, bool hmset) {
  if (ctx.argc() % 2 == 1) return ctx.SendArityError();
  DbEntry* e;
  bool created;
  HashObject* h = HashForWrite(ctx, ctx.arg(1), e, created);
  if (h == nullptr) return;
  const EncodingLimits& limits = Limits(ctx);
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); i += 2) added += h->Set(ctx.arg(i), ctx.arg(i + 1), limits);
  if (!created) ctx.db().MarkModified(*e);
  AddDirty(ctx, (ctx.argc() - 2) / 2 - 1);
  if (hmset) {
    ctx.rb().SendOk();
  } else {
    ctx.rb().SendLong(added);
  }
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kHash, "hset", ctx.arg(1));
}

void CmdHset(CmdContext& ctx) { HsetGeneric(ctx, false); }
void CmdHmset(CmdContext& ctx) { HsetGeneric(ctx, true); }

// HSETNX key field value
void CmdHsetnx(CmdContext& ctx) {
  Db& db = ctx.db();
  DbEntry* e = db.FindWrite(ctx.arg(1));
  auto h = AsHash(e);
  if (!h) return ctx.SendError(h.error());
  if (*h != nullptr && (*h)->Contains(ctx.arg(2))) return ctx.rb().SendLong(0);
  HashObject* hash = *h;
  if (hash == nullptr) {
    e = &db.Add(ctx.arg(1), Value::Wrap(new HashObject()));
    hash = &e->value.hash();
  } else {
    db.MarkModified(*e);
  }
  hash->Set(ctx.arg(2), ctx.arg(3), Limits(ctx));
  ctx.rb().SendLong(1);
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kHash, "hset", ctx.arg(1));
}

// HGET key field
void CmdHget(CmdContext& ctx) {
  auto h = HashForRead(ctx, ctx.arg(1));
  if (!h) return;
  char buf[kIntBufSize];
  std::optional<std::string_view> v;
  if (*h != nullptr) v = (*h)->Get(ctx.arg(2), buf);
  if (!v) return ctx.rb().SendNull();
  ctx.rb().SendBulk(*v);
}

// HMGET key field [field ...]
void CmdHmget(CmdContext& ctx) {
  auto h = HashForRead(ctx, ctx.arg(1));
  if (!h) return;
  auto& rb = ctx.rb();
  rb.StartArray(ctx.argc() - 2);
  char buf[kIntBufSize];
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::optional<std::string_view> v;
    if (*h != nullptr) v = (*h)->Get(ctx.arg(i), buf);
    if (v) {
      rb.SendBulk(*v);
    } else {
      rb.SendNull();
    }
  }
}

// HDEL key field [field ...]
void CmdHdel(CmdContext& ctx) {
  Db& db = ctx.db();
  DbEntry* e = db.FindWrite(ctx.arg(1));
  auto h = AsHash(e);
  if (!h) return ctx.SendError(h.error());
  if (*h == nullptr) return ctx.rb().SendLong(0);
  int64_t deleted = 0;
  bool removed = false;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (!(*h)->Delete(ctx.arg(i))) continue;
    ++deleted;
    if ((*h)->empty()) {
      db.Delete(ctx.arg(1));
      removed = true;
      break;
    }
  }
  if (deleted > 0) {
    if (!removed) db.MarkModified(*e);
    AddDirty(ctx, deleted - 1);
    ctx.SignalModifiedKey(ctx.arg(1));
    ctx.Notify(notify::kHash, "hdel", ctx.arg(1));
    if (removed) ctx.Notify(notify::kGeneric, "del", ctx.arg(1));
  }
  ctx.rb().SendLong(deleted);
}

// HLEN key
void CmdHlen(CmdContext& ctx) {
  auto h = HashForRead(ctx, ctx.arg(1));
  if (!h) return;
  ctx.rb().SendLong(*h == nullptr ? 0 : static_cast<int64_t>((*h)->size()));
}

// HSTRLEN key field
void CmdHstrlen(CmdContext& ctx) {
  auto h = HashForRead(ctx, ctx.arg(1));
  if (!h) return;
  char buf[kIntBufSize];
  std::optional<std::string_view> v;
  if (*h != nullptr) v = (*h)->Get(ctx.arg(2), buf);
  ctx.rb().SendLong(v ? static_cast<int64_t>(v->size()) : 0);
}

// HEXISTS key field
void CmdHexists(CmdContext& ctx) {
  auto h = HashForRead(ctx, ctx.arg(1));
  if (!h) return;
  ctx.rb().SendLong(*h != nullptr && (*h)->Contains(ctx.arg(2)) ? 1 : 0);
}

enum HashParts : unsigned { kFields = 1, kValues = 2 };

// HGETALL (a map in RESP3), HKEYS, HVALS.
void GetAllGeneric(CmdContext& ctx, unsigned parts) {
  auto h = HashForRead(ctx, ctx.arg(1));
  if (!h) return;
  auto& rb = ctx.rb();
  const size_t n = *h == nullptr ? 0 : (*h)->size();
  if (parts == (kFields | kValues)) {
    rb.StartMap(n);
  } else {
    rb.StartArray(n);
  }
  if (n == 0) return;
  (*h)->ForEachRef([&](const HashEntryRef& r) {
    if (parts & kFields) SendRef(rb, r.field);
    if (parts & kValues) SendRef(rb, r.value);
  });
}

void CmdHgetall(CmdContext& ctx) { GetAllGeneric(ctx, kFields | kValues); }
void CmdHkeys(CmdContext& ctx) { GetAllGeneric(ctx, kFields); }
void CmdHvals(CmdContext& ctx) { GetAllGeneric(ctx, kValues); }

// Stores the new value of a counter, creating the hash only now that the value is known.
void StoreCounter(CmdContext& ctx, DbEntry* e, HashObject* h, std::string_view value) {
  Db& db = ctx.db();
  if (h == nullptr) {
    e = &db.Add(ctx.arg(1), Value::Wrap(new HashObject()));
    h = &e->value.hash();
  } else {
    db.MarkModified(*e);
  }
  h->Set(ctx.arg(2), value, Limits(ctx));
}

// HINCRBY key field increment
void CmdHincrby(CmdContext& ctx) {
  auto incr = ArgInt(ctx, ctx.arg(3));
  if (!incr) return;
  DbEntry* e = ctx.db().FindWrite(ctx.arg(1));
  auto h = AsHash(e);
  if (!h) return ctx.SendError(h.error());
  int64_t value = 0;
  char buf[kIntBufSize];
  if (*h != nullptr) {
    if (auto old = (*h)->Get(ctx.arg(2), buf)) {
      auto n = ParseInt64(*old);
      if (!n) return ctx.SendError("hash value is not an integer");
      value = *n;
    }
  }
  if ((*incr < 0 && value < 0 && *incr < std::numeric_limits<int64_t>::min() - value) ||
      (*incr > 0 && value > 0 && *incr > std::numeric_limits<int64_t>::max() - value)) {
    return ctx.SendError(Errc::kOverflow);
  }
  value += *incr;
  StoreCounter(ctx, e, *h, {buf, FormatInt64(value, buf)});
  ctx.rb().SendLong(value);
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kHash, "hincrby", ctx.arg(1));
}

// HINCRBYFLOAT key field increment
void CmdHincrbyfloat(CmdContext& ctx) {
  auto incr = ParseLongDouble(ctx.arg(3));
  if (!incr) return ctx.SendError(Errc::kNotFloat);
  if (std::isnan(*incr) || std::isinf(*incr)) return ctx.SendError("value is NaN or Infinity");
  DbEntry* e = ctx.db().FindWrite(ctx.arg(1));
  auto h = AsHash(e);
  if (!h) return ctx.SendError(h.error());
  long double value = 0;
  if (*h != nullptr) {
    char buf[kIntBufSize];
    if (auto old = (*h)->Get(ctx.arg(2), buf)) {
      auto n = ParseLongDouble(*old);
      if (!n) return ctx.SendError("hash value is not a float");
      value = *n;
    }
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) return ctx.SendError(Errc::kNanOrInfinity);
  const std::string out = LongDoubleToString(value);
  StoreCounter(ctx, e, *h, out);
  ctx.rb().SendBulk(out);
  ctx.SignalModifiedKey(ctx.arg(1));
  ctx.Notify(notify::kHash, "hincrbyfloat", ctx.arg(1));
  // The exact result, so float rounding cannot differ on replay.
  ctx.PropagateAs({"HSET", ctx.arg(1), ctx.arg(2), out});
}

// HRANDFIELD key count [WITHVALUES]: Redis's four cases.
void HrandfieldWithCount(CmdContext& ctx, int64_t l, bool withvalues) {
  auto found = HashForRead(ctx, ctx.arg(1));
  if (!found) return;
  auto& rb = ctx.rb();
  HashObject* h = *found;
  if (h == nullptr) return rb.StartArray(0);
  const uint64_t size = h->size();
  const bool distinct = l >= 0;
  // |l| <= LLONG_MAX here (LLONG_MIN was refused), and <= LLONG_MAX / 2 with WITHVALUES.
  const uint64_t count = distinct ? static_cast<uint64_t>(l) : static_cast<uint64_t>(-l);
  if (count == 0) return rb.StartArray(0);
  const bool nested = withvalues && rb.resp3();
  const bool flat_pairs = withvalues && !rb.resp3();
  auto send = [&](const HashEntryRef& r) {
    if (nested) rb.StartArray(2);
    SendRef(rb, r.field);
    if (withvalues) SendRef(rb, r.value);
  };
  auto& rng = ctx.server().keyspace().rng();

  // CASE 1: a negative count (or 1): independent picks, repeats allowed.
  if (!distinct || count == 1) {
    rb.StartArray(flat_pairs ? count * 2 : count);
    const std::string* out = rb.buffer();
    std::vector<HashEntryRef> all;
    if (h->is_listpack()) h->CollectRefs(all);  // one walk instead of one per pick
    for (uint64_t i = 0; i < count; ++i) {
      send(all.empty() ? h->RandomEntry(rng) : all[rng() % all.size()]);
      if (out->size() > kRandomReplyCapBytes) {
        ctx.client().Set(kClientCloseAsap);
        break;
      }
    }
    return;
  }

  const uint64_t reply_size = count < size ? count : size;
  rb.StartArray(flat_pairs ? reply_size * 2 : reply_size);
  // CASE 2: the whole hash, in its own order.
  if (count >= size) {
    h->ForEachRef(send);
    return;
  }
  // CASE 3: most of the hash: a uniform subset of `count` from a shuffled copy of the entries
  // (what Redis's "copy, then delete random entries" gives, in an order as random as its dict's).
  std::vector<HashEntryRef> all;
  if (count * kSubStrategyMul > size) {
    h->CollectRefs(all);
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t j = i + rng() % (size - i);
      std::swap(all[i], all[j]);
      send(all[i]);
    }
    return;
  }
  // CASE 4: few of many. A listpack answers a uniform subset in listpack order (selection
  // sampling, as Redis's lpRandomPairsUnique walks in order); a hashtable draws random entries
  // until enough distinct fields came up.
  if (h->is_listpack()) {
    h->CollectRefs(all);
    uint64_t need = count;
    for (uint64_t i = 0; i < size && need > 0; ++i) {
      if (rng() % (size - i) < need) {
        send(all[i]);
        --need;
      }
    }
    return;
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(count);
  while (seen.size() < count) {
    const HashEntryRef r = h->RandomEntry(rng);
    if (seen.emplace(r.field.str, r.field.len).second) send(r);
  }
}

// HRANDFIELD key [count [WITHVALUES]]
void CmdHrandfield(CmdContext& ctx) {
  if (ctx.argc() >= 3) {
    auto l = ArgInt(ctx, ctx.arg(2));
    if (!l) return;
    if (*l == std::numeric_limits<int64_t>::min()) {
      return ctx.SendError(
          "value is out of range, value must between -9223372036854775807 and "
          "9223372036854775807");
    }
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), "withvalues"))) {
      return ctx.SendError(Errc::kSyntax);
    }
    const bool withvalues = ctx.argc() == 4;
    // Redis refuses counts whose doubled reply length would overflow (CVE-2023-25155).
    constexpr int64_t kHalf = std::numeric_limits<int64_t>::max() / 2;
    if (withvalues && (*l < -kHalf || *l > kHalf)) return ctx.SendError("value is out of range");
    return HrandfieldWithCount(ctx, *l, withvalues);
  }
  auto h = HashForRead(ctx, ctx.arg(1));
  if (!h) return;
  if (*h == nullptr) return ctx.rb().SendNull();
  SendRef(ctx.rb(), (*h)->RandomEntry(ctx.server().keyspace().rng()).field);
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
void CmdHscan(CmdContext& ctx) {
  auto& rb = ctx.rb();
  if (!ParseScanCursor(ctx.arg(2))) return ctx.SendError("invalid cursor");
  auto h = HashForRead(ctx, ctx.arg(1));
  if (!h) return;
  if (*h == nullptr) {
    rb.StartArray(2);
    rb.SendBulk("0");
    return rb.StartArray(0);
  }
  auto args = ParseScanArgs(ctx, 2, false);
  if (!args) return;
  std::vector<HashEntryRef> page;
  char buf[kIntBufSize];
  const uint64_t next =
      (*h)->Scan(args->cursor, static_cast<size_t>(args->count), [&](const HashEntryRef& r) {
        if (args->Matches(r.field.View(buf))) page.push_back(r);
      });
  rb.StartArray(2);
  rb.SendBulk({buf, FormatUint64(next, buf)});
  rb.StartArray(page.size() * 2);
  for (const HashEntryRef& r : page) {
    SendRef(rb, r.field);
    SendRef(rb, r.value);
  }
}

}  // namespace

void RegisterHashCommands(CommandRegistry& r) {
  r.Add({"hset", -4, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdHset, "hash"});
  r.Add({"hmset", -4, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdHmset, "hash"});
  r.Add({"hsetnx", 4, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdHsetnx, "hash"});
  r.Add({"hget", 3, kReadOnly | kFast, {1, 1, 1}, CmdHget, "hash"});
  r.Add({"hmget", -3, kReadOnly | kFast, {1, 1, 1}, CmdHmget, "hash"});
  r.Add({"hdel", -3, kWrite | kFast, {1, 1, 1}, CmdHdel, "hash"});
  r.Add({"hlen", 2, kReadOnly | kFast, {1, 1, 1}, CmdHlen, "hash"});
  r.Add({"hstrlen", 3, kReadOnly | kFast, {1, 1, 1}, CmdHstrlen, "hash"});
  r.Add({"hexists", 3, kReadOnly | kFast, {1, 1, 1}, CmdHexists, "hash"});
  r.Add({"hgetall", 2, kReadOnly, {1, 1, 1}, CmdHgetall, "hash"});
  r.Add({"hkeys", 2, kReadOnly, {1, 1, 1}, CmdHkeys, "hash"});
  r.Add({"hvals", 2, kReadOnly, {1, 1, 1}, CmdHvals, "hash"});
  r.Add({"hincrby", 4, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdHincrby, "hash"});
  r.Add({"hincrbyfloat", 4, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdHincrbyfloat, "hash"});
  r.Add({"hrandfield", -2, kReadOnly, {1, 1, 1}, CmdHrandfield, "hash"});
  r.Add({"hscan", -3, kReadOnly, {1, 1, 1}, CmdHscan, "hash"});
}

}  // namespace baozi
