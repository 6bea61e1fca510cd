// ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD: Redis's zunionInterDiffGeneric.
//
// Inputs may be sorted sets or plain sets (whose members score 1). The order of the steps is
// observable and kept: numkeys, then every key's type (WRONGTYPE before any option error),
// then the options (WEIGHTS and AGGREGATE may repeat, the last wins). Union and intersection
// then sort the inputs by cardinality — smallest first, ties in argument order, as glibc's
// stable qsort leaves them — because that order decides which set an intersection walks and
// in which order a SUM adds, and floating-point addition is not associative. A weighted
// score that comes out NaN (0 * inf) counts as 0, and so does a SUM of +inf and -inf.
//
// The result is gathered as (member, score) pairs and sorted by (score, member) once; a reply
// streams them, a STORE builds the destination in skiplist form and lets it fall back to a
// listpack when small enough, as zsetConvertToListpackIfNeeded does. A STORE publishes
// "zunionstore"/"zinterstore"/"zdiffstore", or "del" when an empty result deleted the
// destination (nothing when there was none).
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/commands/zset_common.h"
#include "storage/dict.h"
#include "storage/set.h"
#include "storage/zset.h"

namespace baozi {
namespace {

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

struct Source {
  const Value* value = nullptr;  // nullptr: a missing key (an empty input)
  double weight = 1.0;

  size_t size() const {
    if (value == nullptr) return 0;
    return value->type() == ObjType::kZset ? value->zset().size() : value->set().size();
  }
  // fn(member, score) for every element.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    if (value == nullptr) return;
    if (value->type() == ObjType::kZset) {
      value->zset().ForEach(fn);
    } else {
      value->set().ForEach([&](std::string_view m) { fn(m, 1.0); });
    }
  }
  std::optional<double> Find(std::string_view member) const {
    if (value == nullptr) return std::nullopt;
    if (value->type() == ObjType::kZset) return value->zset().Score(member);
    if (value->set().Contains(member)) return 1.0;
    return std::nullopt;
  }
};

void Combine(double* target, double v, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      *target += v;
      if (std::isnan(*target)) *target = 0.0;  // +inf + -inf
      break;
    case Aggregate::kMin:
      *target = v < *target ? v : *target;
      break;
    case Aggregate::kMax:
      *target = v > *target ? v : *target;
      break;
  }
}

double Weighted(double score, double weight) {
  double s = score * weight;
  return std::isnan(s) ? 0.0 : s;
}

struct Element {
  std::string member;
  double score;
};

// `numkeys_index` is where numkeys sits; `dst` is the STORE destination, if any.
void ZSetOperation(CmdContext& ctx, SetOp op, size_t numkeys_index,
                   std::optional<std::string_view> dst, bool cardinality_only) {
  auto setnum = ArgInt(ctx, ctx.arg(numkeys_index));
  if (!setnum) return;
  if (*setnum < 1) {
    return ctx.SendError("at least 1 input key is needed for '" + ctx.cmd().full_name() +
                         "' command");
  }
  if (*setnum > static_cast<int64_t>(ctx.argc() - numkeys_index - 1)) {
    return ctx.SendError(Errc::kSyntax);
  }
  Db& db = ctx.db();
  std::vector<Source> src(static_cast<size_t>(*setnum));
  size_t j = numkeys_index + 1;
  for (Source& s : src) {
    DbEntry* e = db.FindRead(ctx.arg(j++));
    if (e == nullptr) continue;
    if (e->value.type() != ObjType::kZset && e->value.type() != ObjType::kSet) {
      return ctx.SendError(Errc::kWrongType);
    }
    s.value = &e->value;
  }

  Aggregate agg = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;
  while (j < ctx.argc()) {
    size_t remaining = ctx.argc() - j;
    std::string_view opt = ctx.arg(j);
    bool weighted = op != SetOp::kDiff && !cardinality_only;
    if (weighted && remaining >= src.size() + 1 && EqualsIgnoreCase(opt, "weights")) {
      ++j;
      for (Source& s : src) {
        auto w = ParseDouble(ctx.arg(j++));
        if (!w) return ctx.SendError("weight value is not a float");
        s.weight = *w;
      }
    } else if (weighted && remaining >= 2 && EqualsIgnoreCase(opt, "aggregate")) {
      std::string_view a = ctx.arg(j + 1);
      if (EqualsIgnoreCase(a, "sum")) {
        agg = Aggregate::kSum;
      } else if (EqualsIgnoreCase(a, "min")) {
        agg = Aggregate::kMin;
      } else if (EqualsIgnoreCase(a, "max")) {
        agg = Aggregate::kMax;
      } else {
        return ctx.SendError(Errc::kSyntax);
      }
      j += 2;
    } else if (!dst && !cardinality_only && EqualsIgnoreCase(opt, "withscores")) {
      withscores = true;
      ++j;
    } else if (cardinality_only && remaining >= 2 && EqualsIgnoreCase(opt, "limit")) {
      auto l = ParseInt64(ctx.arg(j + 1));
      if (!l || *l < 0) return ctx.SendError("LIMIT can't be negative");
      limit = *l;
      j += 2;
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }
  if (op != SetOp::kDiff) {
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.size() < b.size(); });
  }

  std::vector<Element> out;
  size_t cardinality = 0;
  if (op == SetOp::kInter) {
    if (src[0].size() > 0) {
      bool stop = false;
      src[0].ForEach([&](std::string_view member, double score0) {
        if (stop) return;
        double score = Weighted(score0, src[0].weight);
        for (size_t i = 1; i < src.size(); ++i) {
          auto v = src[i].Find(member);
          if (!v) return;
          Combine(&score, *v * src[i].weight, agg);
        }
        if (cardinality_only) {
          ++cardinality;
          if (limit != 0 && cardinality >= static_cast<size_t>(limit)) stop = true;
        } else {
          out.push_back({std::string(member), score});
        }
      });
    }
  } else if (op == SetOp::kUnion) {
    Dict<double> acc;
    acc.Reserve(src.back().size());
    for (const Source& s : src) {
      s.ForEach([&](std::string_view member, double score) {
        double v = Weighted(score, s.weight);
        auto [slot, inserted] = acc.TryEmplace(member, v);
        if (!inserted) Combine(slot, v, agg);
      });
    }
    out.reserve(acc.size());
    acc.ForEach([&](std::string_view member, double score) {
      out.push_back({std::string(member), score});
    });
  } else {
    src[0].ForEach([&](std::string_view member, double score) {
      for (size_t i = 1; i < src.size(); ++i) {
        if (src[i].Find(member)) return;
      }
      out.push_back({std::string(member), score});
    });
  }

  if (cardinality_only) return ctx.rb().SendLong(static_cast<int64_t>(cardinality));
  std::sort(out.begin(), out.end(), [](const Element& a, const Element& b) {
    return a.score < b.score || (a.score == b.score && a.member < b.member);
  });

  if (dst) {
    const char* event = op == SetOp::kUnion   ? "zunionstore"
                        : op == SetOp::kInter ? "zinterstore"
                                              : "zdiffstore";
    if (out.empty()) {
      const bool deleted = db.Remove(*dst);
      ctx.rb().SendLong(0);
      return NotifyZsetStore(ctx, *dst, event, false, deleted);
    }
    const EncodingLimits& limits = ctx.server().keyspace().limits;
    auto* z = new ZsetObject();
    Value v = Value::Wrap(z);
    z->ConvertToSkiplist();
    size_t max_len = 0, total_len = 0;
    for (const Element& el : out) {
      z->Insert(el.member, el.score, limits);
      max_len = std::max(max_len, el.member.size());
      total_len += el.member.size();
    }
    z->ConvertToListpackIfNeeded(max_len, total_len, limits);
    db.Set(*dst, std::move(v));
    ctx.rb().SendLong(static_cast<int64_t>(out.size()));
    return NotifyZsetStore(ctx, *dst, event, true, false);
  }

  // WITHSCORES: one flat array in RESP2, [member, score] pairs in RESP3.
  auto& rb = ctx.rb();
  bool resp3 = ctx.client().resp() == 3;
  rb.StartArray(withscores && !resp3 ? out.size() * 2 : out.size());
  for (const Element& el : out) {
    if (withscores && resp3) rb.StartArray(2);
    rb.SendBulk(el.member);
    if (withscores) rb.SendDouble(el.score);
  }
}

void CmdZUnion(CmdContext& ctx) { ZSetOperation(ctx, SetOp::kUnion, 1, std::nullopt, false); }
void CmdZInter(CmdContext& ctx) { ZSetOperation(ctx, SetOp::kInter, 1, std::nullopt, false); }
void CmdZDiff(CmdContext& ctx) { ZSetOperation(ctx, SetOp::kDiff, 1, std::nullopt, false); }
void CmdZUnionStore(CmdContext& ctx) { ZSetOperation(ctx, SetOp::kUnion, 2, ctx.arg(1), false); }
void CmdZInterStore(CmdContext& ctx) { ZSetOperation(ctx, SetOp::kInter, 2, ctx.arg(1), false); }
void CmdZDiffStore(CmdContext& ctx) { ZSetOperation(ctx, SetOp::kDiff, 2, ctx.arg(1), false); }
void CmdZInterCard(CmdContext& ctx) { ZSetOperation(ctx, SetOp::kInter, 1, std::nullopt, true); }

}  // namespace

void RegisterZsetSetopCommands(CommandRegistry& r) {
  r.Add({"zunion", -3, kReadOnly, {}, CmdZUnion, "sorted-set"});
  r.Add({"zinter", -3, kReadOnly, {}, CmdZInter, "sorted-set"});
  r.Add({"zdiff", -3, kReadOnly, {}, CmdZDiff, "sorted-set"});
  r.Add({"zunionstore", -4, kWrite | kDenyOom, {1, 1, 1}, CmdZUnionStore, "sorted-set"});
  r.Add({"zinterstore", -4, kWrite | kDenyOom, {1, 1, 1}, CmdZInterStore, "sorted-set"});
  r.Add({"zdiffstore", -4, kWrite | kDenyOom, {1, 1, 1}, CmdZDiffStore, "sorted-set"});
  r.Add({"zintercard", -3, kReadOnly, {}, CmdZInterCard, "sorted-set"});
}

}  // namespace baozi
