// Sorted-set range commands (t_zset.c): ZRANGE with its BYSCORE/BYLEX/REV/LIMIT options and
// the older forms it subsumes (ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX,
// ZREVRANGEBYLEX), ZRANGESTORE, ZCOUNT, ZLEXCOUNT and ZREMRANGEBYRANK/SCORE/LEX.
//
// Like Redis's zrangeGenericCommand, every ZRANGE variant is one parse (options, then the
// range, then the key) followed by one of three walks (by rank, score or lex), and the walk
// feeds a sink that either replies to the client or fills the ZRANGESTORE destination.
//
// ZRANGESTORE publishes "zrangestore", or "del" when an empty result deleted the destination;
// ZREMRANGEBY* publish their own name, then "del" if the set emptied; a no-op publishes nothing.
#include <climits>

#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/commands/zset_common.h"
#include "storage/numbers.h"
#include "storage/zset.h"

namespace baozi {
namespace {

enum class RangeType : uint8_t { kAuto, kRank, kScore, kLex };
enum class Direction : uint8_t { kAuto, kForward, kReverse };

// Where a range goes: the client (an array, nested [member, score] pairs in RESP3 WITHSCORES,
// flat in RESP2) or a new sorted set stored under `dst_key` (Redis's zrange_result_handler).
class RangeSink {
 public:
  RangeSink(CmdContext& ctx, std::optional<std::string_view> dst_key, bool withscores)
      : ctx_(ctx), dst_key_(dst_key), withscores_(withscores) {}
  RangeSink(const RangeSink&) = delete;
  RangeSink& operator=(const RangeSink&) = delete;
  ~RangeSink() { delete dst_; }

  // `length` is the exact result size when known, -1 otherwise.
  void Begin(int64_t length) {
    if (dst_key_) {
      dst_ = new ZsetObject(length >= 0 ? static_cast<size_t>(length) : 0, 0, limits());
      return;
    }
    auto& rb = ctx_.rb();
    if (length > 0) {
      rb.StartArray(Scaled(static_cast<size_t>(length)));
    } else {
      deferred_ = true;
      handle_ = rb.DeferArrayLen();
    }
  }

  void Emit(std::string_view member, double score) {
    ++count_;
    if (dst_key_) {
      dst_->Add(member, score, ZsetObject::kAddNone, limits());
      return;
    }
    auto& rb = ctx_.rb();
    if (withscores_ && rb.resp3()) rb.StartArray(2);
    rb.SendBulk(member);
    if (withscores_) rb.SendDouble(score);
  }

  void Finish() {
    if (!dst_key_) {
      if (deferred_) ctx_.rb().SetDeferredLen(handle_, Scaled(count_));
      return;
    }
    Db& db = ctx_.db();
    bool deleted = false;
    if (count_ != 0) {
      StoreZset(db, *dst_key_, dst_);
      dst_ = nullptr;
    } else {
      deleted = db.Remove(*dst_key_);
    }
    ctx_.rb().SendLong(static_cast<int64_t>(count_));
    NotifyZsetStore(ctx_, *dst_key_, "zrangestore", count_ != 0, deleted);
  }

 private:
  const EncodingLimits& limits() const { return ctx_.server().keyspace().limits; }
  size_t Scaled(size_t n) const { return withscores_ && !ctx_.rb().resp3() ? 2 * n : n; }

  CmdContext& ctx_;
  std::optional<std::string_view> dst_key_;
  bool withscores_;
  ZsetObject* dst_ = nullptr;
  size_t count_ = 0;
  bool deferred_ = false;
  protocol::ReplyBuilder::DeferHandle handle_ = 0;
};

void RangeByRank(RangeSink& sink, const ZsetObject& z, int64_t start, int64_t end, bool reverse) {
  const auto llen = static_cast<int64_t>(z.size());
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) {
    sink.Begin(0);
    return sink.Finish();
  }
  if (end >= llen) end = llen - 1;
  const int64_t n = end - start + 1;
  sink.Begin(n);
  auto it = z.AtRank(static_cast<size_t>(reverse ? llen - 1 - start : start));
  for (int64_t i = 0; i < n; ++i) {
    sink.Emit(it.member(), it.score());
    if (reverse) {
      it.Prev();
    } else {
      it.Next();
    }
  }
  sink.Finish();
}

// The walk both score and lex ranges share: from the first element inside the range in the
// walking direction, skip `offset`, then emit up to `limit` (negative: all) while inside.
// A negative offset walks off the end, as it does in Redis.
template <class Range, class Value>
void RangeByBound(RangeSink& sink, const ZsetObject& z, const Range& range, int64_t offset,
                  int64_t limit, bool reverse, Value value) {
  if (offset > 0 && static_cast<uint64_t>(offset) >= z.size()) {
    sink.Begin(0);
    return sink.Finish();
  }
  sink.Begin(-1);
  auto it = reverse ? z.LastIn(range) : z.FirstIn(range);
  auto step = [&] {
    if (reverse) {
      it.Prev();
    } else {
      it.Next();
    }
  };
  for (; !it.done() && offset != 0; --offset) step();
  for (; !it.done() && limit != 0; --limit) {
    if (reverse ? !range.GteMin(value(it)) : !range.LteMax(value(it))) break;
    sink.Emit(it.member(), it.score());
    step();
  }
  sink.Finish();
}

// Redis zrangeGenericCommand. `key_index` is the source key (2 for ZRANGESTORE, else 1).
void ZrangeGeneric(CmdContext& ctx, size_t key_index, bool store, RangeType type,
                   Direction direction) {
  size_t minidx = key_index + 1;
  size_t maxidx = key_index + 2;
  bool withscores = false;
  int64_t offset = 0;
  int64_t limit = -1;
  for (size_t j = key_index + 3; j < ctx.argc(); ++j) {
    const size_t left = ctx.argc() - j - 1;
    std::string_view opt = ctx.arg(j);
    if (!store && EqualsIgnoreCase(opt, "withscores")) {
      withscores = true;
    } else if (EqualsIgnoreCase(opt, "limit") && left >= 2) {
      auto o = ArgInt(ctx, ctx.arg(j + 1));
      if (!o) return;
      auto l = ArgInt(ctx, ctx.arg(j + 2));
      if (!l) return;
      offset = *o;
      limit = *l;
      j += 2;
    } else if (direction == Direction::kAuto && EqualsIgnoreCase(opt, "rev")) {
      direction = Direction::kReverse;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(opt, "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(opt, "byscore")) {
      type = RangeType::kScore;
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }
  if (direction == Direction::kAuto) direction = Direction::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  if (limit != -1 && type == RangeType::kRank) {
    return ctx.SendError(
        "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (withscores && type == RangeType::kLex) {
    return ctx.SendError("syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  const bool reverse = direction == Direction::kReverse;
  // Score and lex ranges are given as max, min when reversed.
  if (reverse && type != RangeType::kRank) std::swap(minidx, maxidx);

  int64_t start = 0;
  int64_t end = 0;
  ZScoreRange score_range;
  ZLexRange lex_range;
  switch (type) {
    case RangeType::kAuto:
    case RangeType::kRank: {
      auto s = ArgInt(ctx, ctx.arg(minidx));
      if (!s) return;
      auto e = ArgInt(ctx, ctx.arg(maxidx));
      if (!e) return;
      start = *s;
      end = *e;
      break;
    }
    case RangeType::kScore:
      if (!ParseScoreRange(ctx.arg(minidx), ctx.arg(maxidx), &score_range)) {
        return ctx.SendError("min or max is not a float");
      }
      break;
    case RangeType::kLex:
      if (!ParseLexRange(ctx.arg(minidx), ctx.arg(maxidx), &lex_range)) {
        return ctx.SendError("min or max not valid string range item");
      }
      break;
  }

  std::optional<std::string_view> dst;
  if (store) dst = ctx.arg(1);
  RangeSink sink(ctx, dst, withscores);
  auto e = FindZset(ctx.db(), ctx.arg(key_index), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) {
    if (store) {
      sink.Begin(-1);
      return sink.Finish();
    }
    return ctx.rb().StartArray(0);
  }
  const ZsetObject& z = (*e)->value.zset();
  switch (type) {
    case RangeType::kAuto:
    case RangeType::kRank:
      return RangeByRank(sink, z, start, end, reverse);
    case RangeType::kScore:
      return RangeByBound(sink, z, score_range, offset, limit, reverse,
                          [](const ZsetObject::Iterator& it) { return it.score(); });
    case RangeType::kLex:
      return RangeByBound(sink, z, lex_range, offset, limit, reverse,
                          [](const ZsetObject::Iterator& it) { return it.member(); });
  }
}

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
void CmdZrange(CmdContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kAuto, Direction::kAuto);
}
// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
void CmdZrangestore(CmdContext& ctx) {
  ZrangeGeneric(ctx, 2, true, RangeType::kAuto, Direction::kAuto);
}
// ZREVRANGE key start stop [WITHSCORES]
void CmdZrevrange(CmdContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kRank, Direction::kReverse);
}
// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
void CmdZrangebyscore(CmdContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kForward);
}
// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
void CmdZrevrangebyscore(CmdContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kReverse);
}
// ZRANGEBYLEX key min max [LIMIT offset count]
void CmdZrangebylex(CmdContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kForward);
}
// ZREVRANGEBYLEX key max min [LIMIT offset count]
void CmdZrevrangebylex(CmdContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kReverse);
}

// ZCOUNT key min max
void CmdZcount(CmdContext& ctx) {
  ZScoreRange range;
  if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &range)) {
    return ctx.SendError("min or max is not a float");
  }
  auto e = FindZset(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendLong(0);
  ctx.rb().SendLong(static_cast<int64_t>((*e)->value.zset().Count(range)));
}

// ZLEXCOUNT key min max
void CmdZlexcount(CmdContext& ctx) {
  ZLexRange range;
  if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &range)) {
    return ctx.SendError("min or max not valid string range item");
  }
  auto e = FindZset(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendLong(0);
  ctx.rb().SendLong(static_cast<int64_t>((*e)->value.zset().Count(range)));
}

// ZREMRANGEBYRANK/SCORE/LEX key min max (Redis zremrangeGenericCommand): the range is parsed
// before the key is looked up.
void ZremrangeGeneric(CmdContext& ctx, RangeType type) {
  int64_t start = 0;
  int64_t end = 0;
  ZScoreRange score_range;
  ZLexRange lex_range;
  if (type == RangeType::kRank) {
    auto s = ArgInt(ctx, ctx.arg(2));
    if (!s) return;
    auto e = ArgInt(ctx, ctx.arg(3));
    if (!e) return;
    start = *s;
    end = *e;
  } else if (type == RangeType::kScore) {
    if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &score_range)) {
      return ctx.SendError("min or max is not a float");
    }
  } else if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &lex_range)) {
    return ctx.SendError("min or max not valid string range item");
  }
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  auto e = FindZset(db, key, false);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().SendLong(0);
  ZsetObject& z = (*e)->value.zset();
  size_t deleted = 0;
  if (type == RangeType::kRank) {
    const auto llen = static_cast<int64_t>(z.size());
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) return ctx.rb().SendLong(0);
    if (end >= llen) end = llen - 1;
    deleted = z.RemoveRankRange(static_cast<size_t>(start), static_cast<size_t>(end));
  } else if (type == RangeType::kScore) {
    deleted = z.RemoveRange(score_range);
  } else {
    deleted = z.RemoveRange(lex_range);
  }
  if (deleted > 0) {
    const bool key_removed = AfterZsetRemoval(db, **e, key);
    ctx.SignalModifiedKey(key);
    ctx.Notify(notify::kZset,
               type == RangeType::kRank    ? "zremrangebyrank"
               : type == RangeType::kScore ? "zremrangebyscore"
                                           : "zremrangebylex",
               key);
    if (key_removed) ctx.Notify(notify::kGeneric, "del", key);
  }
  ctx.rb().SendLong(static_cast<int64_t>(deleted));
}

void CmdZremrangebyrank(CmdContext& ctx) { ZremrangeGeneric(ctx, RangeType::kRank); }
void CmdZremrangebyscore(CmdContext& ctx) { ZremrangeGeneric(ctx, RangeType::kScore); }
void CmdZremrangebylex(CmdContext& ctx) { ZremrangeGeneric(ctx, RangeType::kLex); }

}  // namespace

void RegisterZsetRangeCommands(CommandRegistry& r) {
  r.Add({"zrange", -4, kReadOnly, {1, 1, 1}, CmdZrange, "sorted-set"});
  r.Add({"zrangestore", -5, kWrite | kDenyOom, {1, 2, 1}, CmdZrangestore, "sorted-set"});
  r.Add({"zrevrange", -4, kReadOnly, {1, 1, 1}, CmdZrevrange, "sorted-set"});
  r.Add({"zrangebyscore", -4, kReadOnly, {1, 1, 1}, CmdZrangebyscore, "sorted-set"});
  r.Add({"zrevrangebyscore", -4, kReadOnly, {1, 1, 1}, CmdZrevrangebyscore, "sorted-set"});
  r.Add({"zrangebylex", -4, kReadOnly, {1, 1, 1}, CmdZrangebylex, "sorted-set"});
  r.Add({"zrevrangebylex", -4, kReadOnly, {1, 1, 1}, CmdZrevrangebylex, "sorted-set"});
  r.Add({"zcount", 4, kReadOnly | kFast, {1, 1, 1}, CmdZcount, "sorted-set"});
  r.Add({"zlexcount", 4, kReadOnly | kFast, {1, 1, 1}, CmdZlexcount, "sorted-set"});
  r.Add({"zremrangebyrank", 4, kWrite, {1, 1, 1}, CmdZremrangebyrank, "sorted-set"});
  r.Add({"zremrangebyscore", 4, kWrite, {1, 1, 1}, CmdZremrangebyscore, "sorted-set"});
  r.Add({"zremrangebylex", 4, kWrite, {1, 1, 1}, CmdZremrangebylex, "sorted-set"});
}

}  // namespace baozi
