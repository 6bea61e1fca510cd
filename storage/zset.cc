// ZsetObject: the listpack encoding's algorithms (Redis's zzl* functions) and the dispatch
// between the two encodings. The skiplist side lives in skiplist.cc.
//
// In a listpack each element is two entries, member then score, in rank order. Every lookup is
// a walk over the pairs; a score is read back from its entry (an integer, or text parsed with
// strtod). Changing a score deletes the pair and inserts it again at its new place, as Redis
// does. These walks are linear, which is why the encoding is only kept while the set is small
// (zset-max-listpack-entries / -value).
#include "storage/zset.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "storage/alloc_size.h"

namespace baozi {
namespace {

// Listpacks refuse to grow past 1 GB (Redis LISTPACK_MAX_SAFETY_SIZE).
constexpr size_t kListpackSafetySize = size_t{1} << 30;

double EntryScore(const LpEntry& e) {
  if (e.is_int()) return static_cast<double>(e.ival);
  char buf[128];
  const size_t n = std::min<size_t>(e.len, sizeof(buf) - 1);
  std::memcpy(buf, e.str, n);
  buf[n] = '\0';
  return std::strtod(buf, nullptr);
}

// Redis double2ll: integral scores in +-LLONG_MAX/2 are stored as integers.
bool ScoreAsInt(double d, int64_t* out) {
  if (d < -static_cast<double>(LLONG_MAX / 2) || d > static_cast<double>(LLONG_MAX / 2)) {
    return false;
  }
  const auto ll = static_cast<int64_t>(d);
  if (static_cast<double>(ll) != d) return false;
  *out = ll;
  return true;
}

// The text a score is stored as in a listpack.
std::string_view ScoreText(double score, char* buf) {
  int64_t ll;
  if (ScoreAsInt(score, &ll)) return {buf, FormatInt64(ll, buf)};
  return {buf, FormatScore(score, buf)};
}

}  // namespace

size_t FormatScore(double score, char* buf) {
  if (std::isinf(score)) {
    if (score > 0) {
      std::memcpy(buf, "inf", 3);
      return 3;
    }
    std::memcpy(buf, "-inf", 4);
    return 4;
  }
  if (std::isnan(score)) {
    std::memcpy(buf, "nan", 3);
    return 3;
  }
  auto [end, ec] = std::to_chars(buf, buf + kScoreBufSize, score, std::chars_format::general, 17);
  return static_cast<size_t>(end - buf);
}

// ---- construction ----

ZsetObject::ZsetObject() : lp_(std::in_place) {}

ZsetObject::ZsetObject(size_t size_hint, size_t member_len_hint, const EncodingLimits& limits) {
  if (size_hint <= limits.zset_max_listpack_entries &&
      member_len_hint <= limits.zset_max_listpack_value) {
    lp_.emplace();
  } else {
    sl_ = new Big;
    sl_->index.Reserve(size_hint);
  }
}

ZsetObject::ZsetObject(Listpack lp) : lp_(std::move(lp)) {}

ZsetObject::ZsetObject(const ZsetObject& o) {
  if (o.sl_ == nullptr) {
    lp_ = o.lp_;
    return;
  }
  sl_ = new Big{o.sl_->list, {}};
  sl_->index.Reserve(sl_->list.size());
  for (SkipList::Node* n = sl_->list.first(); n != nullptr; n = n->next()) sl_->index.Insert(n);
}

ZsetObject::~ZsetObject() { delete sl_; }

size_t ZsetObject::size() const { return sl_ ? sl_->list.size() : lp_->size() / 2; }

size_t ZsetObject::MemoryUsage() const {
  if (sl_ == nullptr) return sizeof(*this) + lp_->MemoryUsage();
  return sizeof(*this) + sizeof(Big) + sl_->list.MemoryUsage() + sl_->index.MemoryUsage();
}

size_t ZsetObject::MemoryUsage(size_t samples) const {
  const size_t self = AllocSize(sizeof(*this));
  if (sl_ == nullptr) return self + lp_->MemoryUsage();
  // An element node as SkipList lays it out: the fixed part, a forward pointer and a span per
  // level, then the member's bytes.
  auto node_bytes = [](int height, size_t member_len) {
    return AllocSize(sizeof(SkipList::Node) +
                     height * (sizeof(SkipList::Node*) + sizeof(uint32_t)) + member_len);
  };
  size_t total = self + AllocSize(sizeof(Big)) + node_bytes(SkipList::kMaxLevel, 0) +
                 AllocSize(sl_->index.capacity() * sizeof(uint64_t));
  const size_t n = sl_->list.size();
  size_t bytes = 0, seen = 0;
  for (const SkipList::Node* x = sl_->list.first(); x != nullptr && seen < samples;
       x = x->next(), ++seen) {
    bytes += node_bytes(x->height(), x->member().size());
  }
  if (seen == 0) return total;
  if (seen >= n) return total + bytes;
  return total + static_cast<size_t>(static_cast<double>(bytes) / seen * n);
}

// ---- conversions ----

void ZsetObject::ConvertToSkiplist() {
  if (sl_ != nullptr) return;
  auto big = new Big;
  big->index.Reserve(size() + 1);
  char buf[kIntBufSize];
  for (Listpack::Pos p = lp_->First(); p != Listpack::kNone;) {
    const Listpack::Pos sp = lp_->Next(p);
    SkipList::Node* n = big->list.Append(EntryScore(lp_->Get(sp)), lp_->Get(p).View(buf));
    big->index.Insert(n);
    p = lp_->Next(sp);
  }
  lp_.reset();
  sl_ = big;
}

void ZsetObject::ConvertToListpackIfNeeded(size_t max_member_len, size_t total_member_len,
                                           const EncodingLimits& limits) {
  if (sl_ == nullptr) return;
  if (sl_->list.size() > limits.zset_max_listpack_entries ||
      max_member_len > limits.zset_max_listpack_value || total_member_len > kListpackSafetySize) {
    return;
  }
  Listpack lp;
  char buf[kScoreBufSize];
  for (SkipList::Node* n = sl_->list.first(); n != nullptr; n = n->next()) {
    lp.Append(n->member());
    lp.Append(ScoreText(n->score(), buf));
  }
  delete sl_;
  sl_ = nullptr;
  lp_.emplace(std::move(lp));
}

// ---- listpack helpers ----

Listpack::Pos ZsetObject::LpFind(std::string_view member, double* score) const {
  const Listpack& lp = *lp_;
  Listpack::Pos p = lp.First();
  if (p == Listpack::kNone) return p;
  p = lp.Find(p, member, 1);
  if (p != Listpack::kNone && score != nullptr) *score = EntryScore(lp.Get(lp.Next(p)));
  return p;
}

void ZsetObject::LpInsert(std::string_view member, double score) {
  Listpack& lp = *lp_;
  char buf[kScoreBufSize];
  const std::string_view text = ScoreText(score, buf);
  char mbuf[kIntBufSize];
  for (Listpack::Pos p = lp.First(); p != Listpack::kNone;) {
    const Listpack::Pos sp = lp.Next(p);
    const double s = EntryScore(lp.Get(sp));
    if (s > score || (s == score && lp.Get(p).View(mbuf) > member)) {
      const Listpack::Pos mp = lp.InsertBefore(p, member);
      lp.InsertAfter(mp, text);
      return;
    }
    p = lp.Next(sp);
  }
  lp.Append(member);
  lp.Append(text);
}

// ---- point operations ----

ZsetObject::AddResult ZsetObject::Add(std::string_view member, double score, uint32_t flags,
                                      const EncodingLimits& limits) {
  const bool incr = flags & kAddIncr;
  const bool nx = flags & kAddNx;
  const bool xx = flags & kAddXx;
  const bool gt = flags & kAddGt;
  const bool lt = flags & kAddLt;

  // An existing element: the options decide whether and how its score changes.
  auto update = [&](double cur, double* out) -> std::optional<AddStatus> {
    if (nx) return AddStatus::kNop;
    if (incr) {
      score += cur;
      if (std::isnan(score)) return AddStatus::kNan;
    }
    if ((lt && score >= cur) || (gt && score <= cur)) return AddStatus::kNop;
    *out = score;
    return std::nullopt;
  };

  if (sl_ == nullptr) {
    double cur;
    const Listpack::Pos p = LpFind(member, &cur);
    if (p != Listpack::kNone) {
      double next;
      if (auto st = update(cur, &next)) return {*st, cur};
      if (next == cur) return {AddStatus::kSame, next};
      lp_->DeleteRange(p, 2);
      LpInsert(member, next);
      return {AddStatus::kUpdated, next};
    }
    if (xx) return {AddStatus::kNop, 0};
    if (size() + 1 > limits.zset_max_listpack_entries ||
        member.size() > limits.zset_max_listpack_value ||
        lp_->bytes() + member.size() > kListpackSafetySize) {
      ConvertToSkiplist();
    } else {
      LpInsert(member, score);
      return {AddStatus::kAdded, score};
    }
  }

  if (SkipList::Node* n = sl_->index.Find(member)) {
    const double cur = n->score();
    double next;
    if (auto st = update(cur, &next)) return {*st, cur};
    if (next == cur) return {AddStatus::kSame, next};
    sl_->list.UpdateScore(n, next);
    return {AddStatus::kUpdated, next};
  }
  if (xx) return {AddStatus::kNop, 0};
  sl_->index.Insert(sl_->list.Insert(score, member));
  return {AddStatus::kAdded, score};
}

void ZsetObject::AppendSorted(std::string_view member, double score, const EncodingLimits& limits) {
  if (sl_ == nullptr) {
    if (size() + 1 > limits.zset_max_listpack_entries ||
        member.size() > limits.zset_max_listpack_value ||
        lp_->bytes() + member.size() > kListpackSafetySize) {
      ConvertToSkiplist();
    } else {
      char buf[kScoreBufSize];
      lp_->Append(member);
      lp_->Append(ScoreText(score, buf));
      return;
    }
  }
  sl_->index.Insert(sl_->list.Append(score, member));
}

void ZsetObject::RemoveNode(SkipList::Node* n) {
  sl_->index.Erase(n);
  sl_->list.Erase(n);
}

void ZsetObject::FreeChain(SkipList::Node* chain) {
  while (chain != nullptr) {
    SkipList::Node* next = chain->next();
    sl_->index.Erase(chain);
    SkipList::FreeNode(chain);
    chain = next;
  }
}

bool ZsetObject::Remove(std::string_view member) {
  if (sl_ == nullptr) {
    const Listpack::Pos p = LpFind(member, nullptr);
    if (p == Listpack::kNone) return false;
    lp_->DeleteRange(p, 2);
    return true;
  }
  SkipList::Node* n = sl_->index.Find(member);
  if (n == nullptr) return false;
  RemoveNode(n);
  return true;
}

std::optional<double> ZsetObject::Score(std::string_view member) const {
  if (sl_ == nullptr) {
    double s;
    if (LpFind(member, &s) == Listpack::kNone) return std::nullopt;
    return s;
  }
  const SkipList::Node* n = sl_->index.Find(member);
  if (n == nullptr) return std::nullopt;
  return n->score();
}

std::optional<size_t> ZsetObject::Rank(std::string_view member, bool reverse) const {
  const size_t len = size();
  size_t rank;  // 0-based, ascending
  if (sl_ == nullptr) {
    const Listpack& lp = *lp_;
    rank = 0;
    Listpack::Pos p = lp.First();
    while (p != Listpack::kNone && !lp.Equals(p, member)) {
      p = lp.Next(lp.Next(p));
      ++rank;
    }
    if (p == Listpack::kNone) return std::nullopt;
  } else {
    const SkipList::Node* n = sl_->index.Find(member);
    if (n == nullptr) return std::nullopt;
    rank = sl_->list.Rank(n) - 1;
  }
  return reverse ? len - 1 - rank : rank;
}

void ZsetObject::PopFront() {
  if (sl_ == nullptr) {
    lp_->DeleteRange(lp_->First(), 2);
  } else {
    RemoveNode(sl_->list.first());
  }
}

void ZsetObject::PopBack() {
  if (sl_ == nullptr) {
    lp_->DeleteRange(lp_->Prev(lp_->Last()), 2);
  } else {
    RemoveNode(sl_->list.last());
  }
}

// ---- ranges ----

size_t ZsetObject::RemoveRankRange(size_t start, size_t end) {
  if (sl_ == nullptr) {
    const size_t n = end - start + 1;
    lp_->DeleteRange(static_cast<int64_t>(2 * start), 2 * n);
    return n;
  }
  size_t n;
  FreeChain(sl_->list.DetachRankRange(start + 1, end + 1, &n));
  return n;
}

size_t ZsetObject::RemoveRange(const ZScoreRange& r) {
  if (sl_ == nullptr) {
    Iterator it = FirstIn(r);
    Listpack::Pos p = it.pos_;
    size_t n = 0;
    while (p != Listpack::kNone && r.LteMax(EntryScore(lp_->Get(lp_->Next(p))))) {
      p = lp_->DeleteRange(p, 2);
      ++n;
    }
    return n;
  }
  size_t n;
  FreeChain(sl_->list.DetachRange(r, &n));
  return n;
}

size_t ZsetObject::RemoveRange(const ZLexRange& r) {
  if (sl_ == nullptr) {
    Iterator it = FirstIn(r);
    Listpack::Pos p = it.pos_;
    size_t n = 0;
    char buf[kIntBufSize];
    while (p != Listpack::kNone && r.LteMax(lp_->Get(p).View(buf))) {
      p = lp_->DeleteRange(p, 2);
      ++n;
    }
    return n;
  }
  size_t n;
  FreeChain(sl_->list.DetachRange(r, &n));
  return n;
}

size_t ZsetObject::Count(const ZScoreRange& r) const {
  if (sl_ == nullptr) {
    size_t n = 0;
    for (Iterator it = FirstIn(r); !it.done() && r.LteMax(it.score()); it.Next()) ++n;
    return n;
  }
  const SkipList::Node* first = sl_->list.FirstInRange(r);
  if (first == nullptr) return 0;
  const SkipList::Node* last = sl_->list.LastInRange(r);
  return sl_->list.Rank(last) - sl_->list.Rank(first) + 1;
}

size_t ZsetObject::Count(const ZLexRange& r) const {
  if (sl_ == nullptr) {
    size_t n = 0;
    for (Iterator it = FirstIn(r); !it.done() && r.LteMax(it.member()); it.Next()) ++n;
    return n;
  }
  const SkipList::Node* first = sl_->list.FirstInRange(r);
  if (first == nullptr) return 0;
  const SkipList::Node* last = sl_->list.LastInRange(r);
  return sl_->list.Rank(last) - sl_->list.Rank(first) + 1;
}

// ---- iteration ----

std::string_view ZsetObject::Iterator::member() const {
  if (lp_ != nullptr) return lp_->Get(pos_).View(buf_);
  return node_->member();
}

double ZsetObject::Iterator::score() const {
  if (lp_ != nullptr) return EntryScore(lp_->Get(lp_->Next(pos_)));
  return node_->score();
}

void ZsetObject::Iterator::Next() {
  if (lp_ != nullptr) {
    pos_ = lp_->Next(lp_->Next(pos_));
  } else {
    node_ = node_->next();
  }
}

void ZsetObject::Iterator::Prev() {
  if (lp_ != nullptr) {
    const Listpack::Pos p = lp_->Prev(pos_);
    pos_ = p == Listpack::kNone ? p : lp_->Prev(p);
  } else {
    node_ = node_->prev();
  }
}

ZsetObject::Iterator ZsetObject::Begin() const {
  if (sl_ == nullptr) return Iterator(&*lp_, lp_->First());
  return Iterator(sl_->list.first());
}

ZsetObject::Iterator ZsetObject::Last() const {
  if (sl_ == nullptr) {
    const Listpack::Pos p = lp_->Last();
    return Iterator(&*lp_, p == Listpack::kNone ? p : lp_->Prev(p));
  }
  return Iterator(sl_->list.last());
}

ZsetObject::Iterator ZsetObject::AtRank(size_t rank) const {
  if (sl_ == nullptr) {
    if (rank >= size()) return Iterator(&*lp_, Listpack::kNone);
    return Iterator(&*lp_, lp_->Seek(static_cast<int64_t>(2 * rank)));
  }
  return Iterator(sl_->list.AtRank(rank + 1));
}

namespace {
// What a range bounds: the score for score ranges, the member for lex ranges.
double RangeKey(const ZsetObject::Iterator& it, const ZScoreRange&) { return it.score(); }
std::string_view RangeKey(const ZsetObject::Iterator& it, const ZLexRange&) { return it.member(); }
}  // namespace

// Redis zzlFirstInRange / zzlLastInRange and their lex twins: after the cheap "can anything be
// inside" test, walk from the nearer end until the first element past the bound.
template <class Range>
ZsetObject::Iterator ZsetObject::LpFirstIn(const Range& r) const {
  Iterator none(&*lp_, Listpack::kNone);
  if (r.Empty() || empty() || !r.GteMin(RangeKey(Last(), r)) || !r.LteMax(RangeKey(Begin(), r))) {
    return none;
  }
  for (Iterator it = Begin(); !it.done(); it.Next()) {
    const auto k = RangeKey(it, r);
    if (r.GteMin(k)) return r.LteMax(k) ? it : none;
  }
  return none;
}

template <class Range>
ZsetObject::Iterator ZsetObject::LpLastIn(const Range& r) const {
  Iterator none(&*lp_, Listpack::kNone);
  if (r.Empty() || empty() || !r.GteMin(RangeKey(Last(), r)) || !r.LteMax(RangeKey(Begin(), r))) {
    return none;
  }
  for (Iterator it = Last(); !it.done(); it.Prev()) {
    const auto k = RangeKey(it, r);
    if (r.LteMax(k)) return r.GteMin(k) ? it : none;
  }
  return none;
}

ZsetObject::Iterator ZsetObject::FirstIn(const ZScoreRange& r) const {
  return sl_ != nullptr ? Iterator(sl_->list.FirstInRange(r)) : LpFirstIn(r);
}
ZsetObject::Iterator ZsetObject::LastIn(const ZScoreRange& r) const {
  return sl_ != nullptr ? Iterator(sl_->list.LastInRange(r)) : LpLastIn(r);
}
ZsetObject::Iterator ZsetObject::FirstIn(const ZLexRange& r) const {
  return sl_ != nullptr ? Iterator(sl_->list.FirstInRange(r)) : LpFirstIn(r);
}
ZsetObject::Iterator ZsetObject::LastIn(const ZLexRange& r) const {
  return sl_ != nullptr ? Iterator(sl_->list.LastInRange(r)) : LpLastIn(r);
}

}  // namespace baozi
