// The skiplist encoding of sorted sets.
//
// SkipList. Pugh's skip list, as Redis's zskiplist adapts it: elements are kept in a sorted
// linked list, and each node also belongs to the lists of levels 1..height-1, where level i
// links only the nodes whose height exceeds i. A node's height is drawn when it is created:
// each extra level with probability 1/4, at most 32 levels, so the expected height is 4/3 and
// a search drops through about log4(n) levels doing a couple of steps on each. Order is by
// score and, for equal scores, by the member's bytes (memcmp, shorter first on a common
// prefix), so ties come out in lexicographic order and (score, member) identifies a node.
//
// Each forward link also records its span, the number of level-0 steps it jumps over. Summing
// spans along a search path gives the rank of where the search stops, which makes ZRANK, the
// rank of a score bound (ZCOUNT) and "the node at rank r" (ZRANGE) O(log n) instead of a walk.
// A link that ends the list (forward == nullptr) has the span it would need to reach past the
// last node, so insertions and deletions adjust spans uniformly: inserting below a link adds
// one to it, unlinking a node folds its spans into its predecessors'. Level 0 also keeps a
// backward pointer, which is all reverse walks need (ZREVRANGE, popping the maximum).
//
// Memory. A node is one allocation: score, backward pointer, member length and height, then
// `height` forward pointers, `height` 32-bit spans (sets are capped at 2^32 - 1 elements), and
// the member bytes themselves. Redis allocates the member separately as an sds string and
// keeps a dict entry pointing at it; here the member exists once, and the index below stores
// just a pointer to the node.
//
// Moving a node (ZADD/ZINCRBY changing a score) unlinks it and links the same node in its new
// place with its old height, so its address never changes and the index needs no update.
// When the new score keeps the node between its neighbours the score is simply overwritten.
//
// MemberIndex. An open-addressing table with linear probing, mapping members to nodes. A slot
// is 8 bytes: the node address (user-space addresses fit in 48 bits) and, in the top 16 bits,
// 16 low bits of the member's hash as a tag, so a probe dereferences a node only when its tag
// matches. The home slot of a hash is floor(hash * capacity / 2^64), i.e. its position in the
// table scaled from its position in the 64-bit hash range. That choice keeps the table in
// hash order (the home of a larger hash is never smaller), which is what the SCAN cursor
// relies on, and lets the capacity be any number, not just a power of two, so the table grows
// by 1.6x and stays 50-80% full. Deletion shifts later entries of the probe run back into the
// hole (no tombstones), recomputing their homes from their members.
//
// SCAN over the index. The cursor is a hash value: "every entry whose hash is below the cursor
// has been reported". A call reports whole home buckets (the entries of a bucket all lie in the
// probe run that starts at its home slot) and returns the first hash of the next bucket. Since
// homes follow hash order in a table of any capacity, the invariant survives any number of
// grows and shrinks between calls; a cursor that lands inside a bucket of a resized table just
// skips that bucket's entries below it. So every entry present for the whole scan is reported,
// and never twice, unless it is deleted and added again.
#include "storage/skiplist.h"

#include <bit>
#include <cassert>
#include <cstdlib>
#include <new>

#include "storage/dict.h"
#include "storage/numbers.h"

namespace baozi {

bool ZLexRange::Empty() const {
  int c;
  if (min_edge == max_edge && min_edge != Edge::kValue) {
    c = 0;
  } else if (min_edge == Edge::kMinusInf || max_edge == Edge::kPlusInf) {
    c = -1;
  } else if (min_edge == Edge::kPlusInf || max_edge == Edge::kMinusInf) {
    c = 1;
  } else {
    c = min.compare(max);
  }
  return c > 0 || (c == 0 && (minex || maxex));
}

static bool ParseScoreBound(std::string_view s, double* v, bool* ex) {
  *ex = !s.empty() && s[0] == '(';
  if (*ex) s.remove_prefix(1);
  auto d = ParseRangeDouble(s);
  if (!d) return false;
  *v = *d;
  return true;
}

bool ParseScoreRange(std::string_view min, std::string_view max, ZScoreRange* out) {
  return ParseScoreBound(min, &out->min, &out->minex) &&
         ParseScoreBound(max, &out->max, &out->maxex);
}

// Redis zslParseLexRangeItem: "+" and "-" (checked as C strings) are the sentinels and count
// as exclusive; "[x" and "(x" carry a value.
static bool ParseLexBound(std::string_view s, std::string_view* v, ZLexRange::Edge* edge,
                          bool* ex) {
  if (s.empty()) return false;
  switch (s[0]) {
    case '+':
    case '-':
      if (s.size() > 1 && s[1] != '\0') return false;
      *edge = s[0] == '+' ? ZLexRange::Edge::kPlusInf : ZLexRange::Edge::kMinusInf;
      *ex = true;
      *v = {};
      return true;
    case '(':
    case '[':
      *edge = ZLexRange::Edge::kValue;
      *ex = s[0] == '(';
      *v = s.substr(1);
      return true;
    default:
      return false;
  }
}

bool ParseLexRange(std::string_view min, std::string_view max, ZLexRange* out) {
  return ParseLexBound(min, &out->min, &out->min_edge, &out->minex) &&
         ParseLexBound(max, &out->max, &out->max_edge, &out->maxex);
}

// ---- SkipList ----

size_t SkipList::NodeBytes(int height, size_t member_len) {
  return sizeof(Node) + height * (sizeof(Node*) + sizeof(uint32_t)) + member_len;
}

SkipList::Node* SkipList::NewNode(int height, double score, std::string_view member) {
  void* mem = ::operator new(NodeBytes(height, member.size()));
  Node* n = static_cast<Node*>(mem);
  n->score_ = score;
  n->backward_ = nullptr;
  n->len_ = static_cast<uint32_t>(member.size());
  n->height_ = static_cast<uint8_t>(height);
  if (!member.empty()) std::memcpy(n->MemberBytes(), member.data(), member.size());
  return n;
}

void SkipList::FreeNode(Node* n) { ::operator delete(static_cast<void*>(n)); }

int SkipList::RandomLevel() {
  // xorshift64*: each pair of bits continues to the next level with probability 1/4.
  static uint64_t state = 0x9E3779B97F4A7C15ULL;
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  uint64_t r = state * 0x2545F4914F6CDD1DULL;
  int level = 1;
  while ((r & 3) == 0 && level < kMaxLevel) {
    ++level;
    r >>= 2;
  }
  return level;
}

SkipList::SkipList() : head_(NewNode(kMaxLevel, 0, {})) {
  for (int i = 0; i < kMaxLevel; ++i) {
    head_->Forward()[i] = nullptr;
    head_->Span()[i] = 0;
  }
  bytes_ = NodeBytes(kMaxLevel, 0);
}

SkipList::~SkipList() {
  for (Node* n = first(); n != nullptr;) {
    Node* next = n->next();
    FreeNode(n);
    n = next;
  }
  FreeNode(head_);
}

SkipList::SkipList(const SkipList& o) : SkipList() {
  for (Node* n = o.first(); n != nullptr; n = n->next()) Append(n->score_, n->member());
}

void SkipList::FindInsertPoint(double score, std::string_view member, Node** update,
                               uint64_t* rank) const {
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (Node* f = x->Forward()[i]) {
      if (!Less(f, score, member)) break;
      rank[i] += x->Span()[i];
      x = f;
    }
    update[i] = x;
  }
}

void SkipList::Link(Node* x, Node** update, const uint64_t* rank) {
  const int h = x->height_;
  if (h > level_) {
    for (int i = level_; i < h; ++i) {
      update[i] = head_;
      head_->Span()[i] = static_cast<uint32_t>(length_);
    }
    level_ = h;
  }
  for (int i = 0; i < h; ++i) {
    const uint64_t below = rank[0] - rank[i];  // steps from update[i] to update[0]
    x->Forward()[i] = update[i]->Forward()[i];
    update[i]->Forward()[i] = x;
    x->Span()[i] = static_cast<uint32_t>(update[i]->Span()[i] - below);
    update[i]->Span()[i] = static_cast<uint32_t>(below + 1);
  }
  for (int i = h; i < level_; ++i) ++update[i]->Span()[i];
  x->backward_ = update[0] == head_ ? nullptr : update[0];
  if (Node* f = x->Forward()[0]) {
    f->backward_ = x;
  } else {
    tail_ = x;
  }
  ++length_;
}

SkipList::Node* SkipList::Insert(double score, std::string_view member) {
  Node* update[kMaxLevel];
  uint64_t rank[kMaxLevel];
  FindInsertPoint(score, member, update, rank);
  const int h = RandomLevel();
  // Levels above the current top start at the header, rank 0.
  for (int i = level_; i < h; ++i) rank[i] = 0;
  Node* x = NewNode(h, score, member);
  bytes_ += NodeBytes(h, member.size());
  Link(x, update, rank);
  return x;
}

SkipList::Node* SkipList::Append(double score, std::string_view member) {
  assert(tail_ == nullptr || Less(tail_, score, member));
  // The insertion point is after the last node on every level: the rightmost node of each
  // level, found by walking down from the header without comparing.
  Node* update[kMaxLevel];
  uint64_t rank[kMaxLevel];
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (Node* f = x->Forward()[i]) {
      rank[i] += x->Span()[i];
      x = f;
    }
    update[i] = x;
  }
  const int h = RandomLevel();
  for (int i = level_; i < h; ++i) rank[i] = 0;
  Node* n = NewNode(h, score, member);
  bytes_ += NodeBytes(h, member.size());
  Link(n, update, rank);
  return n;
}

void SkipList::FindPredecessors(const Node* n, Node** update) const {
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (Node* f = x->Forward()[i]) {
      if (f == n || !Less(f, n->score_, n->member())) break;
      x = f;
    }
    update[i] = x;
  }
  assert(update[0]->Forward()[0] == n);
}

void SkipList::Unlink(Node* x, Node** update) {
  for (int i = 0; i < level_; ++i) {
    if (update[i]->Forward()[i] == x) {
      update[i]->Span()[i] += x->Span()[i] - 1;
      update[i]->Forward()[i] = x->Forward()[i];
    } else {
      --update[i]->Span()[i];
    }
  }
  if (Node* f = x->Forward()[0]) {
    f->backward_ = x->backward_;
  } else {
    tail_ = x->backward_;
  }
  while (level_ > 1 && head_->Forward()[level_ - 1] == nullptr) --level_;
  --length_;
}

void SkipList::Erase(Node* n) {
  Node* update[kMaxLevel];
  FindPredecessors(n, update);
  Unlink(n, update);
  bytes_ -= NodeBytes(n->height_, n->len_);
  FreeNode(n);
}

void SkipList::UpdateScore(Node* n, double score) {
  const Node* prev = n->backward_;
  const Node* next = n->Forward()[0];
  if ((prev == nullptr || prev->score_ < score) && (next == nullptr || next->score_ > score)) {
    n->score_ = score;
    return;
  }
  Node* update[kMaxLevel];
  FindPredecessors(n, update);
  Unlink(n, update);
  n->score_ = score;
  uint64_t rank[kMaxLevel];
  FindInsertPoint(score, n->member(), update, rank);
  for (int i = level_; i < n->height_; ++i) rank[i] = 0;
  Link(n, update, rank);
}

size_t SkipList::Rank(const Node* n) const {
  const Node* x = head_;
  size_t rank = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (const Node* f = x->Forward()[i]) {
      if (f != n && !Less(f, n->score_, n->member())) break;
      rank += x->Span()[i];
      x = f;
      if (x == n) return rank;
    }
  }
  return x == n ? rank : 0;
}

SkipList::Node* SkipList::AtRank(size_t rank) const {
  if (rank == 0 || rank > length_) return nullptr;
  Node* x = head_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->Forward()[i] != nullptr && traversed + x->Span()[i] <= rank) {
      traversed += x->Span()[i];
      x = x->Forward()[i];
    }
    if (traversed == rank) return x;
  }
  return nullptr;
}

SkipList::Node* SkipList::FirstInRange(const ZScoreRange& r) const {
  if (r.Empty() || tail_ == nullptr || !r.GteMin(tail_->score_) || !r.LteMax(first()->score_)) {
    return nullptr;
  }
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (Node* f = x->Forward()[i]) {
      if (r.GteMin(f->score_)) break;
      x = f;
    }
  }
  x = x->Forward()[0];
  return r.LteMax(x->score_) ? x : nullptr;
}

SkipList::Node* SkipList::LastInRange(const ZScoreRange& r) const {
  if (r.Empty() || tail_ == nullptr || !r.GteMin(tail_->score_) || !r.LteMax(first()->score_)) {
    return nullptr;
  }
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (Node* f = x->Forward()[i]) {
      if (!r.LteMax(f->score_)) break;
      x = f;
    }
  }
  return r.GteMin(x->score_) ? x : nullptr;
}

SkipList::Node* SkipList::FirstInRange(const ZLexRange& r) const {
  if (r.Empty() || tail_ == nullptr || !r.GteMin(tail_->member()) || !r.LteMax(first()->member())) {
    return nullptr;
  }
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (Node* f = x->Forward()[i]) {
      if (r.GteMin(f->member())) break;
      x = f;
    }
  }
  x = x->Forward()[0];
  return r.LteMax(x->member()) ? x : nullptr;
}

SkipList::Node* SkipList::LastInRange(const ZLexRange& r) const {
  if (r.Empty() || tail_ == nullptr || !r.GteMin(tail_->member()) || !r.LteMax(first()->member())) {
    return nullptr;
  }
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (Node* f = x->Forward()[i]) {
      if (!r.LteMax(f->member())) break;
      x = f;
    }
  }
  return r.GteMin(x->member()) ? x : nullptr;
}

template <class Before, class Inside>
SkipList::Node* SkipList::DetachWhile(Before before, Inside inside, size_t* count) {
  Node* update[kMaxLevel];
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (Node* f = x->Forward()[i]) {
      if (!before(f)) break;
      x = f;
    }
    update[i] = x;
  }
  x = x->Forward()[0];
  Node* chain = nullptr;
  Node** link = &chain;
  size_t n = 0;
  while (x != nullptr && inside(x)) {
    Node* next = x->Forward()[0];
    Unlink(x, update);
    bytes_ -= NodeBytes(x->height_, x->len_);
    *link = x;
    link = &x->Forward()[0];
    ++n;
    x = next;
  }
  *link = nullptr;
  *count = n;
  return chain;
}

SkipList::Node* SkipList::DetachRange(const ZScoreRange& r, size_t* count) {
  return DetachWhile([&](const Node* n) { return !r.GteMin(n->score_); },
                     [&](const Node* n) { return r.LteMax(n->score_); }, count);
}

SkipList::Node* SkipList::DetachRange(const ZLexRange& r, size_t* count) {
  return DetachWhile([&](const Node* n) { return !r.GteMin(n->member()); },
                     [&](const Node* n) { return r.LteMax(n->member()); }, count);
}

SkipList::Node* SkipList::DetachRankRange(size_t start, size_t end, size_t* count) {
  Node* update[kMaxLevel];
  Node* x = head_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->Forward()[i] != nullptr && traversed + x->Span()[i] < start) {
      traversed += x->Span()[i];
      x = x->Forward()[i];
    }
    update[i] = x;
  }
  ++traversed;
  x = x->Forward()[0];
  Node* chain = nullptr;
  Node** link = &chain;
  size_t n = 0;
  while (x != nullptr && traversed <= end) {
    Node* next = x->Forward()[0];
    Unlink(x, update);
    bytes_ -= NodeBytes(x->height_, x->len_);
    *link = x;
    link = &x->Forward()[0];
    ++n;
    ++traversed;
    x = next;
  }
  *link = nullptr;
  *count = n;
  return chain;
}

bool SkipList::CheckInvariants() const {
  // Level 0: order, backward links, length, tail.
  size_t count = 0;
  const Node* prev = nullptr;
  for (const Node* n = first(); n != nullptr; n = n->next()) {
    if (n->backward_ != prev) return false;
    if (prev != nullptr && !Less(prev, n->score_, n->member())) return false;
    if (n->height_ < 1 || n->height_ > kMaxLevel || n->height_ > level_) return false;
    prev = n;
    ++count;
  }
  if (count != length_ || tail_ != prev) return false;
  if (level_ < 1 || (level_ > 1 && head_->Forward()[level_ - 1] == nullptr)) return false;
  // Every level: it links exactly the nodes tall enough, and spans add up to ranks.
  for (int i = 0; i < level_; ++i) {
    const Node* x = head_;
    size_t rank = 0;
    const Node* walk = first();
    size_t walk_rank = 1;
    for (;;) {
      const Node* f = x->Forward()[i];
      // The next node of height > i along level 0.
      while (walk != nullptr && walk->height_ <= i) {
        walk = walk->next();
        ++walk_rank;
      }
      if (f != walk) return false;
      if (f == nullptr) {
        if (rank + x->Span()[i] != length_) return false;
        break;
      }
      if (rank + x->Span()[i] != walk_rank) return false;
      rank = walk_rank;
      x = f;
      walk = walk->next();
      ++walk_rank;
    }
  }
  size_t bytes = NodeBytes(kMaxLevel, 0);
  for (const Node* n = first(); n != nullptr; n = n->next())
    bytes += NodeBytes(n->height_, n->len_);
  return bytes == bytes_;
}

// ---- MemberIndex ----

uint64_t HashMember(std::string_view member) { return HashKey(member); }

MemberIndex::~MemberIndex() { std::free(slots_); }

void MemberIndex::Clear() {
  std::free(slots_);
  slots_ = nullptr;
  cap_ = 0;
  size_ = 0;
}

uint64_t MemberIndex::BucketStart(size_t b) const {
  unsigned __int128 num = (static_cast<unsigned __int128>(b) << 64) + cap_ - 1;
  return static_cast<uint64_t>(num / cap_);  // 2^64 (b == cap_) wraps to 0
}

SkipList::Node* MemberIndex::Find(std::string_view member) const {
  if (size_ == 0) return nullptr;
  const uint64_t h = HashMember(member);
  const uint64_t tag = Tag(h);
  for (size_t i = Home(h);; i = Next(i)) {
    const uint64_t s = slots_[i];
    if (s == 0) return nullptr;
    if ((s & ~kPtrMask) == tag && NodeOf(s)->member() == member) return NodeOf(s);
  }
}

void MemberIndex::PlaceNew(uint64_t slot, uint64_t hash) {
  size_t i = Home(hash);
  while (slots_[i] != 0) i = Next(i);
  slots_[i] = slot;
}

void MemberIndex::Rehash(size_t new_cap) {
  uint64_t* old = slots_;
  const size_t old_cap = cap_;
  slots_ = static_cast<uint64_t*>(std::calloc(new_cap, sizeof(uint64_t)));
  if (slots_ == nullptr) throw std::bad_alloc();
  cap_ = new_cap;
  for (size_t i = 0; i < old_cap; ++i) {
    if (old[i] != 0) PlaceNew(old[i], HashMember(NodeOf(old[i])->member()));
  }
  std::free(old);
}

void MemberIndex::Reserve(size_t n) {
  // Up to 80% full; aim at 60% when sizing ahead.
  if (n * 5 <= cap_ * 4) return;
  Rehash(std::max<size_t>(8, n * 5 / 3 + 1));
}

void MemberIndex::Insert(SkipList::Node* n) {
  const uint64_t p = reinterpret_cast<uint64_t>(n);
  assert((p & ~kPtrMask) == 0);
  if ((size_ + 1) * 5 > cap_ * 4) Rehash(std::max<size_t>(8, (size_ + 1) * 2));
  const uint64_t h = HashMember(n->member());
  PlaceNew(p | Tag(h), h);
  ++size_;
}

void MemberIndex::Erase(const SkipList::Node* n) {
  const uint64_t h = HashMember(n->member());
  size_t i = Home(h);
  while (NodeOf(slots_[i]) != n) {
    assert(slots_[i] != 0);
    i = Next(i);
  }
  // Backward shift: pull each later entry of the run into the hole unless its home lies
  // cyclically in (hole, its slot], where moving it would put it before its home.
  for (size_t j = Next(i);; j = Next(j)) {
    const uint64_t s = slots_[j];
    if (s == 0) break;
    const size_t k = Home(HashMember(NodeOf(s)->member()));
    const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (stays) continue;
    slots_[i] = s;
    i = j;
  }
  slots_[i] = 0;
  --size_;
  if (cap_ > 16 && size_ * 8 < cap_) Rehash(std::max<size_t>(8, size_ * 2));
}

}  // namespace baozi
